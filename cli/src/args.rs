//! Parsing of `brink run`'s command line.
//!
//! The flags, their names and their defaults are those of the reference
//! program (`shared/reference/simpy_ref.py`), so that the same command line
//! can be given to both. Parsing is hand-written rather than generated so that
//! every mistake is reported as exactly one line that names the flag.

use sim_core::config::limits;
use sim_core::{Backoff, Config, LbPolicy};
use std::fmt;

/// A mistake on the command line or in the scenario: one line, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "brink: {}", self.0)
    }
}

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

/// The reference program's model flags, in its order.
pub const MODEL_FLAGS: [ModelFlag; 16] = [
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
        help: "mean exponential service time (ms)",
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
];

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

/// Output format of `brink run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The reference program's JSON report.
    Json,
    /// One row per simulated second.
    Csv,
}

/// Everything `brink run` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct RunArgs {
    /// Model flags in command-line order; a later one wins, as in argparse.
    pub overrides: Vec<Override>,
    /// `--config FILE`.
    pub config_path: Option<String>,
    /// `--windows` edges, empty when not given.
    pub windows: Vec<u64>,
    /// `--indent N`; one line when absent.
    pub indent: Option<usize>,
    /// `--format`.
    pub format: Format,
    /// `--help` was given.
    pub help: bool,
}

/// Largest `--indent` accepted; more is never useful and this bounds output size.
pub const MAX_INDENT: usize = 64;

/// Parses the arguments after `run`.
pub fn parse_run(args: &[String]) -> Result<RunArgs, UsageError> {
    let mut out = RunArgs {
        overrides: Vec::new(),
        config_path: None,
        windows: Vec::new(),
        indent: None,
        format: Format::Json,
        help: false,
    };
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = split_flag(&args[i])?;
        if flag == "--help" || flag == "-h" {
            out.help = true;
            i += 1;
            continue;
        }
        let (raw, used) = take_value(flag, inline, args.get(i + 1))?;
        apply_flag(&mut out, flag, raw)?;
        i += used;
    }
    Ok(out)
}

/// Splits `--flag=value` into its flag and inline value; rejects positionals.
fn split_flag(arg: &str) -> Result<(&str, Option<&str>), UsageError> {
    if !arg.starts_with('-') {
        return Err(UsageError(format!("unexpected argument '{arg}' (see brink run --help)")));
    }
    Ok(match arg.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
        _ => (arg, None),
    })
}

/// The value of `flag` and how many arguments the flag used. A following
/// argument that is itself a long flag means the value was forgotten.
fn take_value<'a>(
    flag: &str,
    inline: Option<&'a str>,
    next: Option<&'a String>,
) -> Result<(&'a str, usize), UsageError> {
    if !is_known(flag) {
        return Err(UsageError(format!("unknown flag {flag} (see brink run --help)")));
    }
    if let Some(v) = inline {
        return Ok((v, 1));
    }
    match next {
        Some(v) if !v.starts_with("--") => Ok((v.as_str(), 2)),
        _ => Err(UsageError(format!("{flag}: missing value"))),
    }
}

fn is_known(flag: &str) -> bool {
    matches!(flag, "--config" | "--format" | "--windows" | "--indent") || MODEL_FLAGS.iter().any(|f| f.flag == flag)
}

fn apply_flag(out: &mut RunArgs, flag: &str, raw: &str) -> Result<(), UsageError> {
    match flag {
        "--config" => out.config_path = Some(raw.to_string()),
        "--format" => out.format = parse_format(raw)?,
        "--windows" => out.windows = parse_windows(raw)?,
        "--indent" => out.indent = Some(parse_indent(raw)?),
        _ => {
            let index = MODEL_FLAGS.iter().position(|f| f.flag == flag).expect("is_known checked the flag");
            let value = parse_value(&MODEL_FLAGS[index], raw)?;
            out.overrides.push(Override { index, raw: raw.to_string(), value });
        }
    }
    Ok(())
}

/// Shows a value in a message; an empty one would otherwise be invisible.
pub fn shown(raw: &str) -> String {
    if raw.is_empty() {
        "''".to_string()
    } else {
        raw.to_string()
    }
}

fn parse_format(raw: &str) -> Result<Format, UsageError> {
    match raw {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        _ => Err(UsageError(format!("--format {}: expected json or csv", shown(raw)))),
    }
}

/// Parses `--windows`: comma-separated whole seconds. As in the reference, an
/// empty string means no windows, and edges past the run give empty windows.
fn parse_windows(raw: &str) -> Result<Vec<u64>, UsageError> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split(',')
        .map(|edge| edge.trim().parse::<u64>())
        .collect::<Result<Vec<u64>, _>>()
        .map_err(|_| UsageError(format!("--windows {raw}: expected comma-separated whole seconds, e.g. 0,20,30,60")))
}

fn parse_indent(raw: &str) -> Result<usize, UsageError> {
    match parse_integer(raw) {
        Some(n) if (0..=MAX_INDENT as i128).contains(&n) => Ok(n as usize),
        Some(_) => Err(UsageError(format!("--indent {raw}: allowed range is 0 to {MAX_INDENT}"))),
        None => Err(UsageError(format!("--indent {}: expected an integer", shown(raw)))),
    }
}

/// Integers as Python's `int()` reads them in practice: optional sign, digits.
/// Wider than any field so that out-of-range values get a range message.
fn parse_integer(raw: &str) -> Option<i128> {
    raw.parse::<i128>().ok()
}

/// Parses one model flag's value by its kind. Range checks of real numbers
/// are left to `Config::validate`, the single source of the limits.
pub fn parse_value(flag: &ModelFlag, raw: &str) -> Result<Value, UsageError> {
    let name = flag.flag;
    match flag.slot {
        Slot::Float(_) => raw
            .trim()
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| UsageError(format!("{name} {}: expected a number", shown(raw)))),
        Slot::Count(_, (min, max)) => parse_count(name, raw, min, max),
        Slot::Seed => parse_seed(raw),
        Slot::Backoff => Backoff::from_name(raw).map(Value::Backoff).ok_or_else(|| {
            let names: Vec<&str> = Backoff::ALL.iter().map(|b| b.name()).collect();
            UsageError(format!("{name} {}: expected one of {}", shown(raw), names.join(", ")))
        }),
        Slot::Lb => LbPolicy::from_name(raw).map(Value::Lb).ok_or_else(|| {
            let names: Vec<&str> = LbPolicy::ALL.iter().map(|b| b.name()).collect();
            UsageError(format!("{name} {}: expected one of {}", shown(raw), names.join(", ")))
        }),
    }
}

fn parse_count(name: &str, raw: &str, min: u32, max: u32) -> Result<Value, UsageError> {
    let n =
        parse_integer(raw.trim()).ok_or_else(|| UsageError(format!("{name} {}: expected an integer", shown(raw))))?;
    if n < min as i128 || n > max as i128 {
        return Err(UsageError(format!("{name} {raw}: allowed range is {min} to {max}")));
    }
    Ok(Value::Count(n as u32))
}

fn parse_seed(raw: &str) -> Result<Value, UsageError> {
    let n =
        parse_integer(raw.trim()).ok_or_else(|| UsageError(format!("--seed {}: expected an integer", shown(raw))))?;
    u64::try_from(n)
        .map(Value::Seed)
        .map_err(|_| UsageError(format!("--seed {raw}: allowed range is 0 to {}", u64::MAX)))
}

/// Stores a parsed value in its field.
pub fn store(config: &mut Config, flag: &ModelFlag, value: Value) {
    match (flag.slot, value) {
        (Slot::Float(get), Value::Float(v)) => *get(config) = v,
        (Slot::Count(get, _), Value::Count(v)) => *get(config) = v,
        (Slot::Seed, Value::Seed(v)) => config.seed = v,
        (Slot::Backoff, Value::Backoff(v)) => config.client.backoff = v,
        (Slot::Lb, Value::Lb(v)) => config.balancer.policy = v,
        // parse_value builds each value from its own flag's slot, so the
        // kinds always agree; a mismatch would be a bug in this file.
        _ => unreachable!("value kind does not match {}", flag.flag),
    }
}

/// The help text of `brink run`, with the defaults taken from `Config::default()`.
pub fn run_help() -> String {
    let defaults = Config::default();
    let mut text = String::from(
        "Usage: brink run [FLAGS]\n\n\
         Runs one simulation and prints the reference program's JSON report (or CSV).\n\
         Model flags match shared/reference/simpy_ref.py; a flag overrides --config.\n\n",
    );
    for f in &MODEL_FLAGS {
        text.push_str(&format!(
            "  {:<16} {} [default: {}]\n",
            format!("{} X", f.flag),
            f.help,
            default_text(&defaults, f)
        ));
    }
    text.push_str(
        "  --windows E      comma-separated second edges, e.g. 0,20,30,60: adds window means\n\
         \x20 --indent N       pretty-print the JSON with N spaces (default: one line)\n\
         \x20 --config FILE    TOML scenario ([traffic], [client], [balancer], [nodes], seed)\n\
         \x20 --format F       json (default) or csv (one row per simulated second)\n\
         \x20 --help           this text\n",
    );
    text
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn err(s: &str) -> String {
        parse_run(&args(s)).unwrap_err().to_string()
    }

    #[test]
    fn every_field_has_one_flag() {
        for f in &MODEL_FLAGS {
            assert_eq!(flag_for_field(f.field).map(|g| g.flag), Some(f.flag));
        }
    }

    #[test]
    fn values_and_last_one_wins() {
        let a = parse_run(&args("--rate 14000 --workers 8 --rate=500 --backoff fixed --lb random --seed 7")).unwrap();
        let mut c = Config::default();
        for o in &a.overrides {
            store(&mut c, &MODEL_FLAGS[o.index], o.value);
        }
        assert_eq!(c.traffic.rate_per_s, 500.0);
        assert_eq!(c.nodes.workers, 8);
        assert_eq!(c.client.backoff, Backoff::Fixed);
        assert_eq!(c.balancer.policy, LbPolicy::Random);
        assert_eq!(c.seed, 7);
    }

    #[test]
    fn output_flags() {
        let a = parse_run(&args("--windows 0,20,30,60 --indent 2 --format csv --config s.toml")).unwrap();
        assert_eq!(a.windows, vec![0, 20, 30, 60]);
        assert_eq!(a.indent, Some(2));
        assert_eq!(a.format, Format::Csv);
        assert_eq!(a.config_path.as_deref(), Some("s.toml"));
        assert!(parse_run(&args("--help")).unwrap().help);
    }

    #[test]
    fn negative_numbers_are_values() {
        let a = parse_run(&args("--rate -1")).unwrap();
        assert_eq!(a.overrides[0].value, Value::Float(-1.0));
        assert_eq!(a.overrides[0].raw, "-1");
    }

    #[test]
    fn nan_parses_so_validation_can_name_it() {
        let a = parse_run(&args("--rate NaN")).unwrap();
        assert!(matches!(a.overrides[0].value, Value::Float(v) if v.is_nan()));
    }

    #[test]
    fn mistakes_name_the_flag() {
        assert_eq!(err("--rate abc"), "brink: --rate abc: expected a number");
        assert_eq!(err("--workers 0"), "brink: --workers 0: allowed range is 1 to 100000");
        assert_eq!(err("--workers 2.5"), "brink: --workers 2.5: expected an integer");
        assert_eq!(err("--queue -1"), "brink: --queue -1: allowed range is 0 to 1000000");
        assert_eq!(err("--attempts 99999999999999"), "brink: --attempts 99999999999999: allowed range is 1 to 100");
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
    fn structural_mistakes() {
        assert_eq!(err("--bogus 1"), "brink: unknown flag --bogus (see brink run --help)");
        assert_eq!(err("--rate"), "brink: --rate: missing value");
        assert_eq!(err("--rate --duration 5"), "brink: --rate: missing value");
        assert_eq!(err("5"), "brink: unexpected argument '5' (see brink run --help)");
        assert_eq!(err("--rate="), "brink: --rate '': expected a number");
    }

    #[test]
    fn help_lists_every_flag_with_its_default() {
        let h = run_help();
        for f in &MODEL_FLAGS {
            assert!(h.contains(f.flag), "{}", f.flag);
        }
        assert!(h.contains("[default: 10000]"));
        assert!(h.contains("[default: full-jitter]"));
    }
}
