//! Compare A and B (`?compare&s=<A>&b=<B>`): two scenarios side by side on
//! the same seed. This is the framework-free part: reading and writing the
//! comparison's link, and the table of totals, which is `brink compare`'s
//! (`sim_core::compare`, over the reports `sim_core::export::run_report`
//! writes), so the page and the CLI show the same rows and numbers.
//!
//! Common random numbers: every concern of the engine draws from its own
//! named stream of the one seed (sim-core/src/rng.rs), so B runs on A's seed
//! and both see the same arrivals as far as their designs let them.

use crate::share::{decode, encode, link_query, Scenario, SharedView};
use crate::state::{Action, AppState};
use crate::url::{pairs, parse_query, ParamError, UrlSettings};
use sim_core::compare::{rows as total_rows, Row};
use sim_core::{Config, SimTime};

/// What a compare link opens.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareLink {
    /// A: the page's ordinary parameters (readable knobs, `s=`, speed, play).
    pub a: UrlSettings,
    /// B's scenario (`b=`, encoded like `s=`), on A's seed; A's when absent.
    pub b: Config,
}

/// The comparison `query` asks for (`None` without `compare`), and the
/// parameters that could not be used.
pub fn from_query(query: &str, defaults: &Config) -> (Option<CompareLink>, Vec<ParamError>) {
    let all = pairs(query);
    if !all.iter().any(|(k, _)| k == "compare") {
        return (None, Vec::new());
    }
    let (a, mut errors) = parse_query(query, defaults);
    let mut b = a.config.clone();
    if let Some((_, value)) = all.iter().rev().find(|(k, _)| k == "b") {
        match decode(value.trim()) {
            Ok(s) => b = s.config,
            Err(e) => errors.push(ParamError { param: "b".into(), message: format!("{e}; B is a copy of A") }),
        }
    }
    b.seed = a.config.seed;
    (Some(CompareLink { a, b }), errors)
}

/// The comparison's link: A as the playground writes it, then `compare`
/// and B's whole scenario in `b=`.
pub fn query(a: &Config, b: &Config, defaults: &Config, speed: f64) -> String {
    let base = link_query(a, defaults, speed, None, &SharedView::default());
    let b = encode(&Scenario { config: b.clone(), speed, view: SharedView::default() });
    let sep = if base.is_empty() { '?' } else { '&' };
    format!("{base}{sep}compare&b={b}")
}

/// The link of "Compare…": the scenario `scenario_query` (a playground
/// link, `share::link_query`'s) as A, and B a copy of it (no `b=`, so
/// `from_query` copies A, seed included): the difference starts at zero,
/// and the user changes one knob of B.
pub fn duplicate_query(scenario_query: &str) -> String {
    let sep = if scenario_query.is_empty() { '?' } else { '&' };
    format!("{scenario_query}{sep}compare")
}

/// The table of totals of both runs, from their JSON reports as the engine
/// writes them (`wire::Query::Report`): `brink compare`'s rows. A report
/// not yet answered (empty) gives no rows.
pub fn rows(a: &str, b: &str) -> Vec<Row> {
    match (serde_json::from_str(a), serde_json::from_str(b)) {
        (Ok(a), Ok(b)) => total_rows(&a, &b),
        _ => Vec::new(),
    }
}

/// What the compare page knows of one side when a frame comes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    /// The simulated instant the side has reached.
    pub now: SimTime,
    /// The side plays.
    pub playing: bool,
    /// The side's run ended (or halted).
    pub finished: bool,
    /// The side's last step reached the instant it asked for, so every
    /// event before `now` is done and none at `now`. A step cut short by
    /// its event budget stops at an event's time with others of that
    /// nanosecond possibly still to come: two runs both "at" that instant
    /// may differ by them.
    pub settled: bool,
}

impl Side {
    /// The side `state` runs.
    pub fn of(state: &AppState) -> Side {
        Side { now: state.snapshot.now, playing: state.playing, finished: state.finished(), settled: !state.behind }
    }

    fn paced(&self) -> bool {
        self.playing && !self.finished
    }
}

/// What one animation frame does to a side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Move {
    /// Advance by the frame's time at the page's speed.
    Frame,
    /// Hold: the other side is behind.
    Wait,
    /// Come up to the other side's instant.
    CatchUp(SimTime),
}

impl Move {
    /// The actions that carry the move out in the frame at `ts`.
    pub fn actions(self, ts: f64) -> Vec<Action> {
        match self {
            Move::Frame => vec![Action::Frame(ts)],
            Move::Wait => vec![Action::Wait(ts)],
            Move::CatchUp(t) => vec![Action::Wait(ts), Action::CatchUp(t)],
        }
    }
}

/// The lockstep of the two sides, each in its own worker: a frame advances
/// both while they are at one instant; otherwise the side ahead waits and
/// the side behind comes up to it, so both move at the slower one's pace
/// and the totals can be read with both at the same instant. A side that
/// ended or stopped holds nothing up.
pub fn lockstep(a: Side, b: Side) -> (Move, Move) {
    if !(a.paced() && b.paced()) || a.now == b.now {
        return (Move::Frame, Move::Frame);
    }
    if a.now < b.now {
        (Move::CatchUp(b.now), Move::Wait)
    } else {
        (Move::Wait, Move::CatchUp(a.now))
    }
}

/// True when both sides stand at one instant with the same events done:
/// their reports can be set side by side.
pub fn level(a: Side, b: Side) -> bool {
    a.now == b.now && a.settled && b.settled
}

/// With both sides paused mid-run and not [`level`] (a pause lands between
/// their replies, or cuts a step short), the side to move and the instant
/// it moves to: the side behind comes up to the other; at one instant, a
/// side whose step was cut short finishes that nanosecond.
pub fn align(a: Side, b: Side) -> Option<(Which, SimTime)> {
    if a.playing || b.playing || a.finished || b.finished || level(a, b) {
        return None;
    }
    let past = |t: SimTime| SimTime(t.0 + 1);
    Some(match a.now.cmp(&b.now) {
        std::cmp::Ordering::Less => (Which::A, b.now),
        std::cmp::Ordering::Greater => (Which::B, a.now),
        std::cmp::Ordering::Equal if !a.settled => (Which::A, past(a.now)),
        std::cmp::Ordering::Equal => (Which::B, past(b.now)),
    })
}

/// One of the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The scenario the page was opened on.
    A,
    /// The variant.
    B,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::app_defaults;
    use sim_core::Simulation;

    fn run(config: Config, seconds: u64) -> String {
        let mut s = Simulation::new(config).expect("a valid config");
        s.step_until(sim_core::SimTime::from_secs_f64(seconds as f64));
        crate::export::json(&s)
    }

    fn side(now_ms: u64, playing: bool, finished: bool) -> Side {
        Side { now: SimTime(now_ms * 1_000_000), playing, finished, settled: true }
    }

    #[test]
    fn lockstep_holds_the_side_ahead_until_the_other_comes_up() {
        let (a, b) = (side(1500, true, false), side(1200, true, false));
        assert_eq!(lockstep(a, b), (Move::Wait, Move::CatchUp(a.now)));
        assert_eq!(lockstep(b, a), (Move::CatchUp(a.now), Move::Wait));
        assert_eq!(lockstep(a, a), (Move::Frame, Move::Frame), "at one instant both advance");
        // An ended run, or one stopped, holds nothing up.
        assert_eq!(lockstep(a, side(1200, true, true)), (Move::Frame, Move::Frame));
        assert_eq!(lockstep(side(1500, false, false), b), (Move::Frame, Move::Frame));
    }

    #[test]
    fn a_pause_between_replies_brings_the_side_behind_up() {
        let (a, b) = (side(2000, false, false), side(1900, false, false));
        assert_eq!(align(a, b), Some((Which::B, a.now)));
        assert_eq!(align(b, a), Some((Which::A, a.now)));
        assert_eq!(align(a, a), None);
        assert_eq!(align(side(2000, true, false), b), None, "playing: the lockstep does it");
        assert_eq!(align(side(2000, false, true), b), None, "an ended side does not pull the other on");
    }

    #[test]
    fn a_step_cut_short_finishes_its_nanosecond_before_the_sides_are_level() {
        let a = side(2000, false, false);
        let cut = Side { settled: false, ..a };
        assert!(level(a, a) && !level(a, cut) && !level(cut, a));
        let next = SimTime(a.now.0 + 1);
        assert_eq!(align(cut, a), Some((Which::A, next)));
        assert_eq!(align(a, cut), Some((Which::B, next)));
        // Cut short and ahead: the other comes up first, then it finishes.
        assert_eq!(align(side(1900, false, false), cut), Some((Which::A, a.now)));
    }

    #[test]
    fn only_compare_links_compare() {
        assert_eq!(from_query("?rate=50", &app_defaults()).0, None);
    }

    #[test]
    fn the_link_round_trips_with_b_on_a_seed() {
        let d = app_defaults();
        let mut a = d.clone();
        a.seed = 7;
        let mut b = a.clone();
        b.seed = 99;
        crate::knobs::by_param("rate").expect("rate").parse_into(&mut b, "77").expect("rate=77");
        let (link, errors) = from_query(&query(&a, &b, &d, 2.0), &d);
        assert!(errors.is_empty(), "{errors:?}");
        let link = link.expect("a comparison");
        assert_eq!(link.a.config, a);
        assert_eq!(link.a.speed, Some(2.0));
        b.seed = 7;
        assert_eq!(link.b, b);
    }

    #[test]
    fn compare_opens_on_the_scenario_with_b_a_copy_of_it() {
        let d = app_defaults();
        let mut c = d.clone();
        c.seed = 5;
        crate::knobs::by_param("rate").expect("rate").parse_into(&mut c, "150").expect("rate=150");
        c.traffic.spike_mult = 2.5;
        for scenario in [link_query(&c, &d, 3.0, None, &SharedView::default()), String::new()] {
            let (link, errors) = from_query(&duplicate_query(&scenario), &d);
            assert!(errors.is_empty(), "{scenario}: {errors:?}");
            let link = link.expect("a comparison");
            let want = if scenario.is_empty() { &d } else { &c };
            assert_eq!(&link.a.config, want, "{scenario}");
            assert_eq!(link.b, link.a.config, "{scenario}");
        }
    }

    #[test]
    fn a_bad_b_is_named_and_b_copies_a() {
        let d = app_defaults();
        let (link, errors) = from_query("?rate=77&compare&b=9.xyz", &d);
        let link = link.expect("a comparison");
        assert_eq!(link.b, link.a.config);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].param, "b");
    }

    #[test]
    fn a_duplicate_differs_by_zero_and_fewer_attempts_retry_less() {
        let mut a = app_defaults();
        a.seed = 3;
        let same = rows(&run(a.clone(), 20), &run(a.clone(), 20));
        assert!(!same.is_empty() && same.iter().all(|r| r.diff() == 0), "seed 3: {same:?}");
        let mut b = a.clone();
        crate::knobs::by_param("attempts").expect("attempts").parse_into(&mut b, "1").expect("attempts=1");
        let r = rows(&run(a.clone(), 20), &run(b, 20));
        let offered = r.iter().find(|r| r.key == "offered").expect("offered");
        assert_eq!(offered.diff(), 0, "seed 3: the same arrivals on both sides");
        let attempts = r.iter().find(|r| r.key == "attempts").expect("attempts");
        assert!(attempts.diff() <= 0, "seed 3: one attempt makes no more attempts: {attempts:?}");
    }
}
