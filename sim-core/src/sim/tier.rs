//! What the engine keeps per service (a tier of nodes behind one balancer)
//! and per call edge, derived from the configuration once so that handlers
//! read policies, not raw settings.

use crate::autoscaler::Autoscaler;
use crate::balancer::LoadBalancer;
use crate::cache::Cache;
use crate::config::{CallMode, ClientConfig, ServiceConfig};
use crate::db::{Database, WaitAccount};
use crate::keyed_cache::KeyedReads;
use crate::limiter::TierLimits;
use crate::metrics::{Counter, LatencyHistogram, Series};
use crate::node::JobRef;
use crate::node::ServiceModel;
use crate::policy::{NodePolicy, Routing};
use crate::rate_limit::TokenBucket;
use crate::retry::RetryPolicy;
use crate::rng::Stream;
use crate::snapshot::CallSnapshot;
use crate::time::secs_to_nanos;

/// Node slots a service has: room for its autoscaler's maximum, whether
/// the autoscaler is on or not, so that it can be switched on mid-run
/// (a free slot is a small struct that nothing visits on the hot path).
pub(crate) fn node_slots(cfg: &ServiceConfig) -> u32 {
    cfg.autoscaler.max_nodes.max(cfg.nodes.count)
}

/// One service's balancer, policies, dependencies and counters. Its nodes
/// are `first_node .. first_node + node_count` of the engine's node list.
#[derive(Debug)]
pub(crate) struct Tier {
    pub cfg: ServiceConfig,
    pub first_node: u32,
    pub node_count: u32,
    pub balancer: LoadBalancer,
    pub routing: Routing,
    pub service: ServiceModel,
    pub policy: NodePolicy,
    pub probes_running: bool,
    pub db: Database,
    pub db_waits: WaitAccount,
    pub cache: Cache,
    /// Call edges its requests make, in order (indices into the edges).
    pub calls: Vec<u32>,
    pub parallel: bool,
    /// Random streams of its own, so that one service's draws never shift
    /// another's (the entry's keep the reference model's stream names).
    pub rng_service: Stream,
    pub rng_balancer: Stream,
    pub rng_database: Stream,
    pub rng_cache: Stream,
    /// Counters at this service (kept only in a system of several).
    pub counts: [u64; Counter::COUNT],
    /// Latency of the calls to it that succeeded (several services only).
    pub latency: LatencyHistogram,
    /// Service-time multiplier of a latency-spike fault in force.
    pub fault_slowdown: f64,
    /// Share of attempts an error-injection fault fails at once.
    pub fault_error_share: f64,
    /// The keyed cache, when `cache.keys > 0`.
    pub keyed: Option<KeyedReads>,
    /// Its own per-second series (several services only).
    pub series: Option<Box<TierSeries>>,
    /// Node slots it has: `node_count` serving, then those being
    /// provisioned and those free or draining (`autoscaler.max_nodes` with
    /// the autoscaler on, else `node_count`).
    pub slots: u32,
    /// Its nodes' adaptive concurrency limits, when `limiter.adaptive`.
    pub limits: Option<Box<TierLimits>>,
    /// Its rate limiter, when `rate_limit.enabled`.
    pub bucket: Option<TokenBucket>,
    /// Its autoscaler, when `autoscaler.enabled`.
    pub scaler: Option<Box<Autoscaler>>,
}

/// A service's own per-second series and the latencies of its current second.
#[derive(Debug)]
pub(crate) struct TierSeries {
    pub series: Series,
    pub latency_this_second: LatencyHistogram,
}

impl Tier {
    pub fn new(cfg: ServiceConfig, index: usize, first_node: u32, seed: u64, now: u64) -> Tier {
        let name = |concern: &str| {
            if index == 0 {
                concern.to_string()
            } else {
                format!("{concern}.{}", cfg.name)
            }
        };
        Tier {
            first_node,
            node_count: cfg.nodes.count,
            balancer: LoadBalancer::new(cfg.balancer.policy),
            routing: Routing::all(cfg.nodes.count, cfg.health.panic_threshold),
            service: ServiceModel::new(&cfg.nodes),
            policy: NodePolicy::for_service(&cfg),
            probes_running: false,
            db: Database::default(),
            db_waits: WaitAccount::default(),
            cache: Cache::new(&cfg.cache, now),
            calls: Vec::new(),
            parallel: cfg.call_mode == CallMode::Parallel,
            rng_service: Stream::new(seed, &name("service")),
            rng_balancer: Stream::new(seed, &name("balancer")),
            rng_database: Stream::new(seed, &name("database")),
            rng_cache: Stream::new(seed, &name("cache")),
            counts: [0; Counter::COUNT],
            latency: LatencyHistogram::new(),
            fault_slowdown: 1.0,
            fault_error_share: 0.0,
            keyed: (cfg.cache.keys > 0).then(|| {
                let c = &cfg.cache;
                KeyedReads::new(c.keys, c.zipf_s, c.capacity, secs_to_nanos(c.ttl_s))
            }),
            series: None,
            slots: node_slots(&cfg),
            limits: cfg.limiter.adaptive.then(|| Box::new(TierLimits::new(&cfg.limiter, node_slots(&cfg)))),
            bucket: cfg.rate_limit.enabled.then(|| TokenBucket::new(&cfg.rate_limit, now)),
            scaler: cfg.autoscaler.enabled.then(Box::default),
            cfg,
        }
    }

    /// Nodes shown (serving and provisioning): the service's nodes in
    /// snapshots and node-state counts.
    #[inline]
    pub fn shown_nodes(&self) -> u32 {
        self.node_count + self.scaler.as_ref().map_or(0, |s| s.pending())
    }

    /// Forgets the recomputations of jobs for which `gone` holds (their node
    /// crashed, or they failed); true when the hot key lost one (its joined
    /// readers then read again).
    pub fn abandon_regen(&mut self, gone: impl Fn(JobRef) -> bool + Copy) -> bool {
        if let Some(k) = self.keyed.as_mut() {
            k.abandon(gone);
        }
        self.cache.abandon(gone)
    }

    /// The global index of local node `i`.
    #[inline]
    pub fn node(&self, i: u32) -> u32 {
        self.first_node + i
    }
}

/// A call edge's client policy in engine units: the outside clients to the
/// entry (edge 0), or a service to the one it calls.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Edge {
    /// The service called.
    pub to: u32,
    /// The calling service (`u32::MAX` for the outside clients).
    pub from: u32,
    pub retry: RetryPolicy,
    pub timeout_ns: u64,
    /// One-way network delay: a constant, and the mean of an exponential
    /// part, ns; `None` when both are zero (then no event is added).
    pub network: Option<(u64, f64)>,
    /// Pass the caller's remaining deadline downstream.
    pub propagate: bool,
    /// A partition fault drops everything sent on it.
    pub partitioned: bool,
    /// What happened to the attempts sent on it (a system of several
    /// services only); `to` and `partitioned` are kept up to date here.
    pub stats: CallSnapshot,
    /// Its client defences with their state; `None` when all are off.
    pub defences: Option<Box<super::defences::Defences>>,
}

impl Edge {
    pub fn new(c: &ClientConfig, from: u32, to: u32) -> Edge {
        let network = (c.network_ms > 0.0 || c.network_jitter_ms > 0.0)
            .then(|| (secs_to_nanos(c.network_ms / 1000.0), c.network_jitter_ms / 1000.0));
        Edge {
            to,
            from,
            retry: RetryPolicy::new(c),
            timeout_ns: secs_to_nanos(c.timeout_s),
            network,
            propagate: c.propagate_deadline,
            partitioned: false,
            stats: CallSnapshot { to, ..CallSnapshot::default() },
            defences: super::defences::Defences::new(c),
        }
    }

    /// True when it sends hedged requests.
    pub fn hedges(&self) -> bool {
        self.defences.as_ref().is_some_and(|d| d.hedge_ns.is_some())
    }

    /// Applies a changed policy, keeping the partition state.
    pub fn update(&mut self, c: &ClientConfig) {
        let (partitioned, stats) = (self.partitioned, self.stats);
        let defences = super::defences::Defences::updated(self.defences.take(), c);
        *self = Edge { partitioned, stats, defences, ..Edge::new(c, self.from, self.to) };
    }
}
