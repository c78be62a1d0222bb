//! `brink sweep`: a grid of runs over ranges of fields and over seeds, run in
//! parallel on every core (rayon), written as JSON lines in a fixed order;
//! and `brink merge`, which joins the lines of several `--shard` runs.
//!
//! Determinism: run `i` of the grid is built from its index alone (its
//! point and its seed), each run is single-threaded and seeded, and the lines
//! are written in index order whatever thread finished first; the wall-clock
//! figures of the report are left at zero. So the output is the same bytes
//! for any `RAYON_NUM_THREADS` and any sharding.

use crate::args::{parse_set, text, Checked, Format, ModelArgs, RunArgs, SetArg, UsageError};
use crate::{output, scenario, simulate, Failure};
use clap::Args;
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use sim_core::{catalogue, Config};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most `--set-range` flags in one sweep.
pub const MAX_RANGES: usize = 8;
/// Most values in one range.
pub const MAX_VALUES: usize = 10_000;
/// Most seeds per grid point.
pub const MAX_SEEDS: u32 = 10_000;
/// Most runs (grid points × seeds) in one sweep, over all its shards; each
/// run is also held to the engine's event cap.
pub const MAX_RUNS: usize = 1_000_000;
/// Most shards.
pub const MAX_SHARDS: usize = 100_000;

/// What `brink sweep --help` says after the flags.
pub const NOTES: &str = "The base scenario is built as `brink run` builds it (defaults, --config, model flags,\n\
--set); each run then sets its point's values and seed. Runs are ordered by the\n\
first range's value (slowest), then the next ranges', then the seed (fastest);\n\
seeds are the base seed, +1, ... +N-1. One JSON line per run:\n\
{\"index\", \"runs\", \"point\": {PATH: value}, \"seed\", \"report\"}, the report as `brink run`\n\
gives it with wall_s 0 and the per-wall-second rates null, so the output is the\n\
same bytes on any number of threads (RAYON_NUM_THREADS) and any sharding.\n\
--shard I/N (1 <= I <= N) runs the I-th of N contiguous slices; `brink merge` joins\n\
the shards' files into the single-process output. Limits: 8 ranges, 10000 values\n\
a range, 10000 seeds, 1000000 runs, 100000 shards. See docs/CLI.md.";

/// Everything `brink sweep` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct SweepArgs {
    /// The base scenario: model flags, `--config`, `--set`.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// a field's values FROM, FROM+STEP, ... up to TO; repeatable: the grid is their product
    #[arg(long = "set-range", value_name = "PATH=FROM:TO:STEP", allow_hyphen_values = true)]
    #[arg(value_parser = Checked(parse_range))]
    pub ranges: Vec<Range>,
    /// seeds per grid point [default: 1]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = Checked(parse_seeds))]
    #[arg(default_value = "1", hide_default_value = true)]
    pub seeds: u32,
    /// run only the I-th of N slices of the runs (1-based), e.g. 2/4
    #[arg(long, value_name = "I/N", allow_hyphen_values = true, value_parser = Checked(parse_shard))]
    pub shard: Option<(usize, usize)>,
}

/// One `--set-range`: a field and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// The dotted path, e.g. `client.attempts`.
    pub path: String,
    /// The values in order, as they are set (shortest decimal text).
    pub values: Vec<f64>,
}

/// Parses `PATH=FROM:TO:STEP`; the values are `sim_core::tipping::steps`.
pub(crate) fn parse_range(raw: &str) -> Result<Range, String> {
    let usage = "expected PATH=FROM:TO:STEP, e.g. client.attempts=1:5:1";
    let (path, spec) = raw.split_once('=').ok_or(usage)?;
    if path.trim().is_empty() || spec.split(':').count() != 3 {
        return Err(usage.into());
    }
    let values = sim_core::tipping::steps(spec, MAX_VALUES).map_err(|e| {
        if e.starts_with("expected") {
            format!("{usage}, with finite numbers")
        } else {
            e
        }
    })?;
    Ok(Range { path: path.trim().to_string(), values })
}

fn parse_seeds(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_SEEDS).contains(&n) => Ok(n),
        _ => Err(format!("allowed range is 1 to {MAX_SEEDS}")),
    }
}

fn parse_shard(raw: &str) -> Result<(usize, usize), String> {
    let usage = format!("expected I/N with 1 <= I <= N <= {MAX_SHARDS}, e.g. 2/4");
    let (i, n) = raw.split_once('/').ok_or(usage.clone())?;
    match (i.trim().parse::<usize>(), n.trim().parse::<usize>()) {
        (Ok(i), Ok(n)) if 1 <= i && i <= n && n <= MAX_SHARDS => Ok((i, n)),
        _ => Err(usage),
    }
}

/// The grid: every run's point and seed from its index.
pub struct Grid {
    /// The base scenario.
    pub base: Config,
    /// The ranges, in order (the first varies slowest).
    pub ranges: Vec<Range>,
    /// Seeds per point.
    pub seeds: u32,
}

impl Grid {
    /// Runs in the whole grid.
    pub fn runs(&self) -> usize {
        self.ranges.iter().map(|r| r.values.len()).product::<usize>() * self.seeds as usize
    }

    /// The values of run `index`'s point, one per range, and its seed.
    pub fn point(&self, index: usize) -> (Vec<f64>, u64) {
        let seed_k = index % self.seeds as usize;
        let mut rest = index / self.seeds as usize;
        let mut values = vec![0.0; self.ranges.len()];
        for (i, r) in self.ranges.iter().enumerate().rev() {
            values[i] = r.values[rest % r.values.len()];
            rest /= r.values.len();
        }
        (values, self.base.seed.wrapping_add(seed_k as u64))
    }

    /// The configuration of run `index`, or the error naming its point.
    pub fn config(&self, index: usize) -> Result<Config, UsageError> {
        let (values, seed) = self.point(index);
        let mut c = self.base.clone();
        for (r, v) in self.ranges.iter().zip(&values) {
            catalogue::set_path(&mut c, &r.path, &v.to_string())
                .map_err(|e| UsageError(format!("--set-range {}={v}: {e}", r.path)))?;
        }
        c.seed = seed;
        c.validate().map_err(|e| UsageError(format!("--set-range, at {}: {e}", describe(&self.ranges, &values))))?;
        Ok(c)
    }

    /// The JSON line of run `index`, without its newline.
    fn line(&self, index: usize, sim: &sim_core::Simulation) -> io::Result<Vec<u8>> {
        let (values, seed) = self.point(index);
        let point: Map<String, Value> =
            self.ranges.iter().zip(&values).map(|(r, v)| (r.path.clone(), number(*v))).collect();
        // Zero wall time keeps the line the same bytes on every run.
        let report = output::run_report(sim, &[], None, 0.0);
        let doc = json!({ "index": index, "runs": self.runs(), "point": point, "seed": seed, "report": report });
        let mut buf = Vec::new();
        output::write_json(&mut buf, &doc, None)?;
        buf.pop();
        Ok(buf)
    }
}

/// A value as JSON: a whole number without its ".0".
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn describe(ranges: &[Range], values: &[f64]) -> String {
    let parts: Vec<String> = ranges.iter().zip(values).map(|(r, v)| format!("{}={v}", r.path)).collect();
    parts.join(" ")
}

/// Builds the grid and checks its size and every run's configuration, so
/// that a mistake is reported before anything runs.
pub fn grid(a: &SweepArgs) -> Result<Grid, UsageError> {
    if a.ranges.len() > MAX_RANGES {
        return Err(UsageError(format!("--set-range: {} given; at most {MAX_RANGES}", a.ranges.len())));
    }
    let base = a.scenario.build()?;
    Grid::checked(base, a.ranges.clone(), a.seeds)
}

/// The scenario flags `brink sweep`, `brink hysteresis` and `brink tipping`
/// share (flattened into each): the model flags, `--config` and `--set`,
/// from which [`ScenarioArgs::build`] makes the scenario as `brink run` does.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct ScenarioArgs {
    /// Model flags, applied to the scenario.
    #[command(flatten)]
    pub model: ModelArgs,
    /// TOML scenario, as for `brink run --config`
    #[arg(long = "config", value_name = "FILE", allow_hyphen_values = true, value_parser = Checked(text))]
    pub config_path: Option<String>,
    /// set any field; repeatable
    #[arg(long = "set", value_name = "PATH=VALUE", allow_hyphen_values = true, value_parser = Checked(parse_set))]
    pub set: Vec<SetArg>,
}

impl ScenarioArgs {
    /// The scenario as `brink run` builds it: defaults, file, model flags,
    /// `--set`.
    pub fn build(&self) -> Result<Config, UsageError> {
        scenario::build(&RunArgs {
            model: self.model.clone(),
            config_path: self.config_path.clone(),
            windows: Vec::new(),
            indent: None,
            format: Format::Json,
            set: self.set.clone(),
            traces: None,
            stray: Vec::new(),
        })
    }
}

impl Grid {
    /// The grid of `ranges` × `seeds` over `base`, its size and each point's
    /// configuration checked.
    pub fn checked(base: Config, ranges: Vec<Range>, seeds: u32) -> Result<Grid, UsageError> {
        let runs = ranges.iter().try_fold(seeds as usize, |n, r| n.checked_mul(r.values.len()));
        match runs {
            Some(n) if n <= MAX_RUNS => {}
            _ => {
                return Err(UsageError(format!(
                    "the grid has {} runs (the values of each range × the seeds); at most {MAX_RUNS}",
                    runs.map_or("too many".to_string(), |n| n.to_string())
                )))
            }
        }
        let g = Grid { base, ranges, seeds };
        // The seed does not change validity: check each point once.
        for index in (0..g.runs()).step_by(g.seeds as usize) {
            g.config(index)?;
        }
        Ok(g)
    }
}

/// The runs of shard `i` of `n` (1-based): a contiguous slice.
pub fn shard_range(runs: usize, shard: Option<(usize, usize)>) -> std::ops::Range<usize> {
    match shard {
        None => 0..runs,
        Some((i, n)) => (runs * (i - 1) / n)..(runs * i / n),
    }
}

/// `brink sweep`.
pub fn run(a: &SweepArgs) -> Result<(), Failure> {
    let g = grid(a)?;
    let indices: Vec<usize> = shard_range(g.runs(), a.shard).collect();
    let mut out = BufWriter::new(io::stdout().lock());
    par_ordered(
        &indices,
        |i| {
            let (sim, _) = simulate(g.config(i)?)?;
            Ok(g.line(i, &sim)?)
        },
        |line| {
            out.write_all(&line)?;
            Ok(out.write_all(b"\n")?)
        },
    )?;
    out.flush()?;
    Ok(())
}

/// Runs `work` on every index in parallel on rayon's threads and hands the
/// results to `sink` in the order of `indices`, whatever thread finished
/// first, with a progress bar on stderr when it is a terminal. Work goes in
/// chunks of a few items per thread, so that results are passed on as each
/// chunk completes and memory holds one chunk's results only.
pub fn par_ordered<T: Send>(
    indices: &[usize],
    work: impl Fn(usize) -> Result<T, Failure> + Sync,
    mut sink: impl FnMut(T) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let progress = SweepProgress::new(indices.len(), io::stderr().is_terminal());
    let chunk = rayon::current_num_threads() * 4;
    for part in indices.chunks(chunk) {
        let results: Vec<Result<T, Failure>> = part
            .par_iter()
            .map(|&i| {
                let r = work(i);
                progress.tick();
                r
            })
            .collect();
        for r in results {
            sink(r?)?;
        }
    }
    progress.finish();
    Ok(())
}

/// Progress on stderr when it is a terminal: "brink sweep: 12 of 40 runs".
struct SweepProgress {
    total: usize,
    done: AtomicUsize,
    enabled: bool,
    last: Mutex<Option<Instant>>,
}

impl SweepProgress {
    fn new(total: usize, enabled: bool) -> SweepProgress {
        SweepProgress { total, done: AtomicUsize::new(0), enabled, last: Mutex::new(None) }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.enabled {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        let now = Instant::now();
        if last.is_some_and(|t| now.duration_since(t) < Duration::from_millis(200)) && done < self.total {
            return;
        }
        *last = Some(now);
        let width = 30;
        let filled = done * width / self.total.max(1);
        let bar: String = "#".repeat(filled) + &"-".repeat(width - filled);
        let _ =
            io::stderr().write_all(format!("\rbrink sweep: [{bar}] {done} of {} runs\x1b[K", self.total).as_bytes());
    }

    fn finish(&self) {
        if self.enabled && self.last.lock().is_ok_and(|l| l.is_some()) {
            let _ = io::stderr().write_all(b"\r\x1b[K");
        }
    }
}

/// Everything `brink merge` was asked to do.
#[derive(Args, Debug, Clone, PartialEq)]
pub struct MergeArgs {
    /// the JSON-lines files of `brink sweep --shard` runs, in any order
    #[arg(value_name = "FILES", required = true, allow_hyphen_values = true, value_parser = Checked(text))]
    pub files: Vec<String>,
}

/// `brink merge`: every line of every file, checked to belong to one sweep
/// (the same `runs`), each index once and none missing, written in index
/// order, byte for byte as read.
pub fn merge(a: &MergeArgs) -> Result<(), Failure> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut runs: Option<(usize, String)> = None;
    for path in &a.files {
        let text = std::fs::read_to_string(path).map_err(|e| UsageError(format!("{path}: {e}")))?;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let at = format!("{path}:{}", n + 1);
            let (index, total) = index_of(line).map_err(|e| UsageError(format!("{at}: {e}")))?;
            match &runs {
                Some((r, first)) if *r != total => {
                    return Err(UsageError(format!(
                        "{at}: from a sweep of {total} runs, but {first} is from one of {r}"
                    ))
                    .into())
                }
                Some(_) => {}
                None => runs = Some((total, at.clone())),
            }
            lines.push((index, line.to_string()));
        }
    }
    let total = runs.map_or(0, |(r, _)| r);
    lines.sort_by_key(|(i, _)| *i);
    if let Some(w) = lines.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(UsageError(format!("run {} appears twice (a shard given twice?)", w[0].0)).into());
    }
    if lines.len() != total {
        let have: std::collections::HashSet<usize> = lines.iter().map(|(i, _)| *i).collect();
        let missing: Vec<String> = (0..total).filter(|i| !have.contains(i)).take(5).map(|i| i.to_string()).collect();
        return Err(UsageError(format!(
            "{} of {total} runs are missing (first: {}); a shard is missing",
            total - lines.len(),
            missing.join(", ")
        ))
        .into());
    }
    let mut out = BufWriter::new(io::stdout().lock());
    for (_, line) in &lines {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// A sweep line's `index` and `runs`.
fn index_of(line: &str) -> Result<(usize, usize), String> {
    let v: Value = serde_json::from_str(line).map_err(|e| format!("not a JSON line of brink sweep: {e}"))?;
    let field = |k: &str| v.get(k).and_then(Value::as_u64).map(|x| x as usize);
    match (field("index"), field("runs")) {
        (Some(i), Some(r)) if i < r => Ok((i, r)),
        _ => Err("not a line of brink sweep (no index below runs)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_to_rounded_values() {
        let r = parse_range("client.backoff_base_ms=0.1:0.5:0.1").unwrap();
        assert_eq!(r.values, vec![0.1, 0.2, 0.3, 0.4, 0.5]);
        assert_eq!(parse_range("a=1:5:2").unwrap().values, vec![1.0, 3.0, 5.0]);
        assert_eq!(parse_range("a=1:6:2").unwrap().values, vec![1.0, 3.0, 5.0]);
        assert_eq!(parse_range("a=3:3:1").unwrap().values, vec![3.0]);
        assert!(parse_range("a=1:5").unwrap_err().starts_with("expected PATH=FROM:TO:STEP"));
        assert_eq!(parse_range("a=1:5:0").unwrap_err(), "STEP must be above 0");
        assert_eq!(parse_range("a=5:1:1").unwrap_err(), "TO must be at least FROM");
        assert!(parse_range("a=0:1e9:1").unwrap_err().contains("at most 10000 a range"));
        assert!(parse_range("a=nan:1:1").unwrap_err().contains("finite"));
    }

    #[test]
    fn shards_cover_the_runs_once() {
        for runs in [0usize, 1, 7, 10, 101] {
            for n in 1..=12 {
                let mut next = 0;
                for i in 1..=n {
                    let r = shard_range(runs, Some((i, n)));
                    assert_eq!(r.start, next, "runs {runs} shard {i}/{n}");
                    next = r.end;
                }
                assert_eq!(next, runs);
            }
        }
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err() && parse_shard("5/4").is_err() && parse_shard("x").is_err());
    }

    #[test]
    fn points_are_ordered_first_range_slowest_then_seed() {
        let ranges = vec![
            Range { path: "a".into(), values: vec![1.0, 2.0] },
            Range { path: "b".into(), values: vec![10.0, 20.0, 30.0] },
        ];
        let g = Grid { base: Config { seed: 5, ..Config::default() }, ranges, seeds: 2 };
        assert_eq!(g.runs(), 12);
        assert_eq!(g.point(0), (vec![1.0, 10.0], 5));
        assert_eq!(g.point(1), (vec![1.0, 10.0], 6));
        assert_eq!(g.point(2), (vec![1.0, 20.0], 5));
        assert_eq!(g.point(11), (vec![2.0, 30.0], 6));
    }

    #[test]
    fn merge_lines_name_their_index() {
        assert_eq!(index_of("{\"index\": 3, \"runs\": 4}"), Ok((3, 4)));
        assert!(index_of("{\"index\": 4, \"runs\": 4}").is_err());
        assert!(index_of("garbage").is_err());
    }
}
