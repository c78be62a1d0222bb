//! The batch workers' protocol: independent jobs (a tipping-map cell, a
//! validation check) sent to a pool of Web Workers, one per core, and
//! answered one reply per job. Free of browser types: the worker binary
//! (`src/bin/brink-batch.rs`) only moves text between `onmessage` and
//! [`handle`], and native tests drive [`handle`] in-process. The page's
//! side, the pool, is `components::batch_pool`.

use serde::{Deserialize, Serialize};
use sim_core::tipping::{self, Judge};
use sim_core::validation::{figure, CHECKS};
use sim_core::Config;

/// What a worker posts once it listens: the pool holds its jobs until then.
pub const READY: &str = "ready";

/// Most workers in the pool, whatever the core count: each holds a copy of
/// the engine's WebAssembly (a few MB).
pub const MAX_WORKERS: usize = 8;

/// One worker per core the browser reports (`navigator.hardwareConcurrency`),
/// at least 1 and at most [`MAX_WORKERS`].
pub fn pool_size(hardware_concurrency: f64) -> usize {
    if hardware_concurrency.is_finite() && hardware_concurrency >= 1.0 {
        (hardware_concurrency as usize).min(MAX_WORKERS)
    } else {
        1
    }
}

/// A job and its number, which its reply carries back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the page; replies carry it.
    pub id: u64,
    /// What to compute.
    pub job: Job,
}

/// What a worker can compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// One tipping-map cell: `sim_core::tipping::cell`.
    Tipping {
        /// The scenario, before its trigger.
        base: Box<Config>,
        /// Trigger size, × the rate.
        size: f64,
        /// Trigger duration, s.
        duration_s: f64,
        /// Seeds in the cell.
        seeds: u32,
        /// Recovery window, s.
        window_s: u32,
        /// Goodput / offered below which a seed has not recovered.
        threshold: f64,
    },
    /// Validation check number `index` of `sim_core::validation::CHECKS`.
    Check {
        /// Its place in `CHECKS`.
        index: usize,
    },
}

/// A validation row as the page shows it, formatted by the worker with
/// `brink validate`'s figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    /// What is compared.
    pub quantity: String,
    /// The figure's unit, "" for none.
    pub unit: String,
    /// The engine's figure.
    pub simulated: String,
    /// What theory or the source says.
    pub expected: String,
    /// Simulated minus expected.
    pub difference: String,
    /// Within the tolerance.
    pub passed: bool,
}

/// A job's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// Seeds of the cell that did not recover.
    Tipping {
        /// How many.
        failed: u32,
    },
    /// A check's rows.
    Check {
        /// In order.
        rows: Vec<CheckRow>,
    },
    /// The job could not run; says why.
    Failed(String),
}

/// The answer to one [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request's number.
    pub id: u64,
    /// What came out.
    pub outcome: Outcome,
    /// Wall time the job took in the worker, ms.
    pub took_ms: f64,
}

/// Computes one job; `clock` reads wall time in ms.
pub fn handle(request: Request, clock: fn() -> f64) -> Reply {
    let t0 = clock();
    let outcome = match request.job {
        Job::Tipping { base, size, duration_s, seeds, window_s, threshold } => {
            match tipping::cell(&base, size, duration_s, seeds, Judge { window_s, threshold }) {
                Ok(failed) => Outcome::Tipping { failed },
                Err(e) => Outcome::Failed(e.to_string()),
            }
        }
        Job::Check { index } => match CHECKS.get(index) {
            Some(check) => Outcome::Check { rows: (check.run)().iter().map(row).collect() },
            None => Outcome::Failed(format!("check {index}: allowed range is 0 to {}", CHECKS.len() - 1)),
        },
    };
    Reply { id: request.id, outcome, took_ms: clock() - t0 }
}

fn row(r: &sim_core::validation::Row) -> CheckRow {
    CheckRow {
        quantity: r.quantity.clone(),
        unit: r.unit.to_string(),
        simulated: figure(r.simulated),
        expected: r.expected.text(),
        difference: figure(r.difference()),
        passed: r.passed(),
    }
}

/// A message as text (JSON).
pub fn encode<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message).expect("batch messages always serialise")
}

/// A message from text, or what is wrong with it.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("batch message: {e}"))
}

/// The worker's entry point: answers every message (a JSON [`Request`])
/// with a JSON [`Reply`] until the page terminates it.
#[cfg(target_arch = "wasm32")]
pub fn serve() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn now() -> f64 {
        js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>().performance().map_or(0.0, |p| p.now())
    }
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let out = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        match decode::<Request>(&text) {
            Ok(request) => {
                let _ = out.post_message(&JsValue::from_str(&encode(&handle(request, now))));
            }
            Err(err) => web_sys::console::error_1(&err.into()),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker: nothing else can own it.
    on_message.forget();
    // Messages sent while the module loaded had no handler and are lost:
    // the pool holds its jobs until it hears this.
    let _ = scope.post_message(&JsValue::from_str(READY));
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::tipping::default_scenario;

    fn no_clock() -> f64 {
        0.0
    }

    fn through_text(request: &Request) -> Reply {
        let request: Request = decode(&encode(request)).unwrap();
        decode(&encode(&handle(request, no_clock))).unwrap()
    }

    #[test]
    fn a_tipping_job_is_sim_cores_cell() {
        let base = default_scenario();
        let job = Job::Tipping {
            base: Box::new(base.clone()),
            size: 1.6,
            duration_s: 4.0,
            seeds: 3,
            window_s: 10,
            threshold: 0.5,
        };
        let reply = through_text(&Request { id: 7, job });
        let expected = tipping::cell(&base, 1.6, 4.0, 3, Judge::default()).unwrap();
        assert_eq!(reply.id, 7);
        assert_eq!(reply.outcome, Outcome::Tipping { failed: expected }, "seeds {}..", base.seed);
    }

    #[test]
    fn a_bad_job_fails_with_its_reason() {
        let job = Job::Tipping {
            base: Box::new(default_scenario()),
            size: -2.0,
            duration_s: 4.0,
            seeds: 1,
            window_s: 10,
            threshold: 0.5,
        };
        let Outcome::Failed(why) = through_text(&Request { id: 2, job }).outcome else {
            panic!("a negative size runs")
        };
        assert!(why.contains("spike_mult"), "{why}");
        let Outcome::Failed(why) = through_text(&Request { id: 3, job: Job::Check { index: 99 } }).outcome else {
            panic!("check 99 runs")
        };
        assert!(why.contains("allowed range is 0 to 6"), "{why}");
    }

    #[test]
    fn a_check_job_gives_brink_validates_rows() {
        // Little's law is the quickest check; its rows as `brink validate` makes them.
        let index = CHECKS.iter().position(|c| c.name == "Little's law").unwrap();
        let Outcome::Check { rows } = through_text(&Request { id: 4, job: Job::Check { index } }).outcome else {
            panic!("no rows")
        };
        let direct = (CHECKS[index].run)();
        assert_eq!(rows.len(), direct.len());
        for (r, d) in rows.iter().zip(&direct) {
            assert_eq!(
                (r.quantity.as_str(), r.simulated.clone(), r.passed),
                (d.quantity.as_str(), figure(d.simulated), d.passed())
            );
        }
    }

    #[test]
    fn one_worker_per_core_within_bounds() {
        assert_eq!(pool_size(2.0), 2);
        assert_eq!(pool_size(0.0), 1);
        assert_eq!(pool_size(f64::NAN), 1);
        assert_eq!(pool_size(64.0), MAX_WORKERS);
    }
}
