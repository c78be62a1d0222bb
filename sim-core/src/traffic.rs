//! The arrival process: Poisson with a piecewise-constant rate.

use crate::config::TrafficConfig;
use crate::rng::Stream;
use crate::time::secs_to_nanos;

/// One stretch of constant arrival rate, `[t0, t1)` in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    t0: u64,
    t1: u64,
    rate_per_s: f64,
}

/// A traffic profile: base rate with an optional spike window.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Traffic {
    segments: Vec<Segment>,
}

impl Traffic {
    /// Segments covering `[0, duration)`, clamped as the reference does:
    /// the spike window is cut to the run and empty pieces are dropped.
    pub fn new(t: &TrafficConfig) -> Traffic {
        let end = secs_to_nanos(t.duration_s);
        let segments = if t.spike_mult == 1.0 {
            vec![Segment { t0: 0, t1: end, rate_per_s: t.rate_per_s }]
        } else {
            let s0 = t.spike_start_s.clamp(0.0, t.duration_s);
            let s1 = t.spike_end_s.max(s0).min(t.duration_s);
            let (n0, n1) = (secs_to_nanos(s0), secs_to_nanos(s1));
            [(0, n0, t.rate_per_s), (n0, n1, t.rate_per_s * t.spike_mult), (n1, end, t.rate_per_s)]
                .into_iter()
                .filter(|&(a, b, _)| b > a)
                .map(|(t0, t1, rate_per_s)| Segment { t0, t1, rate_per_s })
                .collect()
        };
        Traffic { segments }
    }

    /// The next arrival at or after `now`, or `None` once past the
    /// last segment. An exponential gap that would cross a segment boundary is
    /// discarded and redrawn from the boundary with the next rate: gaps are
    /// memoryless, so this is exact (and it is what the reference does).
    pub fn next_arrival(&self, now: u64, rng: &mut Stream) -> Option<u64> {
        let mut t = now;
        for seg in self.segments.iter().filter(|s| s.t1 > now) {
            t = t.max(seg.t0);
            if seg.rate_per_s <= 0.0 {
                continue;
            }
            let gap = secs_to_nanos(rng.exp(1.0 / seg.rate_per_s));
            if t.saturating_add(gap) < seg.t1 {
                return Some(t + gap);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spike_is_clamped_to_the_run() {
        let cfg = TrafficConfig { spike_mult: 2.0, spike_start_s: 50.0, spike_end_s: 90.0, ..Default::default() };
        let t = Traffic::new(&cfg);
        assert_eq!(t.segments.len(), 2);
        assert_eq!(t.segments[1].t1, 60_000_000_000);
        assert_eq!(t.segments[1].rate_per_s, 20_000.0);
    }

    #[test]
    fn zero_rate_segment_is_skipped() {
        let cfg = TrafficConfig { spike_mult: 0.0, spike_start_s: 0.0, spike_end_s: 10.0, ..Default::default() };
        let t = Traffic::new(&cfg);
        let mut rng = Stream::new(1, "arrivals");
        let next = t.next_arrival(0, &mut rng).unwrap();
        assert!(next >= 10_000_000_000);
    }

    #[test]
    fn rate_is_respected() {
        let cfg = TrafficConfig { rate_per_s: 1000.0, duration_s: 100.0, ..Default::default() };
        let t = Traffic::new(&cfg);
        let mut rng = Stream::new(5, "arrivals");
        let (mut now, mut n) = (0, 0u32);
        while let Some(next) = t.next_arrival(now, &mut rng) {
            now = next;
            n += 1;
        }
        assert!((99_000..101_000).contains(&n), "{n}");
    }
}
