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
use serde_json::json;
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

/// `{key: b − a}` over every total of either report (`sim_core::compare`).
pub use sim_core::compare::{diff_totals, table};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names() {
        assert_eq!(parse_format("json"), Ok(CompareFormat::Json));
        assert_eq!(parse_format("csv"), Err("expected table or json".into()));
    }
}
