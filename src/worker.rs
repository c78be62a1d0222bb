//! The engine's side of the Web Worker: one run of the simulation, driven by
//! [`Command`]s and answered with [`Reply`]s.
//!
//! Free of browser types: the worker binary (`src/bin/brink-worker.rs`) only
//! moves text between `onmessage` and this runner, and native tests drive
//! the same runner in-process. The runner steps exactly to the instants the
//! page asks for, so the run is the one `brink run` makes on the same seed
//! whatever the frame timing (test `a_run_through_the_worker_equals_a_native_run`).

use crate::wire::{Answer, Command, Query, Reply, SeriesDelta};
use sim_core::lesson::FineSeries;
use sim_core::{SimTime, Simulation};

/// The worker's entry point: answers every message (a JSON [`Command`])
/// with a JSON [`Reply`] until the page terminates it.
#[cfg(target_arch = "wasm32")]
pub fn serve() {
    use std::cell::RefCell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn now() -> f64 {
        js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>().performance().map_or(0.0, |p| p.now())
    }
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let runner = RefCell::new(Runner::new(now));
    let out = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        match crate::wire::decode::<Command>(&text) {
            Ok(command) => {
                if let Some(reply) = runner.borrow_mut().handle(command) {
                    let _ = out.post_message(&JsValue::from_str(&crate::wire::encode(&reply)));
                }
            }
            Err(err) => web_sys::console::error_1(&err.into()),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker: nothing else can own it.
    on_message.forget();
    // Messages that arrived while the module loaded had no handler and are
    // lost: the page holds its commands until it hears this.
    let _ = scope.post_message(&JsValue::from_str(crate::wire::READY));
}

/// One run and what the page has been sent of it.
pub struct Runner {
    run: u64,
    sim: Option<Simulation>,
    /// Seconds sent as completed: later replies start at this second.
    sent: usize,
    /// The 100 ms view a lesson asks for (`Command::Advance::fine`), and
    /// how many of its buckets the page has.
    fine: FineSeries,
    fine_sent: usize,
    clock: fn() -> f64,
}

impl Runner {
    /// A runner with no run yet; `clock` reads wall time in ms.
    pub fn new(clock: fn() -> f64) -> Runner {
        Runner { run: 0, sim: None, sent: 0, fine: FineSeries::default(), fine_sent: 0, clock }
    }

    /// Carries out one command; `None` for a command aimed at another run
    /// (a reset overtook it) or sent before any run started.
    pub fn handle(&mut self, command: Command) -> Option<Reply> {
        let t0 = (self.clock)();
        if let Command::Start { run, config } = command {
            return match Simulation::new(*config) {
                Ok(sim) => {
                    (self.run, self.sim, self.sent) = (run, Some(sim), 0);
                    (self.fine, self.fine_sent) = (FineSeries::default(), 0);
                    Some(self.reply(t0, Outcome::default()))
                }
                // The page validated the config, so this is a bug: say so
                // on the run that asked, which keeps the old one.
                Err(e) => self.sim.is_some().then(|| self.reply(t0, Outcome::error(e.to_string()))),
            };
        }
        if command.run() != self.run {
            return None;
        }
        let sim = self.sim.as_mut()?;
        let outcome = match command {
            Command::Start { .. } => unreachable!("handled above"),
            Command::Reconfigure { config, .. } => match sim.reconfigure(&config) {
                Ok(_) => Outcome { config: true, ..Outcome::default() },
                Err(e) => Outcome::error(format!("Change not applied: {e}")),
            },
            Command::Advance { target, budget, fine: true, .. } => {
                let e0 = sim.events_processed();
                let reached = crate::lessons::step_recording(sim, &mut self.fine, target, budget.unwrap_or(u64::MAX));
                Outcome { stepped: sim.events_processed() - e0, reached, ..Outcome::default() }
            }
            Command::Advance { target, budget, crash, .. } => advance(sim, target, budget, crash),
            Command::Crash { node, .. } => Outcome { crashed: sim.crash_node(node), ..Outcome::default() },
            Command::Fault { fault, .. } => match sim.fire_fault(fault) {
                Ok(()) => Outcome::default(),
                Err(e) => Outcome::error(format!("Fault not fired: {e}")),
            },
            Command::Ask { query, .. } => Outcome { answer: Some(answer(sim, query)), ..Outcome::default() },
        };
        Some(self.reply(t0, outcome))
    }

    /// The answer: the snapshot and the seconds from the last one sent as
    /// completed up to the one in progress. The last completed second is
    /// sent again because its CPU and pool-wait rows are written by the
    /// sample at the start of the next second, which runs after the second
    /// is marked complete (sim-core's `on_sample`).
    fn reply(&mut self, t0: f64, o: Outcome) -> Reply {
        let sim = self.sim.as_ref().expect("a reply follows a run");
        let (from, to) = (self.sent.saturating_sub(1), sim.completed_seconds() + 1);
        self.sent = sim.completed_seconds();
        let services = (0..).map_while(|i| sim.service_series(i)).map(|s| SeriesDelta::cut(s, from, to)).collect();
        let fine_from = self.fine_sent;
        self.fine_sent = self.fine.attempts.len();
        Reply {
            run: self.run,
            snapshot: sim.snapshot(),
            events: sim.events_processed(),
            stepped: o.stepped,
            reached: o.reached,
            crash_fired: o.crash_fired,
            crashed: o.crashed,
            elapsed_ms: (self.clock)() - t0,
            error: o.error,
            series: SeriesDelta::cut(sim.series(), from, to),
            services,
            config: o.config.then(|| Box::new(sim.config().clone())),
            fine_from,
            fine_attempts: self.fine.attempts[fine_from..].to_vec(),
            fine_offered: self.fine.offered[fine_from..].to_vec(),
            answer: o.answer,
        }
    }
}

/// What one command did, before it is packed into a reply.
struct Outcome {
    stepped: u64,
    reached: bool,
    crash_fired: bool,
    crashed: bool,
    error: Option<String>,
    config: bool,
    answer: Option<Answer>,
}

impl Default for Outcome {
    fn default() -> Outcome {
        Outcome {
            stepped: 0,
            reached: true,
            crash_fired: false,
            crashed: false,
            error: None,
            config: false,
            answer: None,
        }
    }
}

impl Outcome {
    fn error(text: String) -> Outcome {
        Outcome { error: Some(text), ..Outcome::default() }
    }
}

/// Answers `query` from the run as it stands, with the code `brink run`
/// uses for the same document.
fn answer(sim: &Simulation, query: Query) -> Answer {
    match query {
        Query::Report => Answer::Text(crate::export::json(sim)),
        Query::Csv => Answer::Text(crate::export::csv(sim)),
        Query::Otlp => Answer::Text(sim.traces().map(|t| sim_core::trace::otlp::to_string(&t)).unwrap_or_default()),
        Query::Trace(pick) => Answer::Trace(sim.traces().and_then(|mut t| {
            let i = crate::trace_view::pick(&t, pick)?;
            t.traces = vec![t.traces.swap_remove(i)];
            Some(t)
        })),
    }
}

/// Steps towards `target` within `budget` events. A scheduled crash stops
/// the stepping at its instant, so it lands where the preset placed it
/// whatever the speed.
fn advance(sim: &mut Simulation, target: SimTime, budget: Option<u64>, crash: Option<(SimTime, u32)>) -> Outcome {
    let e0 = sim.events_processed();
    let step = |sim: &mut Simulation, to: SimTime| match budget {
        Some(b) => {
            let used = sim.events_processed() - e0;
            sim.step_until_budget(to, b.saturating_sub(used).max(1))
        }
        None => {
            sim.step_until(to);
            true
        }
    };
    let mut o = Outcome::default();
    if let Some((at, node)) = crash.filter(|&(at, _)| at <= target) {
        o.reached = step(sim, at);
        if o.reached {
            sim.crash_node(node);
            o.crash_fired = true;
        }
    }
    if o.reached {
        o.reached = step(sim, target);
    }
    o.stepped = sim.events_processed() - e0;
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::templates::TEMPLATES;
    use sim_core::lesson::LESSONS;
    use sim_core::Config;

    fn lesson_config(name: &str) -> Config {
        LESSONS.iter().find(|l| l.name == name).unwrap().config()
    }

    fn config_services(sim: &Simulation) -> usize {
        (0..).take_while(|&i| sim.service_series(i).is_some()).count()
    }

    #[test]
    fn the_page_view_equals_the_run_after_uneven_steps() {
        let systems = TEMPLATES.iter().map(|t| (t.name, (t.build)()));
        let lessons = ["thread-pool-switching", "thundering-herd", "retry-waves"].map(|n| (n, lesson_config(n)));
        for (name, config) in lessons.into_iter().chain(systems) {
            let engine = Engine::new(config.clone()).unwrap();
            let mut sim = Simulation::new(config).unwrap();
            let mut t = 0.0;
            for i in 0..30 {
                t += 0.137 * (1 + i % 5) as f64;
                // The 100 ms recording of a lesson stops at every bucket:
                // it must not change the run.
                engine.advance(SimTime::from_secs_f64(t), None, None, i % 2 == 0);
                let now = engine.sim().snapshot().now;
                sim.step_until(now);
                assert_eq!(engine.sim().series(), sim.series(), "{name}: step {i}, {now:?}");
                for k in 0..config_services(&sim) {
                    assert_eq!(engine.sim().service_series(k), sim.service_series(k), "{name}: service {k}, step {i}");
                }
            }
        }
    }

    /// A page whose engine answers later through JSON, as the worker does:
    /// commands queue in `OUTBOX`, and `deliver` runs them and feeds the
    /// replies back as actions.
    mod async_page {
        use super::*;
        use crate::engine;
        use crate::state::{Action, AppState};
        use crate::testkit::{frozen_clock, settings};
        use crate::trace_view::TracePick;
        use crate::wire::{self, Command, Query, Reply};
        use std::cell::RefCell;
        use std::rc::Rc;

        thread_local! {
            static OUTBOX: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
            /// A second worker's, for the compare page's side B.
            static OUTBOX_B: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
        }

        fn page(query: &str) -> AppState {
            engine::connect(Rc::new(|text| OUTBOX.with(|o| o.borrow_mut().push(text))));
            let s = AppState::new(settings(query), Vec::new(), frozen_clock);
            engine::disconnect();
            s
        }

        /// The worker's side: every queued command, answered in order.
        fn deliver(s: &mut AppState, worker: &mut Runner) -> usize {
            deliver_from(&OUTBOX, s, worker)
        }

        fn deliver_from(
            outbox: &'static std::thread::LocalKey<RefCell<Vec<String>>>,
            s: &mut AppState,
            worker: &mut Runner,
        ) -> usize {
            let sent = outbox.with(|o| std::mem::take(&mut *o.borrow_mut()));
            for text in &sent {
                let command: Command = wire::decode(text).unwrap();
                if let Some(r) = worker.handle(command) {
                    let back: Reply = wire::decode(&wire::encode(&r)).unwrap();
                    s.apply(Action::Engine(Rc::new(back)));
                }
            }
            sent.len()
        }

        #[test]
        fn a_run_through_the_worker_equals_a_native_run() {
            let mut s = page("seed=7&speed=100&play");
            let mut worker = Runner::new(|| 0.0);
            assert!(!s.engine.is_local());
            let mut ts = 0.0;
            // Uneven frames, and the worker answering only every other one:
            // the page asks again only once answered, owing the time between.
            for i in 0..400 {
                ts += [16.7, 33.0, 8.0, 100.0][i % 4];
                s.apply(Action::Frame(ts));
                if i % 2 == 1 {
                    deliver(&mut s, &mut worker);
                }
            }
            deliver(&mut s, &mut worker);
            let completed = s.snapshot.completed_seconds;
            assert!(completed >= 20, "only {completed} seconds in 400 frames at 100×");
            let mut native = Simulation::new(s.engine.sim().config().clone()).unwrap();
            native.step_until(SimTime::from_secs(completed as u64 + 1));
            let view = s.engine.sim();
            for c in [sim_core::Counter::Offered, sim_core::Counter::Goodput, sim_core::Counter::TimedOut] {
                assert_eq!(
                    view.series().counter(c).unwrap()[..completed],
                    native.series().counter(c).unwrap()[..completed],
                    "{c:?} over {completed} s"
                );
            }
            assert_eq!(view.series().latency_p99_ms[..completed], native.series().latency_p99_ms[..completed]);
            assert_eq!(view.series().cpu.useful[..completed], native.series().cpu.useful[..completed]);
        }

        #[test]
        fn knobs_faults_steps_and_resets_reach_the_worker() {
            let mut s = page("");
            let mut worker = Runner::new(|| 0.0);
            deliver(&mut s, &mut worker);
            s.apply(Action::SetKnob("traffic.rate_per_s", 20_000.0));
            assert_eq!(s.engine.sim().config().traffic.rate_per_s, 20_000.0, "checked and shown at once");
            s.apply(Action::Step);
            assert_eq!(s.snapshot.now, SimTime::ZERO, "the step waits for the worker");
            let rev = s.chart_rev;
            assert_eq!(deliver(&mut s, &mut worker), 2);
            assert_eq!(s.snapshot.now, SimTime::from_secs(1));
            assert!(s.chart_rev > rev, "the step's reply redraws the charts");
            let offered = s.engine.sim().series().offered[0];
            assert!((19_000..21_000).contains(&offered), "the worker ran the new rate: {offered}");
            let fault = s.fault_for(sim_core::FaultKind::CapacityLoss).unwrap();
            s.apply(Action::FireFault(fault));
            s.apply(Action::Step);
            deliver(&mut s, &mut worker);
            assert!(s.notices.is_empty(), "{:?}", s.notices);
            s.apply(Action::Reset);
            // A reply of the old run that arrives after the reset is dropped.
            s.apply(Action::Step);
            deliver(&mut s, &mut worker);
            assert_eq!(s.snapshot.now, SimTime::from_secs(1), "the new run stepped once");
            assert_eq!(s.engine.sim().config().traffic.rate_per_s, 20_000.0);
        }

        #[test]
        fn exports_and_traces_are_asked_of_the_worker_and_equal_a_native_run() {
            let mut s = page("seed=5&traces=5&rate=14000");
            let mut worker = Runner::new(|| 0.0);
            for _ in 0..3 {
                s.apply(Action::Step);
                deliver(&mut s, &mut worker);
            }
            let got: Rc<RefCell<Vec<String>>> = Rc::default();
            for q in [Query::Report, Query::Csv, Query::Otlp] {
                let put = got.clone();
                s.engine.ask(q, move |text| put.borrow_mut().push(text));
            }
            assert!(got.borrow().is_empty(), "the answers wait for the worker");
            assert_eq!(s.engine.ask_now(Query::Report), None, "no answer at once through the worker");
            s.apply(Action::PickTrace(TracePick::Node { service: 0, node: 1 }));
            deliver(&mut s, &mut worker);
            let mut native = Simulation::new(s.engine.sim().config().clone()).unwrap();
            native.step_until(SimTime::from_secs(3));
            let traces = native.traces().expect("traces on");
            let want =
                [crate::export::json(&native), crate::export::csv(&native), sim_core::trace::otlp::to_string(&traces)];
            assert_eq!(*got.borrow(), want, "seed 5: report, CSV and OTLP byte for byte, in the order asked");
            let shown = s.engine.sim().trace().expect("a trace was picked");
            let i = crate::trace_view::pick(&traces, TracePick::Node { service: 0, node: 1 }).unwrap();
            assert_eq!(shown.traces, [traces.traces[i].clone()], "seed 5: the trace native picking chooses, alone");
            assert_eq!(shown.services, traces.services);
        }

        /// The compare page: two hooks connect two workers, A's then B's,
        /// and each side keeps its own through resets; the lockstep holds
        /// the side ahead while the slower worker answers, and a pause
        /// between replies ends with both at one instant.
        #[test]
        fn each_compare_side_keeps_its_worker_and_the_sides_meet() {
            use crate::compare::{align, lockstep, Side, Which};
            engine::connect(Rc::new(|text| OUTBOX.with(|o| o.borrow_mut().push(text))));
            let mut a = AppState::new(settings("seed=3&speed=100&play"), Vec::new(), frozen_clock);
            engine::connect(Rc::new(|text| OUTBOX_B.with(|o| o.borrow_mut().push(text))));
            let mut b = AppState::new(settings("seed=3&speed=100&play&attempts=1"), Vec::new(), frozen_clock);
            let (mut wa, mut wb) = (Runner::new(|| 0.0), Runner::new(|| 0.0));
            a.apply(Action::Reset);
            assert_eq!(OUTBOX.with(|o| o.borrow().len()), 2, "A's reset went to A's worker");
            assert_eq!(OUTBOX_B.with(|o| o.borrow().len()), 1, "B's worker has B's start alone");
            let (mut ts, mut met) = (0.0, 0);
            for i in 0..300 {
                ts += 16.7;
                let (ma, mb) = lockstep(Side::of(&a), Side::of(&b));
                ma.actions(ts).into_iter().for_each(|x| a.apply(x));
                mb.actions(ts).into_iter().for_each(|x| b.apply(x));
                deliver_from(&OUTBOX, &mut a, &mut wa);
                // B's worker answers one frame in three.
                if i % 3 == 0 {
                    deliver_from(&OUTBOX_B, &mut b, &mut wb);
                }
                let gap = a.snapshot.now.0.abs_diff(b.snapshot.now.0);
                assert!(gap <= SimTime::from_secs(6).0, "frame {i}: {:?} against {:?}", a.snapshot.now, b.snapshot.now);
                met += usize::from(gap == 0);
            }
            assert!(b.snapshot.now > SimTime::from_secs(20), "both ran: {:?}", b.snapshot.now);
            assert!(met > 30, "the sides met at {met} frames of 300");
            a.apply(Action::Pause);
            b.apply(Action::Pause);
            // A pause that lands on a step cut short by its event budget:
            // A stops at an event's nanosecond with others of it to come.
            a.engine.advance(SimTime(a.snapshot.now.0 + SimTime::from_secs(5).0), Some(777), None, false);
            deliver_from(&OUTBOX, &mut a, &mut wa);
            assert!(a.behind, "A's step was cut short");
            while let Some((which, t)) = align(Side::of(&a), Side::of(&b)) {
                match which {
                    Which::A => a.apply(Action::CatchUp(t)),
                    Which::B => b.apply(Action::CatchUp(t)),
                }
                deliver_from(&OUTBOX, &mut a, &mut wa);
                deliver_from(&OUTBOX_B, &mut b, &mut wb);
            }
            assert!(crate::compare::level(Side::of(&a), Side::of(&b)), "paused at one instant, every step finished");
            for (s, outbox, worker) in [(&mut a, &OUTBOX, &mut wa), (&mut b, &OUTBOX_B, &mut wb)] {
                let mut native = Simulation::new(s.engine.sim().config().clone()).unwrap();
                native.step_until(s.snapshot.now);
                let got: Rc<RefCell<Option<String>>> = Rc::default();
                let put = got.clone();
                s.engine.ask(Query::Report, move |t| *put.borrow_mut() = Some(t));
                deliver_from(outbox, s, worker);
                let want = crate::export::json(&native);
                // Not `assert_eq!`: a report is thousands of lines.
                assert!(got.take() == Some(want), "seed 3: the report at the shared instant, {:?}", s.snapshot.now);
            }
            engine::disconnect();
        }

        #[test]
        fn the_compare_page_gets_its_report_at_once_in_process() {
            let s = AppState::new(settings("seed=5"), Vec::new(), frozen_clock);
            assert!(s.engine.is_local());
            s.engine.step_until(SimTime::from_secs(2));
            let mut native = Simulation::new(s.engine.sim().config().clone()).unwrap();
            native.step_until(SimTime::from_secs(2));
            assert_eq!(s.engine.ask_now(Query::Report), Some(crate::export::json(&native)), "seed 5");
        }

        #[test]
        fn a_reply_is_small_and_quick_to_encode() {
            let mut worker = Runner::new(|| 0.0);
            let config = crate::defaults::app_defaults();
            worker.handle(Command::Start { run: 1, config: Box::new(config) });
            let (mut largest, mut coding) = (0, std::time::Duration::ZERO);
            for k in 1..=60u64 {
                // Three simulated seconds per reply: 200× at 60 frames per second.
                let r = worker.handle(Command::Advance {
                    run: 1,
                    target: SimTime::from_secs(3 * k),
                    budget: None,
                    crash: None,
                    fine: false,
                });
                let t0 = std::time::Instant::now();
                let text = wire::encode(&r.unwrap());
                let back: Reply = wire::decode(&text).unwrap();
                coding += t0.elapsed();
                assert_eq!(back.run, 1);
                largest = largest.max(text.len());
            }
            // Printed for docs/APP.md, never asserted: wall time depends on the machine.
            eprintln!("largest reply {largest} bytes of JSON; encode + decode {:?} per reply on average", coding / 60);
            assert!(largest < 16_384, "a reply of {largest} bytes");
        }
    }
}
