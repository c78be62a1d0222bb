//! Hedged requests (Dean and Barroso, "The Tail at Scale", Communications of
//! the ACM 56(2), 2013, "Hedged requests"): when an attempt has gone
//! unanswered for a delay (the paper suggests the 95th-percentile expected
//! latency), the client sends a second one, takes whichever answers first
//! and cancels the other. The paper reports that hedging at the 95th
//! percentile cut a BigTable benchmark's 99.9th-percentile latency from
//! 1,800 ms to 74 ms for 2% more requests.
//!
//! A client normally waits for one attempt, named by its token. While
//! hedged it waits for two: the hedge holds the client's current token and
//! the original's token is kept here, beside the client slab (only hedging
//! clients use it). The pair waits until the hedge's own timeout; one
//! failing leaves the client waiting for the other.

/// The original attempt of a hedged pair, by client slot.
#[derive(Debug, Default)]
pub(crate) struct Hedges {
    pairs: Vec<Option<Pair>>,
}

/// A client waiting for two attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pair {
    /// The original attempt's token.
    original: u32,
    /// False once the hedge failed (the client then waits for the original
    /// alone).
    hedge_alive: bool,
}

/// What a failed attempt of a client means for its pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The other attempt is still awaited: nothing more to do.
    Absorbed,
    /// No other attempt is awaited: retry or give up as usual.
    Last,
}

impl Hedges {
    /// The client sends a fresh attempt: it is no longer hedged.
    #[inline]
    pub fn clear(&mut self, client: u32) {
        if let Some(p) = self.pairs.get_mut(client as usize) {
            *p = None;
        }
    }

    /// True while the client waits for two attempts.
    pub fn is_hedged(&self, client: u32) -> bool {
        self.pairs.get(client as usize).is_some_and(|p| p.is_some())
    }

    /// The client sent a hedge for its attempt `original`.
    pub fn start(&mut self, client: u32, original: u32) {
        let i = client as usize;
        if self.pairs.len() <= i {
            self.pairs.resize(i + 1, None);
        }
        self.pairs[i] = Some(Pair { original, hedge_alive: true });
    }

    /// True when `token` is the original of the client's hedged pair.
    #[inline]
    pub fn is_original(&self, client: u32, token: u32) -> bool {
        self.pairs.get(client as usize).is_some_and(|p| p.is_some_and(|p| p.original == token))
    }

    /// Attempt `token` of a client whose current (hedge) token is `current`
    /// failed.
    pub fn fail(&mut self, client: u32, token: u32, current: u32) -> Failure {
        let Some(slot) = self.pairs.get_mut(client as usize) else { return Failure::Last };
        let Some(p) = slot.as_mut() else { return Failure::Last };
        if token == p.original && p.hedge_alive {
            *slot = None;
            return Failure::Absorbed;
        }
        if token == current && p.hedge_alive {
            p.hedge_alive = false;
            return Failure::Absorbed;
        }
        *slot = None;
        Failure::Last
    }

    /// The client got an answer to `token`: returns `(was hedged, the hedge
    /// won)` and forgets the pair. The other attempt, if still out, is
    /// cancelled.
    pub fn answered(&mut self, client: u32, token: u32, current: u32) -> Option<bool> {
        let p = self.pairs.get_mut(client as usize)?.take()?;
        Some(token == current && p.hedge_alive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_survives_one_failure_either_way() {
        let mut h = Hedges::default();
        h.start(3, 7);
        assert!(h.is_original(3, 7) && !h.is_original(3, 8));
        assert_eq!(h.fail(3, 8, 8), Failure::Absorbed, "the hedge failed: wait for the original");
        assert_eq!(h.fail(3, 7, 8), Failure::Last);
        assert!(!h.is_hedged(3));
        h.start(3, 9);
        assert_eq!(h.fail(3, 9, 10), Failure::Absorbed, "the original failed: wait for the hedge");
        assert!(!h.is_hedged(3));
        h.start(3, 11);
        assert_eq!(h.answered(3, 12, 12), Some(true));
        assert_eq!(h.answered(3, 12, 12), None);
    }
}
