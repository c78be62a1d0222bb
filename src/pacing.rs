//! Frame pacing: how much simulated time and how many events one animation
//! frame may take, and the frame-rate and event-rate figures of the overlay.

/// A frame arriving after a long gap (a hidden tab, a debugger pause) counts
/// as this long, so the simulation never tries to catch up minutes at once.
pub const MAX_FRAME_DT_MS: f64 = 100.0;

/// Frame interval assumed for the first frame after play, ms (60 Hz).
pub const FIRST_FRAME_DT_MS: f64 = 1000.0 / 60.0;

/// Wall time the simulation may use per frame, ms, leaving the rest of a
/// 60 Hz frame for rendering.
pub const WORK_MS_PER_FRAME: f64 = 9.0;

/// Event budget bounds: the floor keeps slow frames moving, the ceiling keeps
/// one mis-measured frame from freezing the tab.
pub const MIN_BUDGET: u64 = 5_000;
/// See [`MIN_BUDGET`].
pub const MAX_BUDGET: u64 = 2_000_000;

/// Adapts the per-frame event budget to the measured engine speed.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacer {
    events_per_ms: f64,
}

impl Default for Pacer {
    fn default() -> Pacer {
        // A conservative first guess (5 M events/s); measurement corrects it.
        Pacer { events_per_ms: 5_000.0 }
    }
}

impl Pacer {
    /// Events the next frame may process.
    pub fn budget(&self) -> u64 {
        ((self.events_per_ms * WORK_MS_PER_FRAME) as u64).clamp(MIN_BUDGET, MAX_BUDGET)
    }

    /// Learns from one frame's work. Frames shorter than a millisecond are
    /// ignored because browsers coarsen `performance.now()` to ~0.1 ms.
    pub fn observe(&mut self, events: u64, elapsed_ms: f64) {
        if elapsed_ms >= 1.0 && events > 0 {
            let rate = events as f64 / elapsed_ms;
            self.events_per_ms = 0.8 * self.events_per_ms + 0.2 * rate;
        }
    }
}

/// Frames per second, events per wall second and effective speed, averaged
/// over windows of about half a second.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PerfMeter {
    window_start_ms: Option<f64>,
    frames: u32,
    events: u64,
    sim_s: f64,
    /// Frames per wall second in the last window.
    pub fps: f64,
    /// Simulation events per wall second in the last window.
    pub events_per_s: f64,
    /// Simulated seconds per wall second actually achieved.
    pub achieved_speed: f64,
}

/// Length of one averaging window, ms.
const WINDOW_MS: f64 = 500.0;

impl PerfMeter {
    /// Records a frame at `now_ms` that processed `events` events and
    /// advanced simulated time by `sim_s` seconds.
    pub fn frame(&mut self, now_ms: f64, events: u64, sim_s: f64) {
        // The first frame only opens the window: each later frame accounts
        // for the interval since the one before it.
        let Some(start) = self.window_start_ms else {
            self.window_start_ms = Some(now_ms);
            return;
        };
        self.frames += 1;
        self.events += events;
        self.sim_s += sim_s;
        let span = now_ms - start;
        if span >= WINDOW_MS {
            self.fps = self.frames as f64 * 1000.0 / span;
            self.events_per_s = self.events as f64 * 1000.0 / span;
            self.achieved_speed = self.sim_s * 1000.0 / span;
            self.window_start_ms = Some(now_ms);
            self.frames = 0;
            self.events = 0;
            self.sim_s = 0.0;
        }
    }

    /// Forgets the current window, so a pause does not count as a slow frame.
    pub fn restart_window(&mut self) {
        self.window_start_ms = None;
        self.frames = 0;
        self.events = 0;
        self.sim_s = 0.0;
    }
}
