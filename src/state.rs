//! The playground's state and every change to it, as one reducer.
//!
//! Free of any UI framework: the Yew glue (`impl Reducible`) lives in the
//! components, and these types are tested without rendering anything.

use crate::defaults::app_defaults;
use crate::engine::Engine;
use crate::knobs::{self, Group, Target};
use crate::lessons::LessonRun;
use crate::pacing::{Pacer, PerfMeter, FIRST_FRAME_DT_MS, MAX_FRAME_DT_MS, WORKER_MS_PER_FRAME};
use crate::system::{self, NewCall, NewService};
use crate::templates::TEMPLATES;
use crate::url::{parse_seed, ParamError, UrlSettings, SPEED_RANGE};
use crate::wire::Reply;
use sim_core::{Config, Fault, FaultKind, Series, SimTime, Snapshot};
use std::rc::Rc;

/// Charts are redrawn at most once every this many frames, however many
/// simulated seconds complete in between.
pub const FRAMES_PER_CHART: u32 = 3;

/// A message shown above the charts until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Identity for dismissal.
    pub id: u64,
    /// The message.
    pub text: String,
}

/// Everything the user can do, plus the animation frame tick.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Start running.
    Play,
    /// Stop running.
    Pause,
    /// Pause, then advance exactly one simulated second.
    Step,
    /// Start a new run at time zero with the current knobs.
    Reset,
    /// Simulated seconds per wall second.
    SetSpeed(f64),
    /// A numeric knob (named by its id: a catalogue path, or a derived
    /// knob's id) moved.
    SetKnob(&'static str, f64),
    /// A typed value for a knob, to be parsed and checked.
    TypeKnob(&'static str, String),
    /// A mechanism (named by its switch's catalogue path) switched on or off.
    SetToggle(&'static str, bool),
    /// An option (by name) chosen in a select (named by its catalogue path).
    SetChoice(&'static str, String),
    /// Kill this node (counted from 0) now; it restarts after the restart time.
    CrashNode(u32),
    /// Seed typed; applies on reset.
    SetSeed(String),
    /// Start a spike at the current instant.
    SpikeNow,
    /// Start lesson `i` (index into `sim_core::LESSONS`) at its first step:
    /// a new run on its scenario.
    LoadLesson(usize),
    /// Put one group's knobs back to their defaults.
    ResetGroup(Group),
    /// An animation frame at this `requestAnimationFrame` timestamp, ms.
    Frame(f64),
    /// An animation frame in which this run waits for another (the compare
    /// page's lockstep, `compare::lockstep`): it owes no simulated time.
    Wait(f64),
    /// Advance to this instant and no further, within each frame's event
    /// budget, playing or paused: the compare page brings the side that
    /// lags to the other's time, so both are compared at one instant.
    CatchUp(SimTime),
    /// Hide a notice.
    Dismiss(u64),
    /// Hide the template's story line.
    HideStory,
    /// Select a service (index into the snapshot's services, the entry
    /// first): the knob panel then shows its knobs.
    SelectService(usize),
    /// Reset the run on a template's topology (index into `TEMPLATES`).
    LoadTemplate(usize),
    /// A knob, toggle or select action aimed at call `k` of the selected
    /// service (its client policy) instead of the entry client.
    OnCall(usize, Box<Action>),
    /// Add a service to the system; applies on reset.
    AddService(NewService),
    /// Add a call edge; applies on reset.
    AddCall(NewCall),
    /// Remove a service (not the entry) and the calls to it; applies on reset.
    RemoveService(usize),
    /// Remove call `k` of service `i`; applies on reset.
    RemoveCall(usize, usize),
    /// Chart the whole system (`None`) or one service.
    ChartService(Option<usize>),
    /// Fire a fault now.
    FireFault(Fault),
    /// Start lesson `.0` at step `.1` (counted from 0), the earlier steps'
    /// changes made: how a `?lesson=NAME&step=K` link opens.
    OpenLesson(usize, usize),
    /// Show the lesson banner's story and steps (true) or only its title line.
    ExpandLesson(bool),
    /// Leave the lesson; the run goes on.
    CloseLesson,
    /// Start a new run on an imported scenario (export.rs).
    Import(Box<Config>),
    /// Show a message (a refused import, a failed export).
    Notify(String),
    /// Show the sampled trace nearest to what was clicked.
    PickTrace(crate::trace_view::TracePick),
    /// The engine's worker answered a command.
    Engine(Rc<Reply>),
}

/// The playground's state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The running simulation.
    pub engine: Engine,
    /// What the knobs say; equals the engine's config except for restart
    /// fields waiting for a reset.
    pub config: Config,
    /// Defaults, for marking changed knobs.
    pub defaults: Rc<Config>,
    /// Restart fields changed since the run started (dotted names).
    pub pending_restart: Vec<&'static str>,
    /// True while the animation loop advances the simulation.
    pub playing: bool,
    /// Simulated seconds per wall second.
    pub speed: f64,
    /// The system at the last frame.
    pub snapshot: Rc<Snapshot>,
    /// Bumped whenever the charts should redraw.
    pub chart_rev: u64,
    /// True when the last step ran out of event budget before its target:
    /// the run stands at an event's nanosecond, others of it possibly still
    /// to come (`compare::Side::settled` reads it).
    pub behind: bool,
    /// Frame rate and event rate.
    pub perf: PerfMeter,
    /// Messages for the user.
    pub notices: Vec<Notice>,
    /// The lesson being followed, with its steps' progress.
    pub lesson: Option<LessonRun>,
    /// True while the lesson banner shows its story and steps.
    pub lesson_open: bool,
    /// True while the loaded template's story is shown.
    pub story_open: bool,
    /// The service the knob panel shows (index into the snapshot's
    /// services; 0, the entry, for a single tier).
    pub selected_service: usize,
    /// The template last loaded, for the menu.
    pub template: Option<usize>,
    /// The service the charts show; `None` for the whole system.
    pub chart_service: Option<usize>,
    call_target: Option<usize>,
    pacer: Pacer,
    last_frame_ms: Option<f64>,
    frames_since_chart: u32,
    charted_seconds: usize,
    next_notice: u64,
    /// What the user last clicked to see a trace (docs/TRACES.md).
    pub trace_pick: Option<crate::trace_view::TracePick>,
    /// Simulated seconds the frames asked for and the engine was not yet
    /// sent (it was busy with the last request).
    owed_s: f64,
    /// The simulated instant the last advance asked for, seconds: what a
    /// reply that fell short of it still owes.
    asked_s: f64,
    /// Events and simulated seconds taken in since the last frame.
    since_frame: (u64, f64),
    /// A step waits for the worker: its reply redraws the charts.
    redraw_on_reply: bool,
    /// The instant [`Action::CatchUp`] asked for, until reached.
    catch_up_to: Option<SimTime>,
}

impl AppState {
    /// The state for a page opened with `settings`; `errors` from the query
    /// string become notices. `clock` reads wall time in ms (the page's
    /// `performance.now()`); it measures how fast the engine runs.
    pub fn new(settings: UrlSettings, errors: Vec<ParamError>, clock: fn() -> f64) -> AppState {
        let defaults = app_defaults();
        let mut notices: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        let engine = Engine::timed(settings.config.clone(), clock).unwrap_or_else(|e| {
            notices.push(format!("{e}; using the default scenario"));
            Engine::timed(defaults.clone(), clock).expect("the default scenario is valid")
        });
        let config = engine.sim().config().clone();
        let services = config.services.len().max(1);
        let snapshot = Rc::new(engine.sim().snapshot());
        let mut state = AppState {
            engine,
            config,
            defaults: Rc::new(defaults),
            pending_restart: Vec::new(),
            playing: settings.autoplay,
            speed: settings.speed.unwrap_or(1.0),
            snapshot,
            chart_rev: 0,
            behind: false,
            perf: PerfMeter::default(),
            notices: Vec::new(),
            lesson: None,
            lesson_open: true,
            story_open: settings.template.is_some(),
            // The view a shared link carries, where the running system has it.
            selected_service: settings.view.selected_service.min(services - 1),
            template: settings.template,
            chart_service: settings.view.chart_service.filter(|&i| i < services),
            call_target: None,
            pacer: Pacer::default(),
            last_frame_ms: None,
            frames_since_chart: 0,
            charted_seconds: 0,
            next_notice: 0,
            trace_pick: None,
            owed_s: 0.0,
            asked_s: 0.0,
            since_frame: (0, 0.0),
            redraw_on_reply: false,
            catch_up_to: None,
        };
        notices.into_iter().for_each(|n| state.notify(n));
        state
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Play => self.play(),
            Action::Pause => self.playing = false,
            Action::Step => self.step_second(),
            Action::Reset => self.reset(),
            Action::SetSpeed(v) => self.speed = v.clamp(SPEED_RANGE.0, SPEED_RANGE.1),
            Action::SetKnob(id, v) => self.set_knob(id, v),
            Action::TypeKnob(id, text) => self.type_knob(id, &text),
            Action::SetToggle(id, on) => self.set_toggle(id, on),
            Action::SetChoice(id, name) => self.set_choice(id, &name),
            Action::CrashNode(node) => self.crash_node(node),
            Action::SetSeed(text) => self.set_seed(&text),
            Action::SpikeNow => self.spike_now(),
            Action::LoadLesson(i) => self.load_lesson(i, 0),
            Action::ResetGroup(g) => self.reset_group(g),
            Action::Frame(ts) => self.frame(ts),
            Action::Wait(ts) => self.last_frame_ms = Some(ts),
            Action::CatchUp(t) => {
                // What frames owed is void: the other run sets the pace.
                self.owed_s = 0.0;
                self.catch_up_to = Some(t);
                self.chase();
            }
            Action::Dismiss(id) => self.notices.retain(|n| n.id != id),
            Action::HideStory => self.story_open = false,
            Action::SelectService(i) => {
                if i < self.snapshot.services.len().max(self.config.services.len()) {
                    self.selected_service = i;
                }
            }
            Action::LoadTemplate(i) => self.load_template(i),
            Action::OnCall(k, inner) => {
                self.call_target = Some(k);
                self.apply(*inner);
                self.call_target = None;
            }
            Action::AddService(n) => self.edit_topology(system::add_service(&self.config, &n)),
            Action::AddCall(n) => self.edit_topology(system::add_call(&self.config, &n)),
            Action::RemoveService(i) => self.edit_topology(system::remove_service(&self.config, i)),
            Action::RemoveCall(i, k) => self.edit_topology(system::remove_call(&self.config, i, k)),
            Action::ChartService(i) => {
                self.chart_service = i.filter(|&i| i < self.snapshot.services.len());
                self.chart_rev += 1;
            }
            Action::FireFault(f) => self.fire_fault(f),
            Action::OpenLesson(i, step) => self.load_lesson(i, step),
            Action::ExpandLesson(open) => self.lesson_open = open,
            Action::CloseLesson => self.lesson = None,
            Action::Import(c) => {
                if self.start_on(*c) {
                    (self.template, self.lesson, self.story_open) = (None, None, false);
                }
            }
            Action::Notify(text) => self.notify(text),
            Action::PickTrace(p) => {
                // The worker picks from the traces it keeps; the answer
                // lands in the engine's view (`View::trace`).
                self.trace_pick = Some(p);
                self.engine.ask_trace(p);
            }
            Action::Engine(r) => {
                if self.engine.absorb(&r) {
                    self.took(&r);
                    if self.catch_up_to.is_some() {
                        self.chase();
                    } else if self.playing && self.behind && r.stepped > 0 {
                        // The run lags its speed: ask at once for what this
                        // reply fell short of (within the usual cap) rather
                        // than at the next frame, so the worker does not
                        // idle for the rest of this one.
                        let short = (self.asked_s - self.snapshot.now.as_secs_f64()).max(0.0);
                        self.owed_s = (self.owed_s + short).min(self.speed * MAX_FRAME_DT_MS / 1000.0);
                        self.advance_owed();
                    }
                }
            }
        }
        // After every change and every step, so a check turns green in
        // the frame that shows it, and a change starts its step at once.
        if let Some(run) = &mut self.lesson {
            let view = self.engine.sim();
            run.update(view.config(), view.series(), view.completed_seconds());
        }
    }

    /// Where the panel's tier and client controls read and write: the top
    /// level for a single tier, else the selected service (or, inside
    /// [`Action::OnCall`], one of its calls).
    pub fn target(&self) -> Target {
        let sel = self.selected_service;
        match (self.config.services.get(sel), self.call_target) {
            (None, _) => Target::TOP,
            (Some(_), None) => Target::service(sel),
            (Some(_), Some(k)) => Target::call(sel, k),
        }
    }

    /// The series the charts draw: the chosen service's, or the run's.
    pub fn chart_series<'a>(&self, sim: &'a crate::engine::View) -> &'a Series {
        crate::charts::series_of(sim, self.chart_service)
    }

    /// What the running engine has for the selected service, as a line
    /// of text: its name, nodes and workers per node.
    pub fn running_summary(&self) -> String {
        let sim = self.engine.sim();
        let system = sim.config().system();
        let Some(s) = system.get(self.selected_service) else { return String::new() };
        format!("{}: {} nodes × {} workers", s.name, s.nodes.count, s.nodes.workers)
    }

    /// The story shown under the toolbar: the template's (a lesson has
    /// its own banner).
    pub fn story(&self) -> Option<(&'static str, &'static str)> {
        if !self.story_open || self.lesson.is_some() {
            return None;
        }
        match self.template {
            Some(i) => TEMPLATES.get(i).map(|t| (t.name, t.story)),
            None => None,
        }
    }

    /// The fault a fault button fires at the selected service now (as the
    /// running engine names it); `None` when it cannot apply (a partition
    /// of a service that calls none).
    pub fn fault_for(&self, kind: FaultKind) -> Option<Fault> {
        let sel = self.selected_service;
        let s = self.snapshot.services.get(sel)?;
        let callee = s.calls.first().and_then(|c| self.snapshot.services.get(c.to as usize));
        system::fault(kind, &s.name, callee.map(|c| c.name.as_str()), sel == 0, self.snapshot.now.as_secs_f64())
    }

    /// True when the run has reached its end (or was halted).
    pub fn finished(&self) -> bool {
        self.snapshot.now >= self.snapshot.end || self.snapshot.halted.is_some()
    }

    /// True when control `id` (a knob, toggle or select) differs from the
    /// default scenario.
    pub fn changed(&self, id: &str) -> bool {
        knobs::control(id).is_some_and(|x| x.changed_at(&self.config, self.target(), &self.defaults))
    }

    fn notify(&mut self, text: String) {
        self.notices.retain(|n| n.text != text);
        self.next_notice += 1;
        self.notices.push(Notice { id: self.next_notice, text });
    }

    fn play(&mut self) {
        if !self.finished() {
            self.playing = true;
            self.last_frame_ms = None;
            self.perf.restart_window();
        }
    }

    /// Applies a knob change to the running simulation from this instant.
    /// A refused change leaves the knobs as they were and says why.
    fn set_config(&mut self, next: Config) {
        let result = self.engine.reconfigure(&next);
        match result {
            Ok(r) => {
                self.config = next;
                self.pending_restart = r.needs_restart;
            }
            Err(e) => self.notify(format!("Change not applied: {e}")),
        }
    }

    fn edit(&mut self, change: impl FnOnce(&mut Config)) {
        let mut next = self.config.clone();
        change(&mut next);
        self.set_config(next);
    }

    fn set_knob(&mut self, id: &str, v: f64) {
        if let Some(k) = knobs::knob(id) {
            let v = k.clean(v);
            let t = self.target();
            self.edit(|c| k.set_at(c, t, v));
        }
    }

    fn type_knob(&mut self, id: &str, text: &str) {
        if let Some(k) = knobs::knob(id) {
            match k.parse(text) {
                Ok(v) => self.set_knob(id, v),
                Err(e) => self.notify(format!("{}: {e}", k.label)),
            }
        }
    }

    fn set_toggle(&mut self, id: &str, on: bool) {
        if let Some(t) = knobs::toggle(id) {
            let at = self.target();
            self.edit(|c| t.set_at(c, at, on));
        }
    }

    fn set_choice(&mut self, id: &str, name: &str) {
        if let Some(s) = knobs::select(id) {
            match s.parse(name) {
                Ok(name) => {
                    let t = self.target();
                    self.edit(|c| s.set_at(c, t, name))
                }
                Err(e) => self.notify(format!("{}: {e}", s.label)),
            }
        }
    }

    fn set_seed(&mut self, text: &str) {
        match parse_seed(text) {
            Ok(seed) => self.edit(|c| c.seed = seed),
            Err(e) => self.notify(format!("Seed not changed: {e}")),
        }
    }

    /// Kills a node now. The engine ignores a node that is already down, so
    /// a second click during its restart changes nothing.
    fn crash_node(&mut self, node: u32) {
        if self.engine.crash_node(node) {
            self.refresh(false);
        }
    }

    fn spike_now(&mut self) {
        let now = self.snapshot.now.as_secs_f64().floor();
        self.edit(|c| {
            if let Some(start) = knobs::knob("traffic.spike_start_s") {
                start.set(c, now);
            }
            if c.traffic.spike_mult == 1.0 {
                c.traffic.spike_mult = 2.0;
            }
        });
    }

    /// Starts lesson `i` on a new run of its scenario (its own seed, which
    /// its checks were measured on) with the changes of the steps before
    /// `start` made; an unknown lesson changes nothing.
    fn load_lesson(&mut self, i: usize, start: usize) {
        let Some(run) = LessonRun::new(i, start) else { return };
        let lesson = run.lesson();
        let mut next = lesson.config();
        for step in &lesson.steps[..run.current().unwrap_or(0)] {
            next = step.changed(&next).expect("a lesson's changes are valid (tested)");
        }
        if self.start_on(next) {
            (self.template, self.lesson, self.lesson_open) = (None, Some(run), true);
            self.refresh(true);
        }
    }

    fn reset_group(&mut self, g: Group) {
        let (d, t) = (self.defaults.clone(), self.target());
        self.edit(|c| knobs::reset_group_at(g, c, t, &d));
    }

    /// Starts a new run on template `i`'s topology, keeping the seed.
    fn load_template(&mut self, i: usize) {
        let Some(t) = TEMPLATES.get(i) else { return };
        let mut next = (t.build)();
        next.seed = self.config.seed;
        if self.start_on(next) {
            (self.template, self.lesson, self.story_open) = (Some(i), None, true);
        }
    }

    /// Resets the run on `next`, with the entry selected; false (the knobs
    /// unchanged, a notice saying why) when the engine refuses it.
    fn start_on(&mut self, next: Config) -> bool {
        let previous = std::mem::replace(&mut self.config, next);
        self.reset();
        if self.engine.sim().config() != &self.config {
            self.config = previous;
            return false;
        }
        (self.selected_service, self.chart_service) = (0, None);
        true
    }

    /// Takes an edited topology: it applies on reset, so the knobs show it
    /// and the run is flagged; a refused edit says why.
    fn edit_topology(&mut self, result: Result<Config, String>) {
        match result {
            Ok(next) => {
                self.config = next;
                if !self.pending_restart.contains(&"services") {
                    self.pending_restart.push("services");
                }
                self.selected_service = self.selected_service.min(self.config.services.len().saturating_sub(1));
            }
            Err(e) => self.notify(format!("Topology not changed: {e}")),
        }
    }

    fn fire_fault(&mut self, f: Fault) {
        let result = self.engine.fire_fault(f);
        match result {
            Ok(()) => self.refresh(true),
            Err(e) => self.notify(format!("Fault not fired: {e}")),
        }
    }

    fn reset(&mut self) {
        match self.engine.restart(self.config.clone()) {
            Ok(engine) => {
                self.engine = engine;
                self.catch_up_to = None;
                self.pending_restart.clear();
                let services = self.config.services.len().max(1);
                self.selected_service = self.selected_service.min(services - 1);
                self.chart_service = self.chart_service.filter(|&i| i < services);
                if let Some(run) = &mut self.lesson {
                    run.restarted();
                }
                self.behind = false;
                self.last_frame_ms = None;
                self.perf.restart_window();
                self.refresh(true);
            }
            Err(e) => self.notify(format!("Reset refused: {e}")),
        }
    }

    fn step_second(&mut self) {
        self.playing = false;
        // Reaching a whole-second boundary completes the second before it,
        // so stepping from 0 to 1 s shows second 0 in the charts.
        let target = SimTime(self.snapshot.now.0 + SimTime::from_secs(1).0);
        match self.engine.advance(target, None, None, self.lesson.as_ref().is_some_and(LessonRun::uses_fine_view)) {
            Some(r) => self.took(&r),
            None => self.redraw_on_reply = true,
        }
        self.refresh(true);
    }

    /// Advances the simulation by `speed × frame interval`, within the
    /// frame's event budget. Through the worker, a frame that finds the
    /// last request unanswered sends nothing and owes its time to the next.
    fn frame(&mut self, ts: f64) {
        let dt = self.last_frame_ms.map_or(FIRST_FRAME_DT_MS, |last| (ts - last).clamp(0.0, MAX_FRAME_DT_MS));
        self.last_frame_ms = Some(ts);
        if !self.playing {
            return;
        }
        self.frames_since_chart += 1;
        self.owed_s = (self.owed_s + self.speed * dt / 1000.0).min(self.speed * MAX_FRAME_DT_MS / 1000.0);
        if !self.engine.busy() {
            self.advance_owed();
        }
        let (events, advanced) = std::mem::take(&mut self.since_frame);
        self.perf.frame(ts, events, advanced);
    }

    /// Asks the engine for the simulated time owed so far, within one
    /// frame's event budget. Through the worker the reply comes later.
    fn advance_owed(&mut self) {
        let target = SimTime::from_secs_f64(self.snapshot.now.as_secs_f64() + self.owed_s);
        self.owed_s = 0.0;
        self.advance_to(target);
    }

    /// Asks for the rest of the way to the instant [`Action::CatchUp`]
    /// named, unless the engine is busy (its reply asks again) or the run
    /// is there, or ended, already.
    fn chase(&mut self) {
        let Some(t) = self.catch_up_to else { return };
        if self.snapshot.now >= t || self.finished() {
            self.catch_up_to = None;
        } else if !self.engine.busy() {
            self.advance_to(t);
            if self.snapshot.now >= t {
                self.catch_up_to = None;
            }
        }
    }

    /// Asks the engine to step to `target` within one frame's event budget.
    fn advance_to(&mut self, target: SimTime) {
        self.asked_s = target.as_secs_f64();
        let budget = if self.engine.is_local() { self.pacer.budget() } else { self.pacer.budget_for(WORKER_MS_PER_FRAME) };
        if let Some(r) = self.engine.advance(target, Some(budget), None, self.lesson.as_ref().is_some_and(LessonRun::uses_fine_view)) {
            self.took(&r);
        }
    }

    /// Takes in what one command did: the scheduled crash fired, the
    /// pacer's lesson, a refusal, the new snapshot.
    fn took(&mut self, r: &Reply) {
        if let Some(run) = &mut self.lesson {
            run.paste_fine(r.fine_from, &r.fine_attempts, &r.fine_offered);
        }
        if let Some(e) = &r.error {
            self.notify(e.clone());
        }
        if r.stepped > 0 {
            self.pacer.observe(r.stepped, r.elapsed_ms);
            self.behind = !r.reached;
        } else if r.snapshot.now > self.snapshot.now {
            // The clock moved on with no event before the target: reached,
            // and past the instant a step cut short had stopped at.
            self.behind = false;
        }
        let advanced = r.snapshot.now.0.saturating_sub(self.snapshot.now.0) as f64 / 1e9;
        self.since_frame = (self.since_frame.0 + r.stepped, self.since_frame.1 + advanced);
        let redraw = std::mem::take(&mut self.redraw_on_reply);
        self.refresh(redraw);
        if self.finished() {
            self.playing = false;
        }
    }

    /// Takes a fresh snapshot and decides whether the charts redraw: always
    /// when `force`, else when a new second completed and enough frames passed.
    fn refresh(&mut self, force: bool) {
        self.snapshot = Rc::new(self.engine.sim().snapshot());

        let completed = self.snapshot.completed_seconds;
        let due = completed != self.charted_seconds && self.frames_since_chart >= FRAMES_PER_CHART;
        if force || due {
            self.chart_rev += 1;
            self.charted_seconds = completed;
            self.frames_since_chart = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_cut_short_is_behind_until_the_clock_passes_its_instant() {
        let mut s = AppState::new(crate::testkit::settings("seed=4"), Vec::new(), crate::testkit::frozen_clock);
        let cut = s.engine.advance(SimTime::from_secs(1), Some(5), None, false).expect("in-process");
        s.took(&cut);
        assert!(s.behind && cut.stepped == 5, "seed 4: five events of a second");
        // A reply that stepped nothing and left the clock where it was (an
        // answer to a question) changes nothing.
        let asked = Reply { stepped: 0, reached: true, ..cut.clone() };
        s.took(&asked);
        assert!(s.behind);
        // Moving on with no event left at that instant: settled.
        let mut on = asked.clone();
        on.snapshot.now = SimTime(cut.snapshot.now.0 + 1);
        s.took(&on);
        assert!(!s.behind);
    }
    use crate::knobs::{knob, knobs, toggles, Group};
    use crate::pacing::MAX_FRAME_DT_MS;
    use crate::system::{NewCall, NewService};
    use crate::testkit::{frozen_clock, seconds, state, steps};
    use sim_core::{Backoff, LbPolicy, NodeLife, NodeState};

    #[test]
    fn slider_change_reconfigures_the_running_simulation() {
        let mut s = state("");
        for _ in 0..3 {
            s.apply(Action::Step);
        }
        assert!((seconds(&s) - 3.0).abs() < 1e-6);
        s.apply(Action::SetKnob("traffic.rate_per_s", 30_000.0));
        assert_eq!(s.engine.sim().config().traffic.rate_per_s, 30_000.0);
        assert!((seconds(&s) - 3.0).abs() < 1e-6, "a live change must not restart the run");
        assert!(s.pending_restart.is_empty());
        s.apply(Action::Step);
        let offered = s.engine.sim().series().offered[3] as f64;
        assert!((offered - 30_000.0).abs() < 1_500.0, "second 3 offered {offered}, expected about 30,000");
        assert!(s.changed("traffic.rate_per_s"));
    }

    #[test]
    fn restart_fields_are_flagged_and_applied_on_reset() {
        let mut s = state("");
        s.apply(Action::Step);
        s.apply(Action::SetKnob("nodes.count", 8.0));
        assert_eq!(s.pending_restart, vec!["nodes.count"]);
        assert_eq!(s.config.nodes.count, 8);
        assert_eq!(s.snapshot.nodes.len(), 4, "node count waits for the reset");
        s.apply(Action::Reset);
        assert!(s.pending_restart.is_empty());
        assert_eq!(s.snapshot.nodes.len(), 8);
        assert_eq!(seconds(&s), 0.0);
    }

    #[test]
    fn moving_a_restart_field_back_clears_the_flag() {
        let mut s = state("");
        s.apply(Action::SetKnob("nodes.count", 8.0));
        s.apply(Action::SetKnob("nodes.count", 4.0));
        assert!(s.pending_restart.is_empty());
    }

    #[test]
    fn bad_seed_names_the_field_and_range() {
        let mut s = state("");
        s.apply(Action::SetSeed("abc".into()));
        let text = &s.notices.last().expect("a notice").text;
        assert!(text.contains("seed") && text.contains("0 to 18446744073709551615"), "{text}");
        assert_eq!(s.config.seed, 1);
        s.apply(Action::SetSeed(" 42 ".into()));
        assert_eq!(s.config.seed, 42);
        assert_eq!(s.pending_restart, vec!["seed"]);
    }

    #[test]
    fn typed_value_out_of_range_is_refused_with_the_range() {
        let mut s = state("");
        s.apply(Action::TypeKnob("traffic.rate_per_s", "90000".into()));
        let text = &s.notices.last().expect("a notice").text;
        assert!(text.contains("Arrival rate") && text.contains("0 to 50,000 req/s"), "{text}");
        assert_eq!(s.config.traffic.rate_per_s, 10_000.0);
        s.apply(Action::TypeKnob("traffic.rate_per_s", "12,500".into()));
        assert_eq!(s.config.traffic.rate_per_s, 12_500.0);
        let id = s.notices[0].id;
        s.apply(Action::Dismiss(id));
        assert!(s.notices.is_empty());
    }

    #[test]
    fn selects_and_group_reset() {
        let mut s = state("");
        s.apply(Action::SetChoice("client.backoff", "fixed".into()));
        s.apply(Action::SetKnob("client.attempts", 5.0));
        assert_eq!(s.engine.sim().config().client.backoff, Backoff::Fixed);
        assert_eq!(s.engine.sim().config().client.attempts, 5);
        s.apply(Action::SetChoice("balancer.policy", "random".into()));
        assert_eq!(s.engine.sim().config().balancer.policy, LbPolicy::Random);
        s.apply(Action::ResetGroup(Group::Clients));
        assert_eq!(s.config.client, app_defaults().client);
        assert_eq!(s.config.balancer.policy, LbPolicy::Random, "other groups keep their knobs");
    }

    #[test]
    fn spike_now_starts_a_spike_at_the_current_second() {
        let mut s = state("");
        s.apply(Action::Step);
        s.apply(Action::Step);
        s.apply(Action::SpikeNow);
        let t = s.engine.sim().config().traffic.clone();
        assert_eq!((t.spike_start_s, t.spike_end_s, t.spike_mult), (2.0, 12.0, 2.0));
    }

    #[test]
    fn frame_advances_by_speed_times_interval() {
        let mut s = state("?speed=10");
        s.apply(Action::Play);
        s.apply(Action::Frame(1000.0));
        let first = seconds(&s);
        s.apply(Action::Frame(1050.0));
        let step = seconds(&s) - first;
        assert!((step - 0.5).abs() < 1e-6, "10× over 50 ms must advance 0.5 s, got {step}");
        assert!(!s.behind);
    }

    #[test]
    fn frame_after_a_long_gap_is_clamped() {
        let mut s = state("?speed=2");
        s.apply(Action::Play);
        s.apply(Action::Frame(0.0));
        let before = seconds(&s);
        s.apply(Action::Frame(60_000.0));
        let advanced = seconds(&s) - before;
        assert!((advanced - 2.0 * MAX_FRAME_DT_MS / 1000.0).abs() < 1e-6, "advanced {advanced}");
    }

    #[test]
    fn an_exhausted_event_budget_is_reported_as_falling_behind() {
        // 200× over a 16.7 ms frame asks for 3.3 simulated seconds, about
        // 100,000 events at 10,000 req/s: more than the first frame's budget.
        let mut s = state("?speed=200");
        s.apply(Action::Play);
        s.apply(Action::Frame(0.0));
        s.apply(Action::Frame(16.7));
        assert!(s.behind);
        assert!(seconds(&s) < 2.0 * 3.34, "the budget must stop the frame early");
        s.apply(Action::SetSpeed(1.0));
        s.apply(Action::Frame(33.4));
        assert!(!s.behind);
    }

    #[test]
    fn a_finished_run_stops_and_refuses_to_play() {
        let mut config = app_defaults();
        config.traffic.duration_s = 2.0;
        let settings = UrlSettings { config, autoplay: true, ..UrlSettings::default() };
        let mut s = AppState::new(settings, Vec::new(), frozen_clock);
        s.apply(Action::Frame(0.0));
        s.apply(Action::Frame(100.0));
        for _ in 0..3 {
            s.apply(Action::Step);
        }
        assert!(s.finished());
        s.apply(Action::Play);
        assert!(!s.playing);
    }

    #[test]
    fn a_refused_change_keeps_the_knobs_and_explains() {
        // Ten attempts at 50,000 req/s over an hour exceed the engine's event cap.
        let mut s = state("?rate=50000");
        s.apply(Action::SetKnob("client.attempts", 10.0));
        assert_eq!(s.config.client.attempts, 3);
        let text = &s.notices.last().expect("a notice").text;
        assert!(text.starts_with("Change not applied") && text.contains("traffic.rate_per_s"), "{text}");
    }

    #[test]
    fn crash_button_action_crashes_the_node_then_it_warms_up() {
        let mut s = state("?restart_s=3&warmup_s=10");
        s.apply(Action::Step);
        s.apply(Action::CrashNode(1));
        let n = s.snapshot.nodes[1];
        assert_eq!((n.state, n.life, n.crashes), (NodeState::Crashed, NodeLife::Crashed, 1));
        assert_eq!(n.progress, Some(0.0));
        assert_ne!(s.snapshot.nodes[0].state, NodeState::Crashed, "only the chosen node crashes");
        s.apply(Action::CrashNode(1));
        assert_eq!(s.snapshot.nodes[1].crashes, 1, "a node that is down cannot crash again");
        s.apply(Action::Step);
        let p = s.snapshot.nodes[1].progress.expect("restart progress");
        assert!((p - 1.0 / 3.0).abs() < 0.01, "one second into a 3 s restart: {p}");
        for _ in 0..3 {
            s.apply(Action::Step);
        }
        let n = s.snapshot.nodes[1];
        assert_eq!((n.state, n.life), (NodeState::Warming, NodeLife::Warming));
        assert!(n.progress.unwrap() > 0.0 && n.progress.unwrap() < 0.2, "{:?}", n.progress);
        assert!(s.snapshot.totals.errors > 0 || s.snapshot.totals.lost > 0, "a crash under load costs requests");
        s.apply(Action::CrashNode(99));
        assert_eq!(s.snapshot.totals.crashes, 1, "a node that does not exist is ignored");
    }

    #[test]
    fn toggles_apply_live_and_group_reset_covers_them() {
        let mut s = state("");
        s.apply(Action::Step);
        for t in toggles() {
            s.apply(Action::SetToggle(t.id, true));
            assert!(t.get(s.engine.sim().config()), "{} not applied to the engine", t.id);
            assert!(s.changed(t.id));
        }
        assert!(s.pending_restart.is_empty(), "toggles apply live");
        s.apply(Action::SetKnob("crash.memory_limit_mb", 250.0));
        s.apply(Action::ResetGroup(Group::Failures));
        assert!(!s.config.crash.enabled && s.config.crash.memory_limit_mb == 512.0);
        assert!(s.config.health.enabled, "other groups keep their toggles");
        s.apply(Action::ResetGroup(Group::Shedding));
        s.apply(Action::ResetGroup(Group::Balancer));
        s.apply(Action::ResetGroup(Group::Cpu));
        assert!(s.config.db.enabled && s.config.cache.coalesce, "the dependencies keep theirs until their own reset");
        s.apply(Action::ResetGroup(Group::Dependencies));
        s.apply(Action::ResetGroup(Group::Clients));
        assert_eq!(s.config, app_defaults());
        assert_eq!(*s.engine.sim().config(), app_defaults());
    }

    #[test]
    fn balancer_select_offers_every_policy() {
        let mut s = state("");
        for p in LbPolicy::ALL {
            s.apply(Action::SetChoice("balancer.policy", p.name().into()));
            assert_eq!(s.engine.sim().config().balancer.policy, p);
        }
        assert_eq!(LbPolicy::ALL.len(), 4);
    }

    #[test]
    fn cpu_database_and_cache_apply_live() {
        let mut s = state("");
        s.apply(Action::Step);
        s.apply(Action::SetToggle("cpu.enabled", true));
        s.apply(Action::SetKnob("cpu.cores", 8.0));
        s.apply(Action::SetToggle("db.enabled", true));
        s.apply(Action::SetKnob("db.pool_size", 4.0));
        let c = s.engine.sim().config().clone();
        assert!(c.cpu.enabled && c.db.enabled && c.cpu.cores == 8 && c.db.pool_size == 4);
        assert!(s.pending_restart.is_empty(), "CPU and database knobs apply live");
        s.apply(Action::Step);
        s.apply(Action::Step);
        let busy: f32 = s.snapshot.nodes.iter().map(|n| n.cpu.useful + n.cpu.wasted + n.cpu.switching).sum();
        assert!(busy > 0.0 && busy <= 4.0 * 8.0 * 1.1, "CPU in use {busy} must fit 4 nodes × 8 cores");
        assert!(s.snapshot.nodes.iter().all(|n| n.pool_in_use <= 4));
        assert!(s.engine.sim().series().db.is_some(), "switching the database on starts its series");
    }

    #[test]
    fn set_knob_of_a_restart_field_reports_needs_reset() {
        let restart: Vec<_> = knobs().filter(|k| k.needs_restart()).collect();
        assert!(!restart.is_empty());
        for k in restart {
            let mut s = state("");
            s.apply(Action::Step);
            let before = k.get(s.engine.sim().config());
            let v = if before == k.max { k.min } else { k.max };
            s.apply(Action::SetKnob(k.id, v));
            assert!(s.notices.is_empty(), "{}: {:?}", k.label, s.notices);
            assert_eq!(s.pending_restart, vec![k.field], "{} must wait for a reset", k.label);
            assert_eq!(k.get(&s.config), v, "{}: the knob shows the new value", k.label);
            assert_eq!(k.get(s.engine.sim().config()), before, "{}: the run keeps the old one", k.label);
            assert!((seconds(&s) - 1.0).abs() < 1e-6, "{}: no restart until asked", k.label);
            s.apply(Action::Reset);
            assert!(s.pending_restart.is_empty(), "{}", k.label);
            assert_eq!(k.get(s.engine.sim().config()), v, "{}: applied on reset", k.label);
            assert_eq!(seconds(&s), 0.0);
        }
    }

    #[test]
    fn set_knob_of_a_live_field_applies_at_once() {
        for k in knobs().filter(|k| !k.needs_restart()) {
            let mut s = state("?nodes=8");
            s.apply(Action::Step);
            let d = k.get(&s.config);
            // A quarter along the slider (at most 8 slow nodes of 8), or the
            // right end if the default sits there.
            let (lo, hi, _) = k.slider_bounds();
            let v = [k.from_position(lo + (hi - lo) / 4.0), k.max].into_iter().find(|&v| v != d).unwrap();
            s.apply(Action::SetKnob(k.id, v));
            assert!(s.notices.is_empty(), "{} = {v}: {:?}", k.label, s.notices);
            assert!(s.pending_restart.is_empty(), "{} applies live", k.label);
            assert_eq!(k.get(s.engine.sim().config()), v, "{} = {v} not in the engine", k.label);
            assert!(s.changed(k.id), "{} is marked changed", k.label);
            assert!((seconds(&s) - 1.0).abs() < 1e-6, "{}: a live change must not restart the run", k.label);
        }
    }

    #[test]
    fn set_knob_clamps_and_rounds_what_the_slider_sends() {
        let mut s = state("");
        s.apply(Action::SetKnob("traffic.rate_per_s", 1e9));
        assert_eq!(s.config.traffic.rate_per_s, knob("traffic.rate_per_s").unwrap().max);
        s.apply(Action::SetKnob("nodes.workers", 40.4));
        assert_eq!(s.config.nodes.workers, 40);
        s.apply(Action::SetKnob("client.timeout_s", -3.0));
        assert_eq!(s.config.client.timeout_s, knob("client.timeout_s").unwrap().min);
        s.apply(Action::SetSpeed(1_000.0));
        assert_eq!(s.speed, 200.0);
        s.apply(Action::SetSpeed(0.0));
        assert_eq!(s.speed, 1.0);
    }

    #[test]
    fn a_repeated_message_is_shown_once() {
        let mut s = state("");
        s.apply(Action::TypeKnob("nodes.count", "2.5".into()));
        s.apply(Action::TypeKnob("nodes.count", "2.5".into()));
        assert_eq!(s.notices.len(), 1, "{:?}", s.notices);
        assert!(
            s.notices[0].text.starts_with("Nodes") && s.notices[0].text.contains("whole number"),
            "{:?}",
            s.notices
        );
        s.apply(Action::TypeKnob("nodes.count", "lots".into()));
        assert_eq!(s.notices.len(), 2);
        assert_ne!(s.notices[0].id, s.notices[1].id);
        s.apply(Action::Dismiss(s.notices[1].id));
        assert_eq!(s.notices.len(), 1);
        s.apply(Action::Dismiss(12_345));
        assert_eq!(s.notices.len(), 1, "dismissing an unknown notice changes nothing");
    }

    #[test]
    fn a_page_with_errors_or_an_invalid_scenario_opens_on_the_defaults_with_notices() {
        let (settings, errors) = crate::url::parse_query("?rate=lots&nodes=8", &app_defaults());
        let s = AppState::new(settings, errors, frozen_clock);
        assert_eq!(s.notices.len(), 1);
        assert!(s.notices[0].text.starts_with("URL parameter rate:"), "{:?}", s.notices);
        assert_eq!(s.config.nodes.count, 8, "the valid parameters still apply");
        assert!(!s.playing && s.speed == 1.0);
        let mut config = app_defaults();
        config.traffic.rate_per_s = 50_000.0;
        config.client.attempts = 10;
        let settings = UrlSettings { config, speed: Some(20.0), autoplay: true, ..UrlSettings::default() };
        let s = AppState::new(settings, Vec::new(), frozen_clock);
        assert_eq!(s.config, app_defaults());
        assert_eq!(*s.engine.sim().config(), app_defaults());
        let text = &s.notices.last().expect("a notice").text;
        assert!(text.ends_with("; using the default scenario") && text.contains("traffic.rate_per_s"), "{text}");
        assert!(s.playing && s.speed == 20.0, "play and speed still apply");
    }

    #[test]
    fn charts_redraw_when_a_second_completes_at_most_every_few_frames() {
        // 60× at 60 frames per wall second: each frame is one simulated second.
        let mut s = state("?rate=1000&speed=60");
        assert_eq!(s.chart_rev, 0);
        s.apply(Action::Play);
        let frames = 3 * FRAMES_PER_CHART;
        for i in 0..frames {
            s.apply(Action::Frame(i as f64 * 1000.0 / 60.0));
        }
        assert!(!s.behind);
        assert!((seconds(&s) - frames as f64).abs() < 1e-6, "at {}", seconds(&s));
        assert_eq!(s.chart_rev, 3, "every frame completes a second, the charts redraw every {FRAMES_PER_CHART}");
        s.apply(Action::Step);
        assert_eq!(s.chart_rev, 4, "a step always redraws");
        s.apply(Action::Reset);
        assert_eq!((s.chart_rev, seconds(&s)), (5, 0.0), "a reset always redraws");
    }

    #[test]
    fn pause_and_step_stop_the_frames() {
        let mut s = state("?speed=10");
        s.apply(Action::Play);
        assert!(s.playing);
        s.apply(Action::Frame(0.0));
        let t = seconds(&s);
        assert!(t > 0.0);
        s.apply(Action::Pause);
        s.apply(Action::Frame(50.0));
        assert_eq!(seconds(&s), t, "a paused run does not advance");
        s.apply(Action::Play);
        s.apply(Action::Step);
        assert!(!s.playing, "stepping pauses");
        assert!((seconds(&s) - t - 1.0).abs() < 1e-6);
        s.apply(Action::Frame(100.0));
        assert!((seconds(&s) - t - 1.0).abs() < 1e-6);
    }

    #[test]
    fn spike_now_keeps_a_chosen_multiplier() {
        let mut s = state("?spike=3&spike_length=5");
        steps(&mut s, 4);
        s.apply(Action::SpikeNow);
        let t = s.engine.sim().config().traffic.clone();
        assert_eq!((t.spike_start_s, t.spike_end_s, t.spike_mult), (4.0, 9.0, 3.0));
    }

    #[test]
    fn every_group_reset_restores_its_knobs_only() {
        for g in Group::ALL {
            let mut s = state("");
            for k in knobs() {
                let v = if k.get(&s.config) == k.max { k.min } else { k.max };
                // Some combinations at the ends are refused; what applied is what counts.
                s.apply(Action::SetKnob(k.id, v));
            }
            s.apply(Action::ResetGroup(g));
            for k in knobs() {
                if k.group == g {
                    assert!(!s.changed(k.id), "{}: {} not reset", g.title(), k.label);
                }
            }
            let changed_elsewhere = knobs().filter(|k| k.group != g && s.changed(k.id)).count();
            assert!(changed_elsewhere > 0, "{}: the reset must not touch other groups", g.title());
            assert_eq!(*s.engine.sim().config(), {
                // Fields that need a reset keep their old value in the engine.
                let mut c = s.config.clone();
                let running = s.engine.sim().config().clone();
                for f in sim_core::catalogue::FIELDS.iter().filter(|f| f.apply == sim_core::catalogue::Apply::Reset) {
                    f.set(&mut c, f.get(&running));
                }
                c
            });
        }
    }

    fn template(name: &str) -> AppState {
        let mut s = state("");
        s.apply(Action::LoadTemplate(crate::templates::by_param(name).unwrap()));
        s
    }

    #[test]
    fn every_template_loads_into_a_new_run_with_its_services() {
        for (i, t) in TEMPLATES.iter().enumerate() {
            let mut s = state("?seed=5");
            s.apply(Action::Step);
            s.apply(Action::LoadTemplate(i));
            assert!(s.notices.is_empty(), "{}: {:?}", t.name, s.notices);
            assert_eq!(seconds(&s), 0.0, "{}: a template resets the run", t.name);
            let want: Vec<String> = (t.build)().system().iter().map(|x| x.name.clone()).collect();
            let got: Vec<String> = s.snapshot.services.iter().map(|x| x.name.clone()).collect();
            assert_eq!(got, want, "{}", t.name);
            assert_eq!((s.template, s.config.seed), (Some(i), 5));
            assert_eq!(s.story().map(|x| x.0), Some(t.name));
            steps(&mut s, 5);
            for x in &s.snapshot.services {
                let t = &x.totals;
                assert!(
                    t.goodput > 0 && t.rejected + t.failed + t.timed_out < t.attempts / 50,
                    "{}: healthy at first: {t:?}",
                    x.name
                );
            }
        }
    }

    #[test]
    fn a_url_template_opens_the_page_on_it_with_other_knobs_over_it() {
        let s = state("?rate=1000&template=gateway-api-db");
        assert_eq!(s.snapshot.services.len(), 3);
        assert_eq!((s.config.traffic.rate_per_s, s.template), (1_000.0, Some(1)));
        assert_eq!(s.story().map(|x| x.0), Some(TEMPLATES[1].name), "its story is shown");
        assert_eq!(crate::url::with_template("?rate=1000", s.template), "?rate=1000&template=gateway-api-db");
        let (_, errors) = crate::url::parse_query("?template=nope", &app_defaults());
        assert!(errors[0].to_string().contains("gateway-api-db"), "{errors:?}");
    }

    #[test]
    fn a_selected_services_knob_changes_that_service_only_mid_run() {
        let mut s = template("gateway-api-db");
        s.apply(Action::Step);
        s.apply(Action::SelectService(1));
        s.apply(Action::SetKnob("nodes.workers", 48.0));
        s.apply(Action::SetToggle("cache.enabled", true));
        s.apply(Action::SetChoice("balancer.policy", "random".into()));
        assert!(s.notices.is_empty() && s.pending_restart.is_empty(), "{:?} {:?}", s.notices, s.pending_restart);
        let c = s.engine.sim().config().clone();
        assert_eq!(c.services[1].nodes.workers, 48);
        assert_eq!(s.running_summary(), "api: 4 nodes × 48 workers");
        assert!(c.services[1].cache.enabled && c.services[1].balancer.policy == LbPolicy::Random);
        assert_eq!((c.services[0].nodes.workers, c.services[2].nodes.workers), (32, 32), "others keep theirs");
        assert!(!c.services[0].cache.enabled);
        assert_eq!(c.nodes, app_defaults().nodes, "the top-level sections stay at their defaults");
        assert!(s.changed("nodes.workers"));
        s.apply(Action::SelectService(0));
        assert!(!s.changed("nodes.workers"), "the gateway's workers are its own");
        s.apply(Action::SelectService(1));
        s.apply(Action::ResetGroup(Group::Nodes));
        assert_eq!(s.engine.sim().config().services[1].nodes.workers, app_defaults().nodes.workers);
        assert!((seconds(&s) - 1.0).abs() < 1e-6, "live changes do not restart the run");
    }

    #[test]
    fn a_calls_timeout_knob_changes_that_edge_only() {
        let mut s = template("fan-out");
        s.apply(Action::Step);
        s.apply(Action::OnCall(2, Box::new(Action::SetKnob("client.timeout_s", 0.1))));
        s.apply(Action::OnCall(2, Box::new(Action::SetChoice("client.backoff", "fixed".into()))));
        let c = s.engine.sim().config().clone();
        let timeouts: Vec<f64> = c.services[0].calls.iter().map(|x| x.client.timeout_s).collect();
        assert_eq!(timeouts, vec![0.5, 0.5, 0.1]);
        assert_eq!(c.services[0].calls[2].client.backoff, Backoff::Fixed);
        assert_eq!(c.client, app_defaults().client, "the entry client keeps its policy");
        s.apply(Action::SetKnob("client.timeout_s", 3.0));
        assert_eq!(s.engine.sim().config().client.timeout_s, 3.0, "outside a call, client knobs are the entry's");
        assert_eq!(s.engine.sim().config().services[0].calls[2].client.timeout_s, 0.1);
    }

    #[test]
    fn adding_a_service_and_a_call_waits_for_a_reset() {
        let mut s = state("?workers=40");
        s.apply(Action::Step);
        s.apply(Action::AddService(NewService { name: "payments".into(), nodes: 2, workers: 8 }));
        s.apply(Action::AddCall(NewCall { caller: 0, callee: "payments".into(), attempts: 2, timeout_s: 0.3 }));
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        assert_eq!(s.pending_restart, vec!["services"]);
        assert_eq!(s.snapshot.services.len(), 1, "the run keeps its topology");
        s.apply(Action::SetKnob("traffic.rate_per_s", 5_000.0));
        assert!(s.pending_restart.contains(&"services"), "still waiting after a live change");
        s.apply(Action::Reset);
        assert!(s.pending_restart.is_empty());
        let names: Vec<&str> = s.snapshot.services.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["app", "payments"]);
        let c = s.engine.sim().config().clone();
        assert_eq!(
            (c.services[0].nodes.workers, c.services[1].nodes.workers),
            (40, 8),
            "the single tier's knobs move with it"
        );
        assert_eq!(c.services[0].calls[0].client.timeout_s, 0.3);
    }

    #[test]
    fn removing_services_and_calls_waits_for_a_reset() {
        let mut s = template("gateway-api-db");
        s.apply(Action::SelectService(2));
        s.apply(Action::RemoveService(2));
        assert_eq!((s.selected_service, s.pending_restart.clone()), (1, vec!["services"]));
        s.apply(Action::RemoveCall(0, 0));
        s.apply(Action::Reset);
        assert!(s.notices.is_empty(), "{:?}", s.notices);
        let names: Vec<&str> = s.snapshot.services.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["gateway", "api"]);
        assert!(s.snapshot.services.iter().all(|x| x.calls.is_empty()));
    }

    #[test]
    fn an_invalid_edit_is_a_notice_not_a_panic() {
        let mut s = template("gateway-api-db");
        s.apply(Action::AddCall(NewCall { caller: 2, callee: "gateway".into(), attempts: 1, timeout_s: 1.0 }));
        s.apply(Action::AddCall(NewCall { caller: 2, callee: "api".into(), attempts: 1, timeout_s: 1.0 }));
        s.apply(Action::AddCall(NewCall { caller: 0, callee: "nowhere".into(), attempts: 1, timeout_s: 1.0 }));
        s.apply(Action::AddService(NewService { name: "bad name!".into(), nodes: 1, workers: 1 }));
        s.apply(Action::RemoveService(0));
        assert_eq!(s.notices.len(), 5, "{:?}", s.notices);
        assert!(s.notices.iter().all(|n| n.text.starts_with("Topology not changed:")));
        assert!(s.notices[1].text.contains("cycle") || s.notices[1].text.contains("api"), "{:?}", s.notices[1]);
        assert!(s.pending_restart.is_empty());
        assert_eq!(s.config, *s.engine.sim().config());
    }

    #[test]
    fn the_chart_selector_picks_a_services_series() {
        let mut s = template("gateway-api-db");
        steps(&mut s, 2);
        s.apply(Action::ChartService(Some(2)));
        let sim = s.engine.sim();
        assert!(std::ptr::eq(s.chart_series(&sim), sim.service_series(2).unwrap()));
        drop(sim);
        s.apply(Action::ChartService(Some(9)));
        assert_eq!(s.chart_service, None, "an unknown service charts the whole system");
        let sim = s.engine.sim();
        assert!(std::ptr::eq(s.chart_series(&sim), sim.series()));
    }

    #[test]
    fn every_fault_button_fires_at_the_selected_service() {
        let run = |kind: Option<FaultKind>| {
            let mut s = template("gateway-api-db");
            s.apply(Action::SelectService(1));
            s.apply(Action::SetToggle("db.enabled", true));
            s.apply(Action::SetToggle("cache.enabled", true));
            steps(&mut s, 2);
            if let Some(kind) = kind {
                let f = s.fault_for(kind).expect("the api can take every fault");
                assert_eq!(f.service, "api");
                s.apply(Action::FireFault(f));
                assert!(s.notices.is_empty(), "{kind:?}: {:?}", s.notices);
            }
            steps(&mut s, 3);
            s.snapshot.services.iter().map(|x| x.totals).collect::<Vec<_>>()
        };
        let calm = run(None);
        for b in crate::system::FAULT_BUTTONS {
            assert_ne!(run(Some(b.kind)), calm, "{}: the fault changes what the services see", b.label);
        }
        let s = state("");
        assert!(s.fault_for(FaultKind::Partition).is_none(), "a single tier calls nothing");
        assert_eq!(s.fault_for(FaultKind::LatencySpike).unwrap().service, "", "the entry is named by an empty string");
    }
}
