//! The tracer's hooks that need the engine's numbering (a node within its
//! service); see [`crate::trace`]. Each is one test of an `Option` while
//! traces are off, and nothing in the plain loop (`H = false`).

use super::Simulation;
use crate::node::Waiting;
use crate::trace::Outcome;

impl Simulation {
    /// Attempt `w` reached `node` of service `tier`, which started or queued it.
    #[inline(always)]
    pub(super) fn trace_arrived<const H: bool>(&mut self, tier: u32, w: Waiting, node: u32, queued: bool) {
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            let within = node - self.tiers[tier as usize].first_node;
            t.arrived(self.now, (w.client, w.token), tier, within, queued);
        }
    }

    /// Attempt `w` was turned away at service `tier`.
    #[inline(always)]
    pub(super) fn trace_rejected<const H: bool>(&mut self, tier: u32, w: Waiting, outcome: Outcome) {
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.rejected(self.now, (w.client, w.token), tier, outcome);
        }
    }

    /// The service is done with attempt `token` of `client`.
    #[inline(always)]
    pub(super) fn trace_served<const H: bool>(&mut self, client: u32, token: u32, outcome: Outcome) {
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.served(self.now, (client, token), outcome);
        }
    }

    /// `client` decided `outcome` without sending.
    #[inline(always)]
    pub(super) fn trace_local<const H: bool>(&mut self, client: u32, outcome: Outcome) {
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.local(self.now, client, outcome);
        }
    }
}
