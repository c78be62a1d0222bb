//! The playground's state and every change to it, as one reducer.
//!
//! Free of any UI framework: the Yew glue (`impl Reducible`) lives in the
//! components, and these types are tested without rendering anything.

use crate::engine::Engine;
use crate::knobs::{Group, KnobId, ToggleId, KNOBS, TOGGLES};
use crate::pacing::{Pacer, PerfMeter, FIRST_FRAME_DT_MS, MAX_FRAME_DT_MS};
use crate::presets::PRESETS;
use crate::url::{parse_seed, ParamError, UrlSettings, SPEED_RANGE};
use sim_core::{Backoff, Config, LbPolicy, SimTime, Snapshot};
use std::rc::Rc;

/// Simulated length of a playground session, seconds. The engine needs a
/// duration to size its per-second series; an hour is long enough to feel
/// open-ended (36 s of wall time even at 100×) and small in memory.
pub const SESSION_S: f64 = 3600.0;

/// Charts are redrawn at most once every this many frames, however many
/// simulated seconds complete in between.
pub const FRAMES_PER_CHART: u32 = 3;

/// The playground's defaults: the reference steady scenario, run for a session.
pub fn app_defaults() -> Config {
    let mut c = Config::default();
    c.traffic.duration_s = SESSION_S;
    c
}

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
    /// A numeric knob moved.
    SetKnob(KnobId, f64),
    /// A typed value for a knob, to be parsed and checked.
    TypeKnob(KnobId, String),
    /// Retry policy chosen.
    SetBackoff(Backoff),
    /// A mechanism switched on or off.
    SetToggle(ToggleId, bool),
    /// Balancer policy chosen.
    SetPolicy(LbPolicy),
    /// Kill this node (counted from 0) now; it restarts after the restart time.
    CrashNode(u32),
    /// Seed typed; applies on reset.
    SetSeed(String),
    /// Start a spike at the current instant.
    SpikeNow,
    /// Replace the knobs with a preset's (index into `PRESETS`).
    LoadPreset(usize),
    /// Put one group's knobs back to their defaults.
    ResetGroup(Group),
    /// An animation frame at this `requestAnimationFrame` timestamp, ms.
    Frame(f64),
    /// Hide a notice.
    Dismiss(u64),
    /// Hide the preset's story line.
    HideStory,
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
    /// True when the last frame ran out of event budget before its target.
    pub behind: bool,
    /// Frame rate and event rate.
    pub perf: PerfMeter,
    /// Messages for the user.
    pub notices: Vec<Notice>,
    /// The preset last loaded, for the menu.
    pub preset: Option<usize>,
    /// True while the loaded preset's story is shown.
    pub story_open: bool,
    /// A crash a preset scheduled: `(when, node)`. It fires when the run
    /// reaches that instant, within the frame that crosses it.
    pub scheduled_crash: Option<(SimTime, u32)>,
    pacer: Pacer,
    last_frame_ms: Option<f64>,
    frames_since_chart: u32,
    charted_seconds: usize,
    next_notice: u64,
    clock: fn() -> f64,
}

impl AppState {
    /// The state for a page opened with `settings`; `errors` from the query
    /// string become notices. `clock` reads wall time in ms (the page's
    /// `performance.now()`); it measures how fast the engine runs.
    pub fn new(settings: UrlSettings, errors: Vec<ParamError>, clock: fn() -> f64) -> AppState {
        let defaults = app_defaults();
        let mut notices: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        let engine = Engine::new(settings.config.clone()).unwrap_or_else(|e| {
            notices.push(format!("{e}; using the default scenario"));
            Engine::new(defaults.clone()).expect("the default scenario is valid")
        });
        let config = engine.sim().config().clone();
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
            preset: None,
            story_open: false,
            scheduled_crash: None,
            pacer: Pacer::default(),
            last_frame_ms: None,
            frames_since_chart: 0,
            charted_seconds: 0,
            next_notice: 0,
            clock,
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
            Action::SetBackoff(b) => self.edit(|c| c.client.backoff = b),
            Action::SetToggle(id, on) => self.edit(|c| id.set(c, on)),
            Action::SetPolicy(p) => self.edit(|c| c.balancer.policy = p),
            Action::CrashNode(node) => self.crash_node(node),
            Action::SetSeed(text) => self.set_seed(&text),
            Action::SpikeNow => self.spike_now(),
            Action::LoadPreset(i) => self.load_preset(i),
            Action::ResetGroup(g) => self.reset_group(g),
            Action::Frame(ts) => self.frame(ts),
            Action::Dismiss(id) => self.notices.retain(|n| n.id != id),
            Action::HideStory => self.story_open = false,
        }
    }

    /// True when the run has reached its end (or was halted).
    pub fn finished(&self) -> bool {
        self.snapshot.now >= self.snapshot.end || self.snapshot.halted.is_some()
    }

    /// True when `id` differs from the default scenario.
    pub fn changed(&self, id: KnobId) -> bool {
        id.get(&self.config) != id.get(&self.defaults)
    }

    /// True when toggle `id` differs from the default scenario.
    pub fn toggle_changed(&self, id: ToggleId) -> bool {
        id.get(&self.config) != id.get(&self.defaults)
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
        let result = self.engine.sim_mut().reconfigure(&next);
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

    fn set_knob(&mut self, id: KnobId, v: f64) {
        let v = id.knob().clean(v);
        self.edit(|c| id.set(c, v));
    }

    fn type_knob(&mut self, id: KnobId, text: &str) {
        match crate::url::parse_knob(id, text) {
            Ok(v) => self.set_knob(id, v),
            Err(e) => self.notify(format!("{}: {e}", id.knob().label)),
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
        if self.engine.sim_mut().crash_node(node) {
            self.refresh(false);
        }
    }

    fn spike_now(&mut self) {
        let now = self.snapshot.now.as_secs_f64().floor();
        self.edit(|c| {
            KnobId::SpikeStart.set(c, now);
            if c.traffic.spike_mult == 1.0 {
                c.traffic.spike_mult = 2.0;
            }
        });
    }

    fn load_preset(&mut self, i: usize) {
        let Some(p) = PRESETS.get(i) else { return };
        let mut next = (p.build)(self.snapshot.now.as_secs_f64());
        // Presets describe the system, not the run: keep the restart fields.
        next.seed = self.config.seed;
        next.nodes.count = self.config.nodes.count;
        next.traffic.duration_s = self.config.traffic.duration_s;
        next.faults = self.config.faults.clone();
        self.set_config(next);
        self.preset = Some(i);
        self.story_open = true;
        self.scheduled_crash = p.crash_after_s.map(|after| {
            let at = SimTime::from_secs_f64(self.snapshot.now.as_secs_f64() + after);
            (at, 0)
        });
    }

    fn reset_group(&mut self, g: Group) {
        let d = self.defaults.clone();
        self.edit(|c| {
            for k in KNOBS.iter().filter(|k| k.group == g) {
                k.id.set(c, k.id.get(&d));
            }
            for t in TOGGLES.iter().filter(|t| t.group == g) {
                t.id.set(c, t.id.get(&d));
            }
            match g {
                Group::Clients => c.client.backoff = d.client.backoff,
                Group::Balancer => c.balancer.policy = d.balancer.policy,
                _ => {}
            }
        });
    }

    fn reset(&mut self) {
        match Engine::new(self.config.clone()) {
            Ok(engine) => {
                self.engine = engine;
                self.pending_restart.clear();
                // A preset's crash belongs to the run it was loaded into.
                self.scheduled_crash = None;
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
        if let Some(at) = self.crash_due(target) {
            self.engine.sim_mut().step_until(at);
            self.fire_scheduled_crash();
        }
        self.engine.sim_mut().step_until(target);
        self.refresh(true);
    }

    /// Advances the simulation by `speed × frame interval`, within the
    /// frame's event budget.
    fn frame(&mut self, ts: f64) {
        let dt = self.last_frame_ms.map_or(FIRST_FRAME_DT_MS, |last| (ts - last).clamp(0.0, MAX_FRAME_DT_MS));
        self.last_frame_ms = Some(ts);
        if !self.playing {
            return;
        }
        let before = self.snapshot.now;
        let target = SimTime::from_secs_f64(before.as_secs_f64() + self.speed * dt / 1000.0);
        let (events, reached, elapsed) = self.run_budget(target);
        self.pacer.observe(events, elapsed);
        self.behind = !reached;
        self.frames_since_chart += 1;
        self.refresh(false);
        let advanced = (self.snapshot.now.0 - before.0) as f64 / 1e9;
        self.perf.frame(ts, events, advanced);
        if self.finished() {
            self.playing = false;
        }
    }

    /// Steps towards `target` within the budget; returns events processed,
    /// whether the target was reached and the wall time taken (ms).
    /// A scheduled crash stops the stepping at its instant, so it lands
    /// where the preset placed it whatever the speed.
    fn run_budget(&mut self, target: SimTime) -> (u64, bool, f64) {
        let e0 = self.engine.sim().events_processed();
        let t0 = (self.clock)();
        let budget = self.pacer.budget();
        let mut reached = true;
        if let Some(at) = self.crash_due(target) {
            reached = self.engine.sim_mut().step_until_budget(at, budget);
            if reached {
                self.fire_scheduled_crash();
            }
        }
        if reached {
            let used = self.engine.sim().events_processed() - e0;
            reached = self.engine.sim_mut().step_until_budget(target, budget.saturating_sub(used).max(1));
        }
        (self.engine.sim().events_processed() - e0, reached, (self.clock)() - t0)
    }

    /// The scheduled crash's instant, when it falls at or before `target`.
    fn crash_due(&self, target: SimTime) -> Option<SimTime> {
        self.scheduled_crash.map(|(at, _)| at).filter(|&at| at <= target)
    }

    fn fire_scheduled_crash(&mut self) {
        if let Some((_, node)) = self.scheduled_crash.take() {
            self.engine.sim_mut().crash_node(node);
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
