//! Client retry policy: how many attempts, and how long to wait between them.

use crate::config::{Backoff, ClientConfig};
use crate::rng::Stream;

/// The retry side of a client's behaviour, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RetryPolicy {
    pub attempts: u32,
    pub backoff: Backoff,
    pub base_s: f64,
    pub cap_s: f64,
}

impl RetryPolicy {
    pub fn new(c: &ClientConfig) -> RetryPolicy {
        RetryPolicy {
            attempts: c.attempts,
            backoff: c.backoff,
            base_s: c.backoff_base_ms / 1000.0,
            cap_s: c.backoff_cap_ms / 1000.0,
        }
    }

    /// Wait before retry number `k` (0 for the first retry), in seconds.
    /// `prev` is the client's previous wait, used and updated only by
    /// decorrelated jitter; it starts at `base`. Formulas as in the reference
    /// program and Brooker (2015); randomness only from the backoff stream.
    pub fn delay_s(&self, k: u32, prev: &mut f64, rng: &mut Stream) -> f64 {
        let (base, cap) = (self.base_s, self.cap_s);
        let expo = || cap.min(libm::ldexp(base, k.min(1000) as i32));
        match self.backoff {
            Backoff::None => 0.0,
            Backoff::Fixed => base,
            Backoff::Expo => expo(),
            Backoff::FullJitter => rng.uniform_between(0.0, expo()),
            Backoff::EqualJitter => {
                let e = expo();
                e / 2.0 + rng.uniform_between(0.0, e / 2.0)
            }
            Backoff::Decorrelated => {
                let s = cap.min(rng.uniform_between(base, *prev * 3.0));
                *prev = s;
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(backoff: Backoff) -> RetryPolicy {
        RetryPolicy { attempts: 5, backoff, base_s: 0.1, cap_s: 1.0 }
    }

    #[test]
    fn deterministic_policies() {
        let mut rng = Stream::new(1, "backoff");
        let mut prev = 0.1;
        assert_eq!(policy(Backoff::None).delay_s(3, &mut prev, &mut rng), 0.0);
        assert_eq!(policy(Backoff::Fixed).delay_s(3, &mut prev, &mut rng), 0.1);
        let expo: Vec<f64> = (0..6).map(|k| policy(Backoff::Expo).delay_s(k, &mut prev, &mut rng)).collect();
        assert_eq!(expo, vec![0.1, 0.2, 0.4, 0.8, 1.0, 1.0]);
        assert_eq!(policy(Backoff::Expo).delay_s(u32::MAX, &mut prev, &mut rng), 1.0);
    }

    #[test]
    fn jittered_policies_stay_in_their_bands() {
        let mut rng = Stream::new(2, "backoff");
        for k in 0..8 {
            let e = (0.1 * 2f64.powi(k as i32)).min(1.0);
            let mut prev = 0.1;
            let f = policy(Backoff::FullJitter).delay_s(k, &mut prev, &mut rng);
            assert!((0.0..e).contains(&f));
            let q = policy(Backoff::EqualJitter).delay_s(k, &mut prev, &mut rng);
            assert!((e / 2.0..e).contains(&q));
            let d = policy(Backoff::Decorrelated).delay_s(k, &mut prev, &mut rng);
            assert!((0.1..=0.3).contains(&d) && prev == d);
        }
    }
}
