//! Counters, per-second series and latency histograms.
//!
//! Which second an event counts in follows the reference model: the second of
//! the instant it happens (`offered` and `attempts` at send, `throughput` at
//! service completion, `goodput` at the completion the client still waited
//! for, `rejected` at the 503, `timed_out` at the client's deadline, `failed`
//! when the client gives up), clamped to the run's last bucket.

use serde::{Deserialize, Serialize};

/// Which JSON a counter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CounterKind {
    /// One of the reference program's counters: always in the JSON, in the
    /// reference's order.
    Reference,
    /// A counter of a mechanism the reference model lacks (crashes, the
    /// database, the cache…): left out of the JSON when zero (all zero for a
    /// series), so that a reference-model run's JSON stays the reference's.
    Mechanism,
}

/// Declares the counters, one row each, and generates from the table:
///
/// - [`Counter`], one variant per row with the row's doc, [`Counter::COUNT`],
///   [`Counter::ALL`] (table order), [`Counter::name`] (the row's field name:
///   the JSON key and CSV column), [`Counter::kind`] and
///   [`Counter::has_series`];
/// - [`Totals`]: the reference rows' fields, then the derived `wasted` and
///   `unresolved_at_end`, then the mechanism rows' fields (skipped in the
///   JSON when zero), then the cache's `refills`; [`Totals::get`] and
///   [`Totals::from_counts`];
/// - [`Series`]: a `Vec<u64>` per row with a per-second series, the
///   reference rows' first, then `queued`, then the mechanism rows' (skipped
///   in the JSON when all zero), then the series that are not counters;
///   [`Series::new`], [`Series::bump`], [`Series::counter`],
///   [`Series::counters`] and [`Series::counters_of`].
///
/// A row is `Variant => field, "doc", kind;` where kind is `reference`,
/// `mechanism`, or `mechanism, totals_only` for a mechanism counted in the
/// totals alone, with no per-second series. The rows are sorted into
/// buckets first (all rows, reference rows, mechanism rows, mechanism rows
/// with a series, rows without one), then the items are emitted.
macro_rules! counters {
    (@sort $all:tt $refs:tt $mechs:tt $series:tt $only:tt) => {
        counters!(@emit $all $refs $mechs $series $only);
    };
    (@sort [$($all:tt)*] [$($refs:tt)*] $mechs:tt $series:tt $only:tt
        $V:ident => $f:ident, $doc:literal, reference; $($rest:tt)*) => {
        counters!(@sort [$($all)* ($V $f $doc Reference true)] [$($refs)* ($V $f $doc)] $mechs $series $only $($rest)*);
    };
    (@sort [$($all:tt)*] $refs:tt [$($mechs:tt)*] [$($series:tt)*] $only:tt
        $V:ident => $f:ident, $doc:literal, mechanism; $($rest:tt)*) => {
        counters!(@sort [$($all)* ($V $f $doc Mechanism true)] $refs [$($mechs)* ($V $f $doc)]
            [$($series)* ($V $f $doc)] $only $($rest)*);
    };
    (@sort [$($all:tt)*] $refs:tt [$($mechs:tt)*] $series:tt [$($only:tt)*]
        $V:ident => $f:ident, $doc:literal, mechanism, totals_only; $($rest:tt)*) => {
        counters!(@sort [$($all)* ($V $f $doc Mechanism false)] $refs [$($mechs)* ($V $f $doc)] $series
            [$($only)* ($V)] $($rest)*);
    };
    (@sort $all:tt $refs:tt $mechs:tt $series:tt $only:tt $($bad:tt)*) => {
        compile_error!(concat!(
            "counters!: expected `Variant => field, \"doc\", reference | mechanism | mechanism, totals_only;`, at: ",
            stringify!($($bad)*)
        ));
    };
    (@emit [$(($V:ident $f:ident $doc:literal $kind:ident $has_series:literal))*]
        [$(($rV:ident $rf:ident $rdoc:literal))*]
        [$(($mV:ident $mf:ident $mdoc:literal))*]
        [$(($sV:ident $sf:ident $sdoc:literal))*]
        [$(($oV:ident))*]) => {
        /// A counted event. Each is counted for the run (the outside clients'
        /// view) and at the service it happens at, and lands in the second
        /// it happens in (see the module's docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Counter {
            $(#[doc = $doc] $V,)*
        }

        impl Counter {
            /// Number of counters.
            pub const COUNT: usize = [$(Counter::$V),*].len();

            /// Every counter, in the table's order.
            pub const ALL: [Counter; Counter::COUNT] = [$(Counter::$V),*];

            /// The counter's key in the JSON totals and series, and its CSV
            /// column.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Counter::$V => stringify!($f),)*
                }
            }

            /// Whether the reference program has it.
            pub const fn kind(self) -> CounterKind {
                match self {
                    $(Counter::$V => CounterKind::$kind,)*
                }
            }

            /// Whether it has a per-second series (some mechanisms are
            /// counted in the totals alone).
            pub const fn has_series(self) -> bool {
                match self {
                    $(Counter::$V => $has_series,)*
                }
            }
        }

        /// Cumulative counters, serialised with the reference program's keys
        /// in its order; the mechanisms' counters follow, left out of the
        /// JSON when zero (as in the reference model, which has none of these
        /// mechanisms).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct Totals {
            $(#[doc = $rdoc] pub $rf: u64,)*
            /// Served after the client gave up: `throughput − goodput`.
            pub wasted: u64,
            /// Logical requests neither succeeded nor failed by the end:
            /// `offered − goodput − failed`.
            pub unresolved_at_end: u64,
            $(
                #[doc = $mdoc]
                #[serde(default, skip_serializing_if = "is_zero")]
                pub $mf: u64,
            )*
            /// New values of the hot key stored: `regenerations / refills` is the
            /// number of recomputations per expiry.
            #[serde(default, skip_serializing_if = "is_zero")]
            pub refills: u64,
        }

        impl Totals {
            /// The count of `counter`.
            pub fn get(&self, counter: Counter) -> u64 {
                match counter {
                    $(Counter::$V => self.$f,)*
                }
            }

            /// The counters from an array indexed by [`Counter`]; the derived
            /// figures (`wasted`, `unresolved_at_end`) and `refills` are left
            /// zero.
            pub fn from_counts(counts: &[u64; Counter::COUNT]) -> Totals {
                Totals { $($f: counts[Counter::$V as usize],)* ..Totals::default() }
            }
        }

        /// Per-second series, struct-of-arrays, one entry per second of the run.
        /// Memory is `seconds × 17 × 8` bytes, 28 with every mechanism: under 20 MiB
        /// for a simulated day.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct Series {
            $(
                #[doc = $rdoc]
                #[doc = ""]
                #[doc = "Counted in each second."]
                pub $rf: Vec<u64>,
            )*
            /// Attempts waiting over all nodes, sampled at the start of each second.
            pub queued: Vec<u64>,
            $(
                #[doc = $sdoc]
                #[doc = ""]
                #[doc = "Counted in each second; left out of the JSON when all zero."]
                #[serde(default, skip_serializing_if = "all_zero")]
                pub $sf: Vec<u64>,
            )*
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
            /// Node counts and concurrency limits, when an autoscaler or an
            /// adaptive limit is on.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub scaling: Option<ScalingSeries>,
            /// Median latency of the successes completed in each second, ms.
            #[serde(skip)]
            pub latency_p50_ms: Vec<Option<f64>>,
            /// 99th percentile latency of the successes completed in each second, ms.
            #[serde(skip)]
            pub latency_p99_ms: Vec<Option<f64>>,
            /// 99.9th percentile latency of the successes completed in each second, ms.
            #[serde(skip)]
            pub latency_p999_ms: Vec<Option<f64>>,
            /// Median service time of the attempts served in each second, ms,
            /// whether their client still waited or not: what a server's own
            /// request timer measures (it starts when a worker takes the
            /// attempt, so time spent queued is invisible to it, and a 503
            /// never reaches it). The CPU demand under the CPU model.
            #[serde(skip)]
            pub server_p50_ms: Vec<Option<f64>>,
        }

        impl Series {
            /// Zeroed series for `seconds` seconds.
            pub fn new(seconds: usize) -> Series {
                Series {
                    $($rf: vec![0; seconds],)*
                    queued: vec![0; seconds],
                    $($sf: vec![0; seconds],)*
                    db: None,
                    node_states: None,
                    cpu: CpuSeries::new(seconds),
                    scaling: None,
                    latency_p50_ms: vec![None; seconds],
                    latency_p99_ms: vec![None; seconds],
                    latency_p999_ms: vec![None; seconds],
                    server_p50_ms: vec![None; seconds],
                }
            }

            /// Adds one to `counter` in second `sec` (already clamped); a
            /// counter without a series is left to the totals.
            #[inline]
            pub(crate) fn bump(&mut self, counter: Counter, sec: usize) {
                let v = match counter {
                    $(Counter::$rV => &mut self.$rf,)*
                    $(Counter::$sV => &mut self.$sf,)*
                    $(Counter::$oV => return,)*
                };
                v[sec] += 1;
            }

            /// The per-second series of `counter`, `None` for a counter
            /// counted in the totals alone.
            pub fn counter(&self, counter: Counter) -> Option<&[u64]> {
                match counter {
                    $(Counter::$rV => Some(&self.$rf),)*
                    $(Counter::$sV => Some(&self.$sf),)*
                    $(Counter::$oV => None,)*
                }
            }

            /// The per-second series of `counter` to change, `None` for a
            /// counter counted in the totals alone.
            pub fn counter_mut(&mut self, counter: Counter) -> Option<&mut Vec<u64>> {
                match counter {
                    $(Counter::$rV => Some(&mut self.$rf),)*
                    $(Counter::$sV => Some(&mut self.$sf),)*
                    $(Counter::$oV => None,)*
                }
            }

            /// The counters' series by name, in a fixed order, the JSON's:
            /// the reference's in its order, then the mechanisms'.
            pub fn counters(&self) -> impl Iterator<Item = (&'static str, &[u64])> + '_ {
                self.counters_of(CounterKind::Reference).chain(self.counters_of(CounterKind::Mechanism))
            }

            /// The series of the counters of one kind by name, in the order
            /// of [`Series::counters`].
            pub fn counters_of(&self, kind: CounterKind) -> impl Iterator<Item = (&'static str, &[u64])> + '_ {
                [
                    $((CounterKind::Reference, stringify!($rf), &self.$rf[..]),)*
                    $((CounterKind::Mechanism, stringify!($sf), &self.$sf[..]),)*
                ]
                .into_iter()
                .filter(move |(k, _, _)| *k == kind)
                .map(|(_, name, values)| (name, values))
            }
        }
    };
    ($($rows:tt)*) => {
        counters!(@sort [] [] [] [] [] $($rows)*);
    };
}

counters! {
    Offered => offered, "Logical requests that arrived.", reference;
    Attempts => attempts, "Attempts sent, first tries and retries.", reference;
    Throughput => throughput, "Attempts whose service completed, whether the client still waited or not.", reference;
    Goodput => goodput, "Logical requests that succeeded: served before the attempt's timeout.", reference;
    Rejected => rejected, "Attempts turned away with a 503 because the node was full.", reference;
    TimedOut => timed_out, "Attempts the client stopped waiting for.", reference;
    Failed => failed, "Logical requests that used up all their attempts.", reference;
    Errors => errors, "Attempts that ended in an error the client saw: refused by a crashed node, lost in a crash \
        while the client waited, or failed for want of a database connection.", mechanism;
    Refused => refused, "Attempts sent to a crashed node.", mechanism, totals_only;
    Lost => lost, "Attempts a crash destroyed (queued or in service), whether or not their client still waited.",
        mechanism, totals_only;
    Dropped => dropped, "Queued attempts dropped unserved because their client's deadline had passed \
        (`shedding.drop_expired`).", mechanism;
    Crashes => crashes, "Node crashes, scripted or from memory exhaustion.", mechanism;
    DbTimeouts => db_timeouts, "Attempts that failed waiting for a database connection.", mechanism;
    CacheHits => cache_hits, "Cache reads that found their key fresh.", mechanism;
    CacheMisses => cache_misses, "Cache reads that found their key missing or stale (recomputing or joining).", mechanism;
    Regenerations => regenerations, "Recomputations of a cached key started.", mechanism;
    BudgetSuppressed => budget_suppressed, "Retries not sent because the edge's retry budget was spent \
        (`client.budget`).", mechanism;
    ThrottleSuppressed => throttle_suppressed, "Retries and hedges not sent because gRPC retry throttling's \
        tokens were at or below half (`client.throttle`).", mechanism;
    AdaptiveRejected => adaptive_rejected, "Attempts rejected locally, unsent, by client-side adaptive \
        throttling (`client.adaptive`).", mechanism;
    BreakerRejected => breaker_rejected, "Attempts rejected locally, unsent, by an open or half-open circuit \
        breaker (`client.breaker`).", mechanism;
    BreakerTrips => breaker_trips, "Circuit breakers opening, from closed or after failed probes.", mechanism;
    BreakerOpen => breaker_open, "Circuit breakers open at the start of each second (summed over the run: \
        breaker-seconds open).", mechanism;
    Hedges => hedges, "Hedged attempts sent (`client.hedge`).", mechanism;
    HedgeWins => hedge_wins, "Hedged requests whose hedge answered first.", mechanism;
    HedgesCancelled => hedges_cancelled, "Attempts cancelled because the other attempt of their hedged pair \
        answered first.", mechanism;
    RateLimited => rate_limited, "Attempts answered at once with a 429 by a service's rate limiter (`rate_limit`); \
        clients retry them like 503s.", mechanism;
    LimitRejected => limit_rejected, "Of the `rejected` attempts, those turned away by a node's adaptive concurrency \
        limit (`limiter`).", mechanism;
    ScaleUps => scale_ups, "Nodes the autoscaler asked for (`autoscaler`).", mechanism;
    ScaleDowns => scale_downs, "Nodes the autoscaler removed, or cancelled before they served (`autoscaler`).", mechanism;
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn all_zero(v: &[u64]) -> bool {
    v.iter().all(|&x| x == 0)
}

impl Series {
    /// Number of seconds covered.
    pub fn len(&self) -> usize {
        self.queued.len()
    }

    /// True for a zero-length run.
    pub fn is_empty(&self) -> bool {
        self.queued.is_empty()
    }

    /// The reference program's series by name, in its order: its counters,
    /// then `queued` (the series its window means cover).
    pub fn named(&self) -> impl Iterator<Item = (&'static str, &[u64])> + '_ {
        self.counters_of(CounterKind::Reference).chain([("queued", &self.queued[..])])
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

/// The server-side defences' state, sampled at the start of each second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingSeries {
    /// Nodes serving (in rotation or draining out of it excluded), over the
    /// services covered.
    pub nodes: Vec<u64>,
    /// Nodes the autoscaler asked for that do not serve yet (provisioning).
    pub pending: Vec<u64>,
    /// Mean adaptive concurrency limit of the serving nodes with one,
    /// attempts (0 without an adaptive limit).
    pub limit: Vec<f64>,
}

impl ScalingSeries {
    /// Zeroed series for `seconds` seconds.
    pub fn new(seconds: usize) -> ScalingSeries {
        ScalingSeries { nodes: vec![0; seconds], pending: vec![0; seconds], limit: vec![0.0; seconds] }
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
        self.percentiles_ns([p])[0]
    }

    /// Several nearest-rank percentiles at once (the per-second series ask
    /// for three each second), each as [`LatencyHistogram::percentile_ns`]
    /// gives it. Each walks from the nearer end of the used buckets: a
    /// tail percentile from the top, through the few values above it.
    pub fn percentiles_ns<const N: usize>(&self, ps: [f64; N]) -> [Option<f64>; N] {
        if self.n == 0 {
            return [None; N];
        }
        ps.map(|p| {
            let rank = ((p / 100.0 * self.n as f64).ceil() as u64).clamp(1, self.n);
            let i = if rank > self.n / 2 { self.bucket_from_top(rank) } else { self.bucket_from_bottom(rank) };
            let (low, width) = Self::bucket(i);
            Some(low as f64 + (width - 1) as f64 / 2.0)
        })
    }

    /// The first bucket whose count with those below reaches `rank`.
    fn bucket_from_bottom(&self, rank: u64) -> usize {
        let mut seen = 0u64;
        for i in self.lo..self.hi {
            seen += self.counts[i] as u64;
            if seen >= rank {
                return i;
            }
        }
        self.hi
    }

    /// The same bucket found from the top: the lowest bucket with at most
    /// `n − rank` values above it (then its own count reaches `rank`).
    fn bucket_from_top(&self, rank: u64) -> usize {
        let allowed_above = self.n - rank;
        let (mut i, mut above) = (self.hi, 0u64);
        while i > self.lo && above + self.counts[i] as u64 <= allowed_above {
            above += self.counts[i] as u64;
            i -= 1;
        }
        i
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
        let [p50, p99, p999] = h.percentiles_ns([50.0, 99.0, 99.9]);
        LatencySummary { n: h.len(), p50_ms: ms(p50), p99_ms: ms(p99), p999_ms: ms(p999), mean_ms: ms(h.mean_ns()) }
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

    /// The keys of a serialised struct of numbers and arrays, in order
    /// (sim-core's `serde_json` sorts a `Value`'s keys).
    fn keys<T: Serialize>(v: &T) -> Vec<String> {
        let text = serde_json::to_string(v).unwrap();
        text.split('"').skip(1).step_by(2).map(String::from).collect()
    }

    #[test]
    fn counters_have_distinct_names_and_a_totals_field_each() {
        let mut names: Vec<&str> = Counter::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Counter::COUNT);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Counter::COUNT, "two counters share a name");
        for (i, c) in Counter::ALL.into_iter().enumerate() {
            assert_eq!(c as usize, i, "ALL is in the enum's order");
            let mut counts = [0; Counter::COUNT];
            counts[c as usize] = 3;
            let t = Totals::from_counts(&counts);
            assert_eq!(t.get(c), 3);
            assert!(Counter::ALL.iter().all(|&o| o == c || t.get(o) == 0), "{}", c.name());
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(json[c.name()], 3, "{} in the totals' JSON when non-zero", c.name());
            // Zero, a reference counter stays and a mechanism's is left out.
            let zero = serde_json::to_value(Totals::default()).unwrap();
            assert_eq!(zero.get(c.name()).is_some(), c.kind() == CounterKind::Reference, "{}", c.name());
            assert_eq!(serde_json::from_value::<Totals>(json).unwrap(), t, "{} reads back", c.name());
        }
    }

    #[test]
    fn totals_keep_the_reference_keys_and_order() {
        let reference = [
            "offered",
            "attempts",
            "throughput",
            "goodput",
            "rejected",
            "timed_out",
            "failed",
            "wasted",
            "unresolved_at_end",
        ];
        assert_eq!(keys(&Totals::default()), reference);
        let mut t = Totals::from_counts(&[1; Counter::COUNT]);
        t.refills = 1;
        let mechanisms = [
            "errors",
            "refused",
            "lost",
            "dropped",
            "crashes",
            "db_timeouts",
            "cache_hits",
            "cache_misses",
            "regenerations",
            "refills",
        ];
        let every: Vec<&str> = reference.into_iter().chain(mechanisms).collect();
        // Today's keys keep their order (a counter added later may sit among them).
        let known: Vec<String> = keys(&t).into_iter().filter(|k| every.contains(&k.as_str())).collect();
        assert_eq!(known, every);
    }

    #[test]
    fn series_hold_each_counter_with_a_series() {
        let zero = serde_json::to_value(Series::new(2)).unwrap();
        assert_eq!(
            keys(&Series::new(2)),
            ["offered", "attempts", "throughput", "goodput", "rejected", "timed_out", "failed", "queued"]
        );
        let named: Vec<&str> = Series::new(0).named().map(|(n, _)| n).collect();
        assert_eq!(named, keys(&Series::new(2)), "the window means cover the reference's series");
        let mut listed = 0;
        for c in Counter::ALL {
            let mut s = Series::new(2);
            s.bump(c, 1);
            assert_eq!(s.counter(c).is_some(), c.has_series(), "{}", c.name());
            let Some(values) = s.counter(c) else { continue };
            listed += 1;
            assert_eq!(values, [0, 1], "{}", c.name());
            let others: u64 = s.counters().filter(|(n, _)| *n != c.name()).map(|(_, v)| v.iter().sum::<u64>()).sum();
            assert_eq!(others, 0, "{} bumps its own series only", c.name());
            assert_eq!(s.counters().filter(|(n, _)| *n == c.name()).count(), 1, "{}", c.name());
            let json = serde_json::to_value(&s).unwrap();
            assert_eq!(json[c.name()], serde_json::json!([0, 1]), "{} in the series' JSON", c.name());
            assert_eq!(zero.get(c.name()).is_some(), c.kind() == CounterKind::Reference, "{}", c.name());
        }
        assert_eq!(Series::new(0).counters().count(), listed);
        let mut s = Series::new(1);
        *s.counter_mut(Counter::Goodput).unwrap() = vec![9];
        assert_eq!(s.goodput, [9]);
        assert!(s.counter_mut(Counter::Lost).is_none());
    }

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
    fn percentiles_from_either_end_equal_a_walk_from_the_bottom() {
        for size in [1u64, 2, 3, 10, 101, 5_000] {
            let mut h = LatencyHistogram::new();
            for i in 0..size {
                h.record((i * 104_729 % 9_973) * 1_000 + i % 7);
            }
            check_percentiles_against_full_walk(&h);
        }
        assert_eq!(LatencyHistogram::new().percentiles_ns([50.0, 99.0]), [None, None]);
    }

    fn check_percentiles_against_full_walk(h: &LatencyHistogram) {
        // Each percentile on its own, over every bucket from the first.
        let alone = |p: f64| {
            let rank = ((p / 100.0 * h.n as f64).ceil() as u64).clamp(1, h.n);
            let mut seen = 0u64;
            let i = (0..BUCKETS).find(|&i| {
                seen += h.counts[i] as u64;
                seen >= rank
            })?;
            let (low, width) = LatencyHistogram::bucket(i);
            Some(low as f64 + (width - 1) as f64 / 2.0)
        };
        let ps = [0.0, 1.0, 50.0, 50.0, 99.0, 99.9, 100.0];
        let one = h.percentiles_ns(ps);
        for (k, p) in ps.into_iter().enumerate() {
            assert!(one[k].is_some());
            assert_eq!(one[k], alone(p), "p{p} of {}", h.n);
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
