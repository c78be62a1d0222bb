//! A token-bucket rate limiter in front of a service (see
//! [`crate::config::RateLimitConfig`]): the classic token bucket of network
//! traffic shaping (Turner, 1986; RFC 2697 describes the same meter), as
//! API gateways and Envoy's local rate limit filter apply it per route.
//! It holds up to `burst` tokens, gains `rate_per_s` a second, and every
//! attempt takes a whole one; an attempt that finds less than one is
//! answered with a 429. Over any span `T` it admits at most
//! `burst + rate × T` attempts.

use crate::config::RateLimitConfig;
use crate::time::NANOS_PER_SEC;

/// One token, in the bucket's units.
const UNIT: f64 = NANOS_PER_SEC as f64;

/// One service's bucket. Tokens are counted in billionths, so that a
/// whole rate over whole nanoseconds adds whole units and the count stays
/// exact (below 2^53 units: a burst of up to 9 million tokens).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TokenBucket {
    rate_per_s: f64,
    /// `burst` in billionths of a token.
    burst: f64,
    /// Tokens held, in billionths.
    tokens: f64,
    /// When `tokens` was last brought up to date, ns.
    last: u64,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(c: &RateLimitConfig, now: u64) -> TokenBucket {
        let burst = c.burst as f64 * UNIT;
        TokenBucket { rate_per_s: c.rate_per_s, burst, tokens: burst, last: now }
    }

    /// Takes a token at `now` if there is one; false means a 429.
    #[inline]
    pub fn take(&mut self, now: u64) -> bool {
        self.take_time(now);
        if self.tokens >= UNIT {
            self.tokens -= UNIT;
            true
        } else {
            false
        }
    }

    /// Takes new settings at `now`, keeping the tokens it has (up to the new burst).
    pub fn update(&mut self, c: &RateLimitConfig, now: u64) {
        self.take_time(now);
        let tokens = self.tokens.min(c.burst as f64 * UNIT);
        *self = TokenBucket { tokens, ..TokenBucket::new(c, now) };
    }

    /// Adds the tokens gained since the last look.
    #[inline]
    fn take_time(&mut self, now: u64) {
        // Past a full refill the bucket is full: no product beyond 2^53.
        let full_in = self.burst / self.rate_per_s.max(f64::MIN_POSITIVE);
        let elapsed = (now.saturating_sub(self.last) as f64).min(full_in);
        self.tokens = (self.tokens + elapsed * self.rate_per_s).min(self.burst);
        self.last = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_the_burst_then_the_rate() {
        let c = RateLimitConfig { enabled: true, rate_per_s: 100.0, burst: 10 };
        let mut b = TokenBucket::new(&c, 0);
        let at_once = (0..50).filter(|_| b.take(0)).count();
        assert_eq!(at_once, 10, "the burst");
        // One attempt every millisecond for a second: 100 tokens come in.
        let mut admitted = 0;
        for ms in 1..=1000u64 {
            admitted += b.take(ms * 1_000_000) as u32;
        }
        assert_eq!(admitted, 100);
        b.update(&RateLimitConfig { burst: 1, ..c }, 2_000_000_000);
        assert!(b.take(2_000_000_000));
        assert!(!b.take(2_000_000_000), "the new, smaller burst");
    }
}
