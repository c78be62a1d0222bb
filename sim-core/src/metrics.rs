//! Counters, per-second series and latency histograms.
//!
//! Which second an event counts in follows the reference model: the second of
//! the instant it happens (`offered` and `attempts` at send, `throughput` at
//! service completion, `goodput` at the completion the client still waited
//! for, `rejected` at the 503, `timed_out` at the client's deadline, `failed`
//! when the client gives up), clamped to the run's last bucket.

use serde::{Deserialize, Serialize};

/// Cumulative counters. Serialised with the reference program's keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Logical requests that arrived.
    pub offered: u64,
    /// Attempts sent, first tries and retries.
    pub attempts: u64,
    /// Attempts whose service completed, whether the client still waited or not.
    pub throughput: u64,
    /// Logical requests that succeeded: served before the attempt's timeout.
    pub goodput: u64,
    /// Attempts turned away with a 503 because the node was full.
    pub rejected: u64,
    /// Attempts the client stopped waiting for.
    pub timed_out: u64,
    /// Logical requests that used up all their attempts.
    pub failed: u64,
    /// Served after the client gave up: `throughput − goodput`.
    pub wasted: u64,
    /// Logical requests neither succeeded nor failed by the end:
    /// `offered − goodput − failed`.
    pub unresolved_at_end: u64,
    /// Attempts that ended in an error the client saw: refused by a crashed
    /// node, lost in a crash while the client waited, or failed for want of
    /// a database connection. Like the
    /// counters below, left out of the JSON when zero (as in the reference
    /// model, which has none of these mechanisms).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub errors: u64,
    /// Attempts sent to a crashed node.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refused: u64,
    /// Attempts a crash destroyed (queued or in service), whether or not
    /// their client still waited.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lost: u64,
    /// Queued attempts dropped unserved because their client's deadline had
    /// passed (`shedding.drop_expired`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: u64,
    /// Node crashes, scripted or from memory exhaustion.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub crashes: u64,
    /// Attempts that failed waiting for a database connection.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub db_timeouts: u64,
    /// Reads of the cached hot key that found it fresh.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_hits: u64,
    /// Reads of the hot key that found it stale (recomputing or joining).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_misses: u64,
    /// Recomputations of the hot key started.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub regenerations: u64,
    /// New values of the hot key stored: `regenerations / refills` is the
    /// number of recomputations per expiry.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refills: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn all_zero(v: &[u64]) -> bool {
    v.iter().all(|&x| x == 0)
}

/// The counted series, one value per simulated second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// See [`Totals::offered`].
    Offered,
    /// See [`Totals::attempts`].
    Attempts,
    /// See [`Totals::throughput`].
    Throughput,
    /// See [`Totals::goodput`].
    Goodput,
    /// See [`Totals::rejected`].
    Rejected,
    /// See [`Totals::timed_out`].
    TimedOut,
    /// See [`Totals::failed`].
    Failed,
    /// See [`Totals::errors`].
    Errors,
    /// See [`Totals::refused`].
    Refused,
    /// See [`Totals::lost`].
    Lost,
    /// See [`Totals::dropped`].
    Dropped,
    /// See [`Totals::crashes`].
    Crashes,
    /// See [`Totals::db_timeouts`].
    DbTimeouts,
    /// See [`Totals::cache_hits`].
    CacheHits,
    /// See [`Totals::cache_misses`].
    CacheMisses,
    /// See [`Totals::regenerations`].
    Regenerations,
}

impl Counter {
    /// Number of counters.
    pub const COUNT: usize = 16;
}

/// Per-second series, struct-of-arrays, one entry per second of the run.
/// Memory is `seconds × 17 × 8` bytes, 28 with every mechanism: under 20 MiB
/// for a simulated day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Logical requests arriving in each second.
    pub offered: Vec<u64>,
    /// Attempts sent in each second.
    pub attempts: Vec<u64>,
    /// Services completed in each second.
    pub throughput: Vec<u64>,
    /// Successful logical requests completed in each second.
    pub goodput: Vec<u64>,
    /// 503s in each second.
    pub rejected: Vec<u64>,
    /// Attempt timeouts in each second.
    pub timed_out: Vec<u64>,
    /// Logical requests given up in each second.
    pub failed: Vec<u64>,
    /// Attempts waiting over all nodes, sampled at the start of each second.
    pub queued: Vec<u64>,
    /// Connection errors seen by clients in each second (left out of the
    /// JSON when all zero, like the other mechanism series).
    #[serde(default, skip_serializing_if = "all_zero")]
    pub errors: Vec<u64>,
    /// Expired attempts dropped from queues in each second.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub dropped: Vec<u64>,
    /// Node crashes in each second.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub crashes: Vec<u64>,
    /// Attempts that failed waiting for a database connection, each second.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub db_timeouts: Vec<u64>,
    /// Hot-key reads that hit, each second.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub cache_hits: Vec<u64>,
    /// Hot-key reads that missed, each second.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub cache_misses: Vec<u64>,
    /// Hot-key recomputations started, each second.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub regenerations: Vec<u64>,
    /// Connection pools and the database, when the database model is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<DbSeries>,
    /// Nodes by lifecycle state at the start of each second, when crashes,
    /// health checks or faults are configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_states: Option<NodeStateSeries>,
    /// CPU use over all nodes in each second, in cores. In the JSON only
    /// when a failure mechanism or the CPU model is on.
    #[serde(default, skip_serializing_if = "CpuSeries::is_hidden")]
    pub cpu: CpuSeries,
    /// Median latency of the successes completed in each second, ms.
    #[serde(skip)]
    pub latency_p50_ms: Vec<Option<f64>>,
    /// 99th percentile latency of the successes completed in each second, ms.
    #[serde(skip)]
    pub latency_p99_ms: Vec<Option<f64>>,
}

impl Series {
    /// Zeroed series for `seconds` seconds.
    pub fn new(seconds: usize) -> Series {
        Series {
            offered: vec![0; seconds],
            attempts: vec![0; seconds],
            throughput: vec![0; seconds],
            goodput: vec![0; seconds],
            rejected: vec![0; seconds],
            timed_out: vec![0; seconds],
            failed: vec![0; seconds],
            queued: vec![0; seconds],
            errors: vec![0; seconds],
            dropped: vec![0; seconds],
            crashes: vec![0; seconds],
            db_timeouts: vec![0; seconds],
            cache_hits: vec![0; seconds],
            cache_misses: vec![0; seconds],
            regenerations: vec![0; seconds],
            db: None,
            node_states: None,
            cpu: CpuSeries::new(seconds),
            latency_p50_ms: vec![None; seconds],
            latency_p99_ms: vec![None; seconds],
        }
    }

    /// Number of seconds covered.
    pub fn len(&self) -> usize {
        self.offered.len()
    }

    /// True for a zero-length run.
    pub fn is_empty(&self) -> bool {
        self.offered.is_empty()
    }

    /// Adds one to `counter` in second `sec` (already clamped).
    #[inline]
    pub(crate) fn bump(&mut self, counter: Counter, sec: usize) {
        let v = match counter {
            Counter::Offered => &mut self.offered,
            Counter::Attempts => &mut self.attempts,
            Counter::Throughput => &mut self.throughput,
            Counter::Goodput => &mut self.goodput,
            Counter::Rejected => &mut self.rejected,
            Counter::TimedOut => &mut self.timed_out,
            Counter::Failed => &mut self.failed,
            Counter::Errors => &mut self.errors,
            Counter::Dropped => &mut self.dropped,
            Counter::Crashes => &mut self.crashes,
            Counter::DbTimeouts => &mut self.db_timeouts,
            Counter::CacheHits => &mut self.cache_hits,
            Counter::CacheMisses => &mut self.cache_misses,
            Counter::Regenerations => &mut self.regenerations,
            Counter::Refused | Counter::Lost => return,
        };
        v[sec] += 1;
    }

    /// The mechanism series by name (connection errors, dropped, crashes),
    /// for outputs that list every series.
    pub fn mechanisms(&self) -> [(&'static str, &[u64]); 7] {
        [
            ("errors", &self.errors),
            ("dropped", &self.dropped),
            ("crashes", &self.crashes),
            ("db_timeouts", &self.db_timeouts),
            ("cache_hits", &self.cache_hits),
            ("cache_misses", &self.cache_misses),
            ("regenerations", &self.regenerations),
        ]
    }

    /// The eight reference series by name, in the reference program's order.
    pub fn named(&self) -> [(&'static str, &[u64]); 8] {
        [
            ("offered", &self.offered),
            ("attempts", &self.attempts),
            ("throughput", &self.throughput),
            ("goodput", &self.goodput),
            ("rejected", &self.rejected),
            ("timed_out", &self.timed_out),
            ("failed", &self.failed),
            ("queued", &self.queued),
        ]
    }
}

/// CPU use summed over nodes, one value per second, in cores (core-seconds
/// per second); see [`crate::CpuBreakdown`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CpuSeries {
    /// Serving attempts whose client still waited.
    pub useful: Vec<f64>,
    /// Serving attempts whose client had given up.
    pub wasted: Vec<f64>,
    /// Context switching.
    pub switching: Vec<f64>,
    /// False for a reference-model run, whose JSON stays the reference's.
    #[serde(skip)]
    pub shown: bool,
}

impl CpuSeries {
    /// Zeroed series for `seconds` seconds.
    pub fn new(seconds: usize) -> CpuSeries {
        CpuSeries {
            useful: vec![0.0; seconds],
            wasted: vec![0.0; seconds],
            switching: vec![0.0; seconds],
            shown: false,
        }
    }

    fn is_hidden(&self) -> bool {
        !self.shown
    }
}

/// Connection pools and the database, one value per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbSeries {
    /// Connections in use over all nodes, sampled at the start of each second.
    pub pool_in_use: Vec<u64>,
    /// Attempts waiting for a connection over all nodes, sampled likewise.
    pub pool_waiting: Vec<u64>,
    /// Queries running at the database, sampled likewise.
    pub queries: Vec<u64>,
    /// Mean wait for a connection of the acquisitions in each second, ms.
    pub wait_ms: Vec<f64>,
}

impl DbSeries {
    /// Zeroed series for `seconds` seconds.
    pub fn new(seconds: usize) -> DbSeries {
        DbSeries {
            pool_in_use: vec![0; seconds],
            pool_waiting: vec![0; seconds],
            queries: vec![0; seconds],
            wait_ms: vec![0.0; seconds],
        }
    }
}

/// How many nodes were in each lifecycle state at the start of each second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStateSeries {
    /// Nodes up at full speed and in rotation.
    pub up: Vec<u64>,
    /// Nodes warming up after a restart.
    pub warming: Vec<u64>,
    /// Nodes down after a crash.
    pub crashed: Vec<u64>,
    /// Nodes ejected by the balancer's health checks (crashed or not).
    pub ejected: Vec<u64>,
}

impl NodeStateSeries {
    /// Zeroed series for `seconds` seconds.
    pub fn new(seconds: usize) -> NodeStateSeries {
        NodeStateSeries {
            up: vec![0; seconds],
            warming: vec![0; seconds],
            crashed: vec![0; seconds],
            ejected: vec![0; seconds],
        }
    }
}

/// Significant bits kept below the leading one: buckets are 1/256 of an
/// octave wide, so a value reported as its bucket's midpoint is within
/// 1/512 ≈ 0.2% of the truth (the issue allows 0.5%).
const SUB_BITS: u32 = 8;
const SUB: usize = 1 << SUB_BITS;
/// Values up to 2^52 ns (52 days) are bucketed; larger ones are clamped.
const MAX_EXP: u32 = 52;
const BUCKETS: usize = (MAX_EXP - SUB_BITS + 2) as usize * SUB;

/// A log-bucketed histogram of nanosecond values with ≤ 0.2% relative error
/// and fixed memory (46 KiB), whatever the run length.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyHistogram {
    counts: Vec<u32>,
    n: u64,
    sum_ns: u128,
    /// Lowest and highest bucket touched since the last clear, so that
    /// clearing and scanning cost what was used, not the whole array.
    lo: usize,
    hi: usize,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> LatencyHistogram {
        LatencyHistogram { counts: vec![0; BUCKETS], n: 0, sum_ns: 0, lo: BUCKETS, hi: 0 }
    }

    fn index(v: u64) -> usize {
        if v < SUB as u64 {
            return v as usize;
        }
        let e = (63 - v.leading_zeros()).min(MAX_EXP);
        let v = v.min((1u64 << (MAX_EXP + 1)) - 1);
        let mantissa = ((v >> (e - SUB_BITS)) as usize) & (SUB - 1);
        (e - SUB_BITS + 1) as usize * SUB + mantissa
    }

    /// Lower bound and width of bucket `i`.
    fn bucket(i: usize) -> (u64, u64) {
        if i < SUB {
            return (i as u64, 1);
        }
        let e = (i / SUB) as u32 + SUB_BITS - 1;
        let mantissa = (i % SUB) as u64;
        let width = 1u64 << (e - SUB_BITS);
        ((1u64 << e) + mantissa * width, width)
    }

    /// Records one value, in nanoseconds.
    #[inline(always)]
    pub fn record(&mut self, v_ns: u64) {
        let i = Self::index(v_ns);
        // Counts are u32: a single bucket would need 4e9 samples to wrap,
        // more than MAX_EVENTS_PER_RUN allows.
        self.counts[i] += 1;
        self.lo = self.lo.min(i);
        self.hi = self.hi.max(i);
        self.n += 1;
        self.sum_ns += v_ns as u128;
    }

    /// Number of values recorded.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Mean in nanoseconds (exact), `None` when empty.
    pub fn mean_ns(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum_ns as f64 / self.n as f64)
    }

    /// Nearest-rank percentile `p` (0–100) in nanoseconds, reported as the
    /// midpoint of its bucket; `None` when empty.
    ///
    /// ```
    /// let mut h = sim_core::metrics::LatencyHistogram::new();
    /// for v in 1..=1000u64 { h.record(v * 1_000_000); }
    /// let p99 = h.percentile_ns(99.0).unwrap();
    /// assert!((p99 / 990e6 - 1.0).abs() < 0.005);
    /// ```
    pub fn percentile_ns(&self, p: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((p / 100.0 * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0u64;
        for i in self.lo..=self.hi {
            seen += self.counts[i] as u64;
            if seen >= rank {
                let (low, width) = Self::bucket(i);
                return Some(low as f64 + (width - 1) as f64 / 2.0);
            }
        }
        None
    }

    /// Empties the histogram, touching only the buckets that were used.
    pub fn clear(&mut self) {
        if self.lo <= self.hi {
            self.counts[self.lo..=self.hi].fill(0);
        }
        self.lo = BUCKETS;
        self.hi = 0;
        self.n = 0;
        self.sum_ns = 0;
    }
}

/// Latency of successful logical requests, from first send to the successful
/// completion, in milliseconds. Serialised with the reference program's keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Successful logical requests.
    pub n: u64,
    /// Median.
    pub p50_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// 99.9th percentile.
    pub p999_ms: Option<f64>,
    /// Mean (exact).
    pub mean_ms: Option<f64>,
}

impl LatencySummary {
    /// Summarises a histogram of nanosecond latencies.
    pub fn of(h: &LatencyHistogram) -> LatencySummary {
        let ms = |ns: Option<f64>| ns.map(|v| v / 1e6);
        LatencySummary {
            n: h.len(),
            p50_ms: ms(h.percentile_ns(50.0)),
            p99_ms: ms(h.percentile_ns(99.0)),
            p999_ms: ms(h.percentile_ns(99.9)),
            mean_ms: ms(h.mean_ns()),
        }
    }
}

/// Queueing delay of attempts that began service, beside Erlang C for one
/// node fed its share of the base rate (no spike, no retries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueingSummary {
    /// Mean wait in the queue before service, ms.
    pub sim_mean_wait_ms: Option<f64>,
    /// Share of attempts that waited at all.
    pub sim_p_wait: Option<f64>,
    /// Offered load per node, `rate / nodes × service mean` (Erlangs).
    pub erlang_c_offered_load_per_node: f64,
    /// Utilisation per worker, offered load / workers.
    pub erlang_c_utilisation: f64,
    /// Erlang C probability of waiting; `None` when unstable.
    pub erlang_c_p_wait: Option<f64>,
    /// Erlang C mean wait, ms; `None` when unstable.
    pub erlang_c_mean_wait_ms: Option<f64>,
}

/// Accumulates queueing delays.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct WaitStats {
    pub sum_ns: u128,
    pub n: u64,
    pub positive: u64,
}

impl WaitStats {
    #[inline]
    pub fn record(&mut self, wait_ns: u64) {
        self.sum_ns += wait_ns as u128;
        self.n += 1;
        self.positive += (wait_ns > 0) as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_relative_error_is_small_everywhere() {
        // Every bucket's midpoint is within 0.2% of any value it holds.
        let mut v = 1u64;
        while v < (1u64 << 50) {
            for probe in [v, v + v / 3, v + v / 2 + 7] {
                let (low, width) = LatencyHistogram::bucket(LatencyHistogram::index(probe));
                assert!(low <= probe && probe < low + width, "{probe} not in [{low}, +{width})");
                let mid = low as f64 + (width - 1) as f64 / 2.0;
                assert!((mid - probe as f64).abs() / probe as f64 <= 0.002, "{probe}");
            }
            v = v * 3 + 1;
        }
    }

    #[test]
    fn histogram_percentiles_match_exact_nearest_rank() {
        let mut h = LatencyHistogram::new();
        let mut xs: Vec<u64> = (0..10_000u64).map(|i| (i * 7919 % 10_007) * 123_457 + 1).collect();
        for &x in &xs {
            h.record(x);
        }
        xs.sort_unstable();
        for p in [50.0, 90.0, 99.0, 99.9] {
            let k = ((p / 100.0 * xs.len() as f64).ceil() as usize).max(1) - 1;
            let exact = xs[k] as f64;
            let got = h.percentile_ns(p).unwrap();
            assert!((got / exact - 1.0).abs() < 0.005, "p{p}: {got} vs {exact}");
        }
        h.clear();
        assert!(h.is_empty());
        assert_eq!(h.percentile_ns(50.0), None);
    }
}
