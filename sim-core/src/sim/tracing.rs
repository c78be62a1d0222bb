//! The tracer's hooks that need the engine's numbering (a node within its
//! service); see [`crate::trace`]. Each is one test of an `Option` while
//! traces are off.

use super::Simulation;
use crate::node::Waiting;
use crate::trace::Outcome;

impl Simulation {
    /// Attempt `w` reached `node` of service `tier`, which started or queued it.
    #[inline(always)]
    pub(super) fn trace_arrived(&mut self, tier: u32, w: Waiting, node: u32, queued: bool) {
        if let Some(t) = self.tracer.as_mut() {
            let within = node - self.tiers[tier as usize].first_node;
            t.arrived(self.now, (w.client, w.token), tier, within, queued);
        }
    }

    /// Attempt `w` was turned away at service `tier`.
    #[inline(always)]
    pub(super) fn trace_rejected(&mut self, tier: u32, w: Waiting, outcome: Outcome) {
        if let Some(t) = self.tracer.as_mut() {
            t.rejected(self.now, (w.client, w.token), tier, outcome);
        }
    }

    /// The service is done with attempt `token` of `client`.
    #[inline(always)]
    pub(super) fn trace_served(&mut self, client: u32, token: u32, outcome: Outcome) {
        if let Some(t) = self.tracer.as_mut() {
            t.served(self.now, (client, token), outcome);
        }
    }

    /// `client` decided `outcome` without sending.
    #[inline(always)]
    pub(super) fn trace_local(&mut self, client: u32, outcome: Outcome) {
        if let Some(t) = self.tracer.as_mut() {
            t.local(self.now, client, outcome);
        }
    }
}
