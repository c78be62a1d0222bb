//! The balancer's health checks: probes, ejection and readmission.
//!
//! A probe measures the node one of two ways (`health.probe_mode`): as the
//! wait of the oldest attempt in its queue (the model before issue 10), or
//! as a request. A probe request is an attempt of no client
//! ([`PROBE_CLIENT`]): the node admits it like any attempt (a full queue or
//! a concurrency limit turns it away, a crashed node refuses it), it waits
//! in the queue and takes a worker for one service time of the node's own
//! work (no database, cache or calls: a health endpoint), and it passes
//! when answered within `probe_timeout_ms`. So a saturated node fails its
//! probes, as production nodes do, and the balancer ejects it.

use super::Simulation;
use crate::config::ProbeMode;
use crate::event::Event;
use crate::node::{Admission, Job, JobRef, Waiting};
use crate::time::secs_to_nanos;

/// The client number of a health probe sent as a request.
pub(super) const PROBE_CLIENT: u32 = u32::MAX;

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
        if !self.is_serving(node) {
            return; // removed by the autoscaler: no longer probed
        }
        let interval = secs_to_nanos(h.interval_ms / 1000.0).max(1);
        self.queue.push(self.now + interval, Event::Probe { node });
        if h.probe_mode == ProbeMode::Request {
            self.send_probe(node, secs_to_nanos(h.probe_timeout_ms / 1000.0));
            return;
        }
        let timeout = secs_to_nanos(h.probe_timeout_ms / 1000.0);
        let passed = self.nodes[node as usize].probe_latency(self.now).is_some_and(|l| l <= timeout);
        self.probe_result(node, passed);
    }

    /// Counts a probe's outcome, ejecting or readmitting the node.
    fn probe_result(&mut self, node: u32, passed: bool) {
        let tier = self.tier_of(node);
        let h = &self.tiers[tier as usize].cfg.health;
        let (unhealthy_after, healthy_after) = (h.unhealthy_after, h.healthy_after);
        let n = &mut self.nodes[node as usize];
        let was_ejected = n.health.ejected;
        if passed {
            n.health.passes += 1;
            n.health.fails = 0;
            if n.health.passes >= healthy_after {
                n.health.ejected = false;
            }
        } else {
            n.health.fails += 1;
            n.health.passes = 0;
            if n.health.fails >= unhealthy_after {
                n.health.ejected = true;
            }
        }
        if n.health.ejected != was_ejected {
            self.reroute(tier);
        }
    }

    /// Sends a probe request to `node`, unless the last one is still
    /// unanswered (a prober waits for its answer or its timeout).
    fn send_probe(&mut self, node: u32, timeout: u64) {
        let (now, limit) = (self.now, self.probe_limit(node));
        let n = &mut self.nodes[node as usize];
        if n.health.probe_out {
            return;
        }
        n.health.probe_seq = n.health.probe_seq.wrapping_add(1);
        let token = n.health.probe_seq;
        let w = Waiting { sent: now, client: PROBE_CLIENT, token };
        match n.admit(now, w, limit) {
            Admission::Accepted => self.start_service::<true>(node, w),
            Admission::Queued => {}
            Admission::Shed | Admission::Refused => return self.probe_result(node, false),
        }
        self.nodes[node as usize].health.probe_out = true;
        self.queue.push(now.saturating_add(timeout), Event::ProbeTimeout { node, token });
    }

    /// The concurrency limit a probe request meets at `node`, as any attempt.
    fn probe_limit(&self, node: u32) -> Option<u64> {
        let tier = self.tier_of(node);
        let t = &self.tiers[tier as usize];
        if t.limits.is_some() {
            return self.adaptive_limit(tier, node);
        }
        t.policy.concurrency_limit
    }

    /// Probe request `token` of `node` was not answered in time.
    pub(super) fn on_probe_timeout(&mut self, node: u32, token: u32) {
        let h = &mut self.nodes[node as usize].health;
        if h.probe_out && h.probe_seq == token {
            h.probe_out = false;
            self.probe_result(node, false);
        }
    }

    /// A worker finished probe request `done`: the worker takes the next
    /// attempt, and the probe passes if it is still awaited.
    pub(super) fn probe_answered(&mut self, job: JobRef, done: Job) {
        let n = &mut self.nodes[job.node as usize];
        n.cpu.useful += done.work as f64;
        n.served += 1;
        self.take_next::<true>(job.node);
        let h = &mut self.nodes[job.node as usize].health;
        if h.probe_out && h.probe_seq == done.token {
            h.probe_out = false;
            self.probe_result(job.node, true);
        }
    }

    /// True when `job` is a probe request.
    pub(super) fn is_probe(&mut self, job: JobRef) -> bool {
        self.nodes[job.node as usize].jobs.get(job.slot, job.gen).is_some_and(|j| j.client == PROBE_CLIENT)
    }

    /// Rebuilds service `tier`'s balancer set after an ejection changed.
    pub(super) fn reroute(&mut self, tier: u32) {
        let t = &mut self.tiers[tier as usize];
        t.routing.panic_threshold = t.cfg.health.panic_threshold;
        t.routing.rebuild(&self.nodes[t.first_node as usize..(t.first_node + t.node_count) as usize]);
    }

    /// Every node of service `tier` back in rotation (health checks off).
    /// A probe request still out is forgotten (its answer is ignored).
    pub(super) fn readmit_all(&mut self, tier: u32) {
        let t = &self.tiers[tier as usize];
        for n in &mut self.nodes[t.first_node as usize..(t.first_node + t.slots) as usize] {
            n.health = crate::node::Health { probe_seq: n.health.probe_seq, ..Default::default() };
        }
        self.reroute(tier);
    }
}
