//! The arrival process: a non-homogeneous Poisson process whose rate is
//! piecewise constant, linear or sinusoidal in time.
//!
//! Constant stretches draw exponential gaps directly. Stretches whose rate
//! varies use thinning (Lewis and Shedler, "Simulation of nonhomogeneous
//! Poisson processes by thinning", Naval Research Logistics Quarterly 26(3),
//! 1979): candidates come at the stretch's highest rate and each is kept with
//! probability `λ(t)/λmax`, which yields exactly the process of rate `λ(t)`.

use crate::config::{TrafficConfig, TrafficShape};
use crate::rng::Stream;
use crate::time::{secs_to_nanos, NANOS_PER_SEC};

/// Most segments one profile may hold. A burst takes at most two (the burst
/// and the gap after it); with `period_s ≥ 1` and `duration_s ≤ 86,400`, as
/// validation enforces, a run holds at most 86,400 bursts, so 172,801
/// segments (about 8 MiB) at worst. Past the cap the rate stays at the base.
const MAX_SEGMENTS: usize = 200_000;

/// How the rate varies within one segment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rate {
    /// The same rate throughout, per second.
    Constant(f64),
    /// From `r0` at the segment's start to `r1` at its end, per second.
    Linear { r0: f64, r1: f64 },
    /// `base × (1 + amplitude × sin(2π t / period_s))` with `t` the run's
    /// time in seconds, so the phase does not depend on where segments start.
    Sine { base: f64, amplitude: f64, period_s: f64 },
}

/// One stretch of the profile, `[t0, t1)` in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    t0: u64,
    t1: u64,
    rate: Rate,
}

impl Segment {
    /// The rate at `t` (nanoseconds, inside the segment), per second.
    fn rate_at(&self, t: u64) -> f64 {
        match self.rate {
            Rate::Constant(r) => r,
            Rate::Linear { r0, r1 } => r0 + (r1 - r0) * ((t - self.t0) as f64 / (self.t1 - self.t0) as f64),
            Rate::Sine { base, amplitude, period_s } => {
                let t_s = t as f64 / NANOS_PER_SEC as f64;
                base * (1.0 + amplitude * libm::sin(2.0 * core::f64::consts::PI * t_s / period_s))
            }
        }
    }

    /// An upper bound of the rate over the segment: the thinning envelope.
    fn max_rate(&self) -> f64 {
        match self.rate {
            Rate::Constant(r) => r,
            Rate::Linear { r0, r1 } => r0.max(r1),
            Rate::Sine { base, amplitude, .. } => base * (1.0 + amplitude),
        }
    }
}

/// Profiles with at most this many segments, all constant, take the short
/// scan of [`Traffic::next_constant`].
const FEW_SEGMENTS: usize = 4;

/// A traffic profile: contiguous segments covering `[0, duration)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Traffic {
    segments: Vec<Segment>,
    /// A few constant segments: the short scan applies.
    few_constant: bool,
}

impl Traffic {
    /// The profile of `t.shape` (see [`TrafficShape`] for each shape's rate).
    pub fn new(t: &TrafficConfig) -> Traffic {
        let segments = match t.shape {
            TrafficShape::Spike => return Traffic::of(spike_segments(t)),
            TrafficShape::Constant => vec![(0.0, t.duration_s, Rate::Constant(t.rate_per_s))],
            TrafficShape::Step => {
                ramp_pieces(t.rate_per_s, t.rate_per_s * t.spike_mult, t.spike_start_s, t.spike_start_s, t.duration_s)
            }
            TrafficShape::Ramp => {
                ramp_pieces(t.rate_per_s, t.rate_per_s * t.spike_mult, t.spike_start_s, t.spike_end_s, t.duration_s)
            }
            TrafficShape::Tenfold => {
                ramp_pieces(t.rate_per_s, 10.0 * t.rate_per_s, t.spike_start_s, t.spike_start_s + 60.0, t.duration_s)
            }
            TrafficShape::Diurnal if t.amplitude > 0.0 => {
                let rate = Rate::Sine { base: t.rate_per_s, amplitude: t.amplitude, period_s: t.period_s };
                vec![(0.0, t.duration_s, rate)]
            }
            TrafficShape::Diurnal => vec![(0.0, t.duration_s, Rate::Constant(t.rate_per_s))],
            TrafficShape::Bursts => burst_pieces(t),
        };
        Traffic::of(to_segments(segments))
    }

    /// The next arrival at or after `now`, or `None` once past the last
    /// segment. It depends only on `now`, not on earlier draws, so a live
    /// change of profile redraws the next arrival from the current instant.
    ///
    /// In a constant segment, an exponential gap that would cross the
    /// segment's end is discarded and redrawn from the boundary with the next
    /// rate: gaps are memoryless, so this is exact (and it is what the
    /// reference does). In a varying segment the candidates of the thinning
    /// are discarded the same way at its end.
    fn of(segments: Vec<Segment>) -> Traffic {
        let few_constant =
            segments.len() <= FEW_SEGMENTS && segments.iter().all(|s| matches!(s.rate, Rate::Constant(_)));
        Traffic { segments, few_constant }
    }

    #[inline(always)]
    pub fn next_arrival(&self, now: u64, rng: &mut Stream) -> Option<u64> {
        if self.few_constant {
            return self.next_constant(now, rng);
        }
        self.next_varying(now, rng)
    }

    /// The reference model's own path, for a few constant segments (the
    /// spike shape): a short scan from the start, one draw per segment
    /// tried. It draws exactly what [`Traffic::next_varying`] draws.
    #[inline(always)]
    fn next_constant(&self, now: u64, rng: &mut Stream) -> Option<u64> {
        let mut t = now;
        for seg in self.segments.iter().filter(|s| s.t1 > now) {
            t = t.max(seg.t0);
            let Rate::Constant(r) = seg.rate else { continue };
            if r <= 0.0 {
                continue;
            }
            let gap = secs_to_nanos(rng.exp(1.0 / r));
            if t.saturating_add(gap) < seg.t1 {
                return Some(t + gap);
            }
        }
        None
    }

    /// Any profile: the first segment found by binary search, then thinning
    /// on the varying ones.
    #[inline(never)]
    fn next_varying(&self, now: u64, rng: &mut Stream) -> Option<u64> {
        let mut t = now;
        let first = self.segments.partition_point(|s| s.t1 <= now);
        for seg in &self.segments[first..] {
            t = t.max(seg.t0);
            let found = match seg.rate {
                Rate::Constant(r) if r > 0.0 => {
                    let gap = secs_to_nanos(rng.exp(1.0 / r));
                    let next = t.saturating_add(gap);
                    (next < seg.t1).then_some(next)
                }
                Rate::Constant(_) => None,
                _ => thin(seg, t, rng),
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// The offered rate at `t_s` seconds into the run, per second: what the
    /// traffic chart draws as the load the clients mean to send. Zero before
    /// the start and from the end of the run on.
    pub fn rate_at(&self, t_s: f64) -> f64 {
        if t_s.is_nan() || t_s < 0.0 {
            return 0.0;
        }
        let t = secs_to_nanos(t_s);
        let i = self.segments.partition_point(|s| s.t1 <= t);
        match self.segments.get(i) {
            Some(seg) if seg.t0 <= t => seg.rate_at(t),
            _ => 0.0,
        }
    }
}

/// Thinning within one segment from `t`: candidates at the segment's highest
/// rate, each kept with probability `λ(t)/λmax` using one more uniform from
/// the same stream (Lewis and Shedler 1979, algorithm 1). `None` when the
/// next candidate falls past the segment.
fn thin(seg: &Segment, mut t: u64, rng: &mut Stream) -> Option<u64> {
    let max = seg.max_rate();
    if max <= 0.0 {
        return None;
    }
    loop {
        t = t.saturating_add(secs_to_nanos(rng.exp(1.0 / max)));
        if t >= seg.t1 {
            return None;
        }
        if rng.uniform() * max < seg.rate_at(t) {
            return Some(t);
        }
    }
}

/// Today's spike profile, built exactly as before shapes existed so that its
/// arrivals stay bit-identical: the spike window is cut to the run and empty
/// pieces are dropped, as the reference does.
fn spike_segments(t: &TrafficConfig) -> Vec<Segment> {
    let end = secs_to_nanos(t.duration_s);
    if t.spike_mult == 1.0 {
        return vec![Segment { t0: 0, t1: end, rate: Rate::Constant(t.rate_per_s) }];
    }
    let s0 = t.spike_start_s.clamp(0.0, t.duration_s);
    let s1 = t.spike_end_s.max(s0).min(t.duration_s);
    let (n0, n1) = (secs_to_nanos(s0), secs_to_nanos(s1));
    [(0, n0, t.rate_per_s), (n0, n1, t.rate_per_s * t.spike_mult), (n1, end, t.rate_per_s)]
        .into_iter()
        .filter(|&(a, b, _)| b > a)
        .map(|(t0, t1, r)| Segment { t0, t1, rate: Rate::Constant(r) })
        .collect()
}

/// Pieces `(from_s, to_s, rate)` of a rate that is `r0` until `a_s`, moves
/// linearly to `r1` at `b_s`, then stays at `r1`, cut to `[0, duration_s]`.
/// A ramp cut by the end of the run stops at the rate it has reached; with
/// `b_s ≤ a_s` it is a step at `a_s`.
fn ramp_pieces(r0: f64, r1: f64, a_s: f64, b_s: f64, duration_s: f64) -> Vec<(f64, f64, Rate)> {
    let a = a_s.clamp(0.0, duration_s);
    let b = b_s.clamp(a, duration_s);
    let at = |x: f64| if b_s > a_s { r0 + (r1 - r0) * ((x - a_s) / (b_s - a_s)) } else { r1 };
    vec![
        (0.0, a, Rate::Constant(r0)),
        (a, b, Rate::Linear { r0: at(a), r1: at(b) }),
        (b, duration_s, Rate::Constant(r1)),
    ]
}

/// Pieces of the bursts shape: the base rate, and from `spike_start_s` on,
/// every `period_s`, a burst of `spike_end_s − spike_start_s` (at most one
/// period) at `base × spike_mult`.
fn burst_pieces(t: &TrafficConfig) -> Vec<(f64, f64, Rate)> {
    let (base, high) = (Rate::Constant(t.rate_per_s), Rate::Constant(t.rate_per_s * t.spike_mult));
    let len = (t.spike_end_s - t.spike_start_s).min(t.period_s);
    let start = t.spike_start_s.clamp(0.0, t.duration_s);
    let mut pieces = vec![(0.0, start, base)];
    let mut k = 0u32;
    while len > 0.0 && pieces.len() + 2 <= MAX_SEGMENTS {
        // Both ends from `k`, so that one burst's next start is bit for bit
        // the start the following iteration computes: no gap, no overlap.
        let b0 = t.spike_start_s + k as f64 * t.period_s;
        if b0 >= t.duration_s {
            break;
        }
        let next = (t.spike_start_s + (k + 1) as f64 * t.period_s).min(t.duration_s);
        let b1 = (b0 + len).min(next);
        pieces.push((b0, b1, high));
        pieces.push((b1, next, base));
        k += 1;
    }
    let last = pieces.last().map_or(0.0, |p| p.1);
    pieces.push((last, t.duration_s, base));
    pieces
}

/// Turns pieces in seconds into segments in nanoseconds: empty pieces go,
/// linear pieces with equal ends become constant, and neighbouring constant
/// pieces of the same rate merge (fewer boundaries, fewer discarded draws).
fn to_segments(pieces: Vec<(f64, f64, Rate)>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::with_capacity(pieces.len());
    for (a, b, rate) in pieces {
        let (t0, t1) = (secs_to_nanos(a), secs_to_nanos(b));
        if t1 <= t0 {
            continue;
        }
        let rate = match rate {
            Rate::Linear { r0, r1 } if r0 == r1 => Rate::Constant(r0),
            other => other,
        };
        match out.last_mut() {
            Some(prev) if prev.rate == rate && matches!(rate, Rate::Constant(_)) && prev.t1 == t0 => prev.t1 = t1,
            _ => out.push(Segment { t0, t1, rate }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// Every arrival of a profile from the start, seed 42.
    fn arrivals(t: &Traffic) -> Vec<u64> {
        let mut rng = Stream::new(42, "arrivals");
        let (mut now, mut out) = (0, Vec::new());
        while let Some(next) = t.next_arrival(now, &mut rng) {
            out.push(next);
            now = next;
        }
        out
    }

    /// The base of the long-run tests: 100 req/s for 600 s, the window from
    /// 100 s to 200 s, ×4, a period of 120 s and an amplitude of 0.8.
    fn long(shape: TrafficShape) -> TrafficConfig {
        TrafficConfig {
            rate_per_s: 100.0,
            duration_s: 600.0,
            shape,
            spike_mult: 4.0,
            spike_start_s: 100.0,
            spike_end_s: 200.0,
            period_s: 120.0,
            amplitude: 0.8,
            ..TrafficConfig::default()
        }
    }

    /// `∫ rate_at` over `[a, b)` seconds by the midpoint rule on a 1 ms grid
    /// (exact on the piecewise-constant shapes, whose ends lie on the grid).
    fn integral(t: &Traffic, a: f64, b: f64) -> f64 {
        let steps = ((b - a) * 1000.0).round() as u64;
        (0..steps).map(|i| t.rate_at(a + (i as f64 + 0.5) / 1000.0)).sum::<f64>() / 1000.0
    }

    #[test]
    fn spike_is_clamped_to_the_run() {
        let cfg = TrafficConfig { spike_mult: 2.0, spike_start_s: 50.0, spike_end_s: 90.0, ..Default::default() };
        let t = Traffic::new(&cfg);
        assert_eq!(t.segments.len(), 2);
        assert_eq!(t.segments[1].t1, 60_000_000_000);
        assert_eq!(t.segments[1].rate, Rate::Constant(20_000.0));
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
    fn a_ramp_down_to_zero_stops_the_arrivals() {
        let cfg = TrafficConfig { shape: TrafficShape::Ramp, spike_mult: 0.0, ..Default::default() };
        let all = arrivals(&Traffic::new(&cfg));
        assert!(all.len() > 200_000 && *all.last().unwrap() < 30_000_000_000, "{}", all.len());
    }

    #[test]
    fn rate_is_respected() {
        let cfg = TrafficConfig { rate_per_s: 1000.0, duration_s: 100.0, ..Default::default() };
        let n = arrivals(&Traffic::new(&cfg)).len();
        assert!((99_000..101_000).contains(&n), "{n}");
    }

    /// Arrival counts, last arrival, FNV-1a of all arrival times and the
    /// 1,000th arrival, recorded from the engine before shapes existed (seed
    /// 42): the spike shape must keep drawing exactly these.
    #[test]
    fn spike_arrivals_are_those_recorded_before_shapes() {
        let base = TrafficConfig::default();
        let cases = [
            (base.clone(), 600_404, 59_999_990_387, 0x3174_dbfe_bc66_d723, 95_591_767),
            (
                TrafficConfig { spike_mult: 3.0, ..base.clone() },
                800_986,
                59_999_924_994,
                0xca83_9be3_a112_f2db,
                95_591_767,
            ),
            (
                TrafficConfig { spike_mult: 0.0, rate_per_s: 50.0, ..base.clone() },
                2_546,
                59_999_972_798,
                0xe8a9_137f_b93f_f56a,
                19_118_357_822,
            ),
            (
                TrafficConfig {
                    spike_mult: 2.5,
                    rate_per_s: 7.0,
                    spike_start_s: 10.0,
                    spike_end_s: 70.0,
                    duration_s: 80.0,
                    ..base
                },
                1_234,
                79_809_482_817,
                0x8a8c_cc1b_a00f_2cbd,
                60_675_501_336,
            ),
        ];
        for (cfg, n, last, hash, t1000) in cases {
            let all = arrivals(&Traffic::new(&cfg));
            let h = all.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| (h ^ x).wrapping_mul(0x0000_0100_0000_01b3));
            assert_eq!((all.len(), *all.last().unwrap(), h, all[999]), (n, last, hash, t1000), "{cfg:?}");
        }
    }

    /// The algorithm before shapes, copied: segments, then an exponential gap
    /// per segment, discarded at the segment's end.
    fn old_next_arrival(t: &TrafficConfig, now: u64, rng: &mut Stream) -> Option<u64> {
        let end = secs_to_nanos(t.duration_s);
        let s0 = t.spike_start_s.clamp(0.0, t.duration_s);
        let s1 = t.spike_end_s.max(s0).min(t.duration_s);
        let (n0, n1) = (secs_to_nanos(s0), secs_to_nanos(s1));
        let segs: Vec<(u64, u64, f64)> = if t.spike_mult == 1.0 {
            vec![(0, end, t.rate_per_s)]
        } else {
            [(0, n0, t.rate_per_s), (n0, n1, t.rate_per_s * t.spike_mult), (n1, end, t.rate_per_s)]
                .into_iter()
                .filter(|&(a, b, _)| b > a)
                .collect()
        };
        let mut at = now;
        for (t0, t1, rate) in segs.into_iter().filter(|s| s.1 > now) {
            at = at.max(t0);
            if rate <= 0.0 {
                continue;
            }
            let gap = secs_to_nanos(rng.exp(1.0 / rate));
            if at.saturating_add(gap) < t1 {
                return Some(at + gap);
            }
        }
        None
    }

    #[test]
    fn spike_draws_as_the_old_algorithm_from_any_instant() {
        for (mult, start, end) in
            [(1.0, 20.0, 30.0), (3.0, 20.0, 30.0), (0.0, 5.0, 25.0), (2.0, 50.0, 90.0), (4.0, 30.0, 10.0)]
        {
            let cfg = TrafficConfig { spike_mult: mult, spike_start_s: start, spike_end_s: end, ..Default::default() };
            let t = Traffic::new(&cfg);
            for from in [0, 123_456_789, 19_999_999_999, 29_999_000_000, 59_999_999_000] {
                let (mut a, mut b) = (Stream::new(7, "arrivals"), Stream::new(7, "arrivals"));
                let (mut now_a, mut now_b) = (from, from);
                for _ in 0..1000 {
                    let (x, y) = (t.next_arrival(now_a, &mut a), old_next_arrival(&cfg, now_b, &mut b));
                    assert_eq!(x, y, "mult {mult} from {from}");
                    match x {
                        Some(x) => (now_a, now_b) = (x, x),
                        None => break,
                    }
                }
            }
        }
    }

    /// Counts arrivals in 60 s windows, redrawing the pending arrival from
    /// `now` every `redraw_s` seconds as a live change does (0: never).
    fn window_counts(t: &Traffic, seed: u64, redraw_s: f64) -> Vec<f64> {
        let mut rng = Stream::new(seed, "arrivals");
        let mut counts = vec![0.0; 10];
        let (mut now, mut check) = (0, if redraw_s > 0.0 { secs_to_nanos(redraw_s) } else { u64::MAX });
        while let Some(next) = t.next_arrival(now, &mut rng) {
            if next >= check {
                (now, check) = (check, check + secs_to_nanos(redraw_s));
                continue;
            }
            counts[(next / 60_000_000_000) as usize] += 1.0;
            now = next;
        }
        counts
    }

    #[test]
    fn every_shape_offers_its_integral_within_four_sigma() {
        for shape in TrafficShape::ALL {
            let t = Traffic::new(&long(shape));
            for (seed, redraw_s) in [(1, 0.0), (2, 7.3)] {
                let counts = window_counts(&t, seed, redraw_s);
                for (w, &n) in counts.iter().enumerate() {
                    let expected = integral(&t, 60.0 * w as f64, 60.0 * (w + 1) as f64);
                    let z = (n - expected) / expected.sqrt();
                    assert!(z.abs() < 4.0, "{shape:?} seed {seed} window {w}: {n} vs {expected:.0} (z = {z:.2})");
                }
            }
        }
    }

    #[test]
    fn expected_requests_integrate_the_rate() {
        for shape in TrafficShape::ALL {
            let cfg = Config { traffic: long(shape), ..Config::default() };
            let t = Traffic::new(&cfg.traffic);
            for from in [0.0, 150.0, 333.3] {
                let (closed, numeric) = (cfg.expected_requests_from(from), integral(&t, from, 600.0));
                assert!((closed / numeric - 1.0).abs() < 1e-6, "{shape:?} from {from}: {closed} vs {numeric}");
            }
        }
    }

    #[test]
    fn the_ramp_rises_window_by_window() {
        let cfg = TrafficConfig { rate_per_s: 1000.0, duration_s: 300.0, ..long(TrafficShape::Ramp) };
        let t = Traffic::new(&cfg);
        let mut per_10s = vec![0.0f64; 30];
        for seed in 1..=3 {
            let mut rng = Stream::new(seed, "arrivals");
            let mut now = 0;
            while let Some(next) = t.next_arrival(now, &mut rng) {
                per_10s[(next / 10_000_000_000) as usize] += 1.0 / 3.0;
                now = next;
            }
        }
        for w in 10..20 {
            assert!(per_10s[w + 1] > per_10s[w], "window {w}: {per_10s:?}");
        }
        assert!((per_10s[25] / 40_000.0 - 1.0).abs() < 0.02, "{per_10s:?}");
    }

    #[test]
    fn rate_at_follows_each_shape() {
        let at = |shape, s| Traffic::new(&long(shape)).rate_at(s);
        assert_eq!(at(TrafficShape::Spike, 150.0), 400.0);
        assert_eq!(at(TrafficShape::Spike, 250.0), 100.0);
        assert_eq!(at(TrafficShape::Constant, 150.0), 100.0);
        assert_eq!(at(TrafficShape::Step, 99.0), 100.0);
        assert_eq!(at(TrafficShape::Step, 599.0), 400.0);
        assert_eq!(at(TrafficShape::Ramp, 150.0), 250.0);
        assert_eq!(at(TrafficShape::Ramp, 500.0), 400.0);
        assert_eq!(at(TrafficShape::Tenfold, 130.0), 550.0);
        assert_eq!(at(TrafficShape::Tenfold, 300.0), 1000.0);
        assert!((at(TrafficShape::Diurnal, 30.0) - 180.0).abs() < 1e-9);
        assert!((at(TrafficShape::Diurnal, 90.0) - 20.0).abs() < 1e-9);
        assert_eq!(at(TrafficShape::Bursts, 50.0), 100.0);
        assert_eq!(at(TrafficShape::Bursts, 250.0), 400.0);
        assert_eq!(at(TrafficShape::Bursts, 330.0), 100.0);
        assert_eq!(at(TrafficShape::Bursts, 600.0), 0.0);
        assert_eq!(at(TrafficShape::Bursts, -1.0), 0.0);
    }

    #[test]
    fn a_ramp_cut_by_the_run_stops_where_it_got() {
        let cfg = TrafficConfig { shape: TrafficShape::Tenfold, ..Default::default() };
        let t = Traffic::new(&cfg);
        assert!((t.rate_at(59.999) - 70_000.0).abs() < 2.0, "{}", t.rate_at(59.999));
    }

    #[test]
    fn the_densest_bursts_fit_under_the_segment_cap() {
        let cfg = TrafficConfig {
            shape: TrafficShape::Bursts,
            duration_s: 86_400.0,
            period_s: 1.0,
            spike_start_s: 0.0,
            spike_end_s: 0.5,
            spike_mult: 2.0,
            ..Default::default()
        };
        let t = Traffic::new(&cfg);
        assert_eq!(t.segments.len(), 172_800);
        assert!(t.segments.windows(2).all(|w| w[0].t1 == w[1].t0));
        assert_eq!((t.rate_at(86_399.25), t.rate_at(86_399.75)), (20_000.0, 10_000.0));
    }

    #[test]
    fn bursts_as_long_as_the_period_merge_into_a_step() {
        let cfg = TrafficConfig { spike_end_s: 400.0, ..long(TrafficShape::Bursts) };
        assert_eq!(Traffic::new(&cfg).segments, Traffic::new(&long(TrafficShape::Step)).segments);
    }
}
