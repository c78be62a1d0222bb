//! Integer simulated time. Nanoseconds in a `u64` cover 584 years, and integer
//! arithmetic keeps runs reproducible across platforms.

use serde::{Deserialize, Serialize};

/// A point in simulated time, in nanoseconds since the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct SimTime(pub u64);

/// Nanoseconds in one simulated second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// Converts seconds to simulated time, rounding to the nearest nanosecond
    /// and saturating (negative and NaN become zero).
    ///
    /// ```
    /// use sim_core::SimTime;
    /// assert_eq!(SimTime::from_secs_f64(1.5), SimTime(1_500_000_000));
    /// assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
    /// ```
    pub fn from_secs_f64(s: f64) -> SimTime {
        SimTime(secs_to_nanos(s))
    }

    /// Whole seconds `s` as simulated time.
    pub const fn from_secs(s: u64) -> SimTime {
        SimTime(s * NANOS_PER_SEC)
    }

    /// This time in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// Index of the whole second this instant falls in.
    pub fn second(self) -> u64 {
        self.0 / NANOS_PER_SEC
    }
}

/// Converts a duration in seconds to nanoseconds, rounding half up and
/// saturating; `as` casts of f64 to u64 already saturate and map NaN and
/// negatives to 0. Adding one half and truncating is what `round` does for
/// non-negative values, without the call into libm that `round` costs on
/// wasm32 (this runs for every sampled gap and service time).
#[inline]
pub(crate) fn secs_to_nanos(s: f64) -> u64 {
    (s * NANOS_PER_SEC as f64 + 0.5) as u64
}
