//! Brink checking itself: the engine against queueing theory and published
//! results, one [`Row`] per figure compared, simulated beside expected.
//!
//! Each [`Check`] is a plain function that builds its scenario, runs the
//! engine on fixed seeds and returns its rows, so that the CLI
//! (`brink validate`) and the app show the same table, and a front end can
//! run the checks one at a time (or in parallel) and fill the table as they
//! finish. Runs are sized so that all of them take a few seconds natively:
//! the tolerances allow for the sampling error of runs that short, and the
//! engine's own test suite checks the same laws more tightly.

mod contention;

use crate::config::{ClientConfig, CpuConfig, NodesConfig, TrafficConfig};
use crate::distribution::ServiceDist;
use crate::{theory, Backoff, Config, LbPolicy, SimTime, Simulation};

pub use contention::{contend, Contention};

/// What a simulated figure is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expected {
    /// Within `tolerance` (relative) of `value`.
    Near {
        /// The theoretical value.
        value: f64,
        /// Largest accepted `|simulated / value − 1|`.
        tolerance: f64,
    },
    /// Strictly below this bound (a published ordering: "fewer than").
    Below(f64),
    /// Strictly above this bound.
    Above(f64),
}

/// One line of the validation table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The law or the source, e.g. "Erlang C (M/M/c)".
    pub check: &'static str,
    /// What is compared, e.g. "P(wait), c = 8, ρ = 0.8".
    pub quantity: String,
    /// The figure's unit ("" for a share or a count).
    pub unit: &'static str,
    /// What the engine gave.
    pub simulated: f64,
    /// What theory or the source says.
    pub expected: Expected,
}

impl Row {
    /// Simulated minus expected (minus the bound, for an ordering).
    pub fn difference(&self) -> f64 {
        match self.expected {
            Expected::Near { value, .. } | Expected::Below(value) | Expected::Above(value) => self.simulated - value,
        }
    }

    /// Whether the simulated figure meets the expectation; a NaN never does.
    pub fn passed(&self) -> bool {
        match self.expected {
            Expected::Near { value, tolerance } => (self.simulated / value - 1.0).abs() <= tolerance,
            Expected::Below(bound) => self.simulated < bound,
            Expected::Above(bound) => self.simulated > bound,
        }
    }
}

/// One check: a name and the function that runs it.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// The law or the source.
    pub name: &'static str,
    /// Runs the engine and returns the rows.
    pub run: fn() -> Vec<Row>,
}

/// Every check, in the table's order.
pub const CHECKS: [Check; 7] = [
    Check { name: ERLANG_C, run: erlang_c },
    Check { name: MMCK, run: mmck },
    Check { name: PK, run: pollaczek_khinchine },
    Check { name: LITTLE, run: littles_law },
    Check { name: RESPONSE_TIME, run: response_time_law },
    Check { name: JITTER, run: jitter },
    Check { name: COLLAPSE, run: metastable_collapse },
];

const ERLANG_C: &str = "Erlang C (M/M/c)";
const MMCK: &str = "M/M/c/K blocking";
const PK: &str = "Pollaczek-Khinchine (M/D/1)";
const LITTLE: &str = "Little's law";
const RESPONSE_TIME: &str = "Response-time law";
const JITTER: &str = "AWS Arch. Blog 2015, backoff and jitter";
const COLLAPSE: &str = "Brooker 2021, metastable collapse";

/// Every row of every check, in order.
pub fn run_all() -> Vec<Row> {
    CHECKS.iter().flat_map(|c| (c.run)()).collect()
}

fn run(config: Config) -> Simulation {
    // Every scenario here is built valid; a failure is a bug in this file.
    let mut sim = Simulation::new(config).expect("a validation scenario is valid");
    sim.run_to_end();
    sim
}

/// One node of `workers` workers fed Poisson arrivals (one node, so the
/// balancer passes them on unchanged), one attempt, no effective timeout.
fn single_queue(seed: u64, rate: f64, duration_s: f64, nodes: NodesConfig) -> Config {
    Config {
        seed,
        traffic: TrafficConfig { rate_per_s: rate, duration_s, ..TrafficConfig::default() },
        client: ClientConfig { attempts: 1, timeout_s: 3_600.0, ..ClientConfig::default() },
        nodes: NodesConfig { count: 1, ..nodes },
        balancer: crate::config::BalancerConfig { policy: LbPolicy::Random },
        ..Config::default()
    }
}

fn near(value: f64, tolerance: f64) -> Expected {
    Expected::Near { value, tolerance }
}

/// M/M/8 at ρ = 0.8 (640/s, 10 ms exponential), 3,000 s.
fn erlang_c() -> Vec<Row> {
    let (c, rate, s) = (8, 640.0, 0.010);
    let nodes =
        NodesConfig { workers: c, service_ms_mean: s * 1000.0, queue_capacity: 1_000_000, ..Default::default() };
    let q = run(single_queue(101, rate, 3_000.0, nodes)).queueing();
    let (p, wq) = theory::erlang_c(c, rate, s).unwrap_or((f64::NAN, f64::NAN));
    vec![
        Row {
            check: ERLANG_C,
            quantity: "P(wait), c = 8, ρ = 0.8".into(),
            unit: "",
            simulated: q.sim_p_wait.unwrap_or(f64::NAN),
            expected: near(p, 0.03),
        },
        Row {
            check: ERLANG_C,
            quantity: "mean wait, c = 8, ρ = 0.8".into(),
            unit: "ms",
            simulated: q.sim_mean_wait_ms.unwrap_or(f64::NAN),
            expected: near(wq * 1000.0, 0.04),
        },
    ]
}

/// M/M/4/8 at ρ = 0.9 (360/s, 10 ms, 4 waiting places), 3,000 s.
fn mmck() -> Vec<Row> {
    let nodes = NodesConfig { workers: 4, service_ms_mean: 10.0, queue_capacity: 4, ..Default::default() };
    let t = run(single_queue(102, 360.0, 3_000.0, nodes)).totals();
    vec![Row {
        check: MMCK,
        quantity: "share rejected, M/M/4/8, ρ = 0.9".into(),
        unit: "",
        simulated: t.rejected as f64 / t.attempts as f64,
        expected: near(theory::mmck_blocking(4, 8, 360.0, 0.010).unwrap_or(f64::NAN), 0.03),
    }]
}

/// M/D/1 at ρ = 0.7 (70/s, 10 ms constant), 20,000 s.
fn pollaczek_khinchine() -> Vec<Row> {
    let nodes = NodesConfig {
        workers: 1,
        service_ms_mean: 10.0,
        service_dist: ServiceDist::Constant,
        queue_capacity: 1_000_000,
        ..Default::default()
    };
    let st = nodes.service_time();
    let q = run(single_queue(103, 70.0, 20_000.0, nodes)).queueing();
    let wq = theory::mg1_mean_wait(70.0, st.mean(), st.second_moment()).unwrap_or(f64::NAN);
    vec![Row {
        check: PK,
        quantity: "mean wait, ρ = 0.7".into(),
        unit: "ms",
        simulated: q.sim_mean_wait_ms.unwrap_or(f64::NAN),
        expected: near(wq * 1000.0, 0.03),
    }]
}

/// The default scenario (10,000 req/s, 4 × 32 workers) for 60 s: the
/// time-average of requests in flight, sampled every millisecond after a 5 s
/// warm-up, against λ·W.
fn littles_law() -> Vec<Row> {
    let config =
        Config { seed: 104, traffic: TrafficConfig { duration_s: 60.0, ..Default::default() }, ..Default::default() };
    let mut sim = Simulation::new(config).expect("the default scenario is valid");
    let (warmup_ms, end_ms) = (5_000u64, 55_000u64);
    sim.step_until(SimTime(warmup_ms * 1_000_000));
    let offered_before = sim.totals().offered;
    let mut in_flight_sum = 0u64;
    for ms in warmup_ms..end_ms {
        sim.step_until(SimTime((ms + 1) * 1_000_000));
        in_flight_sum += sim.snapshot().in_flight;
    }
    let span_s = (end_ms - warmup_ms) as f64 / 1000.0;
    let lambda = (sim.totals().offered - offered_before) as f64 / span_s;
    sim.run_to_end();
    let w = sim.latency().mean_ms.unwrap_or(f64::NAN) / 1000.0;
    vec![Row {
        check: LITTLE,
        quantity: "requests in flight, L = λW".into(),
        unit: "",
        simulated: in_flight_sum as f64 / (end_ms - warmup_ms) as f64,
        expected: near(theory::littles_law(lambda, w), 0.02),
    }]
}

/// A closed loop of 50 users thinking 500 ms on one node of 4 workers at
/// 100 ms: saturated, so R is large beside Z. 300 s; X from 20 s on.
fn response_time_law() -> Vec<Row> {
    let (users, think_s) = (50, 0.5);
    let config = Config {
        seed: 105,
        traffic: TrafficConfig { users, think_ms: think_s * 1000.0, duration_s: 300.0, ..Default::default() },
        client: ClientConfig { attempts: 1, timeout_s: 3_600.0, ..Default::default() },
        nodes: NodesConfig {
            count: 1,
            workers: 4,
            service_ms_mean: 100.0,
            queue_capacity: 10_000,
            ..Default::default()
        },
        ..Config::default()
    };
    let sim = run(config);
    let goodput = &sim.series().goodput[20..300];
    let x = goodput.iter().sum::<u64>() as f64 / goodput.len() as f64;
    let r = sim.latency().mean_ms.unwrap_or(f64::NAN);
    let expected = theory::response_time_law(users as f64, x, think_s).unwrap_or(f64::NAN) * 1000.0;
    vec![Row {
        check: RESPONSE_TIME,
        quantity: "mean response time R = N/X − Z, N = 50, Z = 500 ms".into(),
        unit: "ms",
        simulated: r,
        expected: near(expected, 0.02),
    }]
}

/// Seeds of the contention experiment.
const JITTER_SEEDS: std::ops::Range<u64> = 1..101;

/// The contention experiment of "Exponential Backoff And Jitter" (Marc
/// Brooker, AWS Architecture Blog, 4 March 2015), re-created in
/// [`contention`]: 100 clients contending for one row, mean calls and mean
/// completion time over 100 seeds for each of the engine's backoff policies.
/// The published findings checked, as the post states them: exponential
/// backoff without jitter "is the clear loser", taking more work and more
/// time than the jittered approaches; full jitter uses less work than equal
/// and decorrelated jitter; equal jitter takes longer than full jitter.
fn jitter() -> Vec<Row> {
    let mean = |backoff| {
        let runs: Vec<Contention> = JITTER_SEEDS.map(|seed| contend(seed, 100, backoff)).collect();
        let n = runs.len() as f64;
        (
            runs.iter().map(|r| r.calls as f64).sum::<f64>() / n,
            runs.iter().map(|r| r.completion_s).sum::<f64>() / n * 1000.0,
        )
    };
    let (expo, full, equal, decorrelated) =
        (mean(Backoff::Expo), mean(Backoff::FullJitter), mean(Backoff::EqualJitter), mean(Backoff::Decorrelated));
    let row = |quantity: &str, unit, simulated, expected| Row {
        check: JITTER,
        quantity: quantity.into(),
        unit,
        simulated,
        expected,
    };
    vec![
        row("calls, full jitter < no jitter", "", full.0, Expected::Below(expo.0)),
        row("calls, equal jitter < no jitter", "", equal.0, Expected::Below(expo.0)),
        row("calls, decorrelated < no jitter", "", decorrelated.0, Expected::Below(expo.0)),
        row("completion, full jitter < no jitter", "ms", full.1, Expected::Below(expo.1)),
        row("completion, equal jitter < no jitter", "ms", equal.1, Expected::Below(expo.1)),
        row("completion, decorrelated < no jitter", "ms", decorrelated.1, Expected::Below(expo.1)),
        row("calls, full jitter < equal jitter", "", full.0, Expected::Below(equal.0)),
        row("calls, full jitter < decorrelated", "", full.0, Expected::Below(decorrelated.0)),
        row("completion, equal jitter > full jitter", "ms", equal.1, Expected::Above(full.1)),
    ]
}

/// Marc Brooker's metastable-collapse experiment, as
/// `scenarios/brooker-collapse.toml` states it (a test checks the two
/// agree): one service whose service time grows with the work in flight,
/// 3 attempts retried at once, 40 req/s with a spike to 80 req/s from 20 s
/// to `20 + spike_s`, 80 s long.
pub fn brooker_collapse(seed: u64, spike_s: f64, attempts: u32) -> Config {
    Config {
        seed,
        traffic: TrafficConfig {
            rate_per_s: 40.0,
            duration_s: 80.0,
            spike_mult: 2.0,
            spike_start_s: 20.0,
            spike_end_s: 20.0 + spike_s,
            ..Default::default()
        },
        client: ClientConfig {
            timeout_s: 3.0,
            attempts,
            backoff: Backoff::None,
            network_jitter_ms: 100.0,
            ..Default::default()
        },
        nodes: NodesConfig {
            count: 1,
            workers: 100_000,
            queue_capacity: 0,
            service_dist: ServiceDist::Constant,
            service_ms_mean: 1000.0,
            ..Default::default()
        },
        cpu: CpuConfig { service_ms_per_inflight: 10.0, ..Default::default() },
        ..Config::default()
    }
}

/// Share of seeds 1–10 whose goodput over the last 10 s is below 10/s
/// (a quarter of the 40/s offered): the system did not recover.
fn collapsed_share(spike_s: f64, attempts: u32) -> f64 {
    let seeds = 1..=10u64;
    let n = seeds.clone().count() as f64;
    let collapsed = seeds
        .filter(|&seed| {
            let sim = run(brooker_collapse(seed, spike_s, attempts));
            sim.series().goodput[70..80].iter().sum::<u64>() < 100
        })
        .count();
    collapsed as f64 / n
}

/// The published shape (Brooker, "Metastability and Distributed Systems",
/// 2021; mbrooker/simulator_example): a short spike is absorbed; a long one
/// leaves the system down after the load returns to normal, held there by
/// the retries alone; without retries the same spike is absorbed.
fn metastable_collapse() -> Vec<Row> {
    let row = |quantity: &str, simulated, expected| Row {
        check: COLLAPSE,
        quantity: quantity.into(),
        unit: "",
        simulated,
        expected,
    };
    vec![
        row("share not recovered, 2 s spike, 3 attempts", collapsed_share(2.0, 3), Expected::Below(0.2)),
        row("share not recovered, 10 s spike, 3 attempts", collapsed_share(10.0, 3), Expected::Above(0.8)),
        row("share not recovered, 10 s spike, no retries", collapsed_share(10.0, 1), Expected::Below(0.2)),
    ]
}

/// A figure with four significant digits, as the validation table prints
/// it (`brink validate` and the app).
pub fn figure(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    format!("{x:.digits$}")
}

impl Expected {
    /// The expectation as text: "0.4092 ± 3%", "< 1234", "> 0.8".
    pub fn text(&self) -> String {
        match *self {
            Expected::Near { value, tolerance } => format!("{} ± {}%", figure(value), tolerance * 100.0),
            Expected::Below(b) => format!("< {}", figure(b)),
            Expected::Above(b) => format!("> {}", figure(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pass_and_fail_by_their_expectation() {
        let row = |simulated, expected| Row { check: "t", quantity: "q".into(), unit: "", simulated, expected };
        assert!(row(1.02, near(1.0, 0.03)).passed());
        assert!(!row(1.04, near(1.0, 0.03)).passed());
        assert!(!row(f64::NAN, near(1.0, 0.03)).passed());
        assert!(row(0.5, Expected::Below(1.0)).passed() && !row(1.0, Expected::Below(1.0)).passed());
        assert!(row(2.0, Expected::Above(1.0)).passed() && !row(f64::NAN, Expected::Above(1.0)).passed());
        assert!((row(1.25, near(1.0, 0.5)).difference() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn figures_and_expectations_read_well() {
        assert_eq!(figure(0.40921), "0.4092");
        assert_eq!(figure(1234.567), "1235");
        assert_eq!(figure(12.3456), "12.35");
        assert_eq!(near(0.5, 0.03).text(), "0.5000 ± 3%");
        assert_eq!(Expected::Below(2.0).text(), "< 2.000");
    }

    #[test]
    fn every_check_is_named_once() {
        for (i, c) in CHECKS.iter().enumerate() {
            assert!(CHECKS[..i].iter().all(|d| d.name != c.name), "{}", c.name);
        }
    }

    #[test]
    fn the_collapse_scenario_is_valid() {
        assert!(brooker_collapse(1, 5.0, 3).validate().is_ok());
    }
}
