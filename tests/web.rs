//! Browser tests of the app: the chart draw functions and the mounted
//! components, in headless Chromium. Everything that needs no browser (the
//! reducer, the query string, the knobs, the lessons, chart data) is tested
//! natively beside its code: `cargo test -p brink-app`.
//!
//! Run with:
//!   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test -p brink-app --target wasm32-unknown-unknown --test web

#![cfg(target_arch = "wasm32")]

use brink_app::charts::{self, palette, ChartData};
use brink_app::components::{use_animation_frames, Playground};
use brink_app::defaults::app_defaults;
use brink_app::url::parse_query;
use sim_core::{Config, Simulation};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

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

/// Ten seconds of the thread-pool lesson's system: 256 workers on 32 cores.
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
    // The lesson's system switches but wastes little; give it some waste so all three bands show.
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

// ---- components --------------------------------------------------------------

fn mount(query: &str) -> (Element, yew::AppHandle<Playground>) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    // First in the page: roots left by earlier tests must not push this one
    // out of view, where the playground pauses (it stops when not visible).
    let body = doc.body().unwrap();
    body.insert_before(&root, body.first_child().as_ref()).unwrap();
    let (settings, errors) = parse_query(query, &app_defaults());
    let props = brink_app::components::PlaygroundProps { settings, errors, lesson: None, embed: None };
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
    // Catalogue rows appear under their section's heading: choices as menus.
    assert!(root.query_selector("[aria-labelledby=group-Traffic] select#knob-shape").unwrap().is_some());
    assert!(root.query_selector("[aria-labelledby=group-Nodes] select#knob-service_dist").unwrap().is_some());
    assert!(root.query_selector("[aria-labelledby=group-Nodes] [data-knob=service_cv]").unwrap().is_some());
    assert!(root.query_selector("[data-knob=spike_length]").unwrap().is_some(), "the spike is set by its length");
    assert!(root.query_selector("[data-knob=spike_end]").unwrap().is_none(), "and not by its end");
    let overhead = root.query_selector("[data-knob=switch_overhead] .knob__unit").unwrap().unwrap();
    assert_eq!(overhead.text_content().unwrap(), "% / thread");
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
    // The loop must move the clock past a simulated second; how soon depends
    // on the machine (a debug build under load), so wait up to 10 s for it
    // rather than asserting a wall-clock time.
    let mut t = 0.0;
    for _ in 0..100 {
        gloo_timers::future::TimeoutFuture::new(100).await;
        settle().await;
        t = attr(&root, "#status", "data-sim-time").parse().unwrap();
        if t > 1.0 {
            break;
        }
    }
    assert!(t > 1.0, "playing at 50× for 10 s must pass a simulated second, got {t}");
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

// ---- a system of services ------------------------------------------------------

/// gateway (2 nodes) → api (3 nodes) → db (4 nodes), with retries.
fn three_services() -> Config {
    use sim_core::{CallConfig, ServiceConfig};
    let service = |name: &str, count: u32, to: Option<&str>| {
        let mut s = ServiceConfig { name: name.to_string(), ..ServiceConfig::default() };
        s.nodes.count = count;
        s.calls = to.map(|t| CallConfig { to: t.to_string(), client: Default::default() }).into_iter().collect();
        s
    };
    Config {
        services: vec![service("gateway", 2, Some("api")), service("api", 3, Some("db")), service("db", 4, None)],
        ..app_defaults()
    }
}

#[derive(yew::Properties, PartialEq)]
struct SystemHostProps {
    config: Config,
    /// Embed mode's dense diagram.
    #[prop_or_default]
    dense: bool,
}

/// The node view over a reducer built from a config, with a step button and
/// the selected service in `data-selected`.
#[yew::component]
fn SystemHost(p: &SystemHostProps) -> yew::Html {
    use brink_app::state::{Action, AppState};
    use yew::prelude::*;
    let config = p.config.clone();
    let state = use_reducer(move || {
        let settings = brink_app::url::UrlSettings { config, ..Default::default() };
        AppState::new(settings, Vec::new(), brink_app::components::perf_now)
    });
    let dispatch: Callback<Action> = state.dispatcher().into();
    let sim = state.engine.sim();
    let last = brink_app::charts::LastSecond::of(sim.series(), sim.completed_seconds());
    html! {
        <div id="host" data-selected={state.selected_service.to_string()}>
            <button id="host-step" onclick={dispatch.reform(|_| Action::Step)}>{ "step" }</button>
            <brink_app::components::NodeView snapshot={state.snapshot.clone()} config={state.config.clone()} {last}
                finished={state.finished()} selected={state.selected_service} dispatch={dispatch.clone()} dense={p.dense} />
        </div>
    }
}

#[wasm_bindgen_test]
async fn a_system_of_services_draws_cards_arrows_and_selects_on_click() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let props = SystemHostProps { config: three_services(), dense: false };
    let handle = yew::Renderer::<SystemHost>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert!(root.query_selector("#nodes").unwrap().is_none(), "a system has no single-tier node list");
    let cards = root.query_selector_all("#topology .svc[data-service]").unwrap();
    assert_eq!(cards.length(), 3);
    for (name, nodes) in [("gateway", "2"), ("api", "3"), ("db", "4")] {
        let card = format!(".svc[data-service={name}]");
        assert_eq!(attr(&root, &card, "data-nodes"), nodes);
        let text = root.query_selector(&card).unwrap().unwrap().text_content().unwrap();
        assert!(text.contains(name) && text.contains(&format!("{nodes}/{nodes} up")), "{text}");
        let squares = root.query_selector_all(&format!("{card} .sq[data-state]")).unwrap();
        assert_eq!(squares.length().to_string(), nodes);
    }
    assert_eq!(root.query_selector_all("#topology .edge:not(.edge--clients)").unwrap().length(), 2);
    assert_eq!(attr(&root, ".edge--clients", "data-to"), "gateway", "the clients call the entry");
    assert_eq!(attr(&root, ".edge[data-from=gateway]", "data-to"), "api");
    assert!(root.query_selector(".edge[data-from=gateway] .edge__head").unwrap().is_some(), "an arrowhead");
    assert_eq!(attr(&root, ".svc[data-service=gateway]", "aria-pressed"), "true");
    // Two simulated seconds later the arrows carry traffic and dots.
    click(&root, "#host-step");
    settle().await;
    click(&root, "#host-step");
    settle().await;
    let rate: f64 = attr(&root, ".edge[data-from=api]", "data-rate").parse().unwrap();
    assert!(rate > 0.0, "api → db carries {rate}/s");
    let dots = root.query_selector_all(".edge[data-from=api] .req:not(.req--off)").unwrap().length();
    assert!((1..=8).contains(&dots), "{dots} dots");
    assert!(root
        .query_selector(".edge[data-from=api] .edge__label")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .contains("/s"));
    click(&root, ".svc[data-service=api]");
    settle().await;
    assert_eq!(attr(&root, "#host", "data-selected"), "1");
    assert_eq!(attr(&root, ".svc[data-service=api]", "aria-pressed"), "true");
    assert_eq!(attr(&root, ".svc[data-service=gateway]", "aria-pressed"), "false");
    assert!(has_class(&root.query_selector(".svc[data-service=api]").unwrap().unwrap(), "svc--selected"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_dense_system_packs_its_cards_into_the_box_it_is_given() {
    let doc = web_sys::window().unwrap().document().unwrap();
    // The embed's diagram column at 600×400, about: a box of its own size,
    // as embed mode's style gives it (the dense diagram fills its box).
    let root = doc.create_element("div").unwrap();
    root.set_attribute("style", "width: 240px; height: 280px; display: flex; flex-direction: column").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let style = doc.create_element("style").unwrap();
    style.set_text_content(Some(
        ".system--dense, .topo--dense, .topo__fit { flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; }",
    ));
    root.append_child(&style).unwrap();
    let props = SystemHostProps { config: three_services(), dense: true };
    let handle = yew::Renderer::<SystemHost>::with_root_and_props(root.clone(), props).render();
    settle().await;
    click(&root, "#host-step");
    settle().await;
    assert_eq!(attr(&root, "#topology", "data-layout"), "dense");
    assert_eq!(attr(&root, "#topology", "data-hidden"), "0");
    assert_eq!(root.query_selector_all("#topology .svc--dense[data-service]").unwrap().length(), 3);
    assert!(
        root.query_selector("#topology .edge:not(.edge--clients) .edge__label").unwrap().is_none(),
        "no labels on a dense diagram's arrows"
    );
    assert_eq!(attr(&root, ".edge--clients", "data-to"), "gateway");
    let square = attr(&root, ".svc[data-service=db] .sq", "style");
    assert_eq!(square, "width: 8px; height: 8px", "small node squares");
    // Each card is placed inside the measured box (the test page has no
    // style sheet, so the places are read from the cards' style): top to
    // bottom, the chain's three layers.
    let fit = root.query_selector("#topology .topo__fit").unwrap().unwrap();
    let (w, h) = (fit.client_width() as f64, fit.client_height() as f64);
    assert!(w > 200.0 && h > 150.0, "the box is measured: {w}×{h}");
    let mut last_bottom = 0.0;
    for name in ["gateway", "api", "db"] {
        let slot = root.query_selector(&format!(".svc[data-service={name}]")).unwrap().unwrap();
        let style = slot.parent_element().unwrap().get_attribute("style").unwrap();
        let px: Vec<f64> =
            style.split(';').filter_map(|p| p.split(':').nth(1)?.trim().strip_suffix("px")?.parse().ok()).collect();
        let [x, y, cw, ch] = px[..] else { panic!("{style}") };
        assert!(y > last_bottom && x >= 0.0 && x + cw <= w && y + ch <= h, "{name}: {style} in {w}×{h}");
        last_bottom = y + ch;
    }
    handle.destroy();
    // Its box would push later tests' roots down the page, and the
    // playground stops playing while out of view.
    root.remove();
}

#[wasm_bindgen_test]
async fn a_single_tier_keeps_its_node_cards() {
    let (root, handle) = mount("?nodes=3");
    settle().await;
    assert_eq!(root.query_selector_all("#nodes > li").unwrap().length(), 3);
    assert!(root.query_selector("#topology").unwrap().is_none());
    handle.destroy();
}
