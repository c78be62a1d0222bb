//! The knob panel: grouped sliders with value, unit, tooltip, a mark when
//! changed from the default, and a visible note on knobs that need a reset.
//! A mechanism's on/off toggle heads the knobs it gates, which are dimmed
//! and disabled while it is off.
//!
//! In a system of services the tier knobs are the selected service's (a
//! breadcrumb says which), and each of its calls has its client knobs below.

use crate::format::number;
use crate::knobs::{self, group_changed_at, Control, Group, Knob, Select, Target, Toggle, CONTROLS};
use crate::state::Action;
use sim_core::Config;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Panel inputs.
#[derive(Properties, PartialEq)]
pub struct KnobPanelProps {
    /// Current knobs.
    pub config: Config,
    /// Defaults, for change marks.
    pub defaults: Rc<Config>,
    /// Restart fields waiting for a reset.
    pub pending: Vec<&'static str>,
    /// Where the tier controls read and write (the selected service).
    pub target: Target,
    /// The reducer.
    pub dispatch: Callback<Action>,
}

/// What one set of controls reads from and writes to.
struct View<'a> {
    config: &'a Config,
    defaults: &'a Config,
    pending: &'a [&'static str],
    target: Target,
    dispatch: Callback<Action>,
    /// Prefix of element ids, so that each call's controls have their own.
    prefix: String,
}

/// The panel.
#[component]
pub fn KnobPanel(p: &KnobPanelProps) -> Html {
    let v = View {
        config: &p.config,
        defaults: &p.defaults,
        pending: &p.pending,
        target: p.target,
        dispatch: p.dispatch.clone(),
        prefix: String::new(),
    };
    let service = p.target.service.and_then(|i| p.config.services.get(i).map(|s| (i, s)));
    html! {
        <div class="knob-panel">
            if let Some((i, s)) = service { { breadcrumb(i, &s.name, &p.config, &p.dispatch) } }
            { for Group::ALL.into_iter().map(|g| group(g, &v)) }
            if let Some((i, s)) = service { { calls(i, &s.calls, &v) } }
            <p class="knob-panel__legend">
                <span class="dot dot--changed" aria-hidden="true"></span>{ " changed from default · " }
                <span class="tag tag--restart">{ "on reset" }</span>{ " applies when the run restarts" }
            </p>
        </div>
    }
}

/// Which service the tier knobs edit, a menu to pick another, and a way
/// back to the entry.
fn breadcrumb(i: usize, name: &str, c: &Config, d: &Callback<Action>) -> Html {
    let on_pick = d.reform(|e: Event| {
        Action::SelectService(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0))
    });
    html! {
        <nav class="breadcrumb" aria-label="Service being edited" data-editing={name.to_string()}>
            <span>{ "Editing service: " }<b id="editing-service">{ name.to_string() }</b></span>
            <select id="pick-service" class="knob__select" aria-label="Service to edit" onchange={on_pick}>
                { for c.services.iter().enumerate().map(|(k, s)| html! {
                    <option value={k.to_string()} selected={k == i}>{ s.name.clone() }</option>
                }) }
            </select>
            if i != 0 {
                <button class="link" onclick={d.reform(|_: MouseEvent| Action::SelectService(0))}
                    title="Edit the entry service, which the clients call">{ "← entry" }</button>
            }
        </nav>
    }
}

/// The selected service's calls, each with its client policy.
fn calls(i: usize, calls: &[sim_core::CallConfig], v: &View) -> Html {
    html! {
        <section class="knob-group knob-group--calls" aria-labelledby="group-Calls">
            <h2 id="group-Calls" class="knob-group__title">{ "Calls" }</h2>
            if calls.is_empty() { <p class="system__note">{ "This service calls no other; add a call below." }</p> }
            { for calls.iter().enumerate().map(|(k, c)| {
                let at = View {
                    config: v.config,
                    defaults: v.defaults,
                    pending: v.pending,
                    target: Target::call(i, k),
                    dispatch: v.dispatch.reform(move |a| Action::OnCall(k, Box::new(a))),
                    prefix: format!("call{k}-"),
                };
                let client = CONTROLS.iter().filter(|x| x.is_client() && x.gate().is_none());
                html! {
                    <div class="call" data-call={c.to.clone()}>
                        <h3 class="call__title">
                            { format!("→ {}", c.to) }
                            <button class="link" onclick={v.dispatch.reform(move |_: MouseEvent| Action::RemoveCall(i, k))}
                                title="Remove this call (applies on reset)">{ "remove" }</button>
                        </h3>
                        { for client.map(|x| control(x, false, &at)) }
                    </div>
                }
            }) }
        </section>
    }
}

fn group(g: Group, p: &View) -> Html {
    let changed = group_changed_at(g, p.config, p.target, p.defaults);
    html! {
        <section class="knob-group" aria-labelledby={format!("group-{}", g.title())}>
            <h2 id={format!("group-{}", g.title())} class="knob-group__title">
                { g.title() }
                if changed {
                    <button class="link" onclick={p.dispatch.reform(move |_: MouseEvent| Action::ResetGroup(g))}
                        title={format!("Put the {} knobs back to their defaults", g.title().to_lowercase())}>{ "reset" }</button>
                }
            </h2>
            { for ungated(g).filter(|x| !matches!(x, Control::Toggle(_))).map(|x| control(x, false, p)) }
            { for ungated(g).filter_map(|x| match x { Control::Toggle(t) => Some(mechanism(t, false, p)), _ => None }) }
            if g == Group::Traffic {
                <button class="btn btn--small" onclick={p.dispatch.reform(|_: MouseEvent| Action::SpikeNow)}
                    title="Start the spike at the current simulated second (×2 if no multiplier is set)">{ "Spike now" }</button>
            }
        </section>
    }
}

/// Inputs of [`KnobList`].
#[derive(Properties, PartialEq)]
pub struct KnobListProps {
    /// The panel's inputs.
    pub panel: KnobPanelProps,
    /// The controls to show, in this order (embed mode's `&knobs=`).
    pub only: Vec<&'static Control>,
}

/// Only the listed controls, without groups: the compact embed view.
#[component]
pub fn KnobList(p: &KnobListProps) -> Html {
    let q = &p.panel;
    let v = View {
        config: &q.config,
        defaults: &q.defaults,
        pending: &q.pending,
        target: q.target,
        dispatch: q.dispatch.clone(),
        prefix: String::new(),
    };
    html! { <div class="knob-panel knob-panel--list">{ for p.only.iter().map(|x| control(x, false, &v)) }</div> }
}

/// The controls under `g` that no toggle gates, in catalogue order.
fn ungated(g: Group) -> impl Iterator<Item = &'static Control> {
    CONTROLS.iter().filter(move |x| x.group() == g && x.gate().is_none())
}

/// A knob or a select (a toggle is drawn by [`mechanism`]).
fn control(x: &'static Control, disabled: bool, p: &View) -> Html {
    match x {
        Control::Knob(k) => knob_row(k, disabled, p),
        Control::Select(s) => select_row(s, disabled, p),
        Control::Toggle(t) => mechanism(t, disabled, p),
    }
}

fn knob_row(k: &Knob, disabled: bool, p: &View) -> Html {
    html! {
        <KnobRow
            id={k.id}
            value={k.get_at(p.config, p.target)}
            default={k.get(p.defaults)}
            pending={p.pending.contains(&k.field)}
            {disabled}
            prefix={p.prefix.clone()}
            dispatch={p.dispatch.clone()}
        />
    }
}

/// A toggle and, beneath it, the knobs and finer toggles it gates. While
/// `parent_off` (the toggle it refines is off) it is drawn dimmed and
/// disabled, since switching it would change nothing.
fn mechanism(t: &Toggle, parent_off: bool, p: &View) -> Html {
    let id = t.id;
    let on = t.get_at(p.config, p.target);
    let live = on && !parent_off;
    let changed = on != t.get(p.defaults);
    let onchange = p
        .dispatch
        .reform(move |e: Event| Action::SetToggle(id, e.target_unchecked_into::<HtmlInputElement>().checked()));
    html! {
        <div class={classes!("mechanism", (!live).then_some("mechanism--off"))} data-toggle={t.param}>
            <div class={classes!("toggle", changed.then_some("knob--changed"))} title={t.tip}>
                <label class="toggle__label" for={format!("{}toggle-{}", p.prefix, t.param)}>
                    <input id={format!("{}toggle-{}", p.prefix, t.param)} type="checkbox" checked={on} {onchange} disabled={parent_off}
                        aria-describedby={format!("{}tip-{}", p.prefix, t.param)} />
                    { t.label }
                    if changed { <span class="dot dot--changed" title={format!("changed from default ({})", if on { "off" } else { "on" })}></span> }
                </label>
                <span class="toggle__state">{ if on { "on" } else { "off" } }</span>
                <p id={format!("{}tip-{}", p.prefix, t.param)} class="knob__tip">{ t.tip }</p>
            </div>
            { for CONTROLS.iter().filter(|x| x.gate() == Some(id) && !matches!(x, Control::Toggle(_))).map(|x| control(x, !live, p)) }
            { for knobs::toggles().filter(|sub| sub.gate == Some(id)).map(|sub| mechanism(sub, !live, p)) }
        </div>
    }
}

/// A select: a menu of the row's options.
fn select_row(s: &'static Select, disabled: bool, p: &View) -> Html {
    let (value, default) = (s.get_at(p.config, p.target), s.get(p.defaults));
    let changed = value != default;
    let id = s.id;
    let on = p
        .dispatch
        .reform(move |e: Event| Action::SetChoice(id, e.target_unchecked_into::<HtmlSelectElement>().value()));
    html! {
        <div class={classes!("knob", "knob--select", changed.then_some("knob--changed"), disabled.then_some("knob--off"))}
            title={s.tip} data-knob={s.param}>
            <label class="knob__label" for={format!("{}knob-{}", p.prefix, s.param)}>
                { s.label }
                if changed { <span class="dot dot--changed" title={format!("changed from default ({})", s.option_text(default))}></span> }
            </label>
            <select id={format!("{}knob-{}", p.prefix, s.param)} class="knob__select" onchange={on} {disabled}
                aria-describedby={format!("{}tip-{}", p.prefix, s.param)}>
                { for s.options.iter().map(|&name| html! {
                    <option value={name} selected={name == value}>{ s.option_text(name) }</option>
                }) }
            </select>
            <p id={format!("{}tip-{}", p.prefix, s.param)} class="knob__tip">{ s.tip }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct KnobRowProps {
    /// The knob's id (a catalogue path, or a derived knob's id).
    id: &'static str,
    value: f64,
    default: f64,
    pending: bool,
    /// True while the knob's mechanism is off.
    disabled: bool,
    /// Prefix of its element ids.
    prefix: AttrValue,
    dispatch: Callback<Action>,
}

/// A slider position for `knob`, snapped to the default when it is the
/// nearest position, so dragging back lands exactly on it.
fn slider_value(knob: &Knob, position: f64, default: f64) -> f64 {
    if (knob.to_position(default) - position).abs() < 0.5 {
        default
    } else {
        knob.from_position(position)
    }
}

/// One numeric knob.
#[component]
fn KnobRow(p: &KnobRowProps) -> Html {
    let Some(knob) = knobs::knob(p.id) else { return Html::default() };
    let (min, max, step) = knob.slider_bounds();
    let (id, default) = (p.id, p.default);
    let on_slide = p.dispatch.reform(move |e: InputEvent| {
        let pos = e.target_unchecked_into::<HtmlInputElement>().value_as_number();
        Action::SetKnob(id, slider_value(knob, pos, default))
    });
    let on_type =
        p.dispatch.reform(move |e: Event| Action::TypeKnob(id, e.target_unchecked_into::<HtmlInputElement>().value()));
    let changed = p.value != p.default;
    let restart = knob.needs_restart();
    html! {
        <div class={classes!("knob", changed.then_some("knob--changed"), p.pending.then_some("knob--pending"), p.disabled.then_some("knob--off"))}
            title={knob.tip} data-knob={knob.param} data-value={p.value.to_string()}>
            <label class="knob__label" for={format!("{}knob-{}", p.prefix, knob.param)}>
                { knob.label }
                if changed { <span class="dot dot--changed" title={format!("changed from default ({})", number(p.default))}></span> }
                if restart { <span class={classes!("tag", "tag--restart", p.pending.then_some("tag--active"))}>{ "on reset" }</span> }
            </label>
            <span class="knob__value">
                <input class="knob__number" type="text" inputmode="decimal" value={number(p.value)} onchange={on_type} disabled={p.disabled}
                    aria-label={format!("{} in {}", knob.label, knob.unit)} />
                <span class="knob__unit">{ knob.unit.as_str() }</span>
            </span>
            <input id={format!("{}knob-{}", p.prefix, knob.param)} class="knob__slider" type="range"
                min={min.to_string()} max={max.to_string()} step={step.to_string()}
                value={knob.to_position(p.value).to_string()} oninput={on_slide} disabled={p.disabled}
                aria-describedby={format!("{}tip-{}", p.prefix, knob.param)} aria-valuetext={format!("{} {}", number(p.value), knob.unit)} />
            <p id={format!("{}tip-{}", p.prefix, knob.param)} class="knob__tip">{ knob.tip }</p>
        </div>
    }
}
