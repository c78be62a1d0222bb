use super::*;
use crate::state::{Action, AppState};
use crate::testkit::{lesson, seconds, state, steps};
use sim_core::Backoff;

fn open(name: &str) -> AppState {
    let mut s = state("?seed=4");
    steps(&mut s, 2);
    s.apply(Action::LoadLesson(lesson(name)));
    s
}

fn states(s: &AppState) -> Vec<StepState> {
    s.lesson.as_ref().expect("a lesson").steps.clone()
}

#[test]
fn loading_a_lesson_starts_a_new_run_on_its_scenario() {
    let s = open("metastable-retry-storm");
    let l = &LESSONS[lesson("metastable-retry-storm")];
    assert_eq!(seconds(&s), 0.0, "a new run");
    assert_eq!(*s.engine.sim().config(), l.config(), "the lesson's scenario, its own seed");
    assert_eq!(s.config, l.config());
    assert_eq!(s.engine.sim().config().client.backoff, Backoff::None);
    assert!(s.notices.is_empty() && s.pending_restart.is_empty());
    assert_eq!(states(&s), [StepState::Watching(0), StepState::Ahead], "the first step only watches");
    assert!(s.lesson_open && s.story().is_none(), "the banner, not the template story");
}

#[test]
fn a_step_turns_green_only_after_its_change_and_what_it_teaches() {
    let mut s = open("thread-pool-switching");
    steps(&mut s, 8);
    assert!(matches!(states(&s)[0], StepState::Passed(at) if at <= 8), "{:?}", states(&s));
    assert_eq!(states(&s)[1], StepState::Waiting, "step 2 waits for the workers to go down");
    steps(&mut s, 10);
    assert_eq!(states(&s)[1], StepState::Waiting, "nothing changed, nothing shown");
    s.apply(Action::SetKnob("nodes.workers", 32.0));
    assert_eq!(states(&s)[1], StepState::Watching(18), "watching from the second of the change");
    steps(&mut s, 8);
    assert!(matches!(states(&s)[1], StepState::Passed(at) if at > 18), "{:?}", states(&s));
    let run = s.lesson.as_ref().unwrap();
    assert!(run.complete() && run.current().is_none());
    assert_eq!(query(run), "?lesson=thread-pool-switching&step=2");
}

#[test]
fn undoing_a_change_before_its_check_passes_sends_the_step_back() {
    let mut s = open("thread-pool-switching");
    steps(&mut s, 8);
    s.apply(Action::SetKnob("nodes.workers", 32.0));
    assert!(matches!(states(&s)[1], StepState::Watching(_)));
    s.apply(Action::SetKnob("nodes.workers", 256.0));
    assert_eq!(states(&s)[1], StepState::Waiting);
}

#[test]
fn a_change_that_needs_a_reset_counts_from_the_reset() {
    let mut s = open("scaling-fuels-db-contention");
    steps(&mut s, 8);
    assert!(matches!(states(&s)[0], StepState::Passed(_)), "{:?}", states(&s));
    s.apply(Action::SetKnob("nodes.count", 8.0));
    assert_eq!(states(&s)[1], StepState::Waiting, "eight nodes only after a reset");
    s.apply(Action::Reset);
    assert_eq!(states(&s)[1], StepState::Watching(0));
    steps(&mut s, 8);
    assert!(matches!(states(&s)[1], StepState::Passed(_)), "{:?}", states(&s));
}

#[test]
fn a_link_opens_a_lesson_at_a_step_with_the_earlier_changes_made() {
    let mut s = state("");
    s.apply(Action::OpenLesson(lesson("connection-pool"), 2));
    let c = s.engine.sim().config().clone();
    assert_eq!(c.db.pool_size, 10, "step 2's change is made");
    assert_eq!(states(&s)[..2], [StepState::Skipped, StepState::Skipped]);
    assert_eq!(states(&s)[2], StepState::Waiting, "step 3 waits for the pool of 100");
    assert_eq!(from_query("?lesson=connection-pool&step=3"), Ok(Some((lesson("connection-pool"), 2))));
    assert_eq!(from_query("?lesson=connection-pool"), Ok(Some((lesson("connection-pool"), 0))));
    assert_eq!(from_query("?rate=5"), Ok(None));
    assert!(from_query("?lesson=nope").unwrap_err().message.contains("known lessons are phase-transition"));
    assert!(from_query("?lesson=connection-pool&step=9").unwrap_err().message.contains("1 to 3"));
    assert!(from_query("?step=2").unwrap_err().message.contains("needs lesson="));
}

#[test]
fn an_unknown_lesson_changes_nothing_and_closing_keeps_the_run() {
    let mut s = state("?rate=12000");
    s.apply(Action::LoadLesson(LESSONS.len()));
    assert!(s.lesson.is_none());
    assert_eq!(s.config.traffic.rate_per_s, 12_000.0);
    let mut s = open("p50-lies");
    steps(&mut s, 3);
    s.apply(Action::ExpandLesson(false));
    assert!(!s.lesson_open);
    s.apply(Action::CloseLesson);
    assert!(s.lesson.is_none());
    assert_eq!(seconds(&s), 3.0, "the run goes on");
}

#[test]
fn a_lesson_loaded_in_a_system_leaves_it() {
    let mut s = crate::testkit::state("?template=fan-out");
    steps(&mut s, 2);
    s.apply(Action::SelectService(2));
    s.apply(Action::LoadLesson(lesson("phase-transition")));
    assert!(s.notices.is_empty(), "{:?}", s.notices);
    assert_eq!((seconds(&s), s.snapshot.services.len(), s.selected_service), (0.0, 1, 0));
    assert_eq!(s.template, None);
}

#[test]
fn the_fine_view_records_every_100_ms_whatever_the_frame_length() {
    let mut s = open("retry-waves");
    s.apply(Action::SetSpeed(50.0));
    s.apply(Action::Play);
    for f in 0..40 {
        s.apply(Action::Frame(f as f64 * 33.0));
    }
    let run = s.lesson.as_ref().unwrap();
    let now = s.snapshot.now.as_secs_f64();
    assert!(now > 10.0, "{now}");
    assert_eq!(run.fine.attempts.len(), (now * 10.0).floor() as usize);
    let done = s.engine.sim().completed_seconds();
    let per_second: u64 = s.engine.sim().series().attempts[..done].iter().sum();
    assert_eq!(run.fine.attempts[..done * 10].iter().sum::<u64>(), per_second, "the same attempts, finer");
    assert!(run.uses_fine_view());
    let view = run.fine_retries(10);
    assert_eq!(view.len(), 100);
    assert!(*view.iter().max().unwrap() > 3_000, "a wave of retries 2 s after the burst at 5 s: {view:?}");
}

#[test]
fn the_walk_in_the_playground_matches_the_native_run() {
    // The retry waves lesson walked step by step in the reducer turns every
    // check green, as `brink lesson retry-waves --check` does.
    let mut s = open("retry-waves");
    steps(&mut s, 45);
    assert!(matches!(states(&s)[..2], [StepState::Passed(_), StepState::Passed(_)]), "{:?}", states(&s));
    s.apply(Action::SetChoice("client.backoff", "full-jitter".into()));
    steps(&mut s, 70);
    assert!(s.lesson.as_ref().unwrap().complete(), "{:?}", states(&s));
}

#[test]
fn a_change_reads_with_the_knobs_labels() {
    let steps = |name: &str| LESSONS[lesson(name)].steps;
    assert_eq!(change_text(&steps("thread-pool-switching")[0]), "");
    let workers = sim_core::catalogue::field("nodes.workers").unwrap().label;
    assert_eq!(change_text(&steps("thread-pool-switching")[1]), format!("{workers} → 32"));
    let text = change_text(&steps("backpressure-deadlines")[1]);
    assert!(text.starts_with("gateway → api: ") && text.contains(", api → db: "), "{text}");
    assert!(!text.contains("propagate_deadline"), "labels, not paths: {text}");
}
