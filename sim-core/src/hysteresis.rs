//! Hysteresis: offered load stepped up, then back down, with a dwell at
//! each step; goodput against offered load on both branches.
//!
//! A stable system gives the same goodput at a load whichever way it got
//! there; a metastable one does not: once pushed into collapse on the way
//! up, it stays collapsed on the way down at loads it carried before
//! (Bronson, Aghayev, Charapko and Smith, "Metastable failures in
//! distributed systems", HotOS 2021). The gap between the branches is the
//! band the app shades. `brink hysteresis` and the app both run a
//! [`Sweep`]; the app advances it a slice of events at a time so that the
//! page never freezes, and slicing does not change the result.

use crate::{Config, ConfigError, Halt, SimTime, Simulation};
use std::fmt;

/// The rates visited, up then down: `a, …, z, …, a` (the top once).
pub fn schedule(rates: &[f64]) -> Vec<f64> {
    rates.iter().chain(rates.iter().rev().skip(1)).copied().collect()
}

/// The run a sweep of `steps` needs: `base` with its spike off, its rate
/// at the first step and its length `steps × dwell_s`. Unvalidated.
pub fn scenario(base: &Config, steps: &[f64], dwell_s: u32) -> Config {
    let mut c = base.clone();
    c.traffic.spike_mult = 1.0;
    c.traffic.rate_per_s = steps.first().copied().unwrap_or(c.traffic.rate_per_s);
    c.traffic.duration_s = (steps.len() as u64 * dwell_s as u64) as f64;
    c
}

/// Why a sweep stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepError {
    /// The scenario was refused.
    Config(ConfigError),
    /// The engine refused the rate of a step.
    Rate(f64, ConfigError),
    /// The run was halted before the end (its seed and why).
    Halted(u64, Halt),
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Config(e) => write!(f, "{e}"),
            SweepError::Rate(rate, e) => write!(f, "rate {rate}: {e}"),
            SweepError::Halted(seed, halt) => write!(f, "seed {seed} stopped early ({halt:?})"),
        }
    }
}

/// One seed's sweep, advanced step by step.
#[derive(Debug)]
pub struct Sweep {
    sim: Simulation,
    config: Config,
    steps: Vec<f64>,
    dwell_s: u32,
    /// The step being run, and whether its rate is set.
    k: usize,
    rate_set: bool,
    means: Vec<(f64, f64)>,
}

impl Sweep {
    /// A sweep of `config` (as [`scenario`] builds it) over `steps`.
    pub fn new(config: Config, steps: Vec<f64>, dwell_s: u32) -> Result<Sweep, SweepError> {
        let sim = Simulation::new(config.clone()).map_err(SweepError::Config)?;
        Ok(Sweep { sim, config, steps, dwell_s, k: 0, rate_set: false, means: Vec::new() })
    }

    /// Runs at most about `budget` events; true once every step is done.
    /// Goodput and offered load are averaged over the second half of each
    /// dwell, once the system has had time to settle at its rate.
    pub fn advance(&mut self, budget: u64) -> Result<bool, SweepError> {
        let start = self.sim.events_processed();
        while self.k < self.steps.len() {
            let rate = self.steps[self.k];
            if !self.rate_set {
                self.config.traffic.rate_per_s = rate;
                self.sim.reconfigure(&self.config).map_err(|e| SweepError::Rate(rate, e))?;
                self.rate_set = true;
            }
            let end = (self.k as u64 + 1) * self.dwell_s as u64;
            let left = budget.saturating_sub(self.sim.events_processed() - start).max(1);
            if !self.sim.step_until_budget(SimTime::from_secs(end), left) {
                return Ok(false);
            }
            let from = (end - (self.dwell_s / 2) as u64) as usize;
            let series = self.sim.series();
            let mean = |v: &[u64]| v[from..end as usize].iter().sum::<u64>() as f64 / (end as usize - from) as f64;
            self.means.push((mean(&series.goodput), mean(&series.offered)));
            (self.k, self.rate_set) = (self.k + 1, false);
        }
        match self.sim.snapshot().halted {
            Some(halt) => Err(SweepError::Halted(self.config.seed, halt)),
            None => Ok(true),
        }
    }

    /// `(goodput, offered)` of each step done so far, req/s.
    pub fn means(&self) -> &[(f64, f64)] {
        &self.means
    }

    /// Steps done, and steps in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.means.len(), self.steps.len())
    }

    /// Runs the whole sweep of `config` over `steps` at once.
    pub fn run(config: Config, steps: Vec<f64>, dwell_s: u32) -> Result<Vec<(f64, f64)>, SweepError> {
        let mut s = Sweep::new(config, steps, dwell_s)?;
        s.advance(u64::MAX)?;
        Ok(s.means)
    }
}

/// One branch of a sweep still running: each rate's (goodput, offered)
/// mean once measured.
pub type PartialBranch = Vec<Option<(f64, f64)>>;

/// Both branches of a sweep over `n` rates, indexed like the rates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Branches {
    /// `(goodput, offered)` on the way up.
    pub up: Vec<(f64, f64)>,
    /// `(goodput, offered)` on the way down, read back by rate; its top is
    /// the up branch's last step.
    pub down: Vec<(f64, f64)>,
    /// Goodput up minus down at each rate.
    pub gap: Vec<f64>,
    /// The widest gap.
    pub band: f64,
}

impl Branches {
    /// The branches of the `2n − 1` step means of a sweep over `n` rates
    /// ([`schedule`]); with fewer means (a sweep still running), the down
    /// branch holds the rates reached so far, from the top down, and the
    /// rest are `None` in [`Branches::partial`].
    pub fn of(n: usize, means: &[(f64, f64)]) -> Branches {
        let up = means[..n].to_vec();
        let down: Vec<(f64, f64)> =
            (0..n).map(|i| if i + 1 == n { means[n - 1] } else { means[2 * n - 2 - i] }).collect();
        let gap: Vec<f64> = up.iter().zip(&down).map(|(u, d)| u.0 - d.0).collect();
        let band = gap.iter().fold(0.0f64, |m, g| m.max(*g));
        Branches { up, down, gap, band }
    }

    /// The branches so far of a sweep over `n` rates: each rate's up and
    /// down means once measured.
    pub fn partial(n: usize, means: &[(f64, f64)]) -> (PartialBranch, PartialBranch) {
        let up = (0..n).map(|i| means.get(i).copied()).collect();
        let down = (0..n).map(|i| means.get(if i + 1 == n { n - 1 } else { 2 * n - 2 - i }).copied()).collect();
        (up, down)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Backoff;

    #[test]
    fn the_schedule_goes_up_then_down() {
        assert_eq!(schedule(&[1.0, 2.0, 3.0]), vec![1.0, 2.0, 3.0, 2.0, 1.0]);
        assert_eq!(schedule(&[5.0]), vec![5.0]);
    }

    #[test]
    fn branches_are_read_back_by_rate() {
        let means = [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (0.5, 2.0), (0.25, 1.0)];
        let b = Branches::of(3, &means);
        assert_eq!(b.down.iter().map(|d| d.0).collect::<Vec<_>>(), vec![0.25, 0.5, 3.0]);
        assert_eq!(b.gap, vec![0.75, 1.5, 0.0]);
        assert_eq!(b.band, 1.5);
        let (up, down) = Branches::partial(3, &means[..4]);
        assert_eq!((up[2], down[1], down[0]), (Some((3.0, 3.0)), Some((0.5, 2.0)), None));
    }

    /// The retry storm without its trigger: 4 × 32 workers of 10 ms, queues
    /// of 5,000, three attempts retried at once.
    fn storm(queue: u32) -> Config {
        let mut c = Config::default();
        c.nodes.queue_capacity = queue;
        c.client.backoff = Backoff::None;
        c
    }

    fn band(queue: u32) -> Branches {
        let steps = schedule(&[9_000.0, 11_000.0, 13_000.0, 15_000.0]);
        let means = Sweep::run(scenario(&storm(queue), &steps, 20), steps, 20).unwrap();
        Branches::of(4, &means)
    }

    #[test]
    fn the_retry_storm_parts_its_branches_and_its_defence_closes_them() {
        let open = band(5_000);
        assert!(open.band > 5_000.0, "deep queues: the way down stays collapsed, band {}", open.band);
        assert!(open.up[0].0 > 8_500.0 && open.down[1].0 < 0.5 * open.up[1].0, "{open:?}");
        let closed = band(256);
        for (u, d) in closed.up.iter().zip(&closed.down) {
            assert!((u.0 - d.0).abs() <= 0.01 * u.0.max(d.0), "queues of 256: branches within 1%: {closed:?}");
        }
    }

    #[test]
    fn slicing_the_sweep_changes_nothing() {
        let steps = schedule(&[9_000.0, 13_000.0]);
        let config = scenario(&storm(5_000), &steps, 4);
        let whole = Sweep::run(config.clone(), steps.clone(), 4).unwrap();
        let mut sliced = Sweep::new(config, steps, 4).unwrap();
        let mut calls = 0;
        while !sliced.advance(5_000).unwrap() {
            calls += 1;
        }
        assert!(calls > 10, "the budget must split the run");
        assert_eq!(sliced.means(), &whole[..]);
        assert_eq!(sliced.progress(), (3, 3));
    }
}
