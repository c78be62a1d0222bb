//! Crashes, restarts and scripted faults.

use super::Simulation;
use crate::config::{ConfigError, Fault, FaultKind};
use crate::event::Event;
use crate::metrics::{Counter, NodeStateSeries};
use crate::time::secs_to_nanos;

impl Simulation {
    /// Crashes `node` now, as a scripted fault would: what it holds is lost
    /// and it restarts after its service's `crash.restart_s`. Does nothing
    /// to a node that is already down or does not exist; returns whether it
    /// crashed. Nodes are numbered over every service, the entry's first.
    pub fn crash_node(&mut self, node: u32) -> bool {
        let Some(node) = self.engine_node(node) else { return false };
        if node as usize >= self.nodes.len() || self.nodes[node as usize].is_down() || self.is_finished() {
            return false;
        }
        self.crash(node);
        if self.series.node_states.is_none() {
            self.series.node_states = Some(NodeStateSeries::new(self.seconds));
        }
        true
    }

    /// Kills `node`: clients waiting on what it held see a connection error.
    pub(super) fn crash(&mut self, node: u32) {
        let tier = self.tier_of(node);
        let restart_ns = secs_to_nanos(self.tiers[tier as usize].cfg.crash.restart_s);
        let (queued, jobs) = self.nodes[node as usize].crash(self.now, restart_ns);
        self.count_at(tier, Counter::Crashes);
        if self.tiers[tier as usize].abandon_regen(|j| j.node == node) {
            self.regeneration_failed(tier);
        }
        let lost = queued.iter().map(|w| (w.client, w.token)).chain(jobs.iter().map(|j| (j.client, j.token)));
        for (client, token) in lost.collect::<Vec<_>>() {
            if client == super::health::PROBE_CLIENT {
                continue; // a health probe: it times out at the balancer
            }
            self.count_at(tier, Counter::Lost);
            self.trace_served::<true>(client, token, crate::trace::Outcome::Lost);
            if self.client_waits_for::<true>(client, token) {
                self.count_at(tier, Counter::Errors);
                self.fail_attempt_at::<true>(client, token);
            }
        }
        self.queue.push(self.now + restart_ns, Event::Restart { node });
    }

    pub(super) fn on_restart(&mut self, node: u32) {
        if !self.is_serving(node) {
            return; // removed by the autoscaler while down: it stays down
        }
        let tier = self.tier_of(node) as usize;
        let c = &self.tiers[tier].cfg.crash;
        let warmup_ns = secs_to_nanos(c.warmup_s);
        let capacity = c.warmup_capacity;
        self.nodes[node as usize].restart(self.now, warmup_ns, capacity);
    }

    pub(super) fn schedule_faults(&mut self) {
        for (i, f) in self.config.faults.iter().enumerate() {
            let at = secs_to_nanos(f.at_s);
            if at < self.end {
                self.queue.push(at, Event::Fault { index: i as u32 });
            }
        }
    }

    /// Fires `fault` now, as the playground's fault buttons do: its `at_s`
    /// is ignored and it lasts its `duration_s` from this instant. It is
    /// checked like a scripted fault (its service, node, call and size),
    /// and not added to the configuration, so the running scenario's
    /// scripted faults stay as they were.
    pub fn fire_fault(&mut self, fault: Fault) -> Result<(), ConfigError> {
        let mut check = self.config.clone();
        check.faults = vec![Fault { at_s: 0.0, ..fault.clone() }];
        check.validate_from(self.now().as_secs_f64(), self.events)?;
        if self.is_finished() {
            return Ok(());
        }
        let index = self.config.faults.len() + self.live_faults.len();
        // Attempts check for a partition only where the network is modelled.
        self.any_network |= fault.kind == FaultKind::Partition;
        self.live_faults.push(fault);
        if self.series.node_states.is_none() {
            self.series.node_states = Some(NodeStateSeries::new(self.seconds));
        }
        self.on_fault(index);
        Ok(())
    }

    /// Scripted fault `index`, or a fired one past the scripted ones.
    fn fault(&self, index: usize) -> &Fault {
        let scripted = self.config.faults.len();
        if index < scripted {
            &self.config.faults[index]
        } else {
            &self.live_faults[index - scripted]
        }
    }

    /// The service a fault hits.
    fn fault_tier(&self, index: usize) -> u32 {
        let name = &self.fault(index).service;
        self.tiers.iter().position(|t| name.is_empty() || &t.cfg.name == name).unwrap_or(0) as u32
    }

    /// The call edge a partition fault cuts.
    fn fault_edge(&self, index: usize) -> Option<usize> {
        let tier = self.fault_tier(index);
        let to = &self.fault(index).to;
        self.tiers[tier as usize].calls.iter().map(|&e| e as usize).find(|&e| {
            let callee = self.edges[e].to as usize;
            &self.tiers[callee].cfg.name == to
        })
    }

    pub(super) fn on_fault(&mut self, index: usize) {
        let f = self.fault(index).clone();
        let tier = self.fault_tier(index);
        match f.kind {
            FaultKind::Crash => {
                let node = self.tiers[tier as usize].node(f.node);
                if !self.nodes[node as usize].is_down() {
                    self.crash(node);
                }
                return;
            }
            FaultKind::CacheFlush => {
                let now = self.now;
                let t = &mut self.tiers[tier as usize];
                t.cache.flush(now);
                if let Some(k) = t.keyed.as_mut() {
                    k.flush();
                }
                return;
            }
            FaultKind::LatencySpike => self.tiers[tier as usize].fault_slowdown = f.size(),
            FaultKind::ErrorInjection => self.tiers[tier as usize].fault_error_share = f.size(),
            FaultKind::CapacityLoss => self.set_capacity_share(tier, 1.0 - f.size()),
            FaultKind::Partition => {
                if let Some(e) = self.fault_edge(index) {
                    self.edges[e].partitioned = true;
                }
            }
        }
        let end = self.now.saturating_add(secs_to_nanos(f.duration_s));
        if end < self.end {
            self.queue.push(end, Event::FaultEnd { index: index as u32 });
        }
    }

    pub(super) fn on_fault_end(&mut self, index: usize) {
        let tier = self.fault_tier(index);
        match self.fault(index).kind {
            FaultKind::LatencySpike => self.tiers[tier as usize].fault_slowdown = 1.0,
            FaultKind::ErrorInjection => self.tiers[tier as usize].fault_error_share = 0.0,
            FaultKind::CapacityLoss => self.set_capacity_share(tier, 1.0),
            FaultKind::Partition => {
                if let Some(e) = self.fault_edge(index) {
                    self.edges[e].partitioned = false;
                }
            }
            FaultKind::Crash | FaultKind::CacheFlush => {}
        }
    }

    /// Leaves each node of service `tier` a share of its configured workers
    /// (at least none); work in progress finishes, and freed workers take
    /// waiting attempts when the share rises again.
    fn set_capacity_share(&mut self, tier: u32, share: f64) {
        let t = &self.tiers[tier as usize];
        let workers = (t.cfg.nodes.workers as f64 * share).round().max(0.0) as u32;
        for node in t.first_node..t.first_node + t.slots {
            self.nodes[node as usize].workers = workers;
            self.start_waiting::<true>(node);
        }
    }
}
