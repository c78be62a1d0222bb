//! The system of services as a diagram: one card per service (its nodes as
//! squares coloured by state and counted in words, up/total, queue fill and
//! goodput), the clients' arrow into the entry, call edges as arrows whose
//! thickness follows attempts per second, labelled with their rate and
//! retry and failure shares, and a few request dots travelling on each
//! edge, each fate a colour and a shape. The dots move by CSS animation
//! along the arrow's own path (wall-clock time, no work per frame); a
//! timed-out one fades part-way, where its caller gave up. Clicking a card
//! selects its service. The layout comes from [`crate::topology_view`], in
//! the width the diagram has: measured when it mounts and on resize, never
//! per frame.

use super::charts::{use_resized, ResizeListener};
use super::node_look;
use crate::defences::{breaker_badge, breaker_look, Defence, PROVISIONING};
use crate::format::si;
use crate::state::Action;
use crate::topology_view::{
    edge_words, layout, layout_dense, EdgeView, Fate, Pt, RateWindow, ServiceBox, Topology, LABEL_LINES,
    MAX_DOTS_PER_EDGE,
};
use sim_core::{BreakerState, Config, Snapshot};
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

/// Wall seconds a dot takes per 100 px of its arrow, within [`TRIP_MIN_S`]
/// and [`TRIP_MAX_S`]: about the same speed on every arrow.
const TRIP_S_PER_100PX: f64 = 0.8;
const TRIP_MIN_S: f64 = 1.0;
const TRIP_MAX_S: f64 = 3.0;
/// Where the dots' course stops short of an arrow's tip, px.
const DOT_STOP: f64 = 10.0;
/// Thickest arrow when the cards are stacked, px: half a lane.
const STACKED_THICK_MAX: f64 = 4.0;
/// Width assumed before the diagram is measured, px.
const UNMEASURED_W: f64 = 900.0;

/// View inputs.
#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    /// The system now.
    pub snapshot: Rc<Snapshot>,
    /// The selected service (index into the snapshot's services).
    pub selected: usize,
    /// The reducer, for selecting a service.
    pub dispatch: Callback<Action>,
    /// The configuration, for which client-side defences each edge has on.
    #[prop_or_default]
    pub config: Config,
    /// Pack the whole diagram into the box it is given (embed mode): layers
    /// top to bottom, small cards, no labels; the box's height is measured
    /// too, and what does not fit is counted and said.
    #[prop_or_default]
    pub dense: bool,
}

/// The diagram's width now, px: read once it mounts and on each resize.
#[hook]
fn use_width(node: NodeRef) -> f64 {
    let width = use_state(|| UNMEASURED_W);
    {
        let width = width.setter();
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(w) = node.cast::<Element>().map(|e| e.client_width()).filter(|w| *w > 0) {
                    width.set(w as f64);
                }
            };
            measure();
            let listener = ResizeListener::new(measure);
            move || drop(listener)
        });
    }
    *width
}

/// The size of the box `node` (the dense diagram's), px: read when it
/// mounts and whenever it changes size (a ResizeObserver), never per frame.
/// The box takes its size from the page around it, not from the diagram,
/// so drawing the diagram at that size does not change it again.
#[hook]
fn use_box(node: NodeRef) -> (f64, f64) {
    let size = use_state_eq(|| (UNMEASURED_W, UNMEASURED_H));
    let resized = use_resized(node.clone());
    {
        let size = size.setter();
        use_effect_with(resized, move |_| {
            if let Some(e) = node.cast::<Element>().filter(|e| e.client_width() > 0) {
                size.set((e.client_width() as f64, e.client_height() as f64));
            }
        });
    }
    *size
}

/// Height assumed before the dense diagram's box is measured, px.
const UNMEASURED_H: f64 = 300.0;

/// The diagram of a system of services.
#[component]
pub fn TopologyView(p: &TopologyProps) -> Html {
    let node = use_node_ref();
    let fit = use_node_ref();
    let avail = use_width(node.clone());
    // Only the dense diagram is fitted to its box's height; elsewhere the
    // box follows the diagram, and watching it would only cost renders.
    let unwatched = use_node_ref();
    let (box_w, box_h) = use_box(if p.dense { fit.clone() } else { unwatched });
    let window = use_mut_ref(RateWindow::default);
    let topo = {
        let mut w = window.borrow_mut();
        w.push(&p.snapshot);
        let base = w.base(&p.snapshot);
        if p.dense { layout_dense(&p.snapshot, base, box_w, box_h) } else { layout(&p.snapshot, base, avail) }
            .with_defences(&p.config)
    };
    let order: Vec<usize> = topo.layers.iter().flatten().copied().collect();
    let shape = if topo.dense {
        "dense"
    } else if topo.stacked {
        "stacked"
    } else {
        "layers"
    };
    html! {
        <div ref={node} class={classes!("topo", topo.stacked.then_some("topo--stacked"), topo.dense.then_some("topo--dense"))} id="topology"
            data-services={topo.services.len().to_string()} data-layout={shape} data-hidden={topo.hidden.to_string()}>
            { if topo.dense { dense_legend(&topo) } else { legend(&topo) } }
            <div ref={fit} class="topo__fit">
            <div class="topo__canvas" style={format!("width: {:.0}px; height: {:.0}px", topo.width, topo.height)}>
                <svg class="topo__edges" width={format!("{:.0}", topo.width)} height={format!("{:.0}", topo.height)}
                    viewBox={format!("0 0 {:.0} {:.0}", topo.width, topo.height)} aria-hidden="true">
                    { clients(&topo) }
                    { for topo.edges.iter().map(|e| edge(e, &topo)) }
                </svg>
                <ol class="topo__cards" aria-label="Services">
                    { for order.iter().map(|&i| card(&topo.services[i], &topo, p)) }
                </ol>
            </div>
            </div>
            if topo.hidden > 0 {
                <p class="topo__more" id="topology-more" role="note">
                    { format!("+{} more service{} below: scroll, or Open in Brink ↗", topo.hidden, if topo.hidden == 1 { "" } else { "s" }) }
                </p>
            }
        </div>
    }
}

/// The dense diagram's legend, on one line: what a dot stands for and a
/// shape and a word per fate.
fn dense_legend(topo: &Topology) -> Html {
    html! {
        <p class="topo__legend topo__legend--dense" id="topology-legend" data-dot-every={topo.dot_every.to_string()}>
            { format!("dot ≈ {}/s:", si(topo.dot_every as f64)) }
            { for Fate::ALL.iter().map(|f| html! {
                <span class="topo__key" data-fate={f.class()} title={f.word()}>
                    <svg class="topo__swatch" width="10" height="10" viewBox="-6 -6 12 12" aria-hidden="true">
                        <path class={classes!("req__shape", format!("req--{}", f.class()))} d={f.shape()} />
                    </svg>{ f.short() }
                </span>
            }) }
        </p>
    }
}

/// What a dot stands for and what each shape and colour means, in words.
fn legend(topo: &Topology) -> Html {
    html! {
        <p class="topo__legend" id="topology-legend" data-dot-every={topo.dot_every.to_string()}>
            { format!("one dot ≈ {} attempts/s:", si(topo.dot_every as f64)) }
            { for Fate::ALL.iter().map(|f| html! {
                <span class="topo__key" data-fate={f.class()}>
                    <svg class="topo__swatch" width="12" height="12" viewBox="-6 -6 12 12" aria-hidden="true">
                        <path class={classes!("req__shape", format!("req--{}", f.class()))} d={f.shape()} />
                    </svg>{ f.word() }
                </span>
            }) }
        </p>
    }
}

/// An SVG path through `points`.
fn path_data(points: &[Pt]) -> String {
    let mut d = String::new();
    for (k, (x, y)) in points.iter().enumerate() {
        d.push_str(&format!("{}{x:.1},{y:.1}", if k == 0 { "M" } else { " L" }));
    }
    d
}

/// The line through `points`, stopped where an arrowhead of `head` px
/// starts, and the arrowhead's triangle.
fn arrow(points: &[Pt], head: f64) -> (Vec<Pt>, String) {
    let mut line = points.to_vec();
    let n = line.len();
    let ((x0, y0), (x1, y1)) = (line[n - 2], line[n - 1]);
    let (dx, dy) = (x1 - x0, y1 - y0);
    let len = dx.hypot(dy).max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (lx, ly) = (x1 - ux * head, y1 - uy * head);
    let (px, py) = (-uy * head * 0.6, ux * head * 0.6);
    line[n - 1] = (lx, ly);
    (line, format!("{x1:.1},{y1:.1} {:.1},{:.1} {:.1},{:.1}", lx + px, ly + py, lx - px, ly - py))
}

/// Length of the path through `points`, px.
fn length(points: &[Pt]) -> f64 {
    points.windows(2).map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1)).sum()
}

/// Badge lines an edge or the clients' arrow has room for: the breaker,
/// then one per other defence.
const BADGE_SLOTS: usize = Defence::ALL.len();

/// The badges of a call's defences: the breaker's state first when it has
/// one (a shape and a word), then the other defences on, one slot each and
/// the unused slots empty, so that a frame only changes their text.
fn badge_lines(defences: &[Defence], breaker: BreakerState, short: bool) -> Vec<String> {
    let mut lines = Vec::new();
    if defences.contains(&Defence::Breaker) {
        let look = breaker_look(breaker);
        lines.push(if short { format!("{} {}", look.icon, look.word) } else { breaker_badge(breaker) });
    }
    lines.extend(defences.iter().filter(|d| **d != Defence::Breaker).map(|d| d.badge().to_string()));
    lines
}

/// What the badges say, for a tooltip.
fn badge_title(defences: &[Defence]) -> String {
    if defences.is_empty() {
        return String::new();
    }
    let words: Vec<&str> = defences.iter().map(|d| d.word()).collect();
    format!("client-side defences on: {}", words.join(", "))
}

/// The `data-breaker` value: its state, or none without a breaker.
fn breaker_data(defences: &[Defence], breaker: BreakerState) -> &'static str {
    if defences.contains(&Defence::Breaker) {
        breaker_look(breaker).class
    } else {
        "none"
    }
}

/// The clients' arrow into the entry service, with the entry client's
/// defences and breaker below it.
fn clients(topo: &Topology) -> Html {
    let (line, tip) = arrow(&topo.clients, 7.0);
    let (x, y) = topo.clients_label;
    // Stacked, the badges follow the label on its line; side by side they
    // go below the arrow, one a line.
    let (bx, by, dy) = if topo.stacked || topo.dense { (x + 44.0, y, "0") } else { (x, y + 20.0, "11") };
    html! {
        <g class="edge edge--clients" data-from="clients" data-to={topo.services[0].name.clone()}
            data-breaker={breaker_data(&topo.client_defences, topo.client_breaker)}
            data-defences={topo.client_defences.iter().map(|d| d.badge()).collect::<Vec<_>>().join(" ")}>
            <title>{ badge_title(&topo.client_defences) }</title>
            <path class="edge__line" d={path_data(&line)} stroke-width="2" fill="none" />
            <polygon class="edge__head" points={tip} />
            <text class="edge__label edge__label--start" x={format!("{x:.1}")} y={format!("{y:.1}")}>{ "clients" }</text>
            { badges_text(&topo.client_defences, topo.client_breaker, (bx, by), dy, true) }
        </g>
    }
}

/// A fixed number of badge slots at `(x, y)`, each `dy` below the last (0:
/// on one line).
fn badges_text(defences: &[Defence], breaker: BreakerState, at: Pt, dy: &'static str, start: bool) -> Html {
    let (x, y) = at;
    let inline = dy == "0";
    let has_breaker = defences.contains(&Defence::Breaker);
    let lines = badge_lines(defences, breaker, start);
    html! {
        <text class={classes!("edge__badges", start.then_some("edge__badges--start"), format!("edge__badges--{}", breaker_look(breaker).class))}
            x={format!("{x:.1}")} y={format!("{y:.1}")}>
            { for (0..BADGE_SLOTS).map(|k| {
                let text = lines.get(k).map(|l| if inline && k > 0 { format!(" · {l}") } else { l.clone() }).unwrap_or_default();
                html! {
                    <tspan class={classes!("edge__badge", (k == 0 && has_breaker).then_some("edge__badge--breaker"))}
                        x={(!inline).then(|| format!("{x:.1}"))} dy={if k == 0 { "0" } else { dy }}>{ text }</tspan>
                }
            }) }
        </text>
    }
}

/// One arrow with its label and dots.
fn edge(e: &EdgeView, topo: &Topology) -> Html {
    // Lanes beside stacked cards are close together: thin arrows keep them apart.
    let thickness = if topo.stacked || topo.dense { e.thickness.min(STACKED_THICK_MAX) } else { e.thickness };
    let (line, tip) = arrow(&e.path, 6.0 + thickness);
    // The dots' course ends a fixed way short of the tip, so that it (and
    // their style) stays put while the thickness follows the rate.
    let (course, _) = arrow(&e.path, DOT_STOP);
    let dots_d = path_data(&course);
    let trip = (length(&course) / 100.0 * TRIP_S_PER_100PX).clamp(TRIP_MIN_S, TRIP_MAX_S);
    let words = edge_words(e);
    let from = &topo.services[e.from].name;
    let to = &topo.services[e.to].name;
    html! {
        <g class={classes!("edge", e.partitioned.then_some("edge--partitioned"))} data-from={from.clone()} data-to={to.clone()}
            data-rate={format!("{:.1}", e.attempts_per_s)} data-retry-share={format!("{:.3}", e.retry_share)}
            data-breaker={breaker_data(&e.defences, e.breaker)} data-defences={e.defences.iter().map(|d| d.badge()).collect::<Vec<_>>().join(" ")}
            data-refused={format!("{:.1}", e.refused_per_s)} data-suppressed={format!("{:.1}", e.suppressed_per_s)}>
            <title>{ badge_title(&e.defences) }</title>
            <path class="edge__line" d={path_data(&line)} stroke-width={format!("{thickness:.1}")} fill="none" />
            <polygon class="edge__head" points={tip} />
            // A fixed number of dot and label-line slots, filled or left
            // empty, so that a frame changes attributes and text in place and
            // never rebuilds the arrow's elements.
            <g class="edge__dots">
                { for (0..MAX_DOTS_PER_EDGE as usize).map(|k| {
                    let dot = e.dots.get(k);
                    let phase = dot.map_or(0.0, |d| d.phase);
                    let class = dot.map_or("req--off".to_string(), |d| format!("req--{}", d.fate.class()));
                    html! {
                        <path class={classes!("req", class)} d={dot.map_or(Fate::Ok, |d| d.fate).shape()}
                            style={format!("offset-path: path('{dots_d}'); animation-duration: {trip:.2}s; animation-delay: -{:.2}s", phase * trip)} />
                    }
                }) }
            </g>
            if let Some((mx, my)) = e.label_at {
                <text class="edge__label" x={format!("{mx:.1}")} y={format!("{:.1}", my - 11.0 * (words.len() - 1) as f64)}>
                    { for (0..LABEL_LINES).map(|k| html! {
                        <tspan x={format!("{mx:.1}")} dy={if k == 0 { "0" } else { "11" }}>{ words.get(k).cloned().unwrap_or_default() }</tspan>
                    }) }
                </text>
                // Below the arrow (the label is above it), clear of its thickest stroke.
                { badges_text(&e.defences, e.breaker, (mx, my + 22.0), "11", false) }
            }
        </g>
    }
}

/// One service card, a button that selects the service.
fn card(s: &ServiceBox, topo: &Topology, p: &TopologyProps) -> Html {
    let i = s.index;
    let selected = i == p.selected;
    let counts = s.state_counts();
    let states: Vec<String> = counts.iter().map(|(st, n)| format!("{n} {}", node_look(*st).label)).collect();
    let serving = s.total - s.pending;
    let mut summary = format!(
        "{}: {} of {} nodes up ({}), queues {:.0}% full, {} successes per second",
        s.name,
        s.up,
        serving,
        states.join(", "),
        s.queue_fill * 100.0,
        si(s.goodput_per_s)
    );
    if s.pending > 0 {
        summary.push_str(&format!(", {} more provisioning (autoscaler)", s.pending));
    }
    if let Some(l) = s.limit {
        summary.push_str(&format!(", adaptive concurrency limit {l:.0} per node"));
    }
    let on_click = p.dispatch.reform(move |_: MouseEvent| Action::SelectService(i));
    let style = format!("left: {:.0}px; top: {:.0}px; width: {:.0}px; height: {:.0}px", s.x, s.y, s.w, s.h);
    let compact = s.w < crate::topology_view::CARD_W && !topo.dense;
    html! {
            <li class="topo__slot" style={style}>
                <button type="button" class={classes!("svc", selected.then_some("svc--selected"), compact.then_some("svc--compact"), topo.dense.then_some("svc--dense"))} data-service={s.name.clone()}
                    data-up={s.up.to_string()} data-nodes={serving.to_string()} data-pending={s.pending.to_string()}
                    data-limit={s.limit.map(|l| format!("{l:.0}")).unwrap_or_default()} aria-pressed={selected.to_string()}
                    aria-label={summary.clone()} title={summary} onclick={on_click}>
                    <span class="svc__head"><span class="svc__name">{ s.name.clone() }</span>
    </span>
                    <span class="svc__squares" aria-hidden="true">
                        { for s.states.iter().enumerate().map(|(k, st)| {
                            let look = node_look(*st);
                            html! { <span class={classes!("sq", format!("sq--{}", look.class))} data-state={look.class}
                                style={format!("width: {0}px; height: {0}px", s.square)} title={format!("node {}: {}", k + 1, look.label)}></span> }
                        }) }
                        { for (s.states.len()..s.total as usize).map(|k| {
                            let (class, _, label) = PROVISIONING;
                            html! { <span class={classes!("sq", format!("sq--{class}"))} data-state={class}
                                style={format!("width: {0}px; height: {0}px", s.square)} title={format!("node {}: {label}", k + 1)}></span> }
                        }) }
                    </span>
                    <span class="svc__line svc__q">{ format!("q\u{a0}{:.0}% · {}\u{a0}ok/s", s.queue_fill * 100.0, si(s.goodput_per_s)) }
                        if let Some(l) = s.limit {
                            <span class="svc__limit" title="Adaptive concurrency limit per node (mean of the serving nodes)">{ format!(" · lim\u{a0}{l:.0}") }</span>
                        }
                    </span>
                    <span class="svc__line svc__states">
                        { for counts.iter().map(|(st, n)| {
                            let look = node_look(*st);
                            html! { <span class={classes!("svc__count", format!("svc__count--{}", look.class))} title={look.label}>
                                <span aria-hidden="true">{ look.icon }</span>{ n }</span> }
                        }) }
                        <span class="svc__up">{ format!("{}/{} up", s.up, serving) }</span>
                        if s.pending > 0 {
                            <span class="svc__pending" title={PROVISIONING.2}><span aria-hidden="true">{ PROVISIONING.1 }</span>{ format!("+{}", s.pending) }</span>
                        }
                    </span>
                    <span class="svc__calls">
                        { for topo.edges.iter().filter(|e| e.from == i).map(|e| html! {
                            <span class="svc__call">{ format!("→ {} · {}", topo.services[e.to].name, edge_words(e).join(" · ")) }
                                if topo.stacked && !e.defences.is_empty() {
                                    <span class="svc__badges">{ format!(" · {}", badge_lines(&e.defences, e.breaker, false).join(" · ")) }</span>
                                }
                            </span>
                        }) }
                    </span>
                </button>
            </li>
        }
}
