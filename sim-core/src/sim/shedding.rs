//! Queue policies at dequeue: dropping attempts past their deadline, CoDel,
//! and adaptive LIFO (see [`crate::config::SheddingConfig`]).

use super::Simulation;
use crate::metrics::Counter;
use crate::node::Waiting;

impl Simulation {
    #[inline(never)]
    pub(super) fn next_waiting_checked(&mut self, node: u32, tier: usize) -> Option<Waiting> {
        let p = self.tiers[tier].policy;
        loop {
            let w = self.nodes[node as usize].pop_waiting(self.now, p.lifo_above)?;
            if w.client == super::health::PROBE_CLIENT {
                return Some(w); // a health probe: no client deadline to check
            }
            let expired = (p.drop_expired
                && !self.client_waits_for_at_least::<true>(w.client, w.token, p.deadline_margin))
                || (p.drop_past_deadline && !self.client_waits_for::<true>(w.client, w.token));
            if expired {
                self.count_at(tier as u32, Counter::Dropped);
                self.trace_served::<true>(w.client, w.token, crate::trace::Outcome::Dropped);
                continue;
            }
            if self.codel_sheds(node, tier, w) {
                self.nodes[node as usize].note_shed(self.now);
                self.count_at(tier as u32, Counter::Rejected);
                self.trace_served::<true>(w.client, w.token, crate::trace::Outcome::CodelShed);
                self.fail_attempt_at::<true>(w.client, w.token);
                continue;
            }
            return Some(w);
        }
    }

    /// CoDel's verdict on `w` at the head of `node`'s queue: its wait is
    /// limited to the target while the queue has stood for an interval, and
    /// to the interval otherwise.
    fn codel_sheds(&self, node: u32, tier: usize, w: Waiting) -> bool {
        let Some((target, interval)) = self.tiers[tier].policy.codel else { return false };
        let standing = self.now.saturating_sub(self.nodes[node as usize].last_empty) > interval;
        let limit = if standing { target } else { interval };
        self.now - w.sent > limit
    }
}
