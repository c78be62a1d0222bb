//! The server-side failure mechanisms, each shown by its signature
//! phenomenon on fixed seeds: who wins, and by how much. Every assertion
//! names its seed.

use super::{run, seeded};

use sim_core::{Config, Fault, LbPolicy, Simulation, Totals};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Mean per-second value of a series over `[from, to)` seconds.
fn mean(v: &[u64], from: usize, to: usize) -> f64 {
    v[from..to].iter().sum::<u64>() as f64 / (to - from) as f64
}

/// Every attempt is accounted for once: answered, turned away, destroyed,
/// dropped, or still held by a node.
pub(crate) fn check_attempts_conserved(label: &str, sim: &Simulation) -> Totals {
    let t = sim.totals();
    let held: u64 = sim.snapshot().nodes.iter().map(|n| (n.busy + n.queued) as u64).sum();
    let seed = sim.config().seed;
    assert_eq!(
        t.attempts,
        t.rejected + t.refused + t.throughput + t.lost + t.dropped + t.db_timeouts + held,
        "{label} seed {seed}: {t:?}"
    );
    assert_eq!(t.offered, t.goodput + t.failed + t.unresolved_at_end, "{label} seed {seed}");
    assert!(t.errors <= t.refused + t.lost + t.db_timeouts, "{label} seed {seed}");
    t
}

// ---- 1. crash, restart, warm-up -------------------------------------------

/// 4 nodes of 32 workers (12,800 req/s) at a load three cannot carry, nodes
/// that crash above 1,000 held attempts, and node 0 killed at 10 s.
fn reboot_loop(seed: u64, queue_capacity: u32) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 10_500.0;
    c.traffic.duration_s = 120.0;
    c.nodes.queue_capacity = queue_capacity;
    c.crash.enabled = true;
    c.crash.memory_limit_mb = 250.0; // 1,000 attempts of 256 KiB
    c.faults = vec![Fault::crash(10.0, 0)];
    c
}

#[test]
fn without_shedding_one_crash_becomes_a_reboot_loop() {
    for seed in [3u64, 4] {
        let sim = run(reboot_loop(seed, 5_000));
        let t = check_attempts_conserved("reboot loop", &sim);
        let s = sim.series();
        // Every node goes down again and again, and goodput never comes back.
        assert!(t.crashes >= 20, "seed {seed}: {} crashes", t.crashes);
        assert!(sim.snapshot().nodes.iter().all(|n| n.crashes >= 3), "seed {seed}");
        let (good, offered) = (mean(&s.goodput, 90, 120), mean(&s.offered, 90, 120));
        assert!(good < 0.2 * offered, "seed {seed}: goodput {good} of {offered} offered in the last 30 s");
    }
}

#[test]
fn with_a_shedding_queue_cap_no_node_crashes() {
    for seed in [3u64, 4] {
        let sim = run(reboot_loop(seed, 256));
        let t = check_attempts_conserved("capped", &sim);
        let s = sim.series();
        assert_eq!(t.crashes, 1, "seed {seed}: only the scripted crash");
        assert!(t.rejected > 0, "seed {seed}: the survivors shed with 503s");
        let (good, offered) = (mean(&s.goodput, 90, 120), mean(&s.offered, 90, 120));
        assert!(good > 0.99 * offered, "seed {seed}: goodput {good} of {offered} offered in the last 30 s");
    }
}

#[test]
fn a_restarted_node_warms_up_before_full_speed() {
    let seed = 5;
    let mut c = seeded(seed);
    c.traffic.duration_s = 40.0;
    c.traffic.rate_per_s = 2_000.0;
    c.crash.restart_s = 2.0;
    c.crash.warmup_s = 20.0;
    c.crash.warmup_capacity = 0.25;
    let mut sim = Simulation::new(c).unwrap();
    sim.step_until(sim_core::SimTime::from_secs(5));
    assert!(sim.crash_node(1), "seed {seed}");
    assert!(!sim.crash_node(1), "seed {seed}: already down");
    sim.step_until(sim_core::SimTime::from_secs(6));
    let n = sim.snapshot().nodes[1];
    assert_eq!(n.state, sim_core::NodeState::Crashed, "seed {seed}");
    assert!(n.progress.is_some_and(|p| (p - 0.5).abs() < 0.01), "seed {seed}: {n:?}");
    sim.step_until(sim_core::SimTime::from_secs(8));
    let n = sim.snapshot().nodes[1];
    assert_eq!(n.state, sim_core::NodeState::Warming, "seed {seed}");
    // Service at a quarter of full speed: four times the busy workers of a
    // healthy peer for the same share of traffic.
    let snap = sim.snapshot();
    let (warm, peer) = (snap.nodes[1].busy, snap.nodes[0].busy);
    assert!(warm > peer, "seed {seed}: warming node busy {warm}, healthy peer {peer}");
    sim.step_until(sim_core::SimTime::from_secs(30));
    assert_eq!(sim.snapshot().nodes[1].life, sim_core::NodeLife::Up, "seed {seed}");
    check_attempts_conserved("warm-up", &sim);
}

// ---- 2. health checks and ejection ----------------------------------------

/// ~80% load on 4 nodes with health checks; node 0 killed at 10 s.
fn cascade(seed: u64, queue_capacity: u32) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 10_240.0;
    c.traffic.duration_s = 60.0;
    c.nodes.queue_capacity = queue_capacity;
    c.crash.enabled = true;
    c.crash.memory_limit_mb = 250.0;
    c.health.enabled = true;
    c.faults = vec![Fault::crash(10.0, 0)];
    c
}

#[test]
fn losing_one_node_at_80_percent_cascades_without_shedding() {
    for seed in [4u64, 6] {
        let sim = run(cascade(seed, 5_000));
        check_attempts_conserved("cascade", &sim);
        let s = sim.series();
        // The survivors go down after the first one, and all of them do.
        let first_survivor_crash = (11..60).find(|&i| s.crashes[i] > 0).expect("a survivor crashes");
        assert!(first_survivor_crash <= 25, "seed {seed}: first survivor crash at {first_survivor_crash} s");
        assert!(sim.snapshot().nodes.iter().all(|n| n.crashes >= 1), "seed {seed}");
        let ejected = &s.node_states.as_ref().unwrap().ejected;
        assert!(ejected[10..20].iter().any(|&e| e >= 1), "seed {seed}: the dead node is ejected");
        let good = mean(&s.goodput, 30, 60);
        assert!(good < 2_000.0, "seed {seed}: goodput {good}/s after the cascade");
    }
}

#[test]
fn with_shedding_the_survivors_hold() {
    for seed in [4u64, 6] {
        let sim = run(cascade(seed, 256));
        let t = check_attempts_conserved("cascade capped", &sim);
        let s = sim.series();
        assert_eq!(t.crashes, 1, "seed {seed}");
        let good = mean(&s.goodput, 30, 60);
        assert!(good > 0.99 * mean(&s.offered, 30, 60), "seed {seed}: goodput {good}/s");
        // Node 0 came back and was readmitted.
        let states = s.node_states.as_ref().unwrap();
        assert_eq!((states.up[40], states.ejected[40]), (4, 0), "seed {seed}");
    }
}

#[test]
fn panic_mode_routes_to_all_when_too_few_are_healthy() {
    let seed = 8;
    let mut c = seeded(seed);
    c.traffic.duration_s = 30.0;
    c.traffic.rate_per_s = 1_000.0;
    c.health.enabled = true;
    c.crash.restart_s = 20.0;
    c.faults = (0..3).map(|node| Fault::crash(2.0, node)).collect();
    let mut sim = Simulation::new(c).unwrap();
    sim.step_until(sim_core::SimTime::from_secs(10));
    let snap = sim.snapshot();
    // Three of four ejected is below the 50% threshold: traffic goes
    // everywhere again, so attempts still hit the dead nodes.
    assert!(snap.routing_panic, "seed {seed}");
    let refused_before = sim.totals().refused;
    sim.step_until(sim_core::SimTime::from_secs(12));
    assert!(sim.totals().refused > refused_before, "seed {seed}");
}

// ---- 3. balancer policies -------------------------------------------------

#[test]
fn least_outstanding_and_p2c_beat_round_robin_on_unequal_nodes() {
    for seed in [11u64, 12] {
        let p99 = |policy| {
            let mut c = seeded(seed);
            c.traffic.rate_per_s = 8_000.0;
            c.traffic.duration_s = 30.0;
            c.nodes.slow_count = 1;
            c.nodes.slow_factor = 3.0;
            c.balancer.policy = policy;
            let sim = run(c);
            check_attempts_conserved(policy.name(), &sim);
            sim.latency().p99_ms.unwrap()
        };
        let rr = p99(LbPolicy::RoundRobin);
        let lor = p99(LbPolicy::LeastOutstanding);
        let p2c = p99(LbPolicy::PowerOfTwo);
        assert!(lor < 0.5 * rr, "seed {seed}: p99 least-outstanding {lor:.1} ms vs round robin {rr:.1} ms");
        assert!(p2c < 0.5 * rr, "seed {seed}: p99 p2c {p2c:.1} ms vs round robin {rr:.1} ms");
    }
}

// ---- 5. deadlines ----------------------------------------------------------

/// Twice the capacity into deep queues, one attempt per request.
fn double_overload(seed: u64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 25_600.0;
    c.traffic.duration_s = 40.0;
    c.client.attempts = 1;
    c.nodes.queue_capacity = 200_000;
    c
}

#[test]
fn dropping_expired_work_restores_goodput() {
    for seed in [21u64, 22] {
        let capacity = 12_800.0;
        let fifo = run(double_overload(seed));
        let mut c = double_overload(seed);
        c.shedding.drop_expired = true;
        let dropping = run(c);
        let (a, b) = (check_attempts_conserved("fifo", &fifo), check_attempts_conserved("drop", &dropping));
        let good = |sim: &Simulation| mean(&sim.series().goodput, 20, 40);
        assert!(good(&fifo) < 0.05 * capacity, "seed {seed}: FIFO goodput {}", good(&fifo));
        assert!(good(&dropping) > 0.9 * capacity, "seed {seed}: dropping goodput {}", good(&dropping));
        assert!(b.wasted * 10 < a.wasted, "seed {seed}: wasted {} vs {}", b.wasted, a.wasted);
        assert!(b.dropped > 0, "seed {seed}");
    }
}

// ---- 6. shedding policies ---------------------------------------------------

#[test]
fn every_shedding_policy_beats_an_unbounded_fifo_queue() {
    let seed = 31;
    let base = || {
        let mut c = double_overload(seed);
        c.client.attempts = 3;
        c.nodes.queue_capacity = 1_000_000;
        c
    };
    let goodput = |label: &str, c: Config| {
        let sim = run(c);
        check_attempts_conserved(label, &sim);
        mean(&sim.series().goodput, 20, 40)
    };
    let fifo = goodput("fifo", base());
    let mut codel = base();
    codel.shedding.codel = true;
    let mut lifo = base();
    lifo.shedding.adaptive_lifo = true;
    let mut limit = base();
    limit.shedding.limit_concurrency = true;
    for (label, c) in [("codel", codel), ("adaptive LIFO", lifo), ("concurrency limit", limit)] {
        let g = goodput(label, c);
        assert!(g > 0.8 * 12_800.0 && g > 10.0 * fifo.max(1.0), "seed {seed}: {label} goodput {g}/s vs FIFO {fifo}/s");
    }
}

// ---- determinism --------------------------------------------------------------

#[test]
fn mechanisms_are_deterministic_too() {
    let seed = 9;
    let mut c = cascade(seed, 5_000);
    c.traffic.duration_s = 25.0;
    c.balancer.policy = LbPolicy::PowerOfTwo;
    c.shedding.codel = true;
    c.nodes.slow_count = 1;
    let a = serde_json::to_string(&run(c.clone()).report(&[])).unwrap();
    let b = serde_json::to_string(&run(c).report(&[])).unwrap();
    assert_eq!(a, b, "seed {seed}");
}

// ---- 4. CPU and threads ----------------------------------------------------

/// 2× overload of 4 nodes × 32 cores, one attempt per request, `workers`
/// threads per node sharing the cores.
fn thread_pool(seed: u64, workers: u32) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 20_000.0;
    c.traffic.duration_s = 30.0;
    c.client.attempts = 1;
    c.nodes.workers = workers;
    c.cpu.enabled = true;
    c
}

#[test]
fn goodput_rises_with_the_pool_up_to_the_cores_then_falls() {
    let seed = 5;
    let pools = [8u32, 16, 32, 64, 256, 1024];
    let goodput: Vec<f64> = pools
        .iter()
        .map(|&w| {
            let sim = run(thread_pool(seed, w));
            check_attempts_conserved("thread pool", &sim);
            mean(&sim.series().goodput, 10, 30)
        })
        .collect();
    let peak = pools.iter().position(|&w| w == 32).unwrap();
    for i in 0..pools.len() - 1 {
        let (a, b) = (goodput[i], goodput[i + 1]);
        if i < peak {
            assert!(b > 1.5 * a, "seed {seed}: goodput must rise to the cores: {pools:?} → {goodput:?}");
        } else {
            assert!(b < 0.95 * a, "seed {seed}: goodput must fall past the cores: {pools:?} → {goodput:?}");
        }
    }
    assert!(goodput[peak] > 0.95 * 12_800.0, "seed {seed}: {goodput:?}");
}

#[test]
fn an_8x_oversized_pool_at_peak_spends_40_percent_on_switching() {
    let seed = 6;
    let sim = run(thread_pool(seed, 256));
    let cpu = &sim.series().cpu;
    let sum = |v: &[f64]| v[10..30].iter().sum::<f64>() / 20.0;
    let (useful, wasted, switching) = (sum(&cpu.useful), sum(&cpu.wasted), sum(&cpu.switching));
    let total = useful + wasted + switching;
    // All 4 × 32 cores busy; 40% of them switching.
    assert!((total - 128.0).abs() < 3.0, "seed {seed}: {total} cores busy");
    let share = switching / total;
    assert!((share - 0.40).abs() < 0.02, "seed {seed}: switching share {share:.3}");
    // The per-node breakdown in the snapshot tells the same story.
    let node = sim.snapshot().nodes[0].cpu;
    let node_share = node.switching / (node.useful + node.wasted + node.switching);
    assert!((node_share - 0.40).abs() < 0.05, "seed {seed}: node 0 {node:?}");
}

#[test]
fn cpu_model_with_a_right_sized_pool_keeps_the_reference_capacity() {
    let seed = 7;
    let mut plain = seeded(seed);
    plain.traffic.duration_s = 20.0;
    let mut shared = plain.clone();
    shared.cpu.enabled = true;
    let (a, b) = (run(plain).totals(), run(shared).totals());
    assert_eq!((a.rejected, b.rejected), (0, 0), "seed {seed}");
    assert!((a.goodput as f64 / b.goodput as f64 - 1.0).abs() < 0.001, "seed {seed}: {a:?} vs {b:?}");
}

#[test]
fn wasted_cpu_is_booked_when_clients_have_left() {
    // A timeout storm: deep queues, most service goes to abandoned attempts.
    let seed = 41;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 14_000.0;
    c.traffic.duration_s = 40.0;
    c.nodes.queue_capacity = 5_000;
    c.cpu.enabled = true;
    let sim = run(c);
    let cpu = &sim.series().cpu;
    let (useful, wasted) = (cpu.useful[35], cpu.wasted[35]);
    assert!(wasted > useful, "seed {seed}: second 35 useful {useful:.1} vs wasted {wasted:.1} cores");
    assert!(useful + wasted > 120.0, "seed {seed}: the cores stay busy");
}

#[test]
fn switching_the_cpu_model_off_mid_run_finishes_shared_jobs() {
    let seed = 12;
    let mut c = thread_pool(seed, 256);
    c.traffic.duration_s = 10.0;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(sim_core::SimTime::from_secs(5));
    c.cpu.enabled = false;
    sim.reconfigure(&c).unwrap();
    sim.run_to_end();
    check_attempts_conserved("cpu off", &sim);
    // Without sharing the 256 workers serve at full speed: twice the capacity.
    let s = sim.series();
    assert!(mean(&s.throughput, 7, 10) > 19_000.0, "seed {seed}: {:?}", &s.throughput[4..10]);
}

#[test]
fn latency_grows_with_work_in_flight() {
    let seed = 13;
    let mut c = seeded(seed);
    c.traffic.duration_s = 20.0;
    let base = run(c.clone()).latency().mean_ms.unwrap();
    c.cpu.service_ms_per_inflight = 0.1;
    let loaded = run(c).latency().mean_ms.unwrap();
    // Each node holds ~25 attempts at this load: +2.5 ms a service, more with
    // the queueing that the longer services cause.
    assert!(loaded > base + 2.0, "seed {seed}: mean {loaded:.2} ms vs {base:.2} ms");
}

// ---- 7. a shared database behind connection pools --------------------------

/// 20,000 req/s offered to `nodes` app nodes, each with its pool of 10,
/// sharing one database of 1 ms queries.
fn shared_db(seed: u64, nodes: u32) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 20_000.0;
    c.traffic.duration_s = 40.0;
    c.nodes.count = nodes;
    c.db.enabled = true;
    c.db.query_ms_mean = 1.0;
    c
}

#[test]
fn adding_app_nodes_past_the_database_lowers_goodput() {
    for seed in [5u64, 6] {
        let by_nodes: Vec<(u32, f64, u64)> = [2u32, 3, 4, 8]
            .iter()
            .map(|&n| {
                let sim = run(shared_db(seed, n));
                check_attempts_conserved("shared db", &sim);
                let queries = sim.series().db.as_ref().unwrap().queries[30];
                (n, mean(&sim.series().goodput, 20, 40), queries)
            })
            .collect();
        let g = |n: u32| by_nodes.iter().find(|r| r.0 == n).unwrap().1;
        // More app nodes help while the app tier is the bottleneck...
        assert!(g(3) > 1.3 * g(2), "seed {seed}: {by_nodes:?}");
        // ...then every pool added pushes the database past its peak.
        assert!(g(4) < 0.85 * g(3) && g(8) < 0.6 * g(4), "seed {seed}: {by_nodes:?}");
        // With 8 nodes all 80 connections are busy at the database.
        assert_eq!(by_nodes[3].2, 80, "seed {seed}: {by_nodes:?}");
    }
}

#[test]
fn a_small_pool_fails_fast_with_acquire_timeouts() {
    let seed = 7;
    let mut c = shared_db(seed, 8);
    c.db.pool_size = 2;
    c.db.acquire_timeout_ms = 5.0;
    c.traffic.duration_s = 10.0;
    let sim = run(c);
    let t = check_attempts_conserved("small pool", &sim);
    assert!(t.db_timeouts > 1_000, "seed {seed}: {t:?}");
    assert!(t.errors >= t.db_timeouts / 2, "seed {seed}: clients see the errors: {t:?}");
    let nodes = sim.snapshot().nodes;
    assert!(nodes.iter().all(|n| n.pool_in_use <= 2), "seed {seed}");
}

// ---- 8. a cache with a TTL -----------------------------------------------------

/// 1,000 reads/s of a hot key (half of 2,000 req/s) whose value takes 20 ms
/// to recompute and stays fresh for 5 s.
fn hot_key(seed: u64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 2_000.0;
    c.traffic.duration_s = 60.0;
    c.cache.enabled = true;
    c.cache.ttl_s = 5.0;
    c.cache.recompute_ms = 20.0;
    c
}

#[test]
fn an_expiry_without_protection_is_a_stampede() {
    for seed in [5u64, 6] {
        let sim = run(hot_key(seed));
        let t = check_attempts_conserved("stampede", &sim);
        let rate = sim.snapshot().cache_hit_rate.expect("reads in the last second");
        assert!(rate > 0.9, "seed {seed}: hit rate {rate}");
        let per_expiry = t.regenerations as f64 / t.refills as f64;
        // Every read during the ~20 ms recomputation recomputes too.
        let expected = 1_000.0 * 0.020;
        assert!(t.refills >= 10, "seed {seed}: {t:?}");
        assert!(
            per_expiry > 0.8 * expected && per_expiry < 1.5 * expected,
            "seed {seed}: {per_expiry:.1} regenerations per expiry, read rate × recompute time = {expected}"
        );
    }
}

#[test]
fn coalescing_and_early_refresh_recompute_once_per_expiry() {
    for seed in [5u64, 6] {
        let mut coalesced = hot_key(seed);
        coalesced.cache.coalesce = true;
        let t = check_attempts_conserved("coalesced", &run(coalesced));
        assert_eq!(t.regenerations, t.refills, "seed {seed}: {t:?}");
        assert!(t.cache_misses > t.regenerations, "seed {seed}: readers joined the one flight: {t:?}");

        let mut early = hot_key(seed);
        early.cache.early_refresh = true;
        let t = check_attempts_conserved("early refresh", &run(early));
        let per_expiry = t.regenerations as f64 / t.refills as f64;
        // XFetch makes one early refresh the likely outcome, not a certainty.
        assert!(per_expiry < 1.5, "seed {seed}: {per_expiry:.2}: {t:?}");
        // Refreshed before expiry: almost no reader sees a stale key.
        assert!(t.cache_misses < 2 * t.refills, "seed {seed}: {t:?}");
    }
}

#[test]
fn a_stampede_on_the_database_stretches_every_query() {
    let seed = 9;
    let mut c = hot_key(seed);
    c.db.enabled = true;
    c.cache.recompute_ms = 50.0;
    let sim = run(c.clone());
    let stampede = check_attempts_conserved("db stampede", &sim);
    c.cache.coalesce = true;
    let calm = check_attempts_conserved("db coalesced", &run(c));
    assert!(stampede.regenerations > 20 * calm.regenerations, "seed {seed}: {stampede:?} vs {calm:?}");
    assert!(sim.latency().p99_ms.unwrap() > 50.0, "seed {seed}: the stampede shows in the tail: {:?}", sim.latency());
}

#[test]
fn switching_health_checks_off_readmits_every_node_at_once() {
    let seed = 14;
    let mut c = seeded(seed);
    c.traffic.duration_s = 20.0;
    c.health.enabled = true;
    c.crash.restart_s = 30.0;
    c.faults = vec![Fault::crash(1.0, 2)];
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(sim_core::SimTime::from_secs(6));
    assert!(sim.snapshot().nodes[2].ejected, "seed {seed}");
    c.health.enabled = false;
    let r = sim.reconfigure(&c).unwrap();
    assert_eq!(r.applied, vec!["health.enabled"], "seed {seed}");
    assert!(sim.snapshot().nodes.iter().all(|n| !n.ejected), "seed {seed}");
    // The dead node gets traffic again, and refuses it.
    let refused = sim.totals().refused;
    sim.step_until(sim_core::SimTime::from_secs(7));
    assert!(sim.totals().refused > refused, "seed {seed}");
    check_attempts_conserved("health off", &sim);
}

// ---- limits ---------------------------------------------------------------------

#[test]
fn every_mechanism_at_its_extremes_runs_without_panicking() {
    use sim_core::config::limits;
    // Everything on, each knob at the end of its range that stresses the
    // engine most, for a few simulated seconds; overflow checks are on in
    // tests, so an arithmetic overflow would fail here.
    for (seed, high, crash) in [(51u64, true, true), (52, false, true), (53, true, false), (54, false, false)] {
        let mut c = seeded(seed);
        c.traffic.duration_s = 3.0;
        c.traffic.rate_per_s = if high { 20_000.0 } else { 500.0 };
        c.nodes.count = 8;
        c.nodes.workers = if high { 2_000 } else { 1 };
        c.nodes.queue_capacity = if high { 100_000 } else { 0 };
        c.nodes.slow_count = 8;
        c.nodes.slow_factor = limits::SLOW_FACTOR.1;
        c.crash.enabled = crash;
        c.crash.memory_limit_mb = limits::MEMORY_MB.0;
        c.crash.restart_s = 0.0;
        c.crash.warmup_capacity = limits::WARMUP_CAPACITY.0;
        c.health.enabled = true;
        c.health.interval_ms = limits::PROBE_INTERVAL_MS.0;
        // Probe requests are not client attempts: the conservation below
        // counts attempts (server_defences.rs runs this with probe requests).
        c.health.probe_mode = sim_core::config::ProbeMode::QueueWait;
        c.shedding = sim_core::config::SheddingConfig {
            drop_expired: true,
            codel: true,
            adaptive_lifo: true,
            limit_concurrency: true,
            lifo_above: 0,
            concurrency_limit: 1,
            ..Default::default()
        };
        c.cpu.enabled = true;
        c.cpu.cores = 1;
        c.cpu.switch_overhead = limits::SWITCH_OVERHEAD.1;
        c.cpu.service_ms_per_inflight = limits::PER_INFLIGHT_MS.1;
        c.db.enabled = true;
        c.db.pool_size = if high { 10_000 } else { 1 };
        c.db.serial_fraction = 1.0;
        c.db.crosstalk = 1.0;
        c.cache.enabled = true;
        c.cache.hot_share = 1.0;
        c.cache.ttl_s = limits::TTL_S.0;
        c.cache.early_refresh = true;
        c.cache.early_beta = limits::EARLY_BETA.1;
        c.faults = vec![Fault::crash(1.0, 7)];
        c.validate().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let sim = run(c);
        check_attempts_conserved("extremes", &sim);
    }
}
