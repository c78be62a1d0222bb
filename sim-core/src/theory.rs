//! The laws the engine is validated against ([`crate::validation`]), as pure
//! functions in the units the validation reads (seconds, requests per
//! second). The queueing formulas themselves live in [`crate::analytics`];
//! this module states each law once in the form a check compares with, and
//! adds the operational laws, which hold for any queue in steady state.

use crate::analytics;

/// Erlang C for an M/M/c queue: `c` servers, Poisson arrivals at
/// `rate_per_s`, exponential service of mean `mean_s`. Returns
/// `(P(wait), mean wait in queue in seconds)`, or `None` when unstable
/// (`λ·s ≥ c`). Erlang, "Solution of some problems in the theory of
/// probabilities of significance in automatic telephone exchanges", 1917;
/// Kleinrock, *Queueing Systems* vol. 1, §3.5.
pub fn erlang_c(c: u32, rate_per_s: f64, mean_s: f64) -> Option<(f64, f64)> {
    analytics::erlang_c(c, rate_per_s * mean_s).map(|(p, wq)| (p, wq * mean_s))
}

/// Blocking probability of an M/M/c/K queue (`c` servers, room for `k` in
/// all, waiting included) at `rate_per_s` with exponential service of mean
/// `mean_s`: the share of arrivals turned away (Gross and Harris,
/// *Fundamentals of Queueing Theory*, §2.5). `None` unless `k ≥ c ≥ 1`.
pub fn mmck_blocking(c: u32, k: u32, rate_per_s: f64, mean_s: f64) -> Option<f64> {
    (c >= 1 && k >= c).then(|| analytics::mmck_blocking(c, k, rate_per_s * mean_s))
}

/// Mean wait in queue of an M/G/1 queue, seconds, by Pollaczek–Khinchine:
/// `Wq = λ·E[S²] / (2(1 − ρ))`. `None` when unstable or the moments are
/// impossible; see [`analytics::pollaczek_khinchine_wait`].
pub fn mg1_mean_wait(rate_per_s: f64, mean_s: f64, second_moment_s2: f64) -> Option<f64> {
    analytics::pollaczek_khinchine_wait(rate_per_s, mean_s, second_moment_s2)
}

/// Little's law, `L = λ·W`: the time-average number in a system from its
/// arrival rate and the mean time each spends in it (Little, "A proof for the
/// queuing formula L = λW", Operations Research 9(3), 1961).
pub fn littles_law(rate_per_s: f64, mean_time_s: f64) -> f64 {
    rate_per_s * mean_time_s
}

/// The interactive response-time law, `R = N/X − Z`: the mean response time
/// of a closed loop of `users` users, each thinking `think_s` between
/// requests, that completes `throughput_per_s` requests per second. Little's
/// law applied to the whole loop (Denning and Buzen, "The operational
/// analysis of queueing network models", Computing Surveys 10(3), 1978;
/// Jain, *The Art of Computer Systems Performance Analysis*, §33.4).
/// `None` for no throughput.
pub fn response_time_law(users: f64, throughput_per_s: f64, think_s: f64) -> Option<f64> {
    (throughput_per_s > 0.0).then(|| users / throughput_per_s - think_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn erlang_c_textbook_values() {
        // M/M/1 at ρ = 0.5, s = 10 ms: P(wait) = ρ, Wq = ρ·s/(1−ρ) = 10 ms.
        let (p, w) = erlang_c(1, 50.0, 0.010).unwrap();
        assert!(close(p, 0.5) && close(w, 0.010), "{p} {w}");
        // M/M/2 at a = 1 Erlang: P(wait) = a²/(a² + 2) … = 1/3, Wq = P/(c − a)·s.
        let (p, w) = erlang_c(2, 1.0, 1.0).unwrap();
        assert!(close(p, 1.0 / 3.0) && close(w, 1.0 / 3.0), "{p} {w}");
        // Kleinrock's table: c = 10, a = 8 Erlangs gives P(wait) ≈ 0.4092.
        let (p, _) = erlang_c(10, 8.0, 1.0).unwrap();
        assert!((p - 0.4092).abs() < 5e-4, "{p}");
        assert!(erlang_c(4, 400.0, 0.010).is_none());
    }

    #[test]
    fn mmck_textbook_values() {
        // M/M/1/K: (1 − ρ)ρ^K / (1 − ρ^(K+1)); ρ = 0.5, K = 2 gives 1/7.
        assert!(close(mmck_blocking(1, 2, 0.5, 1.0).unwrap(), 1.0 / 7.0));
        // No waiting room: Erlang B, B(2, 1) = 1/5.
        assert!(close(mmck_blocking(2, 2, 1.0, 1.0).unwrap(), 0.2));
        assert!(mmck_blocking(3, 2, 1.0, 1.0).is_none());
    }

    #[test]
    fn pk_is_half_for_constant_service() {
        // M/D/1 waits half as long as M/M/1 at the same load.
        let md1 = mg1_mean_wait(70.0, 0.010, 0.010f64.powi(2)).unwrap();
        let mm1 = mg1_mean_wait(70.0, 0.010, 2.0 * 0.010f64.powi(2)).unwrap();
        assert!(close(mm1, 0.7 * 0.010 / 0.3) && close(md1, mm1 / 2.0), "{md1} {mm1}");
    }

    #[test]
    fn operational_laws() {
        assert!(close(littles_law(100.0, 0.2), 20.0));
        // 50 users, X = 10/s, Z = 0.5 s: R = 4.5 s.
        assert!(close(response_time_law(50.0, 10.0, 0.5).unwrap(), 4.5));
        assert!(response_time_law(50.0, 0.0, 0.5).is_none());
    }
}
