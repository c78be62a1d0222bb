//! Bench mode (`/?bench`): the reference steady scenario run to the end in
//! the page's WASM, without rendering, timed with the page's clock.

use serde::Serialize;
use sim_core::{Config, SimTime, Simulation, Totals};

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

/// Simulated seconds of the untimed warm-up run.
const WARM_UP_S: u64 = 5;

/// Runs a short copy of the scenario, untimed. Browsers compile WebAssembly
/// in tiers: code starts from a quick baseline compile, hot functions are
/// recompiled optimised in the background, and a call already running keeps
/// the code it started with. The warm-up makes the engine hot; the caller
/// should then yield to the event loop so the optimised code can land.
pub fn warm_up() {
    let mut config = Config::default();
    config.traffic.duration_s = WARM_UP_S as f64;
    let mut sim = Simulation::new(config).expect("the warm-up scenario is valid");
    run_in_seconds(&mut sim);
}

/// Steps to the end one simulated second per call, as the playground's frames
/// do, so every call starts in the newest compiled code. Chunking does not
/// change the run: events are processed in the same order either way.
fn run_in_seconds(sim: &mut Simulation) {
    let mut s = 0;
    while !sim.is_finished() {
        s += 1;
        sim.step_until(SimTime::from_secs(s));
    }
}

/// Runs `Config::default()` (10,000 req/s for 60 s, seed 1) to its end.
/// `clock` returns wall time in ms; only the run itself is timed.
pub fn run(clock: impl Fn() -> f64) -> BenchResult {
    let mut sim = Simulation::new(Config::default()).expect("the default scenario is valid");
    let t0 = clock();
    run_in_seconds(&mut sim);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn bench_times_only_the_run_and_reports_its_totals() {
        // A clock that moves 2 s between its two readings.
        let calls = Cell::new(0);
        let clock = || {
            calls.set(calls.get() + 1);
            2_000.0 * (calls.get() - 1) as f64
        };
        let r = run(clock);
        assert_eq!(calls.get(), 2, "read before and after the run only");
        let mut reference = Simulation::new(Config::default()).unwrap();
        reference.run_to_end();
        assert_eq!(r.totals, reference.totals(), "stepping a second at a time does not change the run");
        assert_eq!(r.events_processed, reference.events_processed());
        assert_eq!(r.wall_s, 2.0);
        assert_eq!(r.requests_per_wall_s, r.totals.offered as f64 / 2.0);
        assert_eq!(r.events_per_wall_s, r.events_processed as f64 / 2.0);
        let json = serde_json::to_value(&r).unwrap();
        for key in ["requests_per_wall_s", "events_per_wall_s", "wall_s", "events_processed", "totals"] {
            assert!(json.get(key).is_some(), "{key} missing from {json}");
        }
    }

    #[test]
    fn a_clock_that_does_not_move_gives_finite_rates() {
        warm_up();
        let r = run(|| 0.0);
        assert!(r.wall_s > 0.0 && r.requests_per_wall_s.is_finite() && r.events_per_wall_s.is_finite());
    }
}
