//! The knob panel: grouped sliders with value, unit, tooltip, a mark when
//! changed from the default, and a visible note on knobs that need a reset.
//! A mechanism's on/off toggle heads the knobs it gates, which are dimmed
//! and disabled while it is off.

use crate::format::number;
use crate::knobs::{Group, Knob, KnobId, Toggle, ToggleId, KNOBS, TOGGLES};
use crate::state::Action;
use sim_core::{Backoff, Config, LbPolicy};
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
    /// The reducer.
    pub dispatch: Callback<Action>,
}

fn group_changed(g: Group, c: &Config, d: &Config) -> bool {
    let knobs = KNOBS.iter().filter(|k| k.group == g).any(|k| k.id.get(c) != k.id.get(d));
    let toggles = TOGGLES.iter().filter(|t| t.group == g).any(|t| t.id.get(c) != t.id.get(d));
    knobs
        || toggles
        || (g == Group::Clients && c.client.backoff != d.client.backoff)
        || (g == Group::Balancer && c.balancer.policy != d.balancer.policy)
}

/// The panel.
#[component]
pub fn KnobPanel(p: &KnobPanelProps) -> Html {
    html! {
        <div class="knob-panel">
            { for Group::ALL.into_iter().map(|g| group(g, p)) }
            <p class="knob-panel__legend">
                <span class="dot dot--changed" aria-hidden="true"></span>{ " changed from default · " }
                <span class="tag tag--restart">{ "on reset" }</span>{ " applies when the run restarts" }
            </p>
        </div>
    }
}

fn group(g: Group, p: &KnobPanelProps) -> Html {
    let changed = group_changed(g, &p.config, &p.defaults);
    html! {
        <section class="knob-group" aria-labelledby={format!("group-{}", g.title())}>
            <h2 id={format!("group-{}", g.title())} class="knob-group__title">
                { g.title() }
                if changed {
                    <button class="link" onclick={p.dispatch.reform(move |_: MouseEvent| Action::ResetGroup(g))}
                        title={format!("Put the {} knobs back to their defaults", g.title().to_lowercase())}>{ "reset" }</button>
                }
            </h2>
            { for KNOBS.iter().filter(|k| k.group == g && k.gate.is_none()).map(|k| knob_row(k, false, p)) }
            { selects(g, p) }
            { for TOGGLES.iter().filter(|t| t.group == g && t.gate.is_none()).map(|t| mechanism(t, false, p)) }
            if g == Group::Traffic {
                <button class="btn btn--small" onclick={p.dispatch.reform(|_: MouseEvent| Action::SpikeNow)}
                    title="Start the spike at the current simulated second (×2 if no multiplier is set)">{ "Spike now" }</button>
            }
        </section>
    }
}

fn knob_row(k: &Knob, disabled: bool, p: &KnobPanelProps) -> Html {
    html! {
        <KnobRow
            id={k.id}
            value={k.id.get(&p.config)}
            default={k.id.get(&p.defaults)}
            pending={p.pending.contains(&k.field)}
            {disabled}
            dispatch={p.dispatch.clone()}
        />
    }
}

/// A toggle and, beneath it, the knobs and finer toggles it gates. While
/// `parent_off` (the toggle it refines is off) it is drawn dimmed and
/// disabled, since switching it would change nothing.
fn mechanism(t: &Toggle, parent_off: bool, p: &KnobPanelProps) -> Html {
    let id: ToggleId = t.id;
    let on = id.get(&p.config);
    let live = on && !parent_off;
    let changed = on != id.get(&p.defaults);
    let onchange = p
        .dispatch
        .reform(move |e: Event| Action::SetToggle(id, e.target_unchecked_into::<HtmlInputElement>().checked()));
    html! {
        <div class={classes!("mechanism", (!live).then_some("mechanism--off"))} data-toggle={t.param}>
            <div class={classes!("toggle", changed.then_some("knob--changed"))} title={t.tip}>
                <label class="toggle__label" for={format!("toggle-{}", t.param)}>
                    <input id={format!("toggle-{}", t.param)} type="checkbox" checked={on} {onchange} disabled={parent_off}
                        aria-describedby={format!("tip-{}", t.param)} />
                    { t.label }
                    if changed { <span class="dot dot--changed" title={format!("changed from default ({})", if on { "off" } else { "on" })}></span> }
                </label>
                <span class="toggle__state">{ if on { "on" } else { "off" } }</span>
                <p id={format!("tip-{}", t.param)} class="knob__tip">{ t.tip }</p>
            </div>
            { for KNOBS.iter().filter(|k| k.gate == Some(id)).map(|k| knob_row(k, !live, p)) }
            { for TOGGLES.iter().filter(|sub| sub.gate == Some(id)).map(|sub| mechanism(sub, !live, p)) }
        </div>
    }
}

fn selects(g: Group, p: &KnobPanelProps) -> Html {
    match g {
        Group::Clients => {
            let on = p.dispatch.reform(|e: Event| {
                let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                Action::SetBackoff(Backoff::from_name(&v).unwrap_or(Backoff::FullJitter))
            });
            let options = Backoff::ALL.map(|b| (b.name(), backoff_label(b)));
            select_row(
                "backoff",
                "Retry policy",
                RETRY_TIP,
                &options,
                p.config.client.backoff.name(),
                p.defaults.client.backoff.name(),
                on,
            )
        }
        Group::Balancer => {
            let on = p.dispatch.reform(|e: Event| {
                let v = e.target_unchecked_into::<HtmlSelectElement>().value();
                Action::SetPolicy(LbPolicy::from_name(&v).unwrap_or(LbPolicy::RoundRobin))
            });
            let options = LbPolicy::ALL.map(|l| (l.name(), lb_label(l)));
            select_row(
                "lb",
                "Balancer policy",
                LB_TIP,
                &options,
                p.config.balancer.policy.name(),
                p.defaults.balancer.policy.name(),
                on,
            )
        }
        _ => Html::default(),
    }
}

const RETRY_TIP: &str = "How long a client waits before retrying: no wait and fixed waits retry in lockstep, jitter spreads retries out so a struggling system can drain.";
const LB_TIP: &str = "How attempts are spread over nodes: round-robin and random ignore how loaded a node is, least-outstanding and two-choice send to the node holding fewer attempts.";

fn backoff_label(b: Backoff) -> &'static str {
    match b {
        Backoff::None => "none (retry at once)",
        Backoff::Fixed => "fixed (base)",
        Backoff::Expo => "exponential",
        Backoff::FullJitter => "full jitter",
        Backoff::EqualJitter => "equal jitter",
        Backoff::Decorrelated => "decorrelated jitter",
    }
}

fn lb_label(l: LbPolicy) -> &'static str {
    match l {
        LbPolicy::RoundRobin => "round-robin",
        LbPolicy::Random => "random",
        LbPolicy::LeastOutstanding => "least outstanding",
        LbPolicy::PowerOfTwo => "power of two choices",
    }
}

fn select_row(
    id: &str,
    label: &str,
    tip: &str,
    options: &[(&str, &str)],
    value: &str,
    default: &str,
    on: Callback<Event>,
) -> Html {
    let changed = value != default;
    html! {
        <div class={classes!("knob", "knob--select", changed.then_some("knob--changed"))} title={tip.to_string()} data-knob={id.to_string()}>
            <label class="knob__label" for={format!("knob-{id}")}>
                { label }
                if changed { <span class="dot dot--changed" title="changed from default"></span> }
            </label>
            <select id={format!("knob-{id}")} class="knob__select" onchange={on} aria-describedby={format!("tip-{id}")}>
                { for options.iter().map(|(name, text)| html! {
                    <option value={name.to_string()} selected={*name == value}>{ *text }</option>
                }) }
            </select>
            <p id={format!("tip-{id}")} class="knob__tip">{ tip }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct KnobRowProps {
    id: KnobId,
    value: f64,
    default: f64,
    pending: bool,
    /// True while the knob's mechanism is off.
    disabled: bool,
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
    let knob = p.id.knob();
    let (min, max, step) = knob.slider_bounds();
    let (id, default) = (p.id, p.default);
    let on_slide = p.dispatch.reform(move |e: InputEvent| {
        let pos = e.target_unchecked_into::<HtmlInputElement>().value_as_number();
        Action::SetKnob(id, slider_value(id.knob(), pos, default))
    });
    let on_type =
        p.dispatch.reform(move |e: Event| Action::TypeKnob(id, e.target_unchecked_into::<HtmlInputElement>().value()));
    let changed = p.value != p.default;
    let restart = knob.needs_restart();
    html! {
        <div class={classes!("knob", changed.then_some("knob--changed"), p.pending.then_some("knob--pending"), p.disabled.then_some("knob--off"))}
            title={knob.tip} data-knob={knob.param} data-value={p.value.to_string()}>
            <label class="knob__label" for={format!("knob-{}", knob.param)}>
                { knob.label }
                if changed { <span class="dot dot--changed" title={format!("changed from default ({})", number(p.default))}></span> }
                if restart { <span class={classes!("tag", "tag--restart", p.pending.then_some("tag--active"))}>{ "on reset" }</span> }
            </label>
            <span class="knob__value">
                <input class="knob__number" type="text" inputmode="decimal" value={number(p.value)} onchange={on_type} disabled={p.disabled}
                    aria-label={format!("{} in {}", knob.label, knob.unit)} />
                <span class="knob__unit">{ knob.unit }</span>
            </span>
            <input id={format!("knob-{}", knob.param)} class="knob__slider" type="range"
                min={min.to_string()} max={max.to_string()} step={step.to_string()}
                value={knob.to_position(p.value).to_string()} oninput={on_slide} disabled={p.disabled}
                aria-describedby={format!("tip-{}", knob.param)} aria-valuetext={format!("{} {}", number(p.value), knob.unit)} />
            <p id={format!("tip-{}", knob.param)} class="knob__tip">{ knob.tip }</p>
        </div>
    }
}
