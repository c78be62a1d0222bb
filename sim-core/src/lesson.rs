//! Lessons: each failure the playground exists to show, as a guided
//! experiment. A lesson is a scenario, a story (what to watch, what to
//! change) and 2–4 steps; each step asks for a change, expressed as
//! catalogue edits ([`crate::catalogue::set_path`]), and carries a live
//! [`Check`] on the per-second series that passes when the running system
//! shows what the step teaches. The CLI (`brink lesson NAME --check`) and the
//! playground read the same definitions and evaluate the same [`evaluate`].

mod catalog;

pub use catalog::LESSONS;

use crate::catalogue::set_path;
use crate::metrics::{Counter, Series};
use crate::{Config, SimTime, Simulation};
use std::fmt;

/// Simulated length of a playground session and of a lesson's run, seconds.
/// The engine needs a duration to size its per-second series; an hour is
/// long enough to feel open-ended (36 s of wall time even at 100×) and small
/// in memory.
pub const SESSION_S: f64 = 3600.0;

/// Resolution of the fine view of attempts, in sub-steps of a second: 10, a
/// bucket every 100 ms, fine enough to show retries that arrive in waves
/// shorter than a second.
pub const FINE_PER_S: usize = 10;

impl Config {
    /// The playground's default scenario: the reference steady scenario, run
    /// for a session ([`SESSION_S`]). Every lesson starts from it.
    pub fn playground() -> Config {
        let mut c = Config::default();
        c.traffic.duration_s = SESSION_S;
        c
    }
}

/// A guided experiment.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    /// URL slug and CLI name: lower case letters, digits and `-`.
    pub name: &'static str,
    /// Title in the menu.
    pub title: &'static str,
    /// Two sentences: what to watch, then what to change.
    pub story: &'static str,
    /// The scenario the lesson starts on (scripted faults included), a
    /// session long.
    pub build: fn() -> Config,
    /// The steps, in order.
    pub steps: &'static [Step],
}

/// One step of a lesson.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// What to do and what to watch, one sentence.
    pub text: &'static str,
    /// The change asked for, as `(catalogue path, value)` edits; empty for
    /// a step that only watches.
    pub change: &'static [(&'static str, &'static str)],
    /// What the system shows once the step has taught its point.
    pub check: Check,
    /// Simulated seconds, from the moment the change is in force, within
    /// which the check is expected to pass.
    pub limit_s: u32,
}

/// A per-second figure a check reads off the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// A counter's count in the second.
    Count(Counter),
    /// Goodput as a share of the offered load.
    GoodputShare,
    /// Logical requests that succeeded as a share of those that ended
    /// (succeeded or failed) in the second: what the users saw.
    SuccessShare,
    /// Attempts per logical request offered: the retry amplification.
    Amplification,
    /// Attempts served after their client gave up, as a share of those served.
    WastedShare,
    /// Median latency of the successes, ms (no success: the check fails).
    P50Ms,
    /// 99th percentile latency of the successes, ms.
    P99Ms,
    /// Share of the CPU used that went to context switching.
    SwitchingShare,
    /// Nodes crashed at the start of the second.
    NodesCrashed,
    /// Nodes up but ejected by the health checks at the start of the second.
    NodesEjected,
    /// Share of cache reads that hit.
    CacheHitRate,
    /// Queries running at the shared database (sampled each second).
    DbQueries,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// Strictly below.
    Below,
    /// At or above.
    AtLeast,
}

/// `metric cmp value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cond {
    /// What is read.
    pub metric: Metric,
    /// How it compares.
    pub cmp: Cmp,
    /// With what.
    pub value: f64,
}

/// What a step waits to see. A small closed set, evaluated by [`evaluate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Check {
    /// Every condition holds in each of `hold_s` consecutive seconds, the
    /// first of them at least `after_s` seconds into the step (to look past
    /// a trigger scheduled in the scenario).
    Holds {
        /// The conditions, all of which must hold.
        all: &'static [Cond],
        /// Consecutive seconds.
        hold_s: u32,
        /// Seconds into the step before which the run is not looked at.
        after_s: u32,
    },
    /// Retries arrive in waves: over `window_s` consecutive seconds (at
    /// least `after_s` into the step), the bucket with the most retries
    /// (attempts beyond the requests offered) holds `cmp` `ratio` times the
    /// window's mean offered requests per bucket. Buckets are seconds, or
    /// 100 ms ([`FINE_PER_S`]) when `fine`. Synchronised retries pile into
    /// one bucket; jittered ones spread over many.
    Waves {
        /// Whether the worst bucket's retries are at least or below `ratio` × the mean offered.
        cmp: Cmp,
        /// Retries in the worst bucket over the mean offered per bucket.
        ratio: f64,
        /// Seconds in the window.
        window_s: u32,
        /// Seconds into the step before which the run is not looked at.
        after_s: u32,
        /// 100 ms buckets instead of seconds.
        fine: bool,
    },
}

/// What the running system offers a check: the per-second series, whole
/// seconds final so far, and attempts per 100 ms bucket since time zero.
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    /// The run's per-second series.
    pub series: &'a Series,
    /// Seconds of `series` that are final.
    pub completed_s: usize,
    /// Attempts and requests offered per 100 ms bucket, from time zero.
    pub fine: &'a FineSeries,
}

/// The value of `metric` in second `s`, when defined.
pub fn metric_at(series: &Series, metric: Metric, s: usize) -> Option<f64> {
    let count = |c: Counter| series.counter(c).and_then(|v| v.get(s)).map(|&x| x as f64);
    let share = |num: f64, den: f64| (den > 0.0).then(|| num / den);
    match metric {
        Metric::Count(c) => count(c),
        Metric::GoodputShare => share(count(Counter::Goodput)?, count(Counter::Offered)?),
        Metric::SuccessShare => {
            let ok = count(Counter::Goodput)?;
            share(ok, ok + count(Counter::Failed)?)
        }
        Metric::Amplification => share(count(Counter::Attempts)?, count(Counter::Offered)?),
        Metric::WastedShare => {
            let served = count(Counter::Throughput)?;
            share((served - count(Counter::Goodput)?).max(0.0), served)
        }
        Metric::P50Ms => series.latency_p50_ms.get(s).copied().flatten(),
        Metric::P99Ms => series.latency_p99_ms.get(s).copied().flatten(),
        Metric::SwitchingShare => {
            let cpu = &series.cpu;
            let used = cpu.useful.get(s)? + cpu.wasted.get(s)? + cpu.switching.get(s)?;
            share(*cpu.switching.get(s)?, used)
        }
        Metric::NodesCrashed => series.node_states.as_ref()?.crashed.get(s).map(|&x| x as f64),
        Metric::NodesEjected => series.node_states.as_ref()?.ejected.get(s).map(|&x| x as f64),
        Metric::CacheHitRate => {
            let hits = count(Counter::CacheHits)?;
            share(hits, hits + count(Counter::CacheMisses)?)
        }
        Metric::DbQueries => series.db.as_ref()?.queries.get(s).map(|&x| x as f64),
    }
}

impl Cond {
    /// Whether it holds in second `s` (an undefined figure never holds).
    pub fn holds(&self, series: &Series, s: usize) -> bool {
        metric_at(series, self.metric, s).is_some_and(|v| match self.cmp {
            Cmp::Below => v < self.value,
            Cmp::AtLeast => v >= self.value,
        })
    }
}

impl Metric {
    /// The figure in words, for a check's description.
    pub fn label(self) -> String {
        match self {
            Metric::Count(c) => format!("{} per s", c.name().replace('_', " ")),
            Metric::GoodputShare => "goodput / offered".into(),
            Metric::SuccessShare => "success share".into(),
            Metric::Amplification => "attempts / request".into(),
            Metric::WastedShare => "share served too late".into(),
            Metric::P50Ms => "p50 (ms)".into(),
            Metric::P99Ms => "p99 (ms)".into(),
            Metric::SwitchingShare => "CPU share switching".into(),
            Metric::NodesCrashed => "nodes crashed".into(),
            Metric::NodesEjected => "nodes ejected".into(),
            Metric::CacheHitRate => "cache hit rate".into(),
            Metric::DbQueries => "queries at the database".into(),
        }
    }

    /// Whether the figure is a share, shown as a percentage.
    fn is_share(self) -> bool {
        matches!(
            self,
            Metric::GoodputShare
                | Metric::SuccessShare
                | Metric::WastedShare
                | Metric::SwitchingShare
                | Metric::CacheHitRate
        )
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.cmp {
            Cmp::Below => "<",
            Cmp::AtLeast => "≥",
        };
        if self.metric.is_share() {
            write!(f, "{} {op} {}%", self.metric.label(), (self.value * 1000.0).round() / 10.0)
        } else {
            write!(f, "{} {op} {}", self.metric.label(), self.value)
        }
    }
}

/// A check in words: "goodput / offered ≥ 90% for 10 s".
impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Check::Holds { all, hold_s, after_s } => {
                let conds: Vec<String> = all.iter().map(ToString::to_string).collect();
                write!(f, "{} for {hold_s} s", conds.join(" and "))?;
                if after_s > 0 {
                    write!(f, ", from {after_s} s in")?;
                }
                Ok(())
            }
            Check::Waves { cmp, ratio, window_s, fine, .. } => {
                let bucket = if fine { "100 ms" } else { "second" };
                let op = match cmp {
                    Cmp::AtLeast => "≥",
                    Cmp::Below => "<",
                };
                write!(
                    f,
                    "retries in the worst {bucket} {op} {ratio}× the mean offered per {bucket}, over {window_s} s"
                )
            }
        }
    }
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Shown: the second (of the run) by which the evidence was complete.
    Passed(usize),
    /// Not shown yet.
    Waiting,
}

/// Evaluates `check` for a step in force since second `from_s`, over the
/// seconds completed so far. Pure: the same series give the same verdict,
/// in the CLI and in the playground.
pub fn evaluate(check: &Check, from_s: usize, seen: &Observed) -> Verdict {
    match *check {
        Check::Holds { all, hold_s, after_s } => {
            let hold = hold_s.max(1) as usize;
            let mut run = 0;
            for s in from_s + after_s as usize..seen.completed_s.min(seen.series.len()) {
                run = if all.iter().all(|c| c.holds(seen.series, s)) { run + 1 } else { 0 };
                if run >= hold {
                    return Verdict::Passed(s + 1);
                }
            }
            Verdict::Waiting
        }
        Check::Waves { cmp, ratio, window_s, after_s, fine } => {
            let per = if fine { FINE_PER_S } else { 1 };
            let (attempts, offered) = if fine {
                (&seen.fine.attempts[..], &seen.fine.offered[..])
            } else {
                (&seen.series.attempts[..], &seen.series.offered[..])
            };
            let first = from_s + after_s as usize;
            let window = window_s.max(1) as usize;
            for end in first + window..=seen.completed_s {
                let range = (end - window) * per..end * per;
                let (Some(a), Some(o)) = (attempts.get(range.clone()), offered.get(range)) else { break };
                let mean = o.iter().sum::<u64>() as f64 / o.len() as f64;
                let worst = a.iter().zip(o).map(|(a, o)| a.saturating_sub(*o)).max().unwrap_or(0) as f64;
                let shown = mean > 0.0
                    && match cmp {
                        Cmp::AtLeast => worst >= ratio * mean,
                        Cmp::Below => worst < ratio * mean,
                    };
                if shown {
                    return Verdict::Passed(end);
                }
            }
            Verdict::Waiting
        }
    }
}

/// Attempts and offered requests per 100 ms bucket, recorded by whoever
/// steps the simulation: the engine's series are per second, so the
/// cumulative counters are read at each bucket boundary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FineSeries {
    /// Attempts sent in each bucket since time zero.
    pub attempts: Vec<u64>,
    /// Logical requests offered in each bucket since time zero.
    pub offered: Vec<u64>,
    last: (u64, u64),
}

impl FineSeries {
    /// Length of a bucket.
    pub const BUCKET: SimTime = SimTime(1_000_000_000 / FINE_PER_S as u64);

    /// Records the buckets `sim` has completed since the last call. Called
    /// with the clock on each bucket boundary, every bucket is exact;
    /// buckets skipped between calls are left empty and their counts land
    /// in the last one.
    pub fn observe(&mut self, sim: &Simulation) {
        let done = (sim.now().0 / Self::BUCKET.0) as usize;
        if done <= self.attempts.len() {
            return;
        }
        let t = sim.totals();
        self.attempts.resize(done - 1, 0);
        self.offered.resize(done - 1, 0);
        self.attempts.push(t.attempts - self.last.0);
        self.offered.push(t.offered - self.last.1);
        self.last = (t.attempts, t.offered);
    }
}

impl Step {
    /// `config` with this step's change made; the error names the edit.
    pub fn changed(&self, config: &Config) -> Result<Config, String> {
        let mut c = config.clone();
        for (path, value) in self.change {
            set_path(&mut c, path, value)?;
        }
        Ok(c)
    }

    /// Whether `config` already has this step's change.
    pub fn is_in_force(&self, config: &Config) -> bool {
        self.changed(config).is_ok_and(|c| &c == config)
    }
}

impl Lesson {
    /// The scenario the lesson starts on.
    pub fn config(&self) -> Config {
        (self.build)()
    }
}

/// The lesson called `name`.
pub fn lesson(name: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.name == name)
}

/// How a step went in [`run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    /// Whether its check passed within its limit.
    pub passed: bool,
    /// Simulated second the step started at (its change made).
    pub from_s: usize,
    /// Simulated second at which the check passed, or at which the limit ran out.
    pub until_s: usize,
    /// Whether its change needed a new run from time zero (a restart field).
    pub restarted: bool,
}

/// Walks `lesson` natively, as a user following it would: for each step,
/// makes its change (a new run from time zero when it changes a field that
/// needs a reset), then runs until its check passes or its limit runs out.
/// Stops at the first step that fails. An error names a change the engine
/// refused.
pub fn run(lesson: &Lesson) -> Result<Vec<StepResult>, String> {
    run_on(lesson, lesson.config())
}

/// [`run`] from `start` instead of the lesson's own scenario (e.g. with
/// another seed).
pub fn run_on(lesson: &Lesson, start: Config) -> Result<Vec<StepResult>, String> {
    let mut sim = Simulation::new(start).map_err(|e| e.to_string())?;
    let mut fine = FineSeries::default();
    let mut results = Vec::new();
    for step in lesson.steps {
        let next = step.changed(sim.config())?;
        let restarted = !sim.reconfigure(&next).map_err(|e| e.to_string())?.needs_restart.is_empty();
        if restarted {
            sim = Simulation::new(next).map_err(|e| e.to_string())?;
            fine = FineSeries::default();
        }
        let from_s = sim.completed_seconds();
        let result = run_step(&mut sim, &mut fine, step, from_s, restarted);
        let passed = result.passed;
        results.push(result);
        if !passed {
            break;
        }
    }
    Ok(results)
}

fn run_step(sim: &mut Simulation, fine: &mut FineSeries, step: &Step, from_s: usize, restarted: bool) -> StepResult {
    let end_s = from_s + step.limit_s as usize;
    loop {
        let seen = Observed { series: sim.series(), completed_s: sim.completed_seconds(), fine };
        if let Verdict::Passed(s) = evaluate(&step.check, from_s, &seen) {
            return StepResult { passed: true, from_s, until_s: s, restarted };
        }
        if seen.completed_s >= end_s || sim.is_finished() {
            return StepResult { passed: false, from_s, until_s: seen.completed_s, restarted };
        }
        for _ in 0..FINE_PER_S {
            let t = SimTime(sim.now().0 + FineSeries::BUCKET.0);
            sim.step_until(t);
            fine.observe(sim);
        }
    }
}

#[cfg(test)]
mod tests;
