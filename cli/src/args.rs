//! The command line of `brink`, parsed by clap.
//!
//! The model flags, their names and their defaults are those of the reference
//! program (`shared/reference/simpy_ref.py`), so that the same command line
//! can be given to both. They are declared once, in [`MODEL_FLAGS`]: clap's
//! arguments for them are built from that table ([`ModelArgs`]), beside the
//! derived flags of `run` and `bench`. Every value goes through [`Checked`],
//! so a bad one is reported as one line naming the flag, and clap's own
//! errors (unknown flag, missing value) are turned into one line by
//! [`usage_error`].

use crate::bench_cmd::{BenchArgs, MEMORY_CHILD};
use clap::builder::TypedValueParser;
use clap::error::{ContextKind, ErrorKind};
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches, Parser, Subcommand};
use sim_core::catalogue::{self, Kind};
use sim_core::config::limits;
use sim_core::{Backoff, Config, LbPolicy};
use std::ffi::{OsStr, OsString};
use std::fmt;

/// A mistake on the command line or in the scenario: one line, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "brink: {}", self.0)
    }
}

impl std::error::Error for UsageError {}

/// How a model flag stores its value in [`Config`]; the accessors are plain
/// function pointers so that the whole flag table can be a constant.
#[derive(Clone, Copy)]
pub enum Slot {
    /// A real number; validated later by `Config::validate`.
    Float(fn(&mut Config) -> &mut f64),
    /// A whole number with its allowed range, which is needed here because a
    /// value that does not fit a `u32` never reaches `Config::validate`.
    Count(fn(&mut Config) -> &mut u32, (u32, u32)),
    /// The 64-bit seed.
    Seed,
    /// A backoff policy name.
    Backoff,
    /// A load-balancing policy name.
    Lb,
    /// Any field of the catalogue (`sim_core::catalogue`), named by the
    /// flag's `field`: the row parses the value and checks its range, and
    /// a choice's names are added to the help. A new flag for a catalogued
    /// field is one row of [`MODEL_FLAGS`] with this slot.
    Field,
    /// The entry client's retry budget as a percentage of requests: sets
    /// `client.budget.percent` (a fraction) and switches the budget on,
    /// with Finagle's other defaults.
    RetryBudget,
}

/// One flag of the model: its name, the dotted `Config` field it sets (as
/// `ConfigError::field` reports it) and where the value goes.
#[derive(Clone, Copy)]
pub struct ModelFlag {
    /// The flag, with its dashes.
    pub flag: &'static str,
    /// Dotted path of the `Config` field.
    pub field: &'static str,
    /// Where the value is stored.
    pub slot: Slot,
    /// One line of help.
    pub help: &'static str,
}

/// The reference program's model flags, in its order, then brink's own
/// flags in the same style.
pub const MODEL_FLAGS: [ModelFlag; 19] = [
    ModelFlag {
        flag: "--rate",
        field: "traffic.rate_per_s",
        slot: Slot::Float(|c| &mut c.traffic.rate_per_s),
        help: "logical requests per second",
    },
    ModelFlag {
        flag: "--duration",
        field: "traffic.duration_s",
        slot: Slot::Float(|c| &mut c.traffic.duration_s),
        help: "simulated seconds",
    },
    ModelFlag {
        flag: "--spike-mult",
        field: "traffic.spike_mult",
        slot: Slot::Float(|c| &mut c.traffic.spike_mult),
        help: "rate multiplier during the spike (1 = off)",
    },
    ModelFlag {
        flag: "--spike-start",
        field: "traffic.spike_start_s",
        slot: Slot::Float(|c| &mut c.traffic.spike_start_s),
        help: "spike start (s)",
    },
    ModelFlag {
        flag: "--spike-end",
        field: "traffic.spike_end_s",
        slot: Slot::Float(|c| &mut c.traffic.spike_end_s),
        help: "spike end (s)",
    },
    ModelFlag {
        flag: "--nodes",
        field: "nodes.count",
        slot: Slot::Count(|c| &mut c.nodes.count, limits::NODES),
        help: "server nodes",
    },
    ModelFlag {
        flag: "--workers",
        field: "nodes.workers",
        slot: Slot::Count(|c| &mut c.nodes.workers, limits::WORKERS),
        help: "parallel workers per node",
    },
    ModelFlag {
        flag: "--service-ms",
        field: "nodes.service_ms_mean",
        slot: Slot::Float(|c| &mut c.nodes.service_ms_mean),
        help: "mean service time (ms); exponential unless --service-dist",
    },
    ModelFlag {
        flag: "--queue",
        field: "nodes.queue_capacity",
        slot: Slot::Count(|c| &mut c.nodes.queue_capacity, limits::QUEUE),
        help: "waiting-room capacity per node",
    },
    ModelFlag {
        flag: "--timeout-s",
        field: "client.timeout_s",
        slot: Slot::Float(|c| &mut c.client.timeout_s),
        help: "client timeout per attempt (s)",
    },
    ModelFlag {
        flag: "--attempts",
        field: "client.attempts",
        slot: Slot::Count(|c| &mut c.client.attempts, limits::ATTEMPTS),
        help: "max attempts per logical request",
    },
    ModelFlag {
        flag: "--backoff",
        field: "client.backoff",
        slot: Slot::Backoff,
        help: "none|fixed|expo|full-jitter|equal-jitter|decorrelated",
    },
    ModelFlag {
        flag: "--base-ms",
        field: "client.backoff_base_ms",
        slot: Slot::Float(|c| &mut c.client.backoff_base_ms),
        help: "backoff base (ms)",
    },
    ModelFlag {
        flag: "--cap-ms",
        field: "client.backoff_cap_ms",
        slot: Slot::Float(|c| &mut c.client.backoff_cap_ms),
        help: "backoff cap (ms)",
    },
    ModelFlag { flag: "--seed", field: "seed", slot: Slot::Seed, help: "root random seed" },
    ModelFlag {
        flag: "--lb",
        field: "balancer.policy",
        slot: Slot::Lb,
        help: "round-robin|random|least-outstanding|p2c (random: Poisson per node, for Erlang C)",
    },
    ModelFlag {
        flag: "--service-dist",
        field: "nodes.service_dist",
        slot: Slot::Field,
        help: "service-time distribution (not in the reference)",
    },
    ModelFlag {
        flag: "--service-cv",
        field: "nodes.service_cv",
        slot: Slot::Field,
        help: "service-time spread, sd/mean, for uniform (at most 1/√3) and lognormal",
    },
    ModelFlag {
        flag: "--retry-budget",
        field: "client.budget.percent",
        slot: Slot::RetryBudget,
        help: "retry budget: percent of requests that may be retried (Finagle's RetryBudget: 10 s window, 10 retries/s reserve; not in the reference)",
    },
];

impl ModelFlag {
    /// The flag without its dashes, which is also its clap id.
    fn name(&self) -> &'static str {
        let flag: &'static str = self.flag;
        flag.trim_start_matches('-')
    }

    /// The clap argument of the flag at `index` in [`MODEL_FLAGS`], its help
    /// ending with the default read from `defaults`. No clap default is set:
    /// a flag that is not given must leave the scenario file's value alone.
    fn arg(index: usize, defaults: &Config) -> Arg {
        let f = &MODEL_FLAGS[index];
        let names = match (f.slot, catalogue::field(f.field).map(|row| row.kind)) {
            (Slot::Field, Some(Kind::Choice(names))) => format!(": {}", names.join("|")),
            _ => String::new(),
        };
        Arg::new(f.name())
            .long(f.name())
            .value_name("X")
            .help(format!("{}{names} [default: {}]", f.help, default_text(defaults, f)))
            .help_heading(MODEL_HEADING)
            .allow_hyphen_values(true)
            .value_parser(Checked(move |raw: &str| {
                let value = parse_value(&MODEL_FLAGS[index], raw)?;
                Ok(Override { index, raw: raw.to_string(), value })
            }))
    }
}

/// Help heading of the model flags.
const MODEL_HEADING: &str = "Model flags (those of shared/reference/simpy_ref.py, --service-* and --retry-budget)";

/// The model flag that sets a dotted `Config` field.
pub fn flag_for_field(field: &str) -> Option<&'static ModelFlag> {
    MODEL_FLAGS.iter().find(|f| f.field == field)
}

/// A parsed model flag value, ready to store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// For [`Slot::Float`].
    Float(f64),
    /// For [`Slot::Count`].
    Count(u32),
    /// For [`Slot::Seed`].
    Seed(u64),
    /// For [`Slot::Backoff`].
    Backoff(Backoff),
    /// For [`Slot::Lb`].
    Lb(LbPolicy),
    /// For [`Slot::Field`].
    Field(catalogue::Value),
    /// For [`Slot::RetryBudget`]: percent.
    Percent(f64),
}

/// A model flag as given: which one, the text typed and the parsed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Index into [`MODEL_FLAGS`].
    pub index: usize,
    /// The value as typed, for error messages.
    pub raw: String,
    /// The parsed value.
    pub value: Value,
}

/// The model flags given to `brink run`: clap's arguments for them are built
/// from [`MODEL_FLAGS`], so each flag is declared in that table only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelArgs {
    /// One per flag given (the last value when a flag is repeated, as in
    /// argparse), in command-line order.
    pub overrides: Vec<Override>,
}

impl Args for ModelArgs {
    fn augment_args(cmd: Command) -> Command {
        let defaults = Config::default();
        cmd.args((0..MODEL_FLAGS.len()).map(|i| ModelFlag::arg(i, &defaults)))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for ModelArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        let mut given: Vec<(usize, Override)> = Vec::new();
        for f in &MODEL_FLAGS {
            let position = matches.index_of(f.name()).unwrap_or(0);
            // An error here would be a mismatch between the argument's value
            // parser and this type: a bug, reported rather than panicking.
            let value = matches.try_remove_one::<Override>(f.name());
            if let Some(o) = value.map_err(|e| clap::Error::raw(ErrorKind::ValueValidation, e))? {
                given.push((position, o));
            }
        }
        given.sort_by_key(|(position, _)| *position);
        Ok(ModelArgs { overrides: given.into_iter().map(|(_, o)| o).collect() })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// A value parser that reports a bad value as one line naming the flag: the
/// wrapped function gives the reason, this adds the flag and the value as
/// typed. Values may start with a hyphen (`--rate -1`), but one that starts
/// with `--` means the value was forgotten (`--rate --duration 5`).
#[derive(Clone)]
pub struct Checked<F>(pub F);

impl<F, T> TypedValueParser for Checked<F>
where
    F: Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let flag = match arg.and_then(Arg::get_long) {
            Some(long) => format!("--{long}"),
            None => arg.map_or_else(|| "value".to_string(), |a| a.get_id().to_string()),
        };
        let parse = self.0.clone();
        // A closure parser makes clap keep the UsageError as the error's
        // source, where `usage_error` finds it.
        let checked = move |raw: &str| -> Result<T, UsageError> {
            if raw.starts_with("--") {
                return Err(UsageError(format!("{flag}: missing value")));
            }
            parse(raw).map_err(|reason| UsageError(format!("{flag} {}: {reason}", shown(raw))))
        };
        checked.parse_ref(cmd, arg, value)
    }
}

/// Output format of `brink run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The reference program's JSON report.
    Json,
    /// One row per simulated second.
    Csv,
}

/// brink: a failure-dynamics simulator (clients, retries, a balancer, nodes under load).
#[derive(Parser, Debug)]
#[command(
    name = "brink",
    version,
    subcommand_required = true,
    arg_required_else_help = false,
    args_override_self = true,
    after_help = "Run `brink run --help` for the model flags."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Commands,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Commands {
    /// one simulation; JSON report like shared/reference/simpy_ref.py
    // Notes after the flags rather than a long description: with one, clap
    // would lay `--help` out over twice the lines of `-h`.
    #[command(after_help = RUN_NOTES)]
    Run(RunArgs),
    /// engine speed beside a hand-written loop, and peak memory
    #[command(after_help = crate::bench_cmd::NOTES)]
    Bench(BenchArgs),
    /// every field of a scenario: path, range, unit, default, doc
    #[command(after_help = FIELDS_NOTES)]
    Fields(FieldsArgs),
    /// `brink bench`'s child process that measures peak memory alone.
    #[command(name = MEMORY_CHILD, hide = true)]
    BenchMemory {
        /// Simulated seconds.
        #[arg(allow_hyphen_values = true)]
        duration: String,
    },
    /// two scenarios on the same seed: totals of A and B, difference and ratio
    #[command(after_help = crate::compare::NOTES)]
    Compare(crate::compare::CompareArgs),
    /// a grid of runs over field ranges and seeds, in parallel: JSON lines
    #[command(after_help = crate::sweep::NOTES)]
    Sweep(crate::sweep::SweepArgs),
    /// joins the JSON lines of `brink sweep --shard` runs into one sweep's output
    Merge(crate::sweep::MergeArgs),
    /// the engine against queueing theory and published results
    #[command(after_help = crate::validate::NOTES)]
    Validate(crate::validate::ValidateArgs),
    /// offered load stepped up then down: goodput of both branches
    #[command(after_help = crate::hysteresis::NOTES)]
    Hysteresis(crate::hysteresis::HysteresisArgs),
    /// trigger size × duration: share of seeds that did not recover
    #[command(after_help = crate::tipping::NOTES)]
    Tipping(crate::tipping::TippingArgs),
    /// the guided lessons: name and title
    Lessons(crate::lessons::LessonsArgs),
    /// one lesson's story and steps; with --check, walk it and check each step
    #[command(after_help = crate::lessons::NOTES)]
    Lesson(crate::lessons::LessonArgs),
}

/// What `brink run --help` says after the flags.
const RUN_NOTES: &str =
    "Model flags match shared/reference/simpy_ref.py (--service-dist, --service-cv and --retry-budget are brink's).\n\
The configuration is built in this order, a later step overriding an earlier one: the defaults,\n\
then --config FILE, then the model flags, then each --set PATH=VALUE in command-line order.\n\
`brink fields` lists every PATH with its range and default (also docs/CONFIG.md).\n\
A run that takes more than a second shows its progress on stderr when that is a terminal.\n\
Ctrl-C stops a run: it prints the report of the part simulated and exits with status 130.";

/// Everything `brink run` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct RunArgs {
    /// Model flags, built from [`MODEL_FLAGS`].
    #[command(flatten)]
    pub model: ModelArgs,
    /// TOML scenario ([traffic], [client], [balancer], [nodes], seed, ...)
    #[arg(long = "config", value_name = "FILE", allow_hyphen_values = true, value_parser = Checked(text))]
    pub config_path: Option<String>,
    /// comma-separated second edges, e.g. 0,20,30,60: adds window means
    // The full path keeps clap from reading the Vec as a repeated flag: the
    // value is one comma-separated list.
    #[arg(long, value_name = "E", allow_hyphen_values = true, value_parser = Checked(parse_windows))]
    #[arg(default_value = "", hide_default_value = true)]
    pub windows: ::std::vec::Vec<u64>,
    /// pretty-print the JSON with N spaces [default: one line]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = Checked(parse_indent))]
    pub indent: Option<usize>,
    /// json, or csv (one row per simulated second)
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = Checked(parse_format))]
    #[arg(default_value = "json")]
    pub format: Format,
    /// set any field, e.g. nodes.workers=8 or services.db.nodes.count=2; repeatable, applied last
    #[arg(long = "set", value_name = "PATH=VALUE", allow_hyphen_values = true, value_parser = Checked(parse_set))]
    pub set: Vec<SetArg>,
    /// Arguments that are not flags, an error that [`parse`] reports. Taking
    /// them here rather than letting clap reject them lets clap first see
    /// the forgotten value in `--rate --duration 5` (clap reads `--duration`
    /// as `--rate`'s value, which [`Checked`] rejects).
    #[arg(hide = true)]
    pub stray: Vec<String>,
}

/// One `--set PATH=VALUE`, split at its first `=`. The path and the value
/// are checked when the configuration is built, since a service's name is
/// known only from the scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetArg {
    /// The argument as typed, for error messages.
    pub raw: String,
    /// The dotted path, e.g. `nodes.workers`.
    pub path: String,
    /// The value's text.
    pub value: String,
}

pub(crate) fn parse_set(raw: &str) -> Result<SetArg, String> {
    match raw.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() => {
            Ok(SetArg { raw: raw.to_string(), path: path.trim().to_string(), value: value.to_string() })
        }
        _ => Err("expected PATH=VALUE, e.g. nodes.workers=8 (see brink fields)".into()),
    }
}

/// Output format of `brink fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsFormat {
    /// A Markdown table with an introduction: docs/CONFIG.md.
    Markdown,
    /// One JSON object per field, in an array.
    Json,
}

/// What `brink fields --help` says after the flags.
const FIELDS_NOTES: &str = "docs/CONFIG.md is this command's Markdown output: \
regenerate it with `target/release/brink fields > docs/CONFIG.md`.";

/// Everything `brink fields` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct FieldsArgs {
    /// markdown (a table, as in docs/CONFIG.md) or json
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = Checked(parse_fields_format))]
    #[arg(default_value = "markdown")]
    pub format: FieldsFormat,
}

fn parse_fields_format(raw: &str) -> Result<FieldsFormat, String> {
    match raw {
        "markdown" | "md" => Ok(FieldsFormat::Markdown),
        "json" => Ok(FieldsFormat::Json),
        _ => Err("expected markdown or json".into()),
    }
}

/// Largest `--indent` accepted; more is never useful and this bounds output size.
pub const MAX_INDENT: usize = 64;

/// Parses a whole command line, program name first.
pub fn parse<I, T>(argv: I) -> Result<Commands, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let command = Cli::try_parse_from(argv)?.command;
    if let Commands::Run(RunArgs { stray, .. }) = &command {
        if let Some(first) = stray.first() {
            let message = format!("unexpected argument '{first}' (see brink run --help)");
            return Err(clap::Error::raw(ErrorKind::UnknownArgument, message));
        }
    }
    Ok(command)
}

/// The one-line usage error for a clap error, or `None` for `--help` and
/// `--version`, which clap prints itself (on stdout, exit status 0).
pub fn usage_error(e: &clap::Error) -> Option<UsageError> {
    let context = |kind| e.get(kind).map(ToString::to_string);
    // "Usage: brink run [OPTIONS]" names the subcommand whose help to suggest.
    let command = context(ContextKind::Usage)
        .and_then(|usage| {
            let words: Vec<&str> = usage
                .trim()
                .trim_start_matches("Usage:")
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            (!words.is_empty()).then(|| words.join(" "))
        })
        .unwrap_or_else(|| "brink".to_string());
    let message = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return None,
        ErrorKind::ValueValidation => match std::error::Error::source(e).and_then(|s| s.downcast_ref::<UsageError>()) {
            Some(u) => return Some(u.clone()),
            None => first_line(e),
        },
        ErrorKind::UnknownArgument => match context(ContextKind::InvalidArg) {
            Some(a) if a.starts_with('-') => format!("unknown flag {a} (see {command} --help)"),
            Some(a) => format!("unexpected argument '{a}' (see {command} --help)"),
            None => first_line(e),
        },
        ErrorKind::InvalidSubcommand => match context(ContextKind::InvalidSubcommand) {
            Some(c) => format!("unknown command '{c}' (see {command} --help)"),
            None => first_line(e),
        },
        ErrorKind::MissingSubcommand => format!("missing command (see {command} --help)"),
        ErrorKind::MissingRequiredArgument => match context(ContextKind::InvalidArg) {
            Some(a) => format!("missing {a} (see {command} --help)"),
            None => first_line(e),
        },
        ErrorKind::InvalidValue if context(ContextKind::InvalidValue).unwrap_or_default().is_empty() => {
            // The argument reads "--rate <X>"; the flag is its first word.
            match context(ContextKind::InvalidArg) {
                Some(a) => format!("{}: missing value", a.split_whitespace().next().unwrap_or(&a)),
                None => first_line(e),
            }
        }
        _ => first_line(e),
    };
    Some(UsageError(message))
}

/// Clap's own message, first line, without its "error: ".
fn first_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let line = rendered.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("invalid command line");
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

/// Shows a value in a message; an empty one would otherwise be invisible.
pub fn shown(raw: &str) -> String {
    if raw.is_empty() {
        "''".to_string()
    } else {
        raw.to_string()
    }
}

/// Any text, e.g. a path.
pub(crate) fn text(raw: &str) -> Result<String, String> {
    Ok(raw.to_string())
}

fn parse_format(raw: &str) -> Result<Format, String> {
    match raw {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        _ => Err("expected json or csv".into()),
    }
}

/// Parses `--windows`: comma-separated whole seconds. As in the reference, an
/// empty string means no windows, and edges past the run give empty windows.
pub(crate) fn parse_windows(raw: &str) -> Result<Vec<u64>, String> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split(',')
        .map(|edge| edge.trim().parse::<u64>())
        .collect::<Result<Vec<u64>, _>>()
        .map_err(|_| "expected comma-separated whole seconds, e.g. 0,20,30,60".into())
}

pub(crate) fn parse_indent(raw: &str) -> Result<usize, String> {
    match parse_integer(raw) {
        Some(n) if (0..=MAX_INDENT as i128).contains(&n) => Ok(n as usize),
        Some(_) => Err(format!("allowed range is 0 to {MAX_INDENT}")),
        None => Err("expected an integer".into()),
    }
}

/// Integers as Python's `int()` reads them in practice: optional sign, digits.
/// Wider than any field so that out-of-range values get a range message.
fn parse_integer(raw: &str) -> Option<i128> {
    raw.parse::<i128>().ok()
}

/// Parses one model flag's value by its kind; the error is the reason only
/// ([`Checked`] adds the flag and the value). Range checks of real numbers
/// are left to `Config::validate`, the single source of the limits.
pub fn parse_value(flag: &ModelFlag, raw: &str) -> Result<Value, String> {
    match flag.slot {
        Slot::Float(_) => raw.trim().parse::<f64>().map(Value::Float).map_err(|_| "expected a number".into()),
        Slot::Count(_, (min, max)) => parse_count(raw, min, max),
        Slot::Seed => parse_seed(raw),
        Slot::Backoff => Backoff::from_name(raw).map(Value::Backoff).ok_or_else(|| {
            let names: Vec<&str> = Backoff::ALL.iter().map(|b| b.name()).collect();
            format!("expected one of {}", names.join(", "))
        }),
        Slot::Lb => LbPolicy::from_name(raw).map(Value::Lb).ok_or_else(|| {
            let names: Vec<&str> = LbPolicy::ALL.iter().map(|b| b.name()).collect();
            format!("expected one of {}", names.join(", "))
        }),
        Slot::RetryBudget => {
            let (min, max) = sim_core::config::defence_limits::BUDGET_PERCENT;
            match raw.trim().parse::<f64>() {
                Ok(p) if p.is_finite() && p >= min * 100.0 && p <= max * 100.0 => Ok(Value::Percent(p)),
                _ => Err(format!("expected a percentage from {} to {}", min * 100.0, max * 100.0)),
            }
        }
        Slot::Field => {
            let row = catalogue::field(flag.field).ok_or_else(|| format!("{} is not in the catalogue", flag.field))?;
            // The row's message reads "path = \"raw\": expected ..."; the
            // flag and the value as typed replace its first part.
            row.parse(flag.field, raw)
                .map(Value::Field)
                .map_err(|m| m.split_once(": ").map_or(m.clone(), |(_, reason)| reason.to_string()))
        }
    }
}

fn parse_count(raw: &str, min: u32, max: u32) -> Result<Value, String> {
    let n = parse_integer(raw.trim()).ok_or("expected an integer")?;
    if n < min as i128 || n > max as i128 {
        return Err(format!("allowed range is {min} to {max}"));
    }
    Ok(Value::Count(n as u32))
}

fn parse_seed(raw: &str) -> Result<Value, String> {
    let n = parse_integer(raw.trim()).ok_or("expected an integer")?;
    u64::try_from(n).map(Value::Seed).map_err(|_| format!("allowed range is 0 to {}", u64::MAX))
}

/// Stores a parsed value in its field.
pub fn store(config: &mut Config, flag: &ModelFlag, value: Value) {
    match (flag.slot, value) {
        (Slot::Float(get), Value::Float(v)) => *get(config) = v,
        (Slot::Count(get, _), Value::Count(v)) => *get(config) = v,
        (Slot::Seed, Value::Seed(v)) => config.seed = v,
        (Slot::Backoff, Value::Backoff(v)) => config.client.backoff = v,
        (Slot::Lb, Value::Lb(v)) => config.balancer.policy = v,
        (Slot::Field, Value::Field(v)) => {
            if let Some(row) = catalogue::field(flag.field) {
                row.set(config, v);
            }
        }
        (Slot::RetryBudget, Value::Percent(p)) => {
            config.client.budget.enabled = true;
            config.client.budget.percent = p / 100.0;
        }
        // parse_value builds each value from its own flag's slot, so the
        // kinds always agree; a mismatch would be a bug in this file.
        _ => unreachable!("value kind does not match {}", flag.flag),
    }
}

/// A flag's default value as text, read from `Config::default()`.
fn default_text(defaults: &Config, flag: &ModelFlag) -> String {
    let mut c = defaults.clone();
    match flag.slot {
        Slot::Float(get) => get(&mut c).to_string(),
        Slot::Count(get, _) => get(&mut c).to_string(),
        Slot::Seed => c.seed.to_string(),
        Slot::Backoff => c.client.backoff.name().to_string(),
        Slot::Lb => c.balancer.policy.name().to_string(),
        Slot::Field => catalogue::field(flag.field).map_or_else(String::new, |row| row.format(row.get(&c))),
        Slot::RetryBudget if c.client.budget.enabled => format!("{}", c.client.budget.percent * 100.0),
        Slot::RetryBudget => "off".to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Parses `brink` followed by `s`, with clap errors as the binary shows them.
    pub(crate) fn parse_line(s: &str) -> Result<Commands, String> {
        parse(std::iter::once("brink").chain(s.split_whitespace())).map_err(|e| match usage_error(&e) {
            Some(u) => u.to_string(),
            None => format!("printed: {}", e.render()),
        })
    }

    pub(crate) fn parse_run(s: &str) -> Result<RunArgs, String> {
        match parse_line(&format!("run {s}"))? {
            Commands::Run(a) => Ok(a),
            other => panic!("not run: {other:?}"),
        }
    }

    fn err(s: &str) -> String {
        parse_run(s).unwrap_err()
    }

    #[test]
    fn the_command_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn every_field_has_one_flag() {
        for f in &MODEL_FLAGS {
            assert_eq!(flag_for_field(f.field).map(|g| g.flag), Some(f.flag));
        }
    }

    #[test]
    fn values_and_last_one_wins() {
        let a = parse_run("--rate 14000 --workers 8 --rate=500 --backoff fixed --lb random --seed 7").unwrap();
        let mut c = Config::default();
        for o in &a.model.overrides {
            store(&mut c, &MODEL_FLAGS[o.index], o.value);
        }
        assert_eq!(c.traffic.rate_per_s, 500.0);
        assert_eq!(c.nodes.workers, 8);
        assert_eq!(c.client.backoff, Backoff::Fixed);
        assert_eq!(c.balancer.policy, LbPolicy::Random);
        assert_eq!(c.seed, 7);
        let order: Vec<&str> = a.model.overrides.iter().map(|o| MODEL_FLAGS[o.index].flag).collect();
        assert_eq!(order, ["--workers", "--rate", "--backoff", "--lb", "--seed"], "command-line order");
    }

    #[test]
    fn output_flags() {
        let a = parse_run("--windows 0,20,30,60 --indent 2 --format csv --config s.toml").unwrap();
        assert_eq!(a.windows, vec![0, 20, 30, 60]);
        assert_eq!(a.indent, Some(2));
        assert_eq!(a.format, Format::Csv);
        assert_eq!(a.config_path.as_deref(), Some("s.toml"));
        let d = parse_run("").unwrap();
        assert_eq!((d.windows.len(), d.indent, d.format, d.config_path), (0, None, Format::Json, None));
        assert!(d.model.overrides.is_empty());
        let again = parse_run("--format csv --format json --indent 1 --indent 3").unwrap();
        assert_eq!((again.format, again.indent), (Format::Json, Some(3)), "a later flag wins");
    }

    #[test]
    fn negative_numbers_are_values() {
        let a = parse_run("--rate -1").unwrap();
        assert_eq!(a.model.overrides[0].value, Value::Float(-1.0));
        assert_eq!(a.model.overrides[0].raw, "-1");
        let a = parse_run("--rate -inf").unwrap();
        assert_eq!(a.model.overrides[0].value, Value::Float(f64::NEG_INFINITY));
    }

    #[test]
    fn nan_parses_so_validation_can_name_it() {
        let a = parse_run("--rate NaN").unwrap();
        assert!(matches!(a.model.overrides[0].value, Value::Float(v) if v.is_nan()));
    }

    #[test]
    fn mistakes_name_the_flag() {
        assert_eq!(err("--rate abc"), "brink: --rate abc: expected a number");
        assert_eq!(err("--workers 0"), "brink: --workers 0: allowed range is 1 to 100000");
        assert_eq!(err("--workers 2.5"), "brink: --workers 2.5: expected an integer");
        assert_eq!(err("--queue -1"), "brink: --queue -1: allowed range is 0 to 1000000");
        assert_eq!(err("--attempts 99999999999999"), "brink: --attempts 99999999999999: allowed range is 1 to 100");
        assert_eq!(err("--nodes 4294967296"), "brink: --nodes 4294967296: allowed range is 1 to 1024");
        assert_eq!(err("--seed -3"), "brink: --seed -3: allowed range is 0 to 18446744073709551615");
        assert!(err("--backoff linear").starts_with("brink: --backoff linear: expected one of none, fixed,"));
        assert_eq!(
            err("--lb sticky"),
            "brink: --lb sticky: expected one of round-robin, random, least-outstanding, p2c"
        );
        assert_eq!(err("--format xml"), "brink: --format xml: expected json or csv");
        assert_eq!(err("--indent -1"), "brink: --indent -1: allowed range is 0 to 64");
        assert!(err("--windows 0,x").starts_with("brink: --windows 0,x: expected"));
    }

    #[test]
    fn set_is_repeatable_and_split_at_the_first_equals() {
        let a =
            parse_run("--set nodes.workers=8 --rate 5 --set services.api.calls.db.client.timeout_s=0.5 --set a=b=c")
                .unwrap();
        let sets: Vec<(&str, &str)> = a.set.iter().map(|s| (s.path.as_str(), s.value.as_str())).collect();
        assert_eq!(sets, [("nodes.workers", "8"), ("services.api.calls.db.client.timeout_s", "0.5"), ("a", "b=c")]);
        assert_eq!(a.set[0].raw, "nodes.workers=8");
        assert_eq!(
            err("--set nodes.workers"),
            "brink: --set nodes.workers: expected PATH=VALUE, e.g. nodes.workers=8 (see brink fields)"
        );
        assert!(err("--set =8").starts_with("brink: --set =8: expected PATH=VALUE"));
        assert_eq!(err("--set"), "brink: --set: missing value");
        assert_eq!(err("--set --rate 5"), "brink: --set: missing value");
    }

    #[test]
    fn catalogue_flags_parse_through_their_row() {
        for f in MODEL_FLAGS.iter().filter(|f| matches!(f.slot, Slot::Field)) {
            assert!(sim_core::catalogue::field(f.field).is_some(), "{} names no catalogue row", f.flag);
        }
        let a = parse_run("--service-dist uniform --service-cv 0.3").unwrap();
        let mut c = Config::default();
        for o in &a.model.overrides {
            store(&mut c, &MODEL_FLAGS[o.index], o.value);
        }
        assert_eq!((c.nodes.service_dist.name(), c.nodes.service_cv), ("uniform", 0.3));
        assert_eq!(
            err("--service-dist weird"),
            "brink: --service-dist weird: expected one of exponential, constant, uniform, lognormal, bimodal"
        );
        assert_eq!(err("--service-cv 11"), "brink: --service-cv 11: expected a number from 0 to 10 σ / mean");
        assert_eq!(err("--service-cv x"), "brink: --service-cv x: expected a number from 0 to 10 σ / mean");
    }

    #[test]
    fn fields_format() {
        let f = |s: &str| match parse_line(s) {
            Ok(Commands::Fields(a)) => Ok(a.format),
            Ok(other) => panic!("not fields: {other:?}"),
            Err(e) => Err(e),
        };
        assert_eq!(f("fields"), Ok(FieldsFormat::Markdown));
        assert_eq!(f("fields --format json"), Ok(FieldsFormat::Json));
        assert_eq!(f("fields --format xml"), Err("brink: --format xml: expected markdown or json".into()));
    }

    #[test]
    fn structural_mistakes() {
        assert_eq!(err("--bogus 1"), "brink: unknown flag --bogus (see brink run --help)");
        assert_eq!(err("-x"), "brink: unknown flag -x (see brink run --help)");
        assert_eq!(err("--rate 5 --seed 1 --bogus"), "brink: unknown flag --bogus (see brink run --help)");
        assert_eq!(err("--rate"), "brink: --rate: missing value");
        assert_eq!(err("--rate --duration 5"), "brink: --rate: missing value");
        assert_eq!(err("--config"), "brink: --config: missing value");
        assert_eq!(err("5"), "brink: unexpected argument '5' (see brink run --help)");
        assert_eq!(err("--rate 5 6"), "brink: unexpected argument '6' (see brink run --help)");
        assert_eq!(err("-- --rate"), "brink: unexpected argument '--rate' (see brink run --help)");
        assert_eq!(err("--rate="), "brink: --rate '': expected a number");
    }

    #[test]
    fn command_mistakes() {
        let e = |s: &str| parse_line(s).unwrap_err();
        assert_eq!(e(""), "brink: missing command (see brink --help)");
        assert_eq!(e("sprint"), "brink: unknown command 'sprint' (see brink --help)");
        assert_eq!(e("--bogus"), "brink: unknown flag --bogus (see brink --help)");
        assert!(e("--help").starts_with("printed: "));
        assert!(e("--version").starts_with("printed: brink "));
    }

    #[test]
    fn help_lists_every_flag_with_its_default() {
        let h = parse_line("run --help").unwrap_err();
        for f in &MODEL_FLAGS {
            assert!(h.contains(&format!("{} <X>", f.flag)), "{}", f.flag);
        }
        for flag in ["--config <FILE>", "--windows <E>", "--indent <N>", "--format <F>", "[default: json]"] {
            assert!(h.contains(flag), "{flag}");
        }
        assert!(h.contains("[default: 10000]"));
        assert!(h.contains("[default: full-jitter]"));
        assert!(h.contains("exponential|constant|uniform|lognormal|bimodal [default: exponential]"));
        assert!(h.contains("--set <PATH=VALUE>"));
        assert!(
            h.contains("then --config FILE, then the model flags, then each --set PATH=VALUE in command-line order")
        );
    }
}
