//! `brink compare A.toml B.toml`: two scenarios on the same seed, with
//! common random numbers, and the difference of their totals.
//!
//! Common random numbers come from the engine itself: every concern
//! (arrivals, service times, backoff, the balancer…) draws from its own
//! named stream of the one root seed (`sim_core::rng`), so two scenarios on
//! the same seed see the same arrivals and the same service-time draws as far
//! as their designs let them, and a difference in the totals comes from the
//! design, not from luck. B is therefore run on A's seed; the tests check that
//! a scenario compared with itself differs by exactly zero.

use crate::args::{parse_indent, parse_set, text, Checked, Format, ModelArgs, RunArgs, SetArg};
use crate::{output, scenario, simulate, Failure};
use clap::Args;
use serde_json::{json, Map, Value};
use std::io::{self, BufWriter, Write};

/// What `brink compare --help` says after the flags.
pub const NOTES: &str = "Both scenarios are built as `brink run --config FILE` builds one (model flags and\n\
--set apply to both), then B is run on A's seed: each concern of the engine draws\n\
from its own named random stream, so both see the same arrivals and service-time\n\
draws (common random numbers) and the difference comes from the design.\n\
--format json prints {\"a\": report, \"b\": report, \"diff\": {\"totals\": {key: b - a}}},\n\
each report as `brink run` gives it. See docs/CLI.md.";

/// Everything `brink compare` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct CompareArgs {
    /// scenario A (TOML, as for `brink run --config`)
    #[arg(value_name = "A", allow_hyphen_values = true, value_parser = Checked(text))]
    pub a: String,
    /// scenario B, run on A's seed
    #[arg(value_name = "B", allow_hyphen_values = true, value_parser = Checked(text))]
    pub b: String,
    /// Model flags, applied to both scenarios.
    #[command(flatten)]
    pub model: ModelArgs,
    /// set any field in both scenarios; repeatable, applied last
    #[arg(long = "set", value_name = "PATH=VALUE", allow_hyphen_values = true, value_parser = Checked(parse_set))]
    pub set: Vec<SetArg>,
    /// table, or json
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = Checked(parse_format))]
    #[arg(default_value = "table")]
    pub format: CompareFormat,
    /// pretty-print the JSON with N spaces [default: one line]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = Checked(parse_indent))]
    pub indent: Option<usize>,
}

/// Output of `brink compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareFormat {
    /// A table of totals: A, B, B − A, B / A.
    Table,
    /// Both reports and the difference of their totals.
    Json,
}

/// Parses `table` or `json` (also the format of `brink hysteresis` and `brink tipping`).
pub(crate) fn parse_format(raw: &str) -> Result<CompareFormat, String> {
    match raw {
        "table" => Ok(CompareFormat::Table),
        "json" => Ok(CompareFormat::Json),
        _ => Err("expected table or json".into()),
    }
}

/// The `brink run` arguments of one side.
fn side(a: &CompareArgs, path: &str) -> RunArgs {
    RunArgs {
        model: a.model.clone(),
        config_path: Some(path.to_string()),
        windows: Vec::new(),
        indent: a.indent,
        format: Format::Json,
        set: a.set.clone(),
        traces: None,
        stray: Vec::new(),
    }
}

/// `brink compare`: builds both, runs both at once, prints.
pub fn run(a: &CompareArgs) -> Result<(), Failure> {
    let config_a = scenario::build(&side(a, &a.a))?;
    let mut config_b = scenario::build(&side(a, &a.b))?;
    if config_b.seed != config_a.seed {
        eprintln!(
            "brink: B is run on A's seed {} (its own is {}), for common random numbers",
            config_a.seed, config_b.seed
        );
        config_b.seed = config_a.seed;
    }
    let (ra, rb) = rayon::join(|| simulate(config_a), || simulate(config_b));
    let ((sim_a, wall_a), (sim_b, wall_b)) = (ra?, rb?);
    let report_a = output::run_report(&sim_a, &[], a.indent, wall_a);
    let report_b = output::run_report(&sim_b, &[], a.indent, wall_b);
    let mut out = BufWriter::new(io::stdout().lock());
    match a.format {
        CompareFormat::Json => {
            let doc = json!({ "a": report_a, "b": report_b, "diff": { "totals": diff_totals(&report_a, &report_b) } });
            output::write_json(&mut out, &doc, a.indent)?;
        }
        CompareFormat::Table => {
            writeln!(out, "A = {}\nB = {}\nseed {} for both (common random numbers)\n", a.a, a.b, sim_a.config().seed)?;
            out.write_all(table(&report_a, &report_b).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The keys of both reports' totals: A's in order, then any only B has
/// (a mechanism's counter is left out of a report when zero).
fn total_keys<'a>(a: &'a Value, b: &'a Value) -> Vec<&'a str> {
    let keys = |v: &'a Value| v["totals"].as_object().into_iter().flat_map(|m| m.keys().map(String::as_str));
    let mut out: Vec<&str> = keys(a).collect();
    for k in keys(b) {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// A total of a report, 0 when it is left out.
fn total(report: &Value, key: &str) -> u64 {
    report["totals"][key].as_u64().unwrap_or(0)
}

/// `{key: b − a}` over every total of either report.
pub fn diff_totals(a: &Value, b: &Value) -> Value {
    let diff: Map<String, Value> = total_keys(a, b)
        .into_iter()
        .map(|k| (k.to_string(), json!(total(b, k) as i128 - total(a, k) as i128)))
        .collect();
    Value::Object(diff)
}

/// The table: one row per total with A, B, B − A and B / A ("-" when A is 0).
pub fn table(a: &Value, b: &Value) -> String {
    let rows: Vec<[String; 5]> = total_keys(a, b)
        .into_iter()
        .map(|k| {
            let (x, y) = (total(a, k), total(b, k));
            let ratio = if x == 0 { "-".to_string() } else { format!("{:.3}", y as f64 / x as f64) };
            [k.to_string(), x.to_string(), y.to_string(), (y as i128 - x as i128).to_string(), ratio]
        })
        .collect();
    let header = ["total", "A", "B", "B - A", "B / A"].map(String::from);
    let widths: Vec<usize> =
        (0..5).map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| if i == 0 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_covers_the_keys_of_both_and_can_be_negative() {
        let a = json!({"totals": {"offered": 10, "goodput": 8}});
        let b = json!({"totals": {"offered": 10, "goodput": 5, "crashes": 2}});
        assert_eq!(diff_totals(&a, &b), json!({"offered": 0, "goodput": -3, "crashes": 2}));
        let t = table(&a, &b);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert!(lines[0].starts_with("total") && lines[0].ends_with("B / A"), "{t}");
        let words = |i: usize| lines[i].split_whitespace().collect::<Vec<_>>();
        assert_eq!(words(2), ["goodput", "8", "5", "-3", "0.625"], "{t}");
        assert_eq!(words(3), ["crashes", "0", "2", "2", "-"], "{t}");
    }

    #[test]
    fn format_names() {
        assert_eq!(parse_format("json"), Ok(CompareFormat::Json));
        assert_eq!(parse_format("csv"), Err("expected table or json".into()));
    }
}
