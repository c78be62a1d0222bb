//! Charts drawn with plotters on a `<canvas>`, one `draw(canvas, &data)`
//! function per chart (wasm32 only). They read only [`ChartData`], a window
//! of the per-second series, so they can be tested without a running
//! simulation; the data side compiles natively too.

#[cfg(target_arch = "wasm32")]
mod cpu;
#[cfg(target_arch = "wasm32")]
mod errors;
#[cfg(target_arch = "wasm32")]
mod latency;
#[cfg(target_arch = "wasm32")]
mod style;
#[cfg(target_arch = "wasm32")]
mod traffic;

#[cfg(target_arch = "wasm32")]
pub use cpu::draw as draw_cpu;
#[cfg(target_arch = "wasm32")]
pub use errors::draw as draw_errors;
#[cfg(target_arch = "wasm32")]
pub use latency::draw as draw_latency;
#[cfg(target_arch = "wasm32")]
pub use style::{palette, ChartError};
#[cfg(target_arch = "wasm32")]
pub use traffic::draw as draw_traffic;

use sim_core::Series;

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
