//! The messages between the page and the engine's Web Worker.
//!
//! The worker owns the simulation; the page owns the knobs and the clock. The
//! page sends [`Command`]s and the worker answers each with one [`Reply`]: the
//! snapshot at the instant reached and the per-second points that changed
//! since the last reply ([`SeriesDelta`]), so a message stays a few kilobytes
//! however long the run. Both travel as JSON text: the size and cost figures
//! that chose it are in docs/APP.md (test `a_reply_is_small_and_quick_to_encode`).

use crate::trace_view::TracePick;
use serde::{Deserialize, Serialize};
use sim_core::metrics::{CpuSeries, DbSeries, NodeStateSeries, ScalingSeries};
use sim_core::trace::Traces;
use sim_core::{Config, Counter, Fault, Series, SimTime, Snapshot};

/// One request to the engine. `run` names the run it is meant for: a command
/// for a run other than the worker's current one is ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Start run `run` at time zero on `config` (a new page, a reset).
    Start {
        /// The run's number.
        run: u64,
        /// The configuration, already validated by the page.
        config: Box<Config>,
    },
    /// Apply changed knobs from the current instant.
    Reconfigure {
        /// The run's number.
        run: u64,
        /// The knobs as the page shows them.
        config: Box<Config>,
    },
    /// Step towards `target` within `budget` events (`None`: no limit).
    Advance {
        /// The run's number.
        run: u64,
        /// The simulated instant to reach.
        target: SimTime,
        /// The most events to process.
        budget: Option<u64>,
        /// A preset's scheduled crash `(when, node)`: the stepping stops at
        /// its instant to fire it, whatever the target.
        crash: Option<(SimTime, u32)>,
        /// Record the 100 ms view of attempts while stepping (a lesson
        /// about retry waves); the reply carries its new buckets.
        fine: bool,
    },
    /// Kill a node now.
    Crash {
        /// The run's number.
        run: u64,
        /// The node, counted from 0.
        node: u32,
    },
    /// Fire a fault now.
    Fault {
        /// The run's number.
        run: u64,
        /// The fault.
        fault: Fault,
    },
    /// Answer a question about the run as it stands (an export, a trace):
    /// the reply's `answer`.
    Ask {
        /// The run's number.
        run: u64,
        /// The question.
        query: Query,
    },
}

/// What the page may ask of the run beyond its series and snapshot: the
/// documents the engine alone can write (so they stay the CLI's, byte for
/// byte) and the one sampled trace a click picks. Asked for on demand, so
/// the per-frame replies stay small.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Query {
    /// The JSON report as `brink run --indent 2` prints it (`crate::export::json`).
    Report,
    /// The per-second CSV as `brink run --format csv` prints it.
    Csv,
    /// Every kept trace as OTLP/JSON (`brink run --traces FILE`).
    Otlp,
    /// The sampled trace a click picks ([`crate::trace_view::pick`]).
    Trace(TracePick),
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// A document (report, CSV, OTLP/JSON); empty when there is nothing
    /// to write (traces off).
    Text(String),
    /// The picked trace alone, with the run's service names and instant;
    /// `None` while traces are off or none was kept.
    Trace(Option<Traces>),
}

impl Command {
    /// The run the command is meant for.
    pub fn run(&self) -> u64 {
        match self {
            Command::Start { run, .. }
            | Command::Reconfigure { run, .. }
            | Command::Advance { run, .. }
            | Command::Crash { run, .. }
            | Command::Fault { run, .. }
            | Command::Ask { run, .. } => *run,
        }
    }
}

/// The engine's answer to one command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The run it describes.
    pub run: u64,
    /// The system at the instant reached.
    pub snapshot: Snapshot,
    /// Events processed since the run started.
    pub events: u64,
    /// Events this command processed.
    pub stepped: u64,
    /// False when an advance ran out of budget before its target.
    pub reached: bool,
    /// True when the command fired the scheduled crash.
    pub crash_fired: bool,
    /// True when a [`Command::Crash`] killed its node (false: it was down).
    pub crashed: bool,
    /// Wall time the command took in the worker, ms.
    pub elapsed_ms: f64,
    /// Why the engine refused the command, if it did.
    pub error: Option<String>,
    /// The run's per-second points changed since the last reply.
    pub series: SeriesDelta,
    /// The same for each service of a system (empty for a single tier).
    pub services: Vec<SeriesDelta>,
    /// The configuration in force after the command.
    pub config: Option<Box<Config>>,
    /// Index of the first 100 ms bucket carried (`Command::Advance::fine`).
    pub fine_from: usize,
    /// Attempts sent in each new 100 ms bucket.
    pub fine_attempts: Vec<u64>,
    /// Logical requests offered in each new 100 ms bucket.
    pub fine_offered: Vec<u64>,
    /// The answer to a [`Command::Ask`].
    pub answer: Option<Answer>,
}

/// Seconds `from..from + len` of every per-second series.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SeriesDelta {
    /// First second carried.
    pub from: usize,
    /// Each counter with a series, in [`Counter::ALL`] order.
    pub counters: Vec<Vec<u64>>,
    /// Attempts waiting.
    pub queued: Vec<u64>,
    /// Median and 99th percentile latency, ms.
    pub p50: Vec<Option<f64>>,
    /// See `p50`.
    pub p99: Vec<Option<f64>>,
    /// See `p50`: the 99.9th percentile.
    pub p999: Vec<Option<f64>>,
    /// Median service time as a server's own timer measures it, ms.
    pub server_p50: Vec<Option<f64>>,
    /// CPU use, with whether it is shown.
    pub cpu: CpuSeries,
    /// The database's series, when on.
    pub db: Option<DbSeries>,
    /// Node lifecycle states, when tracked.
    pub node_states: Option<NodeStateSeries>,
    /// The defences' state, when on.
    pub scaling: Option<ScalingSeries>,
}

fn cut<T: Clone>(v: &[T], from: usize, to: usize) -> Vec<T> {
    v.get(from..to.min(v.len())).map(<[T]>::to_vec).unwrap_or_default()
}

fn paste<T: Clone>(dst: &mut [T], from: usize, part: &[T]) {
    if let Some(d) = dst.get_mut(from..from + part.len()) {
        d.clone_from_slice(part);
    }
}

impl SeriesDelta {
    /// Seconds `from..to` of `s`.
    pub fn cut(s: &Series, from: usize, to: usize) -> SeriesDelta {
        let counters = Counter::ALL.iter().filter_map(|&c| s.counter(c)).map(|v| cut(v, from, to)).collect();
        SeriesDelta {
            from,
            counters,
            queued: cut(&s.queued, from, to),
            p50: cut(&s.latency_p50_ms, from, to),
            p99: cut(&s.latency_p99_ms, from, to),
            p999: cut(&s.latency_p999_ms, from, to),
            server_p50: cut(&s.server_p50_ms, from, to),
            cpu: CpuSeries {
                useful: cut(&s.cpu.useful, from, to),
                wasted: cut(&s.cpu.wasted, from, to),
                switching: cut(&s.cpu.switching, from, to),
                shown: s.cpu.shown,
            },
            db: s.db.as_ref().map(|d| DbSeries {
                pool_in_use: cut(&d.pool_in_use, from, to),
                pool_waiting: cut(&d.pool_waiting, from, to),
                queries: cut(&d.queries, from, to),
                wait_ms: cut(&d.wait_ms, from, to),
            }),
            node_states: s.node_states.as_ref().map(|n| NodeStateSeries {
                up: cut(&n.up, from, to),
                warming: cut(&n.warming, from, to),
                crashed: cut(&n.crashed, from, to),
                ejected: cut(&n.ejected, from, to),
            }),
            scaling: s.scaling.as_ref().map(|x| ScalingSeries {
                nodes: cut(&x.nodes, from, to),
                pending: cut(&x.pending, from, to),
                limit: cut(&x.limit, from, to),
            }),
        }
    }

    /// Writes these seconds into `s` (a series of the run's length); a
    /// series the run started mid-way (the database switched on) starts zeroed.
    pub fn paste(&self, s: &mut Series) {
        let (from, seconds) = (self.from, s.queued.len());
        let mut parts = self.counters.iter();
        for c in Counter::ALL {
            if let Some(dst) = s.counter_mut(c) {
                paste(dst, from, parts.next().map_or(&[][..], Vec::as_slice));
            }
        }
        paste(&mut s.queued, from, &self.queued);
        paste(&mut s.latency_p50_ms, from, &self.p50);
        paste(&mut s.latency_p99_ms, from, &self.p99);
        paste(&mut s.latency_p999_ms, from, &self.p999);
        paste(&mut s.server_p50_ms, from, &self.server_p50);
        paste(&mut s.cpu.useful, from, &self.cpu.useful);
        paste(&mut s.cpu.wasted, from, &self.cpu.wasted);
        paste(&mut s.cpu.switching, from, &self.cpu.switching);
        s.cpu.shown = self.cpu.shown;
        if let Some(d) = &self.db {
            let dst = s.db.get_or_insert_with(|| DbSeries::new(seconds));
            paste(&mut dst.pool_in_use, from, &d.pool_in_use);
            paste(&mut dst.pool_waiting, from, &d.pool_waiting);
            paste(&mut dst.queries, from, &d.queries);
            paste(&mut dst.wait_ms, from, &d.wait_ms);
        }
        if let Some(n) = &self.node_states {
            let dst = s.node_states.get_or_insert_with(|| NodeStateSeries::new(seconds));
            paste(&mut dst.up, from, &n.up);
            paste(&mut dst.warming, from, &n.warming);
            paste(&mut dst.crashed, from, &n.crashed);
            paste(&mut dst.ejected, from, &n.ejected);
        }
        if let Some(x) = &self.scaling {
            let dst = s.scaling.get_or_insert_with(|| ScalingSeries::new(seconds));
            paste(&mut dst.nodes, from, &x.nodes);
            paste(&mut dst.pending, from, &x.pending);
            paste(&mut dst.limit, from, &x.limit);
        }
    }
}

/// The worker's first message, once it listens: the page sends nothing before.
pub const READY: &str = "ready";

/// How the worker's loader (static/engine-worker.js) begins its message
/// when the engine's WebAssembly fails to instantiate: the page then steps
/// the run itself.
pub const FAILED: &str = "failed";

/// Encodes a message as JSON text.
pub fn encode<T: Serialize>(m: &T) -> String {
    serde_json::to_string(m).expect("the messages have no maps with non-string keys")
}

/// Decodes a message from JSON text.
pub fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("engine message not understood: {e}"))
}
