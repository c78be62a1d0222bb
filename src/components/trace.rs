//! One request's trace: the sampled trace nearest to what was clicked, as
//! a waterfall, and the export of every kept trace as OTLP/JSON. The layout
//! is `crate::trace_view`; this only draws it and handles the clicks.

use crate::engine::Engine;
use crate::state::Action;
use crate::trace_view::{chart_moment, layout, node_of, TracePick};
use sim_core::trace::Traces;
use sim_core::Snapshot;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlAnchorElement, MouseEvent};
use yew::prelude::*;

/// What the panel needs.
#[derive(Properties, PartialEq)]
pub struct TracePanelProps {
    /// The run.
    pub engine: Engine,
    /// Redraw counter (the charts').
    pub rev: u64,
    /// What was last clicked.
    pub pick: Option<TracePick>,
    /// The trace it picked, as the engine answered.
    pub trace: Option<Rc<Traces>>,
    /// True when the run samples traces.
    pub on: bool,
}

/// The waterfall panel.
#[component]
pub fn TracePanel(p: &TracePanelProps) -> Html {
    let export = {
        let engine = p.engine.clone();
        Callback::from(move |_: MouseEvent| {
            // The worker writes the document from every trace it keeps.
            engine.ask(crate::wire::Query::Otlp, |text| {
                if text.is_empty() {
                    return;
                }
                if let Err(e) = download("brink-traces.json", &text) {
                    web_sys::console::error_1(&e);
                }
            });
        })
    };
    let body = if !p.on {
        html! { <p class="trace__hint">{ "Turn on “Traces per second” (Traffic knobs) to record single requests, then click a node, a call arrow or a chart." }</p> }
    } else {
        // The worker sends the picked trace alone (`Query::Trace`).
        let chosen = p.trace.as_deref().filter(|_| p.pick.is_some()).and_then(|t| layout(t, 0));
        match chosen {
            None => html! { <p class="trace__hint">{ "Click a node, a call arrow or a moment in a chart to see a sampled request's trace." }</p> },
            Some(w) => html! {
                <>
                <p class="trace__title">{ format!("Request at {:.2} s · {:.1} ms · {} · trace {}", w.start_s, w.total_ms, w.outcome, &w.trace_id[..8]) }</p>
                <ol class="waterfall" data-spans={w.rows.len().to_string()} data-outcome={w.outcome}>
                    { for w.rows.iter().map(|r| html! {
                        <li class={classes!("span", format!("span--{}", r.kind), r.error.then_some("span--error"))}
                            data-kind={r.kind} data-outcome={r.outcome}
                            title={format!("{} at {}: {} · starts +{:.2} ms · {:.2} ms", r.label, r.service, r.outcome, r.start_ms, r.duration_ms)}>
                            <span class="span__label" style={format!("padding-left: {}px", r.depth * 12)}>
                                { r.label.clone() }<small>{ format!(" {}", r.service) }</small></span>
                            <span class="span__track">
                                <span class="span__bar" style={format!("left: {:.2}%; width: max({:.2}%, 2px)", r.left * 100.0, r.width * 100.0)}></span>
                            </span>
                            <span class="span__ms">{ if r.outcome == "ok" { format!("{:.1} ms", r.duration_ms) } else { format!("{:.1} ms {}", r.duration_ms, r.outcome) } }</span>
                        </li>
                    }) }
                </ol>
                </>
            },
        }
    };
    html! {
        <section id="trace" class="trace" aria-label="One request's trace">
            <header class="trace__head">
                <h2>{ "One request's trace" }</h2>
                <button id="export-traces" class="btn btn--small" onclick={export} disabled={!p.on}
                    title="Download every sampled trace as OpenTelemetry OTLP/JSON (Jaeger, Tempo, an OpenTelemetry Collector)">
                    { "Export traces (OTLP JSON)" }</button>
            </header>
            { body }
        </section>
    }
}

/// A click anywhere in the main view: a node, a call arrow or a chart asks
/// for a trace near it; anything else (buttons included) is left alone.
pub fn trace_click(dispatch: Callback<Action>, snapshot: Rc<Snapshot>) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if target.closest("button").ok().flatten().is_some() {
            return;
        }
        if let Some(p) = picked(&target, &e, &snapshot) {
            dispatch.emit(Action::PickTrace(p));
        }
    })
}

fn picked(target: &Element, e: &MouseEvent, snapshot: &Snapshot) -> Option<TracePick> {
    let closest = |sel: &str| target.closest(sel).ok().flatten();
    if let Some(node) = closest("li.node") {
        let all = web_sys::window()?.document()?.get_elements_by_class_name("node");
        let shown = (0..all.length()).find(|&i| all.item(i).is_some_and(|n| n == node))?;
        let (service, node) = node_of(&snapshot.services, shown)?;
        return Some(TracePick::Node { service, node });
    }
    if let Some(edge) = closest("g.edge") {
        let index = |name: Option<String>| snapshot.services.iter().position(|s| Some(&s.name) == name.as_ref());
        let to = index(edge.get_attribute("data-to"))?;
        return Some(TracePick::Edge { from: index(edge.get_attribute("data-from")), to });
    }
    let canvas = closest("canvas")?;
    let rect = canvas.get_bounding_client_rect();
    let fraction = (e.client_x() as f64 - rect.left()) / rect.width().max(1.0);
    let completed = canvas.get_attribute("data-seconds").and_then(|s| s.parse().ok()).unwrap_or(0);
    Some(TracePick::Moment(chart_moment(fraction, completed)))
}

/// Offers `text` as a file download named `name`.
fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}
