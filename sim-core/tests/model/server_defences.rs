//! The server-side defences of issue 10, each shown by its signature on
//! fixed seeds: adaptive concurrency limits under a capacity drop, the rate
//! limiter's cap, health probes sent as requests, and the autoscaler's
//! delay and its effect on a shared database. Every assertion names its seed.

use super::mechanisms::check_attempts_conserved;
use super::{run, seeded};

use sim_core::config::{LimitAlgorithm, ProbeMode};
use sim_core::{Config, Fault, FaultKind, SimTime, Simulation};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Mean per-second value of a series over `[from, to)` seconds.
fn mean(v: &[u64], from: usize, to: usize) -> f64 {
    v[from..to].iter().sum::<u64>() as f64 / (to - from) as f64
}

// ---- 6. adaptive concurrency limits ----------------------------------------

/// 4 nodes of 40 workers at 40 ms (4,000 req/s) under 2,500 req/s with a
/// deep waiting room; at 10 s a fault takes half of every node's workers
/// for the rest of the run, leaving 2,000 req/s of capacity.
fn capacity_drop(seed: u64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 2_500.0;
    c.traffic.duration_s = 40.0;
    c.nodes.workers = 40;
    c.nodes.service_ms_mean = 40.0;
    c.nodes.queue_capacity = 100_000;
    c.faults = vec![Fault {
        at_s: 10.0,
        node: 0,
        kind: FaultKind::CapacityLoss,
        service: String::new(),
        duration_s: 100.0,
        magnitude: 0.5,
        to: String::new(),
    }];
    c
}

fn fixed_limit(seed: u64, limit: u32) -> Config {
    let mut c = capacity_drop(seed);
    c.shedding.limit_concurrency = true;
    c.shedding.concurrency_limit = limit;
    c
}

fn adaptive(seed: u64, algorithm: LimitAlgorithm) -> Config {
    let mut c = capacity_drop(seed);
    c.limiter.adaptive = true;
    c.limiter.algorithm = algorithm;
    c
}

#[test]
fn adaptive_limits_keep_goodput_at_the_remaining_capacity() {
    let remaining = 2_000.0;
    for seed in [21u64, 22] {
        // Too high: the queue grows until waits pass the 1 s timeout, and
        // every attempt served is served for nobody.
        let high = run(fixed_limit(seed, 2_000));
        let high_good = mean(&high.series().goodput, 20, 40);
        assert!(high_good < 0.1 * remaining, "seed {seed}: fixed 2,000 keeps {high_good}/s");
        assert!(high.totals().timed_out > 0, "seed {seed}");
        // Too low: 10 attempts a node use a quarter of the workers, before
        // the drop as after it.
        let low = run(fixed_limit(seed, 10));
        let low_good = mean(&low.series().goodput, 20, 40);
        assert!(low_good < 0.55 * remaining, "seed {seed}: fixed 10 keeps {low_good}/s");
        assert!(mean(&low.series().goodput, 2, 10) < 0.45 * 2_500.0, "seed {seed}: fixed 10 starves before the drop");
        for algorithm in [LimitAlgorithm::Aimd, LimitAlgorithm::Gradient2] {
            let sim = run(adaptive(seed, algorithm));
            let t = check_attempts_conserved("adaptive limit", &sim);
            let good = mean(&sim.series().goodput, 20, 40);
            assert!(good > 0.93 * remaining, "seed {seed} {algorithm:?}: goodput {good}/s of {remaining}");
            assert_eq!(t.timed_out, 0, "seed {seed} {algorithm:?}: the limit keeps waits short");
            assert!(t.limit_rejected > 0 && t.limit_rejected <= t.rejected, "seed {seed} {algorithm:?}: {t:?}");
            let limits = &sim.series().scaling.as_ref().expect("limit series").limit;
            assert!(limits[5] >= 20.0 && limits[30] <= 200.0, "seed {seed} {algorithm:?}: {limits:?}");
            let snap = sim.snapshot();
            assert!(snap.services[0].concurrency_limit.is_some_and(|l| (20.0..=200.0).contains(&l)), "seed {seed}");
        }
    }
}

#[test]
fn aimd_grows_to_its_maximum_when_nothing_is_dropped() {
    // Under the drop nothing times out, so AIMD climbs by one a sample to
    // its maximum of 200 and holds there.
    let seed = 23;
    let sim = run(adaptive(seed, LimitAlgorithm::Aimd));
    let limits = &sim.series().scaling.as_ref().unwrap().limit;
    assert_eq!(limits[39], 200.0, "seed {seed}: {limits:?}");
}

// ---- 7. rate limiter --------------------------------------------------------

#[test]
fn the_rate_limiter_caps_admitted_attempts_at_rate_plus_burst() {
    for (seed, attempts) in [(31u64, 1u32), (32, 3)] {
        let mut c = seeded(seed);
        c.traffic.rate_per_s = 3_000.0;
        c.traffic.duration_s = 20.0;
        c.client.attempts = attempts;
        c.rate_limit.enabled = true;
        c.rate_limit.rate_per_s = 1_000.0;
        c.rate_limit.burst = 100;
        let sim = run(c);
        let t = sim.totals();
        let admitted = t.attempts - t.rate_limited;
        assert!(admitted <= 20 * 1_000 + 100, "seed {seed}: {admitted} admitted");
        assert!(admitted >= 20 * 1_000 - 100, "seed {seed}: {admitted} admitted");
        let s = sim.series();
        for sec in 0..20 {
            let in_second = s.attempts[sec] - s.rate_limited[sec];
            assert!(in_second <= 1_000 + 100, "seed {seed}: {in_second} admitted in second {sec}");
        }
        assert_eq!(t.rejected, 0, "seed {seed}: a 429 is not a 503");
        // 429s are failures the client retries under its policy: without
        // retries each fails its request; with them, most are retried.
        if attempts == 1 {
            assert_eq!(t.rate_limited, t.failed, "seed {seed}: {t:?}");
        } else {
            assert!(t.rate_limited > t.offered && t.attempts > 2 * t.offered, "seed {seed}: {t:?}");
        }
        let good = mean(&s.goodput, 2, 20);
        assert!((good - 1_000.0).abs() < 30.0, "seed {seed}: goodput {good}/s");
    }
}

#[test]
fn a_rate_limit_changed_live_takes_effect_at_once() {
    let seed = 33;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 3_000.0;
    c.traffic.duration_s = 10.0;
    c.rate_limit.enabled = true;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(SimTime::from_secs(5));
    c.rate_limit.rate_per_s = 2_000.0;
    let r = sim.reconfigure(&c).unwrap();
    assert_eq!(r.applied, vec!["rate_limit.rate_per_s"], "seed {seed}");
    sim.run_to_end();
    let s = sim.series();
    let admitted = |sec: usize| s.attempts[sec] - s.rate_limited[sec];
    assert!((950..=1_100).contains(&admitted(3)), "seed {seed}: {}", admitted(3));
    assert!((1_950..=2_100).contains(&admitted(8)), "seed {seed}: {}", admitted(8));
}

// ---- 8. health probes as requests ------------------------------------------

/// ~80% load on 4 nodes with health checks and a 256 waiting room; node 0
/// killed at 5 s and down for the rest of the run, so the survivors run
/// at ~107% with full queues.
fn survivors(seed: u64, mode: ProbeMode) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 10_240.0;
    c.traffic.duration_s = 30.0;
    c.crash.enabled = true;
    c.crash.restart_s = 100.0;
    c.health.enabled = true;
    c.health.probe_mode = mode;
    c.faults = vec![Fault::crash(5.0, 0)];
    c
}

/// Seconds in `[from, to)` at whose start some node that is up was ejected.
fn seconds_with_survivors_ejected(config: Config, from: u64, to: u64) -> usize {
    let mut sim = Simulation::new(config).unwrap();
    let mut seconds = 0;
    for s in from..to {
        sim.step_until(SimTime::from_secs(s));
        let snap = sim.snapshot();
        seconds += snap.nodes.iter().any(|n| n.ejected && n.life != sim_core::NodeLife::Crashed) as usize;
    }
    seconds
}

#[test]
fn probe_requests_fail_on_saturated_survivors_and_the_balancer_ejects_them() {
    for seed in [41u64, 42] {
        let old = seconds_with_survivors_ejected(survivors(seed, ProbeMode::QueueWait), 6, 30);
        assert_eq!(old, 0, "seed {seed}: a queue wait of ~80 ms passes the 1 s probe timeout");
        let new = seconds_with_survivors_ejected(survivors(seed, ProbeMode::Request), 6, 30);
        assert!(new >= 3, "seed {seed}: survivors ejected in {new} of 24 s");
        // Both eject the dead node.
        let sim = run(survivors(seed, ProbeMode::Request));
        assert!(sim.snapshot().nodes[0].ejected, "seed {seed}");
    }
}

#[test]
fn a_scenario_without_probe_mode_keeps_the_queue_wait_model() {
    let seed = 43;
    let mut c = survivors(seed, ProbeMode::QueueWait);
    c.traffic.duration_s = 12.0;
    let text = toml::to_string(&c).unwrap();
    assert!(text.contains("probe_mode = \"queue-wait\""), "{text}");
    let old_file = text.replace("probe_mode = \"queue-wait\"\n", "");
    let parsed: Config = toml::from_str(&old_file).unwrap();
    assert_eq!(parsed.health.probe_mode, ProbeMode::QueueWait, "a file without the field");
    assert_eq!(parsed, c);
    assert_eq!(run(parsed).totals(), run(c).totals(), "seed {seed}");
    assert_eq!(Config::default().health.probe_mode, ProbeMode::Request, "new scenarios probe with requests");
}

#[test]
fn probe_requests_take_workers_and_are_not_client_attempts() {
    // A lightly loaded node passes every probe; the probes are served by
    // its workers (node-served counts exceed the client's throughput) and
    // never counted as client attempts.
    let seed = 44;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 100.0;
    c.traffic.duration_s = 10.0;
    c.health.enabled = true;
    c.health.interval_ms = 100.0;
    let sim = run(c);
    let t = sim.totals();
    let served: u64 = sim.snapshot().nodes.iter().map(|n| n.served).sum();
    assert_eq!(t.attempts, t.offered, "seed {seed}");
    assert!(sim.snapshot().nodes.iter().all(|n| !n.ejected), "seed {seed}");
    // 10 s of probes every 100 ms on 4 nodes, less the first interval's.
    assert!(served >= t.throughput + 390, "seed {seed}: {served} served for {} attempts", t.throughput);
}

// ---- 9. autoscaler -----------------------------------------------------------

/// 4 nodes of 8 workers (3,200 req/s) at 2,500 req/s, a deep queue, and a
/// 10 s spike to twice the rate from 20 s: enough backlog that waits pass
/// the 1 s timeout and retries keep the load above capacity (a retry
/// storm). The autoscaler aims for 80% and takes 60 s to provision a node.
fn storm(seed: u64, autoscale: bool) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 2_500.0;
    c.traffic.duration_s = 100.0;
    c.traffic.spike_mult = 2.0;
    c.traffic.spike_start_s = 20.0;
    c.traffic.spike_end_s = 30.0;
    c.nodes.workers = 8;
    c.nodes.queue_capacity = 100_000;
    c.autoscaler.enabled = autoscale;
    c.autoscaler.target_utilisation = 0.8;
    c.autoscaler.provisioning_s = 60.0;
    c
}

#[test]
fn the_autoscaler_does_not_save_a_retry_storm_from_a_10s_spike() {
    for seed in [51u64, 52] {
        let without = run(storm(seed, false));
        let with = run(storm(seed, true));
        let t = check_attempts_conserved("storm autoscaled", &with);
        let s = with.series();
        let scaling = s.scaling.as_ref().expect("node series");
        // It sees the spike at its first evaluation after it and asks for nodes.
        assert!(t.scale_ups >= 1, "seed {seed}: {t:?}");
        let asked = (0..100).find(|&i| scaling.pending[i] > 0).expect("a node asked for");
        assert!((30..=31).contains(&asked), "seed {seed}: first asked for at {asked} s");
        // None serves before the provisioning delay is over.
        assert!(scaling.nodes[..asked + 60].iter().all(|&n| n == 4), "seed {seed}: {:?}", scaling.nodes);
        assert!(scaling.nodes[99] > 4, "seed {seed}: {:?}", scaling.nodes);
        // Meanwhile the storm outlives its trigger, as without the autoscaler.
        for sim in [&with, &without] {
            let good = mean(&sim.series().goodput, 35, 90);
            assert!(good < 0.1 * 2_500.0, "seed {seed}: goodput {good}/s after the spike");
        }
        assert!(mean(&s.goodput, 2, 20) > 0.97 * 2_500.0, "seed {seed}: fine before the spike");
        let snap = with.snapshot();
        assert_eq!(snap.nodes.len() as u32, snap.services[0].node_count, "seed {seed}");
        assert_eq!(
            snap.services[0].node_count,
            scaling.nodes[99] as u32 + snap.services[0].pending_nodes,
            "seed {seed}"
        );
    }
}

/// `db-scaling`'s app tier (20,000 req/s on 3 nodes whose requests each
/// run a ~1 ms query on one shared database that peaks near 16-32
/// concurrent queries), autoscaled every 5 s with 5 s of provisioning.
fn db_tier(seed: u64, autoscale: bool) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 20_000.0;
    c.traffic.duration_s = 30.0;
    c.nodes.count = 3;
    c.db.enabled = true;
    c.db.query_ms_mean = 1.0;
    c.autoscaler.enabled = autoscale;
    c.autoscaler.interval_s = 5.0;
    c.autoscaler.provisioning_s = 5.0;
    c
}

#[test]
fn scaling_the_app_tier_out_raises_the_shared_databases_contention() {
    for seed in [53u64, 54] {
        let fixed = run(db_tier(seed, false));
        let scaled = run(db_tier(seed, true));
        let nodes = &scaled.series().scaling.as_ref().unwrap().nodes;
        assert!(nodes[29] > 3, "seed {seed}: {nodes:?}");
        let queries = |sim: &Simulation| mean(&sim.series().db.as_ref().unwrap().queries, 20, 30);
        let (q_fixed, q_scaled) = (queries(&fixed), queries(&scaled));
        assert!(q_scaled > 2.0 * q_fixed, "seed {seed}: {q_scaled} queries at once against {q_fixed}");
        let (g_fixed, g_scaled) = (mean(&fixed.series().goodput, 20, 30), mean(&scaled.series().goodput, 20, 30));
        assert!(g_scaled < 0.9 * g_fixed, "seed {seed}: goodput {g_scaled}/s scaled out, {g_fixed}/s not");
    }
}

#[test]
fn scale_down_drains_the_removed_nodes_after_the_stabilisation_window() {
    // 8 nodes at 10% utilisation want 2 (ceil(8 × 0.1 / 0.7)); the window
    // of 20 s holds the scale-down until its older recommendations age out.
    let seed = 55;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 2_000.0;
    c.traffic.duration_s = 60.0;
    c.nodes.count = 8;
    c.nodes.workers = 25;
    c.health.enabled = true;
    c.autoscaler.enabled = true;
    c.autoscaler.interval_s = 5.0;
    c.autoscaler.scale_down_stabilisation_s = 20.0;
    c.autoscaler.min_nodes = 2;
    let sim = run(c);
    let t = check_attempts_conserved("scale-down", &sim);
    let nodes = &sim.series().scaling.as_ref().unwrap().nodes;
    assert_eq!(nodes[4], 8, "seed {seed}: {nodes:?}");
    assert!(nodes[59] < 8 && nodes[59] >= 2, "seed {seed}: {nodes:?}");
    assert!(t.scale_downs >= 1 && t.failed == 0, "seed {seed}: {t:?}");
    assert!(mean(&sim.series().goodput, 40, 60) > 0.99 * 2_000.0, "seed {seed}");
    assert_eq!(sim.snapshot().nodes.len() as u64, nodes[59], "seed {seed}: removed nodes leave the view");
}

// ---- validation ------------------------------------------------------------

#[test]
fn bad_defence_settings_name_their_field() {
    let mut c = Config::default();
    c.limiter.adaptive = true;
    c.limiter.initial_limit = 500;
    assert_eq!(c.validate().unwrap_err().field(), "limiter.initial_limit");
    let mut c = Config::default();
    c.limiter.backoff_ratio = 1.5;
    assert_eq!(c.validate().unwrap_err().field(), "limiter.backoff_ratio");
    let mut c = Config::default();
    c.autoscaler.enabled = true;
    c.autoscaler.min_nodes = 3;
    c.autoscaler.max_nodes = 2;
    assert_eq!(c.validate().unwrap_err().field(), "autoscaler.min_nodes");
    let mut c = Config::default();
    c.rate_limit.rate_per_s = -1.0;
    assert_eq!(c.validate().unwrap_err().field(), "rate_limit.rate_per_s");
}

#[test]
fn the_autoscaler_switched_on_mid_run_brings_the_count_within_its_bounds() {
    // 8 nodes with a maximum of 5: the first evaluation after the switch
    // removes three, which drain; switched off, it stops.
    let seed = 56;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 1_000.0;
    c.traffic.duration_s = 30.0;
    c.nodes.count = 8;
    c.autoscaler.max_nodes = 5;
    c.autoscaler.min_nodes = 5;
    c.autoscaler.interval_s = 5.0;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(SimTime::from_secs(3));
    c.autoscaler.enabled = true;
    assert_eq!(sim.reconfigure(&c).unwrap().applied, vec!["autoscaler.enabled"], "seed {seed}");
    sim.step_until(SimTime::from_secs(9));
    assert_eq!(sim.snapshot().services[0].node_count, 5, "seed {seed}");
    c.autoscaler.enabled = false;
    sim.reconfigure(&c).unwrap();
    sim.run_to_end();
    let t = check_attempts_conserved("autoscaler live", &sim);
    assert_eq!((t.scale_ups, t.scale_downs, t.failed), (0, 3, 0), "seed {seed}: {t:?}");
    assert_eq!(sim.series().scaling.as_ref().unwrap().nodes[29], 5, "seed {seed}");
}

#[test]
fn a_middle_tier_scales_out_and_the_snapshot_numbers_its_nodes() {
    // gateway → api, the api at 8 workers a node over 4 nodes (3,200/s)
    // under 3,000 req/s: ~94% busy, so its autoscaler (target 0.7, 5 s
    // provisioning) adds nodes; the gateway keeps its 4.
    use sim_core::config::ClientConfig;
    use sim_core::{CallConfig, ServiceConfig};
    let seed = 57;
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 3_000.0;
    c.traffic.duration_s = 30.0;
    let mut gateway = ServiceConfig { name: "gateway".into(), ..ServiceConfig::default() };
    gateway.calls = vec![CallConfig { to: "api".into(), client: ClientConfig::default() }];
    let mut api = ServiceConfig { name: "api".into(), ..ServiceConfig::default() };
    api.nodes.workers = 8;
    api.autoscaler.enabled = true;
    api.autoscaler.interval_s = 5.0;
    api.autoscaler.provisioning_s = 5.0;
    c.services = vec![gateway, api];
    let mut sim = Simulation::new(c).unwrap();
    sim.step_until(SimTime::from_secs(20));
    let snap = sim.snapshot();
    let (g, a) = (&snap.services[0], &snap.services[1]);
    assert_eq!((g.first_node, g.node_count), (0, 4), "seed {seed}");
    assert!(a.first_node == 4 && a.node_count > 4, "seed {seed}: {a:?}");
    assert_eq!(snap.nodes.len() as u32, 4 + a.node_count, "seed {seed}");
    // The api's sixth node, as the snapshot numbers it, crashes.
    assert!(sim.crash_node(4 + 5), "seed {seed}");
    assert_eq!(sim.snapshot().nodes[9].life, sim_core::NodeLife::Crashed, "seed {seed}");
    assert!(sim.snapshot().nodes[..9].iter().all(|n| n.life != sim_core::NodeLife::Crashed), "seed {seed}");
    sim.run_to_end();
    let own = sim.service_series(1).unwrap().scaling.as_ref().unwrap();
    assert!(own.nodes[29] > 4 && sim.service_series(0).unwrap().scaling.as_ref().unwrap().nodes[29] == 4, "seed {seed}");
}
