//! `brink`: batch runs and benchmarks of Brink's engine from the command line.
//!
//! Exit status: 0 on success, 2 for a mistake in the command line or the
//! scenario (one line on stderr naming the flag or the file and key), 1 when
//! the output cannot be written or a run stops early at the event cap.

mod args;
mod bench;
mod bench_cmd;
mod output;
mod scenario;

use args::{Format, RunArgs, UsageError};
use sim_core::Simulation;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

const HELP: &str = "brink: a failure-dynamics simulator (clients, retries, a balancer, nodes under load)\n\n\
Usage:\n  brink run [FLAGS]      one simulation; JSON report like shared/reference/simpy_ref.py\n  \
brink bench [--json]   engine speed beside a hand-written loop, and peak memory\n  \
brink --help | --version\n\n\
Run `brink run --help` for the model flags.\n";

/// Why the command did not succeed.
enum Failure {
    /// A mistake in the input: exit status 2.
    Usage(UsageError),
    /// Anything else: exit status 1, with this message (or none when the
    /// reader of stdout went away, which is not worth a message).
    Runtime(Option<String>),
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
    let argv: Vec<String> = match std::env::args_os().skip(1).map(|a| a.into_string()).collect() {
        Ok(v) => v,
        Err(bad) => return fail(Failure::Usage(UsageError(format!("argument is not valid UTF-8: {bad:?}")))),
    };
    match dispatch(&argv) {
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
    }
}

fn dispatch(argv: &[String]) -> Result<(), Failure> {
    let Some((command, rest)) = argv.split_first() else {
        return Err(UsageError("missing command (see brink --help)".into()).into());
    };
    match command.as_str() {
        "run" => run(rest),
        "bench" => bench(rest),
        bench_cmd::MEMORY_CHILD => Ok(bench_cmd::memory_child(rest)?),
        "--help" | "-h" | "help" => print_text(HELP),
        "--version" | "-V" => print_text(&format!("brink {}\n", env!("CARGO_PKG_VERSION"))),
        other => Err(UsageError(format!("unknown command '{other}' (see brink --help)")).into()),
    }
}

fn print_text(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn bench(rest: &[String]) -> Result<(), Failure> {
    let a = bench_cmd::parse(rest)?;
    if a.help {
        return print_text(bench_cmd::HELP);
    }
    Ok(bench_cmd::run(a)?)
}

/// `brink run`: validate everything, then allocate and run, then print.
fn run(rest: &[String]) -> Result<(), Failure> {
    let a = args::parse_run(rest)?;
    if a.help {
        return print_text(&args::run_help());
    }
    let config = scenario::build(&a)?;
    let mut sim = Simulation::new(config).map_err(|e| UsageError(e.to_string()))?;
    let start = Instant::now();
    sim.run_to_end();
    let wall_s = start.elapsed().as_secs_f64();
    write_output(&sim, &a, wall_s)?;
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
            let report = sim.report(&a.windows);
            let info = output::RunInfo { config: sim.config(), windows: &a.windows, indent: a.indent, wall_s };
            output::write_json(&mut out, &output::report_json(&report, &info), a.indent)?;
        }
        Format::Csv => output::write_csv(&mut out, sim.series())?,
    }
    out.flush()
}
