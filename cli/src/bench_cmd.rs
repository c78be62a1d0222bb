//! `brink bench`: prints the engine's speed beside the hand-written loop of
//! `bench.rs`, and the engine's peak memory for a short and a long run.
//!
//! It only prints figures; nothing asserts on wall time, which depends on the
//! machine and on whatever else it is doing.

use crate::args::{shown, Checked, UsageError};
use crate::bench::{self, Params};
use clap::Args;
use serde_json::{json, Value};
use sim_core::{CallConfig, Config, ServiceConfig, Simulation, Totals};
use std::process::Command;
use std::time::Instant;

/// The hidden subcommand a child process runs to measure peak memory alone.
pub const MEMORY_CHILD: &str = "__bench-memory";

/// Simulated durations whose peak memory is measured.
const MEMORY_DURATIONS_S: [u64; 2] = [60, 600];

/// Options of `brink bench`.
#[derive(Args, Debug, Clone, Copy, PartialEq, Eq)]
pub struct BenchArgs {
    /// timed runs of each contestant
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = Checked(parse_runs))]
    #[arg(default_value = "5")]
    pub runs: usize,
    /// machine-readable output (JSON)
    #[arg(long)]
    pub json: bool,
}

/// What `brink bench --help` says after the flags.
pub const NOTES: &str = "Runs the steady default (10000 req/s, 60 s simulated, seed 1) with the engine\n\
and with a hand-written event loop (cli/src/bench.rs), N times each (default 5),\n\
and prints logical requests and events per wall second (best and median), the\n\
totals of both, the engine's speed on a three-tier chain (gateway -> api -> db,\n\
each 4 nodes x 32 workers, 10 ms exponential service, 3000 req/s, 20 s\n\
simulated), and the engine's peak RSS for 60 s and 600 s simulated, each\n\
measured in a fresh child process.";

/// Allowed `--runs`.
fn parse_runs(raw: &str) -> Result<usize, String> {
    match raw.parse::<usize>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err("allowed range is 1 to 1000".into()),
    }
}

/// Speed figures of one contestant over several runs.
struct Speed {
    requests_per_s: Vec<f64>,
    events_per_s: Vec<f64>,
}

impl Speed {
    fn push(&mut self, requests: u64, events: u64, wall_s: f64) {
        let wall_s = wall_s.max(1e-9);
        self.requests_per_s.push(requests as f64 / wall_s);
        self.events_per_s.push(events as f64 / wall_s);
    }
}

/// Best (largest) and median of a sample.
fn best_and_median(xs: &[f64]) -> (f64, f64) {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let best = v.last().copied().unwrap_or(0.0);
    let median = match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    (best, median)
}

fn steady_config(duration_s: f64) -> Config {
    let mut c = Config::default();
    c.traffic.duration_s = duration_s;
    c
}

/// Arrival rate and simulated seconds of the three-tier bench scenario.
const TIERS_RATE: f64 = 3000.0;
const TIERS_DURATION_S: f64 = 20.0;

/// gateway -> api -> db, each the default tier (4 nodes x 32 workers, 10 ms
/// exponential service), called with the default client policy, at
/// `TIERS_RATE` req/s for `TIERS_DURATION_S` simulated seconds, seed 1.
fn three_tier_config() -> Config {
    let mut c = steady_config(TIERS_DURATION_S);
    c.traffic.rate_per_s = TIERS_RATE;
    let tier = |name: &str, calls: Option<&str>| ServiceConfig {
        name: name.to_string(),
        calls: calls.map(|to| CallConfig { to: to.to_string(), client: c.client.clone() }).into_iter().collect(),
        ..ServiceConfig::default()
    };
    c.services = vec![tier("gateway", Some("api")), tier("api", Some("db")), tier("db", None)];
    c
}

/// Times `run_to_end` only; building the simulation is not part of the loop.
fn time_engine(config: &Config, runs: usize) -> Result<(Speed, Totals), UsageError> {
    let mut speed = Speed { requests_per_s: Vec::new(), events_per_s: Vec::new() };
    let mut totals = Totals::default();
    for _ in 0..runs {
        let mut sim = Simulation::new(config.clone()).map_err(|e| UsageError(e.to_string()))?;
        let start = Instant::now();
        sim.run_to_end();
        let wall = start.elapsed().as_secs_f64();
        totals = sim.totals();
        speed.push(totals.offered, sim.events_processed(), wall);
    }
    Ok((speed, totals))
}

fn time_hand_loop(runs: usize) -> (Speed, bench::Totals, Option<f64>) {
    let mut speed = Speed { requests_per_s: Vec::new(), events_per_s: Vec::new() };
    let mut last = (bench::Totals::default(), None);
    for _ in 0..runs {
        let start = Instant::now();
        last = bench::simulate(Params::steady(1));
        let wall = start.elapsed().as_secs_f64();
        speed.push(last.0.offered, last.0.events, wall);
    }
    (speed, last.0, last.1)
}

/// Peak resident memory of this process in KiB, from Linux's /proc.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The hidden child: runs the steady case for `duration` simulated seconds
/// and prints its peak RSS in KiB after the run, then before it (the
/// process's own baseline), or "unknown" off Linux.
pub fn memory_child(raw: &str) -> Result<(), UsageError> {
    let duration: f64 =
        raw.parse().map_err(|_| UsageError(format!("{MEMORY_CHILD} {}: expected seconds", shown(raw))))?;
    let config = steady_config(duration);
    config.validate().map_err(|e| UsageError(e.to_string()))?;
    let before = peak_rss_kib();
    let mut sim = Simulation::new(config).map_err(|e| UsageError(e.to_string()))?;
    sim.run_to_end();
    let show = |kib: Option<u64>| kib.map_or("unknown".to_string(), |k| k.to_string());
    println!("{} {} {}", show(peak_rss_kib()), show(before), sim.totals().offered);
    Ok(())
}

/// Peak RSS of one memory child, after and before its run, in KiB.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    duration_s: u64,
    peak_kib: Option<u64>,
    baseline_kib: Option<u64>,
}

/// Runs the memory child for `duration_s` and reads its answer.
fn measure_memory(duration_s: u64) -> Memory {
    let mut m = Memory { duration_s, ..Memory::default() };
    let Ok(exe) = std::env::current_exe() else { return m };
    let Ok(out) = Command::new(exe).arg(MEMORY_CHILD).arg(duration_s.to_string()).output() else { return m };
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        let mut words = text.split_whitespace().map(|w| w.parse::<u64>().ok());
        m.peak_kib = words.next().flatten();
        m.baseline_kib = words.next().flatten();
    }
    m
}

/// Everything `brink bench` measured.
struct Results {
    runs: usize,
    engine: Speed,
    engine_totals: Totals,
    hand: Speed,
    hand_totals: bench::Totals,
    hand_mean_ms: Option<f64>,
    /// The engine on `three_tier_config`.
    tiers: Speed,
    tiers_totals: Totals,
    /// One per memory child.
    memory: Vec<Memory>,
}

/// Runs the benchmark and prints it.
pub fn run(args: BenchArgs) -> Result<(), UsageError> {
    let (engine, engine_totals) = time_engine(&Config::default(), args.runs)?;
    let (hand, hand_totals, hand_mean_ms) = time_hand_loop(args.runs);
    let (tiers, tiers_totals) = time_engine(&three_tier_config(), args.runs)?;
    let memory = MEMORY_DURATIONS_S.iter().map(|&d| measure_memory(d)).collect();
    let r = Results {
        runs: args.runs,
        engine,
        engine_totals,
        hand,
        hand_totals,
        hand_mean_ms,
        tiers,
        tiers_totals,
        memory,
    };
    if args.json {
        println!("{}", to_json(&r));
    } else {
        print_table(&r);
    }
    Ok(())
}

fn speed_json(s: &Speed) -> Value {
    let (rb, rm) = best_and_median(&s.requests_per_s);
    let (eb, em) = best_and_median(&s.events_per_s);
    json!({
        "logical_requests_per_wall_s": { "best": rb, "median": rm },
        "events_per_wall_s": { "best": eb, "median": em },
    })
}

fn hand_totals_json(t: &bench::Totals, mean_ms: Option<f64>) -> Value {
    json!({
        "offered": t.offered, "attempts": t.attempts, "throughput": t.throughput, "goodput": t.goodput,
        "rejected": t.rejected, "timed_out": t.timed_out, "failed": t.failed, "wasted": t.wasted,
        "unresolved_at_end": t.unresolved_at_end, "events_processed": t.events, "latency_mean_ms": mean_ms,
    })
}

fn to_json(r: &Results) -> Value {
    let peak: Vec<Value> = r
        .memory
        .iter()
        .map(|m| json!({ "duration_s": m.duration_s, "peak_rss_kib": m.peak_kib, "baseline_rss_kib": m.baseline_kib }))
        .collect();
    json!({
        "scenario": { "rate": 10000.0, "duration": 60.0, "seed": 1, "runs": r.runs },
        "versions": { "brink": env!("CARGO_PKG_VERSION") },
        "engine": { "speed": speed_json(&r.engine), "totals": serde_json::to_value(r.engine_totals).unwrap_or(Value::Null) },
        "hand_loop": { "speed": speed_json(&r.hand), "totals": hand_totals_json(&r.hand_totals, r.hand_mean_ms) },
        "engine_peak_rss": peak,
        "three_tier": {
            "scenario": {
                "services": ["gateway", "api", "db"], "nodes": 4, "workers": 32, "service_ms": 10.0,
                "rate": TIERS_RATE, "duration": TIERS_DURATION_S, "seed": 1, "runs": r.runs,
            },
            "speed": speed_json(&r.tiers),
            "totals": serde_json::to_value(r.tiers_totals).unwrap_or(Value::Null),
        },
    })
}

/// Millions with two decimals, for the table.
fn millions(x: f64) -> String {
    format!("{:.2} M", x / 1e6)
}

fn print_table(r: &Results) {
    println!("brink bench: steady default (10000 req/s, 60 s simulated, seed 1), {} runs each", r.runs);
    println!();
    println!(
        "{:<22} {:>14} {:>14} {:>14} {:>14}",
        "per wall second", "requests best", "requests med", "events best", "events med"
    );
    for (name, s) in
        [("engine (sim-core)", &r.engine), ("hand loop (bench.rs)", &r.hand), ("engine, 3 tiers *", &r.tiers)]
    {
        let (rb, rm) = best_and_median(&s.requests_per_s);
        let (eb, em) = best_and_median(&s.events_per_s);
        println!("{name:<22} {:>14} {:>14} {:>14} {:>14}", millions(rb), millions(rm), millions(eb), millions(em));
    }
    println!(
        "* gateway -> api -> db, each 4 nodes x 32 workers, 10 ms exponential; {TIERS_RATE} req/s, \
         {TIERS_DURATION_S} s simulated, seed 1 ({} offered, {} goodput)",
        r.tiers_totals.offered, r.tiers_totals.goodput
    );
    println!();
    print_totals(&r.engine_totals, &r.hand_totals);
    println!();
    println!("engine peak RSS (VmHWM read in a fresh child process after its run)");
    let mib = |kib: Option<u64>| kib.map_or("unknown".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    println!("  {:<18} {:>12} {:>16}", "", "peak", "before the run");
    for m in &r.memory {
        println!(
            "  {:<18} {:>12} {:>16}",
            format!("{} s simulated", m.duration_s),
            mib(m.peak_kib),
            mib(m.baseline_kib)
        );
    }
}

fn print_totals(e: &Totals, h: &bench::Totals) {
    let names =
        ["offered", "attempts", "throughput", "goodput", "rejected", "timed_out", "failed", "wasted", "unresolved"];
    let engine = [
        e.offered,
        e.attempts,
        e.throughput,
        e.goodput,
        e.rejected,
        e.timed_out,
        e.failed,
        e.wasted,
        e.unresolved_at_end,
    ];
    let hand = [
        h.offered,
        h.attempts,
        h.throughput,
        h.goodput,
        h.rejected,
        h.timed_out,
        h.failed,
        h.wasted,
        h.unresolved_at_end,
    ];
    println!("{:<12} {:>20} {:>20}", "totals", "engine (sim-core)", "hand loop (bench.rs)");
    for ((name, a), b) in names.iter().zip(engine).zip(hand) {
        println!("{name:<12} {a:>20} {b:>20}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_and_median_of_odd_and_even() {
        assert_eq!(best_and_median(&[3.0, 1.0, 2.0]), (3.0, 2.0));
        assert_eq!(best_and_median(&[4.0, 1.0, 2.0, 3.0]), (4.0, 2.5));
        assert_eq!(best_and_median(&[]), (0.0, 0.0));
    }

    #[test]
    fn bench_flags() {
        use crate::args::{tests::parse_line, Commands};
        let a = |s: &str| -> Result<BenchArgs, String> {
            match parse_line(&format!("bench {s}"))? {
                Commands::Bench(b) => Ok(b),
                other => panic!("not bench: {other:?}"),
            }
        };
        assert_eq!(a("--runs 3 --json").unwrap(), BenchArgs { runs: 3, json: true });
        assert_eq!(a("").unwrap(), BenchArgs { runs: 5, json: false });
        assert_eq!(a("--runs 0").unwrap_err(), "brink: --runs 0: allowed range is 1 to 1000");
        assert_eq!(a("--runs").unwrap_err(), "brink: --runs: missing value");
        assert_eq!(a("--fast").unwrap_err(), "brink: unknown flag --fast (see brink bench --help)");
        assert!(a("--help").unwrap_err().contains("peak RSS"));
    }

    #[test]
    fn three_tier_scenario_is_a_valid_chain() {
        let c = three_tier_config();
        c.validate().unwrap();
        let names: Vec<&str> = c.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["gateway", "api", "db"]);
        for s in &c.services {
            assert_eq!((s.nodes.count, s.nodes.workers, s.nodes.service_ms_mean), (4, 32, 10.0));
        }
        assert_eq!((c.traffic.rate_per_s, c.traffic.duration_s), (3000.0, 20.0));
    }

    #[test]
    fn memory_child_takes_its_duration() {
        use crate::args::{tests::parse_line, Commands};
        match parse_line(&format!("{MEMORY_CHILD} 60")).unwrap() {
            Commands::BenchMemory { duration } => assert_eq!(duration, "60"),
            other => panic!("not the memory child: {other:?}"),
        }
    }
}
