//! The system of services as a diagram: one card per service (its nodes as
//! squares coloured by state and counted in words, up/total, queue fill and
//! goodput), call edges as arrows whose thickness follows attempts per
//! second, labelled with their rate and retry and failure shares, and a few
//! request dots travelling on each edge, coloured by fate. The dots move by
//! CSS animation (wall-clock time, no work per frame). Clicking a card
//! selects its service. The layout comes from [`crate::topology_view`].

use super::node_look;
use crate::format::si;
use crate::state::Action;
use crate::topology_view::{layout, EdgeView, RateWindow, ServiceBox, Topology, CARD_W};
use sim_core::Snapshot;
use std::rc::Rc;
use yew::prelude::*;

/// Seconds a dot takes to cross an edge (wall time).
const TRIP_S: f64 = 1.6;

/// View inputs.
#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    /// The system now.
    pub snapshot: Rc<Snapshot>,
    /// The selected service (index into the snapshot's services).
    pub selected: usize,
    /// The reducer, for selecting a service.
    pub dispatch: Callback<Action>,
}

/// The diagram of a system of services.
#[component]
pub fn TopologyView(p: &TopologyProps) -> Html {
    let window = use_mut_ref(RateWindow::default);
    let topo = {
        let mut w = window.borrow_mut();
        w.push(&p.snapshot);
        layout(&p.snapshot, w.base(&p.snapshot))
    };
    let order: Vec<usize> = topo.layers.iter().flatten().copied().collect();
    html! {
        <div class="topo" id="topology" data-services={topo.services.len().to_string()}>
            { legend(&topo) }
            <div class="topo__canvas" style={format!("width: {:.0}px; height: {:.0}px", topo.width, topo.height)}>
                <svg class="topo__edges" width={format!("{:.0}", topo.width)} height={format!("{:.0}", topo.height)}
                    viewBox={format!("0 0 {:.0} {:.0}", topo.width, topo.height)} aria-hidden="true">
                    { for topo.edges.iter().map(|e| edge(e, &topo)) }
                </svg>
                <ol class="topo__cards" aria-label="Services">
                    { for order.iter().map(|&i| card(&topo.services[i], &topo, p)) }
                </ol>
            </div>
        </div>
    }
}

/// What a dot stands for and what its colours mean, in words.
fn legend(topo: &Topology) -> Html {
    let fates = [("ok", "success"), ("failed", "503 / error"), ("timed-out", "timed out"), ("retry", "retry")];
    html! {
        <p class="topo__legend" id="topology-legend" data-dot-every={topo.dot_every.to_string()}>
            { format!("one dot ≈ {} attempts/s:", si(topo.dot_every as f64)) }
            { for fates.iter().map(|(class, word)| html! {
                <span class="topo__key"><span class={classes!("topo__swatch", format!("dot--{class}"))} aria-hidden="true"></span>{ *word }</span>
            }) }
        </p>
    }
}

/// The words on an edge: its rate, then its retry, failure and timeout
/// shares when they are not negligible.
pub fn edge_words(e: &EdgeView) -> Vec<String> {
    let mut words = vec![format!("{}/s", si(e.attempts_per_s))];
    if e.partitioned {
        words.push("⊘ partitioned".to_string());
    }
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    if e.retry_share >= 0.005 {
        words.push(format!("↻ {} retries", pct(e.retry_share)));
    }
    if e.failure_share >= 0.005 {
        words.push(format!("✕ {} failed", pct(e.failure_share)));
    }
    if e.timeout_share >= 0.005 {
        words.push(format!("⏱ {} timed out", pct(e.timeout_share)));
    }
    words
}

/// One arrow with its label and dots.
fn edge(e: &EdgeView, topo: &Topology) -> Html {
    let (dx, dy) = (e.x1 - e.x0, e.y1 - e.y0);
    let len = dx.hypot(dy).max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let head = 6.0 + e.thickness;
    // The line stops where the arrowhead starts.
    let (lx, ly) = (e.x1 - ux * head, e.y1 - uy * head);
    let (px, py) = (-uy * head * 0.6, ux * head * 0.6);
    let tip = format!("{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", e.x1, e.y1, lx + px, ly + py, lx - px, ly - py);
    let (mx, my) = ((e.x0 + e.x1) / 2.0, (e.y0 + e.y1) / 2.0);
    let words = edge_words(e);
    let from = &topo.services[e.from].name;
    let to = &topo.services[e.to].name;
    html! {
        <g class={classes!("edge", e.partitioned.then_some("edge--partitioned"))} data-from={from.clone()} data-to={to.clone()}
            data-rate={format!("{:.1}", e.attempts_per_s)} data-retry-share={format!("{:.3}", e.retry_share)}>
            <line class="edge__line" x1={format!("{:.1}", e.x0)} y1={format!("{:.1}", e.y0)} x2={format!("{lx:.1}")} y2={format!("{ly:.1}")}
                stroke-width={format!("{:.1}", e.thickness)} />
            <polygon class="edge__head" points={tip} />
            { for e.dots.iter().map(|d| html! {
                <circle class={classes!("dot", format!("dot--{}", d.fate.class()))} r="3.5"
                    style={format!("--x0: {:.1}px; --y0: {:.1}px; --x1: {lx:.1}px; --y1: {ly:.1}px; animation-duration: {TRIP_S}s; animation-delay: -{:.2}s",
                        e.x0, e.y0, d.phase * TRIP_S)} />
            }) }
            <text class="edge__label" x={format!("{mx:.1}")} y={format!("{:.1}", my - 6.0 - e.thickness / 2.0 - 11.0 * (words.len() - 1) as f64)}>
                { for words.iter().enumerate().map(|(k, w)| html! {
                    <tspan x={format!("{mx:.1}")} dy={if k == 0 { "0" } else { "11" }}>{ w.clone() }</tspan>
                }) }
            </text>
        </g>
    }
}

/// One service card, a button that selects the service.
fn card(s: &ServiceBox, topo: &Topology, p: &TopologyProps) -> Html {
    let i = s.index;
    let selected = i == p.selected;
    let counts = s.state_counts();
    let states: Vec<String> = counts.iter().map(|(st, n)| format!("{n} {}", node_look(*st).label)).collect();
    let summary = format!(
        "{}: {} of {} nodes up ({}), queues {:.0}% full, {} successes per second",
        s.name,
        s.up,
        s.total,
        states.join(", "),
        s.queue_fill * 100.0,
        si(s.goodput_per_s)
    );
    let on_click = p.dispatch.reform(move |_: MouseEvent| Action::SelectService(i));
    let style = format!("left: {:.0}px; top: {:.0}px; width: {CARD_W:.0}px; height: {:.0}px", s.x, s.y, s.h);
    html! {
        <li class="topo__slot" style={style}>
            <button type="button" class={classes!("svc", selected.then_some("svc--selected"))} data-service={s.name.clone()}
                data-up={s.up.to_string()} data-nodes={s.total.to_string()} aria-pressed={selected.to_string()}
                aria-label={summary.clone()} title={summary} onclick={on_click}>
                <span class="svc__head"><span class="svc__name">{ s.name.clone() }</span>
                    <span class="svc__up">{ format!("{}/{} up", s.up, s.total) }</span></span>
                <span class="svc__squares" aria-hidden="true">
                    { for s.states.iter().enumerate().map(|(k, st)| {
                        let look = node_look(*st);
                        html! { <span class={classes!("sq", format!("sq--{}", look.class))} data-state={look.class}
                            style={format!("width: {0}px; height: {0}px", s.square)} title={format!("node {}: {}", k + 1, look.label)}></span> }
                    }) }
                </span>
                <span class="svc__line">{ format!("q {:.0}% · {} ok/s", s.queue_fill * 100.0, si(s.goodput_per_s)) }</span>
                <span class="svc__line svc__states">
                    { for counts.iter().map(|(st, n)| {
                        let look = node_look(*st);
                        html! { <span class={classes!("svc__count", format!("svc__count--{}", look.class))} title={look.label}>
                            <span aria-hidden="true">{ look.icon }</span>{ n }</span> }
                    }) }
                </span>
                <span class="svc__calls">
                    { for topo.edges.iter().filter(|e| e.from == i).map(|e| html! {
                        <span class="svc__call">{ format!("→ {} · {}", topo.services[e.to].name, edge_words(e).join(" · ")) }</span>
                    }) }
                </span>
            </button>
        </li>
    }
}
