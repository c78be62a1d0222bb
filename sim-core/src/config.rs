//! Scenario configuration: every knob of the model, with documented defaults,
//! units in the field names, and typed validation.
//!
//! The defaults are those of the reference model (`shared/reference/simpy_ref.py`):
//! 10,000 req/s for 60 s over 4 nodes of 32 workers, 10 ms mean service,
//! a waiting room of 256 per node, a 1 s client timeout and 3 attempts with
//! full-jitter backoff (base 100 ms, cap 1 s).

use serde::{Deserialize, Serialize};
use std::fmt;

mod client_defences;
mod server_defences;
/// Allowed ranges of the client defences' fields.
pub use client_defences::limits as defence_limits;
pub use client_defences::{AdaptiveConfig, BreakerConfig, BudgetConfig, HedgeConfig, ThrottleConfig};
pub use server_defences::{
    server_limits, AutoscalerConfig, LimitAlgorithm, LimiterConfig, ProbeMode, RateLimitConfig,
};

/// Upper bound on the events one run may process. A run whose worst-case
/// event count (see [`Config::estimated_max_events`]) exceeds it is rejected
/// before anything is allocated; the engine also stops at it as a backstop.
/// At the engine's ~10-20 M events per wall second this is a few minutes.
pub const MAX_EVENTS_PER_RUN: u64 = 2_000_000_000;

/// Upper bound on waiting-room slots over all nodes (`nodes.count ×
/// nodes.queue_capacity`). Each queued attempt takes 16 bytes, so this caps
/// queue memory at 256 MiB.
pub const MAX_TOTAL_QUEUE_SLOTS: u64 = 16_777_216;

/// A whole scenario. `Config::default()` is the reference model's steady case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Root seed; every random stream is derived from it and a stream name.
    pub seed: u64,
    /// Arrivals of logical requests.
    pub traffic: TrafficConfig,
    /// Client behaviour: timeout and retries.
    pub client: ClientConfig,
    /// How attempts are spread over nodes.
    pub balancer: BalancerConfig,
    /// The server nodes.
    pub nodes: NodesConfig,
    /// Node memory, crashes, restarts and warm-up. Off by default.
    pub crash: CrashConfig,
    /// The balancer's health checks and ejection. Off by default.
    pub health: HealthConfig,
    /// Server-side queue policies: deadlines, CoDel, adaptive LIFO and a
    /// concurrency limit. Off by default.
    pub shedding: SheddingConfig,
    /// CPU cores, context switching and load-dependent latency. Off by
    /// default.
    pub cpu: CpuConfig,
    /// A database shared by all nodes, reached through per-node connection
    /// pools. Off by default.
    pub db: DbConfig,
    /// A cache in front of one hot key, with a TTL. Off by default.
    pub cache: CacheConfig,
    /// An adaptive concurrency limit per node. Off by default.
    pub limiter: LimiterConfig,
    /// A token-bucket rate limiter answering 429s. Off by default.
    pub rate_limit: RateLimitConfig,
    /// A horizontal autoscaler. Off by default.
    pub autoscaler: AutoscalerConfig,
    /// Scripted incidents (a node crashing at a given second), in time order
    /// or not; empty by default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
    /// A system of services, the first of which the clients call. Empty by
    /// default: the scenario is then one service made of the sections above
    /// (`balancer`, `nodes`, `crash`, `health`, `shedding`, `cpu`, `db`,
    /// `cache`), which must keep their defaults when services are listed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            traffic: TrafficConfig::default(),
            client: ClientConfig::default(),
            balancer: BalancerConfig::default(),
            nodes: NodesConfig::default(),
            crash: CrashConfig::default(),
            health: HealthConfig::default(),
            shedding: SheddingConfig::default(),
            cpu: CpuConfig::default(),
            db: DbConfig::default(),
            cache: CacheConfig::default(),
            limiter: LimiterConfig::default(),
            rate_limit: RateLimitConfig::default(),
            autoscaler: AutoscalerConfig::default(),
            faults: Vec::new(),
            services: Vec::new(),
        }
    }
}

/// The name of the one service of a scenario that lists none.
pub const SINGLE_SERVICE_NAME: &str = "app";

/// One service of a system: what a tier has (nodes, balancer, health
/// checks, shedding, CPU, crash and warm-up, database pool, cache), and the
/// calls each request it serves makes to other services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Unique name, used by calls and in reports. Default "app".
    pub name: String,
    /// How the balancer in front of it spreads attempts over its nodes.
    pub balancer: BalancerConfig,
    /// Its nodes.
    pub nodes: NodesConfig,
    /// Memory, crashes, restarts and warm-up of its nodes.
    pub crash: CrashConfig,
    /// Its balancer's health checks.
    pub health: HealthConfig,
    /// Its queue policies.
    pub shedding: SheddingConfig,
    /// Its nodes' cores.
    pub cpu: CpuConfig,
    /// The database it reaches through per-node pools.
    pub db: DbConfig,
    /// Its hot-key cache.
    pub cache: CacheConfig,
    /// Its nodes' adaptive concurrency limit.
    pub limiter: LimiterConfig,
    /// Its rate limiter.
    pub rate_limit: RateLimitConfig,
    /// Its autoscaler.
    pub autoscaler: AutoscalerConfig,
    /// Whether a request makes its calls one after another or all at once
    /// (fan-out: it waits for every one). Default sequential.
    pub call_mode: CallMode,
    /// The calls each request makes after its own work, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<CallConfig>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Config::default().single_service()
    }
}

impl ServiceConfig {
    /// Checks every tier field of the catalogue and the cross-field limits.
    pub fn validate_tier(&self) -> Result<(), ConfigError> {
        use crate::catalogue::{Scope, FIELDS};
        for f in FIELDS.iter().filter(|f| f.scope == Scope::Tier) {
            if let Some(v) = f.get_tier(self) {
                f.check(f.path, v)?;
            }
        }
        let n = &self.nodes;
        range("nodes.slow_count", n.slow_count as f64, (0.0, n.count as f64), "")?;
        let k = &self.cache;
        if k.keys > 0 {
            range("cache.capacity", k.capacity as f64, (0.0, k.keys as f64), "")?;
        }
        if n.service_dist == crate::distribution::ServiceDist::Uniform {
            range("nodes.service_cv", n.service_cv, (0.0, crate::distribution::MAX_UNIFORM_CV), "")?;
        }
        server_defences::validate(self)?;
        let slots = n.count as u64 * n.queue_capacity as u64;
        if slots > MAX_TOTAL_QUEUE_SLOTS {
            return Err(ConfigError::TooLarge {
                field: "nodes.queue_capacity",
                value: slots as f64,
                max: MAX_TOTAL_QUEUE_SLOTS as f64,
                what: "queue slots over all nodes",
            });
        }
        Ok(())
    }
}

impl CallConfig {
    /// Checks the call's client policy against the catalogue.
    pub fn validate(&self) -> Result<(), ConfigError> {
        use crate::catalogue::{Scope, FIELDS};
        for f in FIELDS.iter().filter(|f| f.scope == Scope::Client) {
            if let Some(v) = f.get_client(&self.client) {
                f.check(f.path, v).map_err(|e| e.in_call(&self.to))?;
            }
        }
        Ok(())
    }
}

/// An out-of-range error for `field` unless `value` lies in `[min, max]`.
fn range(field: &'static str, value: f64, (min, max): (f64, f64), unit: &'static str) -> Result<(), ConfigError> {
    if value < min || value > max {
        return Err(ConfigError::OutOfRange { field, value, min, max, unit });
    }
    Ok(())
}

/// How a request makes its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallMode {
    /// One after another: the next starts when the last succeeded.
    #[default]
    Sequential,
    /// All at once; the request goes on when every one succeeded.
    Parallel,
}

/// A call edge: the service called and the caller's client policy for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallConfig {
    /// Name of the service called.
    pub to: String,
    /// Timeout, attempts and backoff of the caller for this call.
    #[serde(default)]
    pub client: ClientConfig,
}

/// Open-loop Poisson arrivals whose rate follows a shape over time: by
/// default the base rate with an optional spike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrafficConfig {
    /// Mean arrival rate of logical requests, per second: the base rate that
    /// every shape starts from. Default 10,000.
    pub rate_per_s: f64,
    /// Simulated seconds during which requests arrive. Default 60.
    pub duration_s: f64,
    /// How the rate varies over the run. Default `spike`, which with
    /// `spike_mult = 1` is a constant rate.
    pub shape: TrafficShape,
    /// Rate multiplier of the spike, step, ramp and bursts shapes; 1 means
    /// no change. Default 1.
    pub spike_mult: f64,
    /// Spike window start, simulated seconds; where the step, ramp and
    /// tenfold shapes begin to rise and the first burst begins. Default 20.
    pub spike_start_s: f64,
    /// Spike window end, simulated seconds; where the ramp reaches its top,
    /// and, minus `spike_start_s`, the length of each burst. Default 30.
    pub spike_end_s: f64,
    /// Period of the diurnal and bursts shapes, simulated seconds: the
    /// diurnal shape fits a day into it. Default 60.
    pub period_s: f64,
    /// Relative swing of the diurnal shape around the base rate, from 0
    /// (flat) to 1 (down to zero at the trough). Default 0.5.
    pub amplitude: f64,
    /// Closed-loop population: this many users, each sending its next
    /// request a think time after its last one ended (succeeded or failed).
    /// 0 (the default) is open-loop arrivals at `rate_per_s`. A closed loop
    /// throttles itself under backpressure, where open-loop load does not.
    pub users: u32,
    /// Mean think time of a closed-loop user (exponential), ms. Default 1,000.
    pub think_ms: f64,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            rate_per_s: 10_000.0,
            duration_s: 60.0,
            shape: TrafficShape::Spike,
            spike_mult: 1.0,
            spike_start_s: 20.0,
            spike_end_s: 30.0,
            period_s: 60.0,
            amplitude: 0.5,
            users: 0,
            think_ms: 1000.0,
        }
    }
}

/// How the arrival rate varies over a run. `r` is `rate_per_s`, `m` is
/// `spike_mult`, and `[s0, s1)` is `[spike_start_s, spike_end_s)`. Every
/// shape is cut to the run: a rise the run ends during stops where it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrafficShape {
    /// `r`, and `r × m` inside `[s0, s1)`: the reference model's spike.
    #[default]
    Spike,
    /// `r` throughout; the spike fields are ignored.
    Constant,
    /// `r` until `s0`, then linear up (or down) to `r × m` at `s1`, then
    /// `r × m` to the end: load that grows instead of jumping, which
    /// autoscalers and adaptive limits can follow. With `s1 ≤ s0` it is a
    /// step at `s0`.
    Ramp,
    /// `r` until `s0`, then `r × m` to the end: a lasting jump, such as a
    /// failover moving another region's traffic here.
    Step,
    /// "10× in 60 s": `r` until `s0`, linear up to `10 r` at `s0 + 60`, then
    /// `10 r`; `spike_mult` and `spike_end_s` are ignored.
    Tenfold,
    /// `r × (1 + amplitude × sin(2π t / period_s))`: a daily cycle
    /// compressed into `period_s`, starting at the mean and rising.
    Diurnal,
    /// `r`, and from `s0` on, every `period_s`, a burst of `s1 − s0` (at most
    /// one period) at `r × m`: periodic batch jobs or cron-driven clients.
    Bursts,
}

impl TrafficShape {
    /// Every shape, in the order the UI lists them.
    pub const ALL: [TrafficShape; 7] = [
        TrafficShape::Spike,
        TrafficShape::Constant,
        TrafficShape::Ramp,
        TrafficShape::Step,
        TrafficShape::Tenfold,
        TrafficShape::Diurnal,
        TrafficShape::Bursts,
    ];

    /// The name used by the CLI flag and the TOML file.
    pub fn name(self) -> &'static str {
        match self {
            TrafficShape::Spike => "spike",
            TrafficShape::Constant => "constant",
            TrafficShape::Ramp => "ramp",
            TrafficShape::Step => "step",
            TrafficShape::Tenfold => "tenfold",
            TrafficShape::Diurnal => "diurnal",
            TrafficShape::Bursts => "bursts",
        }
    }

    /// Parses a name as printed by [`TrafficShape::name`].
    pub fn from_name(s: &str) -> Option<TrafficShape> {
        TrafficShape::ALL.into_iter().find(|b| b.name() == s)
    }
}

/// What a client does with each logical request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientConfig {
    /// Per-attempt timeout, seconds from the attempt's send time. The server
    /// does not know it: timed-out work is still served. Default 1.
    pub timeout_s: f64,
    /// Attempts per logical request in total, first try included. Default 3.
    pub attempts: u32,
    /// Wait before each retry. Default full jitter.
    pub backoff: Backoff,
    /// Backoff base, milliseconds. Default 100.
    pub backoff_base_ms: f64,
    /// Backoff cap, milliseconds. Default 1,000.
    pub backoff_cap_ms: f64,
    /// Network delay each way, constant part, ms. Default 0.
    pub network_ms: f64,
    /// Network delay each way, mean of an exponential part added to the
    /// constant, ms. Default 0.
    pub network_jitter_ms: f64,
    /// Pass the caller's remaining deadline to the service called, as gRPC
    /// does: the callee drops queued work whose deadline has passed, no
    /// attempt waits past it, and no retry starts after it. Default off.
    pub propagate_deadline: bool,
    /// A Finagle retry budget on this edge. Off by default.
    pub budget: BudgetConfig,
    /// gRPC retry throttling on this edge. Off by default.
    pub throttle: ThrottleConfig,
    /// Client-side adaptive throttling on this edge. Off by default.
    pub adaptive: AdaptiveConfig,
    /// A circuit breaker on this edge. Off by default.
    pub breaker: BreakerConfig,
    /// Hedged requests on this edge. Off by default.
    pub hedge: HedgeConfig,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout_s: 1.0,
            attempts: 3,
            backoff: Backoff::FullJitter,
            backoff_base_ms: 100.0,
            backoff_cap_ms: 1000.0,
            network_ms: 0.0,
            network_jitter_ms: 0.0,
            propagate_deadline: false,
            budget: BudgetConfig::default(),
            throttle: ThrottleConfig::default(),
            adaptive: AdaptiveConfig::default(),
            breaker: BreakerConfig::default(),
            hedge: HedgeConfig::default(),
        }
    }
}

/// Retry backoff policies (Brooker, "Exponential Backoff And Jitter", AWS
/// Architecture Blog, 2015). `k` is the retry number, 0 for the first retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backoff {
    /// Retry at once.
    None,
    /// Always wait `base`.
    Fixed,
    /// Wait `min(cap, base × 2^k)`.
    Expo,
    /// Wait uniform in `[0, min(cap, base × 2^k))`.
    FullJitter,
    /// Wait `e/2 + uniform[0, e/2)` with `e = min(cap, base × 2^k)`.
    EqualJitter,
    /// Wait `min(cap, uniform[base, 3 × previous wait))`, previous starting at `base`.
    Decorrelated,
}

impl Backoff {
    /// Every policy, in the order the UI lists them.
    pub const ALL: [Backoff; 6] = [
        Backoff::None,
        Backoff::Fixed,
        Backoff::Expo,
        Backoff::FullJitter,
        Backoff::EqualJitter,
        Backoff::Decorrelated,
    ];

    /// The name used by the CLI flag, the TOML file and the reference program.
    pub fn name(self) -> &'static str {
        match self {
            Backoff::None => "none",
            Backoff::Fixed => "fixed",
            Backoff::Expo => "expo",
            Backoff::FullJitter => "full-jitter",
            Backoff::EqualJitter => "equal-jitter",
            Backoff::Decorrelated => "decorrelated",
        }
    }

    /// Parses a name as printed by [`Backoff::name`].
    pub fn from_name(s: &str) -> Option<Backoff> {
        Backoff::ALL.into_iter().find(|b| b.name() == s)
    }
}

/// How the balancer spreads attempts over nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BalancerConfig {
    /// Balancing policy. Default round robin.
    pub policy: LbPolicy,
}

impl Default for BalancerConfig {
    fn default() -> Self {
        BalancerConfig { policy: LbPolicy::RoundRobin }
    }
}

/// Load-balancing policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LbPolicy {
    /// Each attempt goes to the next node in turn.
    RoundRobin,
    /// Each attempt goes to a uniformly random node, so each node sees
    /// Poisson arrivals (the case Erlang C describes).
    Random,
    /// Each attempt goes to the node holding the fewest attempts (in service
    /// and queued); ties go to the first such node after the last pick.
    LeastOutstanding,
    /// Power of two choices: two distinct nodes drawn at random, the attempt
    /// goes to the one holding fewer (Mitzenmacher, "The Power of Two Choices
    /// in Randomized Load Balancing", IEEE TPDS 2001).
    #[serde(rename = "p2c")]
    PowerOfTwo,
}

impl LbPolicy {
    /// Every policy, in the order the UI lists them.
    pub const ALL: [LbPolicy; 4] =
        [LbPolicy::RoundRobin, LbPolicy::Random, LbPolicy::LeastOutstanding, LbPolicy::PowerOfTwo];

    /// The name used by the CLI flag, the TOML file and the reference program.
    pub fn name(self) -> &'static str {
        match self {
            LbPolicy::RoundRobin => "round-robin",
            LbPolicy::Random => "random",
            LbPolicy::LeastOutstanding => "least-outstanding",
            LbPolicy::PowerOfTwo => "p2c",
        }
    }

    /// Parses a name as printed by [`LbPolicy::name`].
    pub fn from_name(s: &str) -> Option<LbPolicy> {
        LbPolicy::ALL.into_iter().find(|b| b.name() == s)
    }
}

/// The server nodes: all alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodesConfig {
    /// Number of nodes behind the balancer. Default 4.
    pub count: u32,
    /// Parallel workers per node (the pool size). Default 32.
    pub workers: u32,
    /// Mean of the exponential service time, milliseconds. Default 10.
    pub service_ms_mean: f64,
    /// Waiting-room capacity per node, attempts in service not counted; an
    /// attempt arriving to a full node is rejected at once (503). Default 256.
    pub queue_capacity: u32,
    /// How many nodes (the first ones) are slow, for unequal fleets (a noisy
    /// neighbour, an older instance type). Default 0.
    pub slow_count: u32,
    /// Service-time multiplier of the slow nodes: 2 means they take twice as
    /// long per attempt. Default 2.
    pub slow_factor: f64,
    /// Shape of the service time (see [`crate::distribution`]). Default
    /// exponential, as in the reference model.
    pub service_dist: crate::distribution::ServiceDist,
    /// Coefficient of variation of the uniform (at most 1/√3) and log-normal
    /// service times. Default 1.
    pub service_cv: f64,
    /// Share of slow requests of the bimodal service time. Default 0.05.
    pub bimodal_share: f64,
    /// Mean service time of the bimodal's slow requests, ms (its fast ones
    /// have `service_ms_mean`). Default 200.
    pub bimodal_slow_ms: f64,
}

impl NodesConfig {
    /// The service time these settings describe, in seconds.
    pub fn service_time(&self) -> crate::distribution::ServiceTime {
        crate::distribution::ServiceTime {
            dist: self.service_dist,
            mean_s: self.service_ms_mean / 1000.0,
            cv: self.service_cv,
            slow_share: self.bimodal_share,
            slow_mean_s: self.bimodal_slow_ms / 1000.0,
        }
    }
}

impl Default for NodesConfig {
    fn default() -> Self {
        NodesConfig {
            count: 4,
            workers: 32,
            service_ms_mean: 10.0,
            queue_capacity: 256,
            slow_count: 0,
            slow_factor: 2.0,
            service_dist: crate::distribution::ServiceDist::Exponential,
            service_cv: 1.0,
            bimodal_share: 0.05,
            bimodal_slow_ms: 200.0,
        }
    }
}

/// Node memory, crashes, restarts and warm-up.
///
/// A node holds `request_kb` of memory for every attempt it has accepted
/// (queued or in service). When that passes `memory_limit_mb` the process is
/// killed (an out-of-memory kill): every attempt it held is lost and its
/// clients get a connection error at once; attempts sent to it while it is
/// down are refused the same way. After `restart_s` it is back, but serves
/// at `warmup_capacity` of its full speed, rising linearly to full speed over
/// `warmup_s` (cold caches, an unwarmed JIT, empty connection pools).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrashConfig {
    /// Crash on memory exhaustion. Default off. Scripted faults crash nodes
    /// whether or not this is on.
    pub enabled: bool,
    /// Memory a node may use for requests, MiB. Default 512.
    pub memory_limit_mb: f64,
    /// Memory one accepted attempt holds (buffers, parsed body, per-request
    /// objects), KiB. Default 256: 2,048 held attempts fill the default limit.
    pub request_kb: f64,
    /// Time from a crash until the node accepts work again (process restart,
    /// container start, readiness), seconds. Default 5.
    pub restart_s: f64,
    /// Time after a restart until the node runs at full speed, seconds.
    /// Default 20.
    pub warmup_s: f64,
    /// Speed right after a restart, as a fraction of full speed. Default 0.5.
    pub warmup_capacity: f64,
}

impl Default for CrashConfig {
    fn default() -> Self {
        CrashConfig {
            enabled: false,
            memory_limit_mb: 512.0,
            request_kb: 256.0,
            restart_s: 5.0,
            warmup_s: 20.0,
            warmup_capacity: 0.5,
        }
    }
}

impl CrashConfig {
    /// Attempts a node may hold before it crashes: the largest `n` with
    /// `n × request_kb ≤ memory_limit_mb × 1024`.
    ///
    /// ```
    /// let c = sim_core::config::CrashConfig::default();
    /// assert_eq!(c.max_held(), 2048);
    /// ```
    pub fn max_held(&self) -> u64 {
        let n = (self.memory_limit_mb * 1024.0 / self.request_kb).floor();
        if n.is_finite() {
            n.max(0.0) as u64
        } else {
            u64::MAX
        }
    }
}

/// Active health checks by the balancer, with ejection and a panic mode.
///
/// Every `interval_ms` the balancer probes each node. A probe fails when the
/// node is down, or when its latency, taken as the wait of the oldest attempt
/// in the node's queue (what a request entering the queue would now expect to
/// wait), exceeds `probe_timeout_ms`. After `unhealthy_after` failures in a
/// row the node is ejected (gets no traffic); after `healthy_after` passes in
/// a row it is readmitted. When fewer than `panic_threshold` of the nodes are
/// healthy, the balancer routes to every node, as Envoy's panic mode does.
/// Defaults follow Kubernetes probes (period 10 s there: here 1 s, so the
/// effect shows within a minute; timeout 1 s, failure threshold 3, success
/// threshold 1) and Envoy's default panic threshold of 50%.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    /// Probe and eject. Default off: the balancer sends to every node, dead
    /// or alive.
    pub enabled: bool,
    /// Time between two probes of a node, milliseconds. Default 1,000.
    pub interval_ms: f64,
    /// A probe slower than this fails, milliseconds. Default 1,000.
    pub probe_timeout_ms: f64,
    /// Failed probes in a row that eject a node. Default 3.
    pub unhealthy_after: u32,
    /// Passed probes in a row that readmit it. Default 1.
    pub healthy_after: u32,
    /// Below this share of healthy nodes, route to all nodes. Default 0.5;
    /// 0 disables panic mode.
    pub panic_threshold: f64,
    /// How a probe measures the node: `request` (a real request through
    /// the node's queue and a worker) in `HealthConfig::default()`;
    /// `queue-wait` (the oldest queued attempt's wait, the model before)
    /// for a scenario file that leaves the field out. See [`ProbeMode`].
    #[serde(default = "ProbeMode::legacy")]
    pub probe_mode: ProbeMode,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            enabled: false,
            interval_ms: 1000.0,
            probe_timeout_ms: 1000.0,
            unhealthy_after: 3,
            healthy_after: 1,
            panic_threshold: 0.5,
            probe_mode: ProbeMode::Request,
        }
    }
}

/// Server-side queue policies, each off by default. They act beside the
/// queue capacity (which always applies).
///
/// - `drop_expired`: attempts carry their client's deadline (as gRPC and
///   Finagle propagate it); a worker that takes an attempt from the queue
///   with less than `deadline_margin_ms` left before that deadline drops it
///   unserved, since it could not finish in time. With no margin, under
///   sustained overload a FIFO queue settles at a wait just short of the
///   deadline, and almost every attempt then expires during its service.
/// - CoDel, as Facebook runs it for RPC queues (Maurer, "Fail at Scale", ACM
///   Queue 13(8), 2015, after Nichols and Jacobson, "Controlling Queue
///   Delay", 2012): if the queue has not been empty in the last
///   `codel_interval_ms`, an attempt that waited more than `codel_target_ms`
///   is answered with a 503 when it reaches the head; otherwise the limit is
///   `codel_interval_ms`.
/// - Adaptive LIFO (same source): while more than `lifo_above` attempts wait,
///   the newest is served first, so fresh requests meet their deadlines while
///   the old ones (likely abandoned) wait.
/// - A concurrency limit: a node accepts at most `concurrency_limit`
///   attempts in service and queued together; the next gets a 503.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SheddingConfig {
    /// Drop queued attempts whose client deadline has passed or is too
    /// close to finish. Default off.
    pub drop_expired: bool,
    /// Time an attempt must still have before its deadline to be worth
    /// starting, ms. Default 30: three mean service times of the default
    /// node, so only e^-3 ≈ 5% of exponential services overrun it.
    pub deadline_margin_ms: f64,
    /// CoDel on the waiting room. Default off.
    pub codel: bool,
    /// CoDel's queueing-delay target under standing load, ms. Default 5.
    pub codel_target_ms: f64,
    /// CoDel's interval, and the delay limit without a standing queue, ms.
    /// Default 100.
    pub codel_interval_ms: f64,
    /// Adaptive LIFO. Default off.
    pub adaptive_lifo: bool,
    /// Queue length above which adaptive LIFO serves newest first. Default 32.
    pub lifo_above: u32,
    /// Cap attempts held per node (in service + queued). Default off.
    pub limit_concurrency: bool,
    /// The cap, attempts per node. Default 64.
    pub concurrency_limit: u32,
}

impl Default for SheddingConfig {
    fn default() -> Self {
        SheddingConfig {
            drop_expired: false,
            deadline_margin_ms: 30.0,
            codel: false,
            codel_target_ms: 5.0,
            codel_interval_ms: 100.0,
            adaptive_lifo: false,
            lifo_above: 32,
            limit_concurrency: false,
            concurrency_limit: 64,
        }
    }
}

impl SheddingConfig {
    /// True when any policy acts at dequeue time (the engine then checks
    /// each attempt a worker takes).
    pub fn acts_at_dequeue(&self) -> bool {
        self.drop_expired || self.codel || self.adaptive_lifo
    }
}

/// Thread-per-request nodes on a few cores, and load-dependent latency.
///
/// With `enabled`, a node's busy workers share its `cores` (processor
/// sharing): service times are CPU work at one core's speed. While no more
/// workers are runnable than there are cores, each runs at full speed. With
/// `n > cores` runnable, every core time-slices among them and part of its
/// time goes to context switches (the switch itself and the cold caches
/// after it): the share of CPU left for useful work is
/// `1 / (1 + switch_overhead × (n − cores))`, an overhead linear in the
/// excess threads as in the coherency term of Gunther's Universal
/// Scalability Law (*Guerrilla Capacity Planning*, 2007). So throughput grows
/// with the pool up to the cores and falls beyond. The default
/// `switch_overhead` is calibrated so that a pool 8× the cores, all busy,
/// spends 40% of its CPU switching: `(0.4 / 0.6) / (7 × 32) ≈ 0.003`, the
/// order of the throughput losses measured for thread oversubscription
/// (Li, Ding and Shen, "Quantifying the cost of context switch", 2007, put
/// the indirect, cache-related cost at up to tens of times the direct one).
///
/// `service_ms_per_inflight` adds a concurrency-dependent part to every
/// service time, mean `service_ms_mean + k × attempts held by the node`
/// (lock and resource contention), with or without `enabled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CpuConfig {
    /// Share the nodes' cores among busy workers. Default off: every worker
    /// has a core of its own, as in the reference model.
    pub enabled: bool,
    /// Cores per node. Default 32, so that the default pool of 32 workers
    /// sees no contention and the same capacity as without the CPU model.
    pub cores: u32,
    /// CPU share lost to switching per runnable thread beyond the cores, in
    /// units of useful work. Default 0.003.
    pub switch_overhead: f64,
    /// Extra mean service time per attempt the node holds, ms. Default 0.
    pub service_ms_per_inflight: f64,
}

impl Default for CpuConfig {
    fn default() -> Self {
        CpuConfig { enabled: false, cores: 32, switch_overhead: 0.003, service_ms_per_inflight: 0.0 }
    }
}

impl CpuConfig {
    /// Share of the busy cores' time left for useful work with `runnable`
    /// threads.
    ///
    /// ```
    /// let c = sim_core::config::CpuConfig::default();
    /// assert_eq!(c.useful_share(32), 1.0);
    /// assert!((c.useful_share(256) - 0.6).abs() < 0.01); // 8x the cores: 40% switching
    /// ```
    pub fn useful_share(&self, runnable: u32) -> f64 {
        let excess = runnable.saturating_sub(self.cores) as f64;
        1.0 / (1.0 + self.switch_overhead * excess)
    }
}

/// A database shared by every node, and each node's connection pool.
///
/// With `enabled`, every attempt a worker takes first needs a connection
/// from its node's pool of `pool_size` (waiting up to `acquire_timeout_ms`,
/// then failing with an error the client sees), then runs one query at the
/// database, then does its own service time. The worker is held throughout.
/// The database runs its queries processor-shared on `cores`, slowed by
/// contention as in Gunther's Universal Scalability Law: with `k` queries
/// running, each progresses at `min(1, cores/k) / (1 + σ(k−1) + κk(k−1))`
/// of its speed alone, where σ = `serial_fraction` is the share serialised on
/// locks and κ = `crosstalk` the cost of keeping them coherent (lock
/// convoys, latch and buffer contention). Its throughput therefore peaks at
/// `k ≈ sqrt((1−σ)/κ)` concurrent queries and falls beyond: adding app nodes,
/// each with its own pool, pushes `k` past that point. Pool defaults follow
/// HikariCP (`maximumPoolSize` 10); its `connectionTimeout` is 30 s, cut here
/// to 1 s so that the failure shows within a client timeout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbConfig {
    /// Every attempt queries the database. Default off.
    pub enabled: bool,
    /// Connections per node. Default 10.
    pub pool_size: u32,
    /// Longest wait for a connection before the attempt fails, ms. Default 1,000.
    pub acquire_timeout_ms: f64,
    /// Mean query time alone on an idle database (exponential), ms. Default 2.
    pub query_ms_mean: f64,
    /// Database cores. Default 16.
    pub cores: u32,
    /// USL σ: share of a query serialised on locks. Default 0.02.
    pub serial_fraction: f64,
    /// USL κ: coherency cost per pair of concurrent queries. Default 0.0005.
    pub crosstalk: f64,
}

impl Default for DbConfig {
    fn default() -> Self {
        DbConfig {
            enabled: false,
            pool_size: 10,
            acquire_timeout_ms: 1000.0,
            query_ms_mean: 2.0,
            cores: 16,
            serial_fraction: 0.02,
            crosstalk: 0.0005,
        }
    }
}

impl DbConfig {
    /// Speed of each of `k` concurrent queries relative to one alone.
    ///
    /// ```
    /// let db = sim_core::config::DbConfig::default();
    /// assert_eq!(db.speed(1), 1.0);
    /// assert!(db.speed(64) * 64.0 < db.speed(32) * 32.0); // past the peak
    /// ```
    pub fn speed(&self, k: u32) -> f64 {
        if k == 0 {
            return 1.0;
        }
        let k_f = k as f64;
        let share = (self.cores as f64 / k_f).min(1.0);
        share / (1.0 + self.serial_fraction * (k_f - 1.0) + self.crosstalk * k_f * (k_f - 1.0))
    }
}

/// A cache holding one hot key that a share of requests read.
///
/// A read that finds the key fresh is a hit and skips the expensive part. A
/// read after the key expired recomputes it (`recompute_ms` of work: at the
/// database when it is on, else in the worker) and then stores it for
/// `ttl_s`. Without protection, every read that arrives while the first
/// recomputation runs misses too and recomputes as well: a stampede of about
/// `read rate × recompute time` regenerations per expiry. With `coalesce`,
/// later readers wait for the one recomputation in flight (request
/// coalescing, "single flight"). With `early_refresh`, each read of a fresh
/// key recomputes early with a probability that rises towards the expiry
/// (XFetch: recompute if `now − δ·β·ln(u) ≥ expiry`, δ the last recompute
/// time; Vattani, Chierichetti and Lowenstein, "Optimal Probabilistic Cache
/// Stampede Prevention", VLDB 2015), so one reader refreshes it before it
/// expires. The cache starts warm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Model the hot key. Default off.
    pub enabled: bool,
    /// Share of requests that read the hot key. Default 0.5.
    pub hot_share: f64,
    /// Time a computed value stays fresh, seconds. Default 10.
    pub ttl_s: f64,
    /// Work to recompute the value, ms. Default 100.
    pub recompute_ms: f64,
    /// Share one recomputation among concurrent misses. Default off.
    pub coalesce: bool,
    /// Probabilistic early refresh (XFetch). Default off.
    pub early_refresh: bool,
    /// XFetch's β: above 1 refreshes earlier. Default 1.
    pub early_beta: f64,
    /// Keys the reads are spread over, by a Zipf law; 0 (the default) is
    /// the single hot key above. With keys, the cache is an LRU of
    /// `capacity` entries that also expire after `ttl_s`; a miss recomputes
    /// its key (`recompute_ms`) and stores it when done. Coalescing and
    /// early refresh apply to the single hot key only.
    pub keys: u32,
    /// The Zipf exponent of key popularity: 0 is uniform, 1 the classic web
    /// skew. Default 1.
    pub zipf_s: f64,
    /// Entries the keyed cache holds (at most `keys`). Default 1,000.
    pub capacity: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: false,
            hot_share: 0.5,
            ttl_s: 10.0,
            recompute_ms: 100.0,
            coalesce: false,
            early_refresh: false,
            early_beta: 1.0,
            keys: 0,
            zipf_s: 1.0,
            capacity: 1000,
        }
    }
}

/// A scripted incident: at `at_s`, something happens to a service (the
/// entry unless `service` names another), for `duration_s` where that means
/// something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// When it happens, simulated seconds.
    pub at_s: f64,
    /// Which node, counted from 0 within its service (crash only). Default 0.
    #[serde(default)]
    pub node: u32,
    /// What happens. Default a crash.
    #[serde(default)]
    pub kind: FaultKind,
    /// The service it hits; empty for the entry. Default empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service: String,
    /// How long it lasts, seconds (all kinds but crash and cache flush).
    /// Default 10.
    #[serde(default = "default_fault_duration")]
    pub duration_s: f64,
    /// Its size: the service-time multiplier of a latency spike (default
    /// 5), or the share of workers lost or of attempts failed (default 0.5).
    /// 0 takes the kind's default.
    #[serde(default)]
    pub magnitude: f64,
    /// The service whose calls from `service` a partition drops.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
}

fn default_fault_duration() -> f64 {
    10.0
}

impl Fault {
    /// A crash of `node` of the entry service at `at_s`.
    pub fn crash(at_s: f64, node: u32) -> Fault {
        Fault {
            at_s,
            node,
            kind: FaultKind::Crash,
            service: String::new(),
            duration_s: 10.0,
            magnitude: 0.0,
            to: String::new(),
        }
    }

    /// The magnitude in force: the given one, or the kind's default.
    pub fn size(&self) -> f64 {
        if self.magnitude > 0.0 {
            return self.magnitude;
        }
        match self.kind {
            FaultKind::LatencySpike => 5.0,
            FaultKind::CapacityLoss | FaultKind::ErrorInjection => 0.5,
            _ => 0.0,
        }
    }
}

/// What a scripted fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The node's process dies (losing what it holds) and restarts after
    /// `crash.restart_s`.
    #[default]
    Crash,
    /// The service's work takes `magnitude` times longer (a bad deploy, a
    /// noisy neighbour, a garbage-collection storm).
    LatencySpike,
    /// A share `magnitude` of each node's workers is gone (a lost zone, a
    /// throttled container).
    CapacityLoss,
    /// A share `magnitude` of the attempts reaching the service fail at
    /// once with an error.
    ErrorInjection,
    /// Every attempt `service` sends to `to` is dropped: callers time out.
    Partition,
    /// The service's cache loses its value at once.
    CacheFlush,
}

impl FaultKind {
    /// Every kind, in the order the UI lists them.
    pub const ALL: [FaultKind; 6] = [
        FaultKind::Crash,
        FaultKind::LatencySpike,
        FaultKind::CapacityLoss,
        FaultKind::ErrorInjection,
        FaultKind::Partition,
        FaultKind::CacheFlush,
    ];
}

/// Why a configuration was refused. Each variant names the field (as a dotted
/// TOML path) so that the CLI and the UI can point at it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// A number is NaN or infinite.
    NotFinite {
        /// Dotted path of the field.
        field: &'static str,
    },
    /// A number lies outside its allowed range.
    OutOfRange {
        /// Dotted path of the field.
        field: &'static str,
        /// The value given.
        value: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// Unit of the field, for the message.
        unit: &'static str,
    },
    /// A mistake in the settings of one service of a system.
    Service {
        /// The service's name.
        service: String,
        /// The mistake, with the field's path inside the service.
        source: Box<ConfigError>,
    },
    /// A mistake in the client policy of a call edge.
    Call {
        /// Name of the service called.
        to: String,
        /// The mistake, with the field's path inside the call.
        source: Box<ConfigError>,
    },
    /// The system's shape is not allowed: an unknown or repeated name, a
    /// cycle, or more services or calls than the documented limits.
    Topology {
        /// The service the mistake is in ("" when it is the whole list).
        service: String,
        /// What is wrong, as one sentence.
        message: String,
    },
    /// Two fields together ask for more than a documented limit.
    TooLarge {
        /// Dotted path of the field to lower.
        field: &'static str,
        /// What the combination amounts to.
        value: f64,
        /// The limit.
        max: f64,
        /// What is being counted.
        what: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NotFinite { field } => write!(f, "{field}: must be a finite number"),
            ConfigError::OutOfRange { field, value, min, max, unit } => {
                let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
                write!(f, "{field} = {value}: allowed range is {min} to {max}{unit}")
            }
            ConfigError::Service { service, source } => write!(f, "services.{service}.{source}"),
            ConfigError::Call { to, source } => write!(f, "calls.{to}.{source}"),
            ConfigError::Topology { service, message } if service.is_empty() => write!(f, "services: {message}"),
            ConfigError::Topology { service, message } => write!(f, "services.{service}: {message}"),
            ConfigError::TooLarge { field, value, max, what } => {
                write!(
                    f,
                    "{field}: this run needs up to {value:.3e} {what}, more than the limit of {max:.3e}; lower it"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// Dotted path of the offending field.
    pub fn field(&self) -> &'static str {
        match self {
            ConfigError::NotFinite { field }
            | ConfigError::OutOfRange { field, .. }
            | ConfigError::TooLarge { field, .. } => field,
            ConfigError::Service { source, .. } | ConfigError::Call { source, .. } => source.field(),
            ConfigError::Topology { .. } => "services",
        }
    }

    /// This error, placed in service `name`.
    pub fn in_service(self, name: &str) -> ConfigError {
        ConfigError::Service { service: name.to_string(), source: Box::new(self) }
    }

    /// This error, placed in the call to `to`.
    pub fn in_call(self, to: &str) -> ConfigError {
        ConfigError::Call { to: to.to_string(), source: Box::new(self) }
    }
}

/// Allowed ranges, shared by validation, the CLI's help and the UI's sliders.
pub mod limits {
    /// `(min, max)` of `traffic.rate_per_s`.
    pub const RATE_PER_S: (f64, f64) = (0.0, 1_000_000.0);
    /// `(min, max)` of `traffic.duration_s` (one simulated day).
    pub const DURATION_S: (f64, f64) = (0.001, 86_400.0);
    /// `(min, max)` of `traffic.spike_mult`.
    pub const SPIKE_MULT: (f64, f64) = (0.0, 100.0);
    /// `(min, max)` of `traffic.spike_start_s` and `traffic.spike_end_s`.
    pub const SPIKE_TIME_S: (f64, f64) = (0.0, 86_400.0);
    /// `(min, max)` of `traffic.period_s`: at least a second, so that the
    /// bursts shape needs at most one burst a second (86,400 in a day).
    pub const PERIOD_S: (f64, f64) = (1.0, 86_400.0);
    /// `(min, max)` of `traffic.amplitude`: up to 1, so the rate never goes
    /// below zero.
    pub const AMPLITUDE: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `client.timeout_s`.
    pub const TIMEOUT_S: (f64, f64) = (0.001, 3_600.0);
    /// `(min, max)` of `client.attempts`.
    pub const ATTEMPTS: (u32, u32) = (1, 100);
    /// `(min, max)` of `client.backoff_base_ms` and `client.backoff_cap_ms`.
    pub const BACKOFF_MS: (f64, f64) = (0.0, 3_600_000.0);
    /// `(min, max)` of `client.network_ms` and `client.network_jitter_ms`.
    pub const NETWORK_MS: (f64, f64) = (0.0, 60_000.0);
    /// `(min, max)` of `traffic.users` (closed loop).
    pub const USERS: (u32, u32) = (0, 1_000_000);
    /// `(min, max)` of `traffic.think_ms`.
    pub const THINK_MS: (f64, f64) = (0.0, 3_600_000.0);
    /// `(min, max)` of `cache.keys` (its Zipf table takes 8 bytes a key).
    pub const CACHE_KEYS: (u32, u32) = (0, 1_000_000);
    /// `(min, max)` of `cache.zipf_s`.
    pub const ZIPF_S: (f64, f64) = (0.0, 5.0);
    /// `(min, max)` of `cache.capacity`.
    pub const CACHE_CAPACITY: (u32, u32) = (0, 1_000_000);
    /// `(min, max)` of `nodes.count`.
    pub const NODES: (u32, u32) = (1, 1024);
    /// `(min, max)` of `nodes.workers`.
    pub const WORKERS: (u32, u32) = (1, 100_000);
    /// `(min, max)` of `nodes.service_ms_mean`.
    pub const SERVICE_MS: (f64, f64) = (0.001, 600_000.0);
    /// `(min, max)` of `nodes.queue_capacity`.
    pub const QUEUE: (u32, u32) = (0, 1_000_000);
    /// `(min, max)` of `nodes.service_cv` (the uniform allows at most 1/√3).
    pub const SERVICE_CV: (f64, f64) = (0.0, 10.0);
    /// `(min, max)` of `nodes.bimodal_share`.
    pub const BIMODAL_SHARE: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `nodes.slow_factor`.
    pub const SLOW_FACTOR: (f64, f64) = (1.0, 100.0);
    /// `(min, max)` of `crash.memory_limit_mb`.
    pub const MEMORY_MB: (f64, f64) = (1.0, 1_048_576.0);
    /// `(min, max)` of `crash.request_kb`.
    pub const REQUEST_KB: (f64, f64) = (0.001, 1_048_576.0);
    /// `(min, max)` of `crash.restart_s` and `crash.warmup_s`.
    pub const RESTART_S: (f64, f64) = (0.0, 3_600.0);
    /// `(min, max)` of `crash.warmup_capacity`.
    pub const WARMUP_CAPACITY: (f64, f64) = (0.01, 1.0);
    /// `(min, max)` of `health.interval_ms` (at least 10 ms, so probes stay a
    /// small share of the events).
    pub const PROBE_INTERVAL_MS: (f64, f64) = (10.0, 600_000.0);
    /// `(min, max)` of `health.probe_timeout_ms`.
    pub const PROBE_TIMEOUT_MS: (f64, f64) = (0.001, 600_000.0);
    /// `(min, max)` of `health.unhealthy_after` and `health.healthy_after`.
    pub const PROBE_COUNT: (u32, u32) = (1, 100);
    /// `(min, max)` of `health.panic_threshold`.
    pub const PANIC_THRESHOLD: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `shedding.deadline_margin_ms`.
    pub const DEADLINE_MARGIN_MS: (f64, f64) = (0.0, 3_600_000.0);
    /// `(min, max)` of `shedding.codel_target_ms` and `shedding.codel_interval_ms`.
    pub const CODEL_MS: (f64, f64) = (0.001, 600_000.0);
    /// `(min, max)` of `shedding.lifo_above`.
    pub const LIFO_ABOVE: (u32, u32) = (0, 1_000_000);
    /// `(min, max)` of `shedding.concurrency_limit`.
    pub const CONCURRENCY_LIMIT: (u32, u32) = (1, 1_000_000);
    /// `(min, max)` of `cpu.cores`.
    pub const CORES: (u32, u32) = (1, 4_096);
    /// `(min, max)` of `cpu.switch_overhead`.
    pub const SWITCH_OVERHEAD: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `cpu.service_ms_per_inflight`.
    pub const PER_INFLIGHT_MS: (f64, f64) = (0.0, 1_000.0);
    /// `(min, max)` of `db.pool_size`.
    pub const POOL_SIZE: (u32, u32) = (1, 10_000);
    /// `(min, max)` of `db.acquire_timeout_ms`.
    pub const ACQUIRE_TIMEOUT_MS: (f64, f64) = (0.001, 600_000.0);
    /// `(min, max)` of `db.query_ms_mean`.
    pub const QUERY_MS: (f64, f64) = (0.001, 600_000.0);
    /// `(min, max)` of `db.serial_fraction`.
    pub const SERIAL_FRACTION: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `db.crosstalk`.
    pub const CROSSTALK: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `cache.hot_share`.
    pub const SHARE: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `cache.ttl_s`.
    pub const TTL_S: (f64, f64) = (0.001, 86_400.0);
    /// `(min, max)` of `cache.recompute_ms`.
    pub const RECOMPUTE_MS: (f64, f64) = (0.0, 600_000.0);
    /// `(min, max)` of `cache.early_beta`.
    pub const EARLY_BETA: (f64, f64) = (0.0, 100.0);
    /// `(min, max)` of `faults[].at_s`.
    pub const FAULT_AT_S: (f64, f64) = (0.0, 86_400.0);
    /// Most scripted faults in one scenario.
    pub const MAX_FAULTS: usize = 1_000;
}

impl Config {
    /// Checks every field against its range and the run against the event
    /// and memory limits. Cheap: allocates nothing.
    ///
    /// ```
    /// let mut c = sim_core::Config::default();
    /// assert!(c.validate().is_ok());
    /// c.traffic.rate_per_s = f64::NAN;
    /// assert_eq!(c.validate().unwrap_err().field(), "traffic.rate_per_s");
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_from(0.0, 0)
    }

    /// Validation for a run already at `from_s` seconds with `events_so_far`
    /// processed (a live change): the event cap counts what has been
    /// processed plus the worst case of what remains.
    pub fn validate_from(&self, from_s: f64, events_so_far: u64) -> Result<(), ConfigError> {
        self.validate_ranges()?;
        let slots: u64 = self.system().iter().map(|s| s.nodes.count as u64 * s.nodes.queue_capacity as u64).sum();
        if slots > MAX_TOTAL_QUEUE_SLOTS {
            return Err(ConfigError::TooLarge {
                field: "nodes.queue_capacity",
                value: slots as f64,
                max: MAX_TOTAL_QUEUE_SLOTS as f64,
                what: "queue slots over all nodes",
            });
        }
        let events = events_so_far as f64 + self.estimated_max_events_from(from_s);
        if events > MAX_EVENTS_PER_RUN as f64 {
            return Err(ConfigError::TooLarge {
                field: "traffic.rate_per_s",
                value: events,
                max: MAX_EVENTS_PER_RUN as f64,
                what: "events (rate × duration × attempts)",
            });
        }
        Ok(())
    }

    fn validate_ranges(&self) -> Result<(), ConfigError> {
        use crate::catalogue::{Scope, FIELDS};
        for f in FIELDS.iter().filter(|f| f.scope != Scope::Tier) {
            f.check(f.path, f.get(self))?;
        }
        if self.services.is_empty() {
            self.single_service().validate_tier()?;
        } else {
            self.validate_services()?;
        }
        self.validate_faults()
    }

    fn validate_faults(&self) -> Result<(), ConfigError> {
        use limits::*;
        if self.faults.len() > MAX_FAULTS {
            return Err(ConfigError::TooLarge {
                field: "faults",
                value: self.faults.len() as f64,
                max: MAX_FAULTS as f64,
                what: "scripted faults",
            });
        }
        let system = self.system();
        for f in &self.faults {
            for (field, v) in
                [("faults.at_s", f.at_s), ("faults.duration_s", f.duration_s), ("faults.magnitude", f.magnitude)]
            {
                if !v.is_finite() {
                    return Err(ConfigError::NotFinite { field });
                }
            }
            range("faults.at_s", f.at_s, FAULT_AT_S, "s")?;
            range("faults.duration_s", f.duration_s, FAULT_AT_S, "s")?;
            let max = if f.kind == FaultKind::LatencySpike { 1000.0 } else { 1.0 };
            range("faults.magnitude", f.magnitude, (0.0, max), "")?;
            let Some(s) = system.iter().find(|s| f.service.is_empty() || s.name == f.service) else {
                let message = format!("a fault names service {:?}, which is not listed", f.service);
                return Err(ConfigError::Topology { service: String::new(), message });
            };
            range("faults.node", f.node as f64, (0.0, s.nodes.count as f64 - 1.0), "")?;
            if f.kind == FaultKind::Partition && !s.calls.iter().any(|c| c.to == f.to) {
                let message =
                    format!("a partition fault names the call to {:?}, which this service does not make", f.to);
                return Err(ConfigError::Topology { service: s.name.clone(), message });
            }
        }
        Ok(())
    }

    /// Each service's sections and calls, and the topology: names unique and
    /// known, no cycle, within the size limits. The top-level tier sections
    /// must keep their defaults, since each service has its own.
    fn validate_services(&self) -> Result<(), ConfigError> {
        let d = ServiceConfig::default();
        let mut top = self.single_service();
        // A file written before probes could be requests reads a missing
        // `probe_mode` as the old model (serde's default, so old files keep
        // their meaning); that alone does not set the top-level [health].
        top.health.probe_mode = d.health.probe_mode;
        if top != d {
            let section = [
                ("balancer", top.balancer != d.balancer),
                ("nodes", top.nodes != d.nodes),
                ("crash", top.crash != d.crash),
                ("health", top.health != d.health),
                ("shedding", top.shedding != d.shedding),
                ("cpu", top.cpu != d.cpu),
                ("db", top.db != d.db),
                ("cache", top.cache != d.cache),
                ("limiter", top.limiter != d.limiter),
                ("rate_limit", top.rate_limit != d.rate_limit),
                ("autoscaler", top.autoscaler != d.autoscaler),
            ]
            .into_iter()
            .find_map(|(name, differs)| differs.then_some(name))
            .unwrap_or("services");
            return Err(ConfigError::Topology {
                service: String::new(),
                message: format!("[{section}] is set at the top level, but with [[services]] listed each service sets its own [services.{section}]"),
            });
        }
        crate::topology::Topology::build(&self.services)?;
        for s in &self.services {
            s.validate_tier().map_err(|e| e.in_service(&s.name))?;
            for call in &s.calls {
                call.validate().map_err(|e| e.in_service(&s.name))?;
            }
        }
        Ok(())
    }

    /// Expected number of logical requests over the run, spike included.
    pub fn expected_requests(&self) -> f64 {
        self.expected_requests_from(0.0)
    }

    /// Expected logical requests arriving between `from_s` and the end: the
    /// integral of the shape's rate, in closed form so that validation stays
    /// cheap (the spike keeps the formula it always had).
    pub(crate) fn expected_requests_from(&self, from_s: f64) -> f64 {
        let t = &self.traffic;
        let (r, d) = (t.rate_per_s, t.duration_s);
        let from = from_s.clamp(0.0, d);
        match t.shape {
            TrafficShape::Spike => {
                let s0 = t.spike_start_s.clamp(0.0, d);
                let s1 = t.spike_end_s.clamp(s0, d);
                let spike_left = (s1 - s0.max(from)).max(0.0);
                r * ((d - from) + (t.spike_mult - 1.0) * spike_left)
            }
            TrafficShape::Constant => r * (d - from),
            TrafficShape::Step => ramp_integral(r, r * t.spike_mult, t.spike_start_s, t.spike_start_s, from, d),
            TrafficShape::Ramp => ramp_integral(r, r * t.spike_mult, t.spike_start_s, t.spike_end_s, from, d),
            TrafficShape::Tenfold => ramp_integral(r, 10.0 * r, t.spike_start_s, t.spike_start_s + 60.0, from, d),
            TrafficShape::Diurnal => {
                // ∫ r(1 + A sin(2πt/P)) dt = r(b − a) + rAP/2π (cos(2πa/P) − cos(2πb/P)).
                let w = 2.0 * std::f64::consts::PI / t.period_s;
                r * (d - from) + r * t.amplitude / w * (libm::cos(w * from) - libm::cos(w * d))
            }
            TrafficShape::Bursts => {
                let burst = |x: f64| burst_time(t.spike_start_s, t.spike_end_s - t.spike_start_s, t.period_s, x);
                r * (d - from) + r * (t.spike_mult - 1.0) * (burst(d) - burst(from))
            }
        }
    }

    /// A generous bound on the events a run processes: per logical request one
    /// arrival, and per attempt at most a service completion, a timeout and a
    /// retry wake-up (plus slack for Poisson variance), plus one sample a second.
    pub fn estimated_max_events(&self) -> f64 {
        self.estimated_max_events_from(0.0)
    }

    fn estimated_max_events_from(&self, from_s: f64) -> f64 {
        // Per attempt: a completion, a timeout and a retry wake-up; processor
        // sharing reschedules its next completion on every start and finish;
        // the database adds those for queries and a pool timeout.
        let per_attempt = 3.0 + if self.cpu.enabled { 2.0 } else { 0.0 } + if self.db.enabled { 3.0 } else { 0.0 };
        // A hedging client wakes once more per attempt to decide. The hedges
        // themselves are not counted: near the p95 they add a few percent
        // (the engine's event cap stops a run whose hedges add more).
        let hedge = if self.client.hedge.enabled { 1.0 + 1.0 / per_attempt } else { 1.0 };
        let per_request = 1.0 + per_attempt * hedge * self.client.attempts as f64;
        let left_s = (self.traffic.duration_s - from_s).max(0.0);
        let probes =
            if self.health.enabled { self.nodes.count as f64 * left_s * 1000.0 / self.health.interval_ms } else { 0.0 };
        // A probe request adds its service and its timeout to the probe.
        let probes = if self.health.probe_mode == ProbeMode::Request { 3.0 * probes } else { probes };
        1.1 * self.expected_requests_from(from_s) * per_request
            + self.traffic.duration_s
            + probes
            + 3.0 * self.faults.len() as f64
            + 1000.0
    }

    /// True when anything beyond the reference model is switched on (its
    /// reports then carry the mechanisms' figures too).
    pub fn uses_mechanisms(&self) -> bool {
        let s = &self.shedding;
        self.crash.enabled
            || self.health.enabled
            || !self.faults.is_empty()
            || self.cpu.enabled
            || self.cpu.service_ms_per_inflight > 0.0
            || s.drop_expired
            || s.codel
            || s.adaptive_lifo
            || s.limit_concurrency
            || self.nodes.slow_count > 0
            || self.db.enabled
            || self.cache.enabled
            || self.limiter.adaptive
            || self.rate_limit.enabled
            || self.autoscaler.enabled
    }

    /// The top-level tier sections as one service (named "app"): the whole
    /// system of a scenario that lists no services.
    pub fn single_service(&self) -> ServiceConfig {
        ServiceConfig {
            name: SINGLE_SERVICE_NAME.to_string(),
            balancer: self.balancer.clone(),
            nodes: self.nodes.clone(),
            crash: self.crash.clone(),
            health: self.health.clone(),
            shedding: self.shedding.clone(),
            cpu: self.cpu.clone(),
            db: self.db.clone(),
            cache: self.cache.clone(),
            limiter: self.limiter.clone(),
            rate_limit: self.rate_limit.clone(),
            autoscaler: self.autoscaler.clone(),
            call_mode: CallMode::Sequential,
            calls: Vec::new(),
        }
    }

    /// Writes a service's sections back to the top level (name and calls
    /// are not kept).
    pub fn set_single_service(&mut self, s: ServiceConfig) {
        self.balancer = s.balancer;
        self.nodes = s.nodes;
        self.crash = s.crash;
        self.health = s.health;
        self.shedding = s.shedding;
        self.cpu = s.cpu;
        self.db = s.db;
        self.cache = s.cache;
        self.limiter = s.limiter;
        self.rate_limit = s.rate_limit;
        self.autoscaler = s.autoscaler;
    }

    /// The services of the scenario, the entry first: the listed ones, or
    /// the one service of the top-level sections.
    pub fn system(&self) -> Vec<ServiceConfig> {
        if self.services.is_empty() {
            vec![self.single_service()]
        } else {
            self.services.clone()
        }
    }

    /// Number of whole per-second buckets in the run: `ceil(duration_s)`.
    pub fn seconds(&self) -> usize {
        self.traffic.duration_s.ceil().max(1.0) as usize
    }
}

/// `∫ λ` over `[from, to]` for a rate that is `r0` until `a`, linear to `r1`
/// at `b`, then `r1` (a step at `a` when `b ≤ a`): the ramp, step and
/// tenfold shapes, integrated piece by piece (trapezoid on the linear piece).
fn ramp_integral(r0: f64, r1: f64, a: f64, b: f64, from: f64, to: f64) -> f64 {
    let rate = |x: f64| {
        if x <= a {
            r0
        } else if x >= b {
            r1
        } else {
            r0 + (r1 - r0) * (x - a) / (b - a)
        }
    };
    let (lo, hi) = (a.clamp(from, to), b.max(a).clamp(from, to));
    r0 * (lo - from) + (rate(lo) + rate(hi)) / 2.0 * (hi - lo) + r1 * (to - hi)
}

/// Seconds of burst in `[start, x]` when bursts of `len` (cut to one period)
/// begin at `start` and every `period` after it.
fn burst_time(start: f64, len: f64, period: f64, x: f64) -> f64 {
    let len = len.max(0.0).min(period);
    if x <= start || len <= 0.0 {
        return 0.0;
    }
    let k = libm::floor((x - start) / period);
    k * len + (x - start - k * period).min(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_matches_reference() {
        let c = Config::default();
        assert!(c.validate().is_ok());
        assert_eq!(c.traffic.rate_per_s, 10_000.0);
        assert_eq!(c.nodes.queue_capacity, 256);
        assert_eq!(c.client.backoff, Backoff::FullJitter);
        assert_eq!(c.seconds(), 60);
    }

    #[test]
    fn errors_name_field_and_range() {
        let mut c = Config::default();
        c.nodes.workers = 0;
        let e = c.validate().unwrap_err();
        assert_eq!(e.field(), "nodes.workers");
        assert_eq!(e.to_string(), "nodes.workers = 0: allowed range is 1 to 100000 workers");
        let mut c = Config::default();
        c.traffic.rate_per_s = -1.0;
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "traffic.rate_per_s = -1: allowed range is 0 to 1000000 req/s"
        );
        let mut c = Config::default();
        c.client.timeout_s = f64::INFINITY;
        assert_eq!(c.validate().unwrap_err(), ConfigError::NotFinite { field: "client.timeout_s" });
    }

    #[test]
    fn event_cap_rejects_huge_runs() {
        let mut c = Config::default();
        c.traffic.rate_per_s = 1_000_000.0;
        c.traffic.duration_s = 86_400.0;
        let e = c.validate().unwrap_err();
        assert!(matches!(e, ConfigError::TooLarge { field: "traffic.rate_per_s", .. }), "{e}");
    }

    #[test]
    fn event_cap_counts_only_what_remains() {
        let mut c = Config::default();
        c.traffic.duration_s = 3_600.0;
        c.traffic.rate_per_s = 50_000.0;
        c.client.attempts = 4;
        assert!(c.validate().is_err());
        assert!(c.validate_from(3_000.0, 100_000_000).is_ok());
        assert!(c.validate_from(3_000.0, 1_900_000_000).is_err());
    }

    #[test]
    fn expected_requests_count_the_spike_once() {
        let mut c = Config::default();
        c.traffic.spike_mult = 3.0;
        assert_eq!(c.expected_requests(), 10_000.0 * (60.0 + 2.0 * 10.0));
        assert_eq!(c.expected_requests_from(25.0), 10_000.0 * (35.0 + 2.0 * 5.0));
        assert_eq!(c.expected_requests_from(60.0), 0.0);
    }

    /// The default traffic (10,000 req/s for 60 s, window 20 s to 30 s) with
    /// `shape` and a multiplier of 3.
    fn shaped(shape: TrafficShape) -> Config {
        let mut c = Config::default();
        c.traffic.shape = shape;
        c.traffic.spike_mult = 3.0;
        c
    }

    #[test]
    fn expected_requests_of_constant_step_and_ramp() {
        assert_eq!(shaped(TrafficShape::Constant).expected_requests(), 600_000.0);
        assert_eq!(shaped(TrafficShape::Constant).expected_requests_from(45.0), 150_000.0);
        // 20 s at the base, then 40 s at 3×.
        assert_eq!(shaped(TrafficShape::Step).expected_requests(), 10_000.0 * (20.0 + 3.0 * 40.0));
        assert_eq!(shaped(TrafficShape::Step).expected_requests_from(50.0), 10_000.0 * 3.0 * 10.0);
        // 20 s at 1×, 10 s rising from 1× to 3× (mean 2×), 30 s at 3×.
        assert_eq!(shaped(TrafficShape::Ramp).expected_requests(), 10_000.0 * (20.0 + 20.0 + 90.0));
        // From 25 s: 5 s rising from 2× to 3×, then 30 s at 3×.
        assert_eq!(shaped(TrafficShape::Ramp).expected_requests_from(25.0), 10_000.0 * (12.5 + 90.0));
    }

    #[test]
    fn expected_requests_of_tenfold_diurnal_and_bursts() {
        // From 20 s rising by 9× per 60 s: 7× when the run ends at 60 s.
        assert_eq!(shaped(TrafficShape::Tenfold).expected_requests(), 10_000.0 * (20.0 + 4.0 * 40.0));
        let mut c = shaped(TrafficShape::Diurnal);
        assert!((c.expected_requests() - 600_000.0).abs() < 1e-6, "a whole period averages the base");
        c.traffic.duration_s = 15.0;
        let quarter = 10_000.0 * (15.0 + 0.5 * 60.0 / (2.0 * std::f64::consts::PI));
        assert!((c.expected_requests() - quarter).abs() < 1e-6, "{}", c.expected_requests());
        let mut c = shaped(TrafficShape::Bursts);
        c.traffic.period_s = 15.0;
        // Bursts at 20-30, 35-45 and 50-60 s: 30 s at 3×.
        assert_eq!(c.expected_requests(), 10_000.0 * (60.0 + 2.0 * 30.0));
        // From 40 s: 5 s and 10 s of burst left.
        assert_eq!(c.expected_requests_from(40.0), 10_000.0 * (20.0 + 2.0 * 15.0));
    }

    #[test]
    fn traffic_shape_parses_defaults_and_validates() {
        let c: Config = toml::from_str("[traffic]\nspike_mult = 2.0\n").unwrap();
        assert_eq!(c.traffic.shape, TrafficShape::Spike);
        assert_eq!((c.traffic.period_s, c.traffic.amplitude), (60.0, 0.5));
        let c: Config = toml::from_str("[traffic]\nshape = \"tenfold\"\nperiod_s = 120.0\n").unwrap();
        assert_eq!((c.traffic.shape, c.traffic.period_s), (TrafficShape::Tenfold, 120.0));
        assert!(toml::from_str::<Config>("[traffic]\nshape = \"sawtooth\"\n").is_err());
        for s in TrafficShape::ALL {
            assert_eq!(TrafficShape::from_name(s.name()), Some(s));
            let text = toml::to_string(&shaped(s)).unwrap();
            assert_eq!(toml::from_str::<Config>(&text).unwrap(), shaped(s));
        }
        let mut c = Config::default();
        c.traffic.period_s = 0.5;
        assert_eq!(c.validate().unwrap_err().to_string(), "traffic.period_s = 0.5: allowed range is 1 to 86400 s");
        c.traffic.period_s = f64::NAN;
        assert_eq!(c.validate().unwrap_err(), ConfigError::NotFinite { field: "traffic.period_s" });
        let mut c = Config::default();
        c.traffic.amplitude = 1.5;
        assert_eq!(c.validate().unwrap_err().field(), "traffic.amplitude");
    }

    #[test]
    fn names_round_trip() {
        for b in Backoff::ALL {
            assert_eq!(Backoff::from_name(b.name()), Some(b));
        }
        for l in LbPolicy::ALL {
            assert_eq!(LbPolicy::from_name(l.name()), Some(l));
        }
        assert_eq!(Backoff::from_name("linear"), None);
    }

    #[test]
    fn toml_round_trip_and_unknown_fields() {
        let c = Config::default();
        let text = toml::to_string(&c).unwrap();
        let back: Config = toml::from_str(&text).unwrap();
        assert_eq!(back, c);
        let partial: Config = toml::from_str("[traffic]\nrate_per_s = 14000.0\n").unwrap();
        assert_eq!(partial.traffic.rate_per_s, 14_000.0);
        assert_eq!(partial.nodes, NodesConfig::default());
        assert!(toml::from_str::<Config>("[traffic]\nrate = 1.0\n").is_err());
    }
}
