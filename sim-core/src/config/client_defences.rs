//! The client-side defences of a call edge: a retry budget, gRPC retry
//! throttling, client-side adaptive throttling, a circuit breaker and hedged
//! requests. Each is off by default and has the published defaults of the
//! system it is taken from, cited on its fields.

use serde::{Deserialize, Serialize};

/// A retry budget as Finagle's `RetryBudget` (com.twitter.finagle.service.
/// RetryBudget, "Finagle: Retries" in the Finagle user guide): every request
/// deposits into a bucket whose deposits expire after `ttl_s`, every retry
/// withdraws `1 / percent` deposits' worth, and a reserve lets
/// `min_per_s` retries a second through even with no requests. Retries
/// past the budget are not sent: the request fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetConfig {
    /// Keep a retry budget. Default off.
    pub enabled: bool,
    /// Share of requests that may be retried, over the last `ttl_s`.
    /// Default 0.2 (Finagle's `percentCanRetry` default, 20%).
    pub percent: f64,
    /// How long a request's deposit counts, seconds. Default 10 (Finagle's
    /// default `ttl`).
    pub ttl_s: f64,
    /// Retries a second allowed whatever the request rate (the reserve),
    /// so that a client with little traffic can still retry. Default 10
    /// (Finagle's default `minRetriesPerSec`).
    pub min_per_s: f64,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig { enabled: false, percent: 0.2, ttl_s: 10.0, min_per_s: 10.0 }
    }
}

/// Retry throttling as gRPC's (gRFC A6, "gRPC Retry Design", section
/// "Throttling Retry Attempts and Hedged RPCs"): a token count starts at
/// `max_tokens`, each failed attempt takes one token and each success gives
/// back `token_ratio`; while the count is at or below `max_tokens / 2` no
/// retry (and no hedge) is sent. In steady state retries stop once more
/// than `token_ratio / (1 + token_ratio)` of attempts fail (9.1% at 0.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    /// Throttle retries. Default off.
    pub enabled: bool,
    /// Tokens at the start, and at most. Default 10 (gRFC A6's example
    /// service config, `"maxTokens": 10`).
    pub max_tokens: f64,
    /// Tokens a success gives back. Default 0.1 (gRFC A6's example,
    /// `"tokenRatio": 0.1`).
    pub token_ratio: f64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig { enabled: false, max_tokens: 10.0, token_ratio: 0.1 }
    }
}

/// Client-side adaptive throttling (Beyer et al., "Site Reliability
/// Engineering", O'Reilly 2016, chapter 21 "Handling Overload"): the client
/// counts the requests it attempted and those the backend accepted over a
/// window, and rejects a new attempt locally with probability
/// `max(0, (requests − k × accepts) / (requests + 1))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaptiveConfig {
    /// Throttle adaptively. Default off.
    pub enabled: bool,
    /// The multiplier K: how many requests per accept the client lets
    /// through before rejecting locally. Default 2 (the book's value).
    pub k: f64,
    /// Window of the counts, seconds. Default 120 (the book's "two minutes
    /// of history").
    pub window_s: f64,
}

impl Default for AdaptiveConfig {
    fn default() -> Self {
        AdaptiveConfig { enabled: false, k: 2.0, window_s: 120.0 }
    }
}

/// A circuit breaker, closed, open or half-open, as Hystrix and
/// Resilience4j have it: closed, it counts attempts and failures (errors
/// and timeouts) over a rolling window; with at least `min_requests` in it
/// and a failure share at or above `failure_rate` it opens, and every
/// attempt fails at once for `open_ms`; then it lets `probes` attempts
/// through (half-open) and closes if under `failure_rate` of them failed,
/// else opens again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerConfig {
    /// Break the circuit. Default off.
    pub enabled: bool,
    /// Failure share that opens it. Default 0.5 (Hystrix's
    /// `errorThresholdPercentage` 50 and Resilience4j's
    /// `failureRateThreshold` 50).
    pub failure_rate: f64,
    /// Attempts the window must hold before it may open. Default 20
    /// (Hystrix's `circuitBreaker.requestVolumeThreshold`).
    pub min_requests: u32,
    /// Rolling window, seconds. Default 10 (Hystrix's
    /// `metrics.rollingStats.timeInMilliseconds`, 10,000).
    pub window_s: f64,
    /// Time it stays open before probing, ms. Default 5,000 (Hystrix's
    /// `circuitBreaker.sleepWindowInMilliseconds`).
    pub open_ms: f64,
    /// Attempts let through half-open to decide. Default 10
    /// (Resilience4j's `permittedNumberOfCallsInHalfOpenState`).
    pub probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            enabled: false,
            failure_rate: 0.5,
            min_requests: 20,
            window_s: 10.0,
            open_ms: 5_000.0,
            probes: 10,
        }
    }
}

/// Hedged requests (Dean and Barroso, "The Tail at Scale", CACM 56(2),
/// 2013): when an attempt has had no answer after `delay_ms`, a second one
/// is sent; the first answer is taken and the other attempt cancelled (the
/// client stops waiting for it, and the service drops it if it is still
/// queued). The paper defers the hedge "until the first request has been
/// outstanding for more than the 95th-percentile expected latency".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HedgeConfig {
    /// Hedge. Default off.
    pub enabled: bool,
    /// Wait before the hedge, ms; at or past the edge's timeout no hedge is
    /// sent. Default 30: the 95th percentile of the reference model's
    /// service time (exponential, mean 10 ms: −ln 0.05 × 10 ms ≈ 30 ms).
    pub delay_ms: f64,
}

impl Default for HedgeConfig {
    fn default() -> Self {
        HedgeConfig { enabled: false, delay_ms: 30.0 }
    }
}

/// Allowed ranges of the defences' fields.
pub mod limits {
    /// `(min, max)` of `client.budget.percent` (Finagle allows up to 1000%).
    pub const BUDGET_PERCENT: (f64, f64) = (0.0, 10.0);
    /// `(min, max)` of `client.budget.ttl_s` (Finagle: 1 to 60 s).
    pub const BUDGET_TTL_S: (f64, f64) = (1.0, 60.0);
    /// `(min, max)` of `client.budget.min_per_s`.
    pub const BUDGET_MIN_PER_S: (f64, f64) = (0.0, 1_000_000.0);
    /// `(min, max)` of `client.throttle.max_tokens` (gRFC A6: at most 1000).
    pub const THROTTLE_MAX_TOKENS: (f64, f64) = (1.0, 1_000.0);
    /// `(min, max)` of `client.throttle.token_ratio` (gRFC A6: above 0).
    pub const THROTTLE_TOKEN_RATIO: (f64, f64) = (0.001, 1_000.0);
    /// `(min, max)` of `client.adaptive.k`.
    pub const ADAPTIVE_K: (f64, f64) = (1.0, 100.0);
    /// `(min, max)` of `client.adaptive.window_s` and `client.breaker.window_s`.
    pub const DEFENCE_WINDOW_S: (f64, f64) = (1.0, 3_600.0);
    /// `(min, max)` of `client.breaker.failure_rate`.
    pub const BREAKER_RATE: (f64, f64) = (0.01, 1.0);
    /// `(min, max)` of `client.breaker.min_requests`.
    pub const BREAKER_MIN_REQUESTS: (u32, u32) = (1, 1_000_000);
    /// `(min, max)` of `client.breaker.open_ms`.
    pub const BREAKER_OPEN_MS: (f64, f64) = (1.0, 3_600_000.0);
    /// `(min, max)` of `client.breaker.probes`.
    pub const BREAKER_PROBES: (u32, u32) = (1, 10_000);
    /// `(min, max)` of `client.hedge.delay_ms`.
    pub const HEDGE_DELAY_MS: (f64, f64) = (0.001, 3_600_000.0);
}
