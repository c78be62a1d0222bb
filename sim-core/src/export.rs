//! The run's report in the formats `brink run` writes, shared by the CLI and
//! the app's export buttons so that both write the same document: the
//! reference program's JSON report, or a per-second CSV.
//!
//! Keys, their order and their meaning follow `simpy_ref.py`'s `report()`, so
//! that a script can load both documents and compare them key by key. The
//! CSV's columns come from the metrics table (`metrics.rs`): a counter added
//! there adds its column here, in the CLI and in the app alike.

use crate::{Config, CounterKind, Report, Series};
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{json, Map, Value};
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
    /// A latency per second, empty where no success completed.
    Latencies(&'a [Option<f64>]),
}

/// The CSV columns after `second`, in order: the reference's series (its
/// counters, then `queued`), the per-second latencies, then the failure
/// mechanisms' counters (all zero in the reference model).
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
        .collect()
}

/// The CSV header: `second`, then the columns [`write_csv`] writes.
pub fn csv_header() -> String {
    let series = Series::new(0);
    ["second"].into_iter().chain(csv_columns(&series).iter().map(|(name, _)| *name)).collect::<Vec<_>>().join(",")
}

/// Writes one row per simulated second; a second without successes has
/// empty latency cells.
pub fn write_csv<W: Write>(w: &mut W, series: &Series) -> io::Result<()> {
    writeln!(w, "{}", csv_header())?;
    let columns = csv_columns(series);
    for s in 0..series.len() {
        write!(w, "{s}")?;
        for (_, cells) in &columns {
            match cells {
                Cells::Counts(v) => write!(w, ",{}", v.get(s).copied().unwrap_or(0))?,
                Cells::Latencies(v) => match v.get(s).copied().flatten() {
                    Some(x) => write!(w, ",{x}")?,
                    None => write!(w, ",")?,
                },
            }
        }
        writeln!(w)?;
    }
    Ok(())
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
        write_csv(&mut buf, &s).unwrap();
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
            write_csv(&mut buf, &one).unwrap();
            let text = String::from_utf8(buf).unwrap();
            let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
            assert_eq!(row.len(), names.len(), "{}", c.name());
            let col =
                names.iter().position(|n| *n == c.name()).unwrap_or_else(|| panic!("{} not in {header}", c.name()));
            assert_eq!(row[col], (i as u64 + 7).to_string(), "{}", c.name());
        }
        s.queued = vec![4];
        let mut buf = Vec::new();
        write_csv(&mut buf, &s).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(text.lines().nth(1).unwrap().split(',').count(), names.len());
        assert!(header.starts_with(OLD_CSV_HEADER), "the columns keep their names and order: {header}");
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
