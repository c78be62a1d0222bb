//! The system view: clients, the balancer and every node, each node with
//! its busy workers, its queue against capacity and its state as a colour
//! plus an icon and a word (never colour alone). A node that is down or
//! warming up shows how far through its restart or warm-up it is, and every
//! node has a button that kills it. With the CPU model a node shows where its
//! cores went; with the database its pool; and a status line sums up the
//! database and the cached hot key.

use super::TopologyView;
use crate::defences::{breaker_look, defences, is_provisioning, Defence, PROVISIONING};
use crate::charts::LastSecond;
use crate::format::{number, si};
use crate::state::Action;
use sim_core::{Config, NodeLife, NodeSnapshot, NodeState, Snapshot};
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

/// The look of each state.
pub fn node_look(state: NodeState) -> NodeLook {
    match state {
        NodeState::Idle => NodeLook { class: "idle", icon: "○", label: "idle" },
        NodeState::Busy => NodeLook { class: "busy", icon: "●", label: "busy" },
        NodeState::Saturated => NodeLook { class: "saturated", icon: "▲", label: "saturated" },
        NodeState::Shedding => NodeLook { class: "shedding", icon: "⊘", label: "shedding 503s" },
        NodeState::Crashed => NodeLook { class: "crashed", icon: "✕", label: "crashed · restarting" },
        NodeState::Warming => NodeLook { class: "warming", icon: "◔", label: "warming up" },
        NodeState::Ejected => NodeLook { class: "ejected", icon: "⊖", label: "ejected" },
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
    /// True once the run has ended, when there is nothing left to kill.
    pub finished: bool,
    /// The reducer, for the crash buttons and selecting a service.
    pub dispatch: Callback<Action>,
    /// The selected service, in a system of several.
    #[prop_or_default]
    pub selected: usize,
    /// Draw the nodes as small cards whatever their number (embed mode,
    /// where the diagram shares 600×400 with the chart and the knobs).
    #[prop_or_default]
    pub dense: bool,
}

fn density(n: usize) -> &'static str {
    match n {
        0..=4 => "nodes--large",
        5..=12 => "nodes--medium",
        _ => "nodes--dense",
    }
}

/// Clients → balancer → nodes; for a system of several services, clients →
/// the diagram of services.
#[component]
pub fn NodeView(p: &NodeViewProps) -> Html {
    if p.snapshot.services.len() > 1 {
        return system_of_services(p);
    }
    let nodes = &p.snapshot.nodes;
    let n = &p.config.nodes;
    // Slow nodes count at their own speed; nodes that are down or warming
    // are counted at full speed, since capacity here is what the fleet has.
    // With shared cores a node serves at most as many attempts at once as it
    // has cores, however many workers it runs.
    let parallel = |workers: u32| if p.config.cpu.enabled { workers.min(p.config.cpu.cores) } else { workers };
    // Nodes the autoscaler is still provisioning are the last ones shown;
    // they add no capacity until they serve.
    let entry = p.snapshot.services.first();
    let pending = entry.map_or(0, |e| e.pending_nodes) as usize;
    let serving = nodes.len().saturating_sub(pending);
    let capacity = nodes[..serving].iter().map(|s| parallel(s.workers) as f64 * s.speed as f64).sum::<f64>() * 1000.0
        / n.service_ms_mean;
    html! {
        <section class="system" aria-label="System">
            <div class="flow">
                { clients_box(p) }
                { client_defences(p) }
                <span class="flow__lb" title="The load balancer and its policy">
                    <span aria-hidden="true">{ "→ " }</span><b>{ p.config.balancer.policy.name() }</b><span aria-hidden="true">{ " →" }</span>
                </span>
                <span class="flow__box" title="Nodes × workers (at most the cores, when they are shared) ÷ mean service time, slow nodes at their own speed">
                    <span class="flow__label">{ if serving == 1 { "1 node".to_string() } else { format!("{serving} nodes") } }</span>{ "capacity" }<b>{ si(capacity) }</b>{ "req/s" }
                    if pending > 0 {
                        <span class="flow__sub flow__pending" id="pending-nodes" data-pending={pending.to_string()} title={PROVISIONING.2}>
                            { format!("· {} +{pending} provisioning", PROVISIONING.1) }
                        </span>
                    }
                    if let Some(l) = entry.and_then(|e| e.concurrency_limit) {
                        <span class="flow__sub" id="concurrency-limit" data-limit={format!("{l:.0}")}
                            title="The adaptive concurrency limit each node learns, mean of the serving nodes: attempts beyond it get a 503">
                            { format!("· limit {l:.0}/node") }
                        </span>
                    }
                </span>
                <span class="flow__arrow" aria-hidden="true">{ "⇒" }</span>
                { outcome_box(p) }
            </div>
            if p.snapshot.routing_panic {
                <p id="routing-panic" class="panic" role="status">
                    <span aria-hidden="true">{ "⚠ " }</span>{ "balancer in panic mode: routing to all nodes" }
                </p>
            }
            if p.config.db.enabled || p.config.cache.enabled {
                { dependencies(p) }
            }
            <ol id="nodes" class={classes!("nodes", if p.dense { "nodes--dense" } else { density(nodes.len()) })} aria-label="Nodes">
                { for nodes.iter().enumerate().map(|(i, node)| node_card(i, node, p)) }
            </ol>
        </section>
    }
}

/// The clients, what they got, and the diagram of the services.
fn system_of_services(p: &NodeViewProps) -> Html {
    html! {
        <section class="system system--services" aria-label="System">
            <div class="flow">
                { clients_box(p) }
                <span class="flow__arrow" aria-hidden="true">{ "⇒" }</span>
                { outcome_box(p) }
            </div>
            <TopologyView snapshot={p.snapshot.clone()} selected={p.selected} dispatch={p.dispatch.clone()} config={p.config.clone()} />
        </section>
    }
}

/// The entry client's defences on its arrow: a badge each, the breaker's
/// state as a shape and a word; nothing when none is on.
fn client_defences(p: &NodeViewProps) -> Html {
    let on = defences(&p.config.client);
    if on.is_empty() {
        return html! {};
    }
    let breaker = p.snapshot.client_breaker;
    let look = breaker_look(breaker);
    let words: Vec<&str> = on.iter().map(|d| d.word()).collect();
    html! {
        <span class="flow__defences" id="client-defences" data-defences={on.iter().map(|d| d.badge()).collect::<Vec<_>>().join(" ")}
            data-breaker={if on.contains(&Defence::Breaker) { look.class } else { "none" }}
            title={format!("The clients' defences: {}", words.join(", "))}>
            { for on.iter().map(|d| if *d == Defence::Breaker {
                html! { <span class={classes!("dbadge", "dbadge--breaker", format!("dbadge--{}", look.class))}>
                    <span aria-hidden="true">{ look.icon }</span>{ format!(" breaker {}", look.word) }</span> }
            } else {
                html! { <span class="dbadge">{ d.badge() }</span> }
            }) }
        </span>
    }
}

/// The clients: requests arriving per second and those in flight.
fn clients_box(p: &NodeViewProps) -> Html {
    html! {
        <span class="flow__box" title="Logical requests arriving per second, and those not yet succeeded or given up">
            <span class="flow__label">{ "clients" }</span>{ kpi("offered", p.last.offered) }{ "req/s" }
            <span class="flow__sub">{ format!("· {} in flight", si(p.snapshot.in_flight as f64)) }</span>
        </span>
    }
}

/// What the clients got in the last whole second.
fn outcome_box(p: &NodeViewProps) -> Html {
    html! {
        <span class="flow__box flow__box--out" title="Per second, in the last completed simulated second">
            { "goodput" }{ kpi("goodput", p.last.goodput) }
            { "503s" }{ kpi("rejected", p.last.rejected) }
            { "timeouts" }{ kpi("timed-out", p.last.timed_out) }{ "/s" }
        </span>
    }
}

/// The shared database and the hot key, in one line.
fn dependencies(p: &NodeViewProps) -> Html {
    let snap = &p.snapshot;
    let key = match (snap.cache_fresh, snap.cache_recomputing) {
        (true, 0) => "fresh".to_string(),
        (true, n) => format!("fresh, refreshing ×{n}"),
        (false, 0) => "expired".to_string(),
        (false, n) => format!("expired, recomputing ×{n}"),
    };
    let hits = p.last.hit_rate().map_or("–".to_string(), |r| format!("{:.0}%", r * 100.0));
    html! {
        <p id="deps" class="deps" role="status">
            if p.config.db.enabled {
                <span id="deps-db" class="deps__item" data-queries={snap.db_queries.to_string()}
                    title="Queries running at the shared database now, and attempts per second that failed waiting for a connection">
                    <b>{ "database:" }</b>{ format!(" {} queries running", number(snap.db_queries as f64)) }
                    <span class={classes!("deps__bad", (p.last.db_timeouts == 0).then_some("deps__bad--none"))}>
                        { format!(" · pool timeouts {}/s", si(p.last.db_timeouts as f64)) }
                    </span>
                </span>
            }
            if p.config.cache.enabled {
                <span id="deps-cache" class="deps__item" data-fresh={snap.cache_fresh.to_string()}
                    data-recomputing={snap.cache_recomputing.to_string()}
                    title="The hot key now, and its reads and recomputations in the last completed second">
                    <b>{ "hot key:" }</b>{ format!(" {key}") }
                    { format!(" · last second: hit rate {hits}, {} recomputations", si(p.last.regenerations as f64)) }
                </span>
            }
        </p>
    }
}

/// Where a node's CPU went in the last second, as a thin stacked bar over
/// its cores, with the share lost to switching in words.
fn cpu_split(s: &NodeSnapshot, cores: u32) -> Html {
    let cores = cores.max(1) as f64;
    let share = |v: f32| (v as f64 / cores * 100.0).clamp(0.0, 100.0);
    let (useful, wasted, switching) = (share(s.cpu.useful), share(s.cpu.wasted), share(s.cpu.switching));
    let words = format!(
        "CPU in the last second: {} useful, {} wasted and {} switching of {} cores",
        number(s.cpu.useful as f64),
        number(s.cpu.wasted as f64),
        number(s.cpu.switching as f64),
        number(cores)
    );
    html! {
        <div class="cpu" title={words.clone()} data-useful={format!("{:.2}", s.cpu.useful)}
            data-wasted={format!("{:.2}", s.cpu.wasted)} data-switching={format!("{:.2}", s.cpu.switching)}>
            <div class="cpubar" role="img" aria-label={words}>
                <span class="cpubar__useful" style={format!("width: {useful:.1}%")}></span>
                <span class="cpubar__wasted" style={format!("width: {wasted:.1}%")}></span>
                <span class="cpubar__switching" style={format!("width: {switching:.1}%")}></span>
            </div>
            <span class="cpu__text">
                <span class="node__unit">{ "cpu " }</span>{ format!("{useful:.0}% useful · {switching:.0}% switching") }
            </span>
        </div>
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

/// What a node is part-way through, as a word and a share done.
fn life_progress(s: &NodeSnapshot) -> Option<(&'static str, f32)> {
    let done = s.progress?.clamp(0.0, 1.0);
    match s.life {
        NodeLife::Crashed => Some(("restart", done)),
        NodeLife::Warming => Some(("warm-up", done)),
        NodeLife::Up => None,
    }
}

/// The service-time multiplier of a slow node, e.g. 2 for a node at half speed.
fn slowdown(s: &NodeSnapshot) -> Option<f64> {
    (s.speed > 0.0 && s.speed < 0.999).then(|| 1.0 / s.speed as f64)
}

fn node_card(i: usize, s: &NodeSnapshot, p: &NodeViewProps) -> Html {
    let pending = p.snapshot.services.first().map_or(0, |sv| sv.pending_nodes);
    let provisioning = is_provisioning(i, p.snapshot.nodes.len(), pending);
    let look = if provisioning {
        let (class, icon, label) = PROVISIONING;
        NodeLook { class, icon, label }
    } else {
        node_look(s.state)
    };
    let life = if provisioning { None } else { life_progress(s) };
    let slow = slowdown(s);
    let mut summary = format!(
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
    if let Some((what, done)) = life {
        summary.push_str(&format!(", {what} {:.0}% done", done * 100.0));
    }
    if s.ejected && s.state != NodeState::Ejected {
        summary.push_str(", ejected by the balancer");
    }
    if let Some(f) = slow {
        summary.push_str(&format!(", slow: {}× the service time", number(f)));
    }
    if s.crashes > 0 {
        summary.push_str(&format!(", crashed {} times", s.crashes));
    }
    if p.config.db.enabled {
        summary.push_str(&format!(
            ", {} of {} database connections in use and {} waiting",
            s.pool_in_use, p.config.db.pool_size, s.pool_waiting
        ));
    }
    let down = s.life == NodeLife::Crashed;
    let node = i as u32;
    let on_crash = p.dispatch.reform(move |_: MouseEvent| Action::CrashNode(node));
    html! {
        <li class={classes!("node", format!("node--{}", look.class), s.ejected.then_some("node--out"))} data-state={look.class}
            data-busy={s.busy.to_string()} data-workers={s.workers.to_string()}
            data-queued={s.queued.to_string()} data-capacity={s.queue_capacity.to_string()}
            data-served={s.served.to_string()} data-rejected={s.rejected.to_string()}
            data-crashes={s.crashes.to_string()} data-ejected={s.ejected.to_string()}
            data-progress={s.progress.map(|v| format!("{v:.3}")).unwrap_or_default()}
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
            if let Some((what, done)) = life {
                <div class={classes!("progress", format!("progress--{what}"))} role="progressbar"
                    aria-label={format!("{what} progress")} aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow={format!("{:.0}", done * 100.0)}>
                    <div class="progress__fill" style={format!("width: {:.1}%", done * 100.0)}></div>
                    <span class="progress__text">{ format!("{what} {:.0}%", done * 100.0) }</span>
                </div>
            }
            if p.config.cpu.enabled {
                { cpu_split(s, p.config.cpu.cores) }
            }
            if p.config.db.enabled {
                <div class="node__nums node__db" data-pool-in-use={s.pool_in_use.to_string()} data-pool-waiting={s.pool_waiting.to_string()}
                    title="database connections in use / pool size · attempts waiting for a connection">
                    <span>
                        { format!("db {}/{}", s.pool_in_use, p.config.db.pool_size) }
                        <span class="node__wait">{ format!(" · {} waiting", number(s.pool_waiting as f64)) }</span>
                    </span>
                </div>
            }
            <div class="node__nums">
                <span title="busy workers / pool size">{ format!("{}/{}", s.busy, s.workers) }<span class="node__unit">{ " busy" }</span></span>
                <span title="waiting / queue capacity"><span class="node__unit">{ "queue " }</span>{ format!("{}/{}", number(s.queued as f64), number(s.queue_capacity as f64)) }</span>
            </div>
            <div class="node__foot">
                if let Some(f) = slow {
                    <span class="badge badge--slow" title={format!("a slow node: each attempt takes {}× as long", number(f))}>{ format!("slow ×{}", number(f)) }</span>
                }
                if s.ejected && s.state != NodeState::Ejected {
                    <span class="badge badge--ejected" title="out of rotation: the balancer's health checks send it nothing">{ "ejected" }</span>
                }
                if s.crashes > 0 {
                    <span class="badge badge--crashes" title="crashes since the start">
                        <span aria-hidden="true">{ "✕" }</span>{ s.crashes }<span class="node__unit">{ if s.crashes == 1 { " crash" } else { " crashes" } }</span>
                    </span>
                }
                <button class="node__kill" type="button" disabled={down || p.finished} onclick={on_crash}
                    title="Kill this node now: it loses everything it holds and restarts after the restart time"
                    aria-label={format!("Crash node {}", i + 1)}>{ "crash" }</button>
            </div>
        </li>
    }
}
