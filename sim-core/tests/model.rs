//! Integration tests of the engine: queueing theory, conservation,
//! determinism and golden figures. Every assertion names its seed.
//!
//! The golden tests also run compiled to wasm32 (under wasm-bindgen-test),
//! which shows the WASM build gives the same totals as native, bit for bit.

use sim_core::analytics::{erlang_c, mmck_blocking};
use sim_core::{Backoff, Config, LbPolicy, SimTime, Simulation, Totals};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "model/defences.rs"]
mod defences;
#[path = "model/mechanisms.rs"]
mod mechanisms;
#[path = "model/server_defences.rs"]
mod server_defences;
#[path = "model/services.rs"]
mod services;

fn run(config: Config) -> Simulation {
    let mut sim = Simulation::new(config).expect("valid config");
    sim.run_to_end();
    sim
}

/// A node pool fed by `--lb random` with no retries and no effective timeout,
/// so each node is an M/M/c queue with Poisson arrivals.
fn mmc(rate: f64, seed: u64, duration_s: f64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = rate;
    c.traffic.duration_s = duration_s;
    c.balancer.policy = LbPolicy::Random;
    c.client.attempts = 1;
    c.client.timeout_s = 3600.0;
    c.nodes.queue_capacity = 1_000_000;
    c
}

fn seeded(seed: u64) -> Config {
    Config { seed, ..Config::default() }
}

fn rel(a: f64, b: f64) -> f64 {
    (a / b - 1.0).abs()
}

// ---- queueing theory ------------------------------------------------------

fn check_erlang_c(rate: f64, utilisation: f64) {
    let (seeds, duration) = ([11u64, 12, 13], 400.0);
    let (mut p_sum, mut w_sum) = (0.0, 0.0);
    for &seed in &seeds {
        let q = run(mmc(rate, seed, duration)).queueing();
        assert!((q.erlang_c_utilisation - utilisation).abs() < 0.005);
        p_sum += q.sim_p_wait.unwrap();
        w_sum += q.sim_mean_wait_ms.unwrap();
    }
    let n = seeds.len() as f64;
    let (p_theory, wq) = erlang_c(32, rate / 4.0 * 0.010).unwrap();
    let w_theory_ms = wq * 10.0;
    let (p, w) = (p_sum / n, w_sum / n);
    assert!(rel(p, p_theory) < 0.03, "seeds {seeds:?} ρ={utilisation}: P(wait) {p:.4} vs Erlang C {p_theory:.4}");
    assert!(
        rel(w, w_theory_ms) < 0.03,
        "seeds {seeds:?} ρ={utilisation}: mean wait {w:.4} ms vs Erlang C {w_theory_ms:.4} ms"
    );
}

#[test]
fn erlang_c_at_utilisation_078() {
    check_erlang_c(10_000.0, 0.78125);
}

#[test]
fn erlang_c_at_utilisation_090() {
    check_erlang_c(11_520.0, 0.90);
}

#[test]
fn blocking_matches_mmck() {
    // 4 workers and 4 waiting places per node at ρ = 0.9: M/M/4/8.
    for seed in [21u64, 22] {
        let mut c = mmc(1_440.0, seed, 600.0);
        c.nodes.workers = 4;
        c.nodes.queue_capacity = 4;
        let t = run(c).totals();
        let blocked = t.rejected as f64 / t.attempts as f64;
        let theory = mmck_blocking(4, 8, 1_440.0 / 4.0 * 0.010);
        assert!(rel(blocked, theory) < 0.03, "seed {seed}: blocking {blocked:.5} vs M/M/c/K {theory:.5}");
        assert_eq!(t.failed, t.rejected, "seed {seed}: with one attempt every 503 is a failure");
    }
}

#[test]
fn littles_law_for_requests_in_flight() {
    // L = λW: time-average requests in flight against arrival rate × mean
    // latency. No failures at this load, so every request's time is a success.
    let seed = 31;
    let mut c = seeded(seed);
    c.traffic.duration_s = 120.0;
    let mut sim = Simulation::new(c).unwrap();
    let (warmup_ms, end_ms) = (5_000u64, 115_000u64);
    sim.step_until(SimTime(warmup_ms * 1_000_000));
    let offered_before = sim.totals().offered;
    let mut in_flight_sum = 0u64;
    for ms in warmup_ms..end_ms {
        sim.step_until(SimTime((ms + 1) * 1_000_000));
        in_flight_sum += sim.snapshot().in_flight;
    }
    let span_s = (end_ms - warmup_ms) as f64 / 1000.0;
    let l = in_flight_sum as f64 / (end_ms - warmup_ms) as f64;
    let lambda = (sim.totals().offered - offered_before) as f64 / span_s;
    sim.run_to_end();
    let w = sim.latency().mean_ms.unwrap() / 1000.0;
    assert_eq!(sim.totals().failed, 0, "seed {seed}");
    assert!(rel(l, lambda * w) < 0.02, "seed {seed}: L {l:.2} vs λW {:.2}", lambda * w);
}

// ---- conservation -----------------------------------------------------------

fn check_conservation(label: &str, config: Config) -> Totals {
    let seed = config.seed;
    let sim = run(config);
    let t = sim.totals();
    let snap = sim.snapshot();
    assert_eq!(t.offered, t.goodput + t.failed + t.unresolved_at_end, "{label} seed {seed}");
    // Every attempt was rejected, served, or is still queued or in service.
    let held: u64 = snap.nodes.iter().map(|n| (n.busy + n.queued) as u64).sum();
    assert_eq!(t.attempts, t.rejected + t.throughput + held, "{label} seed {seed}");
    assert_eq!(t.unresolved_at_end, snap.in_flight, "{label} seed {seed}");
    assert!(t.goodput <= t.throughput && t.attempts >= t.offered, "{label} seed {seed}");
    let s = sim.series();
    assert_eq!(s.offered.iter().sum::<u64>(), t.offered, "{label} seed {seed}");
    assert_eq!(s.timed_out.iter().sum::<u64>(), t.timed_out, "{label} seed {seed}");
    t
}

#[test]
fn conservation_holds_from_calm_to_meltdown() {
    for seed in [1u64, 2, 3] {
        let mut steady = seeded(seed);
        steady.traffic.duration_s = 10.0;
        check_conservation("steady", steady.clone());

        let mut overload = steady.clone();
        overload.traffic.rate_per_s = 14_000.0;
        let t = check_conservation("overload", overload.clone());
        assert!(t.rejected > 0, "seed {seed}: overload must shed");

        // Queues deep enough that waits pass the timeout after ~15 s.
        let mut storm = overload.clone();
        storm.traffic.duration_s = 30.0;
        storm.nodes.queue_capacity = 5_000;
        let t = check_conservation("timeout storm", storm);
        assert!(t.wasted > 0 && t.timed_out > 0, "seed {seed}: a long queue must time out");

        for backoff in Backoff::ALL {
            let mut spike = steady.clone();
            spike.traffic.spike_mult = 3.0;
            spike.traffic.spike_start_s = 2.0;
            spike.traffic.spike_end_s = 5.0;
            spike.client.backoff = backoff;
            check_conservation(backoff.name(), spike);
        }
    }
}

#[test]
fn timeout_storm_collapses_goodput() {
    // 14,000 req/s into 12,800/s of capacity behind a 5,000-deep queue: waits
    // grow past the 1 s timeout and most service goes to abandoned attempts.
    let seed = 41;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 14_000.0;
    c.nodes.queue_capacity = 5_000;
    let sim = run(c);
    let s = sim.series();
    let last10 = |v: &[u64]| v[50..60].iter().sum::<u64>() as f64 / 10.0;
    let (throughput, goodput) = (last10(&s.throughput), last10(&s.goodput));
    assert!(throughput > 12_000.0, "seed {seed}: servers stay busy ({throughput})");
    assert!(goodput < 0.5 * throughput, "seed {seed}: goodput {goodput} vs throughput {throughput}");
}

// ---- determinism and live changes ----------------------------------------

#[test]
fn same_seed_twice_is_identical() {
    for seed in [1u64, 99] {
        let mut c = seeded(seed);
        c.traffic.rate_per_s = 13_000.0;
        c.traffic.duration_s = 10.0;
        let a = serde_json::to_string(&run(c.clone()).report(&[0, 5, 10])).unwrap();
        let b = serde_json::to_string(&run(c).report(&[0, 5, 10])).unwrap();
        assert_eq!(a, b, "seed {seed}");
    }
}

#[test]
fn changing_backoff_leaves_arrivals_unchanged() {
    let seed = 5;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 14_000.0;
    c.traffic.duration_s = 10.0;
    let a = run(c.clone());
    c.client.backoff = Backoff::Decorrelated;
    let b = run(c);
    assert_eq!(a.series().offered, b.series().offered, "seed {seed}");
    assert_ne!(a.series().attempts, b.series().attempts, "seed {seed}");
}

#[test]
fn stepping_in_pieces_equals_one_run() {
    let mut c = seeded(8);
    c.traffic.duration_s = 5.0;
    c.traffic.rate_per_s = 13_500.0;
    let one = run(c.clone());
    let mut sim = Simulation::new(c).unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 16_666_667;
        while !sim.step_until_budget(SimTime(t), 777) {}
    }
    assert_eq!(sim.report(&[]), one.report(&[]), "seed 8");
    // The per-second percentiles too, which the report leaves out.
    assert_eq!(sim.series(), one.series(), "seed 8");
}

#[test]
fn reaching_a_second_boundary_completes_that_second() {
    let mut sim = Simulation::new(seeded(9)).unwrap();
    sim.step_until(SimTime::from_secs(3));
    assert_eq!(sim.completed_seconds(), 3, "seed 9");
    assert!(sim.series().latency_p99_ms[2].is_some(), "seed 9");
    assert!(sim.series().latency_p99_ms[3].is_none(), "seed 9");
    sim.step_until(SimTime::from_secs_f64(3.5));
    assert_eq!(sim.completed_seconds(), 3, "seed 9");
}

#[test]
fn live_rate_change_takes_effect_at_once() {
    let seed = 3;
    let mut c = seeded(seed);
    c.traffic.duration_s = 20.0;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(SimTime::from_secs(10));
    assert_eq!(sim.totals().rejected, 0, "seed {seed}");
    c.traffic.rate_per_s = 30_000.0;
    c.nodes.count = 8;
    let r = sim.reconfigure(&c).unwrap();
    assert_eq!(r.applied, vec!["traffic.rate_per_s"]);
    assert_eq!(r.needs_restart, vec!["nodes.count"]);
    assert_eq!(sim.config().nodes.count, 4);
    sim.run_to_end();
    let s = sim.series();
    assert!(s.offered[9] < 11_000 && s.offered[12] > 28_000, "seed {seed}: {:?}", &s.offered[8..13]);
    assert!(s.rejected[12] > 0, "seed {seed}");
}

#[test]
fn live_pool_growth_drains_the_queue() {
    let seed = 4;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 14_000.0;
    c.traffic.duration_s = 10.0;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(SimTime::from_secs(5));
    assert!(sim.snapshot().nodes.iter().all(|n| n.queued > 100), "seed {seed}");
    c.nodes.workers = 64;
    sim.reconfigure(&c).unwrap();
    sim.step_until(SimTime::from_secs_f64(5.5));
    assert!(sim.snapshot().nodes.iter().all(|n| n.queued == 0 && n.workers == 64), "seed {seed}");
}

#[test]
fn invalid_live_change_is_refused_and_harmless() {
    let mut sim = Simulation::new(Config::default()).unwrap();
    let mut bad = Config::default();
    bad.client.timeout_s = f64::NAN;
    assert_eq!(sim.reconfigure(&bad).unwrap_err().field(), "client.timeout_s");
    assert_eq!(sim.config(), &Config::default());
}

#[test]
fn memory_follows_in_flight_not_run_length() {
    // Clients in flight stay bounded by rate × time in system, however long
    // the run; the slab recycles slots.
    let seed = 6;
    let mut c = seeded(seed);
    c.traffic.duration_s = 30.0;
    let mut sim = Simulation::new(c).unwrap();
    let mut peak = 0;
    for s in 1..=30 {
        sim.step_until(SimTime::from_secs(s));
        peak = peak.max(sim.snapshot().in_flight);
    }
    assert!(peak < 1_000, "seed {seed}: peak in flight {peak}");
}

// ---- golden figures (native and wasm32) --------------------------------------

/// Totals of the reference steady scenario (`brink run --seed 1`). If the
/// model, a stream or the generator changes, these change: update them
/// deliberately, and the bench-mode browser test checks them against native.
const GOLDEN_STEADY_SEED1: Totals = Totals {
    offered: 599_936,
    attempts: 599_936,
    throughput: 599_825,
    goodput: 599_825,
    rejected: 0,
    timed_out: 0,
    failed: 0,
    wasted: 0,
    unresolved_at_end: 111,
    errors: 0,
    refused: 0,
    lost: 0,
    dropped: 0,
    crashes: 0,
    db_timeouts: 0,
    cache_hits: 0,
    cache_misses: 0,
    regenerations: 0,
    budget_suppressed: 0,
    throttle_suppressed: 0,
    adaptive_rejected: 0,
    breaker_rejected: 0,
    breaker_trips: 0,
    breaker_open: 0,
    hedges: 0,
    hedge_wins: 0,
    hedges_cancelled: 0,
    rate_limited: 0,
    limit_rejected: 0,
    scale_ups: 0,
    scale_downs: 0,
    refills: 0,
};

#[test]
fn golden_steady_default() {
    let sim = run(Config::default());
    assert_eq!(sim.totals(), GOLDEN_STEADY_SEED1, "seed 1");
    assert_eq!(sim.events_processed(), 1_789_731, "seed 1");
}

#[test]
fn golden_retry_storm() {
    let mut c = seeded(7);
    c.traffic.duration_s = 10.0;
    c.traffic.spike_mult = 2.0;
    c.traffic.spike_start_s = 2.0;
    c.traffic.spike_end_s = 6.0;
    c.client.backoff = Backoff::Decorrelated;
    c.nodes.queue_capacity = 4_000;
    let sim = run(c);
    let t = sim.totals();
    let lat = sim.latency();
    let got = (t.offered, t.attempts, t.goodput, t.rejected, t.timed_out, t.failed);
    assert_eq!(got, GOLDEN_STORM_SEED7, "seed 7: {t:?}");
    assert_eq!(lat.p99_ms.map(f64::to_bits), Some(GOLDEN_STORM_P99_BITS), "seed 7: {lat:?}");
}

/// (offered, attempts, goodput, rejected, timed_out, failed) of a retry storm.
const GOLDEN_STORM_SEED7: (u64, u64, u64, u64, u64, u64) = (139_543, 289_951, 54_211, 152_491, 70_574, 67_054);
/// Bits of the p99 (984.6128635 ms): floating point must agree exactly, not nearly.
const GOLDEN_STORM_P99_BITS: u64 = 4_651_871_962_157_189_964;
