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
}
