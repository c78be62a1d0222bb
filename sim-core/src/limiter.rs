//! Adaptive concurrency limits, after Netflix's `concurrency-limits`
//! library (<https://github.com/Netflix/concurrency-limits>, package
//! `com.netflix.concurrency.limits.limit`). Today's fixed limit
//! (`shedding.concurrency_limit`) stays in [`crate::policy::NodePolicy`],
//! untouched; with `limiter.adaptive` on, each node's limit is one of these
//! instead, read at the same admission check ([`crate::node::Node::admit`]).
//!
//! Each attempt a node finishes is a sample: its time at the node (from
//! arrival to answer: queueing, service and calls), the attempts the node
//! held when it finished (itself included), and whether it was dropped
//! (its client had given up). The library feeds its limit the same triple
//! (`onSample(startTime, rtt, inflight, didDrop)`) for every request.

use crate::config::{LimitAlgorithm, LimiterConfig};
use crate::time::secs_to_nanos;

/// One node's adaptive limit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Limiter {
    /// `AIMDLimit`.
    Aimd(Aimd),
    /// `Gradient2Limit`.
    Gradient2(Gradient2),
}

impl Limiter {
    pub fn new(c: &LimiterConfig) -> Limiter {
        match c.algorithm {
            LimitAlgorithm::Aimd => Limiter::Aimd(Aimd::new(c)),
            LimitAlgorithm::Gradient2 => Limiter::Gradient2(Gradient2::new(c)),
        }
    }

    /// The limit now, attempts held.
    #[inline]
    pub fn limit(&self) -> u64 {
        match self {
            Limiter::Aimd(a) => a.limit as u64,
            Limiter::Gradient2(g) => g.estimated as u64,
        }
    }

    /// One finished attempt: `rtt_ns` at the node, `inflight` held,
    /// `dropped` when its client no longer waited.
    pub fn sample(&mut self, rtt_ns: u64, inflight: u64, dropped: bool) {
        match self {
            Limiter::Aimd(a) => a.sample(rtt_ns, inflight, dropped),
            Limiter::Gradient2(g) => g.sample(rtt_ns, inflight),
        }
    }

    /// Takes new settings, keeping the limit reached (within the new
    /// bounds) when the algorithm is the same.
    pub fn update(&mut self, c: &LimiterConfig) {
        let kept = self.limit() as f64;
        *self = match std::mem::replace(self, Limiter::new(c)) {
            Limiter::Aimd(_) if c.algorithm == LimitAlgorithm::Aimd => {
                Limiter::Aimd(Aimd { limit: (kept as u32).clamp(c.min_limit, c.max_limit), ..Aimd::new(c) })
            }
            Limiter::Gradient2(g) if c.algorithm == LimitAlgorithm::Gradient2 => Limiter::Gradient2(Gradient2 {
                estimated: kept.clamp(c.min_limit as f64, c.max_limit as f64),
                long_rtt: g.long_rtt,
                ..Gradient2::new(c)
            }),
            _ => Limiter::new(c),
        };
    }
}

/// `AIMDLimit`: on a drop, or a sample slower than the timeout, the limit
/// becomes `floor(limit × backoff_ratio)`; otherwise, while the node holds
/// at least half its limit, it grows by one. Always within
/// `[min_limit, max_limit]`. Builder defaults: initial 20, min 20, max 200,
/// backoff ratio 0.9, timeout 5 s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Aimd {
    limit: u32,
    min: u32,
    max: u32,
    backoff_ratio: f64,
    timeout_ns: u64,
}

impl Aimd {
    fn new(c: &LimiterConfig) -> Aimd {
        Aimd {
            limit: c.initial_limit.clamp(c.min_limit, c.max_limit),
            min: c.min_limit,
            max: c.max_limit,
            backoff_ratio: c.backoff_ratio,
            timeout_ns: secs_to_nanos(c.timeout_ms / 1000.0),
        }
    }

    fn sample(&mut self, rtt_ns: u64, inflight: u64, dropped: bool) {
        let limit = if dropped || rtt_ns > self.timeout_ns {
            (self.limit as f64 * self.backoff_ratio) as u32
        } else if inflight * 2 >= self.limit as u64 {
            self.limit + 1
        } else {
            self.limit
        };
        self.limit = limit.clamp(self.min, self.max);
    }
}

/// `Gradient2Limit`. It keeps a long-term exponential average of the RTT
/// (window `long_window` samples, a plain mean over the first 10) and
/// compares each new sample with it:
/// `gradient = clamp(rtt_tolerance × long / rtt, 0.5, 1)`,
/// `new = limit × gradient + queue_size`, smoothed as
/// `limit × (1 − smoothing) + new × smoothing`, within `[min, max]`. The
/// limit does not move while the node holds under half of it (it is not
/// the limit that holds the node back), and when the long average has
/// grown past twice the latest sample it decays by 5% a sample, so that
/// it recovers quickly after a long overload. Builder defaults: initial 20,
/// min 20, max 200, smoothing 0.2, long window 600, RTT tolerance 1.5,
/// queue size 4.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Gradient2 {
    estimated: f64,
    min: f64,
    max: f64,
    smoothing: f64,
    tolerance: f64,
    queue_size: f64,
    long_rtt: ExpAverage,
}

impl Gradient2 {
    fn new(c: &LimiterConfig) -> Gradient2 {
        Gradient2 {
            estimated: (c.initial_limit as f64).clamp(c.min_limit as f64, c.max_limit as f64),
            min: c.min_limit as f64,
            max: c.max_limit as f64,
            smoothing: c.smoothing,
            tolerance: c.rtt_tolerance,
            queue_size: c.queue_size as f64,
            long_rtt: ExpAverage::new(c.long_window),
        }
    }

    fn sample(&mut self, rtt_ns: u64, inflight: u64) {
        // A zero RTT (a zero service time) carries no information about queueing.
        let short = rtt_ns.max(1) as f64;
        let long = self.long_rtt.add(short);
        if long / short > 2.0 {
            self.long_rtt.value *= 0.95;
        }
        if (inflight as f64) < self.estimated / 2.0 {
            return;
        }
        let gradient = (self.tolerance * long / short).clamp(0.5, 1.0);
        let new = self.estimated * gradient + self.queue_size;
        let smoothed = self.estimated * (1.0 - self.smoothing) + new * self.smoothing;
        self.estimated = smoothed.clamp(self.min, self.max);
    }
}

/// The library's `ExpAvgMeasurement`: the mean of the first `WARMUP`
/// samples, then an exponential average with factor `2 / (window + 1)`.
#[derive(Debug, Clone, PartialEq)]
struct ExpAverage {
    value: f64,
    sum: f64,
    count: u32,
    factor: f64,
}

/// Samples averaged plainly before the exponential average takes over.
const WARMUP: u32 = 10;

impl ExpAverage {
    fn new(window: u32) -> ExpAverage {
        ExpAverage { value: 0.0, sum: 0.0, count: 0, factor: 2.0 / (window as f64 + 1.0) }
    }

    fn add(&mut self, sample: f64) -> f64 {
        if self.count < WARMUP {
            self.count += 1;
            self.sum += sample;
            self.value = self.sum / self.count as f64;
        } else {
            self.value = self.value * (1.0 - self.factor) + sample * self.factor;
        }
        self.value
    }
}

/// A service's adaptive limits: one per node slot, and when each job in
/// service arrived (by job slot), to time its sample.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TierLimits {
    nodes: Vec<NodeLimit>,
}

#[derive(Debug, Clone, PartialEq)]
struct NodeLimit {
    limiter: Limiter,
    arrived: Vec<u64>,
}

impl TierLimits {
    /// Limits for `slots` nodes, each at the initial limit.
    pub fn new(c: &LimiterConfig, slots: u32) -> TierLimits {
        let node = NodeLimit { limiter: Limiter::new(c), arrived: Vec::new() };
        TierLimits { nodes: vec![node; slots as usize] }
    }

    /// Local node `i`'s limit now.
    #[inline]
    pub fn limit(&self, i: u32) -> u64 {
        self.nodes[i as usize].limiter.limit()
    }

    /// The job in `slot` of local node `i` arrived at `at` ns.
    #[inline]
    pub fn started(&mut self, i: u32, slot: u32, at: u64) {
        let arrived = &mut self.nodes[i as usize].arrived;
        if arrived.len() <= slot as usize {
            arrived.resize(slot as usize + 1, 0);
        }
        arrived[slot as usize] = at;
    }

    /// The job in `slot` of local node `i` finished at `now`, the node then
    /// holding `inflight` attempts besides it.
    pub fn finished(&mut self, i: u32, slot: u32, now: u64, inflight: u64, dropped: bool) {
        let n = &mut self.nodes[i as usize];
        let rtt = now.saturating_sub(n.arrived.get(slot as usize).copied().unwrap_or(now));
        n.limiter.sample(rtt, inflight + 1, dropped);
    }

    /// Takes new settings for every node.
    pub fn update(&mut self, c: &LimiterConfig) {
        for n in &mut self.nodes {
            n.limiter.update(c);
        }
    }

    /// The mean limit of local nodes `0 .. count`.
    pub fn mean(&self, count: u32) -> f64 {
        let n = count.min(self.nodes.len() as u32);
        if n == 0 {
            return 0.0;
        }
        (0..n).map(|i| self.limit(i) as f64).sum::<f64>() / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(algorithm: LimitAlgorithm) -> LimiterConfig {
        LimiterConfig { adaptive: true, algorithm, ..LimiterConfig::default() }
    }

    #[test]
    fn aimd_grows_by_one_when_busy_and_backs_off_on_a_drop() {
        let mut l = Limiter::new(&cfg(LimitAlgorithm::Aimd));
        assert_eq!(l.limit(), 20);
        l.sample(1_000, 5, false);
        assert_eq!(l.limit(), 20, "under half the limit in use: no growth");
        for _ in 0..30 {
            l.sample(1_000, 40, false);
        }
        assert_eq!(l.limit(), 50);
        l.sample(1_000, 40, true);
        assert_eq!(l.limit(), 45, "floor(50 × 0.9)");
        l.sample(6_000_000_000, 40, false);
        assert_eq!(l.limit(), 40, "slower than the 5 s timeout counts as a drop");
        for _ in 0..100 {
            l.sample(1_000, 40, true);
        }
        assert_eq!(l.limit(), 20, "never below the minimum");
        for _ in 0..1000 {
            l.sample(1_000, 1000, false);
        }
        assert_eq!(l.limit(), 200, "never above the maximum");
    }

    #[test]
    fn gradient2_grows_while_latency_holds_and_shrinks_when_it_rises() {
        let mut l = Limiter::new(&cfg(LimitAlgorithm::Gradient2));
        for _ in 0..200 {
            l.sample(10_000_000, 1_000, false);
        }
        // At a steady RTT the gradient is 1: each sample adds 20% of the queue size.
        assert!(l.limit() >= 150, "{}", l.limit());
        let before = l.limit();
        for _ in 0..20 {
            l.sample(40_000_000, 1_000, false);
        }
        assert!(l.limit() < before * 3 / 4, "{} after {before}", l.limit());
        let mut idle = Limiter::new(&cfg(LimitAlgorithm::Gradient2));
        for _ in 0..50 {
            idle.sample(10_000_000, 2, false);
        }
        assert_eq!(idle.limit(), 20, "an app-limited node keeps its limit");
    }

    #[test]
    fn exp_average_is_a_mean_then_exponential() {
        let mut a = ExpAverage::new(600);
        for k in 1..=10 {
            a.add(k as f64);
        }
        assert_eq!(a.value, 5.5);
        let v = a.add(5.5 + 601.0 / 2.0);
        assert!((v - 6.5).abs() < 1e-9, "{v}");
    }
}
