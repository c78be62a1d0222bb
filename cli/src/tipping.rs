//! `brink tipping`: trigger size × trigger duration → the share of seeds
//! that did not recover, a map of where a system tips into collapse.
//!
//! The trigger is the scenario's spike (`traffic.spike_mult` from
//! `traffic.spike_start_s`); each cell runs the sweep's grid machinery
//! ([`crate::sweep::Grid`]) on the same seeds, so cells differ by the
//! trigger alone (common random numbers).

use crate::args::{Checked, UsageError};
use crate::compare::CompareFormat;
use crate::sweep::{par_ordered, parse_range, Grid, Range, ScenarioArgs};
use crate::{output, Failure};
use clap::Args;
use serde_json::{json, Value};
use sim_core::tipping;
use std::io::{self, BufWriter, Write};

/// What `brink tipping --help` says after the flags.
pub const NOTES: &str = "The scenario is built as `brink run` builds it; its spike is the trigger: for each\n\
size (traffic.spike_mult) and duration (seconds from traffic.spike_start_s), every\n\
seed is run (in parallel) and counted as not recovered when its goodput over the\n\
last --window seconds is below --threshold times its offered load there. The run\n\
must last beyond the longest trigger plus the window. Cells are shares of seeds.\n\
Limits are the sweep's (10000 values a range, 10000 seeds, 1000000 runs). See docs/CLI.md.";

/// Everything `brink tipping` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct TippingArgs {
    /// The scenario: model flags, `--config`, `--set`.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// trigger sizes (rate multipliers) FROM:TO:STEP, e.g. 1.5:3:0.5
    #[arg(long, value_name = "FROM:TO:STEP", allow_hyphen_values = true, value_parser = Checked(parse_values))]
    // The full path keeps clap from reading the Vec as a repeated flag.
    #[arg(required = true)]
    pub sizes: ::std::vec::Vec<f64>,
    /// trigger durations in seconds FROM:TO:STEP, e.g. 2:10:2
    #[arg(long, value_name = "FROM:TO:STEP", allow_hyphen_values = true, value_parser = Checked(parse_values))]
    // The full path keeps clap from reading the Vec as a repeated flag.
    #[arg(required = true)]
    pub durations: ::std::vec::Vec<f64>,
    /// seeds per cell: the scenario's, +1, ... [default: 10]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = Checked(parse_seeds))]
    #[arg(default_value = "10", hide_default_value = true)]
    pub seeds: u32,
    /// seconds at the end of the run over which recovery is judged
    #[arg(long, value_name = "S", allow_hyphen_values = true, value_parser = Checked(parse_window))]
    #[arg(default_value = "10")]
    pub window: u32,
    /// goodput / offered below which a seed has not recovered
    #[arg(long, value_name = "X", allow_hyphen_values = true, value_parser = Checked(parse_threshold))]
    #[arg(default_value = "0.5")]
    pub threshold: f64,
    /// table, or json
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = Checked(crate::compare::parse_format))]
    #[arg(default_value = "table")]
    pub format: CompareFormat,
}

fn parse_values(raw: &str) -> Result<Vec<f64>, String> {
    parse_range(&format!("x={raw}")).map(|r| r.values).map_err(|e| e.replace("PATH=", ""))
}

fn parse_seeds(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=crate::sweep::MAX_SEEDS).contains(&n) => Ok(n),
        _ => Err(format!("allowed range is 1 to {}", crate::sweep::MAX_SEEDS)),
    }
}

fn parse_window(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=tipping::MAX_WINDOW_S).contains(&n) => Ok(n),
        _ => Err(format!("allowed range is 1 to {} whole seconds", tipping::MAX_WINDOW_S)),
    }
}

fn parse_threshold(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err("allowed range is 0 to 1".into()),
    }
}

/// `brink tipping`: the sweep's grid checks the limits and every cell's
/// scenario; each run is built and judged by `sim_core::tipping`, as in
/// the app.
pub fn run(a: &TippingArgs) -> Result<(), Failure> {
    if a.sizes.is_empty() || a.durations.is_empty() {
        return Err(UsageError(
            "--sizes and --durations are both needed, e.g. --sizes 1.5:3:0.5 --durations 2:10:2".into(),
        )
        .into());
    }
    let base = a.scenario.build()?;
    tipping::check_length(&base, &a.durations, a.window).map_err(|e| UsageError(e.to_string()))?;
    let start = base.traffic.spike_start_s;
    let ranges = vec![
        Range { path: "traffic.spike_mult".into(), values: a.sizes.clone() },
        Range { path: "traffic.spike_end_s".into(), values: a.durations.iter().map(|d| start + d).collect() },
    ];
    let grid = Grid::checked(base, ranges, a.seeds)?;
    let judge = tipping::Judge { window_s: a.window, threshold: a.threshold };
    let (seeds, columns) = (a.seeds as usize, a.durations.len());
    let indices: Vec<usize> = (0..grid.runs()).collect();
    let mut failed = vec![0u32; a.sizes.len() * columns];
    let mut cell = 0usize;
    par_ordered(
        &indices,
        |i| {
            let (size, duration) = (a.sizes[i / seeds / columns], a.durations[i / seeds % columns]);
            let config = tipping::trigger(&grid.base, size, duration, (i % seeds) as u32);
            tipping::run(config, judge).map_err(|e| match e {
                tipping::TippingError::Halted { .. } => Failure::Runtime(Some(format!("brink: {e}"))),
                e => UsageError(e.to_string()).into(),
            })
        },
        |down| {
            failed[cell / seeds] += down as u32;
            cell += 1;
            Ok(())
        },
    )?;
    let share: Vec<Vec<f64>> =
        failed.chunks(columns).map(|row| row.iter().map(|&f| f as f64 / a.seeds as f64).collect()).collect();
    let doc = json!({
        "sizes": a.sizes, "durations_s": a.durations, "spike_start_s": start, "seed": grid.base.seed,
        "seeds": a.seeds, "window_s": a.window, "threshold": a.threshold, "not_recovered": share,
    });
    let mut out = BufWriter::new(io::stdout().lock());
    match a.format {
        CompareFormat::Json => output::write_json(&mut out, &doc, Some(1))?,
        CompareFormat::Table => out.write_all(table(&doc).as_bytes())?,
    }
    out.flush()?;
    Ok(())
}

/// Sizes down the side, durations across, shares in the cells.
fn table(doc: &Value) -> String {
    let nums =
        |k: &str| doc[k].as_array().into_iter().flatten().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect::<Vec<_>>();
    let (sizes, durations) = (nums("sizes"), nums("durations_s"));
    let mut out = format!(
        "share of {} seeds not recovered; rows: trigger size (× rate), columns: duration (s)\n\n",
        doc["seeds"]
    );
    out.push_str(&format!("{:>8}", "size"));
    for d in &durations {
        out.push_str(&format!("  {:>6}", d));
    }
    out.push('\n');
    for (i, s) in sizes.iter().enumerate() {
        out.push_str(&format!("{s:>8}"));
        for j in 0..durations.len() {
            out.push_str(&format!("  {:>6.2}", doc["not_recovered"][i][j].as_f64().unwrap_or(f64::NAN)));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert!(parse_threshold("1.5").is_err() && parse_window("0").is_err() && parse_seeds("0").is_err());
        assert_eq!(parse_values("2:6:2"), Ok(vec![2.0, 4.0, 6.0]));
    }
}
