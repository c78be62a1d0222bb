//! Systems of services: retries multiplying down a call chain, deadline
//! propagation, backpressure, fan-out, the single-server queues of
//! Pollaczek–Khinchine, closed loops, network delay and each scripted
//! fault. Every assertion names its seed.

use super::{rel, run, seeded};

use sim_core::analytics::pollaczek_khinchine_wait;
use sim_core::config::{ClientConfig, NodesConfig};
use sim_core::distribution::ServiceDist;
use sim_core::{
    Backoff, CallConfig, CallMode, Config, Fault, FaultKind, LbPolicy, ServiceConfig, SimTime, Simulation, TrafficShape,
};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Mean per-second value of a series over `[from, to)` seconds.
fn mean(v: &[u64], from: usize, to: usize) -> f64 {
    v[from..to].iter().sum::<u64>() as f64 / (to - from) as f64
}

/// A service named `name` with default sections and no calls.
fn service(name: &str) -> ServiceConfig {
    ServiceConfig { name: name.to_string(), ..ServiceConfig::default() }
}

/// A call to `to` with `attempts`, no backoff and a timeout of `timeout_s`.
fn call(to: &str, attempts: u32, timeout_s: f64) -> CallConfig {
    CallConfig {
        to: to.to_string(),
        client: ClientConfig { attempts, timeout_s, backoff: Backoff::None, ..ClientConfig::default() },
    }
}

/// A fault of `kind` on `service` from `at_s` for `duration_s`.
fn fault(kind: FaultKind, service: &str, at_s: f64, duration_s: f64, magnitude: f64) -> Fault {
    Fault { kind, service: service.to_string(), duration_s, magnitude, ..Fault::crash(at_s, 0) }
}

/// Constant service time of `ms`.
fn constant(ms: f64) -> NodesConfig {
    NodesConfig { service_dist: ServiceDist::Constant, service_ms_mean: ms, ..NodesConfig::default() }
}

// ---- 1. retry amplification -------------------------------------------------

/// gateway → api → db, 3 attempts with no backoff at every hop; arrivals
/// stop at 10 s (a step to 0) so that every request resolves by 20 s.
fn chain(seed: u64, rate: f64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = rate;
    c.traffic.duration_s = 20.0;
    c.traffic.shape = TrafficShape::Step;
    c.traffic.spike_mult = 0.0;
    c.traffic.spike_start_s = 10.0;
    c.client = ClientConfig { attempts: 3, backoff: Backoff::None, timeout_s: 2.0, ..ClientConfig::default() };
    let mut gateway = service("gateway");
    gateway.calls = vec![call("api", 3, 1.0)];
    let mut api = service("api");
    api.calls = vec![call("db", 3, 0.5)];
    c.services = vec![gateway, api, service("db")];
    c
}

#[test]
fn retries_multiply_down_a_chain() {
    for seed in [1u64, 2] {
        let mut c = chain(seed, 100.0);
        c.faults = vec![fault(FaultKind::ErrorInjection, "db", 0.0, 86_400.0, 1.0)];
        let r = run(c).report(&[]);
        let s = r.services.as_ref().expect("per-service report");
        let offered = r.totals.offered;
        assert!(offered > 900, "seed {seed}: {offered} offered");
        assert_eq!(r.totals.unresolved_at_end, 0, "seed {seed}");
        assert_eq!(s[0].totals.attempts, 3 * offered, "seed {seed}");
        assert_eq!(s[1].totals.attempts, 9 * offered, "seed {seed}");
        assert_eq!(s[2].totals.attempts, 27 * offered, "seed {seed}");
        assert_eq!(s[2].totals.errors, 27 * offered, "seed {seed}");
        assert_eq!((r.totals.failed, r.totals.goodput), (offered, 0), "seed {seed}");
    }
}

/// The chain with a slow db (50 ms constant, ×10 by a latency spike: 500 ms
/// against the api's 200 ms call timeout), clients that give the gateway
/// 1 s, and gateway and api doing 1 ms of constant work: without deadlines
/// every gateway job still makes its 3 × 3 db attempts.
fn slow_chain(seed: u64, propagate: bool) -> Config {
    let mut c = chain(seed, 20.0);
    c.client.timeout_s = 1.0;
    for s in &mut c.services {
        s.nodes = NodesConfig { workers: 1_000, ..constant(1.0) };
        for k in &mut s.calls {
            k.client.propagate_deadline = propagate;
        }
    }
    c.services[1].calls[0].client.timeout_s = 0.2;
    c.services[2].nodes.service_ms_mean = 50.0;
    c.faults = vec![fault(FaultKind::LatencySpike, "db", 0.0, 86_400.0, 10.0)];
    c
}

#[test]
fn propagated_deadlines_cut_the_retries_below() {
    for seed in [1u64, 2] {
        let without = run(slow_chain(seed, false)).report(&[]);
        let with = run(slow_chain(seed, true)).report(&[]);
        let offered = without.totals.offered;
        assert_eq!(with.totals.offered, offered, "seed {seed}");
        let db = |r: &sim_core::Report| r.services.as_ref().unwrap()[2].totals.attempts;
        assert_eq!(without.totals.unresolved_at_end, 0, "seed {seed}");
        assert_eq!(db(&without), 27 * offered, "seed {seed}: every gateway job makes its 9 db attempts");
        let (a, b) = (db(&with), db(&without));
        println!("seed {seed}: db attempts {a} with deadlines, {b} without ({offered} offered)");
        assert!((a as f64) < 0.7 * b as f64, "seed {seed}: db attempts {a} with deadlines, {b} without");
    }
}

// ---- 2. backpressure ----------------------------------------------------------

#[test]
fn a_slow_backend_holds_the_gateway_workers() {
    let seed = 3;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 120.0; // the gateway carries 16 / 0.2 s = 80/s
    c.traffic.duration_s = 20.0;
    c.client.attempts = 1;
    c.client.timeout_s = 3_600.0;
    let mut gateway = service("gateway");
    gateway.nodes = NodesConfig { count: 1, workers: 16, queue_capacity: 1_000, ..constant(0.1) };
    gateway.calls = vec![call("backend", 1, 10.0)];
    let mut backend = service("backend");
    backend.nodes = NodesConfig { count: 1, workers: 256, ..constant(200.0) };
    c.services = vec![gateway, backend];
    let mut sim = Simulation::new(c).unwrap();
    sim.step_until(SimTime::from_secs(10));
    let snap = sim.snapshot();
    let (g, b) = (snap.nodes[0], snap.nodes[1]);
    assert_eq!(g.busy, 16, "seed {seed}: {g:?}");
    assert!(g.queued > 0, "seed {seed}: {g:?}");
    assert!(b.busy <= 16 && b.busy < b.workers, "seed {seed}: backend {b:?}");
}

// ---- 3. fan-out -------------------------------------------------------------

#[test]
fn fan_out_p99_is_the_max_of_eight() {
    let seed = 4;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 200.0;
    c.traffic.duration_s = 200.0;
    let mut gateway = service("gateway");
    gateway.nodes = constant(0.01);
    gateway.call_mode = CallMode::Parallel;
    let names: Vec<String> = (0..8).map(|i| format!("b{i}")).collect();
    gateway.calls = names.iter().map(|n| call(n, 3, 1.0)).collect();
    c.services = std::iter::once(gateway).chain(names.iter().map(|n| service(n))).collect();
    let sim = run(c);
    let m = 10.0;
    let predicted = -m * (1.0 - 0.99f64.powf(1.0 / 8.0)).ln() + 0.01;
    let p99 = sim.latency().p99_ms.unwrap();
    println!("seed {seed}: fan-out p99 {p99:.3} ms vs {predicted:.3} ms");
    assert_eq!(sim.totals().failed, 0, "seed {seed}");
    assert!(rel(p99, predicted) < 0.05, "seed {seed}: p99 {p99:.3} ms vs max-of-8 {predicted:.3} ms");
}

// ---- 4. Pollaczek–Khinchine ---------------------------------------------------

/// One node of one worker fed Poisson arrivals at ρ = `rho`.
fn mg1(seed: u64, nodes: NodesConfig, rho: f64, duration_s: f64) -> Config {
    let mut c = seeded(seed);
    let mean_s = nodes.service_time().mean();
    c.traffic.rate_per_s = rho / mean_s;
    c.traffic.duration_s = duration_s;
    c.balancer.policy = LbPolicy::Random;
    c.client.attempts = 1;
    c.client.timeout_s = 3_600.0;
    c.nodes = NodesConfig { count: 1, workers: 1, queue_capacity: 1_000_000, ..nodes };
    c
}

fn check_pk(label: &str, nodes: NodesConfig, seeds: &[u64], duration_s: f64) {
    let st = nodes.service_time();
    let rate = 0.7 / st.mean();
    let theory_ms = pollaczek_khinchine_wait(rate, st.mean(), st.second_moment()).unwrap() * 1000.0;
    let mut sum = 0.0;
    for &seed in seeds {
        let w = run(mg1(seed, nodes.clone(), 0.7, duration_s)).queueing().sim_mean_wait_ms.unwrap();
        println!("{label} seed {seed}: mean wait {w:.3} ms vs P-K {theory_ms:.3} ms");
        sum += w;
    }
    let w = sum / seeds.len() as f64;
    assert!(rel(w, theory_ms) < 0.03, "{label} seeds {seeds:?}: mean wait {w:.3} ms vs P-K {theory_ms:.3} ms");
}

#[test]
fn md1_mean_wait_matches_pollaczek_khinchine() {
    check_pk("M/D/1", constant(10.0), &[51, 52, 53], 2_000.0);
}

#[test]
fn mg1_bimodal_mean_wait_matches_pollaczek_khinchine() {
    let nodes = NodesConfig {
        service_dist: ServiceDist::Bimodal,
        bimodal_share: 0.1,
        bimodal_slow_ms: 50.0,
        ..NodesConfig::default()
    };
    check_pk("M/G/1 bimodal", nodes, &[51, 52, 53, 54], 20_000.0);
}

// ---- 5. closed loop -------------------------------------------------------------

#[test]
fn closed_loop_obeys_the_response_time_law() {
    // 50 users thinking 500 ms on a node of 4 workers at 100 ms: saturated,
    // so R is large beside Z and the law is tested, not just Z.
    for seed in [61u64, 62] {
        let mut c = seeded(seed);
        c.traffic.users = 50;
        c.traffic.think_ms = 500.0;
        c.traffic.duration_s = 300.0;
        c.client.attempts = 1;
        c.client.timeout_s = 3_600.0;
        c.nodes = NodesConfig {
            count: 1,
            workers: 4,
            service_ms_mean: 100.0,
            queue_capacity: 10_000,
            ..NodesConfig::default()
        };
        let sim = run(c);
        let x = mean(&sim.series().goodput, 20, 300);
        let r = sim.latency().mean_ms.unwrap() / 1000.0;
        let n = x * (r + 0.5);
        println!("seed {seed}: X {x:.2}/s, R {r:.4} s, X(R+Z) {n:.2}");
        assert_eq!(sim.totals().failed, 0, "seed {seed}");
        assert!(rel(n, 50.0) < 0.02, "seed {seed}: X(R+Z) = {n:.2} for 50 users (X {x:.2}/s, R {r:.4} s)");
    }
}

#[test]
fn a_closed_loop_throttles_itself_and_an_open_loop_does_not() {
    let seed = 63;
    let base = |users: u32, rate: f64| {
        let mut c = seeded(seed);
        c.traffic.users = users;
        c.traffic.think_ms = 1_000.0;
        c.traffic.rate_per_s = rate;
        c.traffic.duration_s = 50.0;
        c.client.attempts = 1;
        c.client.timeout_s = 3_600.0;
        c.nodes = NodesConfig { count: 1, workers: 32, queue_capacity: 1_000, ..NodesConfig::default() };
        // From 20 s to 40 s the service takes 50× longer: 64/s of capacity.
        c.faults = vec![fault(FaultKind::LatencySpike, "", 20.0, 20.0, 50.0)];
        c
    };
    let closed = run(base(200, 0.0));
    let before = mean(&closed.series().offered, 5, 20);
    let open = run(base(0, before));
    let (c_before, c_during) = (before, mean(&closed.series().offered, 30, 40));
    let (o_before, o_during) = (mean(&open.series().offered, 5, 20), mean(&open.series().offered, 30, 40));
    println!("seed {seed}: closed {c_before:.1} → {c_during:.1}/s, open {o_before:.1} → {o_during:.1}/s");
    assert!(c_during < 0.5 * c_before, "seed {seed}: closed loop offered {c_before:.1} → {c_during:.1}/s");
    assert!(o_during > 0.9 * o_before, "seed {seed}: open loop offered {o_before:.1} → {o_during:.1}/s");
}

// ---- 6. network delay -----------------------------------------------------------

fn networked(seed: u64, network_ms: f64, jitter_ms: f64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 100.0;
    c.traffic.duration_s = 100.0;
    c.nodes = constant(5.0);
    c.client.network_ms = network_ms;
    c.client.network_jitter_ms = jitter_ms;
    c
}

#[test]
fn network_delay_adds_both_ways() {
    let seed = 71;
    let fixed = run(networked(seed, 20.0, 0.0)).latency().mean_ms.unwrap();
    assert!(rel(fixed, 45.0) < 0.001, "seed {seed}: mean {fixed:.4} ms vs 5 + 2 × 20");
    let jittered = run(networked(seed, 20.0, 10.0)).latency().mean_ms.unwrap();
    println!("seed {seed}: mean latency {fixed:.4} ms, with jitter {jittered:.4} ms");
    assert!(rel(jittered - fixed, 20.0) < 0.02, "seed {seed}: jitter adds {:.3} ms, not 2 × 10", jittered - fixed);
}

// ---- 7. faults ----------------------------------------------------------------

#[test]
fn a_latency_spike_raises_the_median_during_it() {
    let seed = 81;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 1_000.0;
    c.traffic.duration_s = 30.0;
    c.faults = vec![fault(FaultKind::LatencySpike, "", 10.0, 10.0, 5.0)];
    let sim = run(c);
    let p50 = &sim.series().latency_p50_ms;
    let (before, during, after) = (p50[5].unwrap(), p50[15].unwrap(), p50[25].unwrap());
    println!("seed {seed}: p50 {before:.2} → {during:.2} → {after:.2} ms");
    assert!(rel(during, 5.0 * before) < 0.15, "seed {seed}: p50 {before:.2} → {during:.2} ms");
    assert!(rel(after, before) < 0.15, "seed {seed}: p50 {before:.2} → {after:.2} ms after");
}

#[test]
fn capacity_loss_halves_the_served_rate_at_overload() {
    let seed = 82;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 20_000.0; // against 12,800/s
    c.traffic.duration_s = 20.0;
    c.faults = vec![fault(FaultKind::CapacityLoss, "", 10.0, 10.0, 0.5)];
    let sim = run(c);
    let s = &sim.series().throughput;
    let (before, during) = (mean(s, 3, 10), mean(s, 12, 20));
    println!("seed {seed}: served {before:.0}/s → {during:.0}/s");
    assert!(rel(before, 12_800.0) < 0.02, "seed {seed}: served {before:.0}/s at overload");
    assert!(rel(during, 0.5 * before) < 0.03, "seed {seed}: served {before:.0}/s → {during:.0}/s");
}

#[test]
fn error_injection_fails_its_share_of_attempts() {
    let seed = 83;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 1_000.0;
    c.traffic.duration_s = 20.0;
    c.faults = vec![fault(FaultKind::ErrorInjection, "", 0.0, 86_400.0, 0.5)];
    let t = run(c).totals();
    let share = t.errors as f64 / t.attempts as f64;
    println!("seed {seed}: errors {} of {} attempts ({share:.4})", t.errors, t.attempts);
    assert!(rel(share, 0.5) < 0.03, "seed {seed}: errors {} of {} attempts", t.errors, t.attempts);
}

#[test]
fn a_partition_times_out_the_callers() {
    let seed = 84;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 200.0;
    c.traffic.duration_s = 30.0;
    let mut a = service("a");
    a.calls = vec![call("b", 1, 0.2)];
    c.services = vec![a, service("b")];
    c.faults = vec![Fault { to: "b".into(), ..fault(FaultKind::Partition, "a", 10.0, 10.0, 0.0) }];
    let mut sim = Simulation::new(c).unwrap();
    let b = |sim: &Simulation| sim.report(&[]).services.unwrap()[1].totals;
    sim.step_until(SimTime::from_secs(10));
    let at_start = b(&sim);
    sim.step_until(SimTime::from_secs(20));
    let at_end = b(&sim);
    // The last attempts sent into the partition time out within 200 ms.
    sim.step_until(SimTime::from_secs_f64(20.5));
    let settled = b(&sim);
    sim.run_to_end();
    let after = b(&sim);
    let sent = at_end.attempts - at_start.attempts;
    let served = at_end.throughput - at_start.throughput;
    let timed_out = at_end.timed_out - at_start.timed_out;
    println!("seed {seed}: during the partition b: {sent} attempts sent, {served} served, {timed_out} timed out");
    assert!(sent > 1_500, "seed {seed}: a keeps calling b ({sent})");
    // Only what b held when the partition began is served during it.
    assert!(served < 50, "seed {seed}: b served {served} during the partition");
    assert!(timed_out + 200 >= sent && timed_out > 1_500, "seed {seed}: {timed_out} of {sent} time out");
    assert!(after.throughput - settled.throughput > 1_500, "seed {seed}: b serves again after");
    let late = after.timed_out - settled.timed_out;
    assert_eq!(late, 0, "seed {seed}: {late} timeouts after the partition");
}

#[test]
fn a_cache_flush_forces_a_regeneration() {
    let seed = 85;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 1_000.0;
    c.traffic.duration_s = 10.0;
    c.cache.enabled = true;
    c.cache.ttl_s = 60.0;
    c.cache.coalesce = true;
    c.faults = vec![fault(FaultKind::CacheFlush, "", 5.0, 0.0, 0.0)];
    let sim = run(c);
    let regen = &sim.series().regenerations;
    println!("seed {seed}: regenerations per second {regen:?}");
    assert_eq!(regen[..5].iter().sum::<u64>(), 0, "seed {seed}: warm cache, no expiry before 60 s");
    assert!(regen[5] >= 1, "seed {seed}: {regen:?}");
    assert_eq!(regen[6..].iter().sum::<u64>(), 0, "seed {seed}: fresh again");
}

// ---- 8. determinism and the single-service form ----------------------------------

#[test]
fn a_system_runs_bit_identically_twice() {
    for seed in [91u64, 92] {
        let mut c = chain(seed, 300.0);
        c.client.backoff = Backoff::FullJitter;
        c.services[1].call_mode = CallMode::Parallel;
        c.services[1].calls.push(call("cache", 2, 0.1));
        c.services.push(service("cache"));
        c.faults = vec![fault(FaultKind::LatencySpike, "db", 3.0, 4.0, 8.0)];
        let a = serde_json::to_string(&run(c.clone()).report(&[0, 5, 10])).unwrap();
        let b = serde_json::to_string(&run(c).report(&[0, 5, 10])).unwrap();
        assert_eq!(a, b, "seed {seed}");
    }
}

#[test]
fn one_listed_service_equals_the_top_level_sections() {
    for seed in [93u64, 94] {
        let mut top = seeded(seed);
        top.traffic.rate_per_s = 13_500.0;
        top.traffic.duration_s = 10.0;
        top.nodes.service_dist = ServiceDist::LogNormal;
        top.nodes.service_cv = 1.5;
        top.balancer.policy = LbPolicy::PowerOfTwo;
        let mut listed = top.clone();
        listed.services = vec![top.single_service()];
        listed.set_single_service(ServiceConfig::default());
        assert_eq!(listed.services[0].name, "app");
        let (a, b) = (run(top), run(listed));
        assert_eq!(a.totals(), b.totals(), "seed {seed}");
        assert_eq!(a.latency(), b.latency(), "seed {seed}");
    }
}

/// Reads spread over many keys by a Zipf law, through an LRU with no
/// expiry, at a load light enough that misses rarely overlap.
fn keyed(seed: u64, keys: u32, capacity: u32, zipf_s: f64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 2_000.0;
    c.traffic.duration_s = 300.0;
    c.cache.enabled = true;
    c.cache.hot_share = 1.0;
    c.cache.keys = keys;
    c.cache.capacity = capacity;
    c.cache.zipf_s = zipf_s;
    c.cache.ttl_s = 86_400.0;
    c.cache.recompute_ms = 1.0;
    c
}

#[test]
fn keyed_lru_hit_rate_follows_che() {
    use sim_core::analytics::{che_lru_hit_rate, zipf_probs};
    for (seed, keys, capacity, s) in [(101u64, 10_000u32, 500u32, 0.8), (102, 10_000, 500, 1.2), (103, 2_000, 400, 0.6)]
    {
        let t = run(keyed(seed, keys, capacity, s)).totals();
        // The cold start (at most C misses) is well under 1% of 600,000 reads.
        let hits = t.cache_hits as f64;
        let rate = hits / (t.cache_hits + t.cache_misses) as f64;
        let che = che_lru_hit_rate(&zipf_probs(keys, s), capacity as f64).unwrap();
        assert!(rel(rate, che) < 0.03, "seed {seed} K {keys} C {capacity} s {s}: hit rate {rate:.4} vs Che {che:.4}");
    }
}

#[test]
fn a_keyed_cache_flush_makes_every_read_miss_for_a_while() {
    let seed = 104;
    let mut c = keyed(seed, 1_000, 1_000, 1.0);
    c.traffic.duration_s = 20.0;
    c.faults = vec![Fault { kind: FaultKind::CacheFlush, ..Fault::crash(10.0, 0) }];
    let sim = run(c);
    let misses = &sim.series().cache_misses;
    assert!(misses[10] > 5 * misses[9].max(1), "seed {seed}: misses per second {misses:?}");
}

#[test]
fn live_changes_reach_every_service_and_reset_fields_wait() {
    let seed = 105;
    let mut c = chain(seed, 100.0);
    c.traffic.duration_s = 4.0;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(sim_core::SimTime::from_secs(1));
    c.services[2].nodes.workers = 7;
    c.services[2].nodes.count = 9;
    c.services[1].calls[0].client.attempts = 1;
    let r = sim.reconfigure(&c).unwrap();
    assert_eq!(r.needs_restart, vec!["nodes.count"], "seed {seed}");
    assert!(r.applied.contains(&"nodes.workers") && r.applied.contains(&"client.attempts"), "seed {seed}: {r:?}");
    let running = &sim.config().services;
    assert_eq!((running[2].nodes.workers, running[2].nodes.count), (7, 4), "seed {seed}");
    assert_eq!(running[1].calls[0].client.attempts, 1, "seed {seed}");
    c.services.pop();
    let r = sim.reconfigure(&c).unwrap();
    assert_eq!(r.needs_restart, vec!["services"], "seed {seed}");
}

#[test]
fn a_fault_fired_mid_run_acts_and_ends() {
    let seed = 106;
    let mut c = seeded(seed);
    c.traffic.duration_s = 12.0;
    let mut sim = Simulation::new(c).unwrap();
    sim.step_until(SimTime::from_secs(3));
    let spike = Fault { kind: FaultKind::LatencySpike, duration_s: 4.0, magnitude: 5.0, ..Fault::crash(0.0, 0) };
    sim.fire_fault(spike).unwrap();
    sim.run_to_end();
    let p50 = |s: usize| sim.series().latency_p50_ms[s].unwrap();
    assert!(p50(5) > 3.0 * p50(1) && p50(10) < 1.5 * p50(1), "seed {seed}: p50 {} {} {}", p50(1), p50(5), p50(10));
    let bad = Fault { service: "nope".into(), ..Fault::crash(0.0, 0) };
    let mut sim = Simulation::new(seeded(seed)).unwrap();
    assert!(sim.fire_fault(bad).unwrap_err().to_string().contains("nope"), "seed {seed}");
}

#[test]
fn a_partition_fired_mid_run_drops_the_calls_on_its_edge() {
    let seed = 108;
    let mut c = chain(seed, 100.0);
    c.traffic.duration_s = 6.0;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(SimTime::from_secs(2));
    let before = sim.snapshot().services[1].calls[0];
    let cut = Fault {
        to: c.services[1].calls[0].to.clone(),
        ..fault(FaultKind::Partition, &c.services[1].name, 0.0, 2.0, 0.0)
    };
    sim.fire_fault(cut).unwrap();
    sim.step_until(SimTime::from_secs(3));
    let during = sim.snapshot().services[1].calls[0];
    assert!(during.partitioned, "seed {seed}");
    assert_eq!(during.ok, before.ok, "seed {seed}: nothing gets through a partition");
    assert!(during.timed_out > before.timed_out, "seed {seed}: callers time out");
}

#[test]
fn snapshots_and_series_show_each_service_and_call() {
    let seed = 107;
    let mut c = chain(seed, 100.0);
    c.faults = vec![fault(FaultKind::ErrorInjection, "db", 0.0, 86_400.0, 0.5)];
    let mut sim = Simulation::new(c).unwrap();
    sim.step_until(SimTime::from_secs(5));
    let snap = sim.snapshot();
    let names: Vec<&str> = snap.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["gateway", "api", "db"], "seed {seed}");
    assert_eq!(snap.services.iter().map(|s| s.node_count as usize).sum::<usize>(), snap.nodes.len());
    let api_to_db = snap.services[1].calls[0];
    assert_eq!(api_to_db.to, 2);
    assert_eq!(api_to_db.sent, snap.services[2].totals.attempts, "seed {seed}: every db attempt comes from the api");
    assert!(api_to_db.failed > 0 && api_to_db.ok > 0 && api_to_db.retried > 0, "seed {seed}: {api_to_db:?}");
    let ended = api_to_db.ok + api_to_db.failed + api_to_db.timed_out;
    assert!(ended <= api_to_db.sent && api_to_db.sent - ended < 100, "seed {seed}: {api_to_db:?}");
    let db = sim.service_series(2).expect("several services keep their own series");
    let sent: u64 = db.attempts.iter().sum();
    assert_eq!(sent, snap.services[2].totals.attempts, "seed {seed}");
    assert!(db.latency_p50_ms[2].is_some(), "seed {seed}: per-service percentiles");
    let cpu = |i: usize| sim.service_series(i).unwrap().cpu.useful[2];
    let whole = sim.series().cpu.useful[2];
    assert!(cpu(0) > 0.0 && cpu(1) > 0.0, "seed {seed}: each service books its own CPU");
    assert!((cpu(0) + cpu(1) + cpu(2) - whole).abs() < 1e-9 * whole.max(1.0), "seed {seed}: the services' CPU adds up");
    assert!(Simulation::new(seeded(seed)).unwrap().service_series(0).is_none());
}
