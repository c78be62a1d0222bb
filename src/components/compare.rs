//! The compare view (`?compare`, framework-free part in `compare.rs`): A
//! and B side by side on A's seed, advanced together by one animation loop,
//! their central charts overlaid (A solid, B dashed), their system diagrams
//! and knob panels side by side, and the table of totals `brink compare`
//! prints.

use super::{perf_now, use_animation_frames, KnobPanel, NodeView, Notices};
use crate::charts::{draw_overlay, series_of, ChartData, LastSecond, WINDOW_S};
use crate::compare::{query, rows, CompareLink};
use crate::format::sim_seconds;
use crate::state::{Action, AppState};
use crate::url::{ParamError, UrlSettings};
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

/// The compare page.
#[component]
pub fn ComparePage(p: &ComparePageProps) -> Html {
    let a = {
        let (settings, errors) = (p.link.a.clone(), p.errors.clone());
        use_reducer(move || AppState::new(settings, errors, perf_now))
    };
    let b = {
        let settings = UrlSettings { config: p.link.b.clone(), ..p.link.a.clone() };
        use_reducer(move || AppState::new(settings, Vec::new(), perf_now))
    };
    let (da, db): (Callback<Action>, Callback<Action>) = (a.dispatcher().into(), b.dispatcher().into());
    // One loop for both: each frame advances A, then B, by the same wall time.
    let both = {
        let (da, db) = (da.clone(), db.clone());
        Callback::from(move |act: Action| {
            da.emit(act.clone());
            db.emit(act);
        })
    };
    use_animation_frames(a.playing || b.playing, both.reform(Action::Frame));
    {
        let q = query(&a.config, &b.config, &a.defaults, a.speed);
        super::use_url_follows(q);
    }
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
            <Notices notices={a.notices.clone()} pending={a.pending_restart.clone()} story={None} dispatch={da.clone()} />
            <div class="compare__top">
                <OverlayChart a={chart_data(&a)} b={chart_data(&b)} seconds={a.engine.sim().completed_seconds()} />
                <div class="compare__totals">{ totals_table(&a, &b) }</div>
            </div>
            <div class="compare__sides">
                { side("a", "A", &a, &da) }
                { side("b", "B", &b, &db) }
            </div>
        </div>
    }
}

/// One side: its diagram and its knob panel, bound to its own state.
fn side(id: &'static str, name: &'static str, s: &AppState, d: &Callback<Action>) -> Html {
    let last = {
        let sim = s.engine.sim();
        LastSecond::of(sim.series(), sim.completed_seconds())
    };
    html! {
        <section id={format!("side-{id}")} class="compare__side" aria-label={format!("Scenario {name}")}>
            <h2 class="compare__name">{ name }</h2>
            <NodeView snapshot={s.snapshot.clone()} config={s.config.clone()} {last} finished={s.finished()} selected={s.selected_service} dispatch={d.clone()} />
            <div class="compare__knobs" id={format!("knobs-{id}")}>
                <KnobPanel config={s.config.clone()} defaults={s.defaults.clone()} pending={s.pending_restart.clone()} target={s.target()} dispatch={d.clone()} />
            </div>
        </section>
    }
}

/// The table of totals: A, B, B − A, B / A, as `brink compare` prints it.
fn totals_table(a: &AppState, b: &AppState) -> Html {
    // The compare page steps both runs in-process (no worker), so the
    // reports are answered at once.
    let report = |s: &AppState| s.engine.ask_now(crate::wire::Query::Report).unwrap_or_default();
    let rows = rows(&report(a), &report(b));
    html! {
        <table id="compare-table" class="compare__table">
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

/// The central chart's window of one side.
fn chart_data(s: &AppState) -> ChartData {
    let sim = s.engine.sim();
    ChartData::from_series(series_of(&sim, None), sim.completed_seconds(), WINDOW_S)
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
