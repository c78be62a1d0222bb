//! "Your dashboard is lying": what a typical service dashboard shows beside
//! what the users get, second by second, with the thresholds that colour
//! them. Framework-free; the panel (`components/dashboard.rs`) draws it.
//!
//! The typical dashboard is the server's own view: the median of its
//! request timer (which starts when a worker takes the request, so time
//! spent queued never shows, and 503s never reach it), requests served per
//! second, and CPU busy. In a retry storm all three look healthy: the
//! timer still reads the service time, the nodes serve at capacity, the CPU
//! is busy. The users' view is what arrives at the clients: the share of
//! offered requests that succeeded, the share of finished requests that
//! succeeded, the tail of the successes' latency, and the CPU spent on
//! answers nobody waited for.

use sim_core::{Config, Series};

/// Seconds each sparkline covers.
pub const SPARK_S: usize = 60;

/// A badge: its colour always comes with its word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Within the threshold.
    Ok,
    /// Past the warning threshold.
    Warn,
    /// Past the alarm threshold.
    Bad,
}

impl Level {
    /// The word on the badge.
    pub fn label(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Bad => "BAD",
        }
    }

    /// The badge's CSS modifier.
    pub fn class(self) -> &'static str {
        match self {
            Level::Ok => "dash-badge--ok",
            Level::Warn => "dash-badge--warn",
            Level::Bad => "dash-badge--bad",
        }
    }
}

/// Where a figure turns amber and red.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Warning from here on.
    pub warn: f64,
    /// Alarm from here on.
    pub bad: f64,
    /// True when larger values are worse (latency), false when smaller are
    /// (success shares).
    pub higher_is_worse: bool,
}

impl Threshold {
    /// The level of `v`.
    pub fn level(&self, v: f64) -> Level {
        let past = |t: f64| if self.higher_is_worse { v >= t } else { v <= t };
        if past(self.bad) {
            Level::Bad
        } else if past(self.warn) {
            Level::Warn
        } else {
            Level::Ok
        }
    }
}

/// A latency dashboard's usual median alert: amber at 100 ms, red at 300 ms
/// (the service takes 10 ms by default, so the healthy system reads ~7 ms).
pub const P50: Threshold = Threshold { warn: 100.0, bad: 300.0, higher_is_worse: true };
/// Shares of requests that succeed: amber below 99%, red below 95%, the
/// usual availability objectives' range.
pub const SHARE: Threshold = Threshold { warn: 0.99, bad: 0.95, higher_is_worse: false };
/// The successes' p99: amber at 250 ms, red at 750 ms (the default client
/// timeout is 1 s: a p99 that close to it means many just missed it).
pub const P99: Threshold = Threshold { warn: 250.0, bad: 750.0, higher_is_worse: true };
/// The successes' p99.9: amber at 500 ms, red at 1 s.
pub const P999: Threshold = Threshold { warn: 500.0, bad: 1_000.0, higher_is_worse: true };
/// Share of the CPU in use spent on answers nobody waited for: amber from
/// 1%, red from 10%.
pub const WASTED: Threshold = Threshold { warn: 0.01, bad: 0.10, higher_is_worse: true };

/// How a figure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Milliseconds.
    Ms,
    /// Per second.
    PerS,
    /// A share, written as a percentage.
    Share,
}

/// One figure: its last completed second, its badge and its sparkline.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    /// Element id, `dash-<id>`.
    pub id: &'static str,
    /// Its name on the panel.
    pub label: &'static str,
    /// One sentence on what it measures (the tooltip).
    pub hint: &'static str,
    /// How it is written.
    pub unit: Unit,
    /// The last completed second's value; `None` when the second had
    /// nothing to measure (no success, no request finished).
    pub value: Option<f64>,
    /// Its badge; `None` for figures a dashboard shows without one.
    pub level: Option<Level>,
    /// One value per second over the last [`SPARK_S`] seconds.
    pub spark: Vec<Option<f64>>,
    /// Top of the sparkline's scale.
    pub spark_max: f64,
}

/// The panel's content.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DashboardView {
    /// The second shown, if one completed.
    pub second: Option<usize>,
    /// What a typical dashboard shows.
    pub typical: Vec<Tile>,
    /// What users get.
    pub users: Vec<Tile>,
}

/// CPU the run's nodes have, in cores: each node's cores under the CPU
/// model, else its workers (each a core of its own), over every service,
/// at the configured node counts.
pub fn capacity_cores(config: &Config) -> f64 {
    config
        .system()
        .iter()
        .map(|s| s.nodes.count as f64 * if s.cpu.enabled { s.cpu.cores } else { s.nodes.workers } as f64)
        .sum()
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// A window of one series' seconds.
struct Window<'a> {
    series: &'a Series,
    range: std::ops::Range<usize>,
}

impl Window<'_> {
    fn map<T>(&self, f: impl Fn(usize) -> T) -> Vec<T> {
        self.range.clone().map(f).collect()
    }
}

fn tile(id: &'static str, label: &'static str, hint: &'static str, unit: Unit, spark: Vec<Option<f64>>) -> Tile {
    let top = spark.iter().flatten().fold(0.0f64, |m, v| m.max(*v));
    let spark_max = match unit {
        Unit::Share => 1.0,
        _ => crate::format::round_sig(top * 1.1, 2).max(1.0),
    };
    Tile { id, label, hint, unit, value: spark.last().copied().flatten(), level: None, spark, spark_max }
}

/// A badge for the last value; a second with nothing measured is `missing`.
fn badged(mut t: Tile, threshold: Threshold, missing: Option<Level>) -> Tile {
    t.level = match t.value {
        Some(v) => Some(threshold.level(v)),
        None => missing,
    };
    t
}

impl DashboardView {
    /// The view of the completed seconds of `series`, a run on `config`
    /// now at `now_s` (`finished` once it reached its end). A second's CPU
    /// account closes at the first event after it, so the CPU figures lag
    /// by a second while the clock sits on a whole second.
    pub fn of(series: &Series, completed: usize, config: &Config, now_s: f64, finished: bool) -> DashboardView {
        let end = completed.min(series.len());
        let cpu_end = if finished { end } else { end.min((now_s.ceil() as usize).saturating_sub(1)) };
        let w = Window { series, range: end.saturating_sub(SPARK_S)..end };
        let cw = Window { series, range: cpu_end.saturating_sub(SPARK_S)..cpu_end };
        let s = w.series;
        let cores = capacity_cores(config);
        let busy = |i: usize| s.cpu.useful[i] + s.cpu.wasted[i] + s.cpu.switching[i];
        let typical = vec![
            badged(
                tile("p50", "P50 latency", "Median of the server's request timer: it starts when a worker takes the request, so queueing never shows, and 503s never reach it.", Unit::Ms, w.map(|i| s.server_p50_ms[i])),
                P50,
                None,
            ),
            tile("throughput", "Throughput", "Requests the servers answered per second, whether or not the client was still waiting.", Unit::PerS, w.map(|i| Some(s.throughput[i] as f64))),
            tile("cpu", "CPU busy", "CPU utilisation: the share of the nodes' cores busy (each worker a core without the CPU model).", Unit::Share, cw.map(|i| (cores > 0.0).then(|| (busy(i) / cores).min(1.0)))),
        ];
        // No successes in a second is the worst a user can get: a red badge.
        let users = vec![
            badged(tile("goodput", "Goodput ratio", "Requests that succeeded per request offered, in the same second.", Unit::Share, w.map(|i| ratio(s.goodput[i], s.offered[i]))), SHARE, None),
            badged(tile("success", "Succeeded", "Requests that succeeded: of the requests that finished in the second, the share that succeeded; the rest used up every attempt.", Unit::Share, w.map(|i| ratio(s.goodput[i], s.goodput[i] + s.failed[i]))), SHARE, None),
            badged(tile("p99", "p99", "p99 of successes: the 99th percentile of the latency users saw on their successful requests, retries included.", Unit::Ms, w.map(|i| s.latency_p99_ms[i])), P99, Some(Level::Bad)),
            badged(tile("p999", "p99.9", "p99.9 of successes: the 99.9th percentile of the latency users saw on their successful requests.", Unit::Ms, w.map(|i| s.latency_p999_ms[i])), P999, Some(Level::Bad)),
            badged(tile("wasted", "Wasted CPU", "Work nobody waited for: the share of the CPU in use spent on answers whose client had already given up.", Unit::Share, cw.map(|i| { let b = busy(i); (b > 0.0).then(|| s.cpu.wasted[i] / b) })), WASTED, None),
        ];
        DashboardView { second: end.checked_sub(1), typical, users }
    }

    /// The tile with element id `id`.
    pub fn tile(&self, id: &str) -> Option<&Tile> {
        self.typical.iter().chain(&self.users).find(|t| t.id == id)
    }

    /// True when the dashboard's badge says OK while a user figure is bad:
    /// the lie the panel exists to show.
    pub fn lying(&self) -> bool {
        let dashboard_ok = self.tile("p50").and_then(|t| t.level) == Some(Level::Ok);
        dashboard_ok && self.users.iter().any(|t| t.level == Some(Level::Bad))
    }
}

/// A figure as text: "6.9 ms", "12.8k/s", "97.3%", or "—" with no value.
pub fn figure(unit: Unit, value: Option<f64>) -> String {
    let Some(v) = value else { return "—".to_string() };
    match unit {
        Unit::Ms => crate::format::millis(v),
        Unit::PerS => format!("{}/s", crate::format::si(v)),
        Unit::Share => format!("{:.1}%", v * 100.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{Backoff, Simulation};

    #[test]
    fn thresholds_rise_or_fall() {
        assert_eq!((P50.level(7.0), P50.level(100.0), P50.level(450.0)), (Level::Ok, Level::Warn, Level::Bad));
        assert_eq!((SHARE.level(1.0), SHARE.level(0.97), SHARE.level(0.2)), (Level::Ok, Level::Warn, Level::Bad));
        assert_eq!([Level::Ok, Level::Warn, Level::Bad].map(Level::label), ["OK", "WARN", "BAD"]);
    }

    #[test]
    fn figures_are_written_with_their_unit() {
        assert_eq!(figure(Unit::Share, Some(0.973)), "97.3%");
        assert_eq!(figure(Unit::Ms, None), "—");
        assert!(figure(Unit::PerS, Some(12_800.0)).ends_with("/s"));
    }

    #[test]
    fn capacity_counts_workers_or_cores() {
        let mut c = Config::default();
        assert_eq!(capacity_cores(&c), 128.0);
        c.cpu.enabled = true;
        c.cpu.cores = 8;
        assert_eq!(capacity_cores(&c), 32.0);
    }

    fn run(config: Config, seconds: u64) -> Simulation {
        let mut sim = Simulation::new(config).unwrap();
        sim.step_until(sim_core::SimTime::from_secs(seconds));
        sim
    }

    fn view(sim: &Simulation) -> DashboardView {
        DashboardView::of(sim.series(), sim.completed_seconds(), sim.config(), sim.now().as_secs_f64(), false)
    }

    /// The retry storm (the app's lesson): 11,000 req/s into 12,800/s of
    /// capacity, a 1.5× spike from 10 s to 20 s over queues of 5,000 and
    /// retries without backoff.
    fn storm() -> Config {
        let mut c = Config::default();
        c.traffic.rate_per_s = 11_000.0;
        (c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s) = (1.5, 10.0, 20.0);
        c.nodes.queue_capacity = 5_000;
        c.client.backoff = Backoff::None;
        c
    }

    #[test]
    fn healthy_run_is_ok_on_both_sides() {
        let sim = run(Config::default(), 8);
        let v = view(&sim);
        assert_eq!(v.second, Some(7));
        assert_eq!(v.tile("p50").unwrap().spark.len(), 8);
        for t in v.typical.iter().chain(&v.users) {
            assert!(t.level.is_none_or(|l| l == Level::Ok), "{} {:?} {:?}", t.id, t.value, t.level);
        }
        assert!(!v.lying());
        assert_eq!(v.tile("cpu").unwrap().spark.len(), 7, "second 7's CPU closes after 8 s");
        let mut sim = sim;
        sim.step_until(sim_core::SimTime::from_secs_f64(8.001));
        let v = view(&sim);
        assert_eq!(v.tile("cpu").unwrap().spark.len(), 8);
        let cpu = v.tile("cpu").unwrap().value.unwrap();
        assert!((cpu - 10_000.0 * 0.010 / 128.0).abs() < 0.05, "CPU busy {cpu}");
    }

    #[test]
    fn in_a_retry_storm_the_dashboard_stays_green_while_users_fail() {
        let sim = run(storm(), 40);
        let v = view(&sim);
        let p50 = v.tile("p50").unwrap();
        assert_eq!(p50.level, Some(Level::Ok), "server timer p50 {:?}", p50.value);
        assert!(v.tile("cpu").unwrap().value.unwrap() > 0.95, "the CPU is busy");
        let success = v.tile("success").unwrap();
        assert_eq!(success.level, Some(Level::Bad), "success share {:?}", success.value);
        assert!(success.value.unwrap() < 0.1);
        assert_eq!(v.tile("wasted").unwrap().level, Some(Level::Bad));
        assert_eq!(v.tile("p99").unwrap().level, Some(Level::Bad), "no successes at all is bad");
        assert!(v.lying());
        // The sparklines cover the last 60 s, before the storm included.
        assert_eq!(success.spark.len(), 40);
        assert_eq!(success.spark[5], Some(1.0));
    }

    #[test]
    fn an_empty_run_has_no_values() {
        let sim = Simulation::new(Config::default()).unwrap();
        let v = DashboardView::of(sim.series(), 0, sim.config(), 0.0, false);
        assert_eq!(v.second, None);
        assert!(v.typical.iter().chain(&v.users).all(|t| t.value.is_none() && t.spark.is_empty()));
        assert!(!v.lying());
    }
}
