//! Bench mode (`/?bench`): the reference steady scenario run to the end in
//! the page's WASM, without rendering, timed with the page's clock.

use serde::Serialize;
use sim_core::{Config, Simulation, Totals};

/// What bench mode writes into `<pre id="bench-result">`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchResult {
    /// Logical requests simulated per wall second (the CLI's
    /// `logical_requests_per_wall_s`).
    pub requests_per_wall_s: f64,
    /// Events processed per wall second.
    pub events_per_wall_s: f64,
    /// Wall time of the run alone, seconds.
    pub wall_s: f64,
    /// Events processed.
    pub events_processed: u64,
    /// The run's totals, with the reference program's keys.
    pub totals: Totals,
}

/// Runs `Config::default()` (10,000 req/s for 60 s, seed 1) to its end.
/// `clock` returns wall time in ms; only the run itself is timed.
pub fn run(clock: impl Fn() -> f64) -> BenchResult {
    let mut sim = Simulation::new(Config::default()).expect("the default scenario is valid");
    let t0 = clock();
    sim.run_to_end();
    let wall_s = ((clock() - t0) / 1000.0).max(1e-9);
    let totals = sim.totals();
    BenchResult {
        requests_per_wall_s: totals.offered as f64 / wall_s,
        events_per_wall_s: sim.events_processed() as f64 / wall_s,
        wall_s,
        events_processed: sim.events_processed(),
        totals,
    }
}
