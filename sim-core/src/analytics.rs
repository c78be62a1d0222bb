//! Closed-form queueing results that the engine is checked against.

/// Erlang C for an M/M/c queue with `c` servers and offered load `a = λ·s`
/// Erlangs (infinite waiting room). Returns `(P(wait), mean wait in units of
/// the mean service time)`, or `None` when `a ≥ c` (unstable).
///
/// Computed through the Erlang B recursion `B(k) = a·B(k−1) / (k + a·B(k−1))`,
/// which is numerically stable for thousands of servers (Kleinrock,
/// *Queueing Systems* vol. 1, §3.5; as in the reference program).
///
/// ```
/// let (p, w) = sim_core::analytics::erlang_c(1, 0.5).unwrap();
/// assert!((p - 0.5).abs() < 1e-12);          // M/M/1: P(wait) = ρ
/// assert!((w - 1.0).abs() < 1e-12);          // Wq = ρ/(1−ρ) · s
/// ```
pub fn erlang_c(c: u32, a: f64) -> Option<(f64, f64)> {
    // Written so that a NaN load is refused too.
    if a.is_nan() || a < 0.0 || a >= c as f64 {
        return None;
    }
    let b = erlang_b(c, a);
    let p_wait = b / (1.0 - (a / c as f64) * (1.0 - b));
    Some((p_wait, p_wait / (c as f64 - a)))
}

/// Erlang B blocking probability for `c` servers, no waiting room.
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    b
}

/// Blocking probability of an M/M/c/K queue: `c` servers, `k − c` waiting
/// places, offered load `a` Erlangs. `P_K = (a^K / (c!·c^(K−c))) · P_0`,
/// evaluated with running products so that large `K` does not overflow
/// (Gross & Harris, *Fundamentals of Queueing Theory*, §2.5).
///
/// ```
/// // With no waiting room it is Erlang B.
/// let p = sim_core::analytics::mmck_blocking(3, 3, 2.0);
/// assert!((p - sim_core::analytics::erlang_b(3, 2.0)).abs() < 1e-12);
/// ```
pub fn mmck_blocking(c: u32, k: u32, a: f64) -> f64 {
    assert!(k >= c && c >= 1, "need k >= c >= 1");
    // Terms t_n = P_n / P_0, normalised on the fly to stay finite.
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    for n in 1..=k {
        let servers = n.min(c) as f64;
        term *= a / servers;
        sum += term;
        if sum > 1e200 {
            term /= sum;
            sum = 1.0;
        }
    }
    term / sum
}

/// Mean wait in queue of an M/G/1 queue, seconds, by the Pollaczek–Khinchine
/// formula `Wq = λ·E[S²] / (2(1 − ρ))` with `ρ = λ·E[S]` (Pollaczek,
/// "Über eine Aufgabe der Wahrscheinlichkeitstheorie", Math. Z. 32, 1930;
/// Khinchine, "Mathematical theory of a stationary queue", Mat. Sbornik 39,
/// 1932; Kleinrock, *Queueing Systems* vol. 1, §5.6).
///
/// It shows why the shape of the service time matters: at the same load the
/// wait grows with the second moment, `E[S²] = E[S]²·(1 + c_s²)`, so an
/// exponential service waits twice as long as a constant one. Takes the
/// arrival rate `λ` per second and the mean and second moment of the service
/// time (see [`crate::distribution::ServiceTime::second_moment`]); returns
/// `None` when the queue is unstable (`ρ ≥ 1`) or an input is negative, NaN
/// or infinite, or `E[S²] < E[S]²` (no distribution has those moments).
///
/// ```
/// use sim_core::analytics::pollaczek_khinchine_wait;
/// // M/M/1 at λ = 80/s, E[S] = 10 ms: Wq = ρ/(μ − λ) = 0.8/20 s = 40 ms.
/// let wq = pollaczek_khinchine_wait(80.0, 0.010, 2.0 * 0.010 * 0.010).unwrap();
/// assert!((wq - 0.040).abs() < 1e-12);
/// assert!(pollaczek_khinchine_wait(100.0, 0.010, 2e-4).is_none());
/// ```
pub fn pollaczek_khinchine_wait(rate_per_s: f64, mean_s: f64, second_moment_s2: f64) -> Option<f64> {
    let finite_non_negative = |x: f64| x.is_finite() && x >= 0.0;
    if ![rate_per_s, mean_s, second_moment_s2].into_iter().all(finite_non_negative) {
        return None;
    }
    if second_moment_s2 < mean_s * mean_s {
        return None;
    }
    let rho = rate_per_s * mean_s;
    if rho >= 1.0 {
        return None;
    }
    Some(rate_per_s * second_moment_s2 / (2.0 * (1.0 - rho)))
}

/// Popularities of keys `0..keys` under a Zipf law, `p_k ∝ 1/(k+1)^s`,
/// normalised to sum to 1: the standard model of web and cache request
/// streams (Breslau, Cao, Fan, Phillips and Shenker, "Web caching and
/// Zipf-like distributions: evidence and implications", INFOCOM 1999).
///
/// `s = 0` is uniform; `s` should be finite (a NaN gives NaNs). The
/// normaliser is summed from the least popular key up, so that the long tail
/// of small terms is not lost against the large head. Takes 8 bytes per key.
///
/// ```
/// let p = sim_core::analytics::zipf_probs(3, 1.0);
/// // 1 : 1/2 : 1/3, normalised by 11/6.
/// assert!((p[0] - 6.0 / 11.0).abs() < 1e-15);
/// assert!((p[2] - 2.0 / 11.0).abs() < 1e-15);
/// ```
pub fn zipf_probs(keys: u32, s: f64) -> Vec<f64> {
    // libm so that the figures are bit-identical natively and in WASM.
    let mut p: Vec<f64> = (0..keys).map(|k| libm::pow(k as f64 + 1.0, -s)).collect();
    let total: f64 = p.iter().rev().sum();
    for x in &mut p {
        *x /= total;
    }
    p
}

/// Tolerance of the bisection for Che's characteristic time, relative to it.
const CHE_RELATIVE_TOLERANCE: f64 = 1e-12;

/// Hit rate of an LRU cache holding `capacity` items under independent
/// requests with popularities `probs` (Che's approximation).
///
/// An item stays in an LRU cache for about a fixed *characteristic time*
/// `T_C` after its last request; it is the root of
/// `Σ_k (1 − e^{−p_k·T_C}) = C` (the expected number of distinct items
/// requested within `T_C` fills the cache), and the hit rate is then
/// `Σ_k p_k·(1 − e^{−p_k·T_C})` (Che, Tung and Wang, "Hierarchical Web
/// caching systems: modeling, design and experimental results", IEEE JSAC
/// 20(7), 2002; Fricker, Robert and Roberts, "A versatile and accurate
/// approximation for LRU cache performance", ITC 2012, who explain why it is
/// accurate well beyond the large-cache limit it was derived for).
///
/// `T_C` is found by doubling then bisection, to a relative tolerance of
/// 10⁻¹² (`CHE_RELATIVE_TOLERANCE`); the hit rate is then within 10⁻¹²
/// too, since its derivative in `ln T_C`, `Σ p_k·(p_k·T_C)·e^{−p_k·T_C}`, is
/// at most `1/e`. `probs` are weights,
/// normalised here. A capacity at least the number of keys with a non-zero
/// weight holds all of them: the hit rate is 1. `None` for no keys, a
/// negative or non-finite weight, all weights zero, or a negative or NaN
/// capacity.
///
/// ```
/// use sim_core::analytics::{che_lru_hit_rate, zipf_probs};
/// let p = zipf_probs(1000, 0.0);
/// let h = che_lru_hit_rate(&p, 100.0).unwrap();
/// assert!((h - 0.1).abs() < 1e-9); // uniform popularity: C/K
/// ```
pub fn che_lru_hit_rate(probs: &[f64], capacity: f64) -> Option<f64> {
    if probs.iter().any(|p| !p.is_finite() || *p < 0.0) || capacity.is_nan() || capacity < 0.0 {
        return None;
    }
    let total: f64 = probs.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let present = probs.iter().filter(|p| **p > 0.0).count();
    if capacity >= present as f64 {
        return Some(1.0);
    }
    if capacity == 0.0 {
        return Some(0.0);
    }
    // Items in the cache after t time units (requests), minus the capacity:
    // increasing in t, −C at 0 and tending to `present − C` > 0.
    let excess = |t: f64| probs.iter().map(|p| 1.0 - libm::exp(-(p / total) * t)).sum::<f64>() - capacity;
    let mut hi = 1.0f64;
    while excess(hi) < 0.0 && hi < f64::MAX / 2.0 {
        hi *= 2.0;
    }
    let mut lo = if hi > 1.0 { hi / 2.0 } else { 0.0 };
    while hi - lo > CHE_RELATIVE_TOLERANCE * hi {
        let mid = lo + (hi - lo) / 2.0;
        if excess(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = lo + (hi - lo) / 2.0;
    Some(probs.iter().map(|p| (p / total) * (1.0 - libm::exp(-(p / total) * t))).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_known_value() {
        // c = 2, a = 1: P(wait) = 1/3, Wq = 1/3 s.
        let (p, w) = erlang_c(2, 1.0).unwrap();
        assert!((p - 1.0 / 3.0).abs() < 1e-12);
        assert!((w - 1.0 / 3.0).abs() < 1e-12);
        assert!(erlang_c(2, 2.0).is_none());
    }

    #[test]
    fn mmck_mm1k_closed_form() {
        // M/M/1/K: P_K = (1−ρ)ρ^K / (1−ρ^(K+1)).
        let (rho, k) = (0.8f64, 5u32);
        let want = (1.0 - rho) * rho.powi(k as i32) / (1.0 - rho.powi(k as i32 + 1));
        assert!((mmck_blocking(1, k, rho) - want).abs() < 1e-12);
    }

    #[test]
    fn pollaczek_khinchine_mm1_and_md1() {
        for (lambda, mean) in [(50.0, 0.010), (80.0, 0.010), (99.0, 0.010), (0.3, 2.0)] {
            let mu = 1.0 / mean;
            let mm1 = lambda / mu / (mu - lambda);
            let pk_exp = pollaczek_khinchine_wait(lambda, mean, 2.0 / (mu * mu)).unwrap();
            assert!((pk_exp - mm1).abs() < 1e-12 * mm1.max(1.0), "M/M/1 λ {lambda}: {pk_exp} vs {mm1}");
            // The same with Erlang C for one server (in units of the mean).
            let (_, wq) = erlang_c(1, lambda * mean).unwrap();
            assert!((pk_exp - wq * mean).abs() < 1e-12 * mm1.max(1.0));
            // M/D/1: E[S²] = E[S]², half the M/M/1 wait.
            let md1 = pollaczek_khinchine_wait(lambda, mean, mean * mean).unwrap();
            assert!((md1 - mm1 / 2.0).abs() < 1e-12 * mm1.max(1.0), "M/D/1 λ {lambda}: {md1} vs {}", mm1 / 2.0);
        }
    }

    #[test]
    fn che_holds_everything_when_the_cache_fits_all_keys() {
        let p = zipf_probs(50, 0.9);
        assert_eq!(che_lru_hit_rate(&p, 50.0), Some(1.0));
        assert_eq!(che_lru_hit_rate(&p, 80.0), Some(1.0));
        // Keys never requested need no room.
        assert_eq!(che_lru_hit_rate(&[0.5, 0.0, 0.5], 2.0), Some(1.0));
    }

    #[test]
    fn che_uniform_popularity_gives_capacity_over_keys() {
        for (k, c) in [(100u32, 10.0), (10_000, 500.0), (7, 3.0)] {
            let h = che_lru_hit_rate(&zipf_probs(k, 0.0), c).unwrap();
            assert!((h - c / k as f64).abs() < 1e-9, "K {k} C {c}: {h}");
        }
    }

    #[test]
    fn pollaczek_khinchine_refuses_bad_inputs() {
        assert_eq!(pollaczek_khinchine_wait(0.0, 0.010, 2e-4), Some(0.0));
        assert!(pollaczek_khinchine_wait(100.0, 0.010, 2e-4).is_none());
        assert!(pollaczek_khinchine_wait(150.0, 0.010, 2e-4).is_none());
        assert!(pollaczek_khinchine_wait(-1.0, 0.010, 2e-4).is_none());
        assert!(pollaczek_khinchine_wait(f64::NAN, 0.010, 2e-4).is_none());
        assert!(pollaczek_khinchine_wait(50.0, f64::INFINITY, 2e-4).is_none());
        assert!(pollaczek_khinchine_wait(50.0, 0.010, -1.0).is_none());
        assert!(pollaczek_khinchine_wait(50.0, 0.010, 0.5e-4).is_none());
    }

    #[test]
    fn che_is_monotone_and_refuses_nonsense() {
        let p = zipf_probs(1000, 1.0);
        let (a, b) = (che_lru_hit_rate(&p, 10.0).unwrap(), che_lru_hit_rate(&p, 100.0).unwrap());
        // A skewed popularity beats C/K, and more room means more hits.
        assert!(0.01 < a && a < b && b < 1.0, "{a} {b}");
        assert_eq!(che_lru_hit_rate(&p, 0.0), Some(0.0));
        assert_eq!(che_lru_hit_rate(&[], 1.0), None);
        assert_eq!(che_lru_hit_rate(&[0.0, 0.0], 1.0), None);
        assert_eq!(che_lru_hit_rate(&[0.5, -0.1], 1.0), None);
        assert_eq!(che_lru_hit_rate(&[0.5, f64::NAN], 1.0), None);
        assert_eq!(che_lru_hit_rate(&p, f64::NAN), None);
    }

    #[test]
    fn zipf_probs_sum_to_one_and_decrease() {
        let p = zipf_probs(10_000, 1.2);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.windows(2).all(|w| w[0] > w[1]));
        assert!(zipf_probs(0, 1.0).is_empty());
    }
}
