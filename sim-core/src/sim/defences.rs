//! The client defences' hooks into the engine: what a call edge's retry
//! budget, retry throttle, adaptive throttle, circuit breaker and hedging
//! do before an attempt, before a retry, when an attempt ends, and once a
//! second. The mechanisms themselves live in `budget.rs`, `throttle.rs`,
//! `breaker.rs` and `hedge.rs`; none of this runs unless some edge has one
//! switched on (`any_defences`).

use super::Simulation;
use crate::breaker::{Breaker, BreakerState};
use crate::budget::RetryBudget;
use crate::config::ClientConfig;
use crate::event::Event;
use crate::hedge::Failure;
use crate::metrics::Counter;
use crate::throttle::{AdaptiveThrottle, RetryThrottle};
use crate::time::secs_to_nanos;
use crate::trace::Outcome;

/// One call edge's defences in force, with their state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Defences {
    pub budget: Option<RetryBudget>,
    pub throttle: Option<RetryThrottle>,
    pub adaptive: Option<AdaptiveThrottle>,
    pub breaker: Option<Breaker>,
    /// Wait before a hedge, ns.
    pub hedge_ns: Option<u64>,
    /// The budget's settings, to tell whether a live change touched them.
    budget_cfg: crate::config::BudgetConfig,
}

impl Defences {
    /// The defences `c` switches on, `None` when it switches on none (the
    /// edge then costs nothing more than before they existed).
    pub fn new(c: &ClientConfig) -> Option<Box<Defences>> {
        let d = Defences {
            budget: c.budget.enabled.then(|| RetryBudget::new(&c.budget)),
            throttle: c.throttle.enabled.then(|| RetryThrottle::new(&c.throttle)),
            adaptive: c.adaptive.enabled.then(|| AdaptiveThrottle::new(&c.adaptive)),
            breaker: c.breaker.enabled.then(|| Breaker::new(&c.breaker)),
            hedge_ns: c.hedge.enabled.then(|| secs_to_nanos(c.hedge.delay_ms / 1000.0)),
            budget_cfg: c.budget.clone(),
        };
        let any = d.budget.is_some()
            || d.throttle.is_some()
            || d.adaptive.is_some()
            || d.breaker.is_some()
            || d.hedge_ns.is_some();
        any.then(|| Box::new(d))
    }

    /// The defences of a changed policy `c`, keeping the state of those
    /// still on: a live change does not reset a breaker or refill tokens.
    /// A budget is rebuilt only when its settings changed.
    pub fn updated(old: Option<Box<Defences>>, c: &ClientConfig) -> Option<Box<Defences>> {
        let mut d = Defences::new(c)?;
        let Some(old) = old else { return Some(d) };
        if c.budget == old.budget_cfg {
            d.budget = old.budget;
        }
        if let (Some(t), true) = (old.throttle, c.throttle.enabled) {
            d.throttle = Some(t.updated(&c.throttle));
        }
        if let (Some(a), true) = (old.adaptive, c.adaptive.enabled) {
            d.adaptive = Some(a.updated(&c.adaptive));
        }
        if let (Some(b), true) = (old.breaker, c.breaker.enabled) {
            d.breaker = Some(b.updated(&c.breaker));
        }
        Some(d)
    }
}

impl Simulation {
    /// Before an attempt of `client` on `edge`: the breaker and adaptive
    /// throttling may refuse it locally, and then the request (or call) fails
    /// at once, unsent and not retried. Returns true when refused. A
    /// request's first attempt pays into the retry budget.
    #[inline(never)]
    pub(super) fn refused_locally(&mut self, client: u32, edge: usize) -> bool {
        if self.any_hedge {
            self.hedges.clear(client);
        }
        let now = self.now;
        let to = self.edges[edge].to;
        let Some(d) = self.edges[edge].defences.as_mut() else { return false };
        // The breaker first: what it refuses never reaches the adaptive
        // throttle, whose counts are of attempts meant for the backend.
        let refused = if d.breaker.as_mut().is_some_and(|b| !b.admits(now)) {
            Some(Counter::BreakerRejected)
        } else if d.adaptive.as_mut().is_some_and(|a| a.rejects(now, &mut self.rng_defences)) {
            if let Some(b) = d.breaker.as_mut() {
                b.unadmit();
            }
            Some(Counter::AdaptiveRejected)
        } else {
            None
        };
        if let Some(counter) = refused {
            self.count_at(to, counter);
            self.note_edge(edge as u32, |s| &mut s.refused);
            let outcome = if counter == Counter::BreakerRejected { Outcome::BreakerOpen } else { Outcome::Throttled };
            self.trace_local::<true>(client, outcome);
            self.give_up::<true>(client);
            return true;
        }
        if self.clients.get(client).sent == 0 {
            if let Some(b) = d.budget.as_mut() {
                b.deposit(now);
            }
        }
        false
    }

    /// Before a retry of `client`: gRPC throttling and the retry budget may
    /// forbid it, and then the request (or call) gives up. Returns true
    /// when forbidden.
    #[inline(never)]
    pub(super) fn retry_refused(&mut self, client: u32) -> bool {
        let edge = self.clients.get(client).edge as usize;
        let now = self.now;
        let Some(d) = self.edges[edge].defences.as_mut() else { return false };
        let refused = if d.throttle.is_some_and(|t| !t.allows_retry()) {
            Some(Counter::ThrottleSuppressed)
        } else if d.budget.as_mut().is_some_and(|b| !b.try_withdraw(now)) {
            Some(Counter::BudgetSuppressed)
        } else {
            None
        };
        let Some(counter) = refused else { return false };
        self.count_at(self.edges[edge].to, counter);
        self.note_edge(edge as u32, |s| &mut s.suppressed);
        self.trace_local::<true>(client, Outcome::RetrySuppressed);
        self.give_up::<true>(client);
        true
    }

    /// An attempt on `edge` ended: the throttles and the breaker learn of
    /// it (a timeout is a failure).
    #[inline(never)]
    pub(super) fn note_outcome(&mut self, edge: usize, ok: bool) {
        let now = self.now;
        let Some(d) = self.edges[edge].defences.as_mut() else { return };
        if let Some(t) = d.throttle.as_mut() {
            t.record(ok);
        }
        if ok {
            if let Some(a) = d.adaptive.as_mut() {
                a.accepted(now);
            }
        }
        if d.breaker.as_mut().is_some_and(|b| b.record(now, ok)) {
            self.count_at(self.edges[edge].to, Counter::BreakerTrips);
        }
    }

    /// After attempt `token` of `client` was sent on `edge`: schedules its
    /// hedge, if the edge hedges and the delay is shorter than the timeout.
    #[inline(never)]
    pub(super) fn arm_hedge(&mut self, client: u32, token: u32, edge: usize) {
        let e = &self.edges[edge];
        let Some(delay) = e.defences.as_ref().and_then(|d| d.hedge_ns) else { return };
        if delay < e.timeout_ns {
            self.queue.push(self.now.saturating_add(delay), Event::Hedge { client, token });
        }
    }

    /// The hedge delay of attempt `token` passed: if the client still waits
    /// for that attempt alone, it sends a second one (unless gRPC
    /// throttling forbids, as gRFC A6 has it for hedges too, or the breaker
    /// refuses). The pair then waits until the hedge's timeout.
    pub(super) fn on_hedge(&mut self, client: u32, token: u32) {
        let c = self.clients.get(client);
        if c.token != token || !c.waiting || self.now >= c.deadline || self.hedges.is_hedged(client) {
            return;
        }
        let edge = c.edge as usize;
        let now = self.now;
        let to = self.edges[edge].to;
        let Some(d) = self.edges[edge].defences.as_mut() else { return };
        if d.throttle.is_some_and(|t| !t.allows_retry()) {
            self.count_at(to, Counter::ThrottleSuppressed);
            self.note_edge(edge as u32, |s| &mut s.suppressed);
            return;
        }
        if d.breaker.as_mut().is_some_and(|b| !b.admits(now)) {
            self.count_at(to, Counter::BreakerRejected);
            self.note_edge(edge as u32, |s| &mut s.refused);
            return;
        }
        self.count_at(to, Counter::Hedges);
        self.note_edge(edge as u32, |s| &mut s.hedged);
        self.hedges.start(client, token);
        self.send_hedge(client, edge);
    }

    /// The hedge itself: counted and sent as any attempt, but not a retry.
    fn send_hedge(&mut self, client: u32, edge: usize) {
        let tier = self.edges[edge].to;
        self.count_at(tier, Counter::Attempts);
        let c = self.clients.get(client);
        c.token = c.token.wrapping_add(1);
        let token = c.token;
        if self.multi {
            self.edges[edge].stats.sent += 1;
        }
        self.await_answer(client, token, edge);
        if let Some(t) = self.tracer.as_mut() {
            t.attempt(self.now, client, token, edge as u32, true);
        }
        if self.any_network && (self.edges[edge].network.is_some() || self.edges[edge].partitioned) {
            if !self.edges[edge].partitioned {
                let at = self.now.saturating_add(self.network_delay(edge));
                self.queue.push(at, Event::Deliver { client, token, tier });
            }
            return;
        }
        let w = crate::node::Waiting { sent: self.now, client, token };
        if self.admit::<true>(tier, w).is_none() {
            self.note_edge(edge as u32, |s| &mut s.failed);
            if let Some(t) = self.tracer.as_mut() {
                t.attempt_end(self.now, (client, token), Outcome::Error);
            }
            self.note_outcome(edge, false);
            let current = self.clients.get(client).token;
            // The original is still out: the pair survives.
            let _ = self.hedges.fail(client, token, current);
        }
    }

    /// A failed attempt of a hedged client: true when the other attempt is
    /// still awaited (nothing more to do).
    pub(super) fn hedge_absorbs(&mut self, client: u32, token: u32) -> bool {
        let current = self.clients.get(client).token;
        self.hedges.fail(client, token, current) == Failure::Absorbed
    }

    /// A hedging client got its answer to `token`: counts the hedge's win
    /// and the cancelled other attempt.
    pub(super) fn hedge_answered(&mut self, client: u32, token: u32, to: u32) {
        let current = self.clients.get(client).token;
        if let Some(hedge_won) = self.hedges.answered(client, token, current) {
            self.count_at(to, Counter::HedgesCancelled);
            if hedge_won {
                self.count_at(to, Counter::HedgeWins);
            }
        }
    }

    /// A hedged pair timed out: the original's failure counts too.
    pub(super) fn hedge_timed_out(&mut self, client: u32, edge: usize) {
        if self.hedges.is_hedged(client) {
            self.hedges.clear(client);
            self.note_outcome(edge, false);
        }
    }

    /// Once a second: edges whose breaker is open, into the series.
    pub(super) fn sample_breakers(&mut self) {
        for e in 0..self.edges.len() {
            let open = self.edges[e].defences.as_ref().and_then(|d| d.breaker.as_ref());
            if open.is_some_and(|b| b.state(self.now) == BreakerState::Open) {
                self.count_at(self.edges[e].to, Counter::BreakerOpen);
            }
        }
    }

    /// The state of `edge`'s breaker now (closed without one).
    pub(super) fn breaker_state(&self, edge: usize) -> BreakerState {
        let d = self.edges[edge].defences.as_ref();
        d.and_then(|d| d.breaker.as_ref()).map_or(BreakerState::Closed, |b| b.state(self.now))
    }
}
