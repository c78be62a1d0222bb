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

/// Wall time the engine's Web Worker may use per frame, ms: it shares no
/// thread with rendering, so it may take most of a 60 Hz frame, and what it
/// leaves is the reply's trip back before the next frame asks again.
pub const WORKER_MS_PER_FRAME: f64 = 14.0;

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
        self.budget_for(WORK_MS_PER_FRAME)
    }

    /// Events that fit in `work_ms` of wall time.
    pub fn budget_for(&self, work_ms: f64) -> u64 {
        ((self.events_per_ms * work_ms) as u64).clamp(MIN_BUDGET, MAX_BUDGET)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_budget_is_nine_ms_at_five_million_events_per_second() {
        assert_eq!(Pacer::default().budget(), 45_000);
    }

    #[test]
    fn the_pacer_learns_the_engine_speed_smoothly() {
        let mut p = Pacer::default();
        p.observe(10_000, 1.0);
        assert_eq!(p.budget(), 54_000, "one fifth of the way from 5,000 to 10,000 events per ms");
        for _ in 0..100 {
            p.observe(10_000, 1.0);
        }
        assert!((p.budget() as f64 - 90_000.0).abs() < 10.0, "converges on 10,000 events per ms: {}", p.budget());
    }

    #[test]
    fn the_pacer_ignores_frames_it_cannot_time() {
        let mut p = Pacer::default();
        p.observe(1_000_000, 0.5);
        p.observe(0, 10.0);
        assert_eq!(p, Pacer::default(), "sub-millisecond or empty frames teach nothing");
    }

    #[test]
    fn the_budget_stays_within_its_bounds() {
        let mut fast = Pacer::default();
        let mut slow = Pacer::default();
        for _ in 0..200 {
            fast.observe(u32::MAX as u64, 1.0);
            slow.observe(1, 1_000.0);
        }
        assert_eq!((fast.budget(), slow.budget()), (MAX_BUDGET, MIN_BUDGET));
    }

    #[test]
    fn the_meter_averages_over_half_a_second() {
        let mut m = PerfMeter::default();
        m.frame(1_000.0, 999, 9.0);
        assert_eq!((m.fps, m.events_per_s, m.achieved_speed), (0.0, 0.0, 0.0), "the first frame opens the window");
        for i in 1..=4 {
            m.frame(1_000.0 + 100.0 * i as f64, 1_000, 0.2);
        }
        assert_eq!(m.fps, 0.0, "nothing is reported before half a second");
        m.frame(1_500.0, 1_000, 0.2);
        assert!((m.fps - 10.0).abs() < 1e-9, "{}", m.fps);
        assert!((m.events_per_s - 10_000.0).abs() < 1e-6, "{}", m.events_per_s);
        assert!((m.achieved_speed - 2.0).abs() < 1e-9, "{}", m.achieved_speed);
        // The next window starts at the frame that closed this one.
        m.frame(2_100.0, 60_000, 6.0);
        assert!((m.fps - 1_000.0 / 600.0).abs() < 1e-9 && (m.events_per_s - 100_000.0).abs() < 1e-6);
        assert!((m.achieved_speed - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_restarted_window_does_not_count_the_pause() {
        let mut m = PerfMeter::default();
        m.frame(0.0, 0, 0.0);
        m.frame(100.0, 1_000, 0.1);
        m.restart_window();
        // A long pause, then frames again: the first one only reopens the window.
        m.frame(60_000.0, 1_000, 0.1);
        m.frame(60_500.0, 5_000, 0.5);
        assert!((m.fps - 2.0).abs() < 1e-9, "{}", m.fps);
        assert!((m.events_per_s - 10_000.0).abs() < 1e-6 && (m.achieved_speed - 1.0).abs() < 1e-9);
    }
}
