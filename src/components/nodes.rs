//! The system view: clients, the balancer and every node, each node with
//! its busy workers, its queue against capacity and its state as a colour
//! plus an icon and a word (never colour alone).

use crate::charts::LastSecond;
use crate::format::{number, si};
use sim_core::{Config, NodeSnapshot, NodeState, Snapshot};
use std::rc::Rc;
use yew::prelude::*;

/// How a node state is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLook {
    /// CSS modifier and `data-state` value.
    pub class: &'static str,
    /// Icon shown before the label.
    pub icon: &'static str,
    /// Label text.
    pub label: &'static str,
}

/// The look of each state. The stylesheet already has classes for the
/// states a later engine adds (`crashed`, `restarting`, `warming`,
/// `ejected`): each needs one arm here and nothing else.
pub fn node_look(state: NodeState) -> NodeLook {
    match state {
        NodeState::Idle => NodeLook { class: "idle", icon: "○", label: "idle" },
        NodeState::Busy => NodeLook { class: "busy", icon: "●", label: "busy" },
        NodeState::Saturated => NodeLook { class: "saturated", icon: "▲", label: "saturated" },
        NodeState::Shedding => NodeLook { class: "shedding", icon: "⊘", label: "shedding 503s" },
    }
}

/// View inputs.
#[derive(Properties, PartialEq)]
pub struct NodeViewProps {
    /// The system now.
    pub snapshot: Rc<Snapshot>,
    /// Knobs, for the balancer policy and capacity.
    pub config: Config,
    /// Counters of the last completed second.
    pub last: LastSecond,
}

fn density(n: usize) -> &'static str {
    match n {
        0..=4 => "nodes--large",
        5..=12 => "nodes--medium",
        _ => "nodes--dense",
    }
}

/// Clients → balancer → nodes.
#[component]
pub fn NodeView(p: &NodeViewProps) -> Html {
    let nodes = &p.snapshot.nodes;
    let n = &p.config.nodes;
    let capacity = nodes.len() as f64 * n.workers as f64 * 1000.0 / n.service_ms_mean;
    html! {
        <section class="system" aria-label="System">
            <div class="flow">
                <span class="flow__box" title="Logical requests arriving per second, and those not yet succeeded or given up">
                    <span class="flow__label">{ "clients" }</span>{ kpi("offered", p.last.offered) }{ "req/s" }
                    <span class="flow__sub">{ format!("· {} in flight", si(p.snapshot.in_flight as f64)) }</span>
                </span>
                <span class="flow__lb" title="The load balancer and its policy">
                    <span aria-hidden="true">{ "→ " }</span><b>{ p.config.balancer.policy.name() }</b><span aria-hidden="true">{ " →" }</span>
                </span>
                <span class="flow__box" title="Nodes × workers ÷ mean service time">
                    <span class="flow__label">{ if nodes.len() == 1 { "1 node".to_string() } else { format!("{} nodes", nodes.len()) } }</span>{ "capacity" }<b>{ si(capacity) }</b>{ "req/s" }
                </span>
                <span class="flow__arrow" aria-hidden="true">{ "⇒" }</span>
                <span class="flow__box flow__box--out" title="Per second, in the last completed simulated second">
                    { "goodput" }{ kpi("goodput", p.last.goodput) }
                    { "503s" }{ kpi("rejected", p.last.rejected) }
                    { "timeouts" }{ kpi("timed-out", p.last.timed_out) }{ "/s" }
                </span>
            </div>
            <ol id="nodes" class={classes!("nodes", density(nodes.len()))} aria-label="Nodes">
                { for nodes.iter().enumerate().map(|(i, node)| node_card(i, node)) }
            </ol>
        </section>
    }
}

/// One headline figure, with its raw value in `data-value` for scripts.
fn kpi(id: &str, value: u64) -> Html {
    html! {
        <b id={format!("kpi-{id}")} class={classes!("kpi", format!("kpi--{id}"))} data-value={value.to_string()}>{ si(value as f64) }</b>
    }
}

fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        if part > 0 {
            100.0
        } else {
            0.0
        }
    } else {
        (part as f64 / whole as f64 * 100.0).min(100.0)
    }
}

fn node_card(i: usize, s: &NodeSnapshot) -> Html {
    let look = node_look(s.state);
    let summary = format!(
        "node {}: {}, {} of {} workers busy, {} of {} queued, {} served and {} shed with a 503 since the start",
        i + 1,
        look.label,
        s.busy,
        s.workers,
        s.queued,
        s.queue_capacity,
        s.served,
        s.rejected
    );
    html! {
        <li class={classes!("node", format!("node--{}", look.class))} data-state={look.class}
            data-busy={s.busy.to_string()} data-workers={s.workers.to_string()}
            data-queued={s.queued.to_string()} data-capacity={s.queue_capacity.to_string()}
            data-served={s.served.to_string()} data-rejected={s.rejected.to_string()}
            aria-label={summary.clone()} title={summary}>
            <div class="node__head">
                <span class="node__name"><span class="node__unit">{ "node " }</span>{ i + 1 }</span>
                <span class="node__state"><span class="node__icon" aria-hidden="true">{ look.icon }</span><span class="node__label">{ look.label }</span></span>
            </div>
            <div class="meter meter--workers" aria-hidden="true">
                <div class="meter__fill" style={format!("width: {:.1}%", percent(s.busy, s.workers))}></div>
            </div>
            <div class="meter meter--queue" aria-hidden="true">
                <div class="meter__fill" style={format!("width: {:.1}%", percent(s.queued, s.queue_capacity))}></div>
            </div>
            <div class="node__nums">
                <span title="busy workers / pool size">{ format!("{}/{}", s.busy, s.workers) }<span class="node__unit">{ " busy" }</span></span>
                <span title="waiting / queue capacity"><span class="node__unit">{ "queue " }</span>{ format!("{}/{}", number(s.queued as f64), number(s.queue_capacity as f64)) }</span>
            </div>
        </li>
    }
}
