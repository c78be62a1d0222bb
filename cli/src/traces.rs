//! `brink run --traces FILE`: the run's sampled request traces as
//! OTLP/JSON (see `sim_core::trace`), for the tracing tools a user already
//! has (Jaeger, Tempo, an OpenTelemetry Collector's file receiver).

use crate::args::UsageError;
use crate::Failure;
use sim_core::{Config, Simulation};
use std::fs::File;
use std::io::{BufWriter, Write};

/// The sampling rate `--traces` turns on when the scenario leaves traces
/// off: one logical request per simulated second.
pub const DEFAULT_SAMPLE_PER_S: f64 = 1.0;

/// For `--traces FILE`: turns sampling on (at [`DEFAULT_SAMPLE_PER_S`]
/// unless the scenario or `--set traces.sample_per_s` chose a rate) and
/// creates the file before the run, so that an unwritable path fails at
/// once rather than after a long run.
pub fn prepare(config: &mut Config, path: Option<&str>) -> Result<Option<(File, String)>, Failure> {
    let Some(path) = path else { return Ok(None) };
    if config.traces.sample_per_s == 0.0 {
        config.traces.sample_per_s = DEFAULT_SAMPLE_PER_S;
    }
    match File::create(path) {
        Ok(f) => Ok(Some((f, path.to_string()))),
        Err(e) => Err(Failure::Usage(UsageError(format!("--traces {path}: cannot create the file: {e}")))),
    }
}

/// Writes the run's kept traces to the file [`prepare`] created.
pub fn write(sim: &Simulation, (file, path): (File, String)) -> Result<(), Failure> {
    let Some(traces) = sim.traces() else { return Ok(()) };
    let mut out = BufWriter::new(file);
    let written = out.write_all(sim_core::trace::otlp::to_string(&traces).as_bytes()).and_then(|_| out.flush());
    written.map_err(|e| Failure::Runtime(Some(format!("brink: --traces {path}: {e}"))))
}
