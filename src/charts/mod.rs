//! Charts drawn with plotters on a `<canvas>`, one `draw(canvas, &data)`
//! function per chart (wasm32 only). They read only [`ChartData`], a window
//! of the per-second series, so they can be tested without a running
//! simulation; the data side compiles natively too.

#[cfg(target_arch = "wasm32")]
mod cpu;
#[cfg(target_arch = "wasm32")]
mod defences;
#[cfg(target_arch = "wasm32")]
mod errors;
#[cfg(target_arch = "wasm32")]
mod hysteresis;
#[cfg(target_arch = "wasm32")]
mod latency;
#[cfg(target_arch = "wasm32")]
mod overlay;
#[cfg(target_arch = "wasm32")]
mod spark;
#[cfg(target_arch = "wasm32")]
mod style;
#[cfg(target_arch = "wasm32")]
mod traffic;

#[cfg(target_arch = "wasm32")]
pub use cpu::draw as draw_cpu;
#[cfg(target_arch = "wasm32")]
pub use defences::{draw as draw_defences, draw_nodes};
#[cfg(target_arch = "wasm32")]
pub use errors::draw as draw_errors;
#[cfg(target_arch = "wasm32")]
pub use hysteresis::draw as draw_hysteresis;
#[cfg(target_arch = "wasm32")]
pub use latency::draw as draw_latency;
#[cfg(target_arch = "wasm32")]
pub use overlay::draw as draw_overlay;
#[cfg(target_arch = "wasm32")]
pub use spark::draw as draw_spark;
#[cfg(target_arch = "wasm32")]
pub use style::{palette, ChartError};
#[cfg(target_arch = "wasm32")]
pub use traffic::draw as draw_traffic;

use crate::engine::View;
use sim_core::Series;

/// The series charted: service `i`'s in a system, else the run's.
pub fn series_of(sim: &View, service: Option<usize>) -> &Series {
    service.and_then(|i| sim.service_series(i)).unwrap_or(sim.series())
}

/// Simulated seconds shown by every chart.
pub const WINDOW_S: usize = 60;

/// The last [`WINDOW_S`] completed seconds of the series, as plain vectors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartData {
    /// Second index of the first row.
    pub first_s: usize,
    /// Left and right edges of the time axis, seconds.
    pub x_range: (f64, f64),
    /// Logical requests arriving per second.
    pub offered: Vec<f64>,
    /// Completed services per second.
    pub throughput: Vec<f64>,
    /// Successful requests per second.
    pub goodput: Vec<f64>,
    /// 503s per second.
    pub rejected: Vec<f64>,
    /// Attempt timeouts per second.
    pub timed_out: Vec<f64>,
    /// Requests given up per second.
    pub failed: Vec<f64>,
    /// Connection errors clients saw per second (a node down or crashing).
    pub errors: Vec<f64>,
    /// Attempts dropped unserved per second because their deadline was too close.
    pub dropped: Vec<f64>,
    /// Median success latency per second, ms.
    pub p50_ms: Vec<Option<f64>>,
    /// 99th percentile success latency per second, ms.
    pub p99_ms: Vec<Option<f64>>,
    /// CPU spent on attempts whose client still waited, cores (busy
    /// workers without the CPU model).
    pub cpu_useful: Vec<f64>,
    /// CPU spent on attempts whose client had given up, cores.
    pub cpu_wasted: Vec<f64>,
    /// CPU lost to context switching, cores.
    pub cpu_switching: Vec<f64>,
    /// The defences' counters per second, by name, in the counters table's
    /// order ([`crate::defences::chart_counters`]).
    pub defences: Vec<(&'static str, Vec<f64>)>,
    /// Nodes serving at the start of each second (empty without an
    /// autoscaler or adaptive limit).
    pub nodes_serving: Vec<f64>,
    /// Nodes the autoscaler is provisioning at the start of each second.
    pub nodes_pending: Vec<f64>,
}

impl ChartData {
    /// Cuts the window ending at `completed` (exclusive) out of `series`.
    pub fn from_series(series: &Series, completed: usize, window: usize) -> ChartData {
        let end = completed.min(series.len());
        let first = end.saturating_sub(window);
        let right = end.max(window) as f64;
        let f = |v: &[u64]| v[first..end].iter().map(|&x| x as f64).collect();
        ChartData {
            first_s: first,
            x_range: (right - window as f64, right),
            offered: f(&series.offered),
            throughput: f(&series.throughput),
            goodput: f(&series.goodput),
            rejected: f(&series.rejected),
            timed_out: f(&series.timed_out),
            failed: f(&series.failed),
            errors: f(&series.errors),
            dropped: f(&series.dropped),
            p50_ms: series.latency_p50_ms[first..end].to_vec(),
            p99_ms: series.latency_p99_ms[first..end].to_vec(),
            cpu_useful: series.cpu.useful[first..end].to_vec(),
            cpu_wasted: series.cpu.wasted[first..end].to_vec(),
            cpu_switching: series.cpu.switching[first..end].to_vec(),
            defences: crate::defences::chart_counters()
                .into_iter()
                .filter_map(|c| Some((c.name(), f(series.counter(c)?))))
                .collect(),
            nodes_serving: series.scaling.as_ref().map(|s| f(&s.nodes)).unwrap_or_default(),
            nodes_pending: series.scaling.as_ref().map(|s| f(&s.pending)).unwrap_or_default(),
        }
    }

    /// Rows in the window.
    pub fn len(&self) -> usize {
        self.offered.len()
    }

    /// True before the first second completes.
    pub fn is_empty(&self) -> bool {
        self.offered.is_empty()
    }

    /// Time-axis position of row `i`: the middle of its second.
    pub fn x(&self, i: usize) -> f64 {
        (self.first_s + i) as f64 + 0.5
    }

    /// `(x, y)` points of one series.
    pub fn points<'a>(&'a self, ys: &'a [f64]) -> impl Iterator<Item = (f64, f64)> + Clone + 'a {
        ys.iter().enumerate().map(move |(i, &y)| (self.x(i), y))
    }
}

/// What a dashboard shows next to what users get, over the last seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UserView {
    /// Median latency of successes in the last completed second, ms.
    pub p50_ms: Option<f64>,
    /// Share of requests resolved in the window that succeeded (0–1).
    pub success_share: Option<f64>,
}

/// Seconds averaged by [`UserView::of`].
pub const USER_VIEW_S: usize = 5;

impl UserView {
    /// Computes the view over the last [`USER_VIEW_S`] completed seconds.
    /// Success share counts requests that finished (succeeded or gave up)
    /// in the window, so in-flight requests do not skew it.
    pub fn of(series: &Series, completed: usize) -> UserView {
        let end = completed.min(series.len());
        let first = end.saturating_sub(USER_VIEW_S);
        let sum = |v: &[u64]| v[first..end].iter().sum::<u64>();
        let (good, failed) = (sum(&series.goodput), sum(&series.failed));
        UserView {
            p50_ms: end.checked_sub(1).and_then(|last| series.latency_p50_ms[last]),
            success_share: (good + failed > 0).then(|| good as f64 / (good + failed) as f64),
        }
    }
}

/// The counters of the last completed second, for the headline figures.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LastSecond {
    /// Which second, if one has completed.
    pub second: Option<usize>,
    /// Logical requests that arrived.
    pub offered: u64,
    /// Successful requests.
    pub goodput: u64,
    /// 503s.
    pub rejected: u64,
    /// Attempt timeouts.
    pub timed_out: u64,
    /// Attempts that failed waiting for a database connection.
    pub db_timeouts: u64,
    /// Hot-key reads that found the key fresh.
    pub cache_hits: u64,
    /// Hot-key reads that found it expired.
    pub cache_misses: u64,
    /// Recomputations of the hot key started.
    pub regenerations: u64,
}

impl LastSecond {
    /// Reads the last completed second of `series`.
    pub fn of(series: &Series, completed: usize) -> LastSecond {
        let Some(s) = completed.min(series.len()).checked_sub(1) else { return LastSecond::default() };
        LastSecond {
            second: Some(s),
            offered: series.offered[s],
            goodput: series.goodput[s],
            rejected: series.rejected[s],
            timed_out: series.timed_out[s],
            db_timeouts: series.db_timeouts[s],
            cache_hits: series.cache_hits[s],
            cache_misses: series.cache_misses[s],
            regenerations: series.regenerations[s],
        }
    }

    /// Share of hot-key reads that hit, when there were any.
    pub fn hit_rate(&self) -> Option<f64> {
        let reads = self.cache_hits + self.cache_misses;
        (reads > 0).then(|| self.cache_hits as f64 / reads as f64)
    }
}

/// How many x labels to ask plotters for on a plot `plot_w` CSS px wide
/// whose widest label has `chars` characters: as many as fit with a gap
/// between them, 2 to 7. A narrow chart late in a long run would otherwise
/// print its four-digit times over each other; too few, and plotters' round
/// steps leave a 60 s window with one label (a step of 50 s).
pub fn x_label_count(plot_w: f64, chars: usize) -> usize {
    // 11 px labels are about 6.5 px a character; 14 px keeps them apart.
    let per_label = chars as f64 * 6.5 + 14.0;
    (plot_w / per_label).floor().clamp(2.0, 7.0) as usize
}

#[cfg(test)]
mod tests {
    use super::x_label_count;

    #[test]
    fn x_labels_fit_the_plot_and_never_fall_to_one() {
        // The latency chart beside two others at 1280 px: about 140 px of plot.
        assert_eq!(x_label_count(140.0, 4), 3, "1260, 1280, 1300 rather than 1300 alone");
        assert_eq!(x_label_count(140.0, 2), 5, "early in a run the labels are shorter");
        assert_eq!(x_label_count(60.0, 5), 2, "at least two");
        assert_eq!(x_label_count(1_200.0, 4), 7, "at most seven");
    }

    use super::*;
    use sim_core::{Config, Simulation};

    #[test]
    fn user_view_separates_dashboard_from_users() {
        let data_sim = {
            let mut config = Config::default();
            config.traffic.duration_s = 20.0;
            config.traffic.rate_per_s = 30_000.0;
            let mut sim = Simulation::new(config).unwrap();
            sim.run_to_end();
            sim
        };
        let v = UserView::of(data_sim.series(), data_sim.completed_seconds());
        let share = v.success_share.unwrap();
        assert!(share < 0.9, "at 2.3× capacity most requests must fail, share {share}");
        assert!(v.p50_ms.unwrap() < 1_000.0);
        let quiet = Simulation::new(Config::default()).unwrap();
        assert_eq!(UserView::of(quiet.series(), 0).success_share, None);
    }

    /// A series of `n` seconds whose counters say which second they belong to.
    fn numbered(n: usize) -> Series {
        let mut s = Series::new(n);
        for i in 0..n {
            s.offered[i] = i as u64;
            s.goodput[i] = 2 * i as u64;
            s.latency_p50_ms[i] = Some(i as f64);
            s.cpu.switching[i] = i as f64 / 10.0;
        }
        s
    }

    #[test]
    fn chart_data_is_the_last_window_of_completed_seconds() {
        let series = numbered(120);
        let d = ChartData::from_series(&series, 90, WINDOW_S);
        assert_eq!((d.first_s, d.len(), d.x_range), (30, 60, (30.0, 90.0)));
        assert_eq!((d.offered[0], d.offered[59], d.goodput[59]), (30.0, 89.0, 178.0));
        assert_eq!((d.p50_ms[0], d.cpu_switching[59]), (Some(30.0), 8.9));
        assert_eq!((d.x(0), d.x(59)), (30.5, 89.5), "each row sits in the middle of its second");
        let pts: Vec<(f64, f64)> = d.points(&d.offered).take(2).collect();
        assert_eq!(pts, vec![(30.5, 30.0), (31.5, 31.0)]);
        // Before a full window, the axis still spans a window from zero.
        let d = ChartData::from_series(&series, 10, WINDOW_S);
        assert_eq!((d.first_s, d.len(), d.x_range), (0, 10, (0.0, 60.0)));
        // Completed seconds beyond the series are clamped to it.
        let d = ChartData::from_series(&series, 500, WINDOW_S);
        assert_eq!((d.first_s, d.len(), d.x_range), (60, 60, (60.0, 120.0)));
        let d = ChartData::from_series(&series, 0, WINDOW_S);
        assert!(d.is_empty() && d.x_range == (0.0, 60.0));
        assert!(ChartData::default().is_empty());
    }

    #[test]
    fn chart_data_carries_the_defences_and_the_node_counts() {
        let mut config = Config::default();
        config.traffic.duration_s = 30.0;
        config.traffic.rate_per_s = 20_000.0;
        config.client.budget.enabled = true;
        config.autoscaler.enabled = true;
        config.autoscaler.interval_s = 2.0;
        let mut sim = Simulation::new(config).unwrap();
        sim.step_until(sim_core::SimTime::from_secs(10));
        let d = ChartData::from_series(sim.series(), sim.completed_seconds(), WINDOW_S);
        let names: Vec<&str> = d.defences.iter().map(|(n, _)| *n).collect();
        assert_eq!(names[0], "budget_suppressed");
        assert!(d.defences.iter().all(|(_, v)| v.len() == d.len()));
        let suppressed: f64 = d.defences[0].1.iter().sum();
        assert!(suppressed > 0.0, "an overloaded fleet spends the budget: {:?}", d.defences[0]);
        assert_eq!(d.nodes_serving.len(), d.len());
        assert!(d.nodes_pending.iter().any(|&p| p > 0.0), "the autoscaler orders nodes: {:?}", d.nodes_pending);
        let quiet = ChartData::from_series(&numbered(20), 10, WINDOW_S);
        assert!(quiet.nodes_serving.is_empty(), "no scaling series, no node counts");
    }

    #[test]
    fn last_second_reads_the_last_completed_row() {
        assert_eq!(LastSecond::of(&numbered(10), 0), LastSecond::default());
        let mut series = numbered(10);
        series.cache_hits[3] = 30;
        series.cache_misses[3] = 10;
        series.regenerations[3] = 2;
        let l = LastSecond::of(&series, 4);
        assert_eq!((l.second, l.offered, l.goodput, l.regenerations), (Some(3), 3, 6, 2));
        assert_eq!(l.hit_rate(), Some(0.75));
        assert_eq!(LastSecond::of(&series, 2).hit_rate(), None, "no reads, no hit rate");
        assert_eq!(LastSecond::of(&series, 99).second, Some(9), "clamped to the series");
    }

    #[test]
    fn user_view_counts_the_last_five_resolved_seconds() {
        let mut series = Series::new(20);
        for i in 0..20 {
            series.goodput[i] = 90;
            series.failed[i] = if i < 10 { 0 } else { 10 };
            series.latency_p50_ms[i] = Some(i as f64);
        }
        let v = UserView::of(&series, 10);
        assert_eq!((v.success_share, v.p50_ms), (Some(1.0), Some(9.0)));
        let v = UserView::of(&series, 12);
        assert_eq!(v.success_share, Some((5.0 * 90.0) / (5.0 * 90.0 + 20.0)), "seconds 7 to 11 only");
        assert_eq!(UserView::of(&series, 0), UserView { p50_ms: None, success_share: None });
    }
}
