//! `brink`: batch runs and benchmarks of Brink's engine from the command line.
//!
//! Exit status: 0 on success, 2 for a mistake in the command line or the
//! scenario (one line on stderr naming the flag or the file and key), 1 when
//! the output cannot be written or a run stops early at the event cap, 130
//! when Ctrl-C stopped a run (its report, of the part simulated, is printed).

mod args;
mod bench;
mod bench_cmd;
mod compare;
mod fields;
mod hysteresis;
mod lessons;
mod output;
mod scenario;
mod stepping;
mod sweep;
mod tipping;
mod validate;

use args::{Commands, Format, RunArgs, UsageError};
use sim_core::Simulation;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

/// Why the command did not succeed.
pub(crate) enum Failure {
    /// A mistake in the input: exit status 2.
    Usage(UsageError),
    /// Anything else: exit status 1, with this message (or none when the
    /// reader of stdout went away, which is not worth a message).
    Runtime(Option<String>),
    /// Ctrl-C stopped the run after its partial report was written: exit
    /// status 130, as a shell reports a process ended by SIGINT.
    Interrupted(String),
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Failure {
        Failure::Usage(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        match e.kind() {
            io::ErrorKind::BrokenPipe => Failure::Runtime(None),
            _ => Failure::Runtime(Some(format!("brink: cannot write the output: {e}"))),
        }
    }
}

fn main() -> ExitCode {
    let command = match args::parse(std::env::args_os()) {
        Ok(command) => command,
        Err(e) => {
            return match args::usage_error(&e) {
                Some(usage) => fail(Failure::Usage(usage)),
                // --help or --version: clap prints it on stdout.
                None => match e.print() {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(io) => fail(io.into()),
                },
            };
        }
    };
    match dispatch(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(f),
    }
}

fn fail(f: Failure) -> ExitCode {
    match f {
        Failure::Usage(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Failure::Runtime(message) => {
            if let Some(m) = message {
                eprintln!("{m}");
            }
            ExitCode::from(1)
        }
        Failure::Interrupted(message) => {
            eprintln!("{message}");
            ExitCode::from(130)
        }
    }
}

fn dispatch(command: Commands) -> Result<(), Failure> {
    match command {
        Commands::Run(a) => run(&a),
        Commands::Bench(a) => Ok(bench_cmd::run(a)?),
        Commands::Fields(a) => Ok(fields::print(a.format)?),
        Commands::BenchMemory { duration } => Ok(bench_cmd::memory_child(&duration)?),
        Commands::Compare(a) => compare::run(&a),
        Commands::Sweep(a) => sweep::run(&a),
        Commands::Merge(a) => sweep::merge(&a),
        Commands::Validate(a) => validate::run(&a),
        Commands::Hysteresis(a) => hysteresis::run(&a),
        Commands::Tipping(a) => tipping::run(&a),
        Commands::Lessons(a) => Ok(lessons::list(&a)?),
        Commands::Lesson(a) => lesson(&a),
    }
}

/// `brink lesson NAME [--check]`.
fn lesson(a: &lessons::LessonArgs) -> Result<(), Failure> {
    let l = lessons::find(&a.name)?;
    if !a.check {
        return Ok(lessons::show(l)?);
    }
    match lessons::check(l) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Failure::Runtime(Some(format!("brink: lesson {}: a step's check did not pass", l.name)))),
        Err(e) => Err(Failure::Runtime(Some(format!("brink: lesson {}: {e}", l.name)))),
    }
}

/// Runs `config` to its end without progress or Ctrl-C handling (for the
/// commands that run several simulations), with the wall time it took. A
/// run stopped at the event cap is an error (exit status 1), as in `brink run`.
pub(crate) fn simulate(config: sim_core::Config) -> Result<(Simulation, f64), Failure> {
    let mut sim = Simulation::new(config).map_err(|e| UsageError(e.to_string()))?;
    let start = Instant::now();
    sim.run_to_end();
    let wall_s = start.elapsed().as_secs_f64();
    match sim.snapshot().halted {
        Some(halt) => Err(Failure::Runtime(Some(format!(
            "brink: a run (seed {}) stopped early ({halt:?}, cap {} events)",
            sim.config().seed,
            sim_core::config::MAX_EVENTS_PER_RUN
        )))),
        None => Ok((sim, wall_s)),
    }
}

/// `brink run`: validate everything, then allocate and run, then print.
fn run(a: &RunArgs) -> Result<(), Failure> {
    // First, so that a Ctrl-C from now on is caught; the loop looks at the
    // flag between chunks.
    let stop = stepping::interrupt_flag();
    let config = scenario::build(a)?;
    let mut sim = Simulation::new(config).map_err(|e| UsageError(e.to_string()))?;
    let mut progress = stepping::Progress::new(io::stderr().is_terminal());
    let start = Instant::now();
    let outcome = stepping::run(&mut sim, &stop, |sim| progress.update(sim));
    let wall_s = start.elapsed().as_secs_f64();
    progress.finish();
    write_output(&sim, a, wall_s)?;
    if outcome == stepping::Outcome::Interrupted {
        return Err(Failure::Interrupted(format!(
            "brink: interrupted at t = {} s of {} s; the report covers only that part",
            stepping::seconds(sim.now().as_secs_f64()),
            stepping::seconds(sim.end().as_secs_f64())
        )));
    }
    match sim.snapshot().halted {
        Some(halt) => Err(Failure::Runtime(Some(format!(
            "brink: the run stopped early ({halt:?}, cap {} events); its figures cover only part of the run",
            sim_core::config::MAX_EVENTS_PER_RUN
        )))),
        None => Ok(()),
    }
}

fn write_output(sim: &Simulation, a: &RunArgs, wall_s: f64) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    match a.format {
        Format::Json => {
            output::write_json(&mut out, &output::run_report(sim, &a.windows, a.indent, wall_s), a.indent)?;
        }
        Format::Csv => output::write_csv(&mut out, sim.series(), &output::service_series(sim))?,
    }
    out.flush()
}
