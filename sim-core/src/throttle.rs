//! Two ways a client holds itself back when its backend fails: gRPC's retry
//! throttling, which stops retries, and the SRE book's adaptive throttling,
//! which rejects requests before they are sent.

use crate::config::{AdaptiveConfig, ThrottleConfig};
use crate::rng::Stream;
use crate::time::secs_to_nanos;
use crate::window::Window;

/// Thousandths of a token: gRFC A6 keeps the count with three decimal
/// places, so that a ratio of 0.1 adds exactly a tenth.
const MILLI: f64 = 1_000.0;

/// gRPC retry throttling (gRFC A6, "gRPC Retry Design", "Throttling Retry
/// Attempts and Hedged RPCs"): `token_count` starts at `max_tokens`; every
/// failed attempt takes 1, every success adds `token_ratio` (up to
/// `max_tokens`); retries and hedges are sent only while the count is above
/// `max_tokens / 2`. With a failure share f of attempts the count drifts by
/// `−f + token_ratio (1 − f)` per attempt, so it sinks to the threshold, and
/// retries stop, once f passes `token_ratio / (1 + token_ratio)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RetryThrottle {
    /// Tokens, in thousandths.
    tokens: i64,
    max: i64,
    ratio: i64,
}

impl RetryThrottle {
    pub fn new(c: &ThrottleConfig) -> RetryThrottle {
        let max = (c.max_tokens * MILLI).round() as i64;
        RetryThrottle { tokens: max, max, ratio: (c.token_ratio * MILLI).round() as i64 }
    }

    /// The same throttle under new settings, its count kept (cut to the new
    /// maximum).
    pub fn updated(self, c: &ThrottleConfig) -> RetryThrottle {
        let fresh = RetryThrottle::new(c);
        RetryThrottle { tokens: self.tokens.min(fresh.max), ..fresh }
    }

    /// An attempt ended: a success adds the ratio, a failure takes a token.
    pub fn record(&mut self, ok: bool) {
        self.tokens = if ok { (self.tokens + self.ratio).min(self.max) } else { (self.tokens - 1_000).max(0) };
    }

    /// True while a retry (or a hedge) may be sent: the count is above half.
    pub fn allows_retry(&self) -> bool {
        2 * self.tokens > self.max
    }

    /// Tokens left.
    #[cfg(test)]
    pub fn tokens(&self) -> f64 {
        self.tokens as f64 / MILLI
    }
}

/// Client-side adaptive throttling (Beyer et al., "Site Reliability
/// Engineering", O'Reilly 2016, chapter 21 "Handling Overload", "Client-Side
/// Throttling"): over a window, `requests` counts the attempts the client
/// meant to send (those it rejected itself included) and `accepts` those
/// the backend accepted; a new attempt is rejected locally with probability
/// `max(0, (requests − K × accepts) / (requests + 1))`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AdaptiveThrottle {
    requests: Window,
    accepts: Window,
    k: f64,
}

impl AdaptiveThrottle {
    pub fn new(c: &AdaptiveConfig) -> AdaptiveThrottle {
        let w = Window::new(secs_to_nanos(c.window_s));
        AdaptiveThrottle { requests: w.clone(), accepts: w, k: c.k }
    }

    /// The same throttle under new settings: the counts are kept unless the
    /// window changed.
    pub fn updated(self, c: &AdaptiveConfig) -> AdaptiveThrottle {
        let fresh = AdaptiveThrottle::new(c);
        if fresh.requests.same_span(&self.requests) {
            AdaptiveThrottle { k: c.k, ..self }
        } else {
            fresh
        }
    }

    /// The chance that an attempt at `now` is rejected locally.
    pub fn reject_probability(&mut self, now: u64) -> f64 {
        let requests = self.requests.sum(now) as f64;
        let accepts = self.accepts.sum(now) as f64;
        ((requests - self.k * accepts) / (requests + 1.0)).max(0.0)
    }

    /// Decides an attempt at `now`: true when it is rejected locally. Every
    /// attempt counts as a request, rejected or not, as the book has it.
    pub fn rejects(&mut self, now: u64, rng: &mut Stream) -> bool {
        let p = self.reject_probability(now);
        self.requests.add(now, 1);
        p > 0.0 && rng.uniform() < p
    }

    /// The backend accepted an attempt (answered it with a success).
    pub fn accepted(&mut self, now: u64) {
        self.accepts.add(now, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_stops_retries_at_half_and_refills_by_the_ratio() {
        let mut t = RetryThrottle::new(&ThrottleConfig { enabled: true, max_tokens: 10.0, token_ratio: 0.1 });
        for _ in 0..4 {
            t.record(false);
        }
        assert!(t.allows_retry() && t.tokens() == 6.0);
        t.record(false);
        assert!(!t.allows_retry(), "5 tokens is at half: no retry");
        t.record(true);
        assert!(t.allows_retry() && (t.tokens() - 5.1).abs() < 1e-12);
        for _ in 0..100 {
            t.record(true);
        }
        assert_eq!(t.tokens(), 10.0, "never above the maximum");
    }

    #[test]
    fn adaptive_rejects_what_exceeds_k_times_the_accepts() {
        let c = AdaptiveConfig { enabled: true, k: 2.0, window_s: 120.0 };
        let mut a = AdaptiveThrottle::new(&c);
        let mut rng = Stream::new(1, "test");
        assert!(!a.rejects(0, &mut rng), "no history: nothing rejected");
        // 100 requests, 10 accepted: p = (100 − 20) / 101.
        for _ in 0..99 {
            a.rejects(1, &mut rng);
        }
        for _ in 0..10 {
            a.accepted(1);
        }
        assert!((a.reject_probability(2) - 80.0 / 101.0).abs() < 1e-12);
        // Every request accepted: never rejects.
        for _ in 0..40 {
            a.accepted(3);
        }
        assert_eq!(a.reject_probability(4), 0.0);
    }
}
