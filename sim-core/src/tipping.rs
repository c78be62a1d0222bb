//! The tipping-point map: trigger size × trigger duration → the share of
//! seeds that did not recover. `brink tipping` and the app's
//! `?view=tipping` both build each run and judge it here, so a cell is the
//! same number in the terminal and in the page.
//!
//! The trigger is the scenario's spike: `traffic.spike_mult` is its size,
//! and it lasts from `traffic.spike_start_s` for the duration. Seed `k` of
//! a cell runs on the scenario's seed + `k`, the same seeds in every cell,
//! so cells differ by the trigger alone (common random numbers). A run has
//! not recovered when its goodput over the last `window_s` seconds is below
//! `threshold` × its offered load there: in a metastable system the storm
//! outlives its trigger (Bronson et al., "Metastable Failures in
//! Distributed Systems", HotOS 2021).

use crate::config::TrafficShape;
use crate::{Backoff, Config, ConfigError, Halt, Series, Simulation};
use std::fmt;

/// Most seeds per cell (the CLI's sweep limit).
pub const MAX_SEEDS: u32 = 10_000;
/// Longest recovery window, whole seconds (one simulated day).
pub const MAX_WINDOW_S: u32 = 86_400;

/// How recovery is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judge {
    /// Seconds at the end of the run over which goodput is compared.
    pub window_s: u32,
    /// Goodput / offered below which a run has not recovered, 0 to 1.
    pub threshold: f64,
}

impl Default for Judge {
    /// The CLI's defaults: the last 10 s, below half the offered load.
    fn default() -> Judge {
        Judge { window_s: 10, threshold: 0.5 }
    }
}

/// Why a map, a cell or a run could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum TippingError {
    /// A field of the map is out of its range.
    Field {
        /// The field, e.g. "seeds".
        field: &'static str,
        /// What is allowed.
        allowed: String,
    },
    /// The run ends before the longest trigger and the window do.
    TooShort {
        /// `traffic.duration_s`.
        length_s: f64,
        /// `traffic.spike_start_s`.
        start_s: f64,
        /// The longest trigger, seconds.
        longest_s: f64,
        /// The recovery window, seconds.
        window_s: u32,
    },
    /// A cell's scenario is not valid.
    Config(ConfigError),
    /// A run stopped at the event cap.
    Halted {
        /// The run's seed.
        seed: u64,
        /// Why it stopped.
        halt: Halt,
    },
}

impl fmt::Display for TippingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TippingError::Field { field, allowed } => write!(f, "{field}: allowed range is {allowed}"),
            TippingError::TooShort { length_s, start_s, longest_s, window_s } => write!(
                f,
                "the run lasts {length_s} s: too short for a trigger from {start_s} s for {longest_s} s and a {window_s} s window"
            ),
            TippingError::Config(e) => write!(f, "{e}"),
            TippingError::Halted { seed, halt } => write!(
                f,
                "a run (seed {seed}) stopped early ({halt:?}, cap {} events)",
                crate::config::MAX_EVENTS_PER_RUN
            ),
        }
    }
}

impl std::error::Error for TippingError {}

/// Decimal places written in `text` ("0.25" has 2), so that values on a
/// range are rounded to what was typed and 0.1 + 2 × 0.1 is 0.3.
fn decimals(text: &str) -> i32 {
    text.split_once('.').map_or(0, |(_, frac)| frac.trim().len() as i32)
}

/// The values of `FROM:TO:STEP` (`FROM`, `FROM + STEP`, … up to `TO`), at
/// most `max` of them: the grammar of `brink sweep --set-range` and
/// `brink tipping --sizes`, and of the app's tipping map.
pub fn steps(spec: &str, max: usize) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let num = |t: &str| t.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (Some(from), Some(to), Some(step)) =
        (parts.first().and_then(|p| num(p)), parts.get(1).and_then(|p| num(p)), parts.get(2).and_then(|p| num(p)))
    else {
        return Err("expected FROM:TO:STEP, with finite numbers".into());
    };
    if parts.len() != 3 {
        return Err("expected FROM:TO:STEP, with finite numbers".into());
    }
    if step <= 0.0 {
        return Err("STEP must be above 0".into());
    }
    if to < from {
        return Err("TO must be at least FROM".into());
    }
    // A small allowance so that 0:1:0.1 reaches 1 despite rounding.
    let count = ((to - from) / step * (1.0 + 1e-12) + 1e-9).floor() + 1.0;
    if count > max as f64 {
        return Err(format!("{count} values; at most {max} a range"));
    }
    let scale = 10f64.powi(parts.iter().map(|p| decimals(p)).max().unwrap_or(0).min(15));
    Ok((0..count as usize).map(|i| ((from + i as f64 * step) * scale).round() / scale).collect())
}

/// Whether a run's goodput over its last `window` seconds fell below
/// `threshold` × its offered load there (a window past the run is cut to it).
pub fn not_recovered(series: &Series, window: usize, threshold: f64) -> bool {
    let from = series.len().saturating_sub(window);
    let sum = |v: &[u64]| v[from..].iter().sum::<u64>() as f64;
    sum(&series.goodput) < threshold * sum(&series.offered)
}

/// Seed `k`'s scenario for a trigger of `size` × the rate lasting
/// `duration_s` from the scenario's spike start. Not validated: see [`run`].
pub fn trigger(base: &Config, size: f64, duration_s: f64, k: u32) -> Config {
    let mut c = base.clone();
    c.traffic.spike_mult = size;
    c.traffic.spike_end_s = base.traffic.spike_start_s + duration_s;
    c.seed = base.seed.wrapping_add(k as u64);
    c
}

/// Runs one seed's scenario to its end: true when it did not recover.
pub fn run(config: Config, judge: Judge) -> Result<bool, TippingError> {
    let seed = config.seed;
    let mut sim = Simulation::new(config).map_err(TippingError::Config)?;
    sim.run_to_end();
    if let Some(halt) = sim.snapshot().halted {
        return Err(TippingError::Halted { seed, halt });
    }
    Ok(not_recovered(sim.series(), judge.window_s as usize, judge.threshold))
}

/// One cell: how many of `seeds` seeds did not recover from the trigger.
pub fn cell(base: &Config, size: f64, duration_s: f64, seeds: u32, judge: Judge) -> Result<u32, TippingError> {
    (0..seeds).try_fold(0, |n, k| Ok(n + run(trigger(base, size, duration_s, k), judge)? as u32))
}

/// Checks that the run outlasts the longest trigger and the window.
pub fn check_length(base: &Config, durations: &[f64], window_s: u32) -> Result<(), TippingError> {
    let (start_s, length_s) = (base.traffic.spike_start_s, base.traffic.duration_s);
    let longest_s = durations.iter().fold(0.0f64, |m, d| m.max(*d));
    if start_s + longest_s + window_s as f64 > length_s {
        return Err(TippingError::TooShort { length_s, start_s, longest_s, window_s });
    }
    Ok(())
}

/// A whole map: the triggers to try and how each run is judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    /// Trigger sizes (rate multipliers), the map's rows.
    pub sizes: Vec<f64>,
    /// Trigger durations, seconds, the map's columns.
    pub durations_s: Vec<f64>,
    /// Seeds per cell.
    pub seeds: u32,
    /// How each run is judged.
    pub judge: Judge,
}

impl Default for Map {
    /// 10 × 10 cells of 10 seeds over [`default_scenario`]: sizes 1.1× to
    /// 2× and triggers of 1 to 10 s, where it tips along a diagonal.
    fn default() -> Map {
        Map {
            sizes: (11..=20).map(|i| i as f64 / 10.0).collect(),
            durations_s: (1..=10).map(f64::from).collect(),
            seeds: 10,
            judge: Judge::default(),
        }
    }
}

impl Map {
    /// Checks every field and every cell's scenario over `base`, naming the
    /// first field out of its range.
    pub fn check(&self, base: &Config) -> Result<(), TippingError> {
        let field = |field, allowed: &str| Err(TippingError::Field { field, allowed: allowed.to_string() });
        if self.sizes.is_empty() || self.durations_s.is_empty() {
            return field("sizes and durations", "at least one value each");
        }
        if !(1..=MAX_SEEDS).contains(&self.seeds) {
            return field("seeds", &format!("1 to {MAX_SEEDS}"));
        }
        if !(1..=MAX_WINDOW_S).contains(&self.judge.window_s) {
            return field("window", &format!("1 to {MAX_WINDOW_S} whole seconds"));
        }
        if !(0.0..=1.0).contains(&self.judge.threshold) {
            return field("threshold", "0 to 1");
        }
        if self.durations_s.iter().any(|d| d.is_nan() || *d <= 0.0) {
            return field("durations", "above 0 s");
        }
        check_length(base, &self.durations_s, self.judge.window_s)?;
        for &s in &self.sizes {
            for &d in &self.durations_s {
                trigger(base, s, d, 0).validate().map_err(TippingError::Config)?;
            }
        }
        Ok(())
    }
}

/// The map's default scenario: the retry-storm lesson (queues a few
/// seconds deep, retries without backoff or budget) scaled from 11,000 to
/// 1,000 req/s with the same utilisation and queue drain time. The lesson
/// runs 4 nodes × 32 workers at 10 ms (12,800 req/s) with queues of 5,000
/// a node, which drain in 1.56 s against a 1 s timeout; here one node of
/// 12 workers at 10 ms (1,200 req/s, 83% busy at 1,000) with a queue of
/// 1,875 drains in the same 1.56 s. A trigger past capacity fills the queue
/// until waits pass the timeout; then every attempt times out and retries,
/// which holds the queue full after the trigger ends. Small, short triggers
/// drain first. The trigger starts at 10 s of a 60 s run.
pub fn default_scenario() -> Config {
    let mut c = Config::default();
    c.traffic.shape = TrafficShape::Spike;
    c.traffic.rate_per_s = 1_000.0;
    c.traffic.duration_s = 60.0;
    c.traffic.spike_start_s = 10.0;
    c.nodes.count = 1;
    c.nodes.workers = 12;
    c.nodes.queue_capacity = 1_875;
    c.client.backoff = Backoff::None;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_is_judged_on_the_last_window() {
        let mut s = Series::new(4);
        s.offered = vec![10, 10, 10, 10];
        s.goodput = vec![0, 0, 10, 4];
        assert!(!not_recovered(&s, 2, 0.5));
        assert!(not_recovered(&s, 1, 0.5));
        assert!(not_recovered(&s, 10, 0.5), "a window past the run is cut to it");
    }

    #[test]
    fn steps_are_rounded_to_the_decimals_typed() {
        assert_eq!(steps("1.1:1.4:0.1", 10), Ok(vec![1.1, 1.2, 1.3, 1.4]));
        assert_eq!(steps("2:6:2", 10), Ok(vec![2.0, 4.0, 6.0]));
        assert_eq!(steps("1:20:1", 10), Err("20 values; at most 10 a range".into()));
        assert_eq!(steps("1:2:0", 10), Err("STEP must be above 0".into()));
        assert_eq!(steps("3:2:1", 10), Err("TO must be at least FROM".into()));
        assert!(steps("1:2", 10).is_err() && steps("a:2:1", 10).is_err() && steps("1:2:1:4", 10).is_err());
    }

    #[test]
    fn a_trigger_is_the_spike_and_seed_k_the_kth_seed() {
        let base = default_scenario();
        let c = trigger(&base, 1.7, 4.0, 3);
        assert_eq!((c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s), (1.7, 10.0, 14.0));
        assert_eq!(c.seed, base.seed + 3);
    }

    #[test]
    fn the_map_names_the_field_out_of_range() {
        let base = default_scenario();
        assert_eq!(Map::default().check(&base), Ok(()));
        let named = |m: Map| m.check(&base).unwrap_err().to_string();
        assert!(named(Map { seeds: 0, ..Map::default() }).starts_with("seeds: allowed range is 1 to 10000"));
        let judge = Judge { threshold: 1.5, ..Judge::default() };
        assert!(named(Map { judge, ..Map::default() }).starts_with("threshold"));
        assert!(named(Map { durations_s: vec![45.0], ..Map::default() }).contains("too short"));
        assert!(named(Map { sizes: vec![-1.0], ..Map::default() }).contains("spike_mult"));
    }

    #[test]
    fn the_default_scenario_tips_for_a_large_long_trigger_only() {
        let (base, judge) = (default_scenario(), Judge::default());
        assert_eq!(cell(&base, 1.1, 1.0, 2, judge), Ok(0), "seed {}", base.seed);
        assert_eq!(cell(&base, 2.0, 10.0, 2, judge), Ok(2), "seed {}", base.seed);
    }
}
