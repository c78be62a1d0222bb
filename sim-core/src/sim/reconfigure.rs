//! Live changes: a new configuration applied from the current instant.

use super::{config_tracks_node_states, Simulation};
use crate::cache::Cache;
use crate::catalogue::{Apply, FIELDS};
use crate::config::{Config, ConfigError, ServiceConfig};
use crate::metrics::{DbSeries, NodeStateSeries};
use crate::node::ServiceModel;
use crate::policy::NodePolicy;
use crate::traffic::Traffic;

/// What [`Simulation::reconfigure`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconfigured {
    /// Fields that changed and took effect at the current instant.
    pub applied: Vec<&'static str>,
    /// Fields that changed but need a reset ([`crate::catalogue::Apply::Reset`]
    /// rows, the scripted faults and the list of services); the running
    /// simulation keeps their old values.
    pub needs_restart: Vec<&'static str>,
}

impl Reconfigured {
    /// What [`Simulation::reconfigure`] does to a run on `old` at `now_s`
    /// after `events` events, worked out without the run: the configuration
    /// it goes on with and the fields applied or waiting for a reset. The
    /// app checks a knob change with it on the page while the run itself
    /// lives in a Web Worker.
    pub fn plan(old: &Config, new: &Config, now_s: f64, events: u64) -> Result<(Config, Reconfigured), ConfigError> {
        let mut next = new.clone();
        let mut out = Reconfigured::default();
        keep_reset_fields(old, &mut next, &mut out.needs_restart);
        next.validate_from(now_s, events)?;
        out.applied = changed_live_fields(old, &next);
        Ok((next, out))
    }
}

impl Simulation {
    /// Applies a changed configuration from the current instant: a new rate
    /// or spike reschedules the next arrival; timeout, attempts and backoff
    /// apply to the next send or retry decision of every client; workers,
    /// service time and queue capacity apply to the next admission and the
    /// next service start (attempts already queued or in service stay).
    /// Fields that need a reset are reported, not applied; so are changes
    /// to a system of services other than its services' live fields.
    pub fn reconfigure(&mut self, new: &Config) -> Result<Reconfigured, ConfigError> {
        let old = self.config.clone();
        let (next, out) = Reconfigured::plan(&old, new, self.now().as_secs_f64(), self.events)?;
        if next.traffic != old.traffic {
            // Gaps are memoryless, so redrawing the next arrival from now
            // under the new profile is exact.
            self.traffic = Traffic::new(&next.traffic);
            self.schedule_arrival();
        }
        self.edges[0].update(&next.client);
        let (olds, news) = (old.system(), next.system());
        for (i, (o, n)) in olds.iter().zip(&news).enumerate() {
            self.reconfigure_tier(i as u32, o, n);
        }
        if self.series.node_states.is_none() && config_tracks_node_states(&next) {
            self.series.node_states = Some(NodeStateSeries::new(self.seconds));
        }
        self.series.cpu.shown |= next.uses_mechanisms();
        if news.iter().any(|s| s.db.enabled) && self.series.db.is_none() {
            self.series.db = Some(DbSeries::new(self.seconds));
        }
        self.config = next;
        self.refresh_policy_flags();
        Ok(out)
    }

    /// Applies service `tier`'s new live settings and its calls' policies.
    fn reconfigure_tier(&mut self, tier: u32, old: &ServiceConfig, next: &ServiceConfig) {
        let now = self.now;
        let t = &mut self.tiers[tier as usize];
        let drop_past_deadline = t.policy.drop_past_deadline;
        t.balancer.set_policy(next.balancer.policy);
        t.service = ServiceModel::new(&next.nodes);
        t.policy = NodePolicy::for_service(next);
        t.policy.drop_past_deadline = drop_past_deadline;
        t.policy.acts_at_dequeue |= drop_past_deadline;
        t.cfg = next.clone();
        for (k, call) in next.calls.iter().enumerate() {
            let e = t.calls[k] as usize;
            self.edges[e].update(&call.client);
        }
        let t = &mut self.tiers[tier as usize];
        if next.cache.enabled && !old.cache.enabled && t.cache.recomputing() == 0 {
            // A cache switched on mid-run starts warm, as at time zero.
            t.cache = Cache::new(&next.cache, now);
        }
        if next.health != old.health {
            if !next.health.enabled {
                // Switched off: every node is back in rotation at once (the
                // probe cycle stops at its next event).
                self.readmit_all(tier);
            }
            self.start_probes(tier);
            self.reroute(tier);
        }
        self.reconfigure_defences(tier, old, next);
        let (first, count) = (self.tiers[tier as usize].first_node, self.tiers[tier as usize].slots);
        for i in 0..count {
            let n = &mut self.nodes[(first + i) as usize];
            n.workers = next.nodes.workers;
            n.queue_capacity = next.nodes.queue_capacity;
            n.slow = if i < next.nodes.slow_count { next.nodes.slow_factor } else { 1.0 };
            self.start_waiting::<true>(first + i);
        }
        if old.cpu.enabled && !next.cpu.enabled {
            self.stop_sharing(tier, &old.cpu);
        }
    }
}

/// Puts back in `next` the fields that need a reset, naming those that
/// changed in `needs_restart`. In a system of services, the topology and
/// every service's reset fields are kept.
fn keep_reset_fields(old: &Config, next: &mut Config, needs_restart: &mut Vec<&'static str>) {
    for f in FIELDS.iter().filter(|f| f.apply == Apply::Reset) {
        let was = f.get(old);
        if f.get(next) != was {
            needs_restart.push(f.path);
            f.set(next, was);
        }
    }
    if next.faults != old.faults {
        needs_restart.push("faults");
        next.faults = old.faults.clone();
    }
    let same_shape = old.services.len() == next.services.len()
        && old.services.iter().zip(&next.services).all(|(a, b)| {
            a.name == b.name
                && a.call_mode == b.call_mode
                && a.calls.iter().map(|c| &c.to).eq(b.calls.iter().map(|c| &c.to))
        });
    if !same_shape {
        needs_restart.push("services");
        next.services = old.services.clone();
        return;
    }
    // Each service's own reset fields (its node count, its keyed cache).
    for (a, b) in old.services.iter().zip(next.services.iter_mut()) {
        for f in FIELDS.iter().filter(|f| f.apply == Apply::Reset) {
            let Some(was) = f.get_tier(a) else { continue };
            if f.get_tier(b) != Some(was) {
                if !needs_restart.contains(&f.path) {
                    needs_restart.push(f.path);
                }
                f.set_tier(b, was);
            }
        }
    }
}

/// Dotted paths of the live fields that differ, from the catalogue; in a
/// system of services, any service's or call's.
fn changed_live_fields(old: &Config, new: &Config) -> Vec<&'static str> {
    let live = FIELDS.iter().filter(|f| f.apply == Apply::Live);
    let (olds, news) = (old.system(), new.system());
    live.filter(|f| {
        f.get(old) != f.get(new)
            || olds.iter().zip(&news).any(|(a, b)| {
                f.get_tier(a) != f.get_tier(b)
                    || a.calls.iter().zip(&b.calls).any(|(x, y)| f.get_client(&x.client) != f.get_client(&y.client))
            })
    })
    .map(|f| f.path)
    .collect()
}
