//! The run's report in the formats `brink run` writes, shared by the CLI and
//! the app's export buttons so that both write the same document: the
//! reference program's JSON report, or a per-second CSV.
//!
//! Keys, their order and their meaning follow `simpy_ref.py`'s `report()`, so
//! that a script can load both documents and compare them key by key.

use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{json, Map, Value};
use crate::{Config, CounterKind, Report, Series, Simulation};
use std::io::{self, Write};

/// What a front end adds to the engine's report: inputs and wall-clock figures.
pub struct RunInfo<'a> {
    /// The effective configuration.
    pub config: &'a Config,
    /// `--windows` edges as given.
    pub windows: &'a [u64],
    /// `--indent`, echoed in `params` like the reference.
    pub indent: Option<usize>,
    /// Seconds spent in `run_to_end` alone.
    pub wall_s: f64,
}

/// `params` with the reference's argparse names and the effective values,
/// then those of brink's own model flags.
pub fn params(info: &RunInfo) -> Value {
    let c = info.config;
    let windows: Vec<String> = info.windows.iter().map(u64::to_string).collect();
    json!({
        "rate": c.traffic.rate_per_s,
        "duration": c.traffic.duration_s,
        "spike_mult": c.traffic.spike_mult,
        "spike_start": c.traffic.spike_start_s,
        "spike_end": c.traffic.spike_end_s,
        "nodes": c.nodes.count,
        "workers": c.nodes.workers,
        "service_ms": c.nodes.service_ms_mean,
        "queue": c.nodes.queue_capacity,
        "timeout_s": c.client.timeout_s,
        "attempts": c.client.attempts,
        "backoff": c.client.backoff.name(),
        "base_ms": c.client.backoff_base_ms,
        "cap_ms": c.client.backoff_cap_ms,
        "seed": c.seed,
        "lb": c.balancer.policy.name(),
        "windows": windows.join(","),
        "indent": info.indent,
        // brink's own flags follow the reference's, which stay a prefix.
        "service_dist": c.nodes.service_dist.name(),
        "service_cv": c.nodes.service_cv,
    })
}

/// A rate per wall second, `None` (JSON null) when it cannot be measured, as
/// in the reference.
fn per_wall_s(count: u64, wall_s: f64, need_count: bool) -> Option<f64> {
    (wall_s > 0.0 && (!need_count || count > 0)).then(|| count as f64 / wall_s)
}

/// The whole JSON document, keys in the reference's order.
pub fn report_json(report: &Report, info: &RunInfo) -> Value {
    let mut out = Map::new();
    out.insert("params".into(), params(info));
    out.insert("versions".into(), json!({ "brink": env!("CARGO_PKG_VERSION") }));
    out.insert("totals".into(), to_value(&report.totals));
    out.insert("latency_success".into(), to_value(&report.latency_success));
    out.insert("queueing".into(), to_value(&report.queueing));
    out.insert("events_processed".into(), json!(report.events_processed));
    out.insert("wall_s".into(), json!(info.wall_s));
    out.insert("logical_requests_per_wall_s".into(), json!(per_wall_s(report.totals.offered, info.wall_s, false)));
    out.insert("events_per_wall_s".into(), json!(per_wall_s(report.events_processed, info.wall_s, true)));
    out.insert("series".into(), to_value(&report.series));
    if !info.windows.is_empty() {
        out.insert("window_means".into(), window_means(report, info.windows));
    }
    if let Some(services) = &report.services {
        out.insert("services".into(), to_value(services));
    }
    Value::Object(out)
}

/// Serialises one of the engine's plain data structs. They hold numbers,
/// options and vectors only, which always serialise.
fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The engine's window means, reordered as the reference prints them:
/// windows in edge order, series in their reference order.
fn window_means(report: &Report, edges: &[u64]) -> Value {
    let mut out = Map::new();
    let Some(means) = &report.window_means else { return Value::Object(out) };
    for pair in edges.windows(2) {
        let key = format!("{}-{}", pair[0], pair[1]);
        let Some(by_series) = means.get(&key) else { continue };
        let ordered: Map<String, Value> = report
            .series
            .named()
            .filter_map(|(name, _)| by_series.get(name).map(|m| (name.to_string(), json!(m))))
            .collect();
        out.insert(key, Value::Object(ordered));
    }
    Value::Object(out)
}

/// Python's `json.dump` without indent: one line, `", "` and `": "` separators.
struct PythonCompact;

impl Formatter for PythonCompact {
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

/// Writes `value` as Python's `json.dump(value, indent=indent)` lays it out,
/// followed by a newline.
pub fn write_json<W: Write>(w: &mut W, value: &Value, indent: Option<usize>) -> io::Result<()> {
    match indent {
        None => {
            let mut ser = serde_json::Serializer::with_formatter(&mut *w, PythonCompact);
            serde::Serialize::serialize(value, &mut ser).map_err(io::Error::other)?;
        }
        Some(n) => {
            let spaces = vec![b' '; n];
            let mut ser = serde_json::Serializer::with_formatter(&mut *w, PrettyFormatter::with_indent(&spaces));
            serde::Serialize::serialize(value, &mut ser).map_err(io::Error::other)?;
        }
    }
    w.write_all(b"\n")
}

/// One CSV column's values.
enum Cells<'a> {
    /// A count per second.
    Counts(&'a [u64]),
    /// A real number per second (CPU cores, a mean wait in ms).
    Reals(&'a [f64]),
    /// A latency per second, empty where no success completed.
    Latencies(&'a [Option<f64>]),
    /// A gauge of a mechanism that is off in this run: empty cells.
    Absent,
}

/// A CSV column that is not a counter: its name, what it holds, and where
/// its values are in a [`Series`].
struct Gauge {
    name: &'static str,
    /// Read by the test that checks docs/CLI.md lists every column.
    #[cfg_attr(not(test), allow(dead_code))]
    doc: &'static str,
    cells: for<'a> fn(&'a Series) -> Cells<'a>,
}

/// The gauges, in column order after the counters. Each is declared here
/// only: the header, the rows and docs/CLI.md's list (`brink run --help`
/// points to it) are all read from this table. Database and node-state
/// cells are empty when their mechanism is off, so the header is the same
/// for every single-service run.
const GAUGES: [Gauge; 11] = [
    Gauge {
        name: "cpu_useful_cores",
        doc: "CPU serving attempts whose client still waited",
        cells: |s| Cells::Reals(&s.cpu.useful),
    },
    Gauge {
        name: "cpu_wasted_cores",
        doc: "CPU serving attempts whose client had given up",
        cells: |s| Cells::Reals(&s.cpu.wasted),
    },
    Gauge {
        name: "cpu_switching_cores",
        doc: "CPU spent context switching",
        cells: |s| Cells::Reals(&s.cpu.switching),
    },
    Gauge {
        name: "pool_in_use",
        doc: "database connections in use, all nodes, at the start of the second",
        cells: |s| s.db.as_ref().map_or(Cells::Absent, |d| Cells::Counts(&d.pool_in_use)),
    },
    Gauge {
        name: "pool_waiting",
        doc: "attempts waiting for a connection, likewise",
        cells: |s| s.db.as_ref().map_or(Cells::Absent, |d| Cells::Counts(&d.pool_waiting)),
    },
    Gauge {
        name: "db_queries",
        doc: "queries running at the database, likewise",
        cells: |s| s.db.as_ref().map_or(Cells::Absent, |d| Cells::Counts(&d.queries)),
    },
    Gauge {
        name: "db_wait_ms",
        doc: "mean wait for a connection of the acquisitions in the second",
        cells: |s| s.db.as_ref().map_or(Cells::Absent, |d| Cells::Reals(&d.wait_ms)),
    },
    Gauge {
        name: "nodes_up",
        doc: "nodes up and in rotation at the start of the second (crashes, health checks or faults on)",
        cells: |s| s.node_states.as_ref().map_or(Cells::Absent, |n| Cells::Counts(&n.up)),
    },
    Gauge {
        name: "nodes_warming",
        doc: "nodes warming up after a restart, likewise",
        cells: |s| s.node_states.as_ref().map_or(Cells::Absent, |n| Cells::Counts(&n.warming)),
    },
    Gauge {
        name: "nodes_crashed",
        doc: "nodes down after a crash, likewise",
        cells: |s| s.node_states.as_ref().map_or(Cells::Absent, |n| Cells::Counts(&n.crashed)),
    },
    Gauge {
        name: "nodes_ejected",
        doc: "nodes ejected by the balancer's health checks, likewise",
        cells: |s| s.node_states.as_ref().map_or(Cells::Absent, |n| Cells::Counts(&n.ejected)),
    },
];

/// The CSV columns after `second`, in order: the reference's series (its
/// counters, then `queued`), the per-second latencies, then the failure
/// mechanisms' counters (all zero in the reference model), then the
/// [`GAUGES`]. New columns are only ever added at the end.
fn csv_columns(series: &Series) -> Vec<(&'static str, Cells<'_>)> {
    let counts = |(name, values)| (name, Cells::Counts(values));
    series
        .named()
        .map(counts)
        .chain([
            ("latency_p50_ms", Cells::Latencies(&series.latency_p50_ms)),
            ("latency_p99_ms", Cells::Latencies(&series.latency_p99_ms)),
        ])
        .chain(series.counters_of(CounterKind::Mechanism).map(counts))
        .chain(GAUGES.iter().map(|g| (g.name, (g.cells)(series))))
        .collect()
}

/// The gauges' names and meanings, which docs/CLI.md lists (a test checks).
pub fn gauge_docs() -> impl Iterator<Item = (&'static str, &'static str)> {
    GAUGES.iter().map(|g| (g.name, g.doc))
}

/// The CSV header of a single-service run: `second`, then the columns
/// [`write_csv`] writes.
pub fn csv_header() -> String {
    header_of(&[])
}

/// The header with each service's columns after the run's, prefixed with
/// its name and a dot.
fn header_of(services: &[(&str, &Series)]) -> String {
    let series = Series::new(0);
    let mut names: Vec<String> = vec!["second".into()];
    names.extend(csv_columns(&series).iter().map(|(name, _)| name.to_string()));
    for (service, _) in services {
        names.extend(csv_columns(&series).iter().map(|(name, _)| format!("{service}.{name}")));
    }
    names.join(",")
}

/// Writes one row per simulated second: the run's columns, then, in a
/// system of services, every column again for each service in topology
/// order (`api.offered`, …). A second without successes has empty latency
/// cells, a mechanism that is off empty gauge cells.
pub fn write_csv<W: Write>(w: &mut W, series: &Series, services: &[(&str, &Series)]) -> io::Result<()> {
    writeln!(w, "{}", header_of(services))?;
    let mut columns = csv_columns(series);
    for (_, s) in services {
        columns.extend(csv_columns(s));
    }
    for s in 0..series.len() {
        write!(w, "{s}")?;
        for (_, cells) in &columns {
            match cells {
                Cells::Counts(v) => write!(w, ",{}", v.get(s).copied().unwrap_or(0))?,
                Cells::Reals(v) => write!(w, ",{}", v.get(s).copied().unwrap_or(0.0))?,
                Cells::Latencies(v) => match v.get(s).copied().flatten() {
                    Some(x) => write!(w, ",{x}")?,
                    None => write!(w, ",")?,
                },
                Cells::Absent => write!(w, ",")?,
            }
        }
        writeln!(w)?;
    }
    Ok(())
}

/// Each service's name and own series, in topology order, for a system of
/// several services; empty for a single one (its series are the run's).
pub fn service_series(sim: &Simulation) -> Vec<(&str, &Series)> {
    sim.config()
        .services
        .iter()
        .enumerate()
        .filter_map(|(i, s)| sim.service_series(i).map(|series| (s.name.as_str(), series)))
        .collect()
}

/// The JSON report of a finished run as `brink run` prints it.
pub fn run_report(sim: &Simulation, windows: &[u64], indent: Option<usize>, wall_s: f64) -> Value {
    let report = sim.report(windows);
    report_json(&report, &RunInfo { config: sim.config(), windows, indent, wall_s })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Counter;

    fn dump(v: &Value, indent: Option<usize>) -> String {
        let mut buf = Vec::new();
        write_json(&mut buf, v, indent).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn compact_is_pythons_one_line() {
        let v = json!({"a": 1, "b": [1, 2.5, null], "c": {}});
        assert_eq!(dump(&v, None), "{\"a\": 1, \"b\": [1, 2.5, null], \"c\": {}}\n");
    }

    #[test]
    fn indent_is_pythons_layout() {
        let v = json!({"a": [1, 2], "b": []});
        assert_eq!(dump(&v, Some(1)), "{\n \"a\": [\n  1,\n  2\n ],\n \"b\": []\n}\n");
        assert_eq!(dump(&json!({"a": 1}), Some(0)), "{\n\"a\": 1\n}\n");
    }

    #[test]
    fn csv_rows_and_empty_latency_cells() {
        let mut s = Series::new(2);
        s.offered = vec![5, 6];
        s.regenerations = vec![0, 3];
        s.latency_p50_ms = vec![Some(1.5), None];
        s.latency_p99_ms = vec![Some(9.0), None];
        let mut buf = Vec::new();
        write_csv(&mut buf, &s, &[]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // A counter added at the end of the table adds a column at the end.
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with(OLD_CSV_HEADER), "{}", lines[0]);
        assert!(lines[1].starts_with("0,5,0,0,0,0,0,0,0,1.5,9,0,0,0,0,0,0,0"), "{}", lines[1]);
        assert!(lines[2].starts_with("1,6,0,0,0,0,0,0,0,,,0,0,0,0,0,0,3"), "{}", lines[2]);
    }

    /// The header before the counters were declared in one table: today's
    /// columns, which keep their names and order.
    const OLD_CSV_HEADER: &str = "second,offered,attempts,throughput,goodput,rejected,timed_out,failed,queued,\
latency_p50_ms,latency_p99_ms,errors,dropped,crashes,db_timeouts,cache_hits,cache_misses,regenerations";

    #[test]
    fn csv_header_names_every_column_written() {
        // Every row has a cell per header column, and each counter with a
        // series has its column, under its name, holding its values.
        let mut s = Series::new(1);
        let header = csv_header();
        let names: Vec<&str> = header.split(',').collect();
        for (i, c) in Counter::ALL.into_iter().filter(|c| c.has_series()).enumerate() {
            let mut one = Series::new(1);
            one.counter_mut(c).expect("a series")[0] = i as u64 + 7;
            let mut buf = Vec::new();
            write_csv(&mut buf, &one, &[]).unwrap();
            let text = String::from_utf8(buf).unwrap();
            let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
            assert_eq!(row.len(), names.len(), "{}", c.name());
            let col =
                names.iter().position(|n| *n == c.name()).unwrap_or_else(|| panic!("{} not in {header}", c.name()));
            assert_eq!(row[col], (i as u64 + 7).to_string(), "{}", c.name());
        }
        s.queued = vec![4];
        let mut buf = Vec::new();
        write_csv(&mut buf, &s, &[]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().nth(1).unwrap().split(',').count(), names.len());
        assert!(header.starts_with(OLD_CSV_HEADER), "the columns keep their names and order: {header}");
    }

    #[test]
    fn docs_list_the_header_and_every_gauge() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/CLI.md");
        let doc = std::fs::read_to_string(path).expect("docs/CLI.md");
        assert!(doc.lines().any(|l| l == csv_header()), "docs/CLI.md lacks the header line {}", csv_header());
        for (name, meaning) in gauge_docs() {
            assert!(doc.contains(&format!("| `{name}` | {meaning} |")), "docs/CLI.md lacks the row of {name}");
        }
    }

    #[test]
    fn services_add_their_columns_after_the_runs() {
        let (mut run, mut api) = (Series::new(1), Series::new(1));
        run.offered = vec![3];
        api.attempts = vec![5];
        api.cpu.useful = vec![1.5];
        let mut buf = Vec::new();
        write_csv(&mut buf, &run, &[("api", &api)]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
        let single = csv_header().split(',').count();
        assert_eq!((header.len(), row.len()), (2 * single - 1, 2 * single - 1));
        let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
        assert_eq!((cell("offered"), cell("api.attempts"), cell("api.cpu_useful_cores")), ("3", "5", "1.5"));
        assert_eq!((cell("pool_in_use"), cell("api.nodes_up")), ("", ""), "a mechanism that is off: empty");
    }

    #[test]
    fn params_use_reference_names_in_order() {
        let c = Config::default();
        let info = RunInfo { config: &c, windows: &[0, 20], indent: None, wall_s: 0.0 };
        let p = params(&info);
        let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "rate",
                "duration",
                "spike_mult",
                "spike_start",
                "spike_end",
                "nodes",
                "workers",
                "service_ms",
                "queue",
                "timeout_s",
                "attempts",
                "backoff",
                "base_ms",
                "cap_ms",
                "seed",
                "lb",
                "windows",
                "indent",
                "service_dist",
                "service_cv"
            ]
        );
        assert_eq!(p["windows"], "0,20");
        assert_eq!(p["backoff"], "full-jitter");
        assert_eq!(p["indent"], Value::Null);
        assert_eq!(p["service_dist"], "exponential");
    }
}
