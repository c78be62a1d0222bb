//! The simulation: a pure stepper over the event queue.

use crate::analytics::erlang_c;
use crate::balancer::LoadBalancer;
use crate::cache::Cache;
use crate::catalogue::{Apply, FIELDS};
use crate::client::Clients;
use crate::config::{Config, ConfigError, FaultKind, MAX_EVENTS_PER_RUN};
use crate::db::{Database, WaitAccount};
use crate::event::{Event, EventQueue};
use crate::metrics::DbSeries;
use crate::metrics::{
    Counter, LatencyHistogram, LatencySummary, NodeStateSeries, QueueingSummary, Series, Totals, WaitStats,
};
use crate::node::{Admission, Job, Node, ServiceModel, Waiting};
use crate::policy::{NodePolicy, Routing};
use crate::report::{window_means, Report};
use crate::retry::RetryPolicy;
use crate::rng::Streams;
use crate::snapshot::{Halt, NodeLife, Snapshot};
use crate::time::{secs_to_nanos, SimTime, NANOS_PER_SEC};
use crate::traffic::Traffic;

mod dependencies;

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

/// A running simulation of the reference model. See the crate docs.
#[derive(Debug)]
pub struct Simulation {
    config: Config,
    now: u64,
    /// `now`'s per-second bucket.
    second: usize,
    end: u64,
    seconds: usize,
    queue: EventQueue,
    streams: Streams,
    traffic: Traffic,
    retry: RetryPolicy,
    timeout_ns: u64,
    balancer: LoadBalancer,
    service: ServiceModel,
    nodes: Vec<Node>,
    policy: NodePolicy,
    routing: Routing,
    probes_running: bool,
    clients: Clients,
    series: Series,
    counts: [u64; Counter::COUNT],
    latency: LatencyHistogram,
    latency_this_second: LatencyHistogram,
    waits: WaitStats,
    events: u64,
    completed_seconds: usize,
    halted: Option<Halt>,
    /// True once the last second's CPU account is closed.
    cpu_closed: bool,
    db: Database,
    db_waits: WaitAccount,
    cache: Cache,
}

impl Simulation {
    /// Validates `config` and builds the simulation at time zero. Nothing is
    /// allocated before validation passes.
    pub fn new(config: Config) -> Result<Simulation, ConfigError> {
        config.validate()?;
        let seconds = config.seconds();
        let mut sim = Simulation {
            now: 0,
            second: 0,
            end: secs_to_nanos(config.traffic.duration_s),
            seconds,
            queue: EventQueue::default(),
            streams: Streams::new(config.seed),
            traffic: Traffic::new(&config.traffic),
            retry: RetryPolicy::new(&config.client),
            timeout_ns: secs_to_nanos(config.client.timeout_s),
            balancer: LoadBalancer::new(config.balancer.policy),
            service: ServiceModel::new(&config.nodes),
            nodes: (0..config.nodes.count).map(|i| Node::new(&config.nodes, i < config.nodes.slow_count)).collect(),
            policy: NodePolicy::new(&config),
            routing: Routing::all(config.nodes.count, config.health.panic_threshold),
            probes_running: false,
            clients: Clients::default(),
            series: Series::new(seconds),
            counts: [0; Counter::COUNT],
            latency: LatencyHistogram::new(),
            latency_this_second: LatencyHistogram::new(),
            waits: WaitStats::default(),
            events: 0,
            completed_seconds: 0,
            halted: None,
            cpu_closed: false,
            db: Database::default(),
            db_waits: WaitAccount::default(),
            cache: Cache::new(&config.cache, 0),
            config,
        };
        if config_tracks_node_states(&sim.config) {
            sim.series.node_states = Some(NodeStateSeries::new(seconds));
        }
        sim.series.cpu.shown = sim.config.uses_mechanisms();
        if sim.config.db.enabled {
            sim.series.db = Some(DbSeries::new(seconds));
        }
        sim.queue.push(0, Event::Sample { second: 0 });
        sim.schedule_arrival();
        sim.schedule_faults();
        sim.start_probes();
        Ok(sim)
    }

    /// The configuration in force (restart-only fields as at creation).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        SimTime(self.now)
    }

    /// The end of the run (its duration).
    pub fn end(&self) -> SimTime {
        SimTime(self.end)
    }

    /// The rate the clients mean to send at `t_s` seconds into the run,
    /// per second, under the traffic profile in force (after live changes):
    /// the offered load a chart draws beside the measured arrivals.
    pub fn offered_rate_at(&self, t_s: f64) -> f64 {
        self.traffic.rate_at(t_s)
    }

    /// True once the end is reached or the run was halted.
    pub fn is_finished(&self) -> bool {
        self.now >= self.end || self.halted.is_some()
    }

    /// Processes every event before `min(t, end)` and moves the clock there.
    /// Returns the number of events processed.
    pub fn step_until(&mut self, t: SimTime) -> u64 {
        let before = self.events;
        self.step_until_budget(t, u64::MAX);
        self.events - before
    }

    /// Like [`Simulation::step_until`], but stops after `max_events` events so
    /// a caller with a frame budget never stalls. Returns true when there is
    /// nothing left to do before `t` (reached, or the run finished or halted).
    pub fn step_until_budget(&mut self, t: SimTime, max_events: u64) -> bool {
        let limit = t.0.min(self.end);
        for _ in 0..max_events {
            if self.halted.is_some() {
                return true;
            }
            if self.events >= MAX_EVENTS_PER_RUN {
                self.halted = Some(Halt::EventCap);
                return true;
            }
            let Some((time, event)) = self.queue.pop_before(limit) else {
                self.set_now(self.now.max(limit));
                // Every event before `now` is done, so the seconds before it
                // are final (the last, partial one at the end of the run).
                let whole = if self.now >= self.end { self.seconds } else { self.current_second() };
                if self.now >= self.end && !self.cpu_closed {
                    self.cpu_closed = true;
                    self.roll_cpu(self.seconds - 1);
                }
                self.close_seconds_until(whole);
                return true;
            };
            self.set_now(time);
            self.events += 1;
            self.handle(event);
        }
        false
    }

    /// Runs to the end of the configured duration.
    pub fn run_to_end(&mut self) {
        self.step_until(SimTime(self.end));
    }

    /// Applies a changed configuration from the current instant: a new rate
    /// or spike reschedules the next arrival; timeout, attempts and backoff
    /// apply to the next send or retry decision of every client; workers,
    /// service time and queue capacity apply to the next admission and the
    /// next service start (attempts already queued or in service stay).
    /// Fields that need a reset are reported, not applied.
    pub fn reconfigure(&mut self, new: &Config) -> Result<Reconfigured, ConfigError> {
        let old = self.config.clone();
        let mut next = new.clone();
        let mut out = Reconfigured::default();
        keep_reset_fields(&old, &mut next, &mut out.needs_restart);
        next.validate_from(self.now().as_secs_f64(), self.events)?;
        out.applied = changed_live_fields(&old, &next);
        if next.traffic != old.traffic {
            // Gaps are memoryless, so redrawing the next arrival from now
            // under the new profile is exact.
            self.traffic = Traffic::new(&next.traffic);
            self.schedule_arrival();
        }
        self.retry = RetryPolicy::new(&next.client);
        self.timeout_ns = secs_to_nanos(next.client.timeout_s);
        self.balancer.set_policy(next.balancer.policy);
        self.service = ServiceModel::new(&next.nodes);
        self.policy = NodePolicy::new(&next);
        if next.health != old.health {
            self.config.health = next.health.clone();
            if !next.health.enabled {
                // Switched off: every node is back in rotation at once (the
                // probe cycle stops at its next event).
                for n in &mut self.nodes {
                    n.health = Default::default();
                }
            }
            self.start_probes();
            self.reroute();
        }
        for i in 0..self.nodes.len() {
            let n = &mut self.nodes[i];
            n.workers = next.nodes.workers;
            n.queue_capacity = next.nodes.queue_capacity;
            n.slow = if (i as u32) < next.nodes.slow_count { next.nodes.slow_factor } else { 1.0 };
            self.start_waiting(i as u32);
        }
        if self.series.node_states.is_none() && config_tracks_node_states(&next) {
            self.series.node_states = Some(NodeStateSeries::new(self.seconds));
        }
        self.series.cpu.shown |= next.uses_mechanisms();
        if next.db.enabled && self.series.db.is_none() {
            self.series.db = Some(DbSeries::new(self.seconds));
        }
        if next.cache.enabled && !old.cache.enabled && self.cache.recomputing() == 0 {
            // A cache switched on mid-run starts warm, as at time zero.
            self.cache = Cache::new(&next.cache, self.now);
        }
        if old.cpu.enabled && !next.cpu.enabled {
            self.stop_sharing(&old.cpu);
        }
        self.config = next;
        Ok(out)
    }

    /// The system now: nodes, counters, progress.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            now: SimTime(self.now),
            end: SimTime(self.end),
            nodes: self.nodes.iter().map(|n| n.snapshot(self.now)).collect(),
            totals: self.totals(),
            in_flight: self.clients.live() as u64,
            events_processed: self.events,
            completed_seconds: self.completed_seconds,
            halted: self.halted,
            routing_panic: self.routing.panic,
            db_queries: self.db.running(),
            cache_fresh: self.cache.is_fresh(self.now),
            cache_recomputing: self.cache.recomputing() as u32,
            cache_hit_rate: self.completed_seconds.checked_sub(1).and_then(|s| {
                let (hits, misses) = (self.series.cache_hits[s], self.series.cache_misses[s]);
                (hits + misses > 0).then(|| hits as f32 / (hits + misses) as f32)
            }),
        }
    }

    /// Crashes `node` now, as a scripted fault would: what it holds is lost
    /// and it restarts after `crash.restart_s`. Does nothing to a node that
    /// is already down or does not exist; returns whether it crashed.
    pub fn crash_node(&mut self, node: u32) -> bool {
        if node as usize >= self.nodes.len() || self.nodes[node as usize].is_down() || self.is_finished() {
            return false;
        }
        self.crash(node);
        if self.series.node_states.is_none() {
            self.series.node_states = Some(NodeStateSeries::new(self.seconds));
        }
        true
    }

    /// Per-second series; rows below [`Simulation::completed_seconds`] are final.
    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Whole seconds whose series rows (latency percentiles included) are final.
    pub fn completed_seconds(&self) -> usize {
        self.completed_seconds
    }

    /// Cumulative counters.
    pub fn totals(&self) -> Totals {
        let c = |k: Counter| self.counts[k as usize];
        let (offered, goodput, failed) = (c(Counter::Offered), c(Counter::Goodput), c(Counter::Failed));
        Totals {
            offered,
            attempts: c(Counter::Attempts),
            throughput: c(Counter::Throughput),
            goodput,
            rejected: c(Counter::Rejected),
            timed_out: c(Counter::TimedOut),
            failed,
            wasted: c(Counter::Throughput) - goodput,
            unresolved_at_end: offered - goodput - failed,
            errors: c(Counter::Errors),
            refused: c(Counter::Refused),
            lost: c(Counter::Lost),
            dropped: c(Counter::Dropped),
            crashes: c(Counter::Crashes),
            db_timeouts: c(Counter::DbTimeouts),
            cache_hits: c(Counter::CacheHits),
            cache_misses: c(Counter::CacheMisses),
            regenerations: c(Counter::Regenerations),
            refills: self.cache.refills,
        }
    }

    /// Latency of successful logical requests so far.
    pub fn latency(&self) -> LatencySummary {
        LatencySummary::of(&self.latency)
    }

    /// Queueing delay so far, beside Erlang C for the configured base load.
    pub fn queueing(&self) -> QueueingSummary {
        let n = &self.config.nodes;
        let s = n.service_ms_mean / 1000.0;
        let a_node = self.config.traffic.rate_per_s / n.count as f64 * s;
        let erlang = erlang_c(n.workers, a_node);
        let w = &self.waits;
        QueueingSummary {
            sim_mean_wait_ms: (w.n > 0).then(|| w.sum_ns as f64 / w.n as f64 / 1e6),
            sim_p_wait: (w.n > 0).then(|| w.positive as f64 / w.n as f64),
            erlang_c_offered_load_per_node: a_node,
            erlang_c_utilisation: a_node / n.workers as f64,
            erlang_c_p_wait: erlang.map(|(p, _)| p),
            erlang_c_mean_wait_ms: erlang.map(|(_, wq)| wq * s * 1000.0),
        }
    }

    /// Events processed since the start.
    pub fn events_processed(&self) -> u64 {
        self.events
    }

    /// The run's report, with window means over `[edges[i], edges[i+1])`
    /// seconds when `windows` has two or more edges.
    pub fn report(&self, windows: &[u64]) -> Report {
        Report {
            totals: self.totals(),
            latency_success: self.latency(),
            queueing: self.queueing(),
            events_processed: self.events,
            series: self.series.clone(),
            window_means: (windows.len() >= 2).then(|| window_means(&self.series, windows)),
        }
    }

    // ---- event handling --------------------------------------------------

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival => self.on_arrival(),
            Event::ServiceDone { node, slot, gen } => self.on_service_done(node, slot, gen),
            Event::SharedDone { node, epoch } => self.on_shared_done(node, epoch),
            Event::DbDone { epoch } => self.on_db_done(epoch),
            Event::PoolTimeout { node, slot, gen } => self.on_pool_timeout(node, slot, gen),
            Event::Timeout { client, token } => self.on_timeout(client, token),
            Event::RetryWake { client } => self.send_attempt(client),
            Event::Sample { second } => self.on_sample(second as usize),
            Event::Probe { node } => self.on_probe(node),
            Event::Restart { node } => self.on_restart(node),
            Event::Fault { index } => self.on_fault(index as usize),
        }
    }

    /// Moves the clock, and with it the per-second bucket that counters
    /// land in (computed once here rather than at each of the several
    /// counts an event makes).
    #[inline(always)]
    fn set_now(&mut self, now: u64) {
        self.now = now;
        self.second = ((now / NANOS_PER_SEC) as usize).min(self.seconds - 1);
    }

    /// The per-second bucket of the current instant, clamped to the last one.
    #[inline(always)]
    fn current_second(&self) -> usize {
        self.second
    }

    #[inline]
    fn count(&mut self, counter: Counter) {
        let sec = self.current_second();
        self.series.bump(counter, sec);
        self.counts[counter as usize] += 1;
    }

    fn schedule_arrival(&mut self) {
        let next = self.traffic.next_arrival(self.now, &mut self.streams.arrivals);
        self.queue.set_arrival(next);
    }

    fn on_arrival(&mut self) {
        self.count(Counter::Offered);
        let client = self.clients.alloc(self.now, self.retry.base_s);
        self.send_attempt(client);
        self.schedule_arrival();
    }

    /// Sends the client's next attempt; after a 503 or a refused connection
    /// with no backoff it sends the following one in the same instant, as the
    /// reference client does.
    fn send_attempt(&mut self, client: u32) {
        loop {
            self.count(Counter::Attempts);
            let c = self.clients.get(client);
            c.sent += 1;
            c.token = c.token.wrapping_add(1);
            let w = Waiting { sent: self.now, client, token: c.token };
            let node = self.routing.pick(&mut self.balancer, &self.nodes, &mut self.streams.balancer);
            match self.nodes[node as usize].admit(self.now, w, self.policy.concurrency_limit) {
                Admission::Accepted => {
                    self.waits.record(0);
                    self.start_service(node, w);
                }
                Admission::Queued => {}
                Admission::Shed | Admission::Refused => {
                    if self.nodes[node as usize].is_down() {
                        self.count(Counter::Refused);
                        self.count(Counter::Errors);
                    } else {
                        self.count(Counter::Rejected);
                    }
                    if self.retry_or_give_up(client) {
                        continue;
                    }
                    return;
                }
            }
            let deadline = self.now + self.timeout_ns;
            let c = self.clients.get(client);
            c.waiting = true;
            c.deadline = deadline;
            self.queue.push_in_order(deadline, Event::Timeout { client, token: w.token });
            if self.nodes[node as usize].held() > self.policy.max_held {
                self.crash(node);
            }
            return;
        }
    }

    /// After a failed attempt: gives up, or schedules the retry after its
    /// backoff. Returns true when the retry is due at once (zero backoff).
    fn retry_or_give_up(&mut self, client: u32) -> bool {
        let c = self.clients.get(client);
        c.waiting = false;
        if c.sent >= self.retry.attempts {
            self.count(Counter::Failed);
            self.clients.release(client);
            return false;
        }
        let mut prev = c.prev_sleep_s;
        let delay = self.retry.delay_s(c.sent - 1, &mut prev, &mut self.streams.backoff);
        self.clients.get(client).prev_sleep_s = prev;
        let delay_ns = secs_to_nanos(delay);
        if delay_ns == 0 {
            return true;
        }
        self.queue.push(self.now + delay_ns, Event::RetryWake { client });
        false
    }

    fn start_service(&mut self, node: u32, w: Waiting) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let extra_s = if self.policy.per_inflight_s > 0.0 { self.policy.per_inflight_s * n.held() as f64 } else { 0.0 };
        let factor = n.service_factor(now);
        let work = self.service.sample_ns(factor, extra_s, &mut self.streams.service);
        let (slot, gen) = n.jobs.start(w, work);
        if self.policy.dependencies {
            self.before_service(node, slot, gen);
            return;
        }
        self.serve(node, slot, gen, work);
    }

    /// Starts the job's own service time of `work` ns: on a worker of its
    /// own, or processor-shared with the node's other jobs.
    #[inline(always)]
    fn serve(&mut self, node: u32, slot: u32, gen: u32, work: u64) {
        if self.policy.cpu.is_none() {
            self.queue.push(self.now.saturating_add(work), Event::ServiceDone { node, slot, gen });
            return;
        }
        self.serve_shared(node, slot, gen, work);
    }

    #[inline(never)]
    fn serve_shared(&mut self, node: u32, slot: u32, gen: u32, work: u64) {
        let Some((cores, overhead)) = self.policy.cpu else { return };
        let n = &mut self.nodes[node as usize];
        n.advance_cpu(self.now, cores, overhead);
        n.sharing.add(node, slot, gen, work);
        self.reschedule_sharing(node);
    }

    /// Schedules the next processor-shared completion of `node`, making the
    /// one scheduled before stale.
    fn reschedule_sharing(&mut self, node: u32) {
        let Some((cores, overhead)) = self.policy.cpu else { return };
        let n = &mut self.nodes[node as usize];
        n.sharing.epoch = n.sharing.epoch.wrapping_add(1);
        if let Some(dt) = n.time_to_first_cpu(cores, overhead) {
            let epoch = n.sharing.epoch;
            self.queue.push(self.now.saturating_add(dt), Event::SharedDone { node, epoch });
        }
    }

    /// The CPU model was switched off: each processor-shared job finishes
    /// after its remaining work at full speed, like any other job.
    fn stop_sharing(&mut self, old: &crate::config::CpuConfig) {
        let now = self.now;
        for (i, n) in self.nodes.iter_mut().enumerate() {
            n.advance_cpu(now, old.cores, old.switch_overhead);
            for (_, slot, gen, left) in n.sharing.drain_remaining() {
                self.queue.push(now.saturating_add(left), Event::ServiceDone { node: i as u32, slot, gen });
            }
        }
    }

    fn on_shared_done(&mut self, node: u32, epoch: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Some((cores, overhead)) = self.policy.cpu else { return };
        if n.sharing.epoch != epoch {
            return; // rescheduled since
        }
        n.advance_cpu(now, cores, overhead);
        if let Some((_, slot, gen)) = n.sharing.pop_first() {
            if let Some(job) = n.jobs.finish(slot, gen) {
                self.complete(node, slot, gen, job);
            }
        }
        self.reschedule_sharing(node);
    }

    /// Moves waiting attempts into service while the node has free workers.
    fn start_waiting(&mut self, node: u32) {
        while let Some(w) = self.next_waiting(node) {
            self.waits.record(self.now - w.sent);
            self.start_service(node, w);
        }
    }

    /// The next attempt a free worker of `node` takes, after the queue
    /// policies have dropped or shed what they must.
    #[inline(always)]
    fn next_waiting(&mut self, node: u32) -> Option<Waiting> {
        if !self.policy.acts_at_dequeue {
            return self.nodes[node as usize].pop_waiting(self.now, None);
        }
        self.next_waiting_checked(node)
    }

    #[inline(never)]
    fn next_waiting_checked(&mut self, node: u32) -> Option<Waiting> {
        loop {
            let w = self.nodes[node as usize].pop_waiting(self.now, self.policy.lifo_above)?;
            if self.policy.drop_expired
                && !self.client_waits_for_at_least(w.client, w.token, self.policy.deadline_margin)
            {
                self.count(Counter::Dropped);
                continue;
            }
            if self.codel_sheds(node, w) {
                self.nodes[node as usize].note_shed(self.now);
                self.count(Counter::Rejected);
                self.fail_attempt(w.client, w.token);
                continue;
            }
            return Some(w);
        }
    }

    /// CoDel's verdict on `w` at the head of `node`'s queue: its wait is
    /// limited to the target while the queue has stood for an interval, and
    /// to the interval otherwise.
    fn codel_sheds(&self, node: u32, w: Waiting) -> bool {
        let Some((target, interval)) = self.policy.codel else { return false };
        let standing = self.now.saturating_sub(self.nodes[node as usize].last_empty) > interval;
        let limit = if standing { target } else { interval };
        self.now - w.sent > limit
    }

    /// True while the client still waits for its attempt `token`.
    #[inline]
    fn client_waits_for(&mut self, client: u32, token: u32) -> bool {
        self.client_waits_for_at_least(client, token, 0)
    }

    /// True if the client will still wait for attempt `token` for more
    /// than `margin` ns.
    #[inline]
    fn client_waits_for_at_least(&mut self, client: u32, token: u32, margin: u64) -> bool {
        let now = self.now;
        let c = self.clients.get(client);
        c.token == token && c.waiting && now + margin < c.deadline
    }

    fn on_service_done(&mut self, node: u32, slot: u32, gen: u32) {
        let Some(job) = self.nodes[node as usize].jobs.finish(slot, gen) else {
            return; // lost in a crash
        };
        self.complete(node, slot, gen, job);
    }

    /// A job is done: the worker takes the next attempt, and the client gets
    /// its answer if it still waits.
    #[inline(always)]
    fn complete(&mut self, node: u32, slot: u32, gen: u32, job: Job) {
        if job.regen {
            self.regenerated((node, slot, gen));
        }
        self.count(Counter::Throughput);
        self.nodes[node as usize].served += 1;
        if let Some(w) = self.next_waiting(node) {
            self.waits.record(self.now - w.sent);
            self.start_service(node, w);
        }
        let waited = self.client_waits_for(job.client, job.token);
        // CPU work at full speed: the service time without the CPU model.
        let cpu_ns = job.work as f64;
        let cpu = &mut self.nodes[node as usize].cpu;
        if !waited {
            cpu.wasted += cpu_ns;
            return; // the client gave up on this attempt: wasted work
        }
        cpu.useful += cpu_ns;
        let latency = self.now - self.clients.get(job.client).first_send;
        self.clients.release(job.client);
        // Close earlier seconds first, so that a success always lands in its
        // own second's percentiles however the caller steps the clock.
        self.close_seconds_until(self.current_second());
        self.count(Counter::Goodput);
        self.latency.record(latency);
        self.latency_this_second.record(latency);
    }

    /// An attempt ended without an answer the client can use (a connection
    /// error, or a 503 from a queue policy): if the client still waited for
    /// it, it retries after its backoff or gives up.
    fn fail_attempt(&mut self, client: u32, token: u32) {
        if !self.client_waits_for(client, token) {
            return;
        }
        if self.retry_or_give_up(client) {
            // Through the queue rather than at once: a retry may land on a
            // node that crashes in turn, and recursion would have no bound.
            self.queue.push(self.now, Event::RetryWake { client });
        }
    }

    /// Kills `node`: clients waiting on what it held see a connection error.
    fn crash(&mut self, node: u32) {
        let restart_ns = secs_to_nanos(self.config.crash.restart_s);
        let (queued, jobs) = self.nodes[node as usize].crash(self.now, restart_ns);
        self.count(Counter::Crashes);
        if self.cache.abandon(|(n, _, _)| n == node) {
            self.regeneration_failed();
        }
        let lost = queued.iter().map(|w| (w.client, w.token)).chain(jobs.iter().map(|j| (j.client, j.token)));
        for (client, token) in lost.collect::<Vec<_>>() {
            self.count(Counter::Lost);
            if self.client_waits_for(client, token) {
                self.count(Counter::Errors);
                self.fail_attempt(client, token);
            }
        }
        self.queue.push(self.now + restart_ns, Event::Restart { node });
    }

    fn on_restart(&mut self, node: u32) {
        let c = &self.config.crash;
        let warmup_ns = secs_to_nanos(c.warmup_s);
        self.nodes[node as usize].restart(self.now, warmup_ns, c.warmup_capacity);
    }

    fn on_fault(&mut self, index: usize) {
        match self.config.faults[index].kind {
            FaultKind::Crash => {
                let node = self.config.faults[index].node;
                if !self.nodes[node as usize].is_down() {
                    self.crash(node);
                }
            }
        }
    }

    fn schedule_faults(&mut self) {
        for (i, f) in self.config.faults.iter().enumerate() {
            let at = secs_to_nanos(f.at_s);
            if at < self.end {
                self.queue.push(at, Event::Fault { index: i as u32 });
            }
        }
    }

    /// Starts the probe cycle if health checks are on and it is not running:
    /// node `i` is first probed `(i + 1) / N` of an interval from now, so
    /// probes are spread over the interval rather than all at once.
    fn start_probes(&mut self) {
        if !self.config.health.enabled || self.probes_running {
            return;
        }
        self.probes_running = true;
        let interval = secs_to_nanos(self.config.health.interval_ms / 1000.0).max(1);
        let n = self.nodes.len() as u64;
        for i in 0..n {
            self.queue.push(self.now + interval * (i + 1) / n, Event::Probe { node: i as u32 });
        }
    }

    fn on_probe(&mut self, node: u32) {
        let h = self.config.health.clone();
        if !h.enabled {
            // Health checks were switched off: every node is back in rotation.
            self.probes_running = false;
            for n in &mut self.nodes {
                n.health = Default::default();
            }
            self.reroute();
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
            self.reroute();
        }
        let interval = secs_to_nanos(h.interval_ms / 1000.0).max(1);
        self.queue.push(self.now + interval, Event::Probe { node });
    }

    /// Rebuilds the balancer's set of nodes after an ejection changed.
    fn reroute(&mut self) {
        self.routing.panic_threshold = self.config.health.panic_threshold;
        self.routing.rebuild(&self.nodes);
    }

    fn on_timeout(&mut self, client: u32, token: u32) {
        let c = self.clients.get(client);
        if c.token != token || !c.waiting {
            return; // resolved earlier
        }
        self.count(Counter::TimedOut);
        if self.retry_or_give_up(client) {
            self.send_attempt(client);
        }
    }

    fn on_sample(&mut self, second: usize) {
        self.series.queued[second] = self.nodes.iter().map(|n| n.queue.len() as u64).sum();
        if second > 0 {
            self.roll_cpu(second - 1);
        }
        if let Some(db) = &mut self.series.db {
            db.pool_in_use[second] = self.nodes.iter().map(|n| n.pool.in_use as u64).sum();
            db.pool_waiting[second] = self.nodes.iter().map(|n| n.pool.waiters.len() as u64).sum();
            db.queries[second] = self.db.running() as u64;
            if second > 0 {
                db.wait_ms[second - 1] = self.db_waits.take_mean_ms();
            }
        }
        if let Some(states) = &mut self.series.node_states {
            for n in &self.nodes {
                let snap = n.snapshot(self.now);
                match snap.life {
                    NodeLife::Crashed => states.crashed[second] += 1,
                    NodeLife::Warming => states.warming[second] += 1,
                    NodeLife::Up if !snap.ejected => states.up[second] += 1,
                    NodeLife::Up => {}
                }
                states.ejected[second] += snap.ejected as u64;
            }
        }
        self.close_seconds_until(second);
        if second + 1 < self.seconds {
            self.queue.push((second as u64 + 1) * NANOS_PER_SEC, Event::Sample { second: second as u32 + 1 });
        }
    }

    /// Closes every node's CPU account of the second that just ended into
    /// series row `second`.
    fn roll_cpu(&mut self, second: usize) {
        let now = self.now;
        let row = &mut self.series.cpu;
        for n in &mut self.nodes {
            if let Some((cores, overhead)) = self.policy.cpu {
                n.advance_cpu(now, cores, overhead);
            }
            row.useful[second] += n.cpu.useful / NANOS_PER_SEC as f64;
            row.wasted[second] += n.cpu.wasted / NANOS_PER_SEC as f64;
            row.switching[second] += n.cpu.switching / NANOS_PER_SEC as f64;
            n.roll_cpu();
        }
    }

    /// Marks seconds before `second` final, storing their latency
    /// percentiles. Inline, because it is called on every success and
    /// almost always has nothing to do.
    #[inline(always)]
    fn close_seconds_until(&mut self, second: usize) {
        if self.completed_seconds < second {
            self.close_seconds(second);
        }
    }

    #[inline(never)]
    fn close_seconds(&mut self, second: usize) {
        while self.completed_seconds < second {
            let s = self.completed_seconds;
            let h = &self.latency_this_second;
            self.series.latency_p50_ms[s] = h.percentile_ns(50.0).map(|v| v / 1e6);
            self.series.latency_p99_ms[s] = h.percentile_ns(99.0).map(|v| v / 1e6);
            self.latency_this_second.clear();
            self.completed_seconds += 1;
        }
    }
}

/// True when the run's series should count nodes by lifecycle state.
fn config_tracks_node_states(c: &Config) -> bool {
    c.crash.enabled || c.health.enabled || !c.faults.is_empty()
}

/// Puts back in `next` the fields that need a reset, naming those that
/// changed in `needs_restart`.
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
    if next.services != old.services {
        needs_restart.push("services");
        next.services = old.services.clone();
    }
}

/// Dotted paths of the live fields that differ, from the catalogue.
fn changed_live_fields(old: &Config, new: &Config) -> Vec<&'static str> {
    FIELDS.iter().filter(|f| f.apply == Apply::Live && f.get(old) != f.get(new)).map(|f| f.path).collect()
}
