//! The "your dashboard is lying" panel: a typical dashboard's figures
//! beside what users get, each with its badge and 60 s sparkline, and a
//! verdict line that says so when the dashboard is green while users fail.

use crate::charts::{draw_spark, UserView, USER_VIEW_S};
use crate::dashboard::{figure, DashboardView, Tile};
use crate::engine::Engine;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Inputs: the run, and the chart counter so the panel updates with the charts.
#[derive(Properties, PartialEq)]
pub struct DashboardProps {
    /// The run.
    pub engine: Engine,
    /// Redraw counter.
    pub rev: u64,
}

fn view_of(engine: &Engine) -> (DashboardView, UserView) {
    let sim = engine.sim();
    let snap_now = sim.now().as_secs_f64();
    let finished = sim.is_finished();
    let v = DashboardView::of(sim.series(), sim.completed_seconds(), sim.config(), snap_now, finished);
    (v, UserView::of(sim.series(), sim.completed_seconds()))
}

fn tile_html(t: &Tile, canvas: NodeRef) -> Html {
    let value = figure(t.unit, t.value);
    let level = t.level.map(|l| l.label()).unwrap_or("");
    html! {
        <div id={format!("dash-{}", t.id)} class="dash-tile" data-level={level}
            data-value={t.value.map(|v| v.to_string()).unwrap_or_default()} title={t.hint}>
            <div class="dash-tile__head">
                <span class="dash-tile__label">{ t.label }</span>
                if let Some(l) = t.level {
                    <span class={classes!("dash-badge", l.class())}>{ l.label() }</span>
                }
            </div>
            <div class="dash-tile__value">{ value }</div>
            <canvas ref={canvas} class="dash-tile__spark" role="img"
                aria-label={format!("{}, last 60 simulated seconds", t.label)} />
        </div>
    }
}

/// The verdict: the lie spelled out, or agreement.
fn verdict(v: &DashboardView, users: &UserView) -> Html {
    let p50 = v.tile("p50").map(|t| figure(t.unit, t.value)).unwrap_or_default();
    if v.lying() {
        let share = users.success_share.map_or("few".to_string(), |s| format!("{:.1}%", s * 100.0));
        html! {
            <p id="dash-verdict" class="dash__verdict dash__verdict--lying" data-lying="true" role="status">
                <strong>{ "✕ Your dashboard is lying. " }</strong>
                { format!("P50 reads {p50} (OK) and the CPU is busy, but only {share} of the requests that finished in the last {USER_VIEW_S} s succeeded.") }
            </p>
        }
    } else {
        html! {
            <p id="dash-verdict" class="dash__verdict" data-lying="false" role="status">
                { "Dashboard and users agree: compare both sides when you push the system over." }
            </p>
        }
    }
}

/// The panel.
#[component]
pub fn Dashboard(p: &DashboardProps) -> Html {
    let (v, users) = view_of(&p.engine);
    let count = v.typical.len() + v.users.len();
    let refs = use_memo(count, |&n| (0..n).map(|_| NodeRef::default()).collect::<Vec<_>>());
    {
        let refs = refs.clone();
        use_effect_with((p.rev, p.engine.clone()), move |(_, engine)| {
            let (v, _) = view_of(engine);
            for (t, node) in v.typical.iter().chain(&v.users).zip(refs.iter()) {
                if let Some(canvas) = node.cast::<HtmlCanvasElement>() {
                    if let Err(e) = draw_spark(&canvas, t) {
                        web_sys::console::error_1(&e.to_string().into());
                    }
                }
            }
        });
    }
    let mut canvases = refs.iter().cloned();
    let typical: Vec<Html> = v.typical.iter().map(|t| tile_html(t, canvases.next().unwrap_or_default())).collect();
    let user: Vec<Html> = v.users.iter().map(|t| tile_html(t, canvases.next().unwrap_or_default())).collect();
    let second = v.second.map_or("no second completed yet".to_string(), |s| format!("second {s}"));
    html! {
        <section id="dashboard" class={classes!("dash", v.lying().then_some("dash--lying"))} aria-label="Your dashboard versus your users">
            <details open=true>
                <summary class="dash__title">{ "Your dashboard versus your users" }<small>{ format!(" · {second}, sparklines over the last 60 s") }</small></summary>
                { verdict(&v, &users) }
                <div class="dash__cols">
                    <div class="dash__col dash__col--typical">
                        <h3 class="dash__heading">{ "What a typical dashboard shows" }</h3>
                        <div class="dash__tiles">{ for typical }</div>
                    </div>
                    <div class="dash__col dash__col--users">
                        <h3 class="dash__heading">{ "What your users get" }</h3>
                        <div class="dash__tiles">{ for user }</div>
                    </div>
                </div>
            </details>
        </section>
    }
}
