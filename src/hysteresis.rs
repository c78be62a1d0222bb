//! The hysteresis view's data: which scenario is swept, over which rates,
//! and the two branches so far, for the chart. The sweep is
//! `sim_core::hysteresis`, the one `brink hysteresis` runs; the view
//! advances it a slice of events at a time, so the page stays responsive.

use crate::format::si;
use sim_core::hysteresis::{scenario, schedule, Branches, Sweep, SweepError};
use sim_core::{Backoff, Config};
use crate::views::{from_link, Choice};

/// Most rates on the way up in the app (a sweep visits each twice).
pub const MAX_RATES: usize = 40;
/// Dwell range at each step, whole simulated seconds.
pub const DWELL_RANGE: (u32, u32) = (2, 120);
/// Events per slice: about 10 ms of the engine in the page.
pub const SLICE_EVENTS: u64 = 100_000;

/// Rates and dwell, as `brink hysteresis --rates FROM:TO:STEP --dwell S`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Rates on the way up, req/s.
    pub rates: Vec<f64>,
    /// Seconds at each step.
    pub dwell_s: u32,
}

impl Default for Plan {
    /// 9,000 to 15,000 req/s in steps of 2,000 with 20 s at each: the
    /// retry storm's queues fill within a step at 15,000 (past the
    /// 12,800/s capacity) and stay full on the way down, while queues of
    /// 256 bring both branches within 1% of each other.
    fn default() -> Plan {
        Plan { rates: vec![9_000.0, 11_000.0, 13_000.0, 15_000.0], dwell_s: 20 }
    }
}

/// Parses `FROM:TO:STEP` (req/s) into the rates on the way up.
pub fn parse_rates(text: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<Result<f64, _>> = text.split(':').map(|p| p.trim().replace(',', "").parse::<f64>()).collect();
    let [Ok(from), Ok(to), Ok(step)] = parts[..] else {
        return Err(format!("\"{text}\" is not FROM:TO:STEP in req/s, e.g. 9000:15000:2000"));
    };
    if !(from > 0.0 && to >= from && step > 0.0 && to <= 50_000.0) {
        return Err("rates: need 0 < FROM ≤ TO ≤ 50,000 req/s and STEP > 0".into());
    }
    let n = ((to - from) / step + 1e-9).floor() as usize + 1;
    if n > MAX_RATES {
        return Err(format!("rates: {n} steps; at most {MAX_RATES}"));
    }
    Ok((0..n).map(|i| from + step * i as f64).collect())
}

/// Parses the dwell, whole seconds in [`DWELL_RANGE`].
pub fn parse_dwell(text: &str) -> Result<u32, String> {
    let (lo, hi) = DWELL_RANGE;
    match text.trim().parse::<u32>() {
        Ok(d) if (lo..=hi).contains(&d) => Ok(d),
        _ => Err(format!("dwell: \"{text}\" is not allowed; use {lo} to {hi} whole seconds")),
    }
}


/// The retry storm lesson's system without its trigger (the sweep is the
/// trigger): queues of 5,000 and retries without backoff.
fn retry_storm(c: &Config) -> Config {
    let mut c = Config { seed: c.seed, ..crate::defaults::app_defaults() };
    c.nodes.queue_capacity = 5_000;
    c.client.backoff = Backoff::None;
    c
}

/// The same with the lesson's defence: queues capped at 256.
fn retry_storm_defended(c: &Config) -> Config {
    let mut c = retry_storm(c);
    c.nodes.queue_capacity = 256;
    c
}

/// The scenarios, the playground's first.
pub const CHOICES: [Choice; 3] = [
    Choice { name: "The playground's scenario", build: from_link },
    Choice { name: "Retry storm (queues of 5,000, no backoff)", build: retry_storm },
    Choice { name: "Retry storm with its defence (queues of 256)", build: retry_storm_defended },
];

/// A sweep in progress.
#[derive(Debug)]
pub struct Run {
    sweep: Sweep,
    plan: Plan,
}

impl Run {
    /// Starts sweeping `base` over `plan`.
    pub fn new(base: &Config, plan: Plan) -> Result<Run, String> {
        let steps = schedule(&plan.rates);
        let config = scenario(base, &steps, plan.dwell_s);
        let sweep = Sweep::new(config, steps, plan.dwell_s).map_err(|e| e.to_string())?;
        Ok(Run { sweep, plan })
    }

    /// Runs one slice; true once the sweep is done.
    pub fn advance(&mut self, budget: u64) -> Result<bool, SweepError> {
        self.sweep.advance(budget)
    }

    /// Steps done, and in all.
    pub fn progress(&self) -> (usize, usize) {
        self.sweep.progress()
    }

    /// The branches measured so far.
    pub fn curve(&self) -> Curve {
        Curve::of(&self.plan.rates, self.sweep.means())
    }
}

/// Goodput against offered load on both branches, for the chart and the
/// table; a rate not reached yet on a branch is `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    /// The rates, req/s.
    pub rates: Vec<f64>,
    /// Goodput on the way up.
    pub up: Vec<Option<f64>>,
    /// Goodput on the way down.
    pub down: Vec<Option<f64>>,
    /// Widest gap up − down, once both branches are complete.
    pub band: Option<f64>,
}

/// A gap narrower than this share of the rate is no parting: the branches
/// meet within sampling noise.
pub const PARTED: f64 = 0.01;

impl Curve {
    /// The curve of the step means of a sweep over `rates`.
    pub fn of(rates: &[f64], means: &[(f64, f64)]) -> Curve {
        let n = rates.len();
        let (up, down) = Branches::partial(n, means);
        let band = (n > 0 && means.len() == 2 * n - 1).then(|| Branches::of(n, means).band);
        Curve {
            rates: rates.to_vec(),
            up: up.iter().map(|p| p.map(|p| p.0)).collect(),
            down: down.iter().map(|p| p.map(|p| p.0)).collect(),
            band,
        }
    }

    /// Whether the branches part somewhere (by more than [`PARTED`] of the rate).
    pub fn parts(&self) -> bool {
        self.band_at().iter().any(|b| b.is_some())
    }

    /// At each rate, `(down, up)` goodput where both are known and they part.
    pub fn band_at(&self) -> Vec<Option<(f64, f64)>> {
        self.rates
            .iter()
            .zip(self.up.iter().zip(&self.down))
            .map(|(r, (u, d))| match (u, d) {
                (Some(u), Some(d)) if (u - d).abs() > PARTED * r => Some((d.min(*u), d.max(*u))),
                _ => None,
            })
            .collect()
    }

    /// One line saying what the sweep found.
    pub fn verdict(&self) -> String {
        match self.band {
            None => "Sweeping…".to_string(),
            Some(_) if self.parts() => format!(
                "The branches part: on the way down goodput stays up to {}/s below the way up at the same load. The system is metastable.",
                si(self.band.unwrap_or(0.0))
            ),
            Some(_) => "The branches meet (within 1%): the system recovers at every load it carried on the way up.".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::app_defaults;

    #[test]
    fn rates_and_dwell_are_parsed_with_their_limits() {
        assert_eq!(parse_rates("9000:15000:2000"), Ok(vec![9_000.0, 11_000.0, 13_000.0, 15_000.0]));
        assert_eq!(parse_rates("10:30:10"), Ok(vec![10.0, 20.0, 30.0]));
        assert!(parse_rates("1:1000:1").unwrap_err().contains("at most 40"));
        assert!(parse_rates("abc").unwrap_err().contains("FROM:TO:STEP"));
        assert!(parse_rates("5:1:1").is_err() && parse_rates("1:60000:10000").is_err());
        assert_eq!(parse_dwell("20"), Ok(20));
        assert!(parse_dwell("1").unwrap_err().contains("2 to 120"));
    }

    fn sweep(choice: usize) -> Curve {
        let mut run = Run::new(&(CHOICES[choice].build)(&app_defaults()), Plan::default()).unwrap();
        let mut slices = 0;
        while !run.advance(SLICE_EVENTS).unwrap() {
            slices += 1;
            let (done, all) = run.progress();
            assert!(done <= all);
        }
        assert!(slices > 20, "the sweep is cut into slices: {slices}");
        run.curve()
    }

    #[test]
    fn the_storm_parts_and_its_defence_meets() {
        let storm = sweep(1);
        assert!(storm.parts(), "{storm:?}");
        assert!(storm.band.unwrap() > 5_000.0);
        assert!(storm.band_at()[1].is_some(), "at 11,000 req/s the way down stays collapsed: {storm:?}");
        assert!(storm.verdict().contains("metastable"));
        let defended = sweep(2);
        assert!(!defended.parts(), "{defended:?}");
        assert!(defended.verdict().contains("meet"));
    }

    #[test]
    fn a_partial_curve_has_the_rates_reached() {
        let c = Curve::of(&[1.0, 2.0, 3.0], &[(1.0, 1.0), (2.0, 2.0)]);
        assert_eq!((c.up, c.down, c.band), (vec![Some(1.0), Some(2.0), None], vec![None, None, None], None));
        assert_eq!(Curve::of(&[1.0, 2.0], &[(1.0, 1.0), (2.0, 2.0), (0.0, 1.0)]).band, Some(1.0));
    }
}
