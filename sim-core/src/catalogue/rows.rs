//! The rows of the catalogue, one per field, grouped by section in the
//! order the app shows them.

use super::{Access, Apply, Field, Kind, Scale, Scope, Ui, Value};
use crate::config::{
    defence_limits::*, limits::*, server_limits::*, Backoff, LbPolicy, LimitAlgorithm, ProbeMode, TrafficShape,
};
use crate::distribution::ServiceDist;

/// Names of the [`Backoff`] policies, for the choice row.
const BACKOFF_NAMES: [&str; 6] = ["none", "fixed", "expo", "full-jitter", "equal-jitter", "decorrelated"];

/// Names of the service-time distributions, for the choice row.
const DIST_NAMES: [&str; 5] = ["exponential", "constant", "uniform", "lognormal", "bimodal"];

/// Names of the traffic shapes, for the choice row.
const SHAPE_NAMES: [&str; 7] = ["spike", "constant", "ramp", "step", "tenfold", "diurnal", "bursts"];

/// Names of the [`LimitAlgorithm`]s, for the choice row.
const LIMIT_NAMES: [&str; 2] = ["aimd", "gradient2"];

/// Names of the [`ProbeMode`]s, for the choice row.
const PROBE_NAMES: [&str; 2] = ["request", "queue-wait"];

/// Names of the [`LbPolicy`] policies, for the choice row.
const LB_NAMES: [&str; 4] = ["round-robin", "random", "least-outstanding", "p2c"];

const fn real(min_max: (f64, f64)) -> Kind {
    Kind::Real { min: min_max.0, max: min_max.1 }
}

const fn whole(min_max: (u32, u32)) -> Kind {
    Kind::Whole { min: min_max.0, max: min_max.1 }
}

const fn lin(min: f64, max: f64, step: f64) -> Option<Ui> {
    Some(Ui { min, max, scale: Scale::Linear { step }, percent: false })
}

const fn log(min: f64, max: f64, floor: f64) -> Option<Ui> {
    Some(Ui { min, max, scale: Scale::Log { floor }, percent: false })
}

/// A fraction shown as a percentage on a slider from `min` to `max` percent.
const fn pct(min: f64, max: f64, scale: Scale) -> Option<Ui> {
    Some(Ui { min, max, scale, percent: true })
}

/// A row with the defaults most rows share: live, ungated, no slider.
const fn row(path: &'static str, scope: Scope, kind: Kind, access: Access) -> Field {
    Field {
        path,
        scope,
        label: "",
        param: "",
        unit: "",
        doc: "",
        kind,
        apply: Apply::Live,
        gate: None,
        ui: None,
        access,
    }
}

/// Every field, in the app's display order within each section.
pub static FIELDS: &[Field] = &[
    Field {
        label: "Seed",
        param: "seed",
        doc: "Root of every random stream: the same seed gives the same run, bit for bit.",
        apply: Apply::Reset,
        ..row(
            "seed",
            Scope::Root,
            Kind::Seed,
            Access::Root { get: |c| Value::Seed(c.seed), set: |c, v| c.seed = if let Value::Seed(s) = v { s } else { v.as_f64() as u64 } },
        )
    },
    // ---- traffic ----
    Field {
        label: "Arrival rate",
        param: "rate",
        unit: "req/s",
        doc: "New requests per second from all clients; above the nodes' total capacity, queues fill and latency climbs.",
        ui: log(0.0, 50_000.0, 10.0),
        ..row("traffic.rate_per_s", Scope::Root, real(RATE_PER_S), root!(traffic.rate_per_s, real))
    },
    Field {
        label: "Duration",
        param: "duration",
        unit: "s",
        doc: "Simulated seconds during which requests arrive.",
        apply: Apply::Reset,
        ..row("traffic.duration_s", Scope::Root, real(DURATION_S), root!(traffic.duration_s, real))
    },
    Field {
        label: "Spike ×",
        param: "spike",
        unit: "×",
        doc: "Multiplies the arrival rate during the spike window; 1 means no spike.",
        ui: lin(1.0, 20.0, 0.5),
        ..row("traffic.spike_mult", Scope::Root, real(SPIKE_MULT), root!(traffic.spike_mult, real))
    },
    Field {
        label: "Spike start",
        param: "spike_start",
        unit: "s",
        doc: "Simulated time at which the spike begins, counted from the start of the run.",
        ui: lin(0.0, 3600.0, 1.0),
        ..row("traffic.spike_start_s", Scope::Root, real(SPIKE_TIME_S), root!(traffic.spike_start_s, real))
    },
    Field {
        label: "Spike end",
        param: "spike_end",
        unit: "s",
        doc: "Simulated time at which the spike ends.",
        ..row("traffic.spike_end_s", Scope::Root, real(SPIKE_TIME_S), root!(traffic.spike_end_s, real))
    },
    Field {
        label: "Traffic shape",
        param: "shape",
        doc: "How the arrival rate moves over time: constant, a spike, a ramp, a step, ten times in a minute, a daily cycle, or repeated bursts.",
        ..row(
            "traffic.shape",
            Scope::Root,
            Kind::Choice(&SHAPE_NAMES),
            Access::Root {
                get: |c| Value::Choice(c.traffic.shape.name()),
                set: |c, v| c.traffic.shape = TrafficShape::from_name(v.name()).unwrap_or(c.traffic.shape),
            },
        )
    },
    Field {
        label: "Period",
        param: "period",
        unit: "s",
        doc: "Length of one daily cycle, or the time from one burst to the next.",
        ui: log(1.0, 3600.0, 1.0),
        ..row("traffic.period_s", Scope::Root, real(PERIOD_S), root!(traffic.period_s, real))
    },
    Field {
        label: "Amplitude",
        param: "amplitude",
        doc: "How far the daily cycle swings above and below the base rate, as a share of it.",
        ui: pct(0.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("traffic.amplitude", Scope::Root, real(AMPLITUDE), root!(traffic.amplitude, real))
    },
    Field {
        label: "Users (closed loop)",
        param: "users",
        unit: "users",
        doc: "A fixed population of users, each sending its next request a think time after its last one ended; 0 means open-loop arrivals at the arrival rate.",
        apply: Apply::Reset,
        ui: log(0.0, 100_000.0, 1.0),
        ..row("traffic.users", Scope::Root, whole(USERS), root!(traffic.users, whole))
    },
    Field {
        label: "Think time",
        param: "think_ms",
        unit: "ms",
        doc: "Mean time a closed-loop user waits between the end of one request and the next.",
        ui: log(0.0, 60_000.0, 1.0),
        ..row("traffic.think_ms", Scope::Root, real(THINK_MS), root!(traffic.think_ms, real))
    },
    // ---- client ----
    Field {
        label: "Client timeout",
        param: "timeout",
        unit: "s",
        doc: "How long a client waits for one attempt before giving up on it; the server never learns and still does the work.",
        ui: log(0.01, 60.0, 0.01),
        ..row("client.timeout_s", Scope::Client, real(TIMEOUT_S), client!(timeout_s, real))
    },
    Field {
        label: "Max attempts",
        param: "attempts",
        unit: "tries",
        doc: "Tries per request, the first one included; every retry is extra load arriving exactly when the system struggles.",
        ui: lin(1.0, 10.0, 1.0),
        ..row("client.attempts", Scope::Client, whole(ATTEMPTS), client!(attempts, whole))
    },
    Field {
        label: "Retry policy",
        param: "backoff",
        doc: "How long a client waits before each retry: at once, a fixed wait, exponential, or exponential with jitter.",
        ..row(
            "client.backoff",
            Scope::Client,
            Kind::Choice(&BACKOFF_NAMES),
            Access::Client {
                get: |c| Value::Choice(c.backoff.name()),
                set: |c, v| c.backoff = Backoff::from_name(v.name()).unwrap_or(c.backoff),
            },
        )
    },
    Field {
        label: "Backoff base",
        param: "backoff_base",
        unit: "ms",
        doc: "The first wait before a retry; exponential policies double it on each further retry.",
        ui: log(1.0, 10_000.0, 1.0),
        ..row("client.backoff_base_ms", Scope::Client, real(BACKOFF_MS), client!(backoff_base_ms, real))
    },
    Field {
        label: "Backoff cap",
        param: "backoff_cap",
        unit: "ms",
        doc: "The longest a client ever waits between two attempts, whatever the policy computes.",
        ui: log(1.0, 60_000.0, 1.0),
        ..row("client.backoff_cap_ms", Scope::Client, real(BACKOFF_MS), client!(backoff_cap_ms, real))
    },
    Field {
        label: "Network delay",
        param: "network_ms",
        unit: "ms",
        doc: "Fixed time a message takes each way between the caller and the service; it adds to every attempt's latency and counts against its timeout.",
        ui: log(0.0, 1000.0, 0.1),
        ..row("client.network_ms", Scope::Client, real(NETWORK_MS), client!(network_ms, real))
    },
    Field {
        label: "Network jitter",
        param: "network_jitter_ms",
        unit: "ms",
        doc: "Mean of a random (exponential) extra delay each way, on top of the fixed network delay.",
        ui: log(0.0, 1000.0, 0.1),
        ..row("client.network_jitter_ms", Scope::Client, real(NETWORK_MS), client!(network_jitter_ms, real))
    },
    Field {
        label: "Propagate deadline",
        param: "propagate_deadline",
        doc: "The caller passes its remaining deadline downstream, so the service called drops work nobody waits for and no retry starts past it.",
        ..row("client.propagate_deadline", Scope::Client, Kind::Switch, client!(propagate_deadline, switch))
    },
    // ---- client defences (sim-core/src/config/defences.rs) ----
    Field {
        label: "Retry budget",
        param: "budget",
        doc: "Finagle's retry budget: retries may add only a share of the requests (plus a small reserve), so a failing dependency gets little more than its normal load.",
        ..row("client.budget.enabled", Scope::Client, Kind::Switch, client!(budget.enabled, switch))
    },
    Field {
        label: "Budget share",
        param: "budget_pct",
        doc: "Share of requests over the budget's window that may be retried; retries past it are not sent.",
        gate: Some("client.budget.enabled"),
        ui: pct(0.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("client.budget.percent", Scope::Client, real(BUDGET_PERCENT), client!(budget.percent, real))
    },
    Field {
        label: "Budget window",
        param: "budget_ttl",
        unit: "s",
        doc: "How long a request counts towards the retry budget.",
        gate: Some("client.budget.enabled"),
        ui: lin(1.0, 60.0, 1.0),
        ..row("client.budget.ttl_s", Scope::Client, real(BUDGET_TTL_S), client!(budget.ttl_s, real))
    },
    Field {
        label: "Budget reserve",
        param: "budget_min",
        unit: "retries/s",
        doc: "Retries a second the budget allows whatever the request rate, so a quiet client can still retry.",
        gate: Some("client.budget.enabled"),
        ui: log(0.0, 1000.0, 1.0),
        ..row("client.budget.min_per_s", Scope::Client, real(BUDGET_MIN_PER_S), client!(budget.min_per_s, real))
    },
    Field {
        label: "Retry throttling",
        param: "throttle",
        doc: "gRPC retry throttling: failures drain a token count that successes refill slowly; at half or below no retry is sent.",
        ..row("client.throttle.enabled", Scope::Client, Kind::Switch, client!(throttle.enabled, switch))
    },
    Field {
        label: "Max tokens",
        param: "throttle_tokens",
        unit: "tokens",
        doc: "Tokens at the start and at most; each failed attempt takes one, and retries stop at half.",
        gate: Some("client.throttle.enabled"),
        ui: log(1.0, 1000.0, 1.0),
        ..row("client.throttle.max_tokens", Scope::Client, real(THROTTLE_MAX_TOKENS), client!(throttle.max_tokens, real))
    },
    Field {
        label: "Token ratio",
        param: "throttle_ratio",
        unit: "tokens",
        doc: "Tokens a success gives back; retries stop once more than ratio / (1 + ratio) of attempts fail.",
        gate: Some("client.throttle.enabled"),
        ui: log(0.01, 10.0, 0.01),
        ..row("client.throttle.token_ratio", Scope::Client, real(THROTTLE_TOKEN_RATIO), client!(throttle.token_ratio, real))
    },
    Field {
        label: "Adaptive throttling",
        param: "adaptive",
        doc: "The SRE book's client-side throttling: when the backend accepts too few requests, the client rejects a share of new ones itself.",
        ..row("client.adaptive.enabled", Scope::Client, Kind::Switch, client!(adaptive.enabled, switch))
    },
    Field {
        label: "Throttle K",
        param: "adaptive_k",
        unit: "×",
        doc: "Requests allowed per accepted one before the client rejects locally; lower rejects sooner.",
        gate: Some("client.adaptive.enabled"),
        ui: lin(1.0, 10.0, 0.1),
        ..row("client.adaptive.k", Scope::Client, real(ADAPTIVE_K), client!(adaptive.k, real))
    },
    Field {
        label: "Throttle window",
        param: "adaptive_window",
        unit: "s",
        doc: "How far back the client counts requests and accepts.",
        gate: Some("client.adaptive.enabled"),
        ui: log(1.0, 600.0, 1.0),
        ..row("client.adaptive.window_s", Scope::Client, real(DEFENCE_WINDOW_S), client!(adaptive.window_s, real))
    },
    Field {
        label: "Circuit breaker",
        param: "breaker",
        doc: "Opens when too many attempts fail, so callers fail at once instead of waiting out timeouts; probes after a while and closes when they succeed.",
        ..row("client.breaker.enabled", Scope::Client, Kind::Switch, client!(breaker.enabled, switch))
    },
    Field {
        label: "Failure threshold",
        param: "breaker_rate",
        doc: "Share of failed attempts in the window that opens the breaker.",
        gate: Some("client.breaker.enabled"),
        ui: pct(1.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("client.breaker.failure_rate", Scope::Client, real(BREAKER_RATE), client!(breaker.failure_rate, real))
    },
    Field {
        label: "Minimum requests",
        param: "breaker_min",
        unit: "attempts",
        doc: "Attempts the window must hold before the breaker may open.",
        gate: Some("client.breaker.enabled"),
        ui: log(1.0, 10_000.0, 1.0),
        ..row("client.breaker.min_requests", Scope::Client, whole(BREAKER_MIN_REQUESTS), client!(breaker.min_requests, whole))
    },
    Field {
        label: "Breaker window",
        param: "breaker_window",
        unit: "s",
        doc: "How far back the breaker counts attempts and failures.",
        gate: Some("client.breaker.enabled"),
        ui: log(1.0, 600.0, 1.0),
        ..row("client.breaker.window_s", Scope::Client, real(DEFENCE_WINDOW_S), client!(breaker.window_s, real))
    },
    Field {
        label: "Open for",
        param: "breaker_open",
        unit: "ms",
        doc: "How long an open breaker fails every attempt before it lets probes through.",
        gate: Some("client.breaker.enabled"),
        ui: log(100.0, 600_000.0, 100.0),
        ..row("client.breaker.open_ms", Scope::Client, real(BREAKER_OPEN_MS), client!(breaker.open_ms, real))
    },
    Field {
        label: "Half-open probes",
        param: "breaker_probes",
        unit: "attempts",
        doc: "Attempts a half-open breaker lets through to decide whether to close again.",
        gate: Some("client.breaker.enabled"),
        ui: log(1.0, 1000.0, 1.0),
        ..row("client.breaker.probes", Scope::Client, whole(BREAKER_PROBES), client!(breaker.probes, whole))
    },
    Field {
        label: "Hedged requests",
        param: "hedge",
        doc: "Sends a second attempt when the first is slow, takes the first answer and cancels the other: a shorter tail for some extra load.",
        ..row("client.hedge.enabled", Scope::Client, Kind::Switch, client!(hedge.enabled, switch))
    },
    Field {
        label: "Hedge delay",
        param: "hedge_delay",
        unit: "ms",
        doc: "How long an attempt goes unanswered before the hedge is sent; about the 95th percentile of latency.",
        gate: Some("client.hedge.enabled"),
        ui: log(1.0, 10_000.0, 1.0),
        ..row("client.hedge.delay_ms", Scope::Client, real(HEDGE_DELAY_MS), client!(hedge.delay_ms, real))
    },
    // ---- balancer and health ----
    Field {
        label: "Balancer",
        param: "lb",
        doc: "How the balancer picks a node for each attempt.",
        ..row(
            "balancer.policy",
            Scope::Tier,
            Kind::Choice(&LB_NAMES),
            Access::Tier {
                get: |s| Value::Choice(s.balancer.policy.name()),
                set: |s, v| s.balancer.policy = LbPolicy::from_name(v.name()).unwrap_or(s.balancer.policy),
            },
        )
    },
    Field {
        label: "Health checks",
        param: "health",
        doc: "The balancer probes every node and stops sending to one that fails its probes in a row, until it passes again.",
        ..row("health.enabled", Scope::Tier, Kind::Switch, tier!(health.enabled, switch))
    },
    Field {
        label: "Probe interval",
        param: "probe_interval",
        unit: "ms",
        doc: "Time between two health probes of a node; longer intervals notice a dead node later.",
        gate: Some("health.enabled"),
        ui: log(10.0, 60_000.0, 10.0),
        ..row("health.interval_ms", Scope::Tier, real(PROBE_INTERVAL_MS), tier!(health.interval_ms, real))
    },
    Field {
        label: "Probe timeout",
        param: "probe_timeout",
        unit: "ms",
        doc: "A node whose queue wait exceeds this fails its probe, so a short timeout ejects merely busy nodes too.",
        gate: Some("health.enabled"),
        ui: log(1.0, 60_000.0, 1.0),
        ..row("health.probe_timeout_ms", Scope::Tier, real(PROBE_TIMEOUT_MS), tier!(health.probe_timeout_ms, real))
    },
    Field {
        label: "Failures to eject",
        param: "unhealthy_after",
        unit: "probes",
        doc: "Failed probes in a row before the balancer stops sending to a node and moves its share onto the others.",
        gate: Some("health.enabled"),
        ui: lin(1.0, 20.0, 1.0),
        ..row("health.unhealthy_after", Scope::Tier, whole(PROBE_COUNT), tier!(health.unhealthy_after, whole))
    },
    Field {
        label: "Passes to readmit",
        param: "healthy_after",
        unit: "probes",
        doc: "Passed probes in a row before an ejected node gets traffic again.",
        gate: Some("health.enabled"),
        ui: lin(1.0, 20.0, 1.0),
        ..row("health.healthy_after", Scope::Tier, whole(PROBE_COUNT), tier!(health.healthy_after, whole))
    },
    Field {
        label: "Panic threshold",
        param: "panic_threshold",
        doc: "Below this share of healthy nodes the balancer ignores health and routes to every node, so a few survivors are not crushed; 0 turns it off.",
        gate: Some("health.enabled"),
        ui: pct(0.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("health.panic_threshold", Scope::Tier, real(PANIC_THRESHOLD), tier!(health.panic_threshold, real))
    },
    // ---- nodes ----
    Field {
        label: "Nodes",
        param: "nodes",
        unit: "nodes",
        doc: "Servers behind the balancer; total capacity grows with their number (applies on reset).",
        apply: Apply::Reset,
        ui: lin(1.0, 32.0, 1.0),
        ..row("nodes.count", Scope::Tier, whole(NODES), tier!(nodes.count, whole))
    },
    Field {
        label: "Workers / node",
        param: "workers",
        unit: "workers",
        doc: "Attempts one node serves in parallel (its pool size); capacity is nodes × workers ÷ service time.",
        ui: log(1.0, 1024.0, 1.0),
        ..row("nodes.workers", Scope::Tier, whole(WORKERS), tier!(nodes.workers, whole))
    },
    Field {
        label: "Service time",
        param: "service_ms",
        unit: "ms",
        doc: "Mean time a worker spends on one attempt (exponentially distributed); slower service means less capacity.",
        ui: log(0.1, 1000.0, 0.1),
        ..row("nodes.service_ms_mean", Scope::Tier, real(SERVICE_MS), tier!(nodes.service_ms_mean, real))
    },
    Field {
        label: "Service-time shape",
        param: "service_dist",
        doc: "How service times vary around their mean: exponential, constant, uniform, log-normal, or bimodal with a share of slow requests.",
        ..row(
            "nodes.service_dist",
            Scope::Tier,
            Kind::Choice(&DIST_NAMES),
            Access::Tier {
                get: |s| Value::Choice(s.nodes.service_dist.name()),
                set: |s, v| s.nodes.service_dist = ServiceDist::from_name(v.name()).unwrap_or(s.nodes.service_dist),
            },
        )
    },
    Field {
        label: "Service-time CV",
        param: "service_cv",
        unit: "σ / mean",
        doc: "Spread of uniform and log-normal service times, as standard deviation over mean; more spread means longer queues at the same load.",
        ui: log(0.0, 10.0, 0.05),
        ..row("nodes.service_cv", Scope::Tier, real(SERVICE_CV), tier!(nodes.service_cv, real))
    },
    Field {
        label: "Slow share",
        param: "bimodal_share",
        doc: "Share of requests that take the slow path of a bimodal service time.",
        ui: pct(0.0, 50.0, Scale::Log { floor: 0.1 }),
        ..row("nodes.bimodal_share", Scope::Tier, real(BIMODAL_SHARE), tier!(nodes.bimodal_share, real))
    },
    Field {
        label: "Slow-path time",
        param: "bimodal_slow_ms",
        unit: "ms",
        doc: "Mean service time of the slow requests of a bimodal service time.",
        ui: log(0.1, 10_000.0, 0.1),
        ..row("nodes.bimodal_slow_ms", Scope::Tier, real(SERVICE_MS), tier!(nodes.bimodal_slow_ms, real))
    },
    Field {
        label: "Queue capacity",
        param: "queue",
        unit: "per node",
        doc: "Attempts a node lets wait for a worker; the next one is shed at once with a 503, so a short queue fails fast and a long one adds latency.",
        ui: log(0.0, 100_000.0, 1.0),
        ..row("nodes.queue_capacity", Scope::Tier, whole(QUEUE), tier!(nodes.queue_capacity, whole))
    },
    Field {
        label: "Slow nodes",
        param: "slow_nodes",
        unit: "nodes",
        doc: "How many nodes (the first ones) serve slower than the rest, like a noisy neighbour or an older instance type.",
        ui: lin(0.0, 32.0, 1.0),
        ..row("nodes.slow_count", Scope::Tier, whole((0, NODES.1)), tier!(nodes.slow_count, whole))
    },
    Field {
        label: "Slow factor",
        param: "slow_factor",
        unit: "×",
        doc: "How many times longer a slow node takes per attempt; round-robin still sends it a full share.",
        ui: lin(1.0, 20.0, 0.5),
        ..row("nodes.slow_factor", Scope::Tier, real(SLOW_FACTOR), tier!(nodes.slow_factor, real))
    },
    // ---- cpu ----
    Field {
        label: "Share cores (context switching)",
        param: "cpu",
        doc: "A node's busy workers share its few cores, and every runnable thread beyond the cores costs switching time, so a pool far larger than the cores serves less.",
        ..row("cpu.enabled", Scope::Tier, Kind::Switch, tier!(cpu.enabled, switch))
    },
    Field {
        label: "Latency per in-flight",
        param: "per_inflight_ms",
        unit: "ms",
        doc: "Extra mean service time for every attempt the node already holds (lock and resource contention), so a loaded node serves each one slower; works without shared cores.",
        ui: log(0.0, 100.0, 0.01),
        ..row("cpu.service_ms_per_inflight", Scope::Tier, real(PER_INFLIGHT_MS), tier!(cpu.service_ms_per_inflight, real))
    },
    Field {
        label: "Cores / node",
        param: "cores",
        unit: "cores",
        doc: "Cores a node's workers share; while more workers are busy than there are cores, each runs slower and the excess costs switching.",
        gate: Some("cpu.enabled"),
        ui: log(1.0, 256.0, 1.0),
        ..row("cpu.cores", Scope::Tier, whole(CORES), tier!(cpu.cores, whole))
    },
    Field {
        label: "Switch overhead",
        param: "switch_overhead",
        unit: "/ thread",
        doc: "CPU lost to context switches for each runnable thread beyond the cores, as a share of useful work; at 0.3%, 8× the cores all busy lose 40% of the CPU.",
        gate: Some("cpu.enabled"),
        ui: pct(0.0, 10.0, Scale::Log { floor: 0.01 }),
        ..row("cpu.switch_overhead", Scope::Tier, real(SWITCH_OVERHEAD), tier!(cpu.switch_overhead, real))
    },
    // ---- crash (failures) ----
    Field {
        label: "Crash when memory runs out",
        param: "crash",
        doc: "A node holding more attempts than its memory allows dies, losing every attempt it holds, and restarts after the restart time.",
        ..row("crash.enabled", Scope::Tier, Kind::Switch, tier!(crash.enabled, switch))
    },
    Field {
        label: "Memory limit",
        param: "memory_mb",
        unit: "MiB",
        doc: "Memory a node has for the attempts it holds; a node that needs more crashes.",
        gate: Some("crash.enabled"),
        ui: log(16.0, 65_536.0, 16.0),
        ..row("crash.memory_limit_mb", Scope::Tier, real(MEMORY_MB), tier!(crash.memory_limit_mb, real))
    },
    Field {
        label: "Memory / request",
        param: "request_kb",
        unit: "KiB",
        doc: "Memory each attempt holds while queued or in service, so a deep queue is what runs a node out of memory.",
        gate: Some("crash.enabled"),
        ui: log(1.0, 65_536.0, 1.0),
        ..row("crash.request_kb", Scope::Tier, real(REQUEST_KB), tier!(crash.request_kb, real))
    },
    Field {
        label: "Restart time",
        param: "restart_s",
        unit: "s",
        doc: "How long a crashed node stays down before it accepts work again; its share of traffic lands on the others meanwhile.",
        ui: log(0.0, 600.0, 0.1),
        ..row("crash.restart_s", Scope::Tier, real(RESTART_S), tier!(crash.restart_s, real))
    },
    Field {
        label: "Warm-up time",
        param: "warmup_s",
        unit: "s",
        doc: "How long a restarted node takes to climb back to full speed (cold caches, JIT, connection pools).",
        ui: log(0.0, 600.0, 0.1),
        ..row("crash.warmup_s", Scope::Tier, real(RESTART_S), tier!(crash.warmup_s, real))
    },
    Field {
        label: "Warm-up capacity",
        param: "warmup_capacity",
        doc: "Speed of a node right after its restart, as a share of full speed; a low value lets its first traffic overwhelm it.",
        ui: pct(1.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("crash.warmup_capacity", Scope::Tier, real(WARMUP_CAPACITY), tier!(crash.warmup_capacity, real))
    },
    // ---- shedding ----
    Field {
        label: "Drop expired requests",
        param: "drop_expired",
        doc: "A worker skips a queued attempt whose client deadline is too close to finish in time, instead of serving it for nobody.",
        ..row("shedding.drop_expired", Scope::Tier, Kind::Switch, tier!(shedding.drop_expired, switch))
    },
    Field {
        label: "Deadline margin",
        param: "deadline_margin",
        unit: "ms",
        doc: "Time an attempt must still have before its client gives up to be worth starting; less and it is dropped unserved.",
        gate: Some("shedding.drop_expired"),
        ui: log(0.0, 10_000.0, 1.0),
        ..row("shedding.deadline_margin_ms", Scope::Tier, real(DEADLINE_MARGIN_MS), tier!(shedding.deadline_margin_ms, real))
    },
    Field {
        label: "CoDel",
        param: "codel",
        doc: "Under a standing queue, attempts that waited longer than the target are answered with a 503 when they reach the head.",
        ..row("shedding.codel", Scope::Tier, Kind::Switch, tier!(shedding.codel, switch))
    },
    Field {
        label: "CoDel target",
        param: "codel_target",
        unit: "ms",
        doc: "Queueing delay CoDel tolerates under a standing queue; attempts that waited longer are shed.",
        gate: Some("shedding.codel"),
        ui: log(0.1, 1000.0, 0.1),
        ..row("shedding.codel_target_ms", Scope::Tier, real(CODEL_MS), tier!(shedding.codel_target_ms, real))
    },
    Field {
        label: "CoDel interval",
        param: "codel_interval",
        unit: "ms",
        doc: "How long the queue must stay non-empty before CoDel switches to its target, and the delay it allows before that.",
        gate: Some("shedding.codel"),
        ui: log(1.0, 10_000.0, 1.0),
        ..row("shedding.codel_interval_ms", Scope::Tier, real(CODEL_MS), tier!(shedding.codel_interval_ms, real))
    },
    Field {
        label: "Adaptive LIFO",
        param: "lifo",
        doc: "While the queue is long, the newest attempt is served first, so fresh requests meet their deadlines while old ones wait.",
        ..row("shedding.adaptive_lifo", Scope::Tier, Kind::Switch, tier!(shedding.adaptive_lifo, switch))
    },
    Field {
        label: "LIFO above",
        param: "lifo_above",
        unit: "queued",
        doc: "Queue length above which the newest attempt is served first.",
        gate: Some("shedding.adaptive_lifo"),
        ui: log(0.0, 100_000.0, 1.0),
        ..row("shedding.lifo_above", Scope::Tier, whole(LIFO_ABOVE), tier!(shedding.lifo_above, whole))
    },
    Field {
        label: "Concurrency limit",
        param: "limit_concurrency",
        doc: "A node refuses with a 503 any attempt beyond a fixed number in service and queued together.",
        ..row("shedding.limit_concurrency", Scope::Tier, Kind::Switch, tier!(shedding.limit_concurrency, switch))
    },
    Field {
        label: "Concurrency limit",
        param: "concurrency_limit",
        unit: "attempts",
        doc: "Attempts a node holds at most, in service and queued together; the next one gets a 503 at once.",
        gate: Some("shedding.limit_concurrency"),
        ui: log(1.0, 100_000.0, 1.0),
        ..row("shedding.concurrency_limit", Scope::Tier, whole(CONCURRENCY_LIMIT), tier!(shedding.concurrency_limit, whole))
    },
    // ---- database ----
    Field {
        label: "Shared database",
        param: "db",
        doc: "Every attempt takes a connection from its node's pool and runs a query at one database shared by all nodes, which slows down as more queries run at once.",
        ..row("db.enabled", Scope::Tier, Kind::Switch, tier!(db.enabled, switch))
    },
    Field {
        label: "Pool / node",
        param: "pool",
        unit: "connections",
        doc: "Database connections each node may hold; more nodes or bigger pools put more queries on the database at once.",
        gate: Some("db.enabled"),
        ui: log(1.0, 1000.0, 1.0),
        ..row("db.pool_size", Scope::Tier, whole(POOL_SIZE), tier!(db.pool_size, whole))
    },
    Field {
        label: "Pool wait limit",
        param: "pool_timeout",
        unit: "ms",
        doc: "How long an attempt waits for a free connection before it fails with an error its client sees.",
        gate: Some("db.enabled"),
        ui: log(1.0, 60_000.0, 1.0),
        ..row("db.acquire_timeout_ms", Scope::Tier, real(ACQUIRE_TIMEOUT_MS), tier!(db.acquire_timeout_ms, real))
    },
    Field {
        label: "Query time",
        param: "query_ms",
        unit: "ms",
        doc: "Mean time of one query alone on an idle database; concurrent queries take longer, so each holds its connection longer.",
        gate: Some("db.enabled"),
        ui: log(0.01, 10_000.0, 0.01),
        ..row("db.query_ms_mean", Scope::Tier, real(QUERY_MS), tier!(db.query_ms_mean, real))
    },
    Field {
        label: "Database cores",
        param: "db_cores",
        unit: "cores",
        doc: "Cores the database runs its queries on; beyond them, queries share the cores and each runs slower.",
        gate: Some("db.enabled"),
        ui: log(1.0, 256.0, 1.0),
        ..row("db.cores", Scope::Tier, whole(CORES), tier!(db.cores, whole))
    },
    Field {
        label: "Serialised share",
        param: "db_serial",
        doc: "Share of each query that runs one at a time on locks, which slows every query as more run at once.",
        gate: Some("db.enabled"),
        ui: pct(0.0, 100.0, Scale::Log { floor: 0.01 }),
        ..row("db.serial_fraction", Scope::Tier, real(SERIAL_FRACTION), tier!(db.serial_fraction, real))
    },
    Field {
        label: "Crosstalk",
        param: "db_crosstalk",
        unit: "/ pair",
        doc: "Coherency cost per pair of concurrent queries; it makes the database's throughput peak and then fall as concurrency grows.",
        gate: Some("db.enabled"),
        ui: pct(0.0, 10.0, Scale::Log { floor: 0.001 }),
        ..row("db.crosstalk", Scope::Tier, real(CROSSTALK), tier!(db.crosstalk, real))
    },
    // ---- cache ----
    Field {
        label: "Cached hot key",
        param: "cache",
        doc: "A share of requests read one hot key that expires after its TTL; every read that finds it expired recomputes it, so an expiry sets off a stampede.",
        ..row("cache.enabled", Scope::Tier, Kind::Switch, tier!(cache.enabled, switch))
    },
    Field {
        label: "Hot-key share",
        param: "hot_share",
        doc: "Share of requests that read the hot key; a hit skips the expensive work, a miss recomputes it.",
        gate: Some("cache.enabled"),
        ui: pct(0.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("cache.hot_share", Scope::Tier, real(SHARE), tier!(cache.hot_share, real))
    },
    Field {
        label: "TTL",
        param: "ttl",
        unit: "s",
        doc: "How long a recomputed value stays fresh; each expiry lets the reads that follow miss until one recomputation finishes.",
        gate: Some("cache.enabled"),
        ui: log(0.1, 3600.0, 0.1),
        ..row("cache.ttl_s", Scope::Tier, real(TTL_S), tier!(cache.ttl_s, real))
    },
    Field {
        label: "Recompute time",
        param: "recompute_ms",
        unit: "ms",
        doc: "Work to recompute the value (at the database when it is on); every read that misses meanwhile recomputes too unless misses are coalesced.",
        gate: Some("cache.enabled"),
        ui: log(0.0, 10_000.0, 1.0),
        ..row("cache.recompute_ms", Scope::Tier, real(RECOMPUTE_MS), tier!(cache.recompute_ms, real))
    },
    Field {
        label: "Keys",
        param: "cache_keys",
        unit: "keys",
        doc: "How many keys the reads spread over, the popular ones far more often (Zipf); 0 is the single hot key.",
        apply: Apply::Reset,
        gate: Some("cache.enabled"),
        ui: log(0.0, 1_000_000.0, 1.0),
        ..row("cache.keys", Scope::Tier, whole(CACHE_KEYS), tier!(cache.keys, whole))
    },
    Field {
        label: "Zipf exponent",
        param: "zipf_s",
        unit: "exponent",
        doc: "How skewed key popularity is: 0 spreads reads evenly, 1 and above put most of them on a few keys.",
        apply: Apply::Reset,
        gate: Some("cache.enabled"),
        ui: lin(0.0, 3.0, 0.1),
        ..row("cache.zipf_s", Scope::Tier, real(ZIPF_S), tier!(cache.zipf_s, real))
    },
    Field {
        label: "Cache capacity",
        param: "cache_capacity",
        unit: "entries",
        doc: "Entries the keyed cache holds; the least recently used one is evicted to make room, so a small cache misses more.",
        apply: Apply::Reset,
        gate: Some("cache.enabled"),
        ui: log(0.0, 1_000_000.0, 1.0),
        ..row("cache.capacity", Scope::Tier, whole(CACHE_CAPACITY), tier!(cache.capacity, whole))
    },
    Field {
        label: "Coalesce misses",
        param: "coalesce",
        doc: "Reads that miss while the key is being recomputed wait for that one recomputation instead of starting their own.",
        gate: Some("cache.enabled"),
        ..row("cache.coalesce", Scope::Tier, Kind::Switch, tier!(cache.coalesce, switch))
    },
    Field {
        label: "Early refresh (XFetch)",
        param: "early_refresh",
        doc: "Each read of a fresh key recomputes it early with a chance that rises towards the expiry, so one reader refreshes it before it expires.",
        gate: Some("cache.enabled"),
        ..row("cache.early_refresh", Scope::Tier, Kind::Switch, tier!(cache.early_refresh, switch))
    },
    Field {
        label: "Early refresh β",
        param: "early_beta",
        unit: "×",
        doc: "How eagerly early refresh recomputes before the expiry; above 1 it refreshes earlier and more often.",
        gate: Some("cache.early_refresh"),
        ui: lin(0.0, 10.0, 0.1),
        ..row("cache.early_beta", Scope::Tier, real(EARLY_BETA), tier!(cache.early_beta, real))
    },
    // ---- server-side defences (issue 10) ----
    Field {
        label: "Probes are requests",
        param: "probe_mode",
        doc: "How a health probe measures a node: as a request that queues and takes a worker (a saturated node fails it), or as the wait of the oldest queued attempt.",
        gate: Some("health.enabled"),
        ..row(
            "health.probe_mode",
            Scope::Tier,
            Kind::Choice(&PROBE_NAMES),
            Access::Tier {
                get: |s| Value::Choice(s.health.probe_mode.name()),
                set: |s, v| s.health.probe_mode = ProbeMode::from_name(v.name()).unwrap_or(s.health.probe_mode),
            },
        )
    },
    Field {
        label: "Adaptive concurrency limit",
        param: "adaptive_limit",
        doc: "Each node learns its concurrency limit from the latency of what it serves (Netflix concurrency-limits) and answers a 503 beyond it; it replaces the fixed limit.",
        ..row("limiter.adaptive", Scope::Tier, Kind::Switch, tier!(limiter.adaptive, switch))
    },
    Field {
        label: "Limit algorithm",
        param: "limit_algorithm",
        doc: "AIMD adds one while the node is busy and cuts by the backoff ratio when a client gave up; Gradient2 follows the ratio of the long-term to the latest latency.",
        gate: Some("limiter.adaptive"),
        ..row(
            "limiter.algorithm",
            Scope::Tier,
            Kind::Choice(&LIMIT_NAMES),
            Access::Tier {
                get: |s| Value::Choice(s.limiter.algorithm.name()),
                set: |s, v| s.limiter.algorithm = LimitAlgorithm::from_name(v.name()).unwrap_or(s.limiter.algorithm),
            },
        )
    },
    Field {
        label: "Initial limit",
        param: "limit_initial",
        unit: "attempts",
        doc: "Each node's concurrency limit at the start, between the minimum and the maximum.",
        apply: Apply::Reset,
        gate: Some("limiter.adaptive"),
        ui: log(1.0, 10_000.0, 1.0),
        ..row("limiter.initial_limit", Scope::Tier, whole(LIMIT), tier!(limiter.initial_limit, whole))
    },
    Field {
        label: "Minimum limit",
        param: "limit_min",
        unit: "attempts",
        doc: "The adaptive limit never goes below this, however slow the node gets.",
        gate: Some("limiter.adaptive"),
        ui: log(1.0, 10_000.0, 1.0),
        ..row("limiter.min_limit", Scope::Tier, whole(LIMIT), tier!(limiter.min_limit, whole))
    },
    Field {
        label: "Maximum limit",
        param: "limit_max",
        unit: "attempts",
        doc: "The adaptive limit never goes above this, however fast the node is.",
        gate: Some("limiter.adaptive"),
        ui: log(1.0, 100_000.0, 1.0),
        ..row("limiter.max_limit", Scope::Tier, whole(LIMIT), tier!(limiter.max_limit, whole))
    },
    Field {
        label: "AIMD backoff ratio",
        param: "limit_backoff",
        unit: "×",
        doc: "AIMD multiplies the limit by this whenever a client gave up on what the node served (or it took longer than the AIMD timeout).",
        gate: Some("limiter.adaptive"),
        ui: lin(0.5, 0.99, 0.01),
        ..row("limiter.backoff_ratio", Scope::Tier, real(BACKOFF_RATIO), tier!(limiter.backoff_ratio, real))
    },
    Field {
        label: "AIMD timeout",
        param: "limit_timeout",
        unit: "ms",
        doc: "AIMD counts an attempt that spent longer than this at the node as a drop and cuts the limit.",
        gate: Some("limiter.adaptive"),
        ui: log(1.0, 60_000.0, 1.0),
        ..row("limiter.timeout_ms", Scope::Tier, real(LIMIT_TIMEOUT_MS), tier!(limiter.timeout_ms, real))
    },
    Field {
        label: "Gradient2 smoothing",
        param: "limit_smoothing",
        doc: "Weight Gradient2 gives each new estimate of the limit; higher follows changes faster.",
        gate: Some("limiter.adaptive"),
        ui: pct(0.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("limiter.smoothing", Scope::Tier, real(SMOOTHING), tier!(limiter.smoothing, real))
    },
    Field {
        label: "Gradient2 long window",
        param: "limit_long_window",
        unit: "samples",
        doc: "Samples the long-term latency average spans, against which Gradient2 compares the latest.",
        gate: Some("limiter.adaptive"),
        ui: log(1.0, 100_000.0, 1.0),
        ..row("limiter.long_window", Scope::Tier, whole(LONG_WINDOW), tier!(limiter.long_window, whole))
    },
    Field {
        label: "Gradient2 RTT tolerance",
        param: "limit_tolerance",
        unit: "×",
        doc: "How much slower than the long-term average the latest latency may be before Gradient2 shrinks the limit.",
        gate: Some("limiter.adaptive"),
        ui: lin(1.0, 10.0, 0.1),
        ..row("limiter.rtt_tolerance", Scope::Tier, real(RTT_TOLERANCE), tier!(limiter.rtt_tolerance, real))
    },
    Field {
        label: "Gradient2 queue size",
        param: "limit_queue",
        unit: "attempts",
        doc: "Attempts Gradient2 lets queue above its estimate, so the limit can grow back.",
        gate: Some("limiter.adaptive"),
        ui: log(0.0, 10_000.0, 1.0),
        ..row("limiter.queue_size", Scope::Tier, whole(QUEUE_SIZE), tier!(limiter.queue_size, whole))
    },
    Field {
        label: "Rate limiter",
        param: "rate_limit",
        doc: "A token bucket in front of the service answers a 429 to every attempt beyond its rate and burst; clients retry 429s like 503s.",
        ..row("rate_limit.enabled", Scope::Tier, Kind::Switch, tier!(rate_limit.enabled, switch))
    },
    Field {
        label: "Rate limit",
        param: "rate_limit_rate",
        unit: "req/s",
        doc: "Attempts per second the service admits in the long run; the rest get a 429 at once.",
        gate: Some("rate_limit.enabled"),
        ui: log(0.0, 100_000.0, 1.0),
        ..row("rate_limit.rate_per_s", Scope::Tier, real(RATE_LIMIT_PER_S), tier!(rate_limit.rate_per_s, real))
    },
    Field {
        label: "Burst",
        param: "rate_limit_burst",
        unit: "attempts",
        doc: "Attempts admitted at once above the rate after a quiet spell: the bucket's size.",
        gate: Some("rate_limit.enabled"),
        ui: log(1.0, 100_000.0, 1.0),
        ..row("rate_limit.burst", Scope::Tier, whole(BURST), tier!(rate_limit.burst, whole))
    },
    Field {
        label: "Autoscaler",
        param: "autoscale",
        doc: "Adds nodes when their utilisation is above the target and removes them when below (Kubernetes HPA); a new node serves only after the provisioning delay and its warm-up.",
        ..row("autoscaler.enabled", Scope::Tier, Kind::Switch, tier!(autoscaler.enabled, switch))
    },
    Field {
        label: "Target utilisation",
        param: "scale_target",
        doc: "Busy share of the workers the autoscaler aims for: it wants ceil(nodes × utilisation / target) nodes.",
        gate: Some("autoscaler.enabled"),
        ui: pct(1.0, 100.0, Scale::Linear { step: 1.0 }),
        ..row("autoscaler.target_utilisation", Scope::Tier, real(TARGET_UTILISATION), tier!(autoscaler.target_utilisation, real))
    },
    Field {
        label: "Scale interval",
        param: "scale_interval",
        unit: "s",
        doc: "Time between two looks at the utilisation; a spike shorter than this may go unseen.",
        gate: Some("autoscaler.enabled"),
        ui: log(1.0, 600.0, 1.0),
        ..row("autoscaler.interval_s", Scope::Tier, real(SCALE_INTERVAL_S), tier!(autoscaler.interval_s, real))
    },
    Field {
        label: "Provisioning delay",
        param: "provisioning",
        unit: "s",
        doc: "Time from the decision to add a node until it serves (then it warms up): why scaling out arrives too late for a spike.",
        gate: Some("autoscaler.enabled"),
        ui: log(0.0, 600.0, 1.0),
        ..row("autoscaler.provisioning_s", Scope::Tier, real(SCALE_DELAY_S), tier!(autoscaler.provisioning_s, real))
    },
    Field {
        label: "Min nodes",
        param: "scale_min",
        unit: "nodes",
        doc: "The autoscaler never goes below this many nodes.",
        gate: Some("autoscaler.enabled"),
        ui: log(1.0, 1024.0, 1.0),
        ..row("autoscaler.min_nodes", Scope::Tier, whole(SCALE_NODES), tier!(autoscaler.min_nodes, whole))
    },
    Field {
        label: "Max nodes",
        param: "scale_max",
        unit: "nodes",
        doc: "The autoscaler never goes above this many nodes; with a shared database, more nodes mean more connections on it.",
        apply: Apply::Reset,
        gate: Some("autoscaler.enabled"),
        ui: log(1.0, 1024.0, 1.0),
        ..row("autoscaler.max_nodes", Scope::Tier, whole(SCALE_NODES), tier!(autoscaler.max_nodes, whole))
    },
    Field {
        label: "Scale-down window",
        param: "scale_down_window",
        unit: "s",
        doc: "A scale-down takes the highest node count wanted over this window, so a brief lull does not remove nodes.",
        gate: Some("autoscaler.enabled"),
        ui: log(0.0, 3600.0, 1.0),
        ..row(
            "autoscaler.scale_down_stabilisation_s",
            Scope::Tier,
            real(SCALE_DELAY_S),
            tier!(autoscaler.scale_down_stabilisation_s, real)
        )
    },
    Field {
        label: "Traces per second",
        param: "traces",
        unit: "/s",
        doc: "Logical requests traced per simulated second, span by span (the first to arrive after each 1/rate seconds; at most 1,000 traces of 256 spans kept): 0 traces none, and tracing changes no result.",
        apply: Apply::Reset,
        ui: lin(0.0, 10.0, 1.0),
        ..row("traces.sample_per_s", Scope::Root, real(crate::trace::SAMPLE_PER_S), root!(traces.sample_per_s, real))
    },
];
