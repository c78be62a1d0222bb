//! The defences as the app shows them, framework-free: which client-side
//! defences a call edge has on (a badge each), how a circuit breaker's state
//! is drawn (a word and a shape as well as a colour), how a node the
//! autoscaler is still provisioning is drawn (distinct from a crashed one),
//! and which counters the "Defences" chart plots, read off the engine's
//! counters table rather than listed by hand.

use sim_core::config::ClientConfig;
use sim_core::{BreakerState, Config, Counter};

/// A client-side defence on a call edge (issue 10's client side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defence {
    /// Finagle's retry budget (`client.budget`).
    Budget,
    /// gRPC retry throttling (`client.throttle`).
    Throttle,
    /// The SRE book's client-side adaptive throttling (`client.adaptive`).
    Adaptive,
    /// A circuit breaker (`client.breaker`).
    Breaker,
    /// Hedged requests (`client.hedge`).
    Hedge,
}

impl Defence {
    /// Every defence, in the badges' order.
    pub const ALL: [Defence; 5] = [Defence::Budget, Defence::Throttle, Defence::Adaptive, Defence::Breaker, Defence::Hedge];

    /// Its badge text: short, so that five fit beside an arrow.
    pub fn badge(self) -> &'static str {
        match self {
            Defence::Budget => "budget",
            Defence::Throttle => "throttle",
            Defence::Adaptive => "adaptive",
            Defence::Breaker => "breaker",
            Defence::Hedge => "hedge",
        }
    }

    /// What it is, for a tooltip.
    pub fn word(self) -> &'static str {
        match self {
            Defence::Budget => "retry budget",
            Defence::Throttle => "gRPC retry throttling",
            Defence::Adaptive => "client-side adaptive throttling",
            Defence::Breaker => "circuit breaker",
            Defence::Hedge => "hedged requests",
        }
    }

    /// Whether `client` has it on.
    pub fn is_on(self, client: &ClientConfig) -> bool {
        match self {
            Defence::Budget => client.budget.enabled,
            Defence::Throttle => client.throttle.enabled,
            Defence::Adaptive => client.adaptive.enabled,
            Defence::Breaker => client.breaker.enabled,
            Defence::Hedge => client.hedge.enabled,
        }
    }
}

/// The defences `client` has on, in the badges' order.
pub fn defences(client: &ClientConfig) -> Vec<Defence> {
    Defence::ALL.into_iter().filter(|d| d.is_on(client)).collect()
}

/// The client policy of call `call` of service `from`, as the snapshot
/// numbers them (the configuration's services in order).
pub fn call_client(config: &Config, from: usize, call: usize) -> Option<&ClientConfig> {
    Some(&config.services.get(from)?.calls.get(call)?.client)
}

/// How a breaker state is drawn: a CSS modifier, a shape and a word, so that
/// colour never carries it alone (closed a filled disc, open a hollow ring
/// broken by a bar, half-open a half disc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerLook {
    /// CSS modifier (`breaker--…`) and `data-breaker` value.
    pub class: &'static str,
    /// Its shape.
    pub icon: &'static str,
    /// Its word on the badge.
    pub word: &'static str,
}

/// The look of a breaker state.
pub fn breaker_look(state: BreakerState) -> BreakerLook {
    match state {
        BreakerState::Closed => BreakerLook { class: "closed", icon: "●", word: "closed" },
        BreakerState::Open => BreakerLook { class: "open", icon: "⊘", word: "OPEN" },
        BreakerState::HalfOpen => BreakerLook { class: "half-open", icon: "◐", word: "half-open" },
    }
}

/// The badge text of a breaker in `state`.
pub fn breaker_badge(state: BreakerState) -> String {
    let look = breaker_look(state);
    format!("{} breaker {}", look.icon, look.word)
}

/// CSS modifier, icon and word of a node the autoscaler is provisioning:
/// a dotted outline and a hollow dashed circle, not the crashed red cross.
pub const PROVISIONING: (&str, &str, &str) = ("provisioning", "◌", "provisioning (autoscaler)");

/// Whether shown node `k` of a service with `shown` nodes, the last
/// `pending` of which are provisioning, is one of those.
pub fn is_provisioning(k: usize, shown: usize, pending: u32) -> bool {
    k + pending as usize >= shown
}

/// The first and last counters of the defences' block in the engine's
/// counters table (sim-core's `metrics.rs`, issue 10's rows, kept together).
const FIRST: Counter = Counter::BudgetSuppressed;
const LAST: Counter = Counter::LimitRejected;

/// The counters the "Defences" chart plots: the defences' block of the
/// engine's counters table, read in its order, so that a counter added to
/// the block is charted without a list here. The autoscaler's scale events
/// follow the block and are shown as node counts instead.
pub fn chart_counters() -> Vec<Counter> {
    let at = |c: Counter| Counter::ALL.iter().position(|&x| x == c).unwrap_or(0);
    Counter::ALL[at(FIRST)..=at(LAST)].iter().copied().filter(|c| c.has_series()).collect()
}

/// Whether any defence the "Defences" chart covers is on anywhere in
/// `config`: the entry client, any call edge, or any service's server-side
/// defences.
pub fn any_on(config: &Config) -> bool {
    let client = |c: &ClientConfig| !defences(c).is_empty();
    let server = |l: bool, r: bool, a: bool| l || r || a;
    client(&config.client)
        || server(config.limiter.adaptive, config.rate_limit.enabled, config.autoscaler.enabled)
        || config.services.iter().any(|s| {
            s.calls.iter().any(|c| client(&c.client))
                || server(s.limiter.adaptive, s.rate_limit.enabled, s.autoscaler.enabled)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_follow_the_switches_in_order() {
        let mut c = ClientConfig::default();
        assert!(defences(&c).is_empty());
        c.hedge.enabled = true;
        c.budget.enabled = true;
        assert_eq!(defences(&c), vec![Defence::Budget, Defence::Hedge]);
    }

    #[test]
    fn breaker_states_differ_in_shape_and_word() {
        let looks: Vec<_> = [BreakerState::Closed, BreakerState::Open, BreakerState::HalfOpen].map(breaker_look).into();
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert_ne!(a.icon, b.icon);
                assert_ne!(a.word, b.word);
            }
        }
        assert_eq!(breaker_badge(BreakerState::Open), "⊘ breaker OPEN");
    }

    #[test]
    fn the_chart_plots_every_defence_counter_and_no_other() {
        let names: Vec<_> = chart_counters().iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "budget_suppressed",
                "throttle_suppressed",
                "adaptive_rejected",
                "breaker_rejected",
                "breaker_trips",
                "breaker_open",
                "hedges",
                "hedge_wins",
                "hedges_cancelled",
                "rate_limited",
                "limit_rejected"
            ]
        );
    }

    #[test]
    fn any_on_sees_the_entry_client_an_edge_and_a_service() {
        let mut c = Config::default();
        assert!(!any_on(&c));
        c.client.breaker.enabled = true;
        assert!(any_on(&c));
        c.client.breaker.enabled = false;
        c.rate_limit.enabled = true;
        assert!(any_on(&c));
    }

    #[test]
    fn the_last_pending_nodes_are_provisioning() {
        assert!(!is_provisioning(1, 4, 2));
        assert!(is_provisioning(2, 4, 2));
        assert!(!is_provisioning(3, 4, 0));
    }
}
