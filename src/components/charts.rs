//! The four live charts. They redraw when the state bumps `rev` (a second
//! completed, at most every few frames), after a reset, and on resize.

use crate::charts::{
    draw_cpu, draw_defences, draw_errors, draw_latency, draw_nodes, draw_traffic, series_of, ChartData, ChartError, WINDOW_S,
};
use crate::engine::Engine;
use crate::state::Action;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Chart inputs.
#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    /// The run to chart.
    pub engine: Engine,
    /// Redraw counter.
    pub rev: u64,
    /// The service charted; `None` for the whole system.
    pub service: Option<usize>,
    /// The services' names, for the selector (one for a single tier).
    pub services: Vec<String>,
    /// The reducer.
    pub dispatch: Callback<crate::state::Action>,
    /// Only the central chart (embed mode).
    #[prop_or_default]
    pub main_only: bool,
}

/// Name of the performance mark set when the charts first draw.
pub const FIRST_CHART_MARK: &str = "brink-first-chart";

type DrawFn = fn(&HtmlCanvasElement, &ChartData) -> Result<(), ChartError>;

fn draw_all(canvases: &[(NodeRef, DrawFn)], engine: &Engine, service: Option<usize>) {
    let (data, completed) = {
        let sim = engine.sim();
        let series = series_of(&sim, service);
        (ChartData::from_series(series, sim.completed_seconds(), WINDOW_S), sim.completed_seconds())
    };
    for (node, draw) in canvases {
        let Some(canvas) = node.cast::<HtmlCanvasElement>() else { continue };
        match draw(&canvas, &data) {
            Ok(()) => {
                // Tests wait on this attribute to know which seconds are drawn,
                // and read the newest second's figures from the next.
                let _ = canvas.set_attribute("data-seconds", &completed.to_string());
                let _ = canvas.set_attribute("data-last", &last_drawn(&data));
                // And on what is drawn: the window's first second and its
                // offered load and goodput, which must equal a native run's.
                let list = |v: &[f64]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
                let _ = canvas.set_attribute("data-first-second", &data.first_s.to_string());
                let _ = canvas.set_attribute("data-offered", &list(&data.offered));
                let _ = canvas.set_attribute("data-goodput", &list(&data.goodput));
            }
            Err(e) => web_sys::console::error_1(&e.to_string().into()),
        }
    }
}

/// The newest drawn second's figures as JSON, for tests to read what the
/// charts show: rates per second, latencies in ms, CPU in cores.
fn last_drawn(d: &ChartData) -> String {
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    let ms = |v: &[Option<f64>]| v.last().copied().flatten().unwrap_or(0.0);
    format!(
        "{{\"goodput\":{},\"throughput\":{},\"rejected\":{},\"timed_out\":{},\"failed\":{},\"errors\":{},\"p50_ms\":{},\"p99_ms\":{},\"cpu\":{},{}}}",
        last(&d.goodput),
        last(&d.throughput),
        last(&d.rejected),
        last(&d.timed_out),
        last(&d.failed),
        last(&d.errors),
        ms(&d.p50_ms),
        ms(&d.p99_ms),
        last(&d.cpu_useful) + last(&d.cpu_wasted) + last(&d.cpu_switching),
        defences_drawn(d)
    )
}

/// The defences' figures of the newest drawn second, as JSON members: each
/// defence counter by name, then the nodes serving and provisioning.
fn defences_drawn(d: &ChartData) -> String {
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    let counters: Vec<String> = d.defences.iter().map(|(name, v)| format!("\"{name}\":{}", last(v))).collect();
    format!(
        "\"defences\":{{{}}},\"nodes_serving\":{},\"nodes_pending\":{}",
        counters.join(","),
        last(&d.nodes_serving),
        last(&d.nodes_pending)
    )
}

/// Calls its callback on every window resize, until dropped.
pub(crate) struct ResizeListener {
    closure: Closure<dyn FnMut()>,
}

impl ResizeListener {
    pub(crate) fn new(on_resize: impl FnMut() + 'static) -> ResizeListener {
        let closure = Closure::<dyn FnMut()>::new(on_resize);
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("resize", closure.as_ref().unchecked_ref());
        }
        ResizeListener { closure }
    }
}

impl Drop for ResizeListener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("resize", self.closure.as_ref().unchecked_ref());
        }
    }
}

/// A count that changes whenever the window or the element `canvas`
/// changes size, for a chart's drawing effect to depend on: a canvas is
/// drawn at its size of the moment, so it is redrawn at the new one. The
/// window keeps its size when the layout changes the canvas's (the embed's
/// chart takes the height a dismissed notice leaves), hence the observer.
#[hook]
pub(crate) fn use_resized(canvas: NodeRef) -> u32 {
    let resized = use_state(|| 0u32);
    let setter = resized.setter();
    use_effect_with(canvas, move |canvas| {
        let count = Rc::new(Cell::new(0u32));
        let bump = move || {
            count.set(count.get() + 1);
            setter.set(count.get());
        };
        let listener = ResizeListener::new(bump.clone());
        let observed = canvas.cast::<web_sys::Element>().and_then(|el| {
            let c = Closure::<dyn FnMut()>::new(bump);
            let o = web_sys::ResizeObserver::new(c.as_ref().unchecked_ref()).ok()?;
            o.observe(&el);
            Some((o, c))
        });
        move || {
            drop(listener);
            if let Some((o, _c)) = observed {
                o.disconnect();
            }
        }
    });
    *resized
}

fn mark_first_chart(done: &RefCell<bool>) {
    if !done.replace(true) {
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            let _ = perf.mark(FIRST_CHART_MARK);
        }
    }
}

/// "Charts: whole system | <service>".
fn selector(p: &ChartsProps) -> Html {
    let on = p
        .dispatch
        .reform(|e: Event| Action::ChartService(e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok()));
    html! {
        <label class="chart-selector">
            { "Charts: " }
            <select id="chart-service" class="knob__select" onchange={on}>
                <option value="" selected={p.service.is_none()}>{ "whole system" }</option>
                { for p.services.iter().enumerate().map(|(i, name)| html! {
                    <option value={i.to_string()} selected={p.service == Some(i)}>{ name.clone() }</option>
                }) }
            </select>
        </label>
    }
}

/// The charts.
#[component]
pub fn Charts(p: &ChartsProps) -> Html {
    let (traffic, latency, errors, cpu) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let (defences, nodes) = (use_node_ref(), use_node_ref());
    // Shown only while a defence is on; the node counts only while an
    // autoscaler or adaptive limit gives the engine its scaling series.
    let (defended, scaling) = {
        let sim = p.engine.sim();
        (crate::defences::any_on(sim.config()), series_of(&sim, p.service).scaling.is_some())
    };
    let resized = use_resized(traffic.clone());
    let first = use_mut_ref(|| false);
    {
        let canvases = [
            (traffic.clone(), draw_traffic as DrawFn),
            (latency.clone(), draw_latency),
            (errors.clone(), draw_errors),
            (cpu.clone(), draw_cpu),
            (defences.clone(), draw_defences),
            (nodes.clone(), draw_nodes),
        ];
        use_effect_with((p.rev, p.engine.clone(), resized, p.service, defended, scaling), move |(_, engine, _, service, _, _)| {
            draw_all(&canvases, engine, *service);
            mark_first_chart(&first);
        });
    }
    html! {
        <section class="charts" aria-label="Charts">
            if p.services.len() > 1 { { selector(p) } }
            <figure class="chart chart--main">
                <figcaption>
                    { "Offered load, throughput and goodput" }<small>{ "· last 60 simulated seconds" }</small>
                    <span class="chart__note">{ "goodput: answers clients still waited for · wasted work: served after they gave up" }</span>
                </figcaption>
                <canvas id="chart-traffic" ref={traffic} role="img"
                    aria-label="Requests per second: offered, throughput and goodput; the shaded gap between throughput and goodput is wasted work" />
            </figure>
            if !p.main_only {
            <div class="charts__row">
                <figure class="chart">
                    <figcaption>{ "Latency of successes" }<small>{ "· p50 and p99" }</small></figcaption>
                    <canvas id="chart-latency" ref={latency} role="img" aria-label="Median and 99th percentile latency of successful requests, ms" />
                </figure>
                <figure class="chart">
                    <figcaption>{ "Failures per second" }<small>{ "· of attempts and requests" }</small></figcaption>
                    <canvas id="chart-errors" ref={errors} role="img" aria-label="503s, timeouts, failed requests, connection errors and attempts dropped at their deadline, per second" />
                </figure>
                <figure class="chart">
                    <figcaption>{ "CPU: useful, wasted, switching" }</figcaption>
                    <canvas id="chart-cpu" ref={cpu} role="img"
                        aria-label="CPU in use over all nodes per second, in cores, stacked: useful work, work for clients that had given up, and context switching" />
                </figure>
            </div>
            if defended || scaling {
                <div class="charts__row charts__row--defences">
                    if defended {
                        <figure class="chart">
                            <figcaption>{ "Defences" }<small>{ "· per second" }</small>
                                <span class="chart__note">{ "retries suppressed, attempts refused locally, hedges, 429s and limit 503s" }</span></figcaption>
                            <canvas id="chart-defences" ref={defences} role="img"
                                aria-label="The defences at work per second: retries suppressed by the retry budget or retry throttling, attempts rejected locally by adaptive throttling or an open breaker, breaker trips, hedges, 429s from rate limiters and 503s from adaptive concurrency limits; only those that acted are drawn" />
                        </figure>
                    }
                    if scaling {
                        <figure class="chart">
                            <figcaption>{ "Nodes" }<small>{ "· serving and provisioning" }</small></figcaption>
                            <canvas id="chart-nodes" ref={nodes} role="img"
                                aria-label="Nodes serving and nodes the autoscaler is still provisioning, at the start of each second" />
                        </figure>
                    }
                </div>
            }
            }
        </section>
    }
}
