//! The four live charts. They redraw when the state bumps `rev` (a second
//! completed, at most every few frames), after a reset, and on resize.

use crate::charts::{draw_cpu, draw_errors, draw_latency, draw_traffic, ChartData, ChartError, WINDOW_S};
use crate::engine::Engine;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Chart inputs.
#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    /// The run to chart.
    pub engine: Engine,
    /// Redraw counter.
    pub rev: u64,
}

/// Name of the performance mark set when the charts first draw.
pub const FIRST_CHART_MARK: &str = "brink-first-chart";

type DrawFn = fn(&HtmlCanvasElement, &ChartData) -> Result<(), ChartError>;

fn draw_all(canvases: &[(NodeRef, DrawFn)], engine: &Engine) {
    let (data, completed) = {
        let sim = engine.sim();
        (ChartData::from_series(sim.series(), sim.completed_seconds(), WINDOW_S), sim.completed_seconds())
    };
    for (node, draw) in canvases {
        let Some(canvas) = node.cast::<HtmlCanvasElement>() else { continue };
        match draw(&canvas, &data) {
            Ok(()) => {
                // Tests wait on this attribute to know which seconds are drawn.
                let _ = canvas.set_attribute("data-seconds", &completed.to_string());
            }
            Err(e) => web_sys::console::error_1(&e.to_string().into()),
        }
    }
}

/// Calls its callback on every window resize, until dropped.
struct ResizeListener {
    closure: Closure<dyn FnMut()>,
}

impl ResizeListener {
    fn new(on_resize: impl FnMut() + 'static) -> ResizeListener {
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

fn mark_first_chart(done: &RefCell<bool>) {
    if !done.replace(true) {
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            let _ = perf.mark(FIRST_CHART_MARK);
        }
    }
}

/// The charts.
#[component]
pub fn Charts(p: &ChartsProps) -> Html {
    let (traffic, latency, errors, cpu) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let resized = use_state(|| 0u32);
    {
        let resized = resized.setter();
        let count = Rc::new(Cell::new(0u32));
        use_effect_with((), move |_| {
            let listener = ResizeListener::new(move || {
                count.set(count.get() + 1);
                resized.set(count.get());
            });
            move || drop(listener)
        });
    }
    let first = use_mut_ref(|| false);
    {
        let canvases = [
            (traffic.clone(), draw_traffic as DrawFn),
            (latency.clone(), draw_latency),
            (errors.clone(), draw_errors),
            (cpu.clone(), draw_cpu),
        ];
        use_effect_with((p.rev, p.engine.clone(), *resized), move |(_, engine, _)| {
            draw_all(&canvases, engine);
            mark_first_chart(&first);
        });
    }
    html! {
        <section class="charts" aria-label="Charts">
            <figure class="chart chart--main">
                <figcaption>
                    { "Offered load, throughput and goodput" }<small>{ "· last 60 simulated seconds" }</small>
                    <span class="chart__note">{ "goodput: answers clients still waited for · wasted work: served after they gave up" }</span>
                </figcaption>
                <canvas id="chart-traffic" ref={traffic} role="img"
                    aria-label="Requests per second: offered, throughput and goodput; the shaded gap between throughput and goodput is wasted work" />
            </figure>
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
        </section>
    }
}
