//! A service's nodes at work: a worker takes an attempt, does its work (on
//! a core of its own or processor-shared), makes its calls, and answers;
//! the queue policies decide what a free worker takes next.

use super::health::PROBE_CLIENT;
use super::Simulation;
use crate::event::Event;
use crate::metrics::Counter;
use crate::node::{Job, JobRef, Waiting};

impl Simulation {
    #[inline(always)]
    pub(super) fn start_service<const H: bool>(&mut self, node: u32, w: Waiting) {
        let now = self.now;
        let tier = self.nodes[node as usize].tier as usize;
        let t = &mut self.tiers[tier];
        let n = &mut self.nodes[node as usize];
        let extra_s = if t.policy.per_inflight_s > 0.0 { t.policy.per_inflight_s * n.held() as f64 } else { 0.0 };
        let factor = n.service_factor(now) * t.fault_slowdown;
        let work = t.service.sample_ns(factor, extra_s, &mut t.rng_service);
        let (slot, gen) = n.jobs.start(w, work);
        let job = JobRef { node, slot, gen };
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.started(now, (w.client, w.token));
        }
        let dependencies = t.policy.dependencies && (!H || w.client != PROBE_CLIENT);
        if H && t.limits.is_some() {
            self.limit_started(node, slot, w.sent);
        }
        let t = &self.tiers[tier];
        if dependencies {
            self.before_service(job);
            return;
        }
        if t.policy.cpu.is_none() {
            self.queue.push(self.now.saturating_add(work), Event::ServiceDone { job });
            return;
        }
        self.serve_shared(job, work);
    }

    /// Starts the job's own service time of `work` ns: on a worker of its
    /// own, or processor-shared with the node's other jobs.
    pub(super) fn serve<const H: bool>(&mut self, job: JobRef, work: u64) {
        let tier = self.nodes[job.node as usize].tier as usize;
        if self.tiers[tier].policy.cpu.is_none() {
            self.queue.push(self.now.saturating_add(work), Event::ServiceDone { job });
            return;
        }
        self.serve_shared(job, work);
    }

    pub(super) fn on_service_done<const H: bool>(&mut self, job: JobRef) {
        self.work_done::<H>(job);
    }

    /// The job's own work is done: it makes its calls, or answers now.
    #[inline(always)]
    pub(super) fn work_done<const H: bool>(&mut self, job: JobRef) {
        if self.any_calls && !self.tiers[self.tier_of(job.node) as usize].calls.is_empty() && !(H && self.is_probe(job))
        {
            self.start_calls::<H>(job);
            return;
        }
        let Some(done) = self.nodes[job.node as usize].jobs.finish(job.slot, job.gen) else {
            return; // lost in a crash
        };
        self.complete::<H>(job, done);
    }

    /// Moves waiting attempts into service while the node has free workers.
    pub(super) fn start_waiting<const H: bool>(&mut self, node: u32) {
        while let Some(w) = self.next_waiting(node) {
            self.waits.record(self.now - w.sent);
            self.start_service::<H>(node, w);
        }
    }

    /// A worker of `node` is free: it takes the next waiting attempt.
    #[inline(always)]
    pub(super) fn take_next<const H: bool>(&mut self, node: u32) {
        if let Some(w) = self.next_waiting(node) {
            self.waits.record(self.now - w.sent);
            self.start_service::<H>(node, w);
        }
    }

    /// The next attempt a free worker of `node` takes, after the queue
    /// policies have dropped or shed what they must.
    #[inline(always)]
    fn next_waiting(&mut self, node: u32) -> Option<Waiting> {
        if !self.any_dequeue_policy {
            return self.nodes[node as usize].pop_waiting(self.now, None);
        }
        let tier = self.nodes[node as usize].tier as usize;
        if !self.tiers[tier].policy.acts_at_dequeue {
            return self.nodes[node as usize].pop_waiting(self.now, None);
        }
        self.next_waiting_checked(node, tier)
    }

    /// A server-side failure of attempt `token` (a 503, a lost or refused
    /// attempt): the client hears of it over its edge's network, if any.
    pub(super) fn fail_attempt_at<const H: bool>(&mut self, client: u32, token: u32) {
        let edge = self.clients.get(client).edge as usize;
        if self.any_network && self.edges[edge].network.is_some() {
            self.reply::<H>(client, token, false);
        } else {
            self.fail_attempt::<H>(client, token);
        }
    }

    /// A job is done: the worker takes the next attempt, and the client gets
    /// its answer if it still waits.
    #[inline(always)]
    pub(super) fn complete<const H: bool>(&mut self, job: JobRef, done: Job) {
        if H && done.client == PROBE_CLIENT {
            self.probe_answered(job, done);
            return;
        }
        let tier = self.nodes[job.node as usize].tier;
        if done.regen {
            self.regenerated(job);
        }
        self.count_at(tier, Counter::Throughput);
        self.nodes[job.node as usize].served += 1;
        self.take_next::<H>(job.node);
        let waited = self.client_waits_for::<H>(done.client, done.token);
        if H && self.tracer.is_some() {
            let outcome = if waited { crate::trace::Outcome::Ok } else { crate::trace::Outcome::Unanswered };
            self.trace_served::<H>(done.client, done.token, outcome);
        }
        if H && self.tiers[tier as usize].limits.is_some() {
            self.limit_sample(job.node, job.slot, !waited);
        }
        // CPU work at full speed: the service time without the CPU model.
        let cpu_ns = done.work as f64;
        // As for successes: earlier seconds close first, so the service
        // time lands in its own second's median.
        self.close_seconds_until(self.current_second());
        self.served_this_second.record(done.work);
        let cpu = &mut self.nodes[job.node as usize].cpu;
        if !waited {
            cpu.wasted += cpu_ns;
            return; // the client gave up on this attempt: wasted work
        }
        cpu.useful += cpu_ns;
        if self.any_network && self.edges[self.clients.get(done.client).edge as usize].network.is_some() {
            self.reply::<H>(done.client, done.token, true);
            return;
        }
        self.succeed::<H>(done.client, done.token);
    }
}
