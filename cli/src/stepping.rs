//! Runs a simulation in chunks of simulated time, so that between chunks the
//! CLI can look at the wall clock (to show progress) and at the Ctrl-C flag
//! (to stop early). The engine itself never reads a clock.

use sim_core::{SimTime, Simulation};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Simulated nanoseconds in one second.
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Most events in one chunk, so that a second with a huge number of events
/// (a retry storm at a high rate) still lets the loop look up now and then.
const MAX_EVENTS_PER_CHUNK: u64 = 1 << 20;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It reached its end, or the engine halted it (see its snapshot).
    Finished,
    /// The stop flag was raised (Ctrl-C) before the end.
    Interrupted,
}

/// The simulated time one chunk covers: 1% of the run, at most one second,
/// at least one nanosecond.
pub fn chunk_ns(end_ns: u64) -> u64 {
    (end_ns / 100).clamp(1, NANOS_PER_SEC)
}

/// Steps `sim` to its end, one chunk at a time, calling `between` after each
/// chunk and stopping early when `stop` is set. The events processed, and so
/// the results, are those of `run_to_end`.
pub fn run(sim: &mut Simulation, stop: &AtomicBool, mut between: impl FnMut(&Simulation)) -> Outcome {
    let end = sim.end().0;
    let chunk = chunk_ns(end);
    let mut target = sim.now().0.saturating_add(chunk).min(end);
    loop {
        if sim.step_until_budget(SimTime(target), MAX_EVENTS_PER_CHUNK) {
            if sim.is_finished() {
                return Outcome::Finished;
            }
            target = target.saturating_add(chunk).min(end);
        }
        if stop.load(Ordering::Relaxed) {
            return Outcome::Interrupted;
        }
        between(sim);
    }
}

/// Installs the Ctrl-C (SIGINT) handler: the first Ctrl-C raises the returned
/// flag, for the stepping loop to stop at the end of its chunk; a second one
/// exits at once with status 130. Without a handler (it could not be
/// installed) the flag is never raised and Ctrl-C kills the process as usual.
pub fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let sigint = signal_hook::consts::SIGINT;
    // The shutdown must be registered first: it runs before the flag is set,
    // so only a Ctrl-C that finds the flag already raised exits.
    if signal_hook::flag::register_conditional_shutdown(sigint, 130, Arc::clone(&flag)).is_ok() {
        let _ = signal_hook::flag::register(sigint, Arc::clone(&flag));
    }
    flag
}

/// The progress line on stderr: shown once a run has taken more than a
/// second of wall time, redrawn a few times a second, erased at the end.
pub struct Progress {
    /// False when stderr is not a terminal: then nothing is ever drawn.
    enabled: bool,
    start: Instant,
    last_drawn: Option<Instant>,
}

impl Progress {
    /// Wall time before the line first appears.
    const DELAY: Duration = Duration::from_secs(1);
    /// Wall time between redraws.
    const PERIOD: Duration = Duration::from_millis(250);

    /// A progress line for a run starting now, drawn only if `enabled`.
    pub fn new(enabled: bool) -> Progress {
        Progress { enabled, start: Instant::now(), last_drawn: None }
    }

    /// Redraws the line if it is due.
    pub fn update(&mut self, sim: &Simulation) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let elapsed = now.duration_since(self.start);
        let due = match self.last_drawn {
            None => elapsed >= Self::DELAY,
            Some(t) => now.duration_since(t) >= Self::PERIOD,
        };
        if !due {
            return;
        }
        self.last_drawn = Some(now);
        let line = progress_line(sim.now(), sim.end(), sim.events_processed(), elapsed.as_secs_f64());
        // Carriage return, the line, then erase whatever a longer line left.
        let _ = io::stderr().write_all(format!("\r{line}\x1b[K").as_bytes());
    }

    /// Erases the line if it was drawn.
    pub fn finish(&mut self) {
        if self.last_drawn.take().is_some() {
            let _ = io::stderr().write_all(b"\r\x1b[K");
        }
    }
}

/// "brink: t = 812 s of 3600 s (22.6%), 10.4 M events/s".
pub fn progress_line(now: SimTime, end: SimTime, events: u64, wall_s: f64) -> String {
    let percent = if end.0 == 0 { 100.0 } else { now.0 as f64 / end.0 as f64 * 100.0 };
    let rate = if wall_s > 0.0 { events as f64 / wall_s / 1e6 } else { 0.0 };
    format!(
        "brink: t = {} s of {} s ({percent:.1}%), {rate:.1} M events/s",
        seconds(now.as_secs_f64()),
        seconds(end.as_secs_f64())
    )
}

/// Seconds with up to three decimals and no trailing zeros: "12", "0.25".
pub fn seconds(s: f64) -> String {
    let text = format!("{s:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::Config;

    fn sim(duration_s: f64, seed: u64) -> Simulation {
        let mut c = Config::default();
        c.traffic.duration_s = duration_s;
        c.traffic.rate_per_s = 13_000.0;
        c.seed = seed;
        Simulation::new(c).unwrap()
    }

    #[test]
    fn chunks_give_the_results_of_one_run() {
        for (duration, seed) in [(3.0, 1), (2.5, 7)] {
            let mut whole = sim(duration, seed);
            whole.run_to_end();
            let mut chunked = sim(duration, seed);
            let mut calls = 0;
            let outcome = run(&mut chunked, &AtomicBool::new(false), |_| calls += 1);
            assert_eq!(outcome, Outcome::Finished, "seed {seed}");
            assert!(calls >= 99, "seed {seed}: {calls} chunks");
            assert_eq!(chunked.now(), chunked.end(), "seed {seed}");
            assert_eq!(chunked.events_processed(), whole.events_processed(), "seed {seed}");
            let json = |s: &Simulation| serde_json::to_string(&s.report(&[0, 1, 2])).unwrap();
            assert_eq!(json(&chunked), json(&whole), "seed {seed}");
        }
    }

    #[test]
    fn a_raised_flag_stops_after_one_chunk() {
        let mut s = sim(100.0, 3);
        let outcome = run(&mut s, &AtomicBool::new(true), |_| panic!("no chunk after the stop"));
        assert_eq!(outcome, Outcome::Interrupted);
        assert_eq!(s.now(), SimTime(NANOS_PER_SEC), "one chunk of one second");
        assert!(!s.is_finished());
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(chunk_ns(3 * NANOS_PER_SEC), 30_000_000);
        assert_eq!(chunk_ns(3600 * NANOS_PER_SEC), NANOS_PER_SEC);
        assert_eq!(chunk_ns(50), 1);
    }

    #[test]
    fn the_progress_line() {
        let line = progress_line(SimTime(812 * NANOS_PER_SEC), SimTime(3600 * NANOS_PER_SEC), 20_800_000, 2.0);
        assert_eq!(line, "brink: t = 812 s of 3600 s (22.6%), 10.4 M events/s");
        assert_eq!(seconds(0.25), "0.25");
        assert_eq!(seconds(12.0), "12");
        assert_eq!(seconds(0.0), "0");
    }
}
