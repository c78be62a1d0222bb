//! Processor sharing: a node's busy workers on its few cores, with the
//! switching overhead of the CPU model (see [`crate::config::CpuConfig`]).

use super::Simulation;
use crate::config::CpuConfig;
use crate::event::Event;
use crate::node::JobRef;

impl Simulation {
    #[inline(never)]
    pub(super) fn serve_shared(&mut self, job: JobRef, work: u64) {
        let tier = self.nodes[job.node as usize].tier as usize;
        let Some((cores, overhead)) = self.tiers[tier].policy.cpu else { return };
        let n = &mut self.nodes[job.node as usize];
        n.advance_cpu(self.now, cores, overhead);
        n.sharing.add(job.node, job.slot, job.gen, work);
        self.reschedule_sharing(job.node);
    }

    /// Schedules the next processor-shared completion of `node`, making the
    /// one scheduled before stale.
    pub(super) fn reschedule_sharing(&mut self, node: u32) {
        let tier = self.nodes[node as usize].tier as usize;
        let Some((cores, overhead)) = self.tiers[tier].policy.cpu else { return };
        let n = &mut self.nodes[node as usize];
        n.sharing.epoch = n.sharing.epoch.wrapping_add(1);
        if let Some(dt) = n.time_to_first_cpu(cores, overhead) {
            let epoch = n.sharing.epoch;
            self.queue.push(self.now.saturating_add(dt), Event::SharedDone { node, epoch });
        }
    }

    /// The CPU model of service `tier` was switched off: each
    /// processor-shared job finishes after its remaining work at full
    /// speed, like any other job.
    pub(super) fn stop_sharing(&mut self, tier: u32, old: &CpuConfig) {
        let now = self.now;
        let t = &self.tiers[tier as usize];
        for i in t.first_node..t.first_node + t.slots {
            let n = &mut self.nodes[i as usize];
            n.advance_cpu(now, old.cores, old.switch_overhead);
            for (node, slot, gen, left) in n.sharing.drain_remaining() {
                let job = JobRef { node, slot, gen };
                self.queue.push(now.saturating_add(left), Event::ServiceDone { job });
            }
        }
    }

    pub(super) fn on_shared_done(&mut self, node: u32, epoch: u32) {
        let now = self.now;
        let tier = self.nodes[node as usize].tier as usize;
        let Some((cores, overhead)) = self.tiers[tier].policy.cpu else { return };
        let n = &mut self.nodes[node as usize];
        if n.sharing.epoch != epoch {
            return; // rescheduled since
        }
        n.advance_cpu(now, cores, overhead);
        if let Some((node, slot, gen)) = n.sharing.pop_first() {
            self.work_done::<true>(JobRef { node, slot, gen });
        }
        self.reschedule_sharing(node);
    }
}
