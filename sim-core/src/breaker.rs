//! A circuit breaker on a call edge: closed, open, half-open, as Hystrix
//! (Netflix, "How it Works: Circuit Breaker") and Resilience4j
//! (`CircuitBreakerConfig`) have it.
//!
//! Closed, it counts attempts and failed attempts (errors and timeouts) over
//! a rolling window; once the window holds at least `min_requests` and at
//! least `failure_rate` of them failed, it opens. Open, every attempt fails
//! at once, without being sent, for `open_ms`. Then it is half-open: it lets
//! `probes` attempts through and, once they are answered, closes if fewer
//! than `failure_rate` of them failed (Resilience4j's rule), else opens
//! again. After the dependency recovers it is therefore closed again within
//! `open_ms` plus the time its probes take.

use crate::config::BreakerConfig;
use crate::time::secs_to_nanos;
use crate::window::Window;
use serde::{Deserialize, Serialize};

/// A circuit breaker's state, as shown on its edge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Attempts go through (also the state of an edge without a breaker).
    #[default]
    Closed,
    /// Attempts fail at once without being sent.
    Open,
    /// A few probe attempts go through to decide whether to close.
    HalfOpen,
}

impl BreakerState {
    /// A short word for labels and legends.
    pub fn label(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Closed,
    Open { until: u64 },
    HalfOpen { since: u64, sent: u32, answered: u32, failed: u32 },
}

/// One edge's breaker.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Breaker {
    failure_rate: f64,
    min_requests: i64,
    open_ns: u64,
    probes: u32,
    attempts: Window,
    failures: Window,
    phase: Phase,
}

impl Breaker {
    pub fn new(c: &BreakerConfig) -> Breaker {
        let w = Window::new(secs_to_nanos(c.window_s));
        Breaker {
            failure_rate: c.failure_rate,
            min_requests: c.min_requests as i64,
            open_ns: secs_to_nanos(c.open_ms / 1000.0),
            probes: c.probes,
            attempts: w.clone(),
            failures: w,
            phase: Phase::Closed,
        }
    }

    /// The same breaker under new settings, its state kept (its counts too,
    /// unless the window changed).
    pub fn updated(self, c: &BreakerConfig) -> Breaker {
        let fresh = Breaker::new(c);
        let keep_counts = fresh.attempts.same_span(&self.attempts);
        Breaker {
            phase: self.phase,
            attempts: if keep_counts { self.attempts } else { fresh.attempts.clone() },
            failures: if keep_counts { self.failures } else { fresh.failures.clone() },
            ..fresh
        }
    }

    /// The state at `now` (an open breaker whose time is up reads half-open).
    pub fn state(&self, now: u64) -> BreakerState {
        match self.phase {
            Phase::Closed => BreakerState::Closed,
            Phase::Open { until } if now < until => BreakerState::Open,
            Phase::Open { .. } | Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// True when an attempt at `now` may be sent (a half-open breaker
    /// counts it as one of its probes). Probes that never get an answer
    /// (abandoned by a hedge) are given up on after another `open_ms`:
    /// the breaker then decides on those answered.
    pub fn admits(&mut self, now: u64) -> bool {
        if let Phase::Open { until } = self.phase {
            if now < until {
                return false;
            }
            self.phase = Phase::HalfOpen { since: now, sent: 0, answered: 0, failed: 0 };
        }
        let Phase::HalfOpen { since, sent, answered, failed } = &mut self.phase else { return true };
        if *sent < self.probes {
            *sent += 1;
            return true;
        }
        if now >= since.saturating_add(self.open_ns) {
            let (answered, failed) = (*answered, *failed);
            self.decide(now, answered, failed);
            return self.admits(now);
        }
        false
    }

    /// An attempt it admitted was not sent after all (another defence
    /// refused it): a half-open breaker gets its probe back.
    pub fn unadmit(&mut self) {
        if let Phase::HalfOpen { sent, .. } = &mut self.phase {
            *sent = sent.saturating_sub(1);
        }
    }

    /// An attempt sent through the breaker ended. Returns true when this
    /// opened it.
    pub fn record(&mut self, now: u64, ok: bool) -> bool {
        match &mut self.phase {
            Phase::Closed => {
                self.attempts.add(now, 1);
                self.failures.add(now, !ok as i64);
                let (n, f) = (self.attempts.sum(now), self.failures.sum(now));
                if n >= self.min_requests && f as f64 >= self.failure_rate * n as f64 {
                    self.open(now);
                    return true;
                }
                false
            }
            // Answers to attempts sent before it opened.
            Phase::Open { .. } => false,
            Phase::HalfOpen { answered, failed, .. } => {
                *answered += 1;
                *failed += !ok as u32;
                let (answered, failed) = (*answered, *failed);
                if answered < self.probes {
                    return false;
                }
                self.decide(now, answered, failed)
            }
        }
    }

    /// Half-open with its probes answered: closes, or opens again (true).
    fn decide(&mut self, now: u64, answered: u32, failed: u32) -> bool {
        if answered > 0 && (failed as f64) < self.failure_rate * answered as f64 {
            self.phase = Phase::Closed;
            self.attempts.clear();
            self.failures.clear();
            return false;
        }
        self.open(now);
        true
    }

    fn open(&mut self, now: u64) {
        self.phase = Phase::Open { until: now.saturating_add(self.open_ns) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn breaker() -> Breaker {
        Breaker::new(&BreakerConfig { enabled: true, min_requests: 10, probes: 3, ..BreakerConfig::default() })
    }

    #[test]
    fn opens_on_failures_then_probes_and_closes() {
        let mut b = breaker();
        for i in 0..9 {
            assert!(!b.record(i * MS, false), "fewer than the minimum: stays closed");
        }
        assert!(b.record(9 * MS, false));
        assert_eq!(b.state(10 * MS), BreakerState::Open);
        assert!(!b.admits(10 * MS));
        // After open_ms (5 s): three probes, then no more until they answer.
        let t = 9 * MS + 5_000 * MS;
        assert_eq!(b.state(t), BreakerState::HalfOpen);
        assert!(b.admits(t) && b.admits(t) && b.admits(t) && !b.admits(t));
        b.record(t, true);
        b.record(t, true);
        assert_eq!(b.state(t), BreakerState::HalfOpen);
        b.record(t, false);
        assert_eq!(b.state(t), BreakerState::Closed, "1 of 3 failed: under 50%");
    }

    #[test]
    fn failed_probes_open_it_again() {
        let mut b = breaker();
        for i in 0..10 {
            b.record(i * MS, false);
        }
        let t = 9 * MS + 5_000 * MS;
        for _ in 0..3 {
            assert!(b.admits(t));
        }
        b.record(t, false);
        b.record(t, false);
        assert!(b.record(t, true), "2 of 3 failed: opens again");
        assert_eq!(b.state(t + 4_999 * MS), BreakerState::Open);
    }

    #[test]
    fn successes_keep_it_closed() {
        let mut b = breaker();
        for i in 0..100 {
            b.record(i * MS, i % 3 != 0);
        }
        assert_eq!(b.state(100 * MS), BreakerState::Closed, "a third failing is under the threshold");
    }
}
