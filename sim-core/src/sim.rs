//! The simulation: a pure stepper over the event queue.
//!
//! The engine is split by concern into `impl Simulation` blocks under
//! `sim/`: arrivals, clients and calls (`client`), a service's nodes taking
//! and finishing work (`service`), the cache and the database before it
//! (`dependencies`), crashes, restarts and faults (`lifecycle`), the
//! balancer's health checks (`health`), per-second sampling (`sampling`) and
//! live changes (`reconfigure`). Every event about a job names it by a
//! [`JobRef`], and is stale (ignored) once the job's slot has moved on; every
//! event about a client carries the attempt's token, likewise.

use crate::analytics::erlang_c;
use crate::client::Clients;
use crate::config::{Config, ConfigError, MAX_EVENTS_PER_RUN};
use crate::event::{Event, EventQueue};
use crate::metrics::{
    Counter, DbSeries, LatencyHistogram, LatencySummary, NodeStateSeries, QueueingSummary, Series, Totals, WaitStats,
};
use crate::node::Node;
use crate::report::{window_means, Report, ServiceReport};
use crate::rng::Stream;
use crate::snapshot::{CallSnapshot, Halt, ServiceSnapshot, Snapshot};
use crate::time::{secs_to_nanos, SimTime, NANOS_PER_SEC};
use crate::topology::Topology;
use crate::traffic::Traffic;

mod client;
mod cpu;
mod defences;
mod dependencies;
mod health;
mod lifecycle;
mod reconfigure;
mod sampling;
mod scaling;
mod service;
mod shedding;
mod tier;
mod tracing;

pub use reconfigure::Reconfigured;
use tier::{Edge, Tier};

/// A running simulation of a system of services. See the crate docs.
#[derive(Debug)]
pub struct Simulation {
    config: Config,
    now: u64,
    /// `now`'s per-second bucket.
    second: usize,
    end: u64,
    seconds: usize,
    queue: EventQueue,
    rng_arrivals: Stream,
    rng_backoff: Stream,
    rng_network: Stream,
    rng_faults: Stream,
    traffic: Traffic,
    /// Every node of every service, service by service.
    nodes: Vec<Node>,
    /// The services, the entry first.
    tiers: Vec<Tier>,
    /// Call edges: 0 is the outside clients' to the entry.
    edges: Vec<Edge>,
    /// True when some service makes calls (else the single-tier path runs).
    any_calls: bool,
    /// True when some edge has a network delay or may be partitioned: every
    /// attempt then goes through delivery and reply events.
    any_network: bool,
    /// True with more than one service (per-service counters are kept).
    multi: bool,
    /// True for a closed-loop population.
    closed_loop: bool,
    /// True when some service checks what a worker takes from its queue
    /// (deadlines, CoDel, LIFO): else every dequeue is a plain pop.
    any_dequeue_policy: bool,
    /// True when some service's nodes crash when they hold too much.
    any_memory_limit: bool,
    clients: Clients,
    series: Series,
    counts: [u64; Counter::COUNT],
    latency: LatencyHistogram,
    latency_this_second: LatencyHistogram,
    /// Service times of the attempts served this second, for
    /// `Series::server_p50_ms`.
    served_this_second: LatencyHistogram,
    waits: WaitStats,
    events: u64,
    completed_seconds: usize,
    halted: Option<Halt>,
    /// True once the last second's CPU account is closed.
    cpu_closed: bool,
    /// Faults fired while running ([`Simulation::fire_fault`]), numbered
    /// after the scripted ones.
    live_faults: Vec<crate::config::Fault>,
    /// True when some call edge has a client defence on (budget, throttle,
    /// adaptive throttling, breaker or hedging): else none of their hooks run.
    any_defences: bool,
    /// True when some call edge hedges.
    any_hedge: bool,
    /// True while none of the optional hooks is in force: traces, client
    /// defences, adaptive limits, rate limits and probes sent as requests.
    /// The event loop then runs its handlers with `H = false`, so their
    /// tests of those hooks compile away and the reference model pays
    /// nothing for mechanisms it does not use (see `Simulation::handle`).
    plain: bool,
    /// True once some service has sent probes as requests: a probe may
    /// still be queued or in service, so the loop can no longer be plain.
    probes_sent: bool,
    /// The adaptive throttles' draws.
    rng_defences: Stream,
    /// Hedged clients' original attempts.
    hedges: crate::hedge::Hedges,
    /// The sampled requests' recorder; `None` while traces are off.
    tracer: Option<Box<crate::trace::Tracer>>,
}

impl Simulation {
    /// Validates `config` and builds the simulation at time zero. Nothing is
    /// allocated before validation passes.
    pub fn new(config: Config) -> Result<Simulation, ConfigError> {
        config.validate()?;
        let seconds = config.seconds();
        let (tiers, nodes, edges) = build_system(&config);
        let mut sim = Simulation {
            now: 0,
            second: 0,
            end: secs_to_nanos(config.traffic.duration_s),
            seconds,
            queue: EventQueue::default(),
            rng_arrivals: Stream::new(config.seed, "arrivals"),
            rng_backoff: Stream::new(config.seed, "backoff"),
            rng_network: Stream::new(config.seed, "network"),
            rng_faults: Stream::new(config.seed, "faults"),
            traffic: Traffic::new(&config.traffic),
            any_calls: tiers.iter().any(|t| !t.calls.is_empty()),
            any_network: edges.iter().any(|e| e.network.is_some())
                || config.faults.iter().any(|f| f.kind == crate::config::FaultKind::Partition),
            multi: tiers.len() > 1,
            closed_loop: config.traffic.users > 0,
            any_dequeue_policy: false,
            any_memory_limit: false,
            nodes,
            tiers,
            edges,
            clients: Clients::default(),
            series: Series::new(seconds),
            counts: [0; Counter::COUNT],
            latency: LatencyHistogram::new(),
            latency_this_second: LatencyHistogram::new(),
            served_this_second: LatencyHistogram::new(),
            waits: WaitStats::default(),
            events: 0,
            completed_seconds: 0,
            halted: None,
            cpu_closed: false,
            live_faults: Vec::new(),
            any_defences: false,
            any_hedge: false,
            plain: false,
            probes_sent: false,
            rng_defences: Stream::new(config.seed, "defences"),
            hedges: Default::default(),
            tracer: None,
            config,
        };
        sim.tracer = sim.new_tracer();
        if config_tracks_node_states(&sim.config) {
            sim.series.node_states = Some(NodeStateSeries::new(seconds));
        }
        sim.series.cpu.shown = sim.config.uses_mechanisms();
        if sim.tiers.iter().any(|t| t.cfg.db.enabled) {
            sim.series.db = Some(DbSeries::new(seconds));
        }
        if sim.multi {
            for t in &mut sim.tiers {
                let series = Series::new(seconds);
                t.series = Some(Box::new(tier::TierSeries { series, latency_this_second: LatencyHistogram::new() }));
            }
        }
        sim.refresh_policy_flags();
        sim.queue.push(0, Event::Sample { second: 0 });
        sim.start_traffic();
        sim.schedule_faults();
        for t in 0..sim.tiers.len() {
            sim.start_probes(t as u32);
        }
        sim.start_server_defences();
        sim.refresh_policy_flags();
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
        // Only `new` and `reconfigure` change what is in force, so the
        // choice holds for the whole call.
        if self.plain {
            self.step_loop::<false>(t, max_events)
        } else {
            self.step_loop::<true>(t, max_events)
        }
    }

    /// The event loop of [`Simulation::step_until_budget`], with its
    /// handlers' optional hooks compiled in (`H`) or out.
    fn step_loop<const H: bool>(&mut self, t: SimTime, max_events: u64) -> bool {
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
            self.handle::<H>(event);
        }
        false
    }

    /// Runs to the end of the configured duration.
    pub fn run_to_end(&mut self) {
        self.step_until(SimTime(self.end));
    }

    /// The system now: nodes, counters, progress.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            now: SimTime(self.now),
            end: SimTime(self.end),
            nodes: self.shown_nodes().map(|n| n.snapshot(self.now)).collect(),
            totals: self.totals(),
            in_flight: self.clients.live() as u64,
            events_processed: self.events,
            completed_seconds: self.completed_seconds,
            halted: self.halted,
            routing_panic: self.tiers[0].routing.panic,
            db_queries: self.tiers[0].db.running(),
            cache_fresh: self.tiers[0].cache.is_fresh(self.now),
            cache_recomputing: self.tiers[0].cache.recomputing() as u32,
            cache_hit_rate: self.completed_seconds.checked_sub(1).and_then(|s| {
                let (hits, misses) = (self.series.cache_hits[s], self.series.cache_misses[s]);
                (hits + misses > 0).then(|| hits as f32 / (hits + misses) as f32)
            }),
            services: self.service_snapshots(),
            client_breaker: self.breaker_state(0),
        }
    }

    /// The nodes a snapshot shows, service by service: the serving ones
    /// and those being provisioned (all of them without an autoscaler).
    fn shown_nodes(&self) -> impl Iterator<Item = &Node> + '_ {
        self.tiers.iter().flat_map(|t| &self.nodes[t.first_node as usize..(t.first_node + t.shown_nodes()) as usize])
    }

    /// The engine's number of the node a snapshot numbers `shown`.
    fn engine_node(&self, shown: u32) -> Option<u32> {
        let mut before = 0;
        for t in &self.tiers {
            if shown < before + t.shown_nodes() {
                return Some(t.first_node + shown - before);
            }
            before += t.shown_nodes();
        }
        None
    }

    fn service_snapshots(&self) -> Vec<ServiceSnapshot> {
        let mut first_shown = 0;
        self.tiers
            .iter()
            .enumerate()
            .map(|(i, t)| ServiceSnapshot {
                name: t.cfg.name.clone(),
                first_node: {
                    first_shown += t.shown_nodes();
                    first_shown - t.shown_nodes()
                },
                node_count: t.shown_nodes(),
                pending_nodes: t.scaler.as_ref().map_or(0, |s| s.pending()),
                concurrency_limit: t.limits.as_ref().map(|l| l.mean(t.node_count)),
                calls: t
                    .calls
                    .iter()
                    .map(|&e| {
                        let edge = &self.edges[e as usize];
                        CallSnapshot {
                            partitioned: edge.partitioned,
                            breaker: self.breaker_state(e as usize),
                            ..edge.stats
                        }
                    })
                    .collect(),
                totals: totals_of(if i == 0 || !self.multi { &self.counts } else { &t.counts }, t.cache.refills),
                routing_panic: t.routing.panic,
            })
            .collect()
    }

    /// Service `index`'s own per-second series, in a system of several
    /// services (`None` for a single one: its series are the run's).
    pub fn service_series(&self, index: usize) -> Option<&Series> {
        self.tiers.get(index)?.series.as_ref().map(|s| &s.series)
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
        totals_of(&self.counts, self.tiers[0].cache.refills)
    }

    /// Latency of successful logical requests so far.
    pub fn latency(&self) -> LatencySummary {
        LatencySummary::of(&self.latency)
    }

    /// Queueing delay so far, beside Erlang C for the configured base load.
    pub fn queueing(&self) -> QueueingSummary {
        let n = &self.tiers[0].cfg.nodes;
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

    /// The sampled requests' traces kept so far (the most recent
    /// [`crate::trace::MAX_TRACES_KEPT`]), or `None` while traces are off
    /// (`traces.sample_per_s` is 0).
    pub fn traces(&self) -> Option<crate::trace::Traces> {
        self.tracer.as_ref().map(|t| t.traces(self.now))
    }

    fn new_tracer(&self) -> Option<Box<crate::trace::Tracer>> {
        let names = self.tiers.iter().map(|t| t.cfg.name.clone()).collect();
        let edges: Vec<_> = self.edges.iter().map(|e| (e.from, e.to)).collect();
        crate::trace::Tracer::new(&self.config.traces, self.config.seed, names, &edges)
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
            services: self.service_reports(),
        }
    }

    /// Per-service reports, in topology order, for a system of several
    /// services; `None` for a single one (its figures are the totals).
    fn service_reports(&self) -> Option<Vec<ServiceReport>> {
        if self.tiers.len() < 2 {
            return None;
        }
        // Callers before callees: the order a request goes down the system.
        let order = Topology::build(&self.config.system()).map(|t| t.order).unwrap_or_default();
        let reports = order
            .into_iter()
            .map(|i| {
                let t = &self.tiers[i];
                ServiceReport {
                    name: t.cfg.name.clone(),
                    // The entry's counts are the run's: the outside clients' view.
                    totals: totals_of(if i == 0 { &self.counts } else { &t.counts }, t.cache.refills),
                    latency_success: LatencySummary::of(&t.latency),
                }
            })
            .collect();
        Some(reports)
    }

    /// Moves the clock, and with it the per-second bucket that counters
    /// land in (computed once here rather than at each of the several
    /// counts an event makes).
    #[inline(always)]
    fn set_now(&mut self, now: u64) {
        debug_assert!(now >= self.now, "time went back from {} to {now}", self.now);
        self.now = now;
        self.second = ((now / NANOS_PER_SEC) as usize).min(self.seconds - 1);
    }

    /// The per-second bucket of the current instant, clamped to the last one.
    #[inline(always)]
    fn current_second(&self) -> usize {
        self.second
    }

    /// Counts `counter` for the whole run (the outside clients' view: the
    /// entry service's), in its per-second series.
    #[inline]
    fn count(&mut self, counter: Counter) {
        let sec = self.current_second();
        self.series.bump(counter, sec);
        self.counts[counter as usize] += 1;
    }

    /// Counts `counter` at service `tier`; at the entry it is also the
    /// run's count. Counts at other services exist only in a system of
    /// several services.
    #[inline(always)]
    fn count_at(&mut self, tier: u32, counter: Counter) {
        if tier == 0 {
            self.count(counter);
        }
        if self.multi {
            let sec = self.current_second();
            let t = &mut self.tiers[tier as usize];
            t.counts[counter as usize] += 1;
            if let Some(s) = t.series.as_mut() {
                s.series.bump(counter, sec);
            }
        }
    }

    /// Notes what became of an attempt on call edge `edge` (several
    /// services only): `what` picks the counter.
    #[inline]
    fn note_edge(&mut self, edge: u32, what: fn(&mut crate::snapshot::CallSnapshot) -> &mut u64) {
        if self.multi {
            *what(&mut self.edges[edge as usize].stats) += 1;
        }
    }

    /// Recomputes the flags that let the common case skip per-service
    /// policy lookups.
    fn refresh_policy_flags(&mut self) {
        self.any_dequeue_policy = self.tiers.iter().any(|t| t.policy.acts_at_dequeue);
        self.any_memory_limit = self.tiers.iter().any(|t| t.policy.max_held != u64::MAX);
        self.any_defences = self.edges.iter().any(|e| e.defences.is_some());
        self.any_hedge = self.edges.iter().any(|e| e.hedges());
        self.probes_sent |= self
            .tiers
            .iter()
            .any(|t| t.cfg.health.enabled && t.cfg.health.probe_mode == crate::config::ProbeMode::Request);
        self.plain = !self.any_defences
            && !self.any_hedge
            && !self.probes_sent
            && self.tracer.is_none()
            && self.tiers.iter().all(|t| t.limits.is_none() && t.bucket.is_none());
    }

    /// The service node `node` belongs to.
    #[inline(always)]
    fn tier_of(&self, node: u32) -> u32 {
        self.nodes[node as usize].tier
    }

    /// Runs one event's handler. `H` is false only while the run is
    /// plain (the field `plain`): the handlers on the common path are
    /// generic over it and test their optional hooks as `H && …`, which
    /// the compiler removes from the `H = false` copy. Rarer handlers
    /// (faults, probes, the autoscaler, hedges, the CPU and database
    /// models) call them with `H = true`, whose tests are today's.
    #[inline(always)]
    fn handle<const H: bool>(&mut self, event: Event) {
        debug_assert!(H || self.plain, "the plain loop ran with a hook in force");
        match event {
            Event::Arrival => self.on_arrival::<H>(),
            Event::ServiceDone { job } => self.on_service_done::<H>(job),
            Event::SharedDone { node, epoch } => self.on_shared_done(node, epoch),
            Event::DbDone { tier, epoch } => self.on_db_done(tier, epoch),
            Event::PoolTimeout { job } => self.on_pool_timeout(job),
            Event::Timeout { client, token } => self.on_timeout::<H>(client, token),
            Event::RetryWake { client } => self.send_attempt::<H>(client),
            Event::Deliver { client, token, tier } => self.on_deliver::<H>(client, token, tier),
            Event::Reply { client, token, ok } => self.on_reply::<H>(client, token, ok),
            Event::UserWake => self.on_user_wake::<H>(),
            Event::Sample { second } => self.on_sample(second as usize),
            Event::Probe { node } => self.on_probe(node),
            Event::Restart { node } => self.on_restart(node),
            Event::Fault { index } => self.on_fault(index as usize),
            Event::FaultEnd { index } => self.on_fault_end(index as usize),
            Event::Hedge { client, token } => self.on_hedge(client, token),
            Event::ProbeTimeout { node, token } => self.on_probe_timeout(node, token),
            Event::Scale { tier } => self.on_scale(tier),
            Event::Provisioned { tier } => self.on_provisioned(tier),
        }
    }
}

/// The services, their nodes and the call edges of `config`.
fn build_system(config: &Config) -> (Vec<Tier>, Vec<Node>, Vec<Edge>) {
    let services = config.system();
    let topology = Topology::build(&services).expect("validated");
    let mut tiers = Vec::with_capacity(services.len());
    let mut nodes = Vec::new();
    let mut edges = vec![Edge::new(&config.client, u32::MAX, 0)];
    for (i, s) in services.iter().enumerate() {
        let n = &s.nodes;
        let first = nodes.len() as u32;
        nodes.extend((0..n.count).map(|k| Node::new(n, k < n.slow_count, i as u32)));
        nodes.extend((n.count..tier::node_slots(s)).map(|_| scaling::spare_node(n, i as u32)));
        tiers.push(Tier::new(s.clone(), i, first, config.seed, 0));
    }
    for (i, s) in services.iter().enumerate() {
        for (k, call) in s.calls.iter().enumerate() {
            let to = topology.calls[i][k] as u32;
            tiers[i].calls.push(edges.len() as u32);
            edges.push(Edge::new(&call.client, i as u32, to));
        }
    }
    mark_deadline_drops(&mut tiers, &edges);
    (tiers, nodes, edges)
}

/// A service that some caller passes its deadline to drops queued work
/// whose deadline has passed; one that some caller hedges to drops queued
/// work its client cancelled (took the other attempt's answer), as a gRPC
/// server drops a cancelled call.
fn mark_deadline_drops(tiers: &mut [Tier], edges: &[Edge]) {
    for e in edges.iter().filter(|e| e.propagate || e.hedges()) {
        let p = &mut tiers[e.to as usize].policy;
        p.drop_past_deadline = true;
        p.acts_at_dequeue = true;
    }
}

/// Totals from a counter array (and the cache's refill count), with the
/// derived figures.
fn totals_of(counts: &[u64; Counter::COUNT], refills: u64) -> Totals {
    let mut t = Totals::from_counts(counts);
    t.wasted = t.throughput.saturating_sub(t.goodput);
    t.unresolved_at_end = t.offered.saturating_sub(t.goodput + t.failed);
    t.refills = refills;
    t
}

/// True when the run's series should count nodes by lifecycle state.
fn config_tracks_node_states(c: &Config) -> bool {
    c.system().iter().any(|s| s.crash.enabled || s.health.enabled) || !c.faults.is_empty()
}
