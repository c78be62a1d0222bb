//! The server-side defences' hooks into the engine: the autoscaler adding
//! and removing nodes mid-run ([`crate::autoscaler`] decides how many),
//! the rate limiter's 429s ([`crate::rate_limit`]) and the adaptive
//! concurrency limits' samples ([`crate::limiter`]).
//!
//! A service with the autoscaler on has `autoscaler.max_nodes` node slots
//! from the start: the first `node_count` serve (the balancer routes to
//! them), the next ones are being provisioned, and the rest are free or
//! draining. A new node takes the first slot past the provisioning ones and
//! serves after `provisioning_s`, then warms up as a restarted node does; a
//! removed node is the last serving one (or, first, the last being
//! provisioned): it leaves the balancer's rotation and finishes what it
//! holds.

use super::Simulation;
use crate::config::NodesConfig;
use crate::event::Event;
use crate::metrics::{Counter, ScalingSeries};
use crate::node::{Life, Node};
use crate::time::{secs_to_nanos, NANOS_PER_SEC};

/// A node slot no node fills yet: down, and never coming back by itself.
pub(super) fn spare_node(n: &NodesConfig, tier: u32) -> Node {
    let mut node = Node::new(n, false, tier);
    node.life = Life::Down { since: 0, until: u64::MAX };
    node
}

impl Simulation {
    /// Starts the autoscalers' evaluation cycles and the series they and
    /// the adaptive limits fill.
    pub(super) fn start_server_defences(&mut self) {
        let scaling = |c: &crate::config::ServiceConfig| c.autoscaler.enabled || c.limiter.adaptive;
        if !self.tiers.iter().any(|t| scaling(&t.cfg)) {
            return;
        }
        self.series.scaling = Some(ScalingSeries::new(self.seconds));
        for t in 0..self.tiers.len() {
            if let Some(s) = self.tiers[t].series.as_mut() {
                s.series.scaling = Some(ScalingSeries::new(self.seconds));
            }
            if self.tiers[t].scaler.is_some() {
                self.schedule_scale(t as u32);
            }
        }
    }

    /// Schedules service `tier`'s next autoscaler evaluation an interval from now.
    fn schedule_scale(&mut self, tier: u32) {
        let t = &mut self.tiers[tier as usize];
        let at = self.now + secs_to_nanos(t.cfg.autoscaler.interval_s).max(1);
        if let Some(s) = t.scaler.as_mut() {
            s.next_eval = at;
            self.queue.push(at, Event::Scale { tier });
        }
    }

    /// The autoscaler of service `tier` looks at its nodes' utilisation and
    /// asks for nodes or removes some.
    pub(super) fn on_scale(&mut self, tier: u32) {
        let now = self.now;
        let utilisation = self.utilisation(tier);
        let t = &mut self.tiers[tier as usize];
        let c = &t.cfg.autoscaler;
        let Some(scaler) = t.scaler.as_mut() else { return };
        if scaler.next_eval != now {
            return; // stale: switched off and on since it was scheduled
        }
        let target = scaler.decide(c, now, t.node_count, utilisation).min(t.slots);
        let current = t.node_count + scaler.pending();
        for _ in current..target {
            self.add_node(tier);
        }
        for _ in target..current {
            self.remove_node(tier);
        }
        self.schedule_scale(tier);
    }

    /// Mean utilisation of service `tier`'s serving nodes that are up over
    /// the last whole second: busy cores with the CPU model, busy workers
    /// otherwise (the work their CPU account booked). `None` when none is up.
    fn utilisation(&self, tier: u32) -> Option<f64> {
        let t = &self.tiers[tier as usize];
        let (mut busy, mut capacity) = (0.0, 0.0);
        for n in &self.nodes[t.first_node as usize..(t.first_node + t.node_count) as usize] {
            if n.is_down() {
                continue;
            }
            busy += (n.cpu_last.useful + n.cpu_last.wasted + n.cpu_last.switching) / NANOS_PER_SEC as f64;
            capacity += t.policy.cpu.map_or(n.workers, |(cores, _)| cores) as f64;
        }
        (capacity > 0.0).then(|| busy / capacity)
    }

    /// Asks for one more node of service `tier`: it serves after the
    /// provisioning delay.
    fn add_node(&mut self, tier: u32) {
        let now = self.now;
        let t = &mut self.tiers[tier as usize];
        let Some(scaler) = t.scaler.as_mut() else { return };
        let ready = now.saturating_add(secs_to_nanos(t.cfg.autoscaler.provisioning_s));
        let node = t.first_node + t.node_count + scaler.pending();
        scaler.pending.push_back(ready);
        self.nodes[node as usize].life = Life::Down { since: now, until: ready };
        self.count_at(tier, Counter::ScaleUps);
        self.queue.push(ready, Event::Provisioned { tier });
    }

    /// Removes one node of service `tier`: the last one on the way, else
    /// the last serving one, which drains.
    fn remove_node(&mut self, tier: u32) {
        let t = &mut self.tiers[tier as usize];
        let Some(scaler) = t.scaler.as_mut() else { return };
        if scaler.pending.pop_back().is_some() {
            let node = t.first_node + t.node_count + scaler.pending();
            self.nodes[node as usize].life = Life::Down { since: self.now, until: u64::MAX };
        } else if t.node_count > 1 {
            t.node_count -= 1;
            let node = t.first_node + t.node_count;
            let n = &mut self.nodes[node as usize];
            n.health = crate::node::Health { probe_seq: n.health.probe_seq, ..Default::default() };
            self.reroute(tier);
        } else {
            return;
        }
        self.count_at(tier, Counter::ScaleDowns);
    }

    /// Nodes of service `tier` whose provisioning is over start serving,
    /// warming up first.
    pub(super) fn on_provisioned(&mut self, tier: u32) {
        let now = self.now;
        let t = &mut self.tiers[tier as usize];
        let (warmup, capacity) = (secs_to_nanos(t.cfg.crash.warmup_s), t.cfg.crash.warmup_capacity);
        let mut added = false;
        while let Some(scaler) = t.scaler.as_mut() {
            if scaler.pending.front().is_none_or(|&ready| ready > now) {
                break;
            }
            scaler.pending.pop_front();
            let node = t.first_node + t.node_count;
            t.node_count += 1;
            self.nodes[node as usize].restart(now, warmup, capacity);
            added = true;
            if t.cfg.health.enabled && t.probes_running {
                let interval = secs_to_nanos(t.cfg.health.interval_ms / 1000.0).max(1);
                self.queue.push(now + interval, Event::Probe { node });
            }
        }
        if added {
            self.reroute(tier);
        }
    }

    /// True when `node` is one of its service's serving nodes.
    #[inline]
    pub(super) fn is_serving(&self, node: u32) -> bool {
        let t = &self.tiers[self.tier_of(node) as usize];
        node < t.first_node + t.node_count
    }

    /// Samples the defences' state into series row `second`.
    pub(super) fn sample_scaling(&mut self, second: usize) {
        let Some(mut all) = self.series.scaling.take() else { return };
        for t in &mut self.tiers {
            let pending = t.scaler.as_ref().map_or(0, |s| s.pending()) as u64;
            let limit = t.limits.as_ref().map_or(0.0, |l| l.mean(t.node_count));
            all.nodes[second] += t.node_count as u64;
            all.pending[second] += pending;
            all.limit[second] = all.limit[second].max(limit);
            if let Some(own) = t.series.as_mut().and_then(|s| s.series.scaling.as_mut()) {
                own.nodes[second] = t.node_count as u64;
                own.pending[second] = pending;
                own.limit[second] = limit;
            }
        }
        self.series.scaling = Some(all);
    }

    /// The token bucket of service `tier` turns the attempt away: a 429.
    #[inline(never)]
    pub(super) fn rate_limited(&mut self, tier: u32) -> bool {
        let now = self.now;
        let Some(b) = self.tiers[tier as usize].bucket.as_mut() else { return false };
        if b.take(now) {
            return false;
        }
        self.count_at(tier, Counter::RateLimited);
        true
    }

    /// The adaptive limit of `node` now, for its admission check.
    #[inline]
    pub(super) fn adaptive_limit(&self, tier: u32, node: u32) -> Option<u64> {
        let t = &self.tiers[tier as usize];
        t.limits.as_ref().map(|l| l.limit(node - t.first_node))
    }

    /// The job in `slot` of `node` started; its arrival there is `arrived`.
    #[inline(never)]
    pub(super) fn limit_started(&mut self, node: u32, slot: u32, arrived: u64) {
        let t = &mut self.tiers[self.nodes[node as usize].tier as usize];
        if let Some(l) = t.limits.as_mut() {
            l.started(node - t.first_node, slot, arrived);
        }
    }

    /// The job in `slot` of `node` is done; `dropped` when its client no
    /// longer waited: a sample for the node's adaptive limit.
    #[inline(never)]
    pub(super) fn limit_sample(&mut self, node: u32, slot: u32, dropped: bool) {
        let (now, inflight) = (self.now, self.nodes[node as usize].held());
        let t = &mut self.tiers[self.nodes[node as usize].tier as usize];
        if let Some(l) = t.limits.as_mut() {
            l.finished(node - t.first_node, slot, now, inflight, dropped);
        }
    }
}

impl Simulation {
    /// Applies service `tier`'s changed defence settings mid-run: limits
    /// and bucket keep their state under new bounds; switched on, they
    /// start fresh; the autoscaler's own settings are read at each
    /// evaluation (switching it on or off needs a reset).
    pub(super) fn reconfigure_defences(
        &mut self,
        tier: u32,
        old: &crate::config::ServiceConfig,
        next: &crate::config::ServiceConfig,
    ) {
        let now = self.now;
        let t = &mut self.tiers[tier as usize];
        if next.limiter != old.limiter {
            t.limits = match (next.limiter.adaptive, t.limits.take()) {
                (false, _) => None,
                (true, Some(mut l)) => {
                    l.update(&next.limiter);
                    Some(l)
                }
                (true, None) => Some(Box::new(crate::limiter::TierLimits::new(&next.limiter, t.slots))),
            };
        }
        if next.rate_limit != old.rate_limit {
            t.bucket = match (next.rate_limit.enabled, t.bucket.take()) {
                (false, _) => None,
                (true, Some(mut b)) => {
                    b.update(&next.rate_limit, now);
                    Some(b)
                }
                (true, None) => Some(crate::rate_limit::TokenBucket::new(&next.rate_limit, now)),
            };
        }
        if next.autoscaler.enabled != old.autoscaler.enabled {
            if next.autoscaler.enabled {
                self.tiers[tier as usize].scaler = Some(Box::default());
                self.schedule_scale(tier);
            } else {
                while self.tiers[tier as usize].scaler.as_ref().is_some_and(|s| s.pending() > 0) {
                    self.remove_node(tier);
                }
                self.tiers[tier as usize].scaler = None;
            }
        }
        if (next.limiter.adaptive || next.autoscaler.enabled) && self.series.scaling.is_none() {
            self.series.scaling = Some(ScalingSeries::new(self.seconds));
        }
    }
}
