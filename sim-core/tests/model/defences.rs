//! The client defences' signatures (issue 10): a retry budget holding a
//! failing dependency's load near its request rate, gRPC retry throttling
//! switching retries off past token_ratio / (1 + token_ratio) failures, a
//! circuit breaker keeping the caller's workers free while its dependency
//! is down, hedging cutting a bimodal tail, and budgets or backoff turning
//! Brooker's metastable collapse into a recovery. Every assertion names its
//! seed.

use super::{run, seeded};

use sim_core::config::ClientConfig;
use sim_core::distribution::ServiceDist;
use sim_core::{
    Backoff, BreakerState, CallConfig, Config, Fault, FaultKind, ServiceConfig, SimTime, Simulation, TrafficShape,
};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Brooker's collapse experiment, as shipped.
const BROOKER: &str = include_str!("../../../scenarios/brooker-collapse.toml");

/// A fault of `kind` on `service` for the whole run (or from `at_s` for
/// `duration_s`).
fn fault(kind: FaultKind, service: &str, at_s: f64, duration_s: f64, magnitude: f64) -> Fault {
    Fault { kind, service: service.to_string(), duration_s, magnitude, ..Fault::crash(at_s, 0) }
}

/// One service at `rate` req/s for `duration_s`, whose attempts fail with
/// an error at a share `failing`; 3 attempts with no backoff. Arrivals stop
/// a few seconds before the end so that every request resolves.
fn failing_service(seed: u64, rate: f64, duration_s: f64, failing: f64) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = rate;
    c.traffic.duration_s = duration_s;
    c.traffic.shape = TrafficShape::Step;
    c.traffic.spike_mult = 0.0;
    c.traffic.spike_start_s = duration_s - 5.0;
    c.client = ClientConfig { attempts: 3, backoff: Backoff::None, ..ClientConfig::default() };
    c.faults = vec![fault(FaultKind::ErrorInjection, "", 0.0, 86_400.0, failing)];
    c
}

// ---- retry budget -----------------------------------------------------------

/// Attempts per logical request against a dependency failing everything.
fn amplification(c: Config) -> f64 {
    let t = run(c).totals();
    assert_eq!(t.goodput, 0);
    t.attempts as f64 / t.offered as f64
}

#[test]
fn a_retry_budget_holds_a_failing_dependency_near_its_request_rate() {
    for seed in [1u64, 2] {
        let c = failing_service(seed, 1_000.0, 60.0, 1.0);
        let three = amplification(c.clone());
        assert!((2.95..=3.0).contains(&three), "seed {seed}: 3 attempts send {three:.3}× the load");
        let mut budget = c.clone();
        budget.client.budget.enabled = true;
        budget.client.budget.percent = 0.1;
        let sim = run(budget);
        let t = sim.totals();
        let x = t.attempts as f64 / t.offered as f64;
        // 10% of requests, plus Finagle's reserve of 10 retries a second (1%).
        assert!((1.09..=1.13).contains(&x), "seed {seed}: a 10% budget sends {x:.3}× the load");
        // Each request ends after its third attempt or at its first
        // suppressed retry.
        let retries = t.attempts - t.offered;
        let s = t.budget_suppressed;
        assert!(s <= t.offered && s + retries / 2 >= t.offered, "seed {seed}: {s} suppressed, {retries} retries");
        assert_eq!(t.failed, t.offered, "seed {seed}");
        println!("seed {seed}: no budget {three:.3}×, 10% budget {x:.3}×");
    }
}

#[test]
fn a_call_edge_budget_holds_its_callee_likewise() {
    // api → db, db failing every call: the budget on the api → db edge.
    let seed = 3;
    let mut c = failing_service(seed, 500.0, 40.0, 1.0);
    c.client.attempts = 1;
    c.faults = vec![fault(FaultKind::ErrorInjection, "db", 0.0, 86_400.0, 1.0)];
    let mut edge = ClientConfig { attempts: 3, backoff: Backoff::None, ..ClientConfig::default() };
    edge.budget.enabled = true;
    edge.budget.percent = 0.1;
    let api = ServiceConfig {
        name: "api".into(),
        calls: vec![CallConfig { to: "db".into(), client: edge }],
        ..ServiceConfig::default()
    };
    c.services = vec![api, ServiceConfig { name: "db".into(), ..ServiceConfig::default() }];
    let r = run(c).report(&[]);
    let s = r.services.expect("per-service report");
    let db = &s[1].totals;
    let x = db.attempts as f64 / db.offered as f64;
    assert!((1.09..=1.14).contains(&x), "seed {seed}: db sees {x:.3}× its calls");
    assert!(db.budget_suppressed > 0, "seed {seed}: counted at the callee");
}

// ---- gRPC retry throttling ----------------------------------------------------

/// Share of wanted retries that were sent under gRPC throttling, with a
/// share `failing` of attempts failing.
fn retried_share(seed: u64, failing: f64) -> f64 {
    let mut c = failing_service(seed, 1_000.0, 60.0, failing);
    c.client.throttle.enabled = true;
    let t = run(c).totals();
    let retries = (t.attempts - t.offered) as f64;
    retries / (retries + t.throttle_suppressed as f64)
}

#[test]
fn grpc_throttling_switches_retries_off_past_its_failure_share() {
    // Tokens drift by −f + 0.1 (1 − f) per attempt: up below f = 1/11
    // (9.1%), down above it.
    for seed in [1u64, 2] {
        let shares: Vec<(f64, f64)> =
            [0.05, 0.08, 0.11, 0.15].into_iter().map(|f| (f, retried_share(seed, f))).collect();
        println!("seed {seed}: failing share → share of retries sent: {shares:?}");
        let at = |f: f64| shares.iter().find(|s| s.0 == f).unwrap().1;
        assert!(at(0.05) > 0.95, "seed {seed}: at 5% failures retries go on ({:.3})", at(0.05));
        assert!(at(0.11) < 0.2, "seed {seed}: just above 9.1% most stop ({:.3})", at(0.11));
        assert!(at(0.15) < 0.05, "seed {seed}: at 15% failures retries stop ({:.3})", at(0.15));
        // Near the switch the count wanders around the threshold: in between.
        assert!(shares.windows(2).all(|w| w[1].1 < w[0].1), "seed {seed}: {shares:?}");
    }
}

// ---- circuit breaker ----------------------------------------------------------

/// api → db at 100 req/s, db cut off from api (a partition) from 10 s to
/// 30 s; the call waits 1 s per attempt, 3 attempts.
fn outage(seed: u64, breaker: bool) -> Config {
    let mut c = seeded(seed);
    c.traffic.rate_per_s = 100.0;
    c.traffic.duration_s = 45.0;
    let mut edge = ClientConfig { attempts: 3, backoff: Backoff::None, timeout_s: 1.0, ..ClientConfig::default() };
    edge.breaker.enabled = breaker;
    let api = ServiceConfig {
        name: "api".into(),
        calls: vec![CallConfig { to: "db".into(), client: edge }],
        ..ServiceConfig::default()
    };
    c.services = vec![api, ServiceConfig { name: "db".into(), ..ServiceConfig::default() }];
    c.faults = vec![Fault { to: "db".into(), ..fault(FaultKind::Partition, "api", 10.0, 20.0, 0.0) }];
    c
}

/// Busy workers over api's nodes.
fn api_busy(sim: &Simulation) -> u32 {
    let snap = sim.snapshot();
    let api = &snap.services[0];
    snap.nodes[api.first_node as usize..(api.first_node + api.node_count) as usize].iter().map(|n| n.busy).sum()
}

#[test]
fn a_breaker_keeps_the_callers_workers_free_and_closes_after_the_outage() {
    for seed in [1u64, 2] {
        let mut plain = Simulation::new(outage(seed, false)).unwrap();
        let mut broken = Simulation::new(outage(seed, true)).unwrap();
        plain.step_until(SimTime::from_secs(20));
        broken.step_until(SimTime::from_secs(20));
        let (p, b) = (api_busy(&plain), api_busy(&broken));
        println!("seed {seed}: api busy workers mid-outage: {p} without a breaker, {b} with");
        assert!(p >= 120, "seed {seed}: without a breaker api's 128 workers wait out timeouts ({p} busy)");
        assert!(b <= 10, "seed {seed}: with one, calls fail at once ({b} busy)");
        assert_eq!(broken.snapshot().services[0].calls[0].breaker, BreakerState::Open, "seed {seed}");
        // Back at 30 s: closed within open_ms (5 s) plus a probe's timeout (1 s).
        broken.step_until(SimTime::from_secs_f64(36.5));
        assert_eq!(broken.snapshot().services[0].calls[0].breaker, BreakerState::Closed, "seed {seed}");
        broken.run_to_end();
        plain.run_to_end();
        let open = &broken.service_series(1).expect("db's series").breaker_open;
        assert!(open[11..30].iter().sum::<u64>() >= 10, "seed {seed}: open during the outage: {open:?}");
        assert!(open[37..].iter().all(|&x| x == 0), "seed {seed}: closed after it: {open:?}");
        let db = &broken.report(&[]).services.unwrap()[1].totals;
        assert!(db.breaker_rejected > 0 && db.breaker_trips >= 1, "seed {seed}: counted at the callee: {db:?}");
        // Once it is open, callers fail fast instead of timing out.
        let late = |s: &Simulation| s.series().timed_out[15..30].iter().sum::<u64>();
        let (tp, tb) = (late(&plain), late(&broken));
        assert!(tb * 10 < tp, "seed {seed}: {tb} vs {tp} entry timeouts from 15 s to 30 s");
    }
}

// ---- hedged requests -----------------------------------------------------------

#[test]
fn hedging_cuts_the_tail_of_a_bimodal_service_for_a_few_extra_attempts() {
    for seed in [1u64, 2] {
        let mut c = seeded(seed);
        c.traffic.rate_per_s = 1_000.0;
        c.traffic.duration_s = 60.0;
        c.nodes.service_dist = ServiceDist::Bimodal;
        c.client.attempts = 1;
        let plain = run(c.clone());
        c.client.hedge.enabled = true;
        c.client.hedge.delay_ms = 30.0;
        let hedged = run(c);
        let (p, h) = (plain.latency().p99_ms.unwrap(), hedged.latency().p99_ms.unwrap());
        let t = hedged.totals();
        let extra = t.hedges as f64 / t.offered as f64;
        println!(
            "seed {seed}: p99 {p:.1} ms → {h:.1} ms hedged, {:.2}% extra attempts, {} hedge wins",
            extra * 100.0,
            t.hedge_wins
        );
        assert!(h < 0.4 * p, "seed {seed}: p99 {p:.1} ms without hedging, {h:.1} ms with");
        assert!((0.03..0.12).contains(&extra), "seed {seed}: {:.2}% extra attempts", extra * 100.0);
        assert_eq!(t.attempts, t.offered + t.hedges, "seed {seed}: every extra attempt is a hedge");
        assert!(t.hedge_wins > t.hedges / 2 && t.hedges_cancelled >= t.hedge_wins, "seed {seed}: {t:?}");
    }
}

// ---- metastability, both ways ---------------------------------------------------

/// Seeds 1–30 of Brooker's scenario with a 5 s spike, changed by `change`,
/// that stay collapsed (goodput over the last 10 s below 10/s, the rule of
/// docs/MECHANISMS.md).
fn collapsed(change: impl Fn(&mut Config)) -> Vec<u64> {
    let base: Config = toml::from_str(BROOKER).expect("scenario parses");
    (1..=30u64)
        .filter(|&seed| {
            let mut c = Config { seed, ..base.clone() };
            change(&mut c);
            let sim = run(c);
            let g = &sim.series().goodput;
            let n = g.len();
            (g[n - 10..].iter().sum::<u64>() as f64 / 10.0) < 10.0
        })
        .collect()
}

#[test]
fn a_budget_turns_brookers_collapse_into_recovery_where_backoff_does_not() {
    let plain = collapsed(|_| {});
    assert!(plain.len() >= 15, "most seeds collapse: {plain:?}");
    // Backoff spreads the retries out but, with open-loop arrivals, does
    // not make them fewer: every timed-out request still sends three
    // attempts, which is what keeps the work in flight high (Brooker,
    // "What is Backoff For?", 2022: backoff "is only valuable in the long
    // term if it reduces total work").
    let backoff = collapsed(|c| {
        c.client.backoff = Backoff::FullJitter;
        c.client.backoff_base_ms = 1_000.0;
        c.client.backoff_cap_ms = 10_000.0;
    });
    assert!(backoff.len() >= 10, "full jitter alone still collapses in many seeds: {backoff:?}");
    // Defences that cut the retries themselves recover in every seed.
    let budget = collapsed(|c| c.client.budget.enabled = true);
    assert!(budget.is_empty(), "a 20% retry budget: seeds {budget:?} stayed collapsed");
    let both = collapsed(|c| {
        c.client.budget.enabled = true;
        c.client.backoff = Backoff::FullJitter;
    });
    assert!(both.is_empty(), "a budget with backoff: seeds {both:?} stayed collapsed");
    let throttle = collapsed(|c| c.client.throttle.enabled = true);
    assert!(throttle.is_empty(), "gRPC throttling: seeds {throttle:?} stayed collapsed");
    let breaker = collapsed(|c| c.client.breaker.enabled = true);
    assert!(breaker.is_empty(), "a breaker: seeds {breaker:?} stayed collapsed");
    println!(
        "collapsed of 30: {} plain, {} with backoff, 0 with a budget, throttling or a breaker",
        plain.len(),
        backoff.len()
    );
}

// ---- bookkeeping ------------------------------------------------------------------

#[test]
fn every_request_is_accounted_for_with_every_defence_on() {
    for seed in [1u64, 2, 3] {
        // 5% errors, and an overload (16,000 req/s into 12,800/s) from 5 s
        // to 10 s.
        let mut c = failing_service(seed, 4_000.0, 20.0, 0.05);
        c.traffic.shape = TrafficShape::Spike;
        c.traffic.spike_mult = 4.0;
        c.traffic.spike_start_s = 5.0;
        c.traffic.spike_end_s = 10.0;
        c.client.backoff = Backoff::FullJitter;
        let d = &mut c.client;
        (d.budget.enabled, d.throttle.enabled, d.adaptive.enabled, d.breaker.enabled, d.hedge.enabled) =
            (true, true, true, true, true);
        let sim = run(c);
        let t = sim.totals();
        assert_eq!(t.offered, t.goodput + t.failed + t.unresolved_at_end, "seed {seed}: {t:?}");
        assert_eq!(t.unresolved_at_end, sim.snapshot().in_flight, "seed {seed}");
        println!("seed {seed}: {t:?}");
        assert!(t.hedges > 0 && t.throttle_suppressed > 0, "seed {seed}: {t:?}");
        let s = sim.series();
        assert_eq!(s.hedges.iter().sum::<u64>(), t.hedges, "seed {seed}");
    }
}

#[test]
fn defences_switch_on_live_and_bad_values_name_their_field() {
    let seed = 4;
    let mut c = failing_service(seed, 1_000.0, 20.0, 1.0);
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(SimTime::from_secs(5));
    c.client.breaker.enabled = true;
    let r = sim.reconfigure(&c).unwrap();
    assert_eq!(r.applied, vec!["client.breaker.enabled"], "seed {seed}");
    sim.step_until(SimTime::from_secs(6));
    assert_eq!(sim.snapshot().client_breaker, BreakerState::Open, "seed {seed}");
    let before = sim.totals().attempts;
    sim.step_until(SimTime::from_secs(7));
    assert!(sim.totals().attempts - before < 100, "seed {seed}: an open breaker sends nothing");
    let mut bad = c.clone();
    bad.client.budget.percent = 20.0;
    let e = sim.reconfigure(&bad).unwrap_err();
    assert_eq!(e.field(), "client.budget.percent");
    assert!(e.to_string().contains("0 to 10"), "{e}");
    let mut bad = c;
    bad.client.breaker.probes = 0;
    assert_eq!(Simulation::new(bad).unwrap_err().field(), "client.breaker.probes");
}

#[test]
fn set_path_reaches_a_call_edges_defences() {
    use sim_core::catalogue::set_path;
    let mut c = seeded(1);
    c.services = vec![
        ServiceConfig {
            name: "api".into(),
            calls: vec![CallConfig { to: "db".into(), client: ClientConfig::default() }],
            ..ServiceConfig::default()
        },
        ServiceConfig { name: "db".into(), ..ServiceConfig::default() },
    ];
    set_path(&mut c, "services.api.calls.db.client.hedge.enabled", "on").unwrap();
    set_path(&mut c, "services.api.calls.db.client.hedge.delay_ms", "12").unwrap();
    set_path(&mut c, "client.throttle.token_ratio", "0.2").unwrap();
    let edge = &c.services[0].calls[0].client;
    assert!(edge.hedge.enabled && edge.hedge.delay_ms == 12.0 && c.client.throttle.token_ratio == 0.2);
    let e = set_path(&mut c, "services.api.calls.db.client.breaker.failure_rate", "2").unwrap_err();
    assert!(e.contains("from 0.01 to 1"), "{e}");
    c.services[0].calls[0].client.budget.ttl_s = 0.5;
    let e = Simulation::new(c).unwrap_err();
    assert!(e.to_string().contains("client.budget.ttl_s") && e.to_string().contains("db"), "{e}");
}

#[test]
fn a_live_change_keeps_an_open_breaker_open() {
    let seed = 6;
    let mut c = failing_service(seed, 1_000.0, 20.0, 1.0);
    c.client.breaker.enabled = true;
    let mut sim = Simulation::new(c.clone()).unwrap();
    sim.step_until(SimTime::from_secs(2));
    assert_eq!(sim.snapshot().client_breaker, BreakerState::Open, "seed {seed}");
    c.client.breaker.probes = 3;
    c.client.timeout_s = 2.0;
    sim.reconfigure(&c).unwrap();
    assert_eq!(sim.snapshot().client_breaker, BreakerState::Open, "seed {seed}: the change does not reset it");
    c.client.breaker.enabled = false;
    sim.reconfigure(&c).unwrap();
    assert_eq!(sim.snapshot().client_breaker, BreakerState::Closed, "seed {seed}: switched off");
    let before = sim.totals().attempts;
    sim.step_until(SimTime::from_secs(3));
    assert!(sim.totals().attempts - before > 2_000, "seed {seed}: attempts flow again");
}

#[test]
fn hedging_over_a_network_edge_takes_the_first_answer() {
    for seed in [1u64, 2] {
        let mut c = seeded(seed);
        c.traffic.rate_per_s = 500.0;
        c.traffic.duration_s = 20.0;
        c.nodes.service_dist = ServiceDist::Bimodal;
        c.client.attempts = 2;
        c.client.network_ms = 5.0;
        c.client.network_jitter_ms = 2.0;
        let plain = run(c.clone());
        c.client.hedge.enabled = true;
        c.client.hedge.delay_ms = 45.0;
        let hedged = run(c);
        let (p, h) = (plain.latency().p99_ms.unwrap(), hedged.latency().p99_ms.unwrap());
        let t = hedged.totals();
        assert!(h < 0.5 * p, "seed {seed}: p99 {p:.1} ms plain, {h:.1} ms hedged");
        assert_eq!(t.offered, t.goodput + t.failed + t.unresolved_at_end, "seed {seed}: {t:?}");
        assert!(t.hedges > 0 && t.hedge_wins > 0, "seed {seed}: {t:?}");
    }
}
