//! The hysteresis view: offered load swept up then back down over a
//! scenario, goodput on both branches drawn as they are measured, the band
//! between them shaded where they part. The sweep runs a slice of events
//! per timeout, so the page keeps painting and answering.

use crate::charts::draw_hysteresis;
use crate::format::si;
use crate::hysteresis::{parse_dwell, parse_rates, Curve, Plan, Run, CHOICES, SLICE_EVENTS};
use crate::url::ParamError;
use crate::views::View;
use gloo_timers::callback::Timeout;
use sim_core::Config;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What the page was opened with.
#[derive(Properties, PartialEq)]
pub struct HysteresisProps {
    /// The playground's scenario, from the link's parameters.
    pub base: Config,
    /// The link's query string, for the way back.
    pub query: String,
    /// Parameters that could not be used.
    pub errors: Vec<ParamError>,
    /// The scenario to open on (index into `CHOICES`).
    pub choice: usize,
}

/// Where the sweep stands.
#[derive(Clone, PartialEq)]
enum Stage {
    Running,
    Done,
    Failed(String),
}

fn table(c: &Curve) -> Html {
    let cell = |v: Option<f64>| v.map_or("…".to_string(), si);
    html! {
        <table id="hyst-table" class="validate__table hyst__table">
            <thead><tr><th scope="col">{ "offered (req/s)" }</th><th scope="col">{ "goodput, rising" }</th><th scope="col">{ "goodput, falling" }</th><th scope="col">{ "gap" }</th></tr></thead>
            <tbody>{ for c.rates.iter().enumerate().map(|(i, r)| {
                let gap = c.up[i].zip(c.down[i]).map(|(u, d)| u - d);
                html! { <tr><td class="num">{ si(*r) }</td><td class="num">{ cell(c.up[i]) }</td><td class="num">{ cell(c.down[i]) }</td><td class="num">{ cell(gap) }</td></tr> }
            }) }</tbody>
        </table>
    }
}

/// The hysteresis page.
#[component]
pub fn HysteresisPage(p: &HysteresisProps) -> Html {
    let choice = use_state(|| p.choice);
    let rates = use_state(|| "9000:15000:2000".to_string());
    let dwell = use_state(|| Plan::default().dwell_s.to_string());
    let run: Rc<RefCell<Option<Run>>> = use_mut_ref(|| None);
    let stage = use_state(|| Stage::Failed("not started".into()));
    let tick = use_state(|| 0u64);
    let canvas = use_node_ref();
    let start = {
        let (run, stage, tick, base) = (run.clone(), stage.clone(), tick.clone(), p.base.clone());
        let (choice, rates, dwell) = (choice.clone(), rates.clone(), dwell.clone());
        Callback::from(move |_: ()| {
            let plan = parse_rates(&rates).and_then(|r| Ok(Plan { rates: r, dwell_s: parse_dwell(&dwell)? }));
            let made = plan.and_then(|plan| Run::new(&(CHOICES[*choice].build)(&base), plan));
            match made {
                Ok(r) => {
                    *run.borrow_mut() = Some(r);
                    stage.set(Stage::Running);
                }
                Err(e) => {
                    *run.borrow_mut() = None;
                    stage.set(Stage::Failed(e));
                }
            }
            tick.set(*tick + 1);
        })
    };
    {
        let start = start.clone();
        use_effect_with((), move |_| start.emit(()));
    }
    {
        // One slice per timeout while running; each slice re-renders.
        let (run, stage, tick2) = (run.clone(), stage.clone(), tick.clone());
        use_effect_with((*tick, (*stage).clone()), move |(t, s)| {
            let t = *t;
            let timer = (*s == Stage::Running).then(|| {
                Timeout::new(0, move || {
                    let result = run.borrow_mut().as_mut().map(|r| r.advance(SLICE_EVENTS));
                    match result {
                        Some(Ok(true)) => stage.set(Stage::Done),
                        Some(Err(e)) => stage.set(Stage::Failed(e.to_string())),
                        _ => {}
                    }
                    tick2.set(t + 1);
                })
            });
            move || drop(timer)
        });
    }
    let curve = run.borrow().as_ref().map(Run::curve).unwrap_or_default();
    let (done, all) = run.borrow().as_ref().map_or((0, 0), Run::progress);
    {
        let (canvas, curve) = (canvas.clone(), curve.clone());
        use_effect_with(*tick, move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                if let Err(e) = draw_hysteresis(&c, &curve) {
                    web_sys::console::error_1(&e.to_string().into());
                }
            }
        });
    }
    let on_choice = {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            choice.set(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0))
        })
    };
    let text_setter = |s: UseStateHandle<String>| {
        Callback::from(move |e: Event| s.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let status = match &*stage {
        Stage::Running => format!("Sweeping: step {} of {}…", done + 1, all),
        Stage::Done => curve.verdict(),
        Stage::Failed(e) => format!("Not run: {e}"),
    };
    html! {
        <main class="page hyst">
            <nav class="page__nav"><a href={View::Playground.link(&p.query)}>{ "← Playground" }</a></nav>
            <h1>{ "Hysteresis: load up, then down" }</h1>
            <p class="page__lead">{ "The offered load steps up, then back down, holding each rate for the dwell (changed live, as the rate knob does). Goodput is averaged over the second half of each dwell. A stable system gives the same goodput at a load whichever way it got there; a metastable one, pushed into collapse on the way up, stays there on the way down at loads it carried before. The same sweep as " }<code>{ "brink hysteresis" }</code>{ "." }</p>
            { for p.errors.iter().map(|e| html! { <p class="notice">{ e.to_string() }</p> }) }
            <form class="hyst__form" onsubmit={let start = start.clone(); Callback::from(move |e: SubmitEvent| { e.prevent_default(); start.emit(()) })}>
                <label>{ "scenario " }
                    <select id="hyst-scenario" class="knob__select" onchange={on_choice}>
                        { for CHOICES.iter().enumerate().map(|(i, c)| html! { <option value={i.to_string()} selected={*choice == i}>{ c.name }</option> }) }
                    </select>
                </label>
                <label>{ "rates FROM:TO:STEP (req/s) " }<input id="hyst-rates" type="text" value={(*rates).clone()} onchange={text_setter(rates.clone())} /></label>
                <label>{ "dwell (s) " }<input id="hyst-dwell" type="text" inputmode="numeric" value={(*dwell).clone()} onchange={text_setter(dwell.clone())} /></label>
                <button id="hyst-run" class="btn btn--primary" type="submit">{ "Sweep" }</button>
            </form>
            <p id="hyst-status" class={classes!("validate__status", matches!(*stage, Stage::Done).then_some("validate__status--done"))} role="status"
                data-done={matches!(*stage, Stage::Done).to_string()} data-parts={curve.parts().to_string()}
                data-band={curve.band.map(|b| b.to_string()).unwrap_or_default()} data-steps={done.to_string()}>
                { status }
            </p>
            <figure class="chart hyst__chart">
                <figcaption>{ "Goodput against offered load" }<small>{ " · both branches, the band between them shaded where they part" }</small></figcaption>
                <canvas id="hyst-chart" ref={canvas} role="img" aria-label="Goodput against offered load, on the way up and on the way down" />
            </figure>
            { table(&curve) }
        </main>
    }
}
