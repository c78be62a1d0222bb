//! Browser tests of the app: the reducer, query-string parsing, the chart
//! draw functions and the mounted components, in headless Chromium.
//!
//! Run with:
//!   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p brink-app --target wasm32-unknown-unknown

#![cfg(target_arch = "wasm32")]

use brink_app::charts::{self, palette, ChartData, UserView};
use brink_app::components::{use_animation_frames, Playground};
use brink_app::knobs::{Group, KnobId, KNOBS, TOGGLES};
use brink_app::pacing::MAX_FRAME_DT_MS;
use brink_app::presets::PRESETS;
use brink_app::state::{app_defaults, Action, AppState, SESSION_S};
use brink_app::url::{parse_query, to_query, UrlSettings};
use sim_core::config::limits;
use sim_core::{Backoff, Config, LbPolicy, NodeLife, NodeState, Simulation};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A clock that never moves: the pacer then keeps its initial budget, which
/// makes frame tests deterministic.
fn frozen_clock() -> f64 {
    0.0
}

fn settings(query: &str) -> UrlSettings {
    let (s, errors) = parse_query(query, &app_defaults());
    assert!(errors.is_empty(), "{errors:?}");
    s
}

fn state(query: &str) -> AppState {
    AppState::new(settings(query), Vec::new(), frozen_clock)
}

fn seconds(s: &AppState) -> f64 {
    s.snapshot.now.as_secs_f64()
}

// ---- reducer ---------------------------------------------------------------

#[wasm_bindgen_test]
fn slider_change_reconfigures_the_running_simulation() {
    let mut s = state("");
    for _ in 0..3 {
        s.apply(Action::Step);
    }
    assert!((seconds(&s) - 3.0).abs() < 1e-6);
    s.apply(Action::SetKnob(KnobId::Rate, 30_000.0));
    assert_eq!(s.engine.sim().config().traffic.rate_per_s, 30_000.0);
    assert!((seconds(&s) - 3.0).abs() < 1e-6, "a live change must not restart the run");
    assert!(s.pending_restart.is_empty());
    s.apply(Action::Step);
    let offered = s.engine.sim().series().offered[3] as f64;
    assert!((offered - 30_000.0).abs() < 1_500.0, "second 3 offered {offered}, expected about 30,000");
    assert!(s.changed(KnobId::Rate));
}

#[wasm_bindgen_test]
fn restart_fields_are_flagged_and_applied_on_reset() {
    let mut s = state("");
    s.apply(Action::Step);
    s.apply(Action::SetKnob(KnobId::Nodes, 8.0));
    assert_eq!(s.pending_restart, vec!["nodes.count"]);
    assert_eq!(s.config.nodes.count, 8);
    assert_eq!(s.snapshot.nodes.len(), 4, "node count waits for the reset");
    s.apply(Action::Reset);
    assert!(s.pending_restart.is_empty());
    assert_eq!(s.snapshot.nodes.len(), 8);
    assert_eq!(seconds(&s), 0.0);
}

#[wasm_bindgen_test]
fn moving_a_restart_field_back_clears_the_flag() {
    let mut s = state("");
    s.apply(Action::SetKnob(KnobId::Nodes, 8.0));
    s.apply(Action::SetKnob(KnobId::Nodes, 4.0));
    assert!(s.pending_restart.is_empty());
}

#[wasm_bindgen_test]
fn bad_seed_names_the_field_and_range() {
    let mut s = state("");
    s.apply(Action::SetSeed("abc".into()));
    let text = &s.notices.last().expect("a notice").text;
    assert!(text.contains("seed") && text.contains("0 to 18446744073709551615"), "{text}");
    assert_eq!(s.config.seed, 1);
    s.apply(Action::SetSeed(" 42 ".into()));
    assert_eq!(s.config.seed, 42);
    assert_eq!(s.pending_restart, vec!["seed"]);
}

#[wasm_bindgen_test]
fn typed_value_out_of_range_is_refused_with_the_range() {
    let mut s = state("");
    s.apply(Action::TypeKnob(KnobId::Rate, "90000".into()));
    let text = &s.notices.last().expect("a notice").text;
    assert!(text.contains("Arrival rate") && text.contains("0 to 50,000 req/s"), "{text}");
    assert_eq!(s.config.traffic.rate_per_s, 10_000.0);
    s.apply(Action::TypeKnob(KnobId::Rate, "12,500".into()));
    assert_eq!(s.config.traffic.rate_per_s, 12_500.0);
    let id = s.notices[0].id;
    s.apply(Action::Dismiss(id));
    assert!(s.notices.is_empty());
}

#[wasm_bindgen_test]
fn selects_and_group_reset() {
    let mut s = state("");
    s.apply(Action::SetBackoff(Backoff::Fixed));
    s.apply(Action::SetKnob(KnobId::Attempts, 5.0));
    assert_eq!(s.engine.sim().config().client.backoff, Backoff::Fixed);
    assert_eq!(s.engine.sim().config().client.attempts, 5);
    s.apply(Action::SetPolicy(LbPolicy::Random));
    assert_eq!(s.engine.sim().config().balancer.policy, LbPolicy::Random);
    s.apply(Action::ResetGroup(brink_app::knobs::Group::Clients));
    assert_eq!(s.config.client, app_defaults().client);
    assert_eq!(s.config.balancer.policy, LbPolicy::Random, "other groups keep their knobs");
}

#[wasm_bindgen_test]
fn spike_now_starts_a_spike_at_the_current_second() {
    let mut s = state("");
    s.apply(Action::Step);
    s.apply(Action::Step);
    s.apply(Action::SpikeNow);
    let t = s.engine.sim().config().traffic.clone();
    assert_eq!((t.spike_start_s, t.spike_end_s, t.spike_mult), (2.0, 12.0, 2.0));
}

#[wasm_bindgen_test]
fn frame_advances_by_speed_times_interval() {
    let mut s = state("?speed=10");
    s.apply(Action::Play);
    s.apply(Action::Frame(1000.0));
    let first = seconds(&s);
    s.apply(Action::Frame(1050.0));
    let step = seconds(&s) - first;
    assert!((step - 0.5).abs() < 1e-6, "10× over 50 ms must advance 0.5 s, got {step}");
    assert!(!s.behind);
}

#[wasm_bindgen_test]
fn frame_after_a_long_gap_is_clamped() {
    let mut s = state("?speed=2");
    s.apply(Action::Play);
    s.apply(Action::Frame(0.0));
    let before = seconds(&s);
    s.apply(Action::Frame(60_000.0));
    let advanced = seconds(&s) - before;
    assert!((advanced - 2.0 * MAX_FRAME_DT_MS / 1000.0).abs() < 1e-6, "advanced {advanced}");
}

#[wasm_bindgen_test]
fn an_exhausted_event_budget_is_reported_as_falling_behind() {
    // 200× over a 16.7 ms frame asks for 3.3 simulated seconds, about
    // 100,000 events at 10,000 req/s: more than the first frame's budget.
    let mut s = state("?speed=200");
    s.apply(Action::Play);
    s.apply(Action::Frame(0.0));
    s.apply(Action::Frame(16.7));
    assert!(s.behind);
    assert!(seconds(&s) < 2.0 * 3.34, "the budget must stop the frame early");
    s.apply(Action::SetSpeed(1.0));
    s.apply(Action::Frame(33.4));
    assert!(!s.behind);
}

#[wasm_bindgen_test]
fn a_finished_run_stops_and_refuses_to_play() {
    let mut config = app_defaults();
    config.traffic.duration_s = 2.0;
    let settings = UrlSettings { config, speed: None, bench: false, autoplay: true };
    let mut s = AppState::new(settings, Vec::new(), frozen_clock);
    s.apply(Action::Frame(0.0));
    s.apply(Action::Frame(100.0));
    for _ in 0..3 {
        s.apply(Action::Step);
    }
    assert!(s.finished());
    s.apply(Action::Play);
    assert!(!s.playing);
}

#[wasm_bindgen_test]
fn a_refused_change_keeps_the_knobs_and_explains() {
    // Ten attempts at 50,000 req/s over an hour exceed the engine's event cap.
    let mut s = state("?rate=50000");
    s.apply(Action::SetKnob(KnobId::Attempts, 10.0));
    assert_eq!(s.config.client.attempts, 3);
    let text = &s.notices.last().expect("a notice").text;
    assert!(text.starts_with("Change not applied") && text.contains("traffic.rate_per_s"), "{text}");
}

#[wasm_bindgen_test]
fn presets_apply_live_and_keep_restart_fields() {
    let mut s = state("?nodes=6&seed=9");
    s.apply(Action::Step);
    s.apply(Action::LoadPreset(2));
    let c = s.engine.sim().config().clone();
    assert_eq!((c.nodes.count, c.seed), (6, 9));
    assert_eq!(c.client.backoff, Backoff::None);
    assert!(c.traffic.spike_start_s >= 1.0, "the spike is placed after the current instant");
    assert!(s.pending_restart.is_empty());
}

#[wasm_bindgen_test]
fn crash_button_action_crashes_the_node_then_it_warms_up() {
    let mut s = state("?restart_s=3&warmup_s=10");
    s.apply(Action::Step);
    s.apply(Action::CrashNode(1));
    let n = s.snapshot.nodes[1];
    assert_eq!((n.state, n.life, n.crashes), (NodeState::Crashed, NodeLife::Crashed, 1));
    assert_eq!(n.progress, Some(0.0));
    assert_ne!(s.snapshot.nodes[0].state, NodeState::Crashed, "only the chosen node crashes");
    s.apply(Action::CrashNode(1));
    assert_eq!(s.snapshot.nodes[1].crashes, 1, "a node that is down cannot crash again");
    s.apply(Action::Step);
    let p = s.snapshot.nodes[1].progress.expect("restart progress");
    assert!((p - 1.0 / 3.0).abs() < 0.01, "one second into a 3 s restart: {p}");
    for _ in 0..3 {
        s.apply(Action::Step);
    }
    let n = s.snapshot.nodes[1];
    assert_eq!((n.state, n.life), (NodeState::Warming, NodeLife::Warming));
    assert!(n.progress.unwrap() > 0.0 && n.progress.unwrap() < 0.2, "{:?}", n.progress);
    assert!(s.snapshot.totals.errors > 0 || s.snapshot.totals.lost > 0, "a crash under load costs requests");
    s.apply(Action::CrashNode(99));
    assert_eq!(s.snapshot.totals.crashes, 1, "a node that does not exist is ignored");
}

#[wasm_bindgen_test]
fn toggles_apply_live_and_group_reset_covers_them() {
    let mut s = state("");
    s.apply(Action::Step);
    for t in TOGGLES {
        s.apply(Action::SetToggle(t.id, true));
        assert!(t.id.get(s.engine.sim().config()), "{} not applied to the engine", t.field);
        assert!(s.toggle_changed(t.id));
    }
    assert!(s.pending_restart.is_empty(), "toggles apply live");
    s.apply(Action::SetKnob(KnobId::MemoryLimit, 250.0));
    s.apply(Action::ResetGroup(Group::Failures));
    assert!(!s.config.crash.enabled && s.config.crash.memory_limit_mb == 512.0);
    assert!(s.config.health.enabled, "other groups keep their toggles");
    s.apply(Action::ResetGroup(Group::Shedding));
    s.apply(Action::ResetGroup(Group::Balancer));
    s.apply(Action::ResetGroup(Group::Cpu));
    assert!(s.config.db.enabled && s.config.cache.coalesce, "the dependencies keep theirs until their own reset");
    s.apply(Action::ResetGroup(Group::Dependencies));
    assert_eq!(s.config, app_defaults());
    assert_eq!(*s.engine.sim().config(), app_defaults());
}

#[wasm_bindgen_test]
fn balancer_select_offers_every_policy() {
    let mut s = state("");
    for p in LbPolicy::ALL {
        s.apply(Action::SetPolicy(p));
        assert_eq!(s.engine.sim().config().balancer.policy, p);
    }
    assert_eq!(LbPolicy::ALL.len(), 4);
}

#[wasm_bindgen_test]
fn reboot_loop_preset_kills_node_one_and_the_crashes_spread() {
    let mut s = state("");
    s.apply(Action::Step);
    let i = PRESETS.iter().position(|p| p.name == "Reboot loop").expect("the preset");
    s.apply(Action::LoadPreset(i));
    let c = s.engine.sim().config().clone();
    assert!(c.crash.enabled && c.crash.memory_limit_mb == 250.0 && c.nodes.queue_capacity == 5_000);
    assert_eq!(c.traffic.rate_per_s, 10_500.0);
    assert!(!c.shedding.drop_expired && !c.shedding.codel && !c.shedding.limit_concurrency);
    assert!(s.pending_restart.is_empty());
    for _ in 0..4 {
        s.apply(Action::Step);
    }
    assert_eq!(s.snapshot.totals.crashes, 0, "nothing crashes before the scheduled kill");
    for _ in 0..2 {
        s.apply(Action::Step);
    }
    assert!(s.snapshot.nodes[0].crashes == 1, "node 1 is killed 5 s after the preset");
    for _ in 0..40 {
        s.apply(Action::Step);
    }
    let others: u64 = s.snapshot.nodes[1..].iter().map(|n| n.crashes).sum();
    assert!(others >= 3, "the survivors crash in turn, {others} crashes");
    let j = PRESETS.iter().position(|p| p.name == "Cascade").expect("the preset");
    let mut s = state("");
    s.apply(Action::LoadPreset(j));
    let c = s.engine.sim().config().clone();
    assert!(c.health.enabled && c.crash.enabled && c.traffic.rate_per_s == 10_240.0);
    let (mut ejected_up, mut panicked) = (0, false);
    for _ in 0..40 {
        s.apply(Action::Step);
        let up_but_out = s.snapshot.nodes.iter().filter(|n| n.ejected && n.life != NodeLife::Crashed).count();
        ejected_up = ejected_up.max(up_but_out);
        panicked |= s.snapshot.routing_panic;
    }
    let crashes: Vec<u64> = s.snapshot.nodes.iter().map(|n| n.crashes).collect();
    assert!(panicked, "the balancer panics; ejected while up {ejected_up}, crashes {crashes:?}");
    assert!(crashes[1..].iter().sum::<u64>() > 0, "the survivors crash too: {crashes:?}");
    assert!(ejected_up > 0, "health checks eject nodes that are up but slow");
    for p in PRESETS {
        assert_eq!(p.story.matches(". ").count() + 1, 2, "{}: two sentences", p.name);
    }
}

// ---- query string ------------------------------------------------------------

#[wasm_bindgen_test]
fn query_sets_knobs() {
    let s = settings("?rate=14000&backoff=fixed&lb=random&spike=3&spike_start=100&spike_length=20&nodes=8&queue=32&seed=7&speed=50&play");
    let c = &s.config;
    assert_eq!(c.traffic.rate_per_s, 14_000.0);
    assert_eq!(c.client.backoff, Backoff::Fixed);
    assert_eq!(c.balancer.policy, LbPolicy::Random);
    assert_eq!((c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s), (3.0, 100.0, 120.0));
    assert_eq!((c.nodes.count, c.nodes.queue_capacity, c.seed), (8, 32, 7));
    assert_eq!(c.traffic.duration_s, SESSION_S);
    assert_eq!(s.speed, Some(50.0));
    assert!(s.autoplay && !s.bench);
}

#[wasm_bindgen_test]
fn query_errors_name_the_parameter_and_range() {
    let (s, errors) =
        parse_query("?rate=abc&nodes=99&backoff=linear&bogus=1&seed=-3&speed=0&workers=2.5", &app_defaults());
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let find =
        |p: &str| text.iter().find(|t| t.starts_with(&format!("URL parameter {p}:"))).cloned().unwrap_or_default();
    assert!(find("rate").contains("0 to 50,000 req/s"), "{text:?}");
    assert!(find("nodes").contains("1 to 32 nodes"), "{text:?}");
    assert!(find("backoff").contains("full-jitter"), "{text:?}");
    assert!(find("bogus").contains("known parameters"), "{text:?}");
    assert!(find("seed").contains("whole number"), "{text:?}");
    assert!(find("speed").contains("1 to 200"), "{text:?}");
    assert!(find("workers").contains("whole number"), "{text:?}");
    assert_eq!(errors.len(), 7);
    assert_eq!(s.config, app_defaults(), "bad parameters leave the defaults");
}

#[wasm_bindgen_test]
fn query_decodes_escapes_and_round_trips() {
    let s = settings("?rate=1%2C500&backoff=equal%2Djitter");
    assert_eq!(s.config.traffic.rate_per_s, 1_500.0);
    assert_eq!(s.config.client.backoff, Backoff::EqualJitter);
    let mut c = app_defaults();
    c.traffic.rate_per_s = 14_000.0;
    c.client.timeout_s = 0.25;
    c.nodes.count = 12;
    c.client.backoff = Backoff::Decorrelated;
    c.seed = 5;
    let q = to_query(&c, &app_defaults(), 20.0);
    let back = settings(&q);
    assert_eq!(back.config, c, "{q}");
    assert_eq!(back.speed, Some(20.0));
    assert_eq!(to_query(&app_defaults(), &app_defaults(), 1.0), "");
}

#[wasm_bindgen_test]
fn query_sets_toggles_and_failure_knobs() {
    let s = settings("?crash&health=off&codel=1&lifo=on&memory_mb=250&request_kb=128&warmup_capacity=30&panic_threshold=25&slow_nodes=1&slow_factor=3&lb=p2c&concurrency_limit=100");
    let c = &s.config;
    assert!(c.crash.enabled && !c.health.enabled && c.shedding.codel && c.shedding.adaptive_lifo);
    assert!(!c.shedding.drop_expired && !c.shedding.limit_concurrency);
    assert_eq!((c.crash.memory_limit_mb, c.crash.request_kb), (250.0, 128.0));
    assert_eq!((c.crash.warmup_capacity, c.health.panic_threshold), (0.3, 0.25));
    assert_eq!((c.nodes.slow_count, c.nodes.slow_factor), (1, 3.0));
    assert_eq!((c.balancer.policy, c.shedding.concurrency_limit), (LbPolicy::PowerOfTwo, 100));
}

#[wasm_bindgen_test]
fn query_errors_for_toggles_and_failure_knobs_name_the_range() {
    let (s, errors) =
        parse_query("?crash=maybe&memory_mb=1&lifo_above=2.5&lb=fastest&warmup_capacity=0", &app_defaults());
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let find =
        |p: &str| text.iter().find(|t| t.starts_with(&format!("URL parameter {p}:"))).cloned().unwrap_or_default();
    assert!(find("crash").contains("on or off"), "{text:?}");
    assert!(find("memory_mb").contains("16 to 65,536 MiB"), "{text:?}");
    assert!(find("lifo_above").contains("whole number"), "{text:?}");
    assert!(find("lb").contains("least-outstanding") && find("lb").contains("p2c"), "{text:?}");
    assert!(find("warmup_capacity").contains("1 to 100 %"), "{text:?}");
    assert_eq!(errors.len(), 5);
    assert_eq!(s.config, app_defaults());
}

#[wasm_bindgen_test]
fn every_new_knob_and_toggle_round_trips_through_the_share_link() {
    let mut c = app_defaults();
    for t in TOGGLES {
        t.id.set(&mut c, true);
    }
    for k in KNOBS.iter().filter(|k| k.gate.is_some() || k.group == Group::Failures) {
        // A value other than the default, inside the range, as a slider gives.
        let v = k.from_position((k.to_position(k.min) + k.to_position(k.max)) / 2.0);
        k.id.set(&mut c, v);
    }
    c.nodes.slow_count = 2;
    c.nodes.slow_factor = 4.5;
    c.balancer.policy = LbPolicy::LeastOutstanding;
    let q = to_query(&c, &app_defaults(), 1.0);
    for t in TOGGLES {
        assert!(q.contains(&format!("{}=on", t.param)), "{q}");
    }
    let back = settings(&q);
    assert_eq!(back.config, c, "{q}");
    let mut off = app_defaults();
    off.crash.enabled = true;
    let q = to_query(&app_defaults(), &off, 1.0);
    assert_eq!(q, "?crash=off");
    let (s, errors) = parse_query(&q, &off);
    assert!(errors.is_empty() && !s.config.crash.enabled);
}

#[wasm_bindgen_test]
fn knob_ranges_are_subsets_of_the_engine_limits() {
    let f = |(a, b): (u32, u32)| (a as f64, b as f64);
    for k in KNOBS {
        let (lo, hi) = match k.id {
            KnobId::Rate => limits::RATE_PER_S,
            KnobId::SpikeMult => limits::SPIKE_MULT,
            KnobId::SpikeStart | KnobId::SpikeDuration => limits::SPIKE_TIME_S,
            KnobId::Timeout => limits::TIMEOUT_S,
            KnobId::Attempts => f(limits::ATTEMPTS),
            KnobId::BackoffBase | KnobId::BackoffCap => limits::BACKOFF_MS,
            KnobId::Nodes => f(limits::NODES),
            KnobId::Workers => f(limits::WORKERS),
            KnobId::ServiceMs => limits::SERVICE_MS,
            KnobId::QueueCapacity => f(limits::QUEUE),
            // At most the largest node count of the app; the engine checks it against `nodes.count`.
            KnobId::SlowCount => (0.0, 32.0),
            KnobId::SlowFactor => limits::SLOW_FACTOR,
            KnobId::MemoryLimit => limits::MEMORY_MB,
            KnobId::RequestMemory => limits::REQUEST_KB,
            KnobId::RestartTime | KnobId::WarmupTime => limits::RESTART_S,
            KnobId::WarmupCapacity => (limits::WARMUP_CAPACITY.0 * 100.0, limits::WARMUP_CAPACITY.1 * 100.0),
            KnobId::ProbeInterval => limits::PROBE_INTERVAL_MS,
            KnobId::ProbeTimeout => limits::PROBE_TIMEOUT_MS,
            KnobId::UnhealthyAfter | KnobId::HealthyAfter => f(limits::PROBE_COUNT),
            KnobId::PanicThreshold => (limits::PANIC_THRESHOLD.0 * 100.0, limits::PANIC_THRESHOLD.1 * 100.0),
            KnobId::DeadlineMargin => limits::DEADLINE_MARGIN_MS,
            KnobId::CodelTarget | KnobId::CodelInterval => limits::CODEL_MS,
            KnobId::LifoAbove => f(limits::LIFO_ABOVE),
            KnobId::ConcurrencyLimit => f(limits::CONCURRENCY_LIMIT),
            KnobId::PerInflight => limits::PER_INFLIGHT_MS,
            KnobId::Cores | KnobId::DbCores => f(limits::CORES),
            KnobId::SwitchOverhead => (limits::SWITCH_OVERHEAD.0 * 100.0, limits::SWITCH_OVERHEAD.1 * 100.0),
            KnobId::PoolSize => f(limits::POOL_SIZE),
            KnobId::AcquireTimeout => limits::ACQUIRE_TIMEOUT_MS,
            KnobId::QueryMs => limits::QUERY_MS,
            KnobId::SerialFraction => (limits::SERIAL_FRACTION.0 * 100.0, limits::SERIAL_FRACTION.1 * 100.0),
            KnobId::Crosstalk => (limits::CROSSTALK.0 * 100.0, limits::CROSSTALK.1 * 100.0),
            KnobId::HotShare => (limits::SHARE.0 * 100.0, limits::SHARE.1 * 100.0),
            KnobId::Ttl => limits::TTL_S,
            KnobId::RecomputeMs => limits::RECOMPUTE_MS,
            KnobId::EarlyBeta => limits::EARLY_BETA,
        };
        assert!(k.min >= lo && k.max <= hi, "{} [{}, {}] not within [{lo}, {hi}]", k.label, k.min, k.max);
        assert!(k.tip.ends_with('.') && k.tip.matches(". ").count() == 0, "{}: one sentence", k.label);
        // Every knob's value must land in the engine's field: set then get.
        let mut c = app_defaults();
        k.id.set(&mut c, k.max);
        assert_eq!(k.id.get(&c), k.max, "{} does not write its field", k.label);
        let d = k.id.get(&app_defaults());
        assert!(k.in_range(d), "{} default {d} outside its slider", k.label);
        assert!(
            (k.from_position(k.to_position(d)) - d).abs() / d.max(1.0) < 0.1,
            "{} slider misplaces its default",
            k.label
        );
    }
}

#[wasm_bindgen_test]
fn query_sets_cpu_database_and_cache() {
    let s = settings(
        "?cpu&workers=256&cores=16&switch_overhead=0.5&per_inflight_ms=0.2&db=on&pool=20&pool_timeout=250\
         &query_ms=1&db_cores=8&db_serial=5&db_crosstalk=0.1&cache&hot_share=80&ttl=5&recompute_ms=200\
         &coalesce&early_refresh=on&early_beta=2.5",
    );
    let c = &s.config;
    assert!(c.cpu.enabled && c.db.enabled && c.cache.enabled && c.cache.coalesce && c.cache.early_refresh);
    assert_eq!((c.nodes.workers, c.cpu.cores, c.db.pool_size, c.db.cores), (256, 16, 20, 8));
    assert!((c.cpu.switch_overhead - 0.005).abs() < 1e-12 && c.cpu.service_ms_per_inflight == 0.2);
    assert_eq!((c.db.acquire_timeout_ms, c.db.query_ms_mean), (250.0, 1.0));
    assert!((c.db.serial_fraction - 0.05).abs() < 1e-12 && (c.db.crosstalk - 0.001).abs() < 1e-12);
    assert!((c.cache.hot_share - 0.8).abs() < 1e-12);
    assert_eq!((c.cache.ttl_s, c.cache.recompute_ms, c.cache.early_beta), (5.0, 200.0, 2.5));
    let q = to_query(c, &app_defaults(), 1.0);
    assert_eq!(settings(&q).config, *c, "{q}");
    let (_, errors) = parse_query("?pool=0&cores=1000&ttl=x&db=maybe", &app_defaults());
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 4, "{text:?}");
    assert!(text[0].contains("pool") && text[0].contains("1 to 1,000 connections"), "{}", text[0]);
    assert!(text[1].contains("cores") && text[1].contains("1 to 256 cores"), "{}", text[1]);
    assert!(text[2].contains("ttl") && text[2].contains("0.1 to 3,600 s"), "{}", text[2]);
    assert!(text[3].contains("db") && text[3].contains("on or off"), "{}", text[3]);
}

#[wasm_bindgen_test]
fn cpu_database_and_cache_apply_live() {
    let mut s = state("");
    s.apply(Action::Step);
    s.apply(Action::SetToggle(brink_app::knobs::ToggleId::Cpu, true));
    s.apply(Action::SetKnob(KnobId::Cores, 8.0));
    s.apply(Action::SetToggle(brink_app::knobs::ToggleId::Db, true));
    s.apply(Action::SetKnob(KnobId::PoolSize, 4.0));
    let c = s.engine.sim().config().clone();
    assert!(c.cpu.enabled && c.db.enabled && c.cpu.cores == 8 && c.db.pool_size == 4);
    assert!(s.pending_restart.is_empty(), "CPU and database knobs apply live");
    s.apply(Action::Step);
    s.apply(Action::Step);
    let busy: f32 = s.snapshot.nodes.iter().map(|n| n.cpu.useful + n.cpu.wasted + n.cpu.switching).sum();
    assert!(busy > 0.0 && busy <= 4.0 * 8.0 * 1.1, "CPU in use {busy} must fit 4 nodes × 8 cores");
    assert!(s.snapshot.nodes.iter().all(|n| n.pool_in_use <= 4));
    assert!(s.engine.sim().series().db.is_some(), "switching the database on starts its series");
}

/// Goodput per second averaged over seconds `from..to` of the run.
fn mean_goodput(s: &AppState, from: usize, to: usize) -> f64 {
    let sim = s.engine.sim();
    let g = &sim.series().goodput[from..to];
    g.iter().sum::<u64>() as f64 / g.len() as f64
}

fn steps(s: &mut AppState, n: usize) {
    for _ in 0..n {
        s.apply(Action::Step);
    }
}

fn preset(name: &str) -> usize {
    PRESETS.iter().position(|p| p.name == name).unwrap_or_else(|| panic!("no preset {name}"))
}

#[wasm_bindgen_test]
fn thread_pool_preset_switching_eats_the_cpu_until_the_pool_shrinks() {
    let mut s = state("");
    s.apply(Action::LoadPreset(preset("Thread pool too big")));
    steps(&mut s, 8);
    let data = ChartData::from_series(s.engine.sim().series(), s.snapshot.completed_seconds, charts::WINDOW_S);
    let (used, switching) = (3..8).fold((0.0, 0.0), |(u, w), i| {
        (u + data.cpu_useful[i] + data.cpu_wasted[i] + data.cpu_switching[i], w + data.cpu_switching[i])
    });
    assert!(switching / used > 0.3, "switching {switching:.0} of {used:.0} core-seconds");
    let before = mean_goodput(&s, 3, 8);
    assert!(before < 9_000.0, "goodput {before} with 256 workers on 32 cores");
    s.apply(Action::SetKnob(KnobId::Workers, 32.0));
    steps(&mut s, 8);
    let after = mean_goodput(&s, 11, 16);
    assert!(after > 11_000.0 && after > before * 1.4, "goodput {before} → {after} after shrinking the pool");
    let switching_after: f64 = s.engine.sim().series().cpu.switching[11..16].iter().sum();
    assert!(switching_after < 1.0, "no switching with one worker per core, got {switching_after}");
}

#[wasm_bindgen_test]
fn db_preset_goodput_falls_with_more_nodes() {
    let mut s = state("");
    s.apply(Action::LoadPreset(preset("Horizontal scaling fuels the DB")));
    steps(&mut s, 6);
    let four = mean_goodput(&s, 2, 6);
    s.apply(Action::SetKnob(KnobId::Nodes, 8.0));
    s.apply(Action::Reset);
    steps(&mut s, 6);
    let eight = mean_goodput(&s, 2, 6);
    assert!(four > 5_000.0 && eight < four * 0.6, "goodput with 4 nodes {four}, with 8 nodes {eight}");
}

#[wasm_bindgen_test]
fn cache_stampede_preset_regenerates_at_each_expiry_until_coalesced() {
    let mut s = state("");
    s.apply(Action::LoadPreset(preset("Cache stampede")));
    steps(&mut s, 12);
    let regen = |s: &AppState, from: usize, to: usize| -> u64 {
        *s.engine.sim().series().regenerations[from..to].iter().max().unwrap()
    };
    let worst = regen(&s, 0, 12);
    assert!(worst > 30, "a stampede of {worst} recomputations in a second");
    let low = *s.engine.sim().series().goodput[0..12].iter().min().unwrap();
    assert!(low < 1_000, "goodput must collapse at an expiry, lowest {low}");
    s.apply(Action::SetToggle(brink_app::knobs::ToggleId::Coalesce, true));
    steps(&mut s, 14);
    assert!(regen(&s, 14, 26) <= 2, "one recomputation per expiry when coalesced");
    let low = *s.engine.sim().series().goodput[14..26].iter().min().unwrap();
    assert!(low > 1_500, "goodput stays flat when coalesced, lowest {low}");
}

// ---- charts ------------------------------------------------------------------

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().unchecked_into();
    c.set_width(width);
    c.set_height(height);
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

fn pixels(c: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: web_sys::CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().unchecked_into();
    ctx.get_image_data(0.0, 0.0, c.width() as f64, c.height() as f64).unwrap().data().0
}

fn count_near(px: &[u8], (r, g, b): (u8, u8, u8), tol: i32) -> usize {
    px.chunks(4)
        .filter(|p| {
            (p[0] as i32 - r as i32).abs() <= tol
                && (p[1] as i32 - g as i32).abs() <= tol
                && (p[2] as i32 - b as i32).abs() <= tol
        })
        .count()
}

fn non_white(px: &[u8]) -> usize {
    px.chunks(4).filter(|p| p[0] < 235 || p[1] < 235 || p[2] < 235).count()
}

fn rgb(c: plotters::style::RGBColor) -> (u8, u8, u8) {
    (c.0, c.1, c.2)
}

/// Twenty simulated seconds of a 14,000 req/s overload.
fn overload_data() -> ChartData {
    let mut config = Config::default();
    config.traffic.duration_s = 20.0;
    config.traffic.rate_per_s = 14_000.0;
    let mut sim = Simulation::new(config).unwrap();
    sim.run_to_end();
    ChartData::from_series(sim.series(), sim.completed_seconds(), charts::WINDOW_S)
}

#[wasm_bindgen_test]
fn traffic_chart_paints_its_series() {
    let c = canvas(640, 300);
    let mut data = overload_data();
    assert_eq!(data.len(), 20);
    // Pull goodput away from throughput so neither line hides the other.
    data.goodput.iter_mut().for_each(|g| *g *= 0.5);
    charts::draw_traffic(&c, &data).unwrap();
    let px = pixels(&c);
    assert!(non_white(&px) > 5_000, "only {} painted pixels", non_white(&px));
    assert!(count_near(&px, rgb(palette::GOODPUT), 30) > 200, "goodput line missing");
    assert!(count_near(&px, rgb(palette::THROUGHPUT), 30) > 50, "throughput line missing");
}

#[wasm_bindgen_test]
fn wasted_work_band_is_shaded() {
    let band_colour = |gap: f64| {
        let mut data = overload_data();
        for (t, g) in data.throughput.iter_mut().zip(data.goodput.iter_mut()) {
            *t = 12_000.0;
            *g = 12_000.0 - gap;
        }
        let c = canvas(640, 300);
        charts::draw_traffic(&c, &data).unwrap();
        // The band is the wasted colour at 28% over white.
        let mix = |v: u8| (0.28 * v as f64 + 0.72 * 255.0).round() as u8;
        let w = palette::WASTED;
        count_near(&pixels(&c), (mix(w.0), mix(w.1), mix(w.2)), 6)
    };
    let (none, wide) = (band_colour(0.0), band_colour(6_000.0));
    assert!(wide > none + 5_000, "band pixels: {none} without a gap, {wide} with one");
}

#[wasm_bindgen_test]
fn latency_and_failure_charts_paint() {
    let data = overload_data();
    let c = canvas(480, 200);
    charts::draw_latency(&c, &data).unwrap();
    let px = pixels(&c);
    assert!(count_near(&px, rgb(palette::P99), 30) > 100, "p99 line missing");
    let c = canvas(480, 200);
    charts::draw_errors(&c, &data).unwrap();
    let px = pixels(&c);
    assert!(
        count_near(&px, rgb(palette::REJECTED), 30) + count_near(&px, rgb(palette::TIMED_OUT), 30) > 100,
        "failure lines missing"
    );
}

#[wasm_bindgen_test]
fn failure_chart_draws_connection_errors_and_deadline_drops() {
    let mut data = overload_data();
    let n = data.len();
    // Only the new series carry values, so their colours can only come from their lines.
    for v in [&mut data.rejected, &mut data.timed_out, &mut data.failed] {
        *v = vec![0.0; n];
    }
    data.errors = (0..n).map(|i| 900.0 + 40.0 * i as f64).collect();
    data.dropped = (0..n).map(|i| 2_000.0 - 30.0 * i as f64).collect();
    let c = canvas(640, 200);
    charts::draw_errors(&c, &data).unwrap();
    let px = pixels(&c);
    assert!(count_near(&px, rgb(palette::ERRORS), 20) > 150, "connection errors line missing");
    assert!(count_near(&px, rgb(palette::DROPPED), 20) > 150, "dropped line missing");
    // Rows 50 to 120 lie below the legend (at most two rows of 22 px), so
    // only the lines can paint these colours there: both series sit in the
    // plot's upper half.
    let plot_rows = &px[4 * 640 * 50..4 * 640 * 120];
    assert!(count_near(plot_rows, rgb(palette::DROPPED), 20) > 100, "dropped line not where its data is");
    assert!(count_near(plot_rows, rgb(palette::ERRORS), 20) > 100, "errors line not where its data is");
}

/// Ten seconds of the thread-pool preset's system: 256 workers on 32 cores.
fn oversubscribed_data() -> ChartData {
    let mut config = Config::default();
    config.traffic.duration_s = 10.0;
    config.traffic.rate_per_s = 20_000.0;
    config.nodes.workers = 256;
    config.cpu.enabled = true;
    let mut sim = Simulation::new(config).unwrap();
    sim.run_to_end();
    ChartData::from_series(sim.series(), sim.completed_seconds(), charts::WINDOW_S)
}

#[wasm_bindgen_test]
fn cpu_chart_stacks_useful_wasted_and_switching() {
    let empty = canvas(480, 200);
    charts::draw_cpu(&empty, &ChartData::from_series(&sim_core::Series::new(60), 0, charts::WINDOW_S)).unwrap();
    let blank = pixels(&empty);
    assert!(non_white(&blank) > 500, "axes and legend are drawn without data");
    let mut data = oversubscribed_data();
    assert_eq!(data.cpu_switching.len(), 10);
    // The preset's system switches but wastes little; give it some waste so all three bands show.
    data.cpu_wasted = data.cpu_useful.iter().map(|u| u * 0.3).collect();
    let c = canvas(480, 200);
    charts::draw_cpu(&c, &data).unwrap();
    let px = pixels(&c);
    assert!(non_white(&px) > non_white(&blank) + 5_000, "the bands must fill the plot");
    for (name, colour) in [("useful", palette::GOODPUT), ("wasted", palette::WASTED), ("switching", palette::SWITCHING)]
    {
        assert!(count_near(&px, rgb(colour), 12) > 60, "{name} edge missing");
        assert!(count_near(&blank, rgb(colour), 12) < 10, "{name} colour painted without data");
    }
}

#[wasm_bindgen_test]
fn empty_data_still_draws_axes() {
    let c = canvas(480, 200);
    charts::draw_traffic(&c, &ChartData::from_series(&sim_core::Series::new(60), 0, charts::WINDOW_S)).unwrap();
    assert!(non_white(&pixels(&c)) > 500);
}

#[wasm_bindgen_test]
fn user_view_separates_dashboard_from_users() {
    let data_sim = {
        let mut config = Config::default();
        config.traffic.duration_s = 20.0;
        config.traffic.rate_per_s = 30_000.0;
        let mut sim = Simulation::new(config).unwrap();
        sim.run_to_end();
        sim
    };
    let v = UserView::of(data_sim.series(), data_sim.completed_seconds());
    let share = v.success_share.unwrap();
    assert!(share < 0.9, "at 2.3× capacity most requests must fail, share {share}");
    assert!(v.p50_ms.unwrap() < 1_000.0);
    let quiet = Simulation::new(Config::default()).unwrap();
    assert_eq!(UserView::of(quiet.series(), 0).success_share, None);
}

// ---- components --------------------------------------------------------------

fn mount(query: &str) -> (Element, yew::AppHandle<Playground>) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let (settings, errors) = parse_query(query, &app_defaults());
    let props = brink_app::components::PlaygroundProps { settings, errors };
    let handle = yew::Renderer::<Playground>::with_root_and_props(root.clone(), props).render();
    (root, handle)
}

async fn settle() {
    yew::scheduler::flush().await;
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} missing"))
        .unchecked_into::<HtmlElement>()
        .click();
}

fn attr(root: &Element, selector: &str, name: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} missing"))
        .get_attribute(name)
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn playground_renders_every_node_and_steps() {
    let (root, handle) = mount("?nodes=6");
    settle().await;
    let nodes = root.query_selector_all("#nodes > li").unwrap();
    assert_eq!(nodes.length(), 6);
    assert_eq!(attr(&root, "#nodes > li", "data-state"), "idle");
    assert_eq!(attr(&root, "#status", "data-sim-time"), "0.000");
    click(&root, "#step");
    settle().await;
    assert_eq!(attr(&root, "#status", "data-sim-time"), "1.000");
    let state = attr(&root, "#nodes > li", "data-state");
    assert!(["idle", "busy", "saturated", "shedding"].contains(&state.as_str()), "{state}");
    assert_eq!(attr(&root, "#chart-traffic", "data-seconds"), "1");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn knobs_show_value_unit_tooltip_and_restart_note() {
    let (root, handle) = mount("?rate=14000");
    settle().await;
    let rate = root.query_selector("[data-knob=rate]").unwrap().unwrap();
    assert!(rate.get_attribute("class").unwrap().split(' ').any(|c| c == "knob--changed"));
    assert!(rate.get_attribute("title").unwrap().ends_with('.'));
    assert_eq!(rate.query_selector(".knob__unit").unwrap().unwrap().text_content().unwrap(), "req/s");
    let number: web_sys::HtmlInputElement = rate.query_selector(".knob__number").unwrap().unwrap().unchecked_into();
    assert_eq!(number.value(), "14,000");
    let nodes = root.query_selector("[data-knob=nodes]").unwrap().unwrap();
    assert!(nodes.text_content().unwrap().contains("on reset"));
    assert!(root.query_selector("#restart-banner").unwrap().is_none());
    handle.destroy();
}

fn has_class(el: &Element, class: &str) -> bool {
    el.get_attribute("class").unwrap_or_default().split(' ').any(|c| c == class)
}

#[wasm_bindgen_test]
async fn crash_button_shows_the_node_crashed_then_warming() {
    let (root, handle) = mount("?restart_s=2&warmup_s=30");
    settle().await;
    click(&root, "#step");
    settle().await;
    let kill = root.query_selector("#nodes > li:nth-child(2) .node__kill").unwrap().expect("a crash button");
    assert!(kill.get_attribute("title").unwrap().starts_with("Kill this node now"));
    kill.unchecked_ref::<HtmlElement>().click();
    settle().await;
    let node = root.query_selector("#nodes > li:nth-child(2)").unwrap().unwrap();
    assert_eq!(node.get_attribute("data-state").unwrap(), "crashed");
    assert!(has_class(&node, "node--crashed"));
    let text = node.text_content().unwrap();
    assert!(text.contains("crashed · restarting") && text.contains("✕"), "{text}");
    assert!(text.contains("restart 0%"), "{text}");
    assert!(node.query_selector("[role=progressbar]").unwrap().is_some());
    assert!(
        node.query_selector(".node__kill").unwrap().unwrap().has_attribute("disabled"),
        "a dead node cannot be killed"
    );
    assert_ne!(attr(&root, "#nodes > li:nth-child(1)", "data-state"), "crashed", "only the clicked node crashes");
    for _ in 0..3 {
        click(&root, "#step");
        settle().await;
    }
    let node = root.query_selector("#nodes > li:nth-child(2)").unwrap().unwrap();
    assert_eq!(node.get_attribute("data-state").unwrap(), "warming");
    let text = node.text_content().unwrap();
    assert!(text.contains("warming up") && text.contains("warm-up") && text.contains("1 crash"), "{text}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn toggles_gate_their_knobs_and_mark_changes() {
    let (root, handle) = mount("?crash=on&slow_nodes=1&slow_factor=3");
    settle().await;
    let crash: web_sys::HtmlInputElement = root.query_selector("#toggle-crash").unwrap().unwrap().unchecked_into();
    assert!(crash.checked());
    assert!(!has_class(&root.query_selector("[data-knob=memory_mb]").unwrap().unwrap(), "knob--off"));
    let probe = root.query_selector("[data-knob=probe_interval]").unwrap().unwrap();
    assert!(has_class(&probe, "knob--off"), "health checks are off by default");
    assert!(probe.query_selector(".knob__slider").unwrap().unwrap().has_attribute("disabled"));
    let failures = root.query_selector("#group-Failures").unwrap().expect("a Failures group");
    assert!(failures.text_content().unwrap().contains("reset"), "a changed toggle offers the group reset");
    assert!(root.query_selector("[data-toggle=crash] .dot--changed").unwrap().is_some());
    assert!(attr(&root, "[data-toggle=health] .toggle", "title").ends_with('.'));
    let health: web_sys::HtmlInputElement = root.query_selector("#toggle-health").unwrap().unwrap().unchecked_into();
    health.click();
    settle().await;
    assert!(!has_class(&root.query_selector("[data-knob=probe_interval]").unwrap().unwrap(), "knob--off"));
    let options = root.query_selector_all("#knob-lb option").unwrap();
    assert_eq!(options.length(), 4);
    assert!(root
        .query_selector("#nodes > li:nth-child(1)")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .contains("slow ×3"));
    assert!(!root
        .query_selector("#nodes > li:nth-child(2)")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .contains("slow"));
    click(&root, "#group-Failures .link");
    settle().await;
    let crash: web_sys::HtmlInputElement = root.query_selector("#toggle-crash").unwrap().unwrap().unchecked_into();
    assert!(!crash.checked(), "the group reset switches the toggle back off");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn node_view_shows_cpu_split_pools_and_dependency_line() {
    let (root, handle) = mount("?cpu&workers=256&rate=20000");
    settle().await;
    for _ in 0..3 {
        click(&root, "#step");
        settle().await;
    }
    let node = root.query_selector("#nodes > li:nth-child(1)").unwrap().unwrap();
    let cpu = node.query_selector(".cpu").unwrap().expect("a CPU split with the CPU model on");
    let switching: f64 = cpu.get_attribute("data-switching").unwrap().parse().unwrap();
    assert!(switching > 5.0, "256 busy workers on 32 cores switch, got {switching} cores");
    assert_eq!(cpu.query_selector_all(".cpubar span").unwrap().length(), 3);
    let words = cpu.text_content().unwrap();
    assert!(words.contains("% useful") && words.contains("% switching"), "{words}");
    assert!(root.query_selector("#deps, #nodes .node__db").unwrap().is_none(), "no database, no cache");
    assert_eq!(attr(&root, "#chart-cpu", "data-seconds"), "3");
    handle.destroy();

    // The database is the bottleneck here: workers wait for connections.
    let (root, handle) = mount("?db&cache&ttl=5&rate=20000");
    settle().await;
    for _ in 0..3 {
        click(&root, "#step");
        settle().await;
    }
    let node = root.query_selector("#nodes > li:nth-child(1)").unwrap().unwrap();
    assert!(node.query_selector(".cpu").unwrap().is_none(), "no CPU split without the CPU model");
    let db = node.query_selector(".node__db").unwrap().expect("pool use with the database on").text_content().unwrap();
    assert!(db.starts_with("db ") && db.contains("/10") && db.contains("waiting"), "{db}");
    let deps = root.query_selector("#deps").unwrap().expect("a dependency line").text_content().unwrap();
    assert!(deps.contains("database:") && deps.contains("queries running") && deps.contains("pool timeouts"), "{deps}");
    assert!(deps.contains("hot key: fresh") && deps.contains("hit rate") && deps.contains("%"), "{deps}");
    assert_eq!(
        attr(&root, "#nodes > li:nth-child(1) .node__db", "data-pool-in-use"),
        "10",
        "20,000 req/s fill the pool"
    );
    handle.destroy();

    let (root, handle) = mount("");
    settle().await;
    assert!(root.query_selector("#deps").unwrap().is_none(), "no dependency line while both are off");
    assert!(root.query_selector("#nodes .cpu, #nodes .node__db").unwrap().is_none());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn cache_refinements_wait_for_the_cache_toggle() {
    let (root, handle) = mount("");
    settle().await;
    let coalesce: web_sys::HtmlInputElement =
        root.query_selector("#toggle-coalesce").unwrap().unwrap().unchecked_into();
    assert!(coalesce.disabled(), "coalescing means nothing without the cache");
    assert!(has_class(&root.query_selector("[data-knob=early_beta]").unwrap().unwrap(), "knob--off"));
    assert!(
        root.query_selector("#group-CPU").unwrap().is_some()
            && root.query_selector("#group-Dependencies").unwrap().is_some()
    );
    click(&root, "#toggle-cache");
    settle().await;
    let coalesce: web_sys::HtmlInputElement =
        root.query_selector("#toggle-coalesce").unwrap().unwrap().unchecked_into();
    assert!(!coalesce.disabled());
    assert!(!has_class(&root.query_selector("[data-knob=ttl]").unwrap().unwrap(), "knob--off"));
    assert!(
        has_class(&root.query_selector("[data-knob=early_beta]").unwrap().unwrap(), "knob--off"),
        "β waits for early refresh"
    );
    click(&root, "#toggle-early_refresh");
    settle().await;
    assert!(!has_class(&root.query_selector("[data-knob=early_beta]").unwrap().unwrap(), "knob--off"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn health_checks_eject_dead_nodes_and_the_balancer_panics() {
    let (root, handle) = mount("?health=on&restart_s=60");
    settle().await;
    click(&root, "#step");
    settle().await;
    assert!(root.query_selector("#routing-panic").unwrap().is_none());
    for i in 1..=3 {
        click(&root, &format!("#nodes > li:nth-child({i}) .node__kill"));
        settle().await;
    }
    for _ in 0..5 {
        click(&root, "#step");
        settle().await;
    }
    let panic = root.query_selector("#routing-panic").unwrap().expect("the panic banner");
    assert_eq!(panic.text_content().unwrap(), "⚠ balancer in panic mode: routing to all nodes");
    assert_eq!(attr(&root, "#nodes > li:nth-child(1)", "data-ejected"), "true");
    assert_eq!(attr(&root, "#nodes > li:nth-child(1)", "data-state"), "crashed", "down outranks ejected");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn bad_query_shows_a_message_not_a_panic() {
    let (root, handle) = mount("?rate=lots");
    settle().await;
    let alert = root.query_selector("[role=alert]").unwrap().expect("an alert");
    let text = alert.text_content().unwrap();
    assert!(text.contains("rate") && text.contains("0 to 50,000 req/s"), "{text}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn play_runs_the_animation_loop_and_pause_stops_it() {
    let (root, handle) = mount("?speed=50");
    settle().await;
    click(&root, "#play");
    settle().await;
    gloo_timers::future::TimeoutFuture::new(300).await;
    settle().await;
    let t: f64 = attr(&root, "#status", "data-sim-time").parse().unwrap();
    assert!(t > 1.0, "50× for 300 ms must pass a simulated second, got {t}");
    click(&root, "#play");
    settle().await;
    let paused: f64 = attr(&root, "#status", "data-sim-time").parse().unwrap();
    gloo_timers::future::TimeoutFuture::new(200).await;
    settle().await;
    let later: f64 = attr(&root, "#status", "data-sim-time").parse().unwrap();
    assert_eq!(paused, later, "pause must stop the loop");
    handle.destroy();
}

#[derive(yew::Properties, PartialEq)]
struct FrameCounterProps {
    frames: Rc<Cell<u32>>,
}

/// A component whose only job is to own an animation loop that counts frames.
#[yew::component]
fn FrameCounter(p: &FrameCounterProps) -> yew::Html {
    let frames = p.frames.clone();
    use_animation_frames(true, yew::Callback::from(move |_ts: f64| frames.set(frames.get() + 1)));
    yew::html! { <p>{ "counting" }</p> }
}

#[wasm_bindgen_test]
async fn unmounting_cancels_the_animation_loop() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let frames = Rc::new(Cell::new(0));
    let handle =
        yew::Renderer::<FrameCounter>::with_root_and_props(root, FrameCounterProps { frames: frames.clone() }).render();
    settle().await;
    gloo_timers::future::TimeoutFuture::new(150).await;
    assert!(frames.get() > 0, "the loop never ran");
    handle.destroy();
    settle().await;
    let at_unmount = frames.get();
    gloo_timers::future::TimeoutFuture::new(150).await;
    assert_eq!(frames.get(), at_unmount, "frames kept coming after unmount");
}
