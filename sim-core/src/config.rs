//! Scenario configuration: every knob of the model, with documented defaults,
//! units in the field names, and typed validation.
//!
//! The defaults are those of the reference model (`shared/reference/simpy_ref.py`):
//! 10,000 req/s for 60 s over 4 nodes of 32 workers, 10 ms mean service,
//! a waiting room of 256 per node, a 1 s client timeout and 3 attempts with
//! full-jitter backoff (base 100 ms, cap 1 s).

use serde::{Deserialize, Serialize};
use std::fmt;

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            traffic: TrafficConfig::default(),
            client: ClientConfig::default(),
            balancer: BalancerConfig::default(),
            nodes: NodesConfig::default(),
        }
    }
}

/// Open-loop Poisson arrivals, with an optional rate spike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrafficConfig {
    /// Mean arrival rate of logical requests, per second. Default 10,000.
    pub rate_per_s: f64,
    /// Simulated seconds during which requests arrive. Default 60.
    pub duration_s: f64,
    /// Rate multiplier inside the spike window; 1 means no spike. Default 1.
    pub spike_mult: f64,
    /// Spike window start, simulated seconds. Default 20.
    pub spike_start_s: f64,
    /// Spike window end, simulated seconds. Default 30.
    pub spike_end_s: f64,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            rate_per_s: 10_000.0,
            duration_s: 60.0,
            spike_mult: 1.0,
            spike_start_s: 20.0,
            spike_end_s: 30.0,
        }
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
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout_s: 1.0,
            attempts: 3,
            backoff: Backoff::FullJitter,
            backoff_base_ms: 100.0,
            backoff_cap_ms: 1000.0,
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
}

impl LbPolicy {
    /// Every policy, in the order the UI lists them.
    pub const ALL: [LbPolicy; 2] = [LbPolicy::RoundRobin, LbPolicy::Random];

    /// The name used by the CLI flag, the TOML file and the reference program.
    pub fn name(self) -> &'static str {
        match self {
            LbPolicy::RoundRobin => "round-robin",
            LbPolicy::Random => "random",
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
}

impl Default for NodesConfig {
    fn default() -> Self {
        NodesConfig { count: 4, workers: 32, service_ms_mean: 10.0, queue_capacity: 256 }
    }
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
        }
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
    /// `(min, max)` of `client.timeout_s`.
    pub const TIMEOUT_S: (f64, f64) = (0.001, 3_600.0);
    /// `(min, max)` of `client.attempts`.
    pub const ATTEMPTS: (u32, u32) = (1, 100);
    /// `(min, max)` of `client.backoff_base_ms` and `client.backoff_cap_ms`.
    pub const BACKOFF_MS: (f64, f64) = (0.0, 3_600_000.0);
    /// `(min, max)` of `nodes.count`.
    pub const NODES: (u32, u32) = (1, 1024);
    /// `(min, max)` of `nodes.workers`.
    pub const WORKERS: (u32, u32) = (1, 100_000);
    /// `(min, max)` of `nodes.service_ms_mean`.
    pub const SERVICE_MS: (f64, f64) = (0.001, 600_000.0);
    /// `(min, max)` of `nodes.queue_capacity`.
    pub const QUEUE: (u32, u32) = (0, 1_000_000);
}

fn check_f64(field: &'static str, value: f64, (min, max): (f64, f64), unit: &'static str) -> Result<(), ConfigError> {
    if !value.is_finite() {
        return Err(ConfigError::NotFinite { field });
    }
    if value < min || value > max {
        return Err(ConfigError::OutOfRange { field, value, min, max, unit });
    }
    Ok(())
}

fn check_u32(field: &'static str, value: u32, (min, max): (u32, u32), unit: &'static str) -> Result<(), ConfigError> {
    if value < min || value > max {
        return Err(ConfigError::OutOfRange { field, value: value as f64, min: min as f64, max: max as f64, unit });
    }
    Ok(())
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
        let n = &self.nodes;
        let slots = n.count as u64 * n.queue_capacity as u64;
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
        use limits::*;
        let t = &self.traffic;
        check_f64("traffic.rate_per_s", t.rate_per_s, RATE_PER_S, "req/s")?;
        check_f64("traffic.duration_s", t.duration_s, DURATION_S, "s")?;
        check_f64("traffic.spike_mult", t.spike_mult, SPIKE_MULT, "×")?;
        check_f64("traffic.spike_start_s", t.spike_start_s, SPIKE_TIME_S, "s")?;
        check_f64("traffic.spike_end_s", t.spike_end_s, SPIKE_TIME_S, "s")?;
        let c = &self.client;
        check_f64("client.timeout_s", c.timeout_s, TIMEOUT_S, "s")?;
        check_u32("client.attempts", c.attempts, ATTEMPTS, "")?;
        check_f64("client.backoff_base_ms", c.backoff_base_ms, BACKOFF_MS, "ms")?;
        check_f64("client.backoff_cap_ms", c.backoff_cap_ms, BACKOFF_MS, "ms")?;
        let n = &self.nodes;
        check_u32("nodes.count", n.count, NODES, "")?;
        check_u32("nodes.workers", n.workers, WORKERS, "")?;
        check_f64("nodes.service_ms_mean", n.service_ms_mean, SERVICE_MS, "ms")?;
        check_u32("nodes.queue_capacity", n.queue_capacity, QUEUE, "")
    }

    /// Expected number of logical requests over the run, spike included.
    pub fn expected_requests(&self) -> f64 {
        self.expected_requests_from(0.0)
    }

    /// Expected logical requests arriving between `from_s` and the end.
    fn expected_requests_from(&self, from_s: f64) -> f64 {
        let t = &self.traffic;
        let from = from_s.clamp(0.0, t.duration_s);
        let s0 = t.spike_start_s.clamp(0.0, t.duration_s);
        let s1 = t.spike_end_s.clamp(s0, t.duration_s);
        let spike_left = (s1 - s0.max(from)).max(0.0);
        t.rate_per_s * ((t.duration_s - from) + (t.spike_mult - 1.0) * spike_left)
    }

    /// A generous bound on the events a run processes: per logical request one
    /// arrival, and per attempt at most a service completion, a timeout and a
    /// retry wake-up (plus slack for Poisson variance), plus one sample a second.
    pub fn estimated_max_events(&self) -> f64 {
        self.estimated_max_events_from(0.0)
    }

    fn estimated_max_events_from(&self, from_s: f64) -> f64 {
        let per_request = 1.0 + 3.0 * self.client.attempts as f64;
        1.1 * self.expected_requests_from(from_s) * per_request + self.traffic.duration_s + 1000.0
    }

    /// Number of whole per-second buckets in the run: `ceil(duration_s)`.
    pub fn seconds(&self) -> usize {
        self.traffic.duration_s.ceil().max(1.0) as usize
    }
}

/// Fields that cannot change while a run goes on: changing them needs a reset.
/// Everything else in [`Config`] takes effect at the current instant through
/// [`crate::Simulation::reconfigure`].
pub const RESTART_FIELDS: [&str; 3] = ["seed", "traffic.duration_s", "nodes.count"];

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
        assert_eq!(e.to_string(), "nodes.workers = 0: allowed range is 1 to 100000");
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
