//! Service-time distributions beyond the exponential.
//!
//! The engine's nodes draw exponential service times, the M of M/M/c. Real
//! backends are often more regular (a fixed amount of work) or far less (a
//! heavy tail, or a small share of slow requests that hit a cold path), and
//! the shape matters: by the Pollaczek–Khinchine formula the mean wait of a
//! single-server queue grows with the second moment of the service time, not
//! only its mean (see [`crate::analytics::pollaczek_khinchine_wait`]). This
//! module gives the shapes, their samplers on a [`Stream`] and their analytic
//! moments; the definitions follow Law, *Simulation Modeling and Analysis*
//! (5th ed., 2015), §6.2 and §8.3.
//!
//! Every sampler draws a fixed number of uniforms per sample, so that a
//! stream stays in step whatever values come out, and does its maths through
//! `libm`, so that native and WASM runs agree bit for bit.

use serde::{Deserialize, Serialize};

use crate::rng::Stream;

/// The largest coefficient of variation a uniform distribution on
/// non-negative values can have, `1/√3`, reached on `[0, 2m]`.
pub const MAX_UNIFORM_CV: f64 = 1.0 / SQRT_3;

/// `√3`: a uniform distribution of mean `m` and half-width `h` has standard
/// deviation `h/√3`, so a coefficient of variation `cv` needs `h = √3·cv·m`.
const SQRT_3: f64 = 1.732_050_807_568_877_2;

/// The shape of a service-time distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceDist {
    /// Exponential with mean `mean_s`: memoryless, coefficient of variation 1,
    /// the engine's historical model and the one Erlang C assumes.
    #[default]
    Exponential,
    /// Always exactly `mean_s`: the regular work of the M/D/1 queue.
    Constant,
    /// Uniform around `mean_s` with coefficient of variation `cv` in
    /// `[0, 1/√3]`: bounded variability.
    Uniform,
    /// Lognormal with mean `mean_s` and coefficient of variation `cv`: a
    /// right-skewed, heavy-ish tail, a common fit for measured latencies.
    #[serde(rename = "lognormal")]
    LogNormal,
    /// A mixture of two exponentials: a share `slow_share` of requests is slow
    /// with mean `slow_mean_s`, the rest fast with mean `mean_s`.
    Bimodal,
}

impl ServiceDist {
    /// Every distribution, in the order the UI lists them.
    pub const ALL: [ServiceDist; 5] = [
        ServiceDist::Exponential,
        ServiceDist::Constant,
        ServiceDist::Uniform,
        ServiceDist::LogNormal,
        ServiceDist::Bimodal,
    ];

    /// The name used by the CLI flag and the TOML file.
    pub fn name(self) -> &'static str {
        match self {
            ServiceDist::Exponential => "exponential",
            ServiceDist::Constant => "constant",
            ServiceDist::Uniform => "uniform",
            ServiceDist::LogNormal => "lognormal",
            ServiceDist::Bimodal => "bimodal",
        }
    }

    /// Parses a name as printed by [`ServiceDist::name`].
    pub fn from_name(s: &str) -> Option<ServiceDist> {
        ServiceDist::ALL.into_iter().find(|d| d.name() == s)
    }
}

/// A service-time distribution with its parameters, in seconds.
///
/// Only the fields the shape uses matter: `cv` for [`ServiceDist::Uniform`]
/// and [`ServiceDist::LogNormal`], `slow_share` and `slow_mean_s` for
/// [`ServiceDist::Bimodal`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTime {
    /// The shape.
    pub dist: ServiceDist,
    /// Mean service time, seconds; for [`ServiceDist::Bimodal`] the mean of
    /// the fast mode only.
    pub mean_s: f64,
    /// Coefficient of variation (standard deviation over mean) of the uniform
    /// and lognormal shapes; at most `1/√3` for the uniform.
    pub cv: f64,
    /// Probability that a request is slow, in `[0, 1]` (bimodal only).
    pub slow_share: f64,
    /// Mean of the slow mode, seconds (bimodal only).
    pub slow_mean_s: f64,
}

impl Default for ServiceTime {
    /// Exponential with a 10 ms mean, as the engine's default node.
    fn default() -> Self {
        ServiceTime::exponential(0.010)
    }
}

impl ServiceTime {
    /// Exponential with mean `mean_s`; the other parameters are set to values
    /// that make sense if the shape is switched later (cv 1, no slow share).
    pub fn exponential(mean_s: f64) -> ServiceTime {
        ServiceTime { dist: ServiceDist::Exponential, mean_s, cv: 1.0, slow_share: 0.0, slow_mean_s: mean_s }
    }

    /// Whether the parameters describe a distribution on non-negative times:
    /// finite non-negative means, a shape's `cv` in its range (`[0, 1/√3]`
    /// for the uniform, `≥ 0` for the lognormal) and `slow_share` in `[0, 1]`.
    pub fn is_valid(&self) -> bool {
        let time_ok = |t: f64| t.is_finite() && t >= 0.0;
        time_ok(self.mean_s)
            && match self.dist {
                ServiceDist::Exponential | ServiceDist::Constant => true,
                ServiceDist::Uniform => (0.0..=MAX_UNIFORM_CV).contains(&self.cv),
                ServiceDist::LogNormal => self.cv.is_finite() && self.cv >= 0.0,
                ServiceDist::Bimodal => (0.0..=1.0).contains(&self.slow_share) && time_ok(self.slow_mean_s),
            }
    }

    /// The same shape with every mode's mean shifted by `extra_s` and then
    /// scaled by `factor`: the load-dependent part and the slowdown the engine
    /// applies. The coefficient of variation of the uniform and lognormal
    /// shapes is kept, so the spread grows with the mean.
    pub fn scaled(&self, extra_s: f64, factor: f64) -> ServiceTime {
        ServiceTime {
            mean_s: (self.mean_s + extra_s) * factor,
            slow_mean_s: (self.slow_mean_s + extra_s) * factor,
            ..*self
        }
    }

    /// One service time, seconds, for a mean shifted by `extra_s` and scaled
    /// by `factor` (see [`ServiceTime::scaled`]).
    ///
    /// Draws per sample: exponential 1 uniform, constant none, uniform 1,
    /// lognormal 2, bimodal 2 (the mode, then the exponential). The
    /// exponential case is exactly `rng.exp((mean_s + extra_s) * factor)`,
    /// the expression the engine's golden figures were measured with.
    pub fn sample_s(&self, extra_s: f64, factor: f64, rng: &mut Stream) -> f64 {
        match self.dist {
            ServiceDist::Exponential => rng.exp((self.mean_s + extra_s) * factor),
            ServiceDist::Constant => (self.mean_s + extra_s) * factor,
            ServiceDist::Uniform => {
                let m = (self.mean_s + extra_s) * factor;
                // √3·cv rounds to at most 1, so the lower end is never negative.
                let half_width = SQRT_3 * self.uniform_cv() * m;
                rng.uniform_between(m - half_width, m + half_width)
            }
            ServiceDist::LogNormal => {
                let (mu, sigma) = lognormal_params((self.mean_s + extra_s) * factor, self.cv);
                libm::exp(mu + sigma * standard_normal(rng))
            }
            ServiceDist::Bimodal => {
                // The mode first, so the draw count does not depend on it.
                let slow = rng.uniform() < self.slow_share;
                let mean = if slow { self.slow_mean_s } else { self.mean_s };
                rng.exp((mean + extra_s) * factor)
            }
        }
    }

    /// Analytic mean, seconds (no extra, factor 1). For the bimodal shape
    /// `p·s + (1 − p)·f` over the slow and fast means.
    pub fn mean(&self) -> f64 {
        match self.dist {
            ServiceDist::Bimodal => self.slow_share * self.slow_mean_s + (1.0 - self.slow_share) * self.mean_s,
            _ => self.mean_s,
        }
    }

    /// Analytic variance, seconds squared (no extra, factor 1): `m²` for the
    /// exponential, 0 for the constant, `(cv·m)²` for the uniform and the
    /// lognormal (by construction of their parameters), and
    /// `E[S²] − E[S]²` for the bimodal mixture.
    pub fn variance(&self) -> f64 {
        let m = self.mean_s;
        match self.dist {
            ServiceDist::Exponential => m * m,
            ServiceDist::Constant => 0.0,
            ServiceDist::Uniform => (self.uniform_cv() * m) * (self.uniform_cv() * m),
            ServiceDist::LogNormal => (self.cv * m) * (self.cv * m),
            ServiceDist::Bimodal => {
                let mean = self.mean();
                self.second_moment() - mean * mean
            }
        }
    }

    /// Analytic second moment `E[S²]`, seconds squared (no extra, factor 1),
    /// the input of the Pollaczek–Khinchine formula. For the bimodal mixture
    /// of exponentials it is `2·(p·s² + (1 − p)·f²)`, an exponential of mean
    /// `m` having `E[S²] = 2m²`.
    pub fn second_moment(&self) -> f64 {
        match self.dist {
            ServiceDist::Bimodal => {
                let (s, f) = (self.slow_mean_s, self.mean_s);
                2.0 * (self.slow_share * s * s + (1.0 - self.slow_share) * f * f)
            }
            _ => {
                let mean = self.mean();
                self.variance() + mean * mean
            }
        }
    }

    /// Squared coefficient of variation `Var[S] / E[S]²` (0 when the mean is
    /// 0): 1 for the exponential, 0 for the constant, the `c_s²` of
    /// Kingman's and Allen–Cunneen's approximations.
    pub fn scv(&self) -> f64 {
        let mean = self.mean();
        if mean == 0.0 {
            0.0
        } else {
            self.variance() / (mean * mean)
        }
    }

    /// The uniform's `cv`, held in `[0, 1/√3]` so that no sample is negative
    /// even from unchecked parameters; the moments use the same value.
    fn uniform_cv(&self) -> f64 {
        self.cv.clamp(0.0, MAX_UNIFORM_CV)
    }
}

/// `(μ, σ)` of the normal whose exponential has mean `mean` and coefficient
/// of variation `cv`. A lognormal has `E = e^(μ+σ²/2)` and
/// `cv² = e^(σ²) − 1` (Law 2015, §6.2.2), hence `σ² = ln(1 + cv²)` and
/// `μ = ln(mean) − σ²/2`.
fn lognormal_params(mean: f64, cv: f64) -> (f64, f64) {
    let sigma2 = libm::log(1.0 + cv * cv);
    (libm::log(mean) - sigma2 / 2.0, libm::sqrt(sigma2))
}

/// A standard normal by the Box–Muller transform (Box & Muller, "A Note on
/// the Generation of Random Normal Deviates", Ann. Math. Stat. 29, 1958):
/// `√(−2 ln u₁) · cos(2π u₂)`. Always two uniforms; the pair's sine twin is
/// discarded so no state is carried between samples. `1 − u` lies in
/// `(0, 1]`, which keeps the logarithm finite.
fn standard_normal(rng: &mut Stream) -> f64 {
    let u1 = 1.0 - rng.uniform();
    let u2 = rng.uniform();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One root seed, fixed in advance, for every statistical check.
    const SEED: u64 = 20_260_501;
    /// Draws per statistical check.
    const DRAWS: usize = 1_000_000;

    fn shape(dist: ServiceDist, mean_s: f64, cv: f64, slow_share: f64, slow_mean_s: f64) -> ServiceTime {
        ServiceTime { dist, mean_s, cv, slow_share, slow_mean_s }
    }

    /// Sample mean and unbiased sample variance of `DRAWS` draws from the
    /// stream `label` (Welford's update), checking every draw is finite and
    /// non-negative on the way.
    fn sample_moments(st: &ServiceTime, label: &str, extra_s: f64, factor: f64) -> (f64, f64) {
        let mut rng = Stream::new(SEED, label);
        let (mut mean, mut m2) = (0.0f64, 0.0f64);
        for k in 1..=DRAWS {
            let x = st.sample_s(extra_s, factor, &mut rng);
            assert!(x.is_finite() && x >= 0.0, "{label}: seed {SEED}, draw {k} gave {x}");
            let delta = x - mean;
            mean += delta / k as f64;
            m2 += delta * (x - mean);
        }
        (mean, m2 / (DRAWS - 1) as f64)
    }

    /// Asserts `got` is within 1% of `want` (or equal when `want` is 0).
    fn assert_within_1pct(label: &str, what: &str, got: f64, want: f64) {
        let ok = if want == 0.0 { got == 0.0 } else { ((got - want) / want).abs() < 0.01 };
        let err = if want == 0.0 { 0.0 } else { 100.0 * (got - want) / want };
        assert!(ok, "{label}: seed {SEED}, {DRAWS} draws: sample {what} {got:.6e} vs analytic {want:.6e} ({err:+.3}%)");
        println!("{label}: {what} {got:.6e} vs {want:.6e} ({err:+.3}%)");
    }

    /// Checks the sample mean, and the sample variance when `variance` is set.
    fn check(st: ServiceTime, label: &str, variance: bool) {
        let (mean, var) = sample_moments(&st, label, 0.0, 1.0);
        assert_within_1pct(label, "mean", mean, st.mean());
        if variance {
            assert_within_1pct(label, "variance", var, st.variance());
        }
    }

    // Relative standard errors at 10⁶ draws, from the fourth moments, set the
    // margin each 1% check has: exponential variance 0.28% (3.5σ); lognormal
    // cv 0.5 variance 0.27% (3.8σ), cv 1 variance 0.63% (1.6σ), cv 2 variance
    // 3.1% (so only its mean, 0.2%, is checked); bimodal 5% at 200 ms mean
    // 0.32% (3.2σ) but variance 1.1% (so only its mean is checked), bimodal
    // 50% at 50 ms variance 0.37% (2.7σ). A mixture of exponentials cannot get
    // much below the exponential's own 0.28%.

    #[test]
    fn exponential_moments() {
        check(shape(ServiceDist::Exponential, 0.010, 0.0, 0.0, 0.0), "exponential", true);
    }

    #[test]
    fn constant_moments() {
        check(shape(ServiceDist::Constant, 0.010, 0.0, 0.0, 0.0), "constant", true);
    }

    #[test]
    fn uniform_moments() {
        check(shape(ServiceDist::Uniform, 0.010, 0.3, 0.0, 0.0), "uniform cv 0.3", true);
        check(shape(ServiceDist::Uniform, 0.010, MAX_UNIFORM_CV, 0.0, 0.0), "uniform cv 1/sqrt3", true);
    }

    #[test]
    fn lognormal_moments() {
        check(shape(ServiceDist::LogNormal, 0.010, 0.5, 0.0, 0.0), "lognormal cv 0.5", true);
        check(shape(ServiceDist::LogNormal, 0.010, 1.0, 0.0, 0.0), "lognormal cv 1", true);
        check(shape(ServiceDist::LogNormal, 0.010, 2.0, 0.0, 0.0), "lognormal cv 2", false);
    }

    #[test]
    fn lognormal_heavy_tail_median() {
        // The variance of cv 2 is too noisy at 10⁶ draws; its median
        // e^μ = m/√(1 + cv²) is not: half the draws fall below it.
        let st = shape(ServiceDist::LogNormal, 0.010, 2.0, 0.0, 0.0);
        let median = 0.010 / libm::sqrt(5.0);
        let mut rng = Stream::new(SEED, "lognormal median");
        let below = (0..DRAWS).filter(|_| st.sample_s(0.0, 1.0, &mut rng) < median).count();
        assert_within_1pct("lognormal cv 2", "share below median", below as f64 / DRAWS as f64, 0.5);
    }

    #[test]
    fn bimodal_moments() {
        check(shape(ServiceDist::Bimodal, 0.010, 0.0, 0.05, 0.200), "bimodal 5% at 200 ms", false);
        check(shape(ServiceDist::Bimodal, 0.010, 0.0, 0.5, 0.050), "bimodal 50% at 50 ms", true);
    }

    #[test]
    fn extra_and_factor_shift_and_scale_the_mean() {
        let (extra, factor) = (0.002, 3.0);
        for dist in ServiceDist::ALL {
            let st = shape(dist, 0.010, 0.4, 0.1, 0.050);
            let label = format!("{} scaled", dist.name());
            let (mean, _) = sample_moments(&st, &label, extra, factor);
            assert_within_1pct(&label, "mean", mean, st.scaled(extra, factor).mean());
        }
    }

    #[test]
    fn scaling_keeps_the_shape() {
        for dist in [ServiceDist::Exponential, ServiceDist::Constant, ServiceDist::Uniform, ServiceDist::LogNormal] {
            let st = shape(dist, 0.010, 0.4, 0.0, 0.0);
            let scaled = st.scaled(0.005, 2.0);
            assert!((scaled.mean() - 0.030).abs() < 1e-15, "{dist:?}");
            assert!((scaled.scv() - st.scv()).abs() < 1e-12, "{dist:?}: {} vs {}", scaled.scv(), st.scv());
        }
    }

    #[test]
    fn sample_s_is_the_scaled_shape_sampled() {
        for dist in ServiceDist::ALL {
            let st = shape(dist, 0.010, 0.4, 0.1, 0.050);
            let (mut a, mut b) = (Stream::new(SEED, "scaled"), Stream::new(SEED, "scaled"));
            for k in 0..1000 {
                let (extra, factor) = (k as f64 * 1e-5, 1.0 + (k % 7) as f64);
                let x = st.sample_s(extra, factor, &mut a);
                let y = st.scaled(extra, factor).sample_s(0.0, 1.0, &mut b);
                assert_eq!(x.to_bits(), y.to_bits(), "{dist:?} draw {k}");
            }
        }
    }

    #[test]
    fn exponential_is_the_engine_expression_bit_for_bit() {
        let st = shape(ServiceDist::Exponential, 0.010, 0.7, 0.3, 0.5);
        let (mut a, mut b) = (Stream::new(SEED, "service"), Stream::new(SEED, "service"));
        for k in 0..10_000 {
            let (extra, factor) = (k as f64 * 1e-6, 1.0 + (k % 5) as f64 * 0.25);
            let x = st.sample_s(extra, factor, &mut a);
            let y = b.exp((st.mean_s + extra) * factor);
            assert_eq!(x.to_bits(), y.to_bits(), "draw {k}");
        }
        assert_eq!(a, b);
    }

    #[test]
    fn draws_per_sample_are_fixed() {
        let expected = [(ServiceDist::Exponential, 1), (ServiceDist::Constant, 0), (ServiceDist::Uniform, 1)];
        let expected = expected.into_iter().chain([(ServiceDist::LogNormal, 2), (ServiceDist::Bimodal, 2)]);
        for (dist, uniforms) in expected {
            let st = shape(dist, 0.010, 0.4, 0.5, 0.050);
            let (mut a, mut b) = (Stream::new(SEED, "draws"), Stream::new(SEED, "draws"));
            for _ in 0..1000 {
                st.sample_s(0.001, 1.5, &mut a);
                for _ in 0..uniforms {
                    b.uniform();
                }
                assert_eq!(a, b, "{dist:?}");
            }
        }
    }

    #[test]
    fn constant_draws_nothing() {
        let st = shape(ServiceDist::Constant, 0.010, 0.0, 0.0, 0.0);
        let mut rng = Stream::new(SEED, "constant");
        let untouched = rng.clone();
        assert_eq!(st.sample_s(0.002, 1.5, &mut rng), (0.010 + 0.002) * 1.5);
        assert_eq!(rng.next_u64(), untouched.clone().next_u64());
    }

    #[test]
    fn samples_at_the_ends_of_the_ranges_are_finite_and_non_negative() {
        let cases = [
            shape(ServiceDist::Exponential, 0.0, 0.0, 0.0, 0.0),
            shape(ServiceDist::Uniform, 0.010, MAX_UNIFORM_CV, 0.0, 0.0),
            shape(ServiceDist::Uniform, 0.010, 5.0, 0.0, 0.0),
            shape(ServiceDist::Uniform, 0.0, 0.3, 0.0, 0.0),
            shape(ServiceDist::LogNormal, 0.010, 0.0, 0.0, 0.0),
            shape(ServiceDist::LogNormal, 0.0, 1.0, 0.0, 0.0),
            shape(ServiceDist::LogNormal, 0.010, 10.0, 0.0, 0.0),
            shape(ServiceDist::Bimodal, 0.010, 0.0, 1.0, 60.0),
            shape(ServiceDist::Bimodal, 0.0, 0.0, 0.0, 0.0),
        ];
        for st in cases {
            let mut rng = Stream::new(SEED, "ends");
            for _ in 0..100_000 {
                let x = st.sample_s(0.0, 1.0, &mut rng);
                assert!(x.is_finite() && x >= 0.0, "{st:?} gave {x}");
            }
        }
    }

    #[test]
    fn analytic_moments() {
        let exp = ServiceTime::exponential(0.010);
        assert!((exp.second_moment() - 2e-4).abs() < 1e-18 && exp.scv() == 1.0);
        let bimodal = shape(ServiceDist::Bimodal, 0.010, 0.0, 0.05, 0.200);
        assert!((bimodal.mean() - 0.0195).abs() < 1e-15);
        assert!((bimodal.second_moment() - 4.19e-3).abs() < 1e-15);
        assert!((bimodal.variance() - (4.19e-3 - 0.0195 * 0.0195)).abs() < 1e-15);
        assert_eq!(shape(ServiceDist::Constant, 0.010, 0.0, 0.0, 0.0).scv(), 0.0);
        assert!((shape(ServiceDist::LogNormal, 0.010, 2.0, 0.0, 0.0).scv() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn validity() {
        assert!(ServiceTime::default().is_valid());
        assert!(shape(ServiceDist::Uniform, 0.010, MAX_UNIFORM_CV, 0.0, 0.0).is_valid());
        assert!(!shape(ServiceDist::Uniform, 0.010, 0.6, 0.0, 0.0).is_valid());
        assert!(!shape(ServiceDist::LogNormal, 0.010, f64::NAN, 0.0, 0.0).is_valid());
        assert!(!shape(ServiceDist::Bimodal, 0.010, 0.0, 1.5, 0.1).is_valid());
        assert!(!shape(ServiceDist::Exponential, -1.0, 0.0, 0.0, 0.0).is_valid());
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        let names: Vec<_> = ServiceDist::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(names, ["exponential", "constant", "uniform", "lognormal", "bimodal"]);
        for dist in ServiceDist::ALL {
            assert_eq!(ServiceDist::from_name(dist.name()), Some(dist));
            assert_eq!(serde_json::to_string(&dist).unwrap(), format!("\"{}\"", dist.name()));
            assert_eq!(serde_json::from_str::<ServiceDist>(&format!("\"{}\"", dist.name())).unwrap(), dist);
        }
        assert_eq!(ServiceDist::from_name("log-normal"), None);
        assert_eq!(ServiceDist::default(), ServiceDist::Exponential);
    }
}
