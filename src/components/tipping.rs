//! The tipping view: trigger size × trigger duration → the share of seeds
//! that did not recover, as `brink tipping` maps it. Each cell is a job for
//! the batch workers (one per core); the heat map fills as cells come back
//! while the page keeps painting and answering. Leaving the view or
//! pressing Stop terminates the workers.

use super::batch_pool::{workers_here, Pool};
use super::perf_now;
use crate::batch::{Outcome, Reply};
use crate::tipping::{cell_colours, Choice, Fill, Inputs, CHOICES};
use crate::url::ParamError;
use crate::views::View;
use gloo_timers::callback::Interval;
use sim_core::Config;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What the page was opened with.
#[derive(Properties, PartialEq)]
pub struct TippingProps {
    /// The playground's scenario, from the link's parameters.
    pub base: Config,
    /// The link's query string, for the way back.
    pub query: String,
    /// Parameters that could not be used.
    pub errors: Vec<ParamError>,
    /// The scenario to open on (index into `CHOICES`).
    pub choice: usize,
}

/// The map and where its computation stands.
#[derive(Debug, Clone, PartialEq, Default)]
struct MapState {
    fill: Option<Fill>,
    first_id: u64,
    started_ms: f64,
    ended_ms: Option<f64>,
    workers: usize,
    /// The cells' wall time in their workers, summed, ms.
    work_ms: f64,
    error: Option<String>,
    stopped: bool,
}

enum MapAction {
    Start { fill: Fill, first_id: u64, workers: usize },
    Reply(Reply),
    Stop,
    Refuse(String),
}

impl Reducible for MapState {
    type Action = MapAction;

    fn reduce(self: Rc<Self>, action: MapAction) -> Rc<Self> {
        let now = perf_now();
        let mut s = Rc::unwrap_or_clone(self);
        match action {
            MapAction::Start { fill, first_id, workers } => {
                s = MapState { fill: Some(fill), first_id, started_ms: now, workers, ..MapState::default() };
            }
            MapAction::Reply(r) => {
                let running = s.running();
                let index = r.id.wrapping_sub(s.first_id) as usize;
                if !(running && s.fill.as_ref().is_some_and(|f| index < f.failed.len())) {
                    return Rc::new(s);
                }
                s.work_ms += r.took_ms;
                let fill = s.fill.as_mut().expect("checked above");
                match r.outcome {
                    Outcome::Tipping { failed } => fill.failed[index] = Some(failed),
                    Outcome::Failed(e) => s.error = Some(e),
                    Outcome::Check { .. } => s.error = Some("a check came back to the tipping map".into()),
                }
                let complete = s.fill.as_ref().is_some_and(|f| f.done() == f.failed.len());
                if complete || s.error.is_some() {
                    s.ended_ms = Some(now);
                }
            }
            MapAction::Stop => {
                if s.running() {
                    (s.ended_ms, s.stopped) = (Some(now), true);
                }
            }
            MapAction::Refuse(e) => s = MapState { error: Some(e), ..MapState::default() },
        }
        Rc::new(s)
    }
}

impl MapState {
    fn running(&self) -> bool {
        self.fill.is_some() && self.ended_ms.is_none()
    }

    fn elapsed_ms(&self) -> f64 {
        self.ended_ms.unwrap_or_else(perf_now) - self.started_ms
    }

    fn status(&self) -> String {
        let Some(fill) = &self.fill else {
            return format!("Not run: {}", self.error.clone().unwrap_or_default());
        };
        let (done, all, secs) = (fill.done(), fill.failed.len(), self.elapsed_ms() / 1000.0);
        let workers = if self.workers == 1 { "1 worker".to_string() } else { format!("{} workers", self.workers) };
        match (&self.error, self.stopped, self.running()) {
            (Some(e), _, _) => format!("Stopped by an error after {done} of {all} cells: {e}"),
            (None, true, _) => format!("Stopped: {done} of {all} cells in {secs:.1} s"),
            (None, false, true) => format!("Computing: {done} of {all} cells, {secs:.1} s so far on {workers}…"),
            (None, false, false) => {
                format!("Done: {all} cells of {} seeds in {secs:.1} s on {workers}", fill.map.seeds)
            }
        }
    }
}

/// Margins of the map on its canvas: size labels left, durations below.
const LEFT: f64 = 64.0;
const BOTTOM: f64 = 44.0;
const TOP: f64 = 8.0;
const RIGHT: f64 = 8.0;

fn draw(canvas: &HtmlCanvasElement, fill: &Fill) -> Option<()> {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    let (rows, cols) = (fill.map.sizes.len(), fill.map.durations_s.len());
    let (cw, ch) = ((w - LEFT - RIGHT) / cols as f64, (h - TOP - BOTTOM) / rows as f64);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, w, h);
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    ctx.set_font(&format!("{}px system-ui, sans-serif", (ch * 0.38).clamp(9.0, 14.0).round()));
    for i in 0..rows {
        // The largest trigger at the top, as on a chart's y axis.
        let y = TOP + (rows - 1 - i) as f64 * ch;
        for j in 0..cols {
            let x = LEFT + j as f64 * cw;
            let (bg, fg, text) = match fill.share(i * cols + j) {
                Some(s) => {
                    let (bg, fg) = cell_colours(s);
                    (bg, fg, format!("{s:.2}"))
                }
                None => ("#f3f4f6".to_string(), "#6b7280", "…".to_string()),
            };
            ctx.set_fill_style_str(&bg);
            ctx.fill_rect(x + 1.0, y + 1.0, cw - 2.0, ch - 2.0);
            ctx.set_fill_style_str(fg);
            let _ = ctx.fill_text(&text, x + cw / 2.0, y + ch / 2.0);
        }
        ctx.set_fill_style_str("#111827");
        ctx.set_text_align("right");
        let _ = ctx.fill_text(&format!("{}×", fill.map.sizes[i]), LEFT - 6.0, y + ch / 2.0);
        ctx.set_text_align("center");
    }
    for (j, d) in fill.map.durations_s.iter().enumerate() {
        let _ = ctx.fill_text(&format!("{d} s"), LEFT + (j as f64 + 0.5) * cw, h - BOTTOM + 12.0);
    }
    let _ = ctx.fill_text("trigger duration", LEFT + (w - LEFT - RIGHT) / 2.0, h - 12.0);
    Some(())
}

fn clear(canvas: &HtmlCanvasElement) -> Option<()> {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.clear_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    Some(())
}

fn field(id: &'static str, label: &'static str, value: &UseStateHandle<String>, running: bool) -> Html {
    let s = value.clone();
    let on = Callback::from(move |e: Event| s.set(e.target_unchecked_into::<HtmlInputElement>().value()));
    html! { <label>{ label }<input id={id} type="text" value={(**value).clone()} onchange={on} disabled={running} /></label> }
}

/// The tipping-map page.
#[component]
pub fn TippingPage(p: &TippingProps) -> Html {
    let defaults = Inputs::default();
    let choice = use_state(|| p.choice);
    let sizes = use_state(|| defaults.sizes.clone());
    let durations = use_state(|| defaults.durations.clone());
    let seeds = use_state(|| defaults.seeds.clone());
    let window = use_state(|| defaults.window.clone());
    let threshold = use_state(|| defaults.threshold.clone());
    let state = use_reducer(MapState::default);
    let pool = use_mut_ref(|| None::<Pool>);
    let canvas = use_node_ref();
    let start = {
        let (pool, state, base) = (pool.clone(), state.clone(), p.base.clone());
        let (choice, sizes, durations, seeds, window, threshold) =
            (choice.clone(), sizes.clone(), durations.clone(), seeds.clone(), window.clone(), threshold.clone());
        Callback::from(move |_: ()| {
            // Any map still computing is abandoned with its workers.
            drop(pool.borrow_mut().take());
            let inputs = Inputs {
                sizes: (*sizes).clone(),
                durations: (*durations).clone(),
                seeds: (*seeds).clone(),
                window: (*window).clone(),
                threshold: (*threshold).clone(),
            };
            let Choice { build, .. } = CHOICES[*choice];
            let scenario = build(&base);
            let map = match inputs.parse(&scenario) {
                Ok(map) => map,
                Err(e) => return state.dispatch(MapAction::Refuse(e)),
            };
            let to = state.dispatcher();
            let sink = Callback::from(move |r: Reply| to.dispatch(MapAction::Reply(r)));
            match Pool::open(workers_here(), sink) {
                Ok(opened) => {
                    let fill = Fill::new(map);
                    let first_id = opened.submit(fill.jobs(&scenario));
                    let workers = opened.size();
                    *pool.borrow_mut() = Some(opened);
                    state.dispatch(MapAction::Start { fill, first_id, workers });
                }
                Err(e) => {
                    web_sys::console::error_2(&"batch workers not started".into(), &e);
                    state.dispatch(MapAction::Refuse("the batch workers could not start".into()));
                }
            }
        })
    };
    {
        let (start, pool) = (start.clone(), pool.clone());
        use_effect_with((), move |_| {
            start.emit(());
            // Leaving the view ends the workers.
            move || drop(pool.borrow_mut().take())
        });
    }
    let running = state.running();
    {
        // While computing, the elapsed time ticks on its own.
        let redraw = use_force_update();
        use_effect_with(running, move |&running| {
            let timer = running.then(|| Interval::new(250, move || redraw.force_update()));
            move || drop(timer)
        });
    }
    {
        let (canvas, fill) = (canvas.clone(), state.fill.clone());
        use_effect_with(fill, move |fill| {
            match (canvas.cast::<HtmlCanvasElement>(), fill) {
                (Some(c), Some(f)) => draw(&c, f),
                // A refused map leaves no old map behind to be misread.
                (Some(c), None) => clear(&c),
                _ => None,
            };
        });
    }
    let on_stop = {
        let (pool, state) = (pool.clone(), state.clone());
        Callback::from(move |_: MouseEvent| {
            drop(pool.borrow_mut().take());
            state.dispatch(MapAction::Stop);
        })
    };
    let on_choice = {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            choice.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0))
        })
    };
    let fill = state.fill.as_ref();
    let (done, cells) = fill.map_or((0, 0), |f| (f.done(), f.failed.len()));
    let finished = fill.is_some() && !running && !state.stopped && state.error.is_none();
    html! {
        <main class="page tipping">
            <nav class="page__nav"><a href={View::Playground.link(&p.query)}>{ "← Playground" }</a></nav>
            <h1>{ "Tipping points: trigger size × duration" }</h1>
            <p class="page__lead">{ "A trigger multiplies the offered load for a while, then ends. Each cell runs the scenario with one trigger on several seeds and shows the share of seeds that had not recovered at the end: goodput over the last window below the threshold times the offered load. A system that recovers from small, short triggers but not from large, long ones is metastable: past the boundary the retries hold it down after the trigger is gone. The cells are computed in parallel by one worker per core, and equal " }<code>{ "brink tipping" }</code>{ "'s for the same scenario and seeds." }</p>
            { for p.errors.iter().map(|e| html! { <p class="notice">{ e.to_string() }</p> }) }
            <form class="hyst__form tipping__form" onsubmit={let start = start.clone(); Callback::from(move |e: SubmitEvent| { e.prevent_default(); start.emit(()) })}>
                <label>{ "scenario " }
                    <select id="tip-scenario" class="knob__select" onchange={on_choice} disabled={running}>
                        { for CHOICES.iter().enumerate().map(|(i, c)| html! { <option value={i.to_string()} selected={*choice == i}>{ c.name }</option> }) }
                    </select>
                </label>
                { field("tip-sizes", "sizes FROM:TO:STEP (× rate) ", &sizes, running) }
                { field("tip-durations", "durations FROM:TO:STEP (s) ", &durations, running) }
                { field("tip-seeds", "seeds per cell ", &seeds, running) }
                { field("tip-window", "window (s) ", &window, running) }
                { field("tip-threshold", "threshold (goodput / offered) ", &threshold, running) }
                <button id="tip-run" class="btn btn--primary" type="submit">{ if state.fill.is_some() { "Restart" } else { "Run" } }</button>
                <button id="tip-stop" class="btn" type="button" onclick={on_stop} disabled={!running}>{ "Stop" }</button>
            </form>
            <p id="tip-status" class={classes!("validate__status", finished.then_some("validate__status--done"))} role="status"
                data-done={done.to_string()} data-cells={cells.to_string()} data-running={running.to_string()}
                data-finished={finished.to_string()} data-elapsed-ms={format!("{:.0}", state.elapsed_ms())}
                data-workers={state.workers.to_string()} data-work-ms={format!("{:.0}", state.work_ms)}>
                { state.status() }
            </p>
            <figure class="chart tipping__chart">
                <figcaption>{ "Share of seeds not recovered" }<small>{ " · rows: trigger size (× the rate), largest at the top; columns: trigger duration; pale green 0 through amber to red 1, the share printed in each cell" }</small></figcaption>
                <canvas id="tip-map" ref={canvas} width="720" height="380" role="img"
                    aria-label="Heat map of the share of seeds not recovered, by trigger size and duration"
                    data-done={done.to_string()} data-shares={fill.map(Fill::shares_json).unwrap_or_default()} />
            </figure>
        </main>
    }
}
