//! `brink lessons` and `brink lesson NAME [--check]`: the guided experiments
//! of `sim_core::lesson`, the same ones the playground's lesson menu offers.

use crate::args::UsageError;
use clap::Args;
use serde_json::json;
use sim_core::lesson::{self, Check, Lesson, StepResult, LESSONS};
use std::io::{self, BufWriter, Write};

/// Output format of `brink lessons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// One line per lesson: name, then title.
    Text,
    /// A JSON list of `{"name", "title"}`.
    Json,
}

/// Everything `brink lessons` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct LessonsArgs {
    /// text (name and title, one a line) or json (a list of {"name", "title"})
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = parse_list_format)]
    #[arg(default_value = "text")]
    pub format: ListFormat,
}

fn parse_list_format(raw: &str) -> Result<ListFormat, String> {
    match raw {
        "text" => Ok(ListFormat::Text),
        "json" => Ok(ListFormat::Json),
        _ => Err("expected text or json".into()),
    }
}

/// Everything `brink lesson` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct LessonArgs {
    /// the lesson's name, as `brink lessons` lists it
    #[arg(value_name = "NAME")]
    pub name: String,
    /// walk the lesson natively: make each step's change, run until its check passes or its time limit; exit 1 if one fails
    #[arg(long)]
    pub check: bool,
}

/// What `brink lesson --help` says after the flags.
pub const NOTES: &str = "Each step's change is a list of PATH=VALUE edits, as `brink run --set` takes them.\n\
With --check, a change to a field that needs a reset (e.g. nodes.count) starts a new run from t = 0.\n\
Exit status with --check: 0 when every step's check passed, 1 when one did not (the later steps are not run).";

/// Prints the lessons.
pub fn list(a: &LessonsArgs) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    match a.format {
        ListFormat::Text => {
            let width = LESSONS.iter().map(|l| l.name.len()).max().unwrap_or(0);
            for l in &LESSONS {
                writeln!(out, "{:width$}  {}", l.name, l.title)?;
            }
        }
        ListFormat::Json => {
            let list: Vec<_> = LESSONS.iter().map(|l| json!({ "name": l.name, "title": l.title })).collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
    }
    out.flush()
}

/// The lesson called `name`, or a usage error listing the names.
pub fn find(name: &str) -> Result<&'static Lesson, UsageError> {
    lesson::lesson(name).ok_or_else(|| {
        let names: Vec<&str> = LESSONS.iter().map(|l| l.name).collect();
        UsageError(format!("no lesson named '{name}'; lessons: {}", names.join(", ")))
    })
}

/// Prints a lesson: title, story, and each step with its change and check.
pub fn show(l: &Lesson) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "{}: {}\n\n{}\n", l.name, l.title, l.story)?;
    for (i, step) in l.steps.iter().enumerate() {
        writeln!(out, "{}. {}", i + 1, step.text)?;
        for (path, value) in step.change {
            writeln!(out, "   --set {path}={value}")?;
        }
        writeln!(out, "   check: {} (within {} s)", describe(&step.check), step.limit_s)?;
    }
    out.flush()
}

/// Walks the lesson and prints each step's result; true when all passed.
pub fn check(l: &Lesson) -> Result<bool, String> {
    let results = lesson::run(l)?;
    let mut out = BufWriter::new(io::stdout().lock());
    let write = |out: &mut BufWriter<_>| -> io::Result<()> {
        writeln!(out, "{}: {}", l.name, l.title)?;
        for (i, step) in l.steps.iter().enumerate() {
            let line = match results.get(i) {
                Some(r) => result_line(r),
                None => "not run".to_string(),
            };
            writeln!(out, "step {}: {line}: {}", i + 1, step.text)?;
        }
        out.flush()
    };
    write(&mut out).map_err(|e| format!("brink: cannot write the output: {e}"))?;
    Ok(results.len() == l.steps.len() && results.iter().all(|r| r.passed))
}

fn result_line(r: &StepResult) -> String {
    let restart = if r.restarted { ", after a restart" } else { "" };
    if r.passed {
        format!("pass (from t = {} s, shown by t = {} s{restart})", r.from_s, r.until_s)
    } else {
        format!("FAIL (from t = {} s, not shown by t = {} s{restart})", r.from_s, r.until_s)
    }
}

/// A check in words, for `brink lesson NAME`.
pub fn describe(c: &Check) -> String {
    c.to_string()
}
