//! Small, cheap views of a running simulation for the UI.

use crate::metrics::Totals;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// What a node is doing, for colouring it. The UI must also show a label or
/// icon, never colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeState {
    /// No attempt in service.
    Idle,
    /// Some workers busy, none waiting.
    Busy,
    /// Every worker busy, or attempts waiting.
    Saturated,
    /// Turned an attempt away with a 503 in the last simulated second.
    Shedding,
    /// Restarted recently and serving below full speed.
    Warming,
    /// Taken out of rotation by the balancer's health checks.
    Ejected,
    /// Down after a crash, restarting.
    Crashed,
}

impl NodeState {
    /// A short word for labels and legends.
    pub fn label(self) -> &'static str {
        match self {
            NodeState::Idle => "idle",
            NodeState::Busy => "busy",
            NodeState::Saturated => "saturated",
            NodeState::Shedding => "shedding 503s",
            NodeState::Warming => "warming up",
            NodeState::Ejected => "ejected",
            NodeState::Crashed => "crashed",
        }
    }
}

/// Where a node is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeLife {
    /// Serving at full speed.
    Up,
    /// Restarted and serving below full speed.
    Warming,
    /// Down; restarts after `crash.restart_s`.
    Crashed,
}

/// One node at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NodeSnapshot {
    /// Workers serving an attempt.
    pub busy: u32,
    /// Worker pool size.
    pub workers: u32,
    /// Attempts waiting (not in service).
    pub queued: u32,
    /// Waiting-room capacity.
    pub queue_capacity: u32,
    /// Load state, for colour and label.
    pub state: NodeState,
    /// Attempts served since the start (timed out or not).
    pub served: u64,
    /// Attempts rejected with a 503 since the start.
    pub rejected: u64,
    /// Lifecycle stage.
    pub life: NodeLife,
    /// Progress through a restart or warm-up, 0 to 1; `None` when up.
    pub progress: Option<f32>,
    /// True while the balancer's health checks keep it out of rotation.
    pub ejected: bool,
    /// Crashes since the start.
    pub crashes: u64,
    /// Full speed relative to a normal node (below 1 for a slow node).
    pub speed: f32,
    /// Database connections in use (database model only).
    pub pool_in_use: u32,
    /// Attempts waiting for a connection.
    pub pool_waiting: u32,
    /// Where its CPU went in the last whole simulated second.
    pub cpu: CpuBreakdown,
}

/// CPU use over one simulated second, in cores (core-seconds per second).
/// Work is booked when an attempt completes; switching as it happens.
/// Without the CPU model, "cores" are workers: busy worker time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuBreakdown {
    /// Serving attempts whose client still waited.
    pub useful: f32,
    /// Serving attempts whose client had given up.
    pub wasted: f32,
    /// Context switching (CPU model only).
    pub switching: f32,
}

/// Why a run stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Halt {
    /// [`crate::config::MAX_EVENTS_PER_RUN`] events were processed.
    EventCap,
}

/// One service of the system at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSnapshot {
    /// Its name.
    pub name: String,
    /// Index of its first node in [`Snapshot::nodes`].
    pub first_node: u32,
    /// Its nodes: `nodes[first_node .. first_node + node_count]`.
    pub node_count: u32,
    /// The calls its requests make, in order.
    pub calls: Vec<CallSnapshot>,
    /// Cumulative counters at this service (the run's totals for the entry).
    pub totals: Totals,
    /// True while its balancer is in panic mode.
    pub routing_panic: bool,
    /// Of its nodes, those the autoscaler is provisioning (the last ones
    /// shown); they serve once ready.
    #[serde(default)]
    pub pending_nodes: u32,
    /// Mean adaptive concurrency limit of its serving nodes, attempts
    /// (`None` without `limiter.adaptive`).
    #[serde(default)]
    pub concurrency_limit: Option<f64>,
}

/// One call edge at one instant: cumulative attempts on it and how they
/// ended, so that a view can animate the traffic on the edge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallSnapshot {
    /// Index of the service called in [`Snapshot::services`].
    pub to: u32,
    /// Attempts sent on the edge.
    pub sent: u64,
    /// Attempts answered in time with a success.
    pub ok: u64,
    /// Attempts that failed (a 503, an error, a refused connection).
    pub failed: u64,
    /// Attempts the caller stopped waiting for.
    pub timed_out: u64,
    /// Retries sent on the edge (attempts after the first of each call).
    pub retried: u64,
    /// True while a partition fault drops everything sent on it.
    pub partitioned: bool,
    /// Attempts its caller refused locally (adaptive throttling or an open
    /// circuit breaker): never sent.
    pub refused: u64,
    /// Retries (and hedges) not sent because the retry budget or gRPC
    /// retry throttling forbade them.
    pub suppressed: u64,
    /// Hedged attempts sent on it.
    pub hedged: u64,
    /// Its circuit breaker's state (closed without one).
    pub breaker: crate::breaker::BreakerState,
}

/// The whole system at one instant. Taking one allocates a vector of one small
/// struct per node; series are read through [`crate::Simulation::series`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Current simulated time.
    pub now: SimTime,
    /// When arrivals stop (the run's duration).
    pub end: SimTime,
    /// Every node, in balancer order.
    pub nodes: Vec<NodeSnapshot>,
    /// Cumulative counters since the start.
    pub totals: Totals,
    /// Logical requests sent and not yet resolved (succeeded or failed).
    pub in_flight: u64,
    /// Events processed since the start.
    pub events_processed: u64,
    /// Whole seconds whose per-second series rows are final.
    pub completed_seconds: usize,
    /// Set when the run stopped early.
    pub halted: Option<Halt>,
    /// True while too few nodes are healthy and the balancer routes to all
    /// of them (panic mode).
    pub routing_panic: bool,
    /// Queries running at the database.
    pub db_queries: u32,
    /// True while the cached hot key is fresh.
    pub cache_fresh: bool,
    /// Recomputations of the hot key in flight.
    pub cache_recomputing: u32,
    /// Share of hot-key reads that hit in the last whole second; `None`
    /// without reads (or without the cache).
    pub cache_hit_rate: Option<f32>,
    /// The services, the entry first, each with its nodes' range and its
    /// calls (one service for a single-tier scenario).
    pub services: Vec<ServiceSnapshot>,
    /// The state of the outside clients' circuit breaker (`client.breaker`;
    /// closed without one).
    pub client_breaker: crate::breaker::BreakerState,
}
