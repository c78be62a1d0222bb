//! The system editor: the services and calls as small forms (add a
//! service, add a call, remove either), and the faults fired at the
//! selected service. Topology edits apply on reset; faults apply now.

use crate::state::Action;
use crate::system::{FaultButton, NewCall, NewService, FAULT_BUTTONS};
use sim_core::{Config, Fault};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Editor inputs.
#[derive(Properties, PartialEq)]
pub struct SystemEditorProps {
    /// Current knobs, with the services as they will be after a reset.
    pub config: Config,
    /// The selected service.
    pub selected: usize,
    /// The selected service's name in the running system.
    pub running_name: String,
    /// What the running engine has for it (nodes, workers).
    pub running: String,
    /// Each fault button's fault at the selected service now (`None` when
    /// it cannot apply), in [`FAULT_BUTTONS`] order.
    pub faults: Vec<Option<Fault>>,
    /// The reducer.
    pub dispatch: Callback<Action>,
}

/// The editor.
#[component]
pub fn SystemEditor(p: &SystemEditorProps) -> Html {
    let names: Vec<String> = p.config.system().iter().map(|s| s.name.clone()).collect();
    html! {
        <section class="knob-group system" aria-labelledby="group-System">
            <h2 id="group-System" class="knob-group__title">{ "System" }</h2>
            <p id="running-service" class="system__note" title="What the running simulation has for the selected service">{ format!("Running: {}", p.running) }</p>
            { faults(p) }
            if !p.config.services.is_empty() { { services(&names, p) } }
            <AddService dispatch={p.dispatch.clone()} />
            <AddCall names={names.clone()} selected={p.selected} dispatch={p.dispatch.clone()} />
            <p class="system__note">{ "Services and calls change when the run restarts (Reset)." }</p>
        </section>
    }
}

/// A button per fault kind for the selected service.
fn faults(p: &SystemEditorProps) -> Html {
    html! {
        <div class="faults" role="group" aria-label="Faults">
            <h3 class="call__title">{ format!("Faults at {}", p.running_name) }</h3>
            { for FAULT_BUTTONS.iter().zip(&p.faults).map(|(b, f)| fault_button(b, f.clone(), &p.dispatch)) }
        </div>
    }
}

fn fault_button(b: &FaultButton, f: Option<Fault>, d: &Callback<Action>) -> Html {
    let disabled = f.is_none();
    let onclick = d.reform(move |_: MouseEvent| match f.clone() {
        Some(f) => Action::FireFault(f),
        None => Action::HideStory,
    });
    html! {
        <button class="btn btn--small" data-fault={format!("{:?}", b.kind)} {onclick} {disabled} title={b.tip}>{ b.label }</button>
    }
}

/// The services, each selectable and (but the entry) removable.
fn services(names: &[String], p: &SystemEditorProps) -> Html {
    html! {
        <ul class="services">
            { for names.iter().enumerate().map(|(i, name)| html! {
                <li data-service-row={name.clone()}>
                    <button class={classes!("link", (i == p.selected).then_some("link--active"))}
                        onclick={p.dispatch.reform(move |_: MouseEvent| Action::SelectService(i))}>{ name.clone() }</button>
                    if i > 0 {
                        <button class="link" title="Remove this service and the calls to it (applies on reset)"
                            onclick={p.dispatch.reform(move |_: MouseEvent| Action::RemoveService(i))}>{ "remove" }</button>
                    }
                </li>
            }) }
        </ul>
    }
}

fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

fn choice(r: &NodeRef) -> String {
    r.cast::<HtmlSelectElement>().map(|i| i.value()).unwrap_or_default()
}

#[derive(Properties, PartialEq)]
struct AddServiceProps {
    dispatch: Callback<Action>,
}

/// "Add a service": name, nodes, workers.
#[component]
fn AddService(p: &AddServiceProps) -> Html {
    let (name, nodes, workers) = (use_node_ref(), use_node_ref(), use_node_ref());
    let onsubmit = {
        let (name, nodes, workers) = (name.clone(), nodes.clone(), workers.clone());
        p.dispatch.reform(move |e: SubmitEvent| {
            e.prevent_default();
            Action::AddService(NewService {
                name: value(&name),
                nodes: value(&nodes).trim().parse().unwrap_or(0),
                workers: value(&workers).trim().parse().unwrap_or(0),
            })
        })
    };
    html! {
        <form id="add-service" class="mini-form" {onsubmit} aria-label="Add a service">
            <h3 class="call__title">{ "Add a service" }</h3>
            <input ref={name} type="text" placeholder="name" aria-label="Service name" required=true />
            <input ref={nodes} type="number" min="1" value="2" aria-label="Nodes" title="Nodes" />
            <input ref={workers} type="number" min="1" value="32" aria-label="Workers per node" title="Workers per node" />
            <button class="btn btn--small" type="submit">{ "Add" }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct AddCallProps {
    names: Vec<String>,
    selected: usize,
    dispatch: Callback<Action>,
}

/// The callee the form offers first: the last service listed (usually the
/// one just added), unless that is the caller; never the entry, which only
/// the clients call.
fn default_callee(services: usize, caller: usize) -> Option<usize> {
    (1..services).rev().find(|&i| i != caller)
}

/// "Add a call": caller, callee, attempts, timeout.
#[component]
fn AddCall(p: &AddCallProps) -> Html {
    let (caller, callee, attempts, timeout) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let onsubmit = {
        let (caller, callee, attempts, timeout) = (caller.clone(), callee.clone(), attempts.clone(), timeout.clone());
        p.dispatch.reform(move |e: SubmitEvent| {
            e.prevent_default();
            Action::AddCall(NewCall {
                caller: choice(&caller).parse().unwrap_or(0),
                callee: choice(&callee),
                attempts: value(&attempts).trim().parse().unwrap_or(0),
                timeout_s: value(&timeout).trim().parse().unwrap_or(f64::NAN),
            })
        })
    };
    let options = |selected: Option<usize>, by_index: bool| {
        p.names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let v = if by_index { i.to_string() } else { n.clone() };
                html! { <option value={v} selected={selected == Some(i)}>{ n.clone() }</option> }
            })
            .collect::<Html>()
    };
    html! {
        <form id="add-call" class="mini-form" {onsubmit} aria-label="Add a call">
            <h3 class="call__title">{ "Add a call" }</h3>
            <select ref={caller} aria-label="Caller">{ options(Some(p.selected), true) }</select>
            { "→" }
            <select ref={callee} aria-label="Callee">{ options(default_callee(p.names.len(), p.selected), false) }</select>
            <input ref={attempts} type="number" min="1" value="2" aria-label="Attempts" title="Attempts" />
            <input ref={timeout} type="number" min="0" step="0.05" value="1" aria-label="Timeout in s" title="Timeout, s" />
            <button class="btn btn--small" type="submit">{ "Add" }</button>
        </form>
    }
}
