//! `brink hysteresis`: offered load stepped up, then back down, with a dwell
//! at each step; goodput against offered load for both branches. The sweep
//! itself is `sim_core::hysteresis`, shared with the app; this module reads
//! the flags, runs the seeds in parallel and prints.

use crate::args::{Checked, UsageError};
use crate::sweep::{par_ordered, ScenarioArgs};
use crate::{output, Failure};
use clap::Args;
use serde_json::{json, Value};
use sim_core::hysteresis::{scenario, schedule, Branches, Sweep, SweepError};
use sim_core::Config;
use std::io::{self, BufWriter, Write};

/// Most steps on the way up.
pub const MAX_STEPS: usize = 1_000;
/// Longest dwell, seconds.
pub const MAX_DWELL_S: u32 = 3_600;
/// Most seeds.
pub const MAX_SEEDS: u32 = 1_000;

/// What `brink hysteresis --help` says after the flags.
pub const NOTES: &str = "The scenario is built as `brink run` builds it, its spike turned off and its length\n\
set to the sweep's. The rate steps FROM, FROM+STEP, ... up to TO, then back down to\n\
FROM, holding each for --dwell seconds (changed live, as the app's knob does);\n\
goodput and offered load are averaged over the second half of each dwell and over\n\
the seeds (run in parallel). `gap` is up minus down: where it is large the system\n\
is metastable. Limits: 1000 steps, a dwell of 2 to 3600 s, 1000 seeds. See docs/CLI.md.";

/// Everything `brink hysteresis` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct HysteresisArgs {
    /// The scenario: model flags, `--config`, `--set`.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// offered load FROM:TO:STEP in req/s, e.g. 10:80:10
    #[arg(long, value_name = "FROM:TO:STEP", allow_hyphen_values = true, value_parser = Checked(parse_rates))]
    // The full path keeps clap from reading the Vec as a repeated flag.
    #[arg(required = true)]
    pub rates: ::std::vec::Vec<f64>,
    /// seconds at each step
    #[arg(long, value_name = "S", allow_hyphen_values = true, value_parser = Checked(parse_dwell))]
    #[arg(default_value = "30")]
    pub dwell: u32,
    /// seeds averaged: the scenario's, +1, ... [default: 1]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = Checked(parse_seeds))]
    #[arg(default_value = "1", hide_default_value = true)]
    pub seeds: u32,
    /// table, or json
    #[arg(long, value_name = "F", allow_hyphen_values = true, value_parser = Checked(crate::compare::parse_format))]
    #[arg(default_value = "table")]
    pub format: crate::compare::CompareFormat,
}

fn parse_rates(raw: &str) -> Result<Vec<f64>, String> {
    let r = crate::sweep::parse_range(&format!("rate={raw}")).map_err(|e| e.replace("PATH=", ""))?;
    if r.values.len() > MAX_STEPS {
        return Err(format!("{} steps; at most {MAX_STEPS}", r.values.len()));
    }
    Ok(r.values)
}

fn parse_dwell(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (2..=MAX_DWELL_S).contains(&n) => Ok(n),
        _ => Err(format!("allowed range is 2 to {MAX_DWELL_S} whole seconds")),
    }
}

fn parse_seeds(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_SEEDS).contains(&n) => Ok(n),
        _ => Err(format!("allowed range is 1 to {MAX_SEEDS}")),
    }
}

/// Goodput and offered load per step of one seed's run.
fn one_run(config: Config, steps: &[f64], dwell: u32) -> Result<Vec<(f64, f64)>, Failure> {
    Sweep::run(config, steps.to_vec(), dwell).map_err(|e| match e {
        SweepError::Config(e) => UsageError(e.to_string()).into(),
        SweepError::Rate(rate, e) => UsageError(format!("--rates {rate}: {e}")).into(),
        SweepError::Halted(..) => Failure::Runtime(Some(format!("brink: {e}"))),
    })
}

/// `brink hysteresis`.
pub fn run(a: &HysteresisArgs) -> Result<(), Failure> {
    if a.rates.is_empty() {
        return Err(UsageError("--rates: missing; give FROM:TO:STEP, e.g. --rates 10:80:10".into()).into());
    }
    let steps = schedule(&a.rates);
    let base = scenario(&a.scenario.build()?, &steps, a.dwell);
    base.validate().map_err(|e| UsageError(format!("--rates and --dwell: {e}")))?;
    let seeds: Vec<usize> = (0..a.seeds as usize).collect();
    let mut sums = vec![(0.0, 0.0); steps.len()];
    par_ordered(
        &seeds,
        |k| one_run(Config { seed: base.seed.wrapping_add(k as u64), ..base.clone() }, &steps, a.dwell),
        |run| {
            for (s, (g, o)) in sums.iter_mut().zip(run) {
                *s = (s.0 + g, s.1 + o);
            }
            Ok(())
        },
    )?;
    let n = a.seeds as f64;
    let means: Vec<(f64, f64)> = sums.iter().map(|(g, o)| (g / n, o / n)).collect();
    let doc = document(&a.rates, &means, a.dwell, base.seed, a.seeds);
    let mut out = BufWriter::new(io::stdout().lock());
    match a.format {
        crate::compare::CompareFormat::Json => output::write_json(&mut out, &doc, Some(1))?,
        crate::compare::CompareFormat::Table => out.write_all(table(&doc).as_bytes())?,
    }
    out.flush()?;
    Ok(())
}

/// `{"rates", "up": {"goodput", "offered"}, "down": {…}, "gap", "band", …}`:
/// both branches indexed like `rates`, the down branch read back from the
/// way down (its top is the up branch's last step).
fn document(rates: &[f64], means: &[(f64, f64)], dwell: u32, seed: u64, seeds: u32) -> Value {
    let Branches { up, down, gap, band } = Branches::of(rates.len(), means);
    let col = |v: &[(f64, f64)], goodput: bool| v.iter().map(|p| if goodput { p.0 } else { p.1 }).collect::<Vec<f64>>();
    json!({
        "rates": rates, "dwell_s": dwell, "seed": seed, "seeds": seeds,
        "up": {"goodput": col(&up, true), "offered": col(&up, false)},
        "down": {"goodput": col(&down, true), "offered": col(&down, false)},
        "gap": gap, "band": band,
    })
}

fn table(doc: &Value) -> String {
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let mut out =
        format!("{:>10}  {:>10}  {:>12}  {:>12}  {:>10}\n", "rate", "offered", "goodput up", "goodput down", "gap");
    for (i, rate) in doc["rates"].as_array().into_iter().flatten().enumerate() {
        out.push_str(&format!(
            "{:>10}  {:>10.1}  {:>12.1}  {:>12.1}  {:>10.1}\n",
            f(rate),
            f(&doc["up"]["offered"][i]),
            f(&doc["up"]["goodput"][i]),
            f(&doc["down"]["goodput"][i]),
            f(&doc["gap"][i])
        ));
    }
    out.push_str(&format!("\nwidest gap (up - down): {:.1} req/s\n", f(&doc["band"])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_are_read_back_by_rate() {
        let means = [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (0.5, 2.0), (0.25, 1.0)];
        let d = document(&[1.0, 2.0, 3.0], &means, 10, 1, 1);
        assert_eq!(d["down"]["goodput"], json!([0.25, 0.5, 3.0]));
        assert_eq!(d["gap"], json!([0.75, 1.5, 0.0]));
        assert_eq!(d["band"], 1.5);
    }

    #[test]
    fn limits() {
        assert!(parse_dwell("1").is_err() && parse_dwell("3601").is_err() && parse_dwell("30") == Ok(30));
        assert!(parse_rates("0:2000:1").unwrap_err().contains("at most 1000"));
        assert_eq!(parse_rates("10:30:10"), Ok(vec![10.0, 20.0, 30.0]));
    }
}
