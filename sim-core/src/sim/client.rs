//! Clients: the outside world's logical requests (open-loop arrivals or a
//! closed-loop population) and the calls services make to each other, each
//! sending attempts with its edge's timeout, retries and network delay.

use super::Simulation;
use crate::event::Event;
use crate::metrics::Counter;
use crate::node::{Admission, JobRef, Stage, Waiting};
use crate::time::secs_to_nanos;
use crate::trace::Outcome;

impl Simulation {
    /// Starts the outside traffic: the first open-loop arrival, or every
    /// user of the closed-loop population after a first think time.
    pub(super) fn start_traffic(&mut self) {
        let users = self.config.traffic.users;
        if users == 0 {
            self.schedule_arrival();
            return;
        }
        for _ in 0..users {
            self.schedule_user_wake();
        }
    }

    #[inline(always)]
    pub(super) fn schedule_arrival(&mut self) {
        if self.closed_loop {
            return;
        }
        let next = self.traffic.next_arrival(self.now, &mut self.rng_arrivals);
        self.queue.set_arrival(next);
    }

    /// One user of the closed loop thinks (exponential, mean `think_ms`),
    /// then sends; no request starts after the end of the run.
    fn schedule_user_wake(&mut self) {
        let think = secs_to_nanos(self.rng_arrivals.exp(self.config.traffic.think_ms / 1000.0));
        let at = self.now.saturating_add(think);
        if at < self.end {
            self.queue.push(at, Event::UserWake);
        }
    }

    #[inline]
    pub(super) fn on_arrival<const H: bool>(&mut self) {
        self.count(Counter::Offered);
        let client = self.clients.alloc(self.now, self.edges[0].retry.base_s);
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.begin(self.now, client);
        }
        self.send_attempt::<H>(client);
        self.schedule_arrival();
    }

    pub(super) fn on_user_wake<const H: bool>(&mut self) {
        self.count(Counter::Offered);
        let client = self.clients.alloc(self.now, self.edges[0].retry.base_s);
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.begin(self.now, client);
        }
        self.send_attempt::<H>(client);
    }

    /// Sends the client's next attempt; after a 503 or a refused connection
    /// with no backoff it sends the following one in the same instant, as the
    /// reference client does.
    pub(super) fn send_attempt<const H: bool>(&mut self, client: u32) {
        let edge = self.clients.get(client).edge as usize;
        if self.any_network && (self.edges[edge].network.is_some() || self.edges[edge].partitioned) {
            self.send_over_network::<H>(client);
            return;
        }
        let tier = if self.any_calls { self.edges[edge].to } else { 0 };
        loop {
            if H && self.any_defences && self.refused_locally(client, edge) {
                return;
            }
            self.count_at(tier, Counter::Attempts);
            let c = self.clients.get(client);
            c.sent += 1;
            c.token = c.token.wrapping_add(1);
            let w = Waiting { sent: self.now, client, token: c.token };
            let retry = c.sent > 1;
            self.note_sent(edge as u32, retry);
            if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
                t.attempt(self.now, client, w.token, edge as u32, false);
            }
            let Some(node) = self.admit::<H>(tier, w) else {
                self.note_edge(edge as u32, |s| &mut s.failed);
                if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
                    t.attempt_end(self.now, (client, w.token), crate::trace::Outcome::Error);
                }
                if H && self.any_defences {
                    self.note_outcome(edge, false);
                }
                if self.retry_or_give_up::<H>(client) {
                    continue;
                }
                return;
            };
            self.await_answer(client, w.token, edge);
            if H && self.any_defences {
                self.arm_hedge(client, w.token, edge);
            }
            if self.any_memory_limit && self.nodes[node as usize].held() > self.tiers[tier as usize].policy.max_held {
                self.crash(node);
            }
            return;
        }
    }

    /// The client waits for attempt `token` until its timeout (cut to the
    /// caller's deadline when it is passed down).
    #[inline(always)]
    pub(super) fn await_answer(&mut self, client: u32, token: u32, edge: usize) {
        let deadline = self.now + self.edges[edge].timeout_ns;
        let deadline = if self.any_calls { deadline.min(self.clients.call(client).outer_deadline) } else { deadline };
        let c = self.clients.get(client);
        c.waiting = true;
        c.deadline = deadline;
        self.queue.push_in_order(deadline, Event::Timeout { client, token });
    }

    /// Offers attempt `w` to service `tier`: its balancer picks a node,
    /// which starts it, queues it, or turns it away (then counted here).
    /// Returns the node that took it.
    #[inline(always)]
    pub(super) fn admit<const H: bool>(&mut self, tier: u32, w: Waiting) -> Option<u32> {
        let t = &mut self.tiers[tier as usize];
        if t.fault_error_share > 0.0 && self.rng_faults.uniform() < t.fault_error_share {
            self.count_at(tier, Counter::Errors);
            self.trace_rejected::<H>(tier, w, Outcome::FaultError);
            return None;
        }
        if H && t.bucket.is_some() && self.rate_limited(tier) {
            self.trace_rejected::<H>(tier, w, Outcome::RateLimited);
            return None;
        }
        let t = &mut self.tiers[tier as usize];
        let nodes = &self.nodes[t.first_node as usize..(t.first_node + t.node_count) as usize];
        let node = t.first_node + t.routing.pick(&mut t.balancer, nodes, &mut t.rng_balancer);
        let limit = if !H || t.limits.is_none() { t.policy.concurrency_limit } else { self.adaptive_limit(tier, node) };
        match self.nodes[node as usize].admit(self.now, w, limit) {
            Admission::Accepted => {
                self.waits.record(0);
                self.trace_arrived::<H>(tier, w, node, false);
                self.start_service::<H>(node, w);
                Some(node)
            }
            Admission::Queued => {
                self.trace_arrived::<H>(tier, w, node, true);
                Some(node)
            }
            Admission::Shed | Admission::Refused => {
                if self.nodes[node as usize].is_down() {
                    self.count_at(tier, Counter::Refused);
                    self.count_at(tier, Counter::Errors);
                    self.trace_rejected::<H>(tier, w, Outcome::Refused);
                } else {
                    self.trace_rejected::<H>(tier, w, Outcome::Shed);
                    self.count_at(tier, Counter::Rejected);
                    if H && self.tiers[tier as usize].limits.is_some()
                        && limit.is_some_and(|l| self.nodes[node as usize].held() >= l)
                    {
                        self.count_at(tier, Counter::LimitRejected);
                    }
                }
                None
            }
        }
    }

    /// One way over the edge's network: its constant plus exponential delay.
    pub(super) fn network_delay(&mut self, edge: usize) -> u64 {
        let Some((fixed, jitter_s)) = self.edges[edge].network else { return 0 };
        let jitter = if jitter_s > 0.0 { secs_to_nanos(self.rng_network.exp(jitter_s)) } else { 0 };
        fixed.saturating_add(jitter)
    }

    /// Sends an attempt that crosses a network: the client starts its
    /// timeout now and the attempt reaches the service after the delay
    /// (never, across a partition).
    fn send_over_network<const H: bool>(&mut self, client: u32) {
        let edge = self.clients.get(client).edge as usize;
        if H && self.any_defences && self.refused_locally(client, edge) {
            return;
        }
        let tier = self.edges[edge].to;
        self.count_at(tier, Counter::Attempts);
        let c = self.clients.get(client);
        c.sent += 1;
        c.token = c.token.wrapping_add(1);
        let (token, retry) = (c.token, c.sent > 1);
        self.note_sent(edge as u32, retry);
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.attempt(self.now, client, token, edge as u32, false);
        }
        self.await_answer(client, token, edge);
        if H && self.any_defences {
            self.arm_hedge(client, token, edge);
        }
        if !self.edges[edge].partitioned {
            let at = self.now.saturating_add(self.network_delay(edge));
            self.queue.push(at, Event::Deliver { client, token, tier });
        }
    }

    /// An attempt reaches its service. It is served whether or not its
    /// client still waits: the server cannot know.
    pub(super) fn on_deliver<const H: bool>(&mut self, client: u32, token: u32, tier: u32) {
        let w = Waiting { sent: self.now, client, token };
        match self.admit::<H>(tier, w) {
            Some(node) => {
                if self.any_memory_limit && self.nodes[node as usize].held() > self.tiers[tier as usize].policy.max_held
                {
                    self.crash(node);
                }
            }
            None => self.reply::<H>(client, token, false),
        }
    }

    /// Answers attempt `token` of `client`: over the network when its edge
    /// has one, else at once.
    pub(super) fn reply<const H: bool>(&mut self, client: u32, token: u32, ok: bool) {
        let edge = self.clients.get(client).edge as usize;
        if self.any_network && self.edges[edge].network.is_some() {
            let at = self.now.saturating_add(self.network_delay(edge));
            self.queue.push(at, Event::Reply { client, token, ok });
            return;
        }
        self.on_reply::<H>(client, token, ok);
    }

    pub(super) fn on_reply<const H: bool>(&mut self, client: u32, token: u32, ok: bool) {
        if ok {
            if self.client_waits_for::<H>(client, token) {
                self.succeed::<H>(client, token);
            }
        } else {
            self.fail_attempt::<H>(client, token);
        }
    }

    /// The client got a useful answer: its logical request (or call) succeeded.
    #[inline(always)]
    pub(super) fn succeed<const H: bool>(&mut self, client: u32, token: u32) {
        let c = self.clients.get(client);
        let (first_send, edge) = (c.first_send, c.edge);
        let latency = self.now - first_send;
        let parent = if self.any_calls { self.clients.call(client).parent } else { JobRef::NONE };
        if H && self.any_defences {
            self.note_outcome(edge as usize, true);
            if H && self.any_hedge {
                self.hedge_answered(client, token, self.edges[edge as usize].to);
            }
        }
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.attempt_end(self.now, (client, token), Outcome::Ok);
            t.finish(self.now, client, true);
        }
        self.clients.release(client);
        self.note_edge(edge, |s| &mut s.ok);
        if !parent.is_none() {
            let to = self.edges[edge as usize].to;
            self.count_at(to, Counter::Goodput);
            self.record_service_latency(to, latency);
            self.call_succeeded::<H>(parent);
            return;
        }
        // Close earlier seconds first, so that a success always lands in its
        // own second's percentiles however the caller steps the clock.
        self.close_seconds_until(self.current_second());
        self.count(Counter::Goodput);
        self.latency.record(latency);
        self.latency_this_second.record(latency);
        if self.multi {
            self.record_service_latency(0, latency);
        }
        if self.closed_loop {
            self.schedule_user_wake();
        }
    }

    /// Notes an attempt sent on `edge` (several services only).
    #[inline]
    fn note_sent(&mut self, edge: u32, retry: bool) {
        if self.multi {
            let s = &mut self.edges[edge as usize].stats;
            s.sent += 1;
            s.retried += retry as u64;
        }
    }

    /// Records a success at service `tier` (several services only): in its
    /// latency over the run and in its current second's percentiles.
    fn record_service_latency(&mut self, tier: u32, latency: u64) {
        let t = &mut self.tiers[tier as usize];
        t.latency.record(latency);
        if let Some(s) = t.series.as_mut() {
            s.latency_this_second.record(latency);
        }
    }

    /// After a failed attempt: gives up, or schedules the retry after its
    /// backoff. Returns true when the retry is due at once (zero backoff).
    pub(super) fn retry_or_give_up<const H: bool>(&mut self, client: u32) -> bool {
        let c = self.clients.get(client);
        c.waiting = false;
        let retry = &self.edges[c.edge as usize].retry;
        if c.sent >= retry.attempts {
            self.give_up::<H>(client);
            return false;
        }
        if H && self.any_defences && self.retry_refused(client) {
            return false;
        }
        let c = self.clients.get(client);
        let retry = &self.edges[c.edge as usize].retry;
        let mut prev = c.prev_sleep_s;
        let delay = retry.delay_s(c.sent - 1, &mut prev, &mut self.rng_backoff);
        self.clients.get(client).prev_sleep_s = prev;
        let delay_ns = secs_to_nanos(delay);
        let outer = if self.any_calls { self.clients.call(client).outer_deadline } else { u64::MAX };
        if outer != u64::MAX && self.now.saturating_add(delay_ns) >= outer {
            // The caller's deadline passes before the retry would start.
            if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
                t.local(self.now, client, Outcome::DeadlineExceeded);
            }
            self.give_up::<H>(client);
            return false;
        }
        if delay_ns == 0 {
            return true;
        }
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.backoff(self.now, client, delay_ns);
        }
        self.queue.push(self.now + delay_ns, Event::RetryWake { client });
        false
    }

    /// The client used up its attempts (or its deadline): the logical
    /// request failed, or the call failed its caller.
    pub(super) fn give_up<const H: bool>(&mut self, client: u32) {
        let edge = self.clients.get(client).edge;
        let parent = self.clients.call(client).parent;
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.finish(self.now, client, false);
        }
        self.clients.release(client);
        if parent.is_none() {
            self.count(Counter::Failed);
            if self.closed_loop {
                self.schedule_user_wake();
            }
            return;
        }
        self.count_at(self.edges[edge as usize].to, Counter::Failed);
        self.call_failed::<H>(parent);
    }

    /// An attempt ended without an answer the client can use (a connection
    /// error, or a 503 from a queue policy): if the client still waited for
    /// it, it retries after its backoff or gives up.
    pub(super) fn fail_attempt<const H: bool>(&mut self, client: u32, token: u32) {
        if !self.client_waits_for::<H>(client, token) {
            return;
        }
        let edge = self.clients.get(client).edge;
        self.note_edge(edge, |s| &mut s.failed);
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.attempt_end(self.now, (client, token), Outcome::Error);
        }
        if H && self.any_defences {
            self.note_outcome(edge as usize, false);
            if H && self.any_hedge && self.hedge_absorbs(client, token) {
                return;
            }
        }
        if self.retry_or_give_up::<H>(client) {
            // Through the queue rather than at once: a retry may land on a
            // node that crashes in turn, and recursion would have no bound.
            self.queue.push(self.now, Event::RetryWake { client });
        }
    }

    /// True while the client still waits for its attempt `token`.
    #[inline]
    pub(super) fn client_waits_for<const H: bool>(&mut self, client: u32, token: u32) -> bool {
        self.client_waits_for_at_least::<H>(client, token, 0)
    }

    /// True if the client will still wait for attempt `token` for more
    /// than `margin` ns.
    #[inline]
    pub(super) fn client_waits_for_at_least<const H: bool>(&mut self, client: u32, token: u32, margin: u64) -> bool {
        let now = self.now;
        let c = self.clients.get(client);
        if c.token == token {
            return c.waiting && now + margin < c.deadline;
        }
        // A hedged client also waits for its original attempt.
        H && self.any_hedge && c.waiting && now + margin < c.deadline && self.hedges.is_original(client, token)
    }

    #[inline]
    pub(super) fn on_timeout<const H: bool>(&mut self, client: u32, token: u32) {
        let c = self.clients.get(client);
        if c.token != token || !c.waiting {
            return; // resolved earlier
        }
        let edge = c.edge;
        let to = if self.any_calls { self.edges[edge as usize].to } else { 0 };
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.attempt_end(self.now, (client, token), Outcome::TimedOut);
        }
        self.count_at(to, Counter::TimedOut);
        self.note_edge(edge, |s| &mut s.timed_out);
        if H && self.any_defences {
            self.note_outcome(edge as usize, false);
            if H && self.any_hedge {
                self.hedge_timed_out(client, edge as usize);
            }
        }
        if self.retry_or_give_up::<H>(client) {
            self.send_attempt::<H>(client);
        }
    }

    // ---- calls between services ---------------------------------------

    /// `job` finished its own work at a service that makes calls: it holds
    /// its worker and makes them, one by one or all at once.
    pub(super) fn start_calls<const H: bool>(&mut self, job: JobRef) {
        let tier = self.tier_of(job.node) as usize;
        let n = self.tiers[tier].calls.len();
        let Some(j) = self.nodes[job.node as usize].jobs.get(job.slot, job.gen) else { return };
        j.stage = Stage::Calling;
        j.calls_left = n as u16;
        if self.tiers[tier].parallel {
            for k in 0..n {
                self.start_call::<H>(job, k);
            }
        } else {
            self.start_call::<H>(job, 0);
        }
    }

    /// Makes call `k` of `job`'s service on behalf of `job`.
    fn start_call<const H: bool>(&mut self, job: JobRef, k: usize) {
        let tier = self.tier_of(job.node) as usize;
        let edge = self.tiers[tier].calls[k];
        let Some(j) = self.nodes[job.node as usize].jobs.get(job.slot, job.gen) else { return };
        let (caller, caller_token) = (j.client, j.token);
        let outer = if self.edges[edge as usize].propagate {
            self.clients.get(caller).deadline.min(self.clients.call(caller).outer_deadline)
        } else {
            u64::MAX
        };
        let base_s = self.edges[edge as usize].retry.base_s;
        let info = crate::client::CallInfo { parent: job, outer_deadline: outer };
        let client = self.clients.alloc_call(self.now, base_s, edge, info);
        if let Some(t) = self.tracer.as_deref_mut().filter(|_| H) {
            t.call(self.now, (caller, caller_token), client, edge);
        }
        self.count_at(self.edges[edge as usize].to, Counter::Offered);
        self.send_attempt::<H>(client);
    }

    /// One of `job`'s calls succeeded: it makes the next, or, with every
    /// call answered, answers its own client.
    fn call_succeeded<const H: bool>(&mut self, job: JobRef) {
        let tier = self.tier_of(job.node) as usize;
        let Some(j) = self.nodes[job.node as usize].jobs.get(job.slot, job.gen) else { return };
        if j.stage != Stage::Calling {
            return;
        }
        j.calls_left -= 1;
        let left = j.calls_left as usize;
        if left > 0 {
            if !self.tiers[tier].parallel {
                let n = self.tiers[tier].calls.len();
                self.start_call::<H>(job, n - left);
            }
            return;
        }
        if let Some(done) = self.nodes[job.node as usize].jobs.finish(job.slot, job.gen) {
            self.complete::<H>(job, done);
        }
    }

    /// One of `job`'s calls failed after its attempts: the job fails at
    /// once with an error its client sees, and frees its worker. Its other
    /// calls go on (nothing cancels them) but their answers find it gone.
    fn call_failed<const H: bool>(&mut self, job: JobRef) {
        let tier = self.tier_of(job.node);
        let n = &mut self.nodes[job.node as usize];
        if n.jobs.get(job.slot, job.gen).is_none_or(|j| j.stage != Stage::Calling) {
            return;
        }
        let Some(done) = n.jobs.finish(job.slot, job.gen) else { return };
        self.count_at(tier, Counter::Errors);
        self.trace_served::<H>(done.client, done.token, Outcome::CallFailed);
        self.take_next::<H>(job.node);
        if self.client_waits_for::<H>(done.client, done.token) {
            self.reply::<H>(done.client, done.token, false);
        }
    }
}
