//! The toolbar: lessons, topology templates, play / pause / step / reset, speed, the status line
//! with simulated time, the seed and the share link.

use crate::format::{number, round_sig, sim_seconds};
use crate::state::Action;
use crate::templates::TEMPLATES;
use crate::url::SPEED_RANGE;
use sim_core::LESSONS;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Positions of the logarithmic speed slider.
const SPEED_STEPS: f64 = 1000.0;

fn speed_to_position(speed: f64) -> f64 {
    let (lo, hi) = SPEED_RANGE;
    (speed / lo).ln() / (hi / lo).ln() * SPEED_STEPS
}

fn position_to_speed(p: f64) -> f64 {
    let (lo, hi) = SPEED_RANGE;
    round_sig(lo * (hi / lo).powf(p / SPEED_STEPS), 2).clamp(lo, hi)
}

/// Toolbar inputs.
#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// Running or paused.
    pub playing: bool,
    /// The run reached its end.
    pub finished: bool,
    /// Simulated seconds per wall second.
    pub speed: f64,
    /// Simulated time, s.
    pub now_s: f64,
    /// End of the run, s.
    pub end_s: f64,
    /// Seed shown in the field.
    pub seed: u64,
    /// The seed differs from the running one and applies on reset.
    pub seed_pending: bool,
    /// The lesson being followed.
    pub lesson: Option<usize>,
    /// The topology template last loaded.
    pub template: Option<usize>,
    /// Query string of the current scenario, for the share link.
    pub share_query: String,
    /// Whether the knob drawer is open (narrow screens).
    pub drawer_open: bool,
    /// Opens or closes the knob drawer.
    pub on_toggle_drawer: Callback<MouseEvent>,
    /// The reducer.
    pub dispatch: Callback<Action>,
    /// Query string of the scenario itself (a lesson's included), for
    /// "Compare…"; without it the button is not shown.
    #[prop_or_default]
    pub scenario_query: Option<String>,
}

/// The toolbar.
#[component]
pub fn Toolbar(p: &ToolbarProps) -> Html {
    let d = &p.dispatch;
    let play = if p.playing { d.reform(|_: MouseEvent| Action::Pause) } else { d.reform(|_: MouseEvent| Action::Play) };
    let on_speed = d.reform(|e: InputEvent| {
        Action::SetSpeed(position_to_speed(e.target_unchecked_into::<HtmlInputElement>().value_as_number()))
    });
    let on_seed = d.reform(|e: Event| Action::SetSeed(e.target_unchecked_into::<HtmlInputElement>().value()));
    let on_lesson = d.reform(|e: Event| {
        Action::LoadLesson(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(usize::MAX))
    });
    let on_template = d.reform(|e: Event| {
        Action::LoadTemplate(e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(usize::MAX))
    });
    let (play_icon, play_text) = match (p.finished, p.playing) {
        (true, _) => (Icon::Stop, "Ended"),
        (false, true) => (Icon::Pause, "Pause"),
        (false, false) => (Icon::Play, "Play"),
    };
    html! {
        <header class="toolbar">
            <div class="brand">
                <svg class="brand__logo" viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
                    <rect width="32" height="32" rx="7" fill="#111827" />
                    <path d="M5 23 L13 23 L18 9 L22 23 L27 23" fill="none" stroke="#f97316" stroke-width="3" stroke-linejoin="round" stroke-linecap="round" />
                </svg>
                <span class="brand__name">{ "Brink" }</span>
            </div>
            <button class="btn drawer-toggle" aria-controls="knobs" aria-expanded={p.drawer_open.to_string()} onclick={p.on_toggle_drawer.clone()}>
                { if p.drawer_open { "✕ Knobs" } else { "☰ Knobs" } }
            </button>
            <select id="lesson-menu" class="lesson-menu" aria-label="Lesson" title="Start a guided experiment: a new run on its scenario, with steps to follow." onchange={on_lesson}>
                <option value="" selected={p.lesson.is_none()} disabled=true>{ "Lesson…" }</option>
                { for LESSONS.iter().enumerate().map(|(i, l)| html! {
                    <option value={i.to_string()} selected={p.lesson == Some(i)}>{ l.title }</option>
                }) }
            </select>
            <select id="template" class="topology" aria-label="Topology" title="Load a system of services; it starts a new run." onchange={on_template}>
                <option value="" selected={p.template.is_none()} disabled=true>{ "Topology…" }</option>
                { for TEMPLATES.iter().enumerate().map(|(i, t)| html! {
                    <option value={i.to_string()} selected={p.template == Some(i)}>{ t.name }</option>
                }) }
            </select>
            <div class="transport" role="group" aria-label="Run controls">
                <button id="play" class="btn btn--primary" onclick={play} disabled={p.finished} title="Run or pause the simulation">
                    { icon(play_icon) }{ play_text }
                </button>
                <button id="step" class="btn" onclick={d.reform(|_: MouseEvent| Action::Step)} disabled={p.finished} title="Pause, then advance exactly one simulated second">
                    { icon(Icon::Step) }{ "1 s" }
                </button>
                <button id="reset" class="btn" onclick={d.reform(|_: MouseEvent| Action::Reset)} title="Start a new run at t = 0 with the current knobs (applies nodes and seed)">
                    { icon(Icon::Reset) }{ "Reset" }
                </button>
            </div>
            <label class="speed" title="Simulated seconds per wall-clock second">
                <span>{ "speed" }</span>
                <input id="speed" type="range" min="0" max={SPEED_STEPS.to_string()} step="1"
                    value={speed_to_position(p.speed).round().to_string()} oninput={on_speed} />
                <output id="speed-value">{ format!("{}×", number(p.speed)) }</output>
            </label>
            <Status now_s={p.now_s} end_s={p.end_s} playing={p.playing} finished={p.finished} />
            <label class="seed" title="Root of every random stream; the same seed replays the same run. Applies on reset.">
                <span>{ "seed" }</span>
                <input id="seed" type="text" inputmode="numeric" value={p.seed.to_string()} onchange={on_seed} aria-label="Seed" />
                if p.seed_pending { <span class="tag tag--restart">{ "on reset" }</span> }
            </label>
            <super::CopyLink query={p.share_query.clone()} />
            <super::CopyEmbed query={p.share_query.clone()} />
            if let Some(q) = &p.scenario_query {
                <super::CompareButton query={q.clone()} />
            }
        </header>
    }
}

/// Transport icons, drawn as SVG so they never depend on a font's glyphs.
#[derive(Clone, Copy)]
enum Icon {
    Play,
    Pause,
    Stop,
    Step,
    Reset,
}

fn icon(which: Icon) -> Html {
    let path = match which {
        Icon::Play => "M4 2.5v11l9.5-5.5z",
        Icon::Pause => "M3.5 2.5h3.2v11H3.5zM9.3 2.5h3.2v11H9.3z",
        Icon::Stop => "M3 3h10v10H3z",
        Icon::Step => "M2.5 2.5v11l8-5.5zM11 2.5h2.5v11H11z",
        Icon::Reset => "M8 2.2a5.8 5.8 0 1 0 5.6 7.3l-1.9-.5A3.9 3.9 0 1 1 8 4.1c1 0 2 .4 2.7 1.1L8.6 7.3H14V1.9l-1.9 1.9A5.8 5.8 0 0 0 8 2.2z",
    };
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d={path} fill="currentColor" /></svg>
    }
}

#[derive(Properties, PartialEq)]
struct StatusProps {
    now_s: f64,
    end_s: f64,
    playing: bool,
    finished: bool,
}

/// Simulated time and what the run is doing.
#[component]
fn Status(p: &StatusProps) -> Html {
    let state = match (p.finished, p.playing) {
        (true, _) => format!("run ended at {}", sim_seconds(p.end_s)),
        (false, true) => "running".to_string(),
        (false, false) => "paused".to_string(),
    };
    html! {
        <div id="status" class={classes!("status", p.finished.then_some("status--ended"))} data-sim-time={format!("{:.3}", p.now_s)} role="status">
            <span class="status__time">{ format!("t = {}", sim_seconds(p.now_s)) }</span>
            <span class="status__of">{ format!(" of {}", number(p.end_s)) }{ " s" }</span>
            <span class="status__state">{ state }</span>
        </div>
    }
}
