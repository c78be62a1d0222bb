//! The balancer's health checks: probes, ejection and readmission.

use super::Simulation;
use crate::event::Event;
use crate::time::secs_to_nanos;

impl Simulation {
    /// Starts service `tier`'s probe cycle if health checks are on and it is not running:
    /// node `i` is first probed `(i + 1) / N` of an interval from now, so
    /// probes are spread over the interval rather than all at once.
    pub(super) fn start_probes(&mut self, tier: u32) {
        let t = &mut self.tiers[tier as usize];
        if !t.cfg.health.enabled || t.probes_running {
            return;
        }
        t.probes_running = true;
        let interval = secs_to_nanos(t.cfg.health.interval_ms / 1000.0).max(1);
        let n = t.node_count as u64;
        for i in 0..n {
            let node = t.first_node + i as u32;
            self.queue.push(self.now + interval * (i + 1) / n, Event::Probe { node });
        }
    }

    pub(super) fn on_probe(&mut self, node: u32) {
        let tier = self.tier_of(node);
        let h = self.tiers[tier as usize].cfg.health.clone();
        if !h.enabled {
            // Health checks were switched off: every node is back in rotation.
            self.tiers[tier as usize].probes_running = false;
            self.readmit_all(tier);
            return;
        }
        let timeout = secs_to_nanos(h.probe_timeout_ms / 1000.0);
        let n = &mut self.nodes[node as usize];
        let passed = n.probe_latency(self.now).is_some_and(|l| l <= timeout);
        let was_ejected = n.health.ejected;
        if passed {
            n.health.passes += 1;
            n.health.fails = 0;
            if n.health.passes >= h.healthy_after {
                n.health.ejected = false;
            }
        } else {
            n.health.fails += 1;
            n.health.passes = 0;
            if n.health.fails >= h.unhealthy_after {
                n.health.ejected = true;
            }
        }
        if n.health.ejected != was_ejected {
            self.reroute(tier);
        }
        let interval = secs_to_nanos(h.interval_ms / 1000.0).max(1);
        self.queue.push(self.now + interval, Event::Probe { node });
    }

    /// Rebuilds service `tier`'s balancer set after an ejection changed.
    pub(super) fn reroute(&mut self, tier: u32) {
        let t = &mut self.tiers[tier as usize];
        t.routing.panic_threshold = t.cfg.health.panic_threshold;
        t.routing.rebuild(&self.nodes[t.first_node as usize..(t.first_node + t.node_count) as usize]);
    }

    /// Every node of service `tier` back in rotation (health checks off).
    pub(super) fn readmit_all(&mut self, tier: u32) {
        let t = &self.tiers[tier as usize];
        for n in &mut self.nodes[t.first_node as usize..(t.first_node + t.node_count) as usize] {
            n.health = Default::default();
        }
        self.reroute(tier);
    }
}
