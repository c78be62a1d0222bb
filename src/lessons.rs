//! A lesson in progress in the playground: which step it is at, when that
//! step's change came into force, which checks have turned green, and the
//! 100 ms view of attempts that some checks read. The lessons themselves
//! (scenario, steps, checks) are `sim_core::lesson`'s, the same the CLI's
//! `brink lesson NAME --check` walks; the checks are evaluated here by the
//! same [`sim_core::lesson::evaluate`] on the running engine's series.

use crate::url::ParamError;
use sim_core::lesson::{evaluate, FineSeries, Lesson, Observed, Step, Verdict, LESSONS};
use sim_core::{Config, Series, SimTime, Simulation};

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    /// Passed over: the page was opened at a later step (`?step=`).
    Skipped,
    /// Not reached yet.
    Ahead,
    /// The current step, its change not made yet.
    Waiting,
    /// The current step, its change in force since this second.
    Watching(usize),
    /// Its check passed; the evidence was complete at this second.
    Passed(usize),
}

/// A lesson being followed.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonRun {
    /// Index into `LESSONS`.
    pub index: usize,
    /// Each step's state.
    pub steps: Vec<StepState>,
    /// Attempts and offered requests per 100 ms, from time zero of the run.
    pub fine: FineSeries,
}

impl LessonRun {
    /// Lesson `index` from its first step, or from step `start` (counted
    /// from 0; earlier steps are skipped). `None` for an unknown lesson.
    pub fn new(index: usize, start: usize) -> Option<LessonRun> {
        let lesson = LESSONS.get(index)?;
        let start = start.min(lesson.steps.len() - 1);
        let steps = (0..lesson.steps.len())
            .map(|i| match i.cmp(&start) {
                std::cmp::Ordering::Less => StepState::Skipped,
                std::cmp::Ordering::Equal => StepState::Waiting,
                std::cmp::Ordering::Greater => StepState::Ahead,
            })
            .collect();
        Some(LessonRun { index, steps, fine: FineSeries::default() })
    }

    /// The lesson.
    pub fn lesson(&self) -> &'static Lesson {
        &LESSONS[self.index]
    }

    /// The current step (counted from 0), `None` once every step passed.
    pub fn current(&self) -> Option<usize> {
        self.steps.iter().position(|s| matches!(s, StepState::Waiting | StepState::Watching(_)))
    }

    /// The step to show in the URL (counted from 1): the current one, or
    /// the last once all passed.
    pub fn url_step(&self) -> usize {
        self.current().unwrap_or(self.steps.len() - 1) + 1
    }

    /// Whether every step was followed and passed.
    pub fn complete(&self) -> bool {
        self.steps.iter().all(|s| matches!(s, StepState::Passed(_)))
    }

    /// The run restarted from time zero: the 100 ms view starts again, and
    /// a step watching since before the restart watches from zero.
    pub fn restarted(&mut self) {
        self.fine = FineSeries::default();
        for s in &mut self.steps {
            if let StepState::Watching(_) = s {
                *s = StepState::Waiting;
            }
        }
    }

    /// Brings the steps up to date with the running simulation: the current
    /// step starts watching once its change is in force in the engine (a
    /// change that needs a reset counts from the reset), and passes when its
    /// check does; the next step then becomes current. A change undone
    /// before the check passed sends the step back to waiting.
    pub fn update(&mut self, config: &Config, series: &Series, completed_s: usize) {
        while let Some(i) = self.current() {
            let step: &Step = &self.lesson().steps[i];
            if !step.is_in_force(config) {
                self.steps[i] = StepState::Waiting;
                return;
            }
            let from_s = match self.steps[i] {
                StepState::Watching(from) => from,
                _ => completed_s,
            };
            self.steps[i] = StepState::Watching(from_s);
            let seen = Observed { series, completed_s, fine: &self.fine };
            match evaluate(&step.check, from_s, &seen) {
                Verdict::Passed(at) => {
                    self.steps[i] = StepState::Passed(at);
                    if let Some(next) = self.steps.get_mut(i + 1) {
                        *next = StepState::Waiting;
                    }
                }
                Verdict::Waiting => return,
            }
        }
    }

    /// Retries (attempts beyond the requests offered) per 100 ms over the
    /// last `seconds` seconds recorded, oldest first: the fine view.
    pub fn fine_retries(&self, seconds: usize) -> Vec<u64> {
        let f = &self.fine;
        let from = f.attempts.len().saturating_sub(seconds * sim_core::lesson::FINE_PER_S);
        f.attempts[from..].iter().zip(&f.offered[from..]).map(|(a, o)| a.saturating_sub(*o)).collect()
    }

    /// Takes in the 100 ms buckets the engine recorded from bucket `from`.
    pub fn paste_fine(&mut self, from: usize, attempts: &[u64], offered: &[u64]) {
        for (v, new) in [(&mut self.fine.attempts, attempts), (&mut self.fine.offered, offered)] {
            v.truncate(from);
            v.resize(from, 0);
            v.extend_from_slice(new);
        }
    }

    /// Whether the lesson has a check on the 100 ms view.
    pub fn uses_fine_view(&self) -> bool {
        self.lesson().steps.iter().any(|s| matches!(s.check, sim_core::lesson::Check::Waves { fine: true, .. }))
    }
}

/// Steps `sim` towards `target` within `budget` events, stopping at each
/// 100 ms boundary to record `fine`. True when `target` was reached (or
/// the run ended); false when the budget ran out first.
pub fn step_recording(sim: &mut Simulation, fine: &mut FineSeries, target: SimTime, budget: u64) -> bool {
    let bucket = FineSeries::BUCKET.0;
    let start = sim.events_processed();
    loop {
        let next = SimTime(((sim.now().0 / bucket + 1) * bucket).min(target.0));
        let left = budget.saturating_sub(sim.events_processed() - start).max(1);
        let reached = sim.step_until_budget(next, left);
        fine.observe(sim);
        if !reached {
            return false;
        }
        if next >= target || sim.is_finished() {
            return true;
        }
    }
}

/// The index of the lesson named `name`.
pub fn by_name(name: &str) -> Option<usize> {
    LESSONS.iter().position(|l| l.name == name)
}

/// Reads `lesson=NAME` and `step=K` (counted from 1) from a query string:
/// the lesson's index and the step counted from 0. The error names the
/// parameter and what is allowed. (`url::parse_query` leaves both to this.)
pub fn from_query(query: &str) -> Result<Option<(usize, usize)>, ParamError> {
    let all = crate::url::pairs(query);
    let get = |name: &str| all.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let fail = |param: &str, message: String| ParamError { param: param.to_string(), message };
    let Some(name) = get("lesson") else {
        return match get("step") {
            Some(_) => Err(fail("step", "needs lesson=NAME beside it".into())),
            None => Ok(None),
        };
    };
    let names: Vec<&str> = LESSONS.iter().map(|l| l.name).collect();
    let i = by_name(&name).ok_or_else(|| fail("lesson", format!("unknown; known lessons are {}", names.join(", "))))?;
    let n = LESSONS[i].steps.len();
    let step = match get("step") {
        None => 0,
        Some(v) => match v.parse::<usize>() {
            Ok(k) if (1..=n).contains(&k) => k - 1,
            _ => return Err(fail("step", format!("\"{v}\" is not a step of {name}; allowed range is 1 to {n}"))),
        },
    };
    Ok(Some((i, step)))
}

/// A step's change in words, with the knobs' labels: "Workers per node →
/// 32"; empty for a step that only watches.
pub fn change_text(step: &Step) -> String {
    let parts: Vec<String> = step
        .change
        .iter()
        .map(|(path, value)| {
            let (service, field) = match path.strip_prefix("services.") {
                Some(rest) => match rest.split_once(".calls.") {
                    Some((from, call)) => {
                        let (to, key) = call.split_once(".client.").unwrap_or((call, ""));
                        (format!("{from} → {to}: "), format!("client.{key}"))
                    }
                    None => {
                        let (name, key) = rest.split_once('.').unwrap_or((rest, ""));
                        (format!("{name}: "), key.to_string())
                    }
                },
                None => (String::new(), path.to_string()),
            };
            let label = sim_core::catalogue::field(&field).map_or(field.as_str(), |f| f.label);
            format!("{service}{label} → {value}")
        })
        .collect();
    parts.join(", ")
}

/// The `lesson=NAME&step=K` query of a lesson run.
pub fn query(run: &LessonRun) -> String {
    format!("?lesson={}&step={}", run.lesson().name, run.url_step())
}

#[cfg(test)]
mod tests;
