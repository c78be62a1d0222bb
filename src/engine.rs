//! The page's handle on the running simulation.
//!
//! On the page the run lives in a Web Worker ([`crate::worker::Runner`]
//! behind `src/bin/brink-worker.rs`); the handle keeps a [`View`] of it (the
//! configuration, the last snapshot and every per-second series) fed by the
//! worker's replies, so the main thread only draws. Natively, and in the
//! component tests, no worker is connected and the same runner answers
//! in-process at once: one code path, two transports.
//!
//! The app state holds a reference-counted handle; two handles are equal
//! only when they point at the same run, which is what components need to
//! know whether a reset happened.

use crate::trace_view::TracePick;
use crate::wire::{self, Answer, Command, Query, Reply};
use crate::worker::Runner;
use sim_core::trace::Traces;
use sim_core::{Config, ConfigError, Fault, Reconfigured, Series, SimTime, Simulation, Snapshot};
use std::cell::{Cell, Ref, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Sends one encoded command to the worker.
pub type Port = Rc<dyn Fn(String)>;

thread_local! {
    static PORT: RefCell<Option<Port>> = const { RefCell::new(None) };
    static RUNS: Cell<u64> = const { Cell::new(0) };
}

/// Routes every run started from now on through `port` (the page's worker);
/// its replies come back as [`crate::state::Action::Engine`].
pub fn connect(port: Port) {
    PORT.with(|p| *p.borrow_mut() = Some(port));
}

/// Forgets the worker (the page unmounts): later runs step in-process.
pub fn disconnect() {
    PORT.with(|p| *p.borrow_mut() = None);
}

fn port() -> Option<Port> {
    PORT.with(|p| p.borrow().clone())
}

/// What the page knows of the run: all it draws from.
#[derive(Debug, Clone)]
pub struct View {
    config: Config,
    series: Series,
    services: Vec<Series>,
    snapshot: Snapshot,
    events: u64,
    /// The sampled trace last asked for ([`Engine::ask_trace`]).
    trace: Option<Rc<Traces>>,
}

impl View {
    /// The configuration in force (restart-only fields as at creation).
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// The run's per-second series.
    pub fn series(&self) -> &Series {
        &self.series
    }
    /// Service `index`'s series in a system of services, else `None`.
    pub fn service_series(&self, index: usize) -> Option<&Series> {
        self.services.get(index)
    }
    /// Whole seconds completed.
    pub fn completed_seconds(&self) -> usize {
        self.snapshot.completed_seconds
    }
    /// The system at the last reply.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot.clone()
    }
    /// Events processed by the run so far.
    pub fn events_processed(&self) -> u64 {
        self.events
    }
    /// The simulated instant reached.
    pub fn now(&self) -> SimTime {
        self.snapshot.now
    }
    /// True once the run reached its end or halted, as
    /// `Simulation::is_finished` says.
    pub fn is_finished(&self) -> bool {
        self.snapshot.now >= self.snapshot.end || self.snapshot.halted.is_some()
    }
    /// The sampled trace last asked for, alone, with the run's service
    /// names; `None` before any was asked or while none is kept.
    pub fn trace(&self) -> Option<Rc<Traces>> {
        self.trace.clone()
    }

    fn absorb(&mut self, r: &Reply) {
        r.series.paste(&mut self.series);
        for (s, d) in self.services.iter_mut().zip(&r.services) {
            d.paste(s);
        }
        self.snapshot = r.snapshot.clone();
        self.events = r.events;
        if let Some(c) = &r.config {
            self.config = (**c).clone();
        }
        if let Some(Answer::Trace(t)) = &r.answer {
            self.trace = t.clone().map(Rc::new);
        }
    }
}

enum Transport {
    /// The runner answers in-process, at once.
    Local(Box<Runner>),
    /// The runner is in the worker; `busy` while a command awaits its reply.
    Worker { port: Port, busy: Cell<u32> },
}

/// Waits for the document a [`Query`] asked for.
type Then = Box<dyn FnOnce(String)>;

struct Inner {
    run: u64,
    /// Wall time, ms, for an in-process runner (kept for restarts).
    clock: fn() -> f64,
    view: RefCell<View>,
    transport: RefCell<Transport>,
    /// What to do with each document asked for and not yet answered, in
    /// the order asked (the worker answers in order).
    waiting: RefCell<VecDeque<Then>>,
}

/// A handle on one run of the simulation.
#[derive(Clone)]
pub struct Engine(Rc<Inner>);

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine(run {})", self.0.run)
    }
}

impl Engine {
    /// Validates `config` and starts a run at time zero.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        Engine::timed(config, || 0.0)
    }

    /// Like [`Engine::new`]; an in-process run reads wall time from `clock`
    /// (ms) to say how long each command took. The page builds the run once
    /// to validate it and take the time-zero snapshot (no stepping), then
    /// the worker builds its own. The run goes to the worker connected now
    /// ([`connect`]), and so do the runs [`Engine::restart`] starts from it.
    pub fn timed(config: Config, clock: fn() -> f64) -> Result<Engine, ConfigError> {
        Engine::start(config, clock, port())
    }

    /// A new run of `config` at time zero on this run's transport: the same
    /// worker, whichever page's worker was connected last. The compare page
    /// has one worker per side, so a side's reset must not follow the
    /// other's connection.
    pub fn restart(&self, config: Config) -> Result<Engine, ConfigError> {
        let port = match &*self.0.transport.borrow() {
            Transport::Worker { port, .. } => Some(port.clone()),
            Transport::Local(_) => None,
        };
        Engine::start(config, self.0.clock, port)
    }

    fn start(config: Config, clock: fn() -> f64, port: Option<Port>) -> Result<Engine, ConfigError> {
        let zero = Simulation::new(config.clone())?;
        let services = (0..).map_while(|i| zero.service_series(i)).cloned().collect();
        let view = View {
            config: zero.config().clone(),
            series: zero.series().clone(),
            services,
            snapshot: zero.snapshot(),
            events: 0,
            trace: None,
        };
        drop(zero);
        let run = RUNS.with(|r| {
            r.set(r.get() + 1);
            r.get()
        });
        let transport = match port {
            Some(port) => Transport::Worker { port, busy: Cell::new(0) },
            None => Transport::Local(Box::new(Runner::new(clock))),
        };
        let engine = Engine(Rc::new(Inner {
            run,
            clock,
            view: RefCell::new(view),
            transport: RefCell::new(transport),
            waiting: RefCell::default(),
        }));
        engine.send(Command::Start { run, config: Box::new(config) });
        Ok(engine)
    }

    /// Reads what the page knows of the run.
    pub fn sim(&self) -> Ref<'_, View> {
        self.0.view.borrow()
    }

    /// True when the run steps in-process (no worker connected).
    pub fn is_local(&self) -> bool {
        matches!(&*self.0.transport.borrow(), Transport::Local(_))
    }

    /// True while the worker has not answered every command.
    pub fn busy(&self) -> bool {
        matches!(&*self.0.transport.borrow(), Transport::Worker { busy, .. } if busy.get() > 0)
    }

    /// Sends a command: in-process, its reply (already taken in); through
    /// the worker, `None` (the reply arrives as an action).
    fn send(&self, command: Command) -> Option<Reply> {
        let reply = match &mut *self.0.transport.borrow_mut() {
            Transport::Local(runner) => runner.handle(command),
            Transport::Worker { port, busy } => {
                busy.set(busy.get() + 1);
                port(wire::encode(&command));
                None
            }
        };
        if let Some(r) = &reply {
            self.0.view.borrow_mut().absorb(r);
            self.answered(r);
        }
        reply
    }

    /// Hands a document answered to the first one waiting for it.
    fn answered(&self, reply: &Reply) {
        if let Some(Answer::Text(text)) = &reply.answer {
            // Taken out before the call: it may use the engine again.
            let then = self.0.waiting.borrow_mut().pop_front();
            if let Some(then) = then {
                then(text.clone());
            }
        }
    }

    /// Asks the run for a document (the report, the CSV, the traces) and
    /// calls `then` with it: at once in-process, when the worker answers
    /// otherwise. The engine writes it with the CLI's code, so the page's
    /// export is `brink run`'s byte for byte.
    pub fn ask(&self, query: Query, then: impl FnOnce(String) + 'static) {
        self.0.waiting.borrow_mut().push_back(Box::new(then));
        self.send(Command::Ask { run: self.0.run, query });
    }

    /// Like [`Engine::ask`] for a run stepped in-process (the native
    /// tests'): the document now; `None` through the worker.
    pub fn ask_now(&self, query: Query) -> Option<String> {
        if !self.is_local() {
            return None;
        }
        let out = Rc::new(RefCell::new(None));
        let put = out.clone();
        self.ask(query, move |text| *put.borrow_mut() = Some(text));
        out.take()
    }

    /// Asks the worker for the sampled trace `pick` chooses; the answer
    /// lands in [`View::trace`].
    pub fn ask_trace(&self, pick: TracePick) {
        self.send(Command::Ask { run: self.0.run, query: Query::Trace(pick) });
    }

    /// Takes in a reply from the worker; false when it belongs to another run.
    pub fn absorb(&self, reply: &Reply) -> bool {
        if reply.run != self.0.run {
            return false;
        }
        if let Transport::Worker { busy, .. } = &*self.0.transport.borrow() {
            busy.set(busy.get().saturating_sub(1));
        }
        self.0.view.borrow_mut().absorb(reply);
        self.answered(reply);
        true
    }

    /// Checks a knob change on the page and sends it: the run applies it
    /// from the instant it has reached when the command arrives.
    pub fn reconfigure(&self, next: &Config) -> Result<Reconfigured, ConfigError> {
        let (config, out) = {
            let v = self.sim();
            Reconfigured::plan(&v.config, next, v.snapshot.now.as_secs_f64(), v.events)?
        };
        self.0.view.borrow_mut().config = config;
        self.send(Command::Reconfigure { run: self.0.run, config: Box::new(next.clone()) });
        Ok(out)
    }

    /// Kills a node now; false when it is known to be down already.
    pub fn crash_node(&self, node: u32) -> bool {
        match self.send(Command::Crash { run: self.0.run, node }) {
            Some(r) => r.crashed,
            None => true,
        }
    }

    /// Checks a fault on the page (as the engine does) and fires it.
    pub fn fire_fault(&self, fault: Fault) -> Result<(), ConfigError> {
        {
            let v = self.sim();
            let mut check = v.config.clone();
            check.faults = vec![Fault { at_s: 0.0, ..fault.clone() }];
            check.validate_from(v.snapshot.now.as_secs_f64(), v.events)?;
        }
        self.send(Command::Fault { run: self.0.run, fault });
        Ok(())
    }

    /// Steps towards `target` within `budget` events; `crash` is a preset's
    /// scheduled crash. In-process, returns the reply.
    /// With `fine`, the run records its 100 ms view of attempts too.
    pub fn advance(
        &self,
        target: SimTime,
        budget: Option<u64>,
        crash: Option<(SimTime, u32)>,
        fine: bool,
    ) -> Option<Reply> {
        self.send(Command::Advance { run: self.0.run, target, budget, crash, fine })
    }

    /// Steps to `target` in full and waits for it: in-process only (the
    /// native tests' way to run ahead); through the worker it is sent.
    pub fn step_until(&self, target: SimTime) {
        self.advance(target, None, None, false);
    }
}

impl PartialEq for Engine {
    fn eq(&self, other: &Engine) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_equal_only_on_the_same_run() {
        let a = Engine::new(Config::default()).unwrap();
        let b = a.clone();
        assert_eq!(a, b);
        assert_ne!(a, Engine::new(Config::default()).unwrap(), "a new run with the same knobs is a new run");
        b.step_until(SimTime::from_secs(1));
        assert_eq!(a.sim().snapshot().now, SimTime::from_secs(1), "clones share the run");
    }

    #[test]
    fn an_invalid_config_is_refused() {
        let mut c = Config::default();
        c.nodes.count = 0;
        let e = Engine::new(c).unwrap_err();
        assert_eq!(e.field(), "nodes.count");
    }
}
