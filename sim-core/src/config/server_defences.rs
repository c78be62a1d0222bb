//! Configuration of the server-side defences (issue 10): adaptive
//! concurrency limits, a rate limiter, and an autoscaler, each a section of
//! every service (and of the top-level tier sections), each off by default.
//! The engine's side of each lives in its own module: `limiter.rs`,
//! `rate_limit.rs` and `autoscaler.rs` (hooks in `sim/scaling.rs`).

use serde::{Deserialize, Serialize};

/// The adaptive concurrency limit's algorithm, as in Netflix's
/// `concurrency-limits` library (`com.netflix.concurrency.limits.limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitAlgorithm {
    /// Additive increase, multiplicative decrease (`AIMDLimit`): +1 while
    /// the node uses at least half its limit, × `backoff_ratio` on a drop.
    #[default]
    Aimd,
    /// `Gradient2Limit`: the limit follows the ratio of a long-term RTT
    /// average to the latest RTT, plus a queue allowance.
    Gradient2,
}

impl LimitAlgorithm {
    /// Every algorithm, in the order the UI lists them.
    pub const ALL: [LimitAlgorithm; 2] = [LimitAlgorithm::Aimd, LimitAlgorithm::Gradient2];

    /// The name used in the TOML file and by `--set`.
    pub fn name(self) -> &'static str {
        match self {
            LimitAlgorithm::Aimd => "aimd",
            LimitAlgorithm::Gradient2 => "gradient2",
        }
    }

    /// Parses a name as printed by [`LimitAlgorithm::name`].
    pub fn from_name(s: &str) -> Option<LimitAlgorithm> {
        LimitAlgorithm::ALL.into_iter().find(|a| a.name() == s)
    }
}

/// An adaptive concurrency limit per node, as Netflix's `concurrency-limits`
/// (<https://github.com/Netflix/concurrency-limits>). Off by default. While
/// on, it takes the place of the fixed `shedding.concurrency_limit`: a node
/// answers a 503 to any attempt beyond its current limit of attempts held
/// (in service and queued together), and each attempt it finishes is a
/// sample (its time at the node, and whether its client had given up) that
/// moves the limit. Defaults are the library's builders'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimiterConfig {
    /// Adapt each node's concurrency limit. Default off.
    pub adaptive: bool,
    /// AIMD or Gradient2. Default AIMD.
    pub algorithm: LimitAlgorithm,
    /// The limit at the start, attempts. Default 20 (both algorithms).
    pub initial_limit: u32,
    /// The limit never goes below this, attempts. Default 20 (both).
    pub min_limit: u32,
    /// The limit never goes above this, attempts. Default 200 (both).
    pub max_limit: u32,
    /// AIMD: the limit is multiplied by this on a drop. Default 0.9.
    pub backoff_ratio: f64,
    /// AIMD: a sample slower than this counts as a drop, ms. Default 5,000
    /// (`AIMDLimit`'s default timeout of 5 s).
    pub timeout_ms: f64,
    /// Gradient2: weight of each new limit in the smoothed one. Default 0.2.
    pub smoothing: f64,
    /// Gradient2: window of the long-term RTT average, samples. Default 600.
    pub long_window: u32,
    /// Gradient2: how much slower than the long-term RTT the latest may be
    /// before the limit shrinks. Default 1.5.
    pub rtt_tolerance: f64,
    /// Gradient2: attempts allowed to queue above the estimated limit.
    /// Default 4.
    pub queue_size: u32,
}

impl Default for LimiterConfig {
    fn default() -> Self {
        LimiterConfig {
            adaptive: false,
            algorithm: LimitAlgorithm::Aimd,
            initial_limit: 20,
            min_limit: 20,
            max_limit: 200,
            backoff_ratio: 0.9,
            timeout_ms: 5_000.0,
            smoothing: 0.2,
            long_window: 600,
            rtt_tolerance: 1.5,
            queue_size: 4,
        }
    }
}

/// A token bucket in front of a service's balancer: it holds up to `burst`
/// tokens and gains `rate_per_s` a second; every attempt takes one, and an
/// attempt that finds none is answered at once with a 429 (Too Many
/// Requests) and never reaches a node. Off by default.
///
/// A 429 is a failure the client sees at once, like a 503: the client
/// retries it under its own policy (attempts and backoff), as gRPC treats
/// `RESOURCE_EXHAUSTED` and most HTTP clients a 429 without `Retry-After`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Rate-limit attempts to the service. Default off.
    pub enabled: bool,
    /// Tokens gained per second: the sustained rate admitted. Default 1,000.
    pub rate_per_s: f64,
    /// Tokens the bucket holds at most (and at the start): the burst
    /// admitted above the rate. Default 100.
    pub burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig { enabled: false, rate_per_s: 1_000.0, burst: 100 }
    }
}

/// A horizontal autoscaler like Kubernetes' HPA
/// (<https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/>).
/// Off by default. Every `interval_s` it reads the utilisation of the
/// service's serving nodes over the last whole second (busy workers, or
/// busy cores with the CPU model) and wants
/// `desired = ceil(current × utilisation / target_utilisation)` nodes,
/// within `[min_nodes, max_nodes]`. A new node serves after
/// `provisioning_s`, then warms up as a restarted node does
/// (`crash.warmup_s`, `crash.warmup_capacity`); a removed node stops getting
/// traffic and drains what it holds. The service starts with `nodes.count`;
/// outside `[min_nodes, max_nodes]`, the first evaluation brings it inside,
/// as the HPA does with a deployment's replicas. It can be switched on and
/// off mid-run (switched off, nodes being provisioned are cancelled and the
/// serving ones stay); `max_nodes` needs a reset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoscalerConfig {
    /// Scale the service's node count. Default off.
    pub enabled: bool,
    /// Utilisation the autoscaler aims for, 0 to 1. Default 0.7.
    pub target_utilisation: f64,
    /// Time between two evaluations, s. Default 15 (the HPA's
    /// `--horizontal-pod-autoscaler-sync-period`).
    pub interval_s: f64,
    /// Time from a scale-up until the new node serves (scheduling, image
    /// pull, start), s. Default 60.
    pub provisioning_s: f64,
    /// Fewest nodes. Default 1 (the HPA's `minReplicas` default).
    pub min_nodes: u32,
    /// Most nodes. Default 16.
    pub max_nodes: u32,
    /// A scale-down takes the highest recommendation of this window, s.
    /// Default 300 (the HPA's scale-down stabilization window).
    pub scale_down_stabilisation_s: f64,
}

impl Default for AutoscalerConfig {
    fn default() -> Self {
        AutoscalerConfig {
            enabled: false,
            target_utilisation: 0.7,
            interval_s: 15.0,
            provisioning_s: 60.0,
            min_nodes: 1,
            max_nodes: 16,
            scale_down_stabilisation_s: 300.0,
        }
    }
}

/// How the balancer's health probes measure a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeMode {
    /// A probe's latency is the wait of the oldest attempt in the node's
    /// queue (the model before issue 10, kept for the scenarios written
    /// for it: a file that leaves `probe_mode` out gets this one).
    QueueWait,
    /// A probe is a request: it waits in the node's queue (or is turned
    /// away when the queue is full) and takes a worker for one service
    /// time, so a saturated node fails its probes as production nodes do.
    Request,
}

impl ProbeMode {
    /// Every mode, in the order the UI lists them.
    pub const ALL: [ProbeMode; 2] = [ProbeMode::Request, ProbeMode::QueueWait];

    /// The name used in the TOML file and by `--set`.
    pub fn name(self) -> &'static str {
        match self {
            ProbeMode::QueueWait => "queue-wait",
            ProbeMode::Request => "request",
        }
    }

    /// Parses a name as printed by [`ProbeMode::name`].
    pub fn from_name(s: &str) -> Option<ProbeMode> {
        ProbeMode::ALL.into_iter().find(|m| m.name() == s)
    }

    /// The mode of a scenario file written before issue 10, which has no
    /// `probe_mode`: serde's default for the missing field.
    pub fn legacy() -> ProbeMode {
        ProbeMode::QueueWait
    }
}

/// Allowed ranges of the defences' fields, shared by validation, the CLI's
/// help and the UI's sliders.
pub mod server_limits {
    /// `(min, max)` of `limiter.initial_limit`, `min_limit`, `max_limit`.
    pub const LIMIT: (u32, u32) = (1, 100_000);
    /// `(min, max)` of `limiter.backoff_ratio` (the library allows
    /// `[0.5, 1.0)`).
    pub const BACKOFF_RATIO: (f64, f64) = (0.5, 0.999);
    /// `(min, max)` of `limiter.timeout_ms`.
    pub const LIMIT_TIMEOUT_MS: (f64, f64) = (0.001, 3_600_000.0);
    /// `(min, max)` of `limiter.smoothing`.
    pub const SMOOTHING: (f64, f64) = (0.0, 1.0);
    /// `(min, max)` of `limiter.long_window`.
    pub const LONG_WINDOW: (u32, u32) = (1, 100_000);
    /// `(min, max)` of `limiter.rtt_tolerance` (at least 1: a lower one
    /// would shrink the limit with no queueing at all).
    pub const RTT_TOLERANCE: (f64, f64) = (1.0, 10.0);
    /// `(min, max)` of `limiter.queue_size`.
    pub const QUEUE_SIZE: (u32, u32) = (0, 100_000);
    /// `(min, max)` of `rate_limit.rate_per_s`.
    pub const RATE_LIMIT_PER_S: (f64, f64) = (0.0, 1_000_000.0);
    /// `(min, max)` of `rate_limit.burst`.
    pub const BURST: (u32, u32) = (1, 1_000_000);
    /// `(min, max)` of `autoscaler.target_utilisation`.
    pub const TARGET_UTILISATION: (f64, f64) = (0.01, 1.0);
    /// `(min, max)` of `autoscaler.interval_s`.
    pub const SCALE_INTERVAL_S: (f64, f64) = (1.0, 3_600.0);
    /// `(min, max)` of `autoscaler.provisioning_s` and
    /// `autoscaler.scale_down_stabilisation_s`.
    pub const SCALE_DELAY_S: (f64, f64) = (0.0, 3_600.0);
    /// `(min, max)` of `autoscaler.min_nodes` and `autoscaler.max_nodes`
    /// (the node count's range).
    pub const SCALE_NODES: (u32, u32) = (1, 1024);
}

/// The defences' cross-field checks of one service (each field's own range
/// is checked through the catalogue).
pub(super) fn validate(s: &super::ServiceConfig) -> Result<(), super::ConfigError> {
    use super::range;
    let l = &s.limiter;
    if l.adaptive {
        range("limiter.min_limit", l.min_limit as f64, (server_limits::LIMIT.0 as f64, l.max_limit as f64), "")?;
        range("limiter.initial_limit", l.initial_limit as f64, (l.min_limit as f64, l.max_limit as f64), "")?;
    }
    let a = &s.autoscaler;
    if a.enabled {
        range(
            "autoscaler.min_nodes",
            a.min_nodes as f64,
            (server_limits::SCALE_NODES.0 as f64, a.max_nodes as f64),
            "",
        )?;
        let slots = a.max_nodes as u64 * s.nodes.queue_capacity as u64;
        if slots > super::MAX_TOTAL_QUEUE_SLOTS {
            return Err(super::ConfigError::TooLarge {
                field: "autoscaler.max_nodes",
                value: slots as f64,
                max: super::MAX_TOTAL_QUEUE_SLOTS as f64,
                what: "queue slots over all nodes",
            });
        }
    }
    Ok(())
}
