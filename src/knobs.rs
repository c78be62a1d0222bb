//! The catalogue of numeric knobs: what each one changes in [`Config`], its
//! range in the app (a sensible subset of `sim_core::config::limits`), its
//! slider scale, unit, URL parameter and the one-sentence tooltip.

use crate::format::round_sig;
use sim_core::catalogue::{self, Apply};
use sim_core::Config;

/// A numeric knob. Selects (retry policy, balancer policy) and the seed are
/// handled separately because they are not numbers on a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KnobId {
    /// `traffic.rate_per_s`.
    Rate,
    /// `traffic.spike_mult`.
    SpikeMult,
    /// `traffic.spike_start_s`.
    SpikeStart,
    /// `traffic.spike_end_s − traffic.spike_start_s`.
    SpikeDuration,
    /// `client.timeout_s`.
    Timeout,
    /// `client.attempts`.
    Attempts,
    /// `client.backoff_base_ms`.
    BackoffBase,
    /// `client.backoff_cap_ms`.
    BackoffCap,
    /// `nodes.count` (restart).
    Nodes,
    /// `nodes.workers`.
    Workers,
    /// `nodes.service_ms_mean`.
    ServiceMs,
    /// `nodes.queue_capacity`.
    QueueCapacity,
    /// `nodes.slow_count`.
    SlowCount,
    /// `nodes.slow_factor`.
    SlowFactor,
    /// `crash.memory_limit_mb`.
    MemoryLimit,
    /// `crash.request_kb`.
    RequestMemory,
    /// `crash.restart_s`.
    RestartTime,
    /// `crash.warmup_s`.
    WarmupTime,
    /// `crash.warmup_capacity`, shown as a percentage.
    WarmupCapacity,
    /// `health.interval_ms`.
    ProbeInterval,
    /// `health.probe_timeout_ms`.
    ProbeTimeout,
    /// `health.unhealthy_after`.
    UnhealthyAfter,
    /// `health.healthy_after`.
    HealthyAfter,
    /// `health.panic_threshold`, shown as a percentage.
    PanicThreshold,
    /// `shedding.deadline_margin_ms`.
    DeadlineMargin,
    /// `shedding.codel_target_ms`.
    CodelTarget,
    /// `shedding.codel_interval_ms`.
    CodelInterval,
    /// `shedding.lifo_above`.
    LifoAbove,
    /// `shedding.concurrency_limit`.
    ConcurrencyLimit,
    /// `cpu.service_ms_per_inflight`.
    PerInflight,
    /// `cpu.cores`.
    Cores,
    /// `cpu.switch_overhead`, shown as a percentage.
    SwitchOverhead,
    /// `db.pool_size`.
    PoolSize,
    /// `db.acquire_timeout_ms`.
    AcquireTimeout,
    /// `db.query_ms_mean`.
    QueryMs,
    /// `db.cores`.
    DbCores,
    /// `db.serial_fraction`, shown as a percentage.
    SerialFraction,
    /// `db.crosstalk`, shown as a percentage.
    Crosstalk,
    /// `cache.hot_share`, shown as a percentage.
    HotShare,
    /// `cache.ttl_s`.
    Ttl,
    /// `cache.recompute_ms`.
    RecomputeMs,
    /// `cache.early_beta`.
    EarlyBeta,
}

/// An on/off switch for one failure or protection mechanism. The knobs it
/// gates are drawn beneath it and dimmed while it is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToggleId {
    /// `crash.enabled`.
    Crash,
    /// `health.enabled`.
    Health,
    /// `shedding.drop_expired`.
    DropExpired,
    /// `shedding.codel`.
    Codel,
    /// `shedding.adaptive_lifo`.
    AdaptiveLifo,
    /// `shedding.limit_concurrency`.
    LimitConcurrency,
    /// `cpu.enabled`.
    Cpu,
    /// `db.enabled`.
    Db,
    /// `cache.enabled`.
    Cache,
    /// `cache.coalesce`.
    Coalesce,
    /// `cache.early_refresh`.
    EarlyRefresh,
}

/// Static description of one toggle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Toggle {
    /// Which toggle.
    pub id: ToggleId,
    /// Heading it sits under.
    pub group: Group,
    /// Short text beside the checkbox.
    pub label: &'static str,
    /// Query-string parameter name (`on`/`off`; a bare name means on).
    pub param: &'static str,
    /// Dotted config field.
    pub field: &'static str,
    /// One sentence on what switching it on does to the system.
    pub tip: &'static str,
    /// The toggle this one refines, if any: it is drawn inside that
    /// toggle's block and dimmed while that toggle is off.
    pub gate: Option<ToggleId>,
}

/// Every toggle, in display order within its group; each one is drawn just
/// before the first knob it gates.
pub const TOGGLES: [Toggle; 11] = [
    Toggle {
        id: ToggleId::Health,
        group: Group::Balancer,
        label: "Health checks",
        param: "health",
        field: "health.enabled",
        tip: "The balancer probes every node and stops sending to one that fails its probes in a row, until it passes again.",
        gate: None,
    },
    Toggle {
        id: ToggleId::Crash,
        group: Group::Failures,
        label: "Crash when memory runs out",
        param: "crash",
        field: "crash.enabled",
        tip: "A node holding more attempts than its memory allows dies, losing every attempt it holds, and restarts after the restart time.",
        gate: None,
    },
    Toggle {
        id: ToggleId::DropExpired,
        group: Group::Shedding,
        label: "Drop expired requests",
        param: "drop_expired",
        field: "shedding.drop_expired",
        tip: "A worker skips a queued attempt whose client deadline is too close to finish in time, instead of serving it for nobody.",
        gate: None,
    },
    Toggle {
        id: ToggleId::Codel,
        group: Group::Shedding,
        label: "CoDel",
        param: "codel",
        field: "shedding.codel",
        tip: "Under a standing queue, attempts that waited longer than the target are answered with a 503 when they reach the head.",
        gate: None,
    },
    Toggle {
        id: ToggleId::AdaptiveLifo,
        group: Group::Shedding,
        label: "Adaptive LIFO",
        param: "lifo",
        field: "shedding.adaptive_lifo",
        tip: "While the queue is long, the newest attempt is served first, so fresh requests meet their deadlines while old ones wait.",
        gate: None,
    },
    Toggle {
        id: ToggleId::LimitConcurrency,
        group: Group::Shedding,
        label: "Concurrency limit",
        param: "limit_concurrency",
        field: "shedding.limit_concurrency",
        tip: "A node refuses with a 503 any attempt beyond a fixed number in service and queued together.",
        gate: None,
    },
    Toggle {
        id: ToggleId::Cpu,
        group: Group::Cpu,
        label: "Share cores (context switching)",
        param: "cpu",
        field: "cpu.enabled",
        tip: "A node's busy workers share its few cores, and every runnable thread beyond the cores costs switching time, so a pool far larger than the cores serves less.",
        gate: None,
    },
    Toggle {
        id: ToggleId::Db,
        group: Group::Dependencies,
        label: "Shared database",
        param: "db",
        field: "db.enabled",
        tip: "Every attempt takes a connection from its node's pool and runs a query at one database shared by all nodes, which slows down as more queries run at once.",
        gate: None,
    },
    Toggle {
        id: ToggleId::Cache,
        group: Group::Dependencies,
        label: "Cached hot key",
        param: "cache",
        field: "cache.enabled",
        tip: "A share of requests read one hot key that expires after its TTL; every read that finds it expired recomputes it, so an expiry sets off a stampede.",
        gate: None,
    },
    Toggle {
        id: ToggleId::Coalesce,
        group: Group::Dependencies,
        label: "Coalesce misses",
        param: "coalesce",
        field: "cache.coalesce",
        tip: "Reads that miss while the key is being recomputed wait for that one recomputation instead of starting their own.",
        gate: Some(ToggleId::Cache),
    },
    Toggle {
        id: ToggleId::EarlyRefresh,
        group: Group::Dependencies,
        label: "Early refresh (XFetch)",
        param: "early_refresh",
        field: "cache.early_refresh",
        tip: "Each read of a fresh key recomputes it early with a chance that rises towards the expiry, so one reader refreshes it before it expires.",
        gate: Some(ToggleId::Cache),
    },
];

impl ToggleId {
    /// The toggle's static description.
    pub fn toggle(self) -> &'static Toggle {
        TOGGLES.iter().find(|t| t.id == self).expect("every ToggleId has an entry in TOGGLES")
    }

    /// Whether the mechanism is on in `c`.
    pub fn get(self, c: &Config) -> bool {
        match self {
            ToggleId::Crash => c.crash.enabled,
            ToggleId::Health => c.health.enabled,
            ToggleId::DropExpired => c.shedding.drop_expired,
            ToggleId::Codel => c.shedding.codel,
            ToggleId::AdaptiveLifo => c.shedding.adaptive_lifo,
            ToggleId::LimitConcurrency => c.shedding.limit_concurrency,
            ToggleId::Cpu => c.cpu.enabled,
            ToggleId::Db => c.db.enabled,
            ToggleId::Cache => c.cache.enabled,
            ToggleId::Coalesce => c.cache.coalesce,
            ToggleId::EarlyRefresh => c.cache.early_refresh,
        }
    }

    /// Switches the mechanism on or off in `c`.
    pub fn set(self, c: &mut Config, on: bool) {
        match self {
            ToggleId::Crash => c.crash.enabled = on,
            ToggleId::Health => c.health.enabled = on,
            ToggleId::DropExpired => c.shedding.drop_expired = on,
            ToggleId::Codel => c.shedding.codel = on,
            ToggleId::AdaptiveLifo => c.shedding.adaptive_lifo = on,
            ToggleId::LimitConcurrency => c.shedding.limit_concurrency = on,
            ToggleId::Cpu => c.cpu.enabled = on,
            ToggleId::Db => c.db.enabled = on,
            ToggleId::Cache => c.cache.enabled = on,
            ToggleId::Coalesce => c.cache.coalesce = on,
            ToggleId::EarlyRefresh => c.cache.early_refresh = on,
        }
    }

    /// Finds a toggle by its URL parameter name.
    pub fn from_param(name: &str) -> Option<ToggleId> {
        TOGGLES.iter().find(|t| t.param == name).map(|t| t.id)
    }
}

/// Headings of the knob panel, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Arrivals and the spike.
    Traffic,
    /// Timeouts and retries.
    Clients,
    /// Balancer policy, node count and health checks.
    Balancer,
    /// Worker pool, service time and slow nodes.
    Nodes,
    /// Cores shared by the workers, and load-dependent latency.
    Cpu,
    /// Crashes on memory exhaustion, restarts and warm-up.
    Failures,
    /// The waiting room and the queue policies that decide what is shed.
    Shedding,
    /// What the nodes call: a shared database and a cached hot key.
    Dependencies,
}

impl Group {
    /// Every group in display order.
    pub const ALL: [Group; 8] = [
        Group::Traffic,
        Group::Clients,
        Group::Balancer,
        Group::Nodes,
        Group::Cpu,
        Group::Failures,
        Group::Shedding,
        Group::Dependencies,
    ];

    /// Heading text.
    pub fn title(self) -> &'static str {
        match self {
            Group::Traffic => "Traffic",
            Group::Clients => "Clients",
            Group::Balancer => "Balancer",
            Group::Nodes => "Nodes",
            Group::Failures => "Failures",
            Group::Shedding => "Shedding",
            Group::Cpu => "CPU",
            Group::Dependencies => "Dependencies",
        }
    }
}

/// How slider positions map to values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Evenly spaced values `step` apart.
    Linear { step: f64 },
    /// Logarithmic between `floor` (the smallest positive value) and the
    /// maximum; position 0 is the knob's minimum, which may be 0.
    Log { floor: f64 },
}

/// Slider positions of a log knob run from 0 to this.
pub const LOG_POSITIONS: f64 = 1000.0;

/// Static description of one knob.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knob {
    /// Which knob.
    pub id: KnobId,
    /// Heading it sits under.
    pub group: Group,
    /// Short name shown beside the slider.
    pub label: &'static str,
    /// Query-string parameter name.
    pub param: &'static str,
    /// Dotted config field, as `ConfigError::field` and `RESTART_FIELDS` name it.
    pub field: &'static str,
    /// Unit shown after the value.
    pub unit: &'static str,
    /// One sentence on what the knob does to the system.
    pub tip: &'static str,
    /// Smallest value in the app.
    pub min: f64,
    /// Largest value in the app.
    pub max: f64,
    /// Slider scale.
    pub scale: Scale,
    /// True when the value is a whole number.
    pub integer: bool,
    /// The toggle that switches its mechanism on, if any: while it is off
    /// the knob has no effect and is drawn dimmed.
    pub gate: Option<ToggleId>,
}

/// Every numeric knob, in display order within its group.
pub const KNOBS: [Knob; 42] = [
    Knob {
        id: KnobId::Rate,
        group: Group::Traffic,
        label: "Arrival rate",
        param: "rate",
        field: "traffic.rate_per_s",
        unit: "req/s",
        tip: "New requests per second from all clients; above the nodes' total capacity, queues fill and latency climbs.",
        min: 0.0,
        max: 50_000.0,
        scale: Scale::Log { floor: 10.0 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::SpikeMult,
        group: Group::Traffic,
        label: "Spike ×",
        param: "spike",
        field: "traffic.spike_mult",
        unit: "×",
        tip: "Multiplies the arrival rate during the spike window; 1 means no spike.",
        min: 1.0,
        max: 20.0,
        scale: Scale::Linear { step: 0.5 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::SpikeStart,
        group: Group::Traffic,
        label: "Spike start",
        param: "spike_start",
        field: "traffic.spike_start_s",
        unit: "s",
        tip: "Simulated time at which the spike begins, counted from the start of the run.",
        min: 0.0,
        max: 3600.0,
        scale: Scale::Linear { step: 1.0 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::SpikeDuration,
        group: Group::Traffic,
        label: "Spike length",
        param: "spike_length",
        field: "traffic.spike_end_s",
        unit: "s",
        tip: "How long the spike lasts; its extra load arrives whether or not the nodes keep up.",
        min: 0.0,
        max: 600.0,
        scale: Scale::Linear { step: 1.0 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::Timeout,
        group: Group::Clients,
        label: "Client timeout",
        param: "timeout",
        field: "client.timeout_s",
        unit: "s",
        tip: "How long a client waits for one attempt before giving up on it; the server never learns and still does the work.",
        min: 0.01,
        max: 60.0,
        scale: Scale::Log { floor: 0.01 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::Attempts,
        group: Group::Clients,
        label: "Max attempts",
        param: "attempts",
        field: "client.attempts",
        unit: "tries",
        tip: "Tries per request, the first one included; every retry is extra load arriving exactly when the system struggles.",
        min: 1.0,
        max: 10.0,
        scale: Scale::Linear { step: 1.0 },
        integer: true,
        gate: None,
    },
    Knob {
        id: KnobId::BackoffBase,
        group: Group::Clients,
        label: "Backoff base",
        param: "backoff_base",
        field: "client.backoff_base_ms",
        unit: "ms",
        tip: "The first wait before a retry; exponential policies double it on each further retry.",
        min: 1.0,
        max: 10_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::BackoffCap,
        group: Group::Clients,
        label: "Backoff cap",
        param: "backoff_cap",
        field: "client.backoff_cap_ms",
        unit: "ms",
        tip: "The longest a client ever waits between two attempts, whatever the policy computes.",
        min: 1.0,
        max: 60_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::Nodes,
        group: Group::Balancer,
        label: "Nodes",
        param: "nodes",
        field: "nodes.count",
        unit: "nodes",
        tip: "Servers behind the balancer; total capacity grows with their number (applies on reset).",
        min: 1.0,
        max: 32.0,
        scale: Scale::Linear { step: 1.0 },
        integer: true,
        gate: None,
    },
    Knob {
        id: KnobId::Workers,
        group: Group::Nodes,
        label: "Workers / node",
        param: "workers",
        field: "nodes.workers",
        unit: "workers",
        tip: "Attempts one node serves in parallel (its pool size); capacity is nodes × workers ÷ service time.",
        min: 1.0,
        max: 1024.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
        gate: None,
    },
    Knob {
        id: KnobId::ServiceMs,
        group: Group::Nodes,
        label: "Service time",
        param: "service_ms",
        field: "nodes.service_ms_mean",
        unit: "ms",
        tip: "Mean time a worker spends on one attempt (exponentially distributed); slower service means less capacity.",
        min: 0.1,
        max: 1000.0,
        scale: Scale::Log { floor: 0.1 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::QueueCapacity,
        group: Group::Shedding,
        label: "Queue capacity",
        param: "queue",
        field: "nodes.queue_capacity",
        unit: "per node",
        tip: "Attempts a node lets wait for a worker; the next one is shed at once with a 503, so a short queue fails fast and a long one adds latency.",
        min: 0.0,
        max: 100_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
        gate: None,
    },
    Knob {
        id: KnobId::SlowCount,
        group: Group::Nodes,
        label: "Slow nodes",
        param: "slow_nodes",
        field: "nodes.slow_count",
        unit: "nodes",
        tip: "How many nodes (the first ones) serve slower than the rest, like a noisy neighbour or an older instance type.",
        min: 0.0,
        max: 32.0,
        scale: Scale::Linear { step: 1.0 },
        integer: true,
        gate: None,
    },
    Knob {
        id: KnobId::SlowFactor,
        group: Group::Nodes,
        label: "Slow factor",
        param: "slow_factor",
        field: "nodes.slow_factor",
        unit: "×",
        tip: "How many times longer a slow node takes per attempt; round-robin still sends it a full share.",
        min: 1.0,
        max: 20.0,
        scale: Scale::Linear { step: 0.5 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::MemoryLimit,
        group: Group::Failures,
        label: "Memory limit",
        param: "memory_mb",
        field: "crash.memory_limit_mb",
        unit: "MiB",
        tip: "Memory a node has for the attempts it holds; a node that needs more crashes.",
        min: 16.0,
        max: 65_536.0,
        scale: Scale::Log { floor: 16.0 },
        integer: false,
        gate: Some(ToggleId::Crash),
    },
    Knob {
        id: KnobId::RequestMemory,
        group: Group::Failures,
        label: "Memory / request",
        param: "request_kb",
        field: "crash.request_kb",
        unit: "KiB",
        tip: "Memory each attempt holds while queued or in service, so a deep queue is what runs a node out of memory.",
        min: 1.0,
        max: 65_536.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: Some(ToggleId::Crash),
    },
    Knob {
        id: KnobId::RestartTime,
        group: Group::Failures,
        label: "Restart time",
        param: "restart_s",
        field: "crash.restart_s",
        unit: "s",
        tip: "How long a crashed node stays down before it accepts work again; its share of traffic lands on the others meanwhile.",
        min: 0.0,
        max: 600.0,
        scale: Scale::Log { floor: 0.1 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::WarmupTime,
        group: Group::Failures,
        label: "Warm-up time",
        param: "warmup_s",
        field: "crash.warmup_s",
        unit: "s",
        tip: "How long a restarted node takes to climb back to full speed (cold caches, JIT, connection pools).",
        min: 0.0,
        max: 600.0,
        scale: Scale::Log { floor: 0.1 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::WarmupCapacity,
        group: Group::Failures,
        label: "Warm-up capacity",
        param: "warmup_capacity",
        field: "crash.warmup_capacity",
        unit: "%",
        tip: "Speed of a node right after its restart, as a share of full speed; a low value lets its first traffic overwhelm it.",
        min: 1.0,
        max: 100.0,
        scale: Scale::Linear { step: 1.0 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::ProbeInterval,
        group: Group::Balancer,
        label: "Probe interval",
        param: "probe_interval",
        field: "health.interval_ms",
        unit: "ms",
        tip: "Time between two health probes of a node; longer intervals notice a dead node later.",
        min: 10.0,
        max: 60_000.0,
        scale: Scale::Log { floor: 10.0 },
        integer: false,
        gate: Some(ToggleId::Health),
    },
    Knob {
        id: KnobId::ProbeTimeout,
        group: Group::Balancer,
        label: "Probe timeout",
        param: "probe_timeout",
        field: "health.probe_timeout_ms",
        unit: "ms",
        tip: "A node whose queue wait exceeds this fails its probe, so a short timeout ejects merely busy nodes too.",
        min: 1.0,
        max: 60_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: Some(ToggleId::Health),
    },
    Knob {
        id: KnobId::UnhealthyAfter,
        group: Group::Balancer,
        label: "Failures to eject",
        param: "unhealthy_after",
        field: "health.unhealthy_after",
        unit: "probes",
        tip: "Failed probes in a row before the balancer stops sending to a node and moves its share onto the others.",
        min: 1.0,
        max: 20.0,
        scale: Scale::Linear { step: 1.0 },
        integer: true,
        gate: Some(ToggleId::Health),
    },
    Knob {
        id: KnobId::HealthyAfter,
        group: Group::Balancer,
        label: "Passes to readmit",
        param: "healthy_after",
        field: "health.healthy_after",
        unit: "probes",
        tip: "Passed probes in a row before an ejected node gets traffic again.",
        min: 1.0,
        max: 20.0,
        scale: Scale::Linear { step: 1.0 },
        integer: true,
        gate: Some(ToggleId::Health),
    },
    Knob {
        id: KnobId::PanicThreshold,
        group: Group::Balancer,
        label: "Panic threshold",
        param: "panic_threshold",
        field: "health.panic_threshold",
        unit: "%",
        tip: "Below this share of healthy nodes the balancer ignores health and routes to every node, so a few survivors are not crushed; 0 turns it off.",
        min: 0.0,
        max: 100.0,
        scale: Scale::Linear { step: 1.0 },
        integer: false,
        gate: Some(ToggleId::Health),
    },
    Knob {
        id: KnobId::DeadlineMargin,
        group: Group::Shedding,
        label: "Deadline margin",
        param: "deadline_margin",
        field: "shedding.deadline_margin_ms",
        unit: "ms",
        tip: "Time an attempt must still have before its client gives up to be worth starting; less and it is dropped unserved.",
        min: 0.0,
        max: 10_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: Some(ToggleId::DropExpired),
    },
    Knob {
        id: KnobId::CodelTarget,
        group: Group::Shedding,
        label: "CoDel target",
        param: "codel_target",
        field: "shedding.codel_target_ms",
        unit: "ms",
        tip: "Queueing delay CoDel tolerates under a standing queue; attempts that waited longer are shed.",
        min: 0.1,
        max: 1000.0,
        scale: Scale::Log { floor: 0.1 },
        integer: false,
        gate: Some(ToggleId::Codel),
    },
    Knob {
        id: KnobId::CodelInterval,
        group: Group::Shedding,
        label: "CoDel interval",
        param: "codel_interval",
        field: "shedding.codel_interval_ms",
        unit: "ms",
        tip: "How long the queue must stay non-empty before CoDel switches to its target, and the delay it allows before that.",
        min: 1.0,
        max: 10_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: Some(ToggleId::Codel),
    },
    Knob {
        id: KnobId::LifoAbove,
        group: Group::Shedding,
        label: "LIFO above",
        param: "lifo_above",
        field: "shedding.lifo_above",
        unit: "queued",
        tip: "Queue length above which the newest attempt is served first.",
        min: 0.0,
        max: 100_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
        gate: Some(ToggleId::AdaptiveLifo),
    },
    Knob {
        id: KnobId::ConcurrencyLimit,
        group: Group::Shedding,
        label: "Concurrency limit",
        param: "concurrency_limit",
        field: "shedding.concurrency_limit",
        unit: "attempts",
        tip: "Attempts a node holds at most, in service and queued together; the next one gets a 503 at once.",
        min: 1.0,
        max: 100_000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
        gate: Some(ToggleId::LimitConcurrency),
    },
    Knob {
        id: KnobId::PerInflight,
        group: Group::Cpu,
        label: "Latency per in-flight",
        param: "per_inflight_ms",
        field: "cpu.service_ms_per_inflight",
        unit: "ms",
        tip: "Extra mean service time for every attempt the node already holds (lock and resource contention), so a loaded node serves each one slower; works without shared cores.",
        min: 0.0,
        max: 100.0,
        scale: Scale::Log { floor: 0.01 },
        integer: false,
        gate: None,
    },
    Knob {
        id: KnobId::Cores,
        group: Group::Cpu,
        label: "Cores / node",
        param: "cores",
        field: "cpu.cores",
        unit: "cores",
        tip: "Cores a node's workers share; while more workers are busy than there are cores, each runs slower and the excess costs switching.",
        min: 1.0,
        max: 256.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
        gate: Some(ToggleId::Cpu),
    },
    Knob {
        id: KnobId::SwitchOverhead,
        group: Group::Cpu,
        label: "Switch overhead",
        param: "switch_overhead",
        field: "cpu.switch_overhead",
        unit: "% / thread",
        tip: "CPU lost to context switches for each runnable thread beyond the cores, as a share of useful work; at 0.3%, 8× the cores all busy lose 40% of the CPU.",
        min: 0.0,
        max: 10.0,
        scale: Scale::Log { floor: 0.01 },
        integer: false,
        gate: Some(ToggleId::Cpu),
    },
    Knob {
        id: KnobId::PoolSize,
        group: Group::Dependencies,
        label: "Pool / node",
        param: "pool",
        field: "db.pool_size",
        unit: "connections",
        tip: "Database connections each node may hold; more nodes or bigger pools put more queries on the database at once.",
        min: 1.0,
        max: 1000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
        gate: Some(ToggleId::Db),
    },
    Knob {
        id: KnobId::AcquireTimeout,
        group: Group::Dependencies,
        label: "Pool wait limit",
        param: "pool_timeout",
        field: "db.acquire_timeout_ms",
        unit: "ms",
        tip: "How long an attempt waits for a free connection before it fails with an error its client sees.",
        min: 1.0,
        max: 60000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: Some(ToggleId::Db),
    },
    Knob {
        id: KnobId::QueryMs,
        group: Group::Dependencies,
        label: "Query time",
        param: "query_ms",
        field: "db.query_ms_mean",
        unit: "ms",
        tip: "Mean time of one query alone on an idle database; concurrent queries take longer, so each holds its connection longer.",
        min: 0.01,
        max: 10000.0,
        scale: Scale::Log { floor: 0.01 },
        integer: false,
        gate: Some(ToggleId::Db),
    },
    Knob {
        id: KnobId::DbCores,
        group: Group::Dependencies,
        label: "Database cores",
        param: "db_cores",
        field: "db.cores",
        unit: "cores",
        tip: "Cores the database runs its queries on; beyond them, queries share the cores and each runs slower.",
        min: 1.0,
        max: 256.0,
        scale: Scale::Log { floor: 1.0 },
        integer: true,
        gate: Some(ToggleId::Db),
    },
    Knob {
        id: KnobId::SerialFraction,
        group: Group::Dependencies,
        label: "Serialised share",
        param: "db_serial",
        field: "db.serial_fraction",
        unit: "%",
        tip: "Share of each query that runs one at a time on locks, which slows every query as more run at once.",
        min: 0.0,
        max: 100.0,
        scale: Scale::Log { floor: 0.01 },
        integer: false,
        gate: Some(ToggleId::Db),
    },
    Knob {
        id: KnobId::Crosstalk,
        group: Group::Dependencies,
        label: "Crosstalk",
        param: "db_crosstalk",
        field: "db.crosstalk",
        unit: "% / pair",
        tip: "Coherency cost per pair of concurrent queries; it makes the database's throughput peak and then fall as concurrency grows.",
        min: 0.0,
        max: 10.0,
        scale: Scale::Log { floor: 0.001 },
        integer: false,
        gate: Some(ToggleId::Db),
    },
    Knob {
        id: KnobId::HotShare,
        group: Group::Dependencies,
        label: "Hot-key share",
        param: "hot_share",
        field: "cache.hot_share",
        unit: "%",
        tip: "Share of requests that read the hot key; a hit skips the expensive work, a miss recomputes it.",
        min: 0.0,
        max: 100.0,
        scale: Scale::Linear { step: 1.0 },
        integer: false,
        gate: Some(ToggleId::Cache),
    },
    Knob {
        id: KnobId::Ttl,
        group: Group::Dependencies,
        label: "TTL",
        param: "ttl",
        field: "cache.ttl_s",
        unit: "s",
        tip: "How long a recomputed value stays fresh; each expiry lets the reads that follow miss until one recomputation finishes.",
        min: 0.1,
        max: 3600.0,
        scale: Scale::Log { floor: 0.1 },
        integer: false,
        gate: Some(ToggleId::Cache),
    },
    Knob {
        id: KnobId::RecomputeMs,
        group: Group::Dependencies,
        label: "Recompute time",
        param: "recompute_ms",
        field: "cache.recompute_ms",
        unit: "ms",
        tip: "Work to recompute the value (at the database when it is on); every read that misses meanwhile recomputes too unless misses are coalesced.",
        min: 0.0,
        max: 10000.0,
        scale: Scale::Log { floor: 1.0 },
        integer: false,
        gate: Some(ToggleId::Cache),
    },
    Knob {
        id: KnobId::EarlyBeta,
        group: Group::Dependencies,
        label: "Early refresh β",
        param: "early_beta",
        field: "cache.early_beta",
        unit: "×",
        tip: "How eagerly early refresh recomputes before the expiry; above 1 it refreshes earlier and more often.",
        min: 0.0,
        max: 10.0,
        scale: Scale::Linear { step: 0.1 },
        integer: false,
        gate: Some(ToggleId::EarlyRefresh),
    },
];

/// A fraction shown as a percentage, rounded to a billionth of a percent so
/// that a typed "7" reads back as 7 and not 7.000000000000001.
fn percent(fraction: f64) -> f64 {
    (fraction * 100.0 * 1e9).round() / 1e9
}

impl KnobId {
    /// The knob's static description.
    pub fn knob(self) -> &'static Knob {
        KNOBS.iter().find(|k| k.id == self).expect("every KnobId has an entry in KNOBS")
    }

    /// The knob's current value in `c`.
    pub fn get(self, c: &Config) -> f64 {
        match self {
            KnobId::Rate => c.traffic.rate_per_s,
            KnobId::SpikeMult => c.traffic.spike_mult,
            KnobId::SpikeStart => c.traffic.spike_start_s,
            KnobId::SpikeDuration => (c.traffic.spike_end_s - c.traffic.spike_start_s).max(0.0),
            KnobId::Timeout => c.client.timeout_s,
            KnobId::Attempts => c.client.attempts as f64,
            KnobId::BackoffBase => c.client.backoff_base_ms,
            KnobId::BackoffCap => c.client.backoff_cap_ms,
            KnobId::Nodes => c.nodes.count as f64,
            KnobId::Workers => c.nodes.workers as f64,
            KnobId::ServiceMs => c.nodes.service_ms_mean,
            KnobId::QueueCapacity => c.nodes.queue_capacity as f64,
            KnobId::SlowCount => c.nodes.slow_count as f64,
            KnobId::SlowFactor => c.nodes.slow_factor,
            KnobId::MemoryLimit => c.crash.memory_limit_mb,
            KnobId::RequestMemory => c.crash.request_kb,
            KnobId::RestartTime => c.crash.restart_s,
            KnobId::WarmupTime => c.crash.warmup_s,
            KnobId::WarmupCapacity => percent(c.crash.warmup_capacity),
            KnobId::ProbeInterval => c.health.interval_ms,
            KnobId::ProbeTimeout => c.health.probe_timeout_ms,
            KnobId::UnhealthyAfter => c.health.unhealthy_after as f64,
            KnobId::HealthyAfter => c.health.healthy_after as f64,
            KnobId::PanicThreshold => percent(c.health.panic_threshold),
            KnobId::DeadlineMargin => c.shedding.deadline_margin_ms,
            KnobId::CodelTarget => c.shedding.codel_target_ms,
            KnobId::CodelInterval => c.shedding.codel_interval_ms,
            KnobId::LifoAbove => c.shedding.lifo_above as f64,
            KnobId::ConcurrencyLimit => c.shedding.concurrency_limit as f64,
            KnobId::PerInflight => c.cpu.service_ms_per_inflight,
            KnobId::Cores => c.cpu.cores as f64,
            KnobId::SwitchOverhead => percent(c.cpu.switch_overhead),
            KnobId::PoolSize => c.db.pool_size as f64,
            KnobId::AcquireTimeout => c.db.acquire_timeout_ms,
            KnobId::QueryMs => c.db.query_ms_mean,
            KnobId::DbCores => c.db.cores as f64,
            KnobId::SerialFraction => percent(c.db.serial_fraction),
            KnobId::Crosstalk => percent(c.db.crosstalk),
            KnobId::HotShare => percent(c.cache.hot_share),
            KnobId::Ttl => c.cache.ttl_s,
            KnobId::RecomputeMs => c.cache.recompute_ms,
            KnobId::EarlyBeta => c.cache.early_beta,
        }
    }

    /// Writes `v` into `c`. Moving the spike start keeps the spike's length.
    pub fn set(self, c: &mut Config, v: f64) {
        let whole = v.round().max(0.0) as u32;
        match self {
            KnobId::Rate => c.traffic.rate_per_s = v,
            KnobId::SpikeMult => c.traffic.spike_mult = v,
            KnobId::SpikeStart => {
                let length = KnobId::SpikeDuration.get(c);
                c.traffic.spike_start_s = v;
                c.traffic.spike_end_s = v + length;
            }
            KnobId::SpikeDuration => c.traffic.spike_end_s = c.traffic.spike_start_s + v,
            KnobId::Timeout => c.client.timeout_s = v,
            KnobId::Attempts => c.client.attempts = whole,
            KnobId::BackoffBase => c.client.backoff_base_ms = v,
            KnobId::BackoffCap => c.client.backoff_cap_ms = v,
            KnobId::Nodes => c.nodes.count = whole,
            KnobId::Workers => c.nodes.workers = whole,
            KnobId::ServiceMs => c.nodes.service_ms_mean = v,
            KnobId::QueueCapacity => c.nodes.queue_capacity = whole,
            KnobId::SlowCount => c.nodes.slow_count = whole,
            KnobId::SlowFactor => c.nodes.slow_factor = v,
            KnobId::MemoryLimit => c.crash.memory_limit_mb = v,
            KnobId::RequestMemory => c.crash.request_kb = v,
            KnobId::RestartTime => c.crash.restart_s = v,
            KnobId::WarmupTime => c.crash.warmup_s = v,
            KnobId::WarmupCapacity => c.crash.warmup_capacity = v / 100.0,
            KnobId::ProbeInterval => c.health.interval_ms = v,
            KnobId::ProbeTimeout => c.health.probe_timeout_ms = v,
            KnobId::UnhealthyAfter => c.health.unhealthy_after = whole,
            KnobId::HealthyAfter => c.health.healthy_after = whole,
            KnobId::PanicThreshold => c.health.panic_threshold = v / 100.0,
            KnobId::DeadlineMargin => c.shedding.deadline_margin_ms = v,
            KnobId::CodelTarget => c.shedding.codel_target_ms = v,
            KnobId::CodelInterval => c.shedding.codel_interval_ms = v,
            KnobId::LifoAbove => c.shedding.lifo_above = whole,
            KnobId::ConcurrencyLimit => c.shedding.concurrency_limit = whole,
            KnobId::PerInflight => c.cpu.service_ms_per_inflight = v,
            KnobId::Cores => c.cpu.cores = whole,
            KnobId::SwitchOverhead => c.cpu.switch_overhead = v / 100.0,
            KnobId::PoolSize => c.db.pool_size = whole,
            KnobId::AcquireTimeout => c.db.acquire_timeout_ms = v,
            KnobId::QueryMs => c.db.query_ms_mean = v,
            KnobId::DbCores => c.db.cores = whole,
            KnobId::SerialFraction => c.db.serial_fraction = v / 100.0,
            KnobId::Crosstalk => c.db.crosstalk = v / 100.0,
            KnobId::HotShare => c.cache.hot_share = v / 100.0,
            KnobId::Ttl => c.cache.ttl_s = v,
            KnobId::RecomputeMs => c.cache.recompute_ms = v,
            KnobId::EarlyBeta => c.cache.early_beta = v,
        }
    }

    /// Finds a knob by its URL parameter name.
    pub fn from_param(name: &str) -> Option<KnobId> {
        KNOBS.iter().find(|k| k.param == name).map(|k| k.id)
    }
}

impl Knob {
    /// True when changing this knob only takes effect after a reset.
    pub fn needs_restart(&self) -> bool {
        catalogue::field(self.field).is_some_and(|f| f.apply == Apply::Reset)
    }

    /// True when `v` lies in the app's range for this knob.
    pub fn in_range(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max
    }

    /// `(min, max, step)` attributes of the `<input type=range>`.
    pub fn slider_bounds(&self) -> (f64, f64, f64) {
        match self.scale {
            Scale::Linear { step } => (self.min, self.max, step),
            Scale::Log { .. } => (0.0, LOG_POSITIONS, 1.0),
        }
    }

    /// Slider position showing value `v`.
    pub fn to_position(&self, v: f64) -> f64 {
        match self.scale {
            Scale::Linear { .. } => v.clamp(self.min, self.max),
            Scale::Log { floor } => {
                let lo = floor.max(self.min);
                if v <= lo {
                    return if v > self.min { 1.0 } else { 0.0 };
                }
                let p = (v / lo).ln() / (self.max / lo).ln() * LOG_POSITIONS;
                p.clamp(0.0, LOG_POSITIONS)
            }
        }
    }

    /// Value at slider position `p`, rounded to something worth reading.
    pub fn from_position(&self, p: f64) -> f64 {
        let v = match self.scale {
            Scale::Linear { step } => self.min + ((p - self.min) / step).round() * step,
            Scale::Log { floor } => {
                let lo = floor.max(self.min);
                if p <= 0.0 {
                    self.min
                } else {
                    round_sig(lo * (self.max / lo).powf(p / LOG_POSITIONS), 2)
                }
            }
        };
        self.clean(v)
    }

    /// Clamps to the range and rounds whole-number knobs.
    pub fn clean(&self, v: f64) -> f64 {
        let v = v.clamp(self.min, self.max);
        if self.integer {
            v.round()
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::app_defaults;
    use sim_core::config::limits;

    #[test]
    fn knob_ranges_are_subsets_of_the_engine_limits() {
        let f = |(a, b): (u32, u32)| (a as f64, b as f64);
        for k in KNOBS {
            let (lo, hi) = match k.id {
                KnobId::Rate => limits::RATE_PER_S,
                KnobId::SpikeMult => limits::SPIKE_MULT,
                KnobId::SpikeStart | KnobId::SpikeDuration => limits::SPIKE_TIME_S,
                KnobId::Timeout => limits::TIMEOUT_S,
                KnobId::Attempts => f(limits::ATTEMPTS),
                KnobId::BackoffBase | KnobId::BackoffCap => limits::BACKOFF_MS,
                KnobId::Nodes => f(limits::NODES),
                KnobId::Workers => f(limits::WORKERS),
                KnobId::ServiceMs => limits::SERVICE_MS,
                KnobId::QueueCapacity => f(limits::QUEUE),
                // At most the largest node count of the app; the engine checks it against `nodes.count`.
                KnobId::SlowCount => (0.0, 32.0),
                KnobId::SlowFactor => limits::SLOW_FACTOR,
                KnobId::MemoryLimit => limits::MEMORY_MB,
                KnobId::RequestMemory => limits::REQUEST_KB,
                KnobId::RestartTime | KnobId::WarmupTime => limits::RESTART_S,
                KnobId::WarmupCapacity => (limits::WARMUP_CAPACITY.0 * 100.0, limits::WARMUP_CAPACITY.1 * 100.0),
                KnobId::ProbeInterval => limits::PROBE_INTERVAL_MS,
                KnobId::ProbeTimeout => limits::PROBE_TIMEOUT_MS,
                KnobId::UnhealthyAfter | KnobId::HealthyAfter => f(limits::PROBE_COUNT),
                KnobId::PanicThreshold => (limits::PANIC_THRESHOLD.0 * 100.0, limits::PANIC_THRESHOLD.1 * 100.0),
                KnobId::DeadlineMargin => limits::DEADLINE_MARGIN_MS,
                KnobId::CodelTarget | KnobId::CodelInterval => limits::CODEL_MS,
                KnobId::LifoAbove => f(limits::LIFO_ABOVE),
                KnobId::ConcurrencyLimit => f(limits::CONCURRENCY_LIMIT),
                KnobId::PerInflight => limits::PER_INFLIGHT_MS,
                KnobId::Cores | KnobId::DbCores => f(limits::CORES),
                KnobId::SwitchOverhead => (limits::SWITCH_OVERHEAD.0 * 100.0, limits::SWITCH_OVERHEAD.1 * 100.0),
                KnobId::PoolSize => f(limits::POOL_SIZE),
                KnobId::AcquireTimeout => limits::ACQUIRE_TIMEOUT_MS,
                KnobId::QueryMs => limits::QUERY_MS,
                KnobId::SerialFraction => (limits::SERIAL_FRACTION.0 * 100.0, limits::SERIAL_FRACTION.1 * 100.0),
                KnobId::Crosstalk => (limits::CROSSTALK.0 * 100.0, limits::CROSSTALK.1 * 100.0),
                KnobId::HotShare => (limits::SHARE.0 * 100.0, limits::SHARE.1 * 100.0),
                KnobId::Ttl => limits::TTL_S,
                KnobId::RecomputeMs => limits::RECOMPUTE_MS,
                KnobId::EarlyBeta => limits::EARLY_BETA,
            };
            assert!(k.min >= lo && k.max <= hi, "{} [{}, {}] not within [{lo}, {hi}]", k.label, k.min, k.max);
            assert!(k.tip.ends_with('.') && k.tip.matches(". ").count() == 0, "{}: one sentence", k.label);
            // Every knob's value must land in the engine's field: set then get.
            let mut c = app_defaults();
            k.id.set(&mut c, k.max);
            assert_eq!(k.id.get(&c), k.max, "{} does not write its field", k.label);
            let d = k.id.get(&app_defaults());
            assert!(k.in_range(d), "{} default {d} outside its slider", k.label);
            assert!(
                (k.from_position(k.to_position(d)) - d).abs() / d.max(1.0) < 0.1,
                "{} slider misplaces its default",
                k.label
            );
        }
    }

    #[test]
    fn every_id_has_one_entry_and_every_name_is_unique() {
        let mut params: Vec<&str> = KNOBS.iter().map(|k| k.param).collect();
        params.extend(TOGGLES.iter().map(|t| t.param));
        params.extend(["backoff", "lb", "seed", "speed", "play", "bench"]);
        let mut fields: Vec<&str> = KNOBS.iter().map(|k| k.field).collect();
        fields.extend(TOGGLES.iter().map(|t| t.field));
        for names in [&mut params, &mut fields] {
            let n = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "a URL parameter or field is used twice");
        }
        for k in &KNOBS {
            assert_eq!(KNOBS.iter().filter(|o| o.id == k.id).count(), 1, "{}: two entries", k.label);
            assert_eq!(k.id.knob(), k, "{}: KnobId::knob finds another entry", k.label);
            assert_eq!(KnobId::from_param(k.param), Some(k.id));
            assert!(k.min < k.max, "{}: empty range", k.label);
            assert!(!k.label.is_empty() && !k.param.is_empty(), "{:?}", k.id);
            if let Some(g) = k.gate {
                assert_eq!(g.toggle().group, k.group, "{}: gated from another group", k.label);
            }
        }
        for t in &TOGGLES {
            assert_eq!(TOGGLES.iter().filter(|o| o.id == t.id).count(), 1, "{}: two entries", t.label);
            assert_eq!(t.id.toggle(), t, "{}: ToggleId::toggle finds another entry", t.label);
            assert_eq!(ToggleId::from_param(t.param), Some(t.id));
            assert!(t.tip.ends_with('.') && t.tip.matches(". ").count() == 0, "{}: one sentence", t.label);
            if let Some(g) = t.gate {
                assert!(g.toggle().gate.is_none() && g.toggle().group == t.group, "{}", t.label);
            }
        }
        assert_eq!(KnobId::from_param("bogus"), None);
        assert_eq!(ToggleId::from_param("rate"), None);
        for g in Group::ALL {
            assert!(KNOBS.iter().any(|k| k.group == g), "{} has no knob", g.title());
        }
    }

    #[test]
    fn only_the_node_count_waits_for_a_reset() {
        let restart: Vec<KnobId> = KNOBS.iter().filter(|k| k.needs_restart()).map(|k| k.id).collect();
        assert_eq!(restart, vec![KnobId::Nodes]);
        for k in KNOBS {
            let reset = sim_core::catalogue::field(k.field).is_some_and(|f| f.apply == Apply::Reset);
            assert_eq!(k.needs_restart(), reset, "{}", k.label);
        }
    }

    #[test]
    fn a_knob_writes_only_its_own_field() {
        let d = app_defaults();
        for k in KNOBS {
            for v in [k.min, k.max, k.from_position(k.to_position(k.min) / 2.0 + k.to_position(k.max) / 2.0)] {
                let mut c = d.clone();
                k.id.set(&mut c, v);
                assert_eq!(k.id.get(&c), v, "{} does not read back {v}", k.label);
                for other in KNOBS.iter().filter(|o| o.id != k.id) {
                    assert_eq!(other.id.get(&c), other.id.get(&d), "setting {} moved {}", k.label, other.label);
                }
                for t in TOGGLES {
                    assert_eq!(t.id.get(&c), t.id.get(&d), "setting {} switched {}", k.label, t.field);
                }
            }
        }
        for t in TOGGLES {
            let mut c = d.clone();
            t.id.set(&mut c, true);
            assert!(t.id.get(&c));
            for other in TOGGLES.iter().filter(|o| o.id != t.id) {
                assert!(!other.id.get(&c), "switching {} switched {}", t.field, other.field);
            }
            assert!(KNOBS.iter().all(|k| k.id.get(&c) == k.id.get(&d)), "{} moved a knob", t.field);
            t.id.set(&mut c, false);
            assert_eq!(c, d, "{} off again is the default", t.field);
        }
    }

    #[test]
    fn moving_the_spike_start_keeps_its_length() {
        let mut c = app_defaults();
        KnobId::SpikeDuration.set(&mut c, 15.0);
        KnobId::SpikeStart.set(&mut c, 100.0);
        assert_eq!((c.traffic.spike_start_s, c.traffic.spike_end_s), (100.0, 115.0));
        assert_eq!(KnobId::SpikeDuration.get(&c), 15.0);
        c.traffic.spike_end_s = 50.0;
        assert_eq!(KnobId::SpikeDuration.get(&c), 0.0, "an inverted window reads as no spike, not a negative length");
    }

    #[test]
    fn percentages_read_back_as_typed() {
        let mut c = app_defaults();
        for k in KNOBS.iter().filter(|k| k.unit == "%") {
            for v in [k.min, 7.0_f64.clamp(k.min, k.max), 33.3_f64.clamp(k.min, k.max), k.max] {
                k.id.set(&mut c, v);
                assert_eq!(k.id.get(&c), v, "{}", k.label);
            }
        }
    }

    #[test]
    fn slider_positions_cover_the_range_in_order() {
        for k in KNOBS {
            let (lo, hi, step) = k.slider_bounds();
            assert!(step > 0.0 && lo < hi, "{}", k.label);
            assert_eq!(k.from_position(lo), k.min, "{}: the left end is the minimum", k.label);
            // The right end is the maximum to two significant digits (a log
            // slider rounds: Workers' right end gives 1,000 of 1,024).
            let right = k.from_position(hi);
            assert!(right <= k.max && right >= round_sig(k.max, 2).min(k.max), "{}: right end {right}", k.label);
            assert_eq!(k.to_position(k.min), lo, "{}", k.label);
            assert_eq!(k.to_position(k.max), hi, "{}", k.label);
            let mut last = f64::NEG_INFINITY;
            let mut p = lo;
            while p <= hi {
                let v = k.from_position(p);
                assert!(k.in_range(v), "{} at {p}: {v}", k.label);
                assert!(v >= last, "{}: position {p} gives {v}, below {last}", k.label);
                assert!(!k.integer || v.fract() == 0.0, "{}: {v} is not whole", k.label);
                // The slider shown for a value it produced sits where it was.
                assert_eq!(k.from_position(k.to_position(v)), v, "{} at {p}", k.label);
                last = v;
                p += step;
            }
            // Values off either end are pinned to it.
            assert_eq!(k.to_position(k.max * 2.0 + 1.0), hi, "{}", k.label);
            assert_eq!(k.to_position(k.min - 1.0), lo, "{}", k.label);
        }
    }

    #[test]
    fn clean_clamps_and_rounds_whole_numbers() {
        let nodes = KnobId::Nodes.knob();
        assert_eq!((nodes.clean(2.4), nodes.clean(2.6), nodes.clean(0.0), nodes.clean(99.0)), (2.0, 3.0, 1.0, 32.0));
        let timeout = KnobId::Timeout.knob();
        assert_eq!(timeout.clean(0.123), 0.123, "fractional knobs keep their value");
        assert_eq!(timeout.clean(-5.0), timeout.min);
        assert!(!nodes.in_range(f64::NAN) && !nodes.in_range(f64::INFINITY) && nodes.in_range(1.0));
    }

    #[test]
    fn log_sliders_give_round_values() {
        let rate = KnobId::Rate.knob();
        assert!(matches!(rate.scale, Scale::Log { .. }), "the arrival rate is on a log slider");
        for p in 1..=LOG_POSITIONS as u32 {
            let v = rate.from_position(p as f64);
            assert_eq!(v, round_sig(v, 2), "position {p} gives {v}");
        }
    }
}
