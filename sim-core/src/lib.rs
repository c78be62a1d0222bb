//! # sim-core: Brink's discrete-event engine
//!
//! A pure stepper for the failure dynamics of backends under load: open-loop
//! clients with timeouts and retries, a load balancer, and nodes with worker
//! pools and bounded waiting rooms. It never reads a clock or touches a
//! browser, so the same code runs natively (the `brink` CLI) and in WASM (the
//! playground), with bit-identical results for the same seed.
//!
//! ```
//! use sim_core::{Config, Simulation, SimTime};
//!
//! let mut config = Config::default();
//! config.traffic.duration_s = 2.0;
//! let mut sim = Simulation::new(config).expect("valid config");
//! sim.step_until(SimTime::from_secs(1));
//! let snap = sim.snapshot();
//! assert_eq!(snap.nodes.len(), 4);
//! sim.run_to_end();
//! let t = sim.totals();
//! assert_eq!(t.offered, t.goodput + t.failed + t.unresolved_at_end);
//! ```
//!
//! The model is the reference model of `shared/reference/simpy_ref.py`; see
//! [`config`] for every knob and its default.

#![warn(missing_docs)]

pub mod analytics;
mod autoscaler;
mod balancer;
mod breaker;
mod budget;
mod cache;
pub mod catalogue;
pub mod compare;
mod client;
pub mod config;
mod db;
pub mod distribution;
mod event;
mod hedge;
pub mod export;
pub mod hysteresis;
mod keyed_cache;
mod limiter;
pub mod lesson;
pub mod metrics;
mod node;
mod policy;
mod rate_limit;
pub mod report;
mod retry;
pub mod rng;
mod sharing;
mod sim;
pub mod snapshot;
pub mod theory;
mod throttle;
pub mod time;
pub mod tipping;
pub mod trace;
pub mod topology;
mod traffic;
pub mod validation;
mod window;

pub use breaker::BreakerState;
pub use config::{
    Backoff, CallConfig, CallMode, Config, ConfigError, Fault, FaultKind, LbPolicy, ServiceConfig, TrafficShape,
};
pub use lesson::{Lesson, LESSONS};
pub use metrics::{Counter, CounterKind, LatencySummary, QueueingSummary, Series, Totals};
pub use report::Report;
pub use sim::{Reconfigured, Simulation};
pub use snapshot::{CallSnapshot, CpuBreakdown, Halt, NodeLife, NodeSnapshot, NodeState, ServiceSnapshot, Snapshot};
pub use time::SimTime;
