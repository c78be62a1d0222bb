//! The lesson banner: the lesson's title and its steps as chips on one
//! line, each turning green when the running system shows what it teaches;
//! expanded, the story, each step's change and check, and for lessons about
//! retry waves the 100 ms view of retries. It keeps the page's address on
//! `?lesson=NAME&step=K`.

use crate::lessons::{change_text, LessonRun, StepState};
use crate::state::Action;
use yew::prelude::*;

/// Inputs.
#[derive(Properties, PartialEq)]
pub struct LessonBannerProps {
    /// The lesson being followed.
    pub run: LessonRun,
    /// Whether the story and the steps are shown.
    pub open: bool,
    /// The reducer.
    pub dispatch: Callback<Action>,
}

fn status(s: StepState) -> (&'static str, &'static str) {
    match s {
        StepState::Passed(_) => ("lesson-step--passed", "shown"),
        StepState::Watching(_) => ("lesson-step--watching", "watching…"),
        StepState::Waiting => ("lesson-step--waiting", "make the change"),
        StepState::Ahead => ("lesson-step--ahead", "next"),
        StepState::Skipped => ("lesson-step--skipped", "skipped"),
    }
}

/// The banner.
#[component]
pub fn LessonBanner(p: &LessonBannerProps) -> Html {
    let lesson = p.run.lesson();
    let open = p.open;
    let toggle = p.dispatch.reform(move |_: MouseEvent| Action::ExpandLesson(!open));
    let current = p.run.current();
    let headline = match current {
        Some(i) => lesson.steps[i].text,
        None => "Every step shown: pick another lesson, or keep experimenting.",
    };
    html! {
        <section id="lesson" class={classes!("lesson", open.then_some("lesson--open"))} aria-label="Lesson">
            <div class="lesson__bar">
                <b class="lesson__title">{ lesson.title }</b>
                <ol class="lesson__chips">
                    { for p.run.steps.iter().enumerate().map(|(i, s)| {
                        let (class, word) = status(*s);
                        html! { <li class={classes!("lesson-chip", class)} title={format!("Step {}: {word}", i + 1)}>{ i + 1 }</li> }
                    }) }
                </ol>
                if !open || current.is_none() {
                    <span class="lesson__now">{ headline }</span>
                } else {
                    <span class="lesson__now lesson__now--spacer"></span>
                }
                <button class="btn btn--small lesson__toggle" aria-expanded={open.to_string()} onclick={toggle}>
                    { if open { "Less" } else { "Steps" } }
                </button>
                <button class="notice__close" aria-label="Leave the lesson" onclick={p.dispatch.reform(|_: MouseEvent| Action::CloseLesson)}>{ "✕" }</button>
            </div>
            if open {
                <p class="lesson__story">{ lesson.story }</p>
                <ol class="lesson__steps">
                    { for lesson.steps.iter().zip(&p.run.steps).enumerate().map(|(i, (step, s))| {
                        let (class, word) = status(*s);
                        let change = change_text(step);
                        html! {
                            <li class={classes!("lesson-step", class)} data-step={(i + 1).to_string()}>
                                <span class="lesson-step__state">{ word }</span>
                                <span class="lesson-step__text">{ step.text }</span>
                                if !change.is_empty() {
                                    <span class="lesson-step__change">{ format!("Change: {change}.") }</span>
                                }
                                <span class="lesson-step__check" title="The live check">{ format!("Check: {} (within {} s).", step.check, step.limit_s) }</span>
                            </li>
                        }
                    }) }
                </ol>
                if p.run.uses_fine_view() {
                    <FineView retries={p.run.fine_retries(10)} />
                }
            }
        </section>
    }
}

/// Inputs of the 100 ms view.
#[derive(Properties, PartialEq)]
struct FineViewProps {
    /// Retries per 100 ms, oldest first.
    retries: Vec<u64>,
}

/// Retries per 100 ms over the last 10 s, as bars: the resolution at
/// which synchronised retries show as waves.
#[component]
fn FineView(p: &FineViewProps) -> Html {
    let peak = p.retries.iter().copied().max().unwrap_or(0).max(1);
    let (w, h) = (400.0, 40.0);
    let bar = w / 100.0;
    html! {
        <figure class="fine-view" aria-label="Retries per 100 ms, last 10 s">
            <svg viewBox={format!("0 0 {w} {h}")} preserveAspectRatio="none" role="img">
                { for p.retries.iter().enumerate().map(|(i, &r)| {
                    let bh = h * r as f64 / peak as f64;
                    html! { <rect x={format!("{:.1}", i as f64 * bar)} y={format!("{:.1}", h - bh)} width={format!("{:.1}", bar * 0.8)} height={format!("{bh:.1}")} /> }
                }) }
            </svg>
            <figcaption>{ format!("Retries per 100 ms, last 10 s (peak {peak})") }</figcaption>
        </figure>
    }
}
