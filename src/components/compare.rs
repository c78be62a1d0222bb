//! The compare view (`?compare`, framework-free part in `compare.rs`): A
//! and B side by side on A's seed, each run in its own Web Worker and
//! advanced in lockstep by one animation loop, their central charts
//! overlaid (A solid, B dashed), their system diagrams and knob panels side
//! by side, and the table of totals `brink compare` prints, read with both
//! runs at one instant.

use super::{perf_now, use_animation_frames, use_engine_worker, KnobPanel, NodeView, Notices};
use crate::charts::{draw_overlay, series_of, ChartData, LastSecond, WINDOW_S};
use crate::compare::{align, level, lockstep, query, rows, CompareLink, Side, Which};
use crate::engine::Engine;
use crate::format::sim_seconds;
use crate::state::{Action, AppState};
use crate::url::{ParamError, UrlSettings};
use crate::wire::Query;
use sim_core::SimTime;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// What the page was opened with.
#[derive(Properties, PartialEq)]
pub struct ComparePageProps {
    /// A and B.
    pub link: CompareLink,
    /// Query parameters that could not be used.
    pub errors: Vec<ParamError>,
}

/// Both runs' reports, taken at one simulated instant.
#[derive(Clone, PartialEq)]
struct Totals {
    at: SimTime,
    a: Rc<str>,
    b: Rc<str>,
}

/// The compare page.
#[component]
pub fn ComparePage(p: &ComparePageProps) -> Html {
    // Each side opens its worker before its state, so the state's first run
    // lives in it; resets stay on the side's own worker (`Engine::restart`).
    let link_a = use_engine_worker();
    let a = {
        let (settings, errors) = (p.link.a.clone(), p.errors.clone());
        use_reducer(move || AppState::new(settings, errors, perf_now))
    };
    let link_b = use_engine_worker();
    let b = {
        let settings = UrlSettings { config: p.link.b.clone(), ..p.link.a.clone() };
        use_reducer(move || AppState::new(settings, Vec::new(), perf_now))
    };
    let (da, db): (Callback<Action>, Callback<Action>) = (a.dispatcher().into(), b.dispatcher().into());
    link_a.deliver(&da);
    link_b.deliver(&db);
    use_lockstep(&a, &b, &da, &db);
    let totals = use_totals(&a, &b);
    {
        let q = query(&a.config, &b.config, &a.defaults, a.speed);
        super::use_url_follows(q);
    }
    let both = {
        let (da, db) = (da.clone(), db.clone());
        Callback::from(move |act: Action| {
            da.emit(act.clone());
            db.emit(act);
        })
    };
    let duplicate = {
        let (config, da, db) = (a.config.clone(), da.clone(), db.clone());
        Callback::from(move |_: MouseEvent| {
            db.emit(Action::Import(Box::new(config.clone())));
            da.emit(Action::Reset);
        })
    };
    let playing = a.playing && b.playing;
    let finished = a.finished() && b.finished();
    let play =
        if playing { both.reform(|_: MouseEvent| Action::Pause) } else { both.reform(|_: MouseEvent| Action::Play) };
    let now = a.snapshot.now.as_secs_f64();
    // Both windows end at the second both runs completed, so the overlaid
    // lines stay aligned while one run is a frame ahead; a run that ended
    // (B may be shorter) holds the other's window back no longer.
    let (ca, cb) = (a.engine.sim().completed_seconds(), b.engine.sim().completed_seconds());
    let seconds = if a.finished() || b.finished() { ca.max(cb) } else { ca.min(cb) };
    html! {
        <div class="app compare">
            <header class="toolbar compare__bar">
                <span class="brand__name">{ "Brink · compare A and B" }</span>
                <button id="play" class="btn btn--primary" onclick={play} disabled={finished}>{ if playing { "Pause" } else { "Play" } }</button>
                <button id="step" class="btn" onclick={both.reform(|_: MouseEvent| Action::Step)} disabled={finished}>{ "1 s" }</button>
                <button id="reset" class="btn" onclick={both.reform(|_: MouseEvent| Action::Reset)}>{ "Reset" }</button>
                <button id="duplicate" class="btn" onclick={duplicate} title="Make B a copy of A and restart both">{ "Duplicate A into B" }</button>
                <div id="status" class="status" role="status" data-sim-time={format!("{now:.3}")}
                    data-sim-time-b={format!("{:.3}", b.snapshot.now.as_secs_f64())}>
                    { format!("t = {} · seed {} for both", sim_seconds(now), a.config.seed) }
                </div>
                <super::CopyLink query={query(&a.config, &b.config, &a.defaults, a.speed)} />
            </header>
            <div class="compare__top">
                <OverlayChart a={chart_data(&a, seconds)} b={chart_data(&b, seconds)} {seconds} />
                <div class="compare__totals">{ totals_table(totals.as_ref()) }</div>
            </div>
            <div class="compare__sides">
                { side("a", "A", &a, &da, &both) }
                { side("b", "B", &b, &db, &both) }
            </div>
        </div>
    }
}

/// One animation loop for both sides, in lockstep (`compare::lockstep`):
/// the side ahead waits while the other comes up to it. Paused between
/// two replies, the side behind is brought up (`compare::align`).
#[hook]
fn use_lockstep(a: &AppState, b: &AppState, da: &Callback<Action>, db: &Callback<Action>) {
    // The loop's callback lives as long as the loop: it reads both sides
    // as last rendered from here.
    let sides = use_mut_ref(|| (Side::of(a), Side::of(b)));
    *sides.borrow_mut() = (Side::of(a), Side::of(b));
    let frame = {
        let (da, db) = (da.clone(), db.clone());
        Callback::from(move |ts: f64| {
            let (sa, sb) = *sides.borrow();
            let (ma, mb) = lockstep(sa, sb);
            ma.actions(ts).into_iter().for_each(|x| da.emit(x));
            mb.actions(ts).into_iter().for_each(|x| db.emit(x));
        })
    };
    use_animation_frames(a.playing || b.playing, frame);
    let (da, db) = (da.clone(), db.clone());
    use_effect_with((Side::of(a), Side::of(b)), move |&(sa, sb)| match align(sa, sb) {
        Some((Which::A, t)) => da.emit(Action::CatchUp(t)),
        Some((Which::B, t)) => db.emit(Action::CatchUp(t)),
        None => {}
    });
}

/// The reports of both runs, asked of their workers whenever both stand at
/// one instant: once per chart redraw while playing, at every instant
/// while paused. The last pair answered stays shown until the next.
#[hook]
fn use_totals(a: &AppState, b: &AppState) -> Option<Totals> {
    let totals = use_state(|| None::<Totals>);
    let asked = use_mut_ref(|| None::<(Engine, Engine, u64, u64)>);
    let at = a.snapshot.now;
    if level(Side::of(a), Side::of(b)) {
        let key = if a.playing || b.playing { (0, a.chart_rev) } else { (1, at.0) };
        let ask = (a.engine.clone(), b.engine.clone(), key.0, key.1);
        if asked.borrow().as_ref() != Some(&ask) {
            *asked.borrow_mut() = Some(ask);
            ask_both(&a.engine, &b.engine, at, totals.setter());
        }
    }
    (*totals).clone()
}

/// A's and B's reports as they come in.
type Pair = RefCell<(Option<Rc<str>>, Option<Rc<str>>)>;

/// Asks both engines for their reports; `set` takes the pair once both
/// have answered (each worker answers in order, so pairs complete in order).
fn ask_both(a: &Engine, b: &Engine, at: SimTime, set: UseStateSetter<Option<Totals>>) {
    let pair: Rc<Pair> = Rc::default();
    let done = move |pair: &Pair| {
        if let (Some(a), Some(b)) = &*pair.borrow() {
            set.set(Some(Totals { at, a: a.clone(), b: b.clone() }));
        }
    };
    let (pa, done_a) = (pair.clone(), done.clone());
    a.ask(Query::Report, move |text| {
        pa.borrow_mut().0 = Some(text.into());
        done_a(&pa);
    });
    b.ask(Query::Report, move |text| {
        pair.borrow_mut().1 = Some(text.into());
        done(&pair);
    });
}

/// One side: its notices (a refused change, a change waiting for a
/// restart), its diagram and its knob panel, bound to its own state.
/// "Restart now" restarts both, as Reset does: the sides stay in step.
fn side(id: &'static str, name: &'static str, s: &AppState, d: &Callback<Action>, both: &Callback<Action>) -> Html {
    let notices = {
        let (own, both) = (d.clone(), both.clone());
        Callback::from(move |act: Action| match act {
            Action::Reset => both.emit(act),
            other => own.emit(other),
        })
    };
    let last = {
        let sim = s.engine.sim();
        LastSecond::of(sim.series(), sim.completed_seconds())
    };
    html! {
        <section id={format!("side-{id}")} class="compare__side" aria-label={format!("Scenario {name}")}>
            <h2 class="compare__name">{ name }</h2>
            <Notices notices={s.notices.clone()} pending={s.pending_restart.clone()} story={None} dispatch={notices} banner_id={format!("restart-banner-{id}")} />
            <NodeView snapshot={s.snapshot.clone()} config={s.config.clone()} {last} finished={s.finished()} selected={s.selected_service} dispatch={d.clone()} />
            <div class="compare__knobs" id={format!("knobs-{id}")}>
                <KnobPanel config={s.config.clone()} defaults={s.defaults.clone()} pending={s.pending_restart.clone()} target={s.target()} dispatch={d.clone()} />
            </div>
        </section>
    }
}

/// The table of totals: A, B, B − A, B / A, as `brink compare` prints it,
/// with the instant both runs were read at.
fn totals_table(totals: Option<&Totals>) -> Html {
    let rows = totals.map(|t| rows(&t.a, &t.b)).unwrap_or_default();
    let at = totals.map(|t| t.at.as_secs_f64());
    html! {
        <table id="compare-table" class="compare__table" data-at={at.map(|t| format!("{t:.3}"))}>
            <caption>{ at.map_or_else(|| "Totals".to_owned(), |t| format!("Totals at t = {}", sim_seconds(t))) }</caption>
            <thead><tr><th>{ "total" }</th><th>{ "A" }</th><th>{ "B" }</th><th>{ "B − A" }</th><th>{ "B / A" }</th></tr></thead>
            <tbody>
                { for rows.iter().map(|r| html! {
                    <tr data-key={r.key.clone()} data-a={r.a.to_string()} data-b={r.b.to_string()} data-diff={r.diff().to_string()}>
                        <th scope="row">{ r.key.clone() }</th>
                        <td>{ r.a }</td><td>{ r.b }</td>
                        <td class={classes!((r.diff() != 0).then_some("compare__diff"))}>{ r.diff().to_string() }</td>
                        <td>{ r.ratio_text() }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// The central chart's window of one side, ending at second `seconds`.
fn chart_data(s: &AppState, seconds: usize) -> ChartData {
    let sim = s.engine.sim();
    ChartData::from_series(series_of(&sim, None), seconds.min(sim.completed_seconds()), WINDOW_S)
}

#[derive(Properties, PartialEq)]
struct OverlayProps {
    a: ChartData,
    b: ChartData,
    seconds: usize,
}

/// The central chart of both runs.
#[component]
fn OverlayChart(p: &OverlayProps) -> Html {
    let canvas = use_node_ref();
    let resized = super::charts::use_resized(canvas.clone());
    {
        let canvas = canvas.clone();
        use_effect_with((p.a.clone(), p.b.clone(), p.seconds, resized), move |(a, b, seconds, _)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                match draw_overlay(&c, a, b) {
                    Ok(()) => {
                        let _ = c.set_attribute("data-seconds", &seconds.to_string());
                    }
                    Err(e) => web_sys::console::error_1(&e.to_string().into()),
                }
            }
        });
    }
    html! {
        <figure class="chart chart--main">
            <figcaption>{ "Offered load, throughput and goodput: A solid, B dashed" }<small>{ "· last 60 simulated seconds" }</small></figcaption>
            <canvas id="chart-traffic" ref={canvas} role="img" aria-label="Requests per second of A (solid lines) and B (dashed lines): offered, throughput and goodput" />
        </figure>
    }
}
