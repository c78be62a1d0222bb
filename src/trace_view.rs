//! One request's trace as a waterfall, framework-free: which sampled trace
//! a click picks, and the rows a waterfall draws (see
//! `src/components/trace.rs` and docs/TRACES.md).

use sim_core::trace::{otlp, Outcome, SpanKind, Trace, Traces};

/// What the user clicked to ask for a trace. Services are numbered as in
/// the snapshot (0: the entry); traces number them from 1 (0 is the
/// outside clients).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TracePick {
    /// A node: `node` counted within its service.
    Node {
        /// The node's service.
        service: usize,
        /// The node within it.
        node: u32,
    },
    /// A call arrow from one service to another (`from`: `None` for the
    /// outside clients).
    Edge {
        /// The caller.
        from: Option<usize>,
        /// The callee.
        to: usize,
    },
    /// A moment of the run, in simulated seconds.
    Moment(f64),
}

/// True when `trace` involves what `pick` names.
fn involves(trace: &Trace, pick: TracePick) -> bool {
    trace.spans.iter().any(|s| match pick {
        TracePick::Node { service, node } => {
            s.kind == SpanKind::Serve && s.service as usize == service + 1 && s.node == Some(node)
        }
        TracePick::Edge { from, to } => {
            s.kind == SpanKind::Attempt && s.service as usize == from.map_or(0, |f| f + 1) && s.peer == Some(to as u32 + 1)
        }
        TracePick::Moment(_) => true,
    })
}

/// The index of the trace `pick` chooses: for a moment, the trace that
/// started nearest to it; for a node or an edge, the most recent trace that
/// passed it (else the most recent of all, so a click always shows one).
pub fn pick(traces: &Traces, pick: TracePick) -> Option<usize> {
    let all = &traces.traces;
    if let TracePick::Moment(at_s) = pick {
        let at = (at_s.max(0.0) * 1e9) as u64;
        return (0..all.len()).min_by_key(|&i| all[i].start_ns().abs_diff(at));
    }
    (0..all.len()).rev().find(|&i| involves(&all[i], pick)).or_else(|| all.len().checked_sub(1))
}

/// One row of the waterfall: a span.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The span's name, as a tracing tool lists it.
    pub label: String,
    /// The service it happened at.
    pub service: String,
    /// Depth below the root (0).
    pub depth: usize,
    /// Start, as a fraction of the trace's length.
    pub left: f64,
    /// Length, as a fraction of the trace's length (0 for an instant).
    pub width: f64,
    /// Start after the trace's start, ms.
    pub start_ms: f64,
    /// Length, ms.
    pub duration_ms: f64,
    /// How it ended (`ok`, `timed-out`, …): a CSS modifier too.
    pub outcome: &'static str,
    /// True for an outcome shown as an error.
    pub error: bool,
    /// What it stands for (`attempt`, `serve`, …).
    pub kind: &'static str,
}

/// A trace laid out as a waterfall.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// The trace id, 32 hex digits.
    pub trace_id: String,
    /// The request's start, simulated seconds.
    pub start_s: f64,
    /// The trace's length, ms.
    pub total_ms: f64,
    /// How the request ended.
    pub outcome: &'static str,
    /// Spans depth first, children in start order.
    pub rows: Vec<Row>,
}

fn kind_name(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Request => "request",
        SpanKind::Call => "call",
        SpanKind::Attempt => "attempt",
        SpanKind::Backoff => "backoff",
        SpanKind::Local => "local",
        SpanKind::Serve => "serve",
        SpanKind::Queue => "queue",
    }
}

/// Trace `index` of `traces` as a waterfall.
pub fn layout(traces: &Traces, index: usize) -> Option<Waterfall> {
    let t = traces.traces.get(index)?;
    let start = t.start_ns();
    let end = t.end_ns(traces.now_ns).max(start);
    let total = (end - start).max(1) as f64;
    let mut order = Vec::with_capacity(t.spans.len());
    depth_first(t, 0, 0, &mut order);
    let rows = order
        .into_iter()
        .map(|(i, depth)| {
            let s = &t.spans[i];
            let s_end = s.end_ns.unwrap_or(traces.now_ns).max(s.start_ns);
            Row {
                label: otlp::span_name(traces, s),
                service: traces.services.get(s.service as usize).cloned().unwrap_or_default(),
                depth,
                left: (s.start_ns - start) as f64 / total,
                width: (s_end - s.start_ns) as f64 / total,
                start_ms: (s.start_ns - start) as f64 / 1e6,
                duration_ms: (s_end - s.start_ns) as f64 / 1e6,
                outcome: s.outcome.name(),
                error: s.outcome.is_error(),
                kind: kind_name(s.kind),
            }
        })
        .collect();
    Some(Waterfall {
        trace_id: format!("{:032x}", t.id),
        start_s: start as f64 / 1e9,
        total_ms: (end - start) as f64 / 1e6,
        outcome: if t.root().outcome == Outcome::Open { "open" } else { t.root().outcome.name() },
        rows,
    })
}

/// Appends span `i` and its descendants, children in start order.
fn depth_first(t: &Trace, i: usize, depth: usize, out: &mut Vec<(usize, usize)>) {
    out.push((i, depth));
    let mut kids: Vec<usize> = (0..t.spans.len()).filter(|&k| t.spans[k].parent == Some(i as u32)).collect();
    kids.sort_by_key(|&k| (t.spans[k].start_ns, k));
    for k in kids {
        depth_first(t, k, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{CallConfig, Config, ServiceConfig, Simulation};

    /// gateway → api, traced 5 times a second, overloaded so that some
    /// requests retry.
    fn traces() -> Traces {
        let mut c = Config { seed: 2, ..Config::default() };
        c.traffic.duration_s = 4.0;
        c.traffic.rate_per_s = 3000.0;
        c.traces.sample_per_s = 5.0;
        let mut gw = ServiceConfig { name: "gateway".into(), ..ServiceConfig::default() };
        gw.calls = vec![CallConfig { to: "api".into(), client: Default::default() }];
        c.services = vec![gw, ServiceConfig { name: "api".into(), ..ServiceConfig::default() }];
        let mut sim = Simulation::new(c).unwrap();
        sim.run_to_end();
        sim.traces().unwrap()
    }

    #[test]
    fn a_moment_picks_the_trace_that_started_nearest() {
        let t = traces();
        let i = pick(&t, TracePick::Moment(2.03)).unwrap();
        assert!((t.traces[i].start_ns() as f64 / 1e9 - 2.0).abs() < 0.01, "{}", t.traces[i].start_ns());
    }

    #[test]
    fn a_node_or_edge_picks_a_trace_that_passed_it() {
        let t = traces();
        let i = pick(&t, TracePick::Node { service: 1, node: 2 }).unwrap();
        assert!(involves(&t.traces[i], TracePick::Node { service: 1, node: 2 }));
        let e = TracePick::Edge { from: Some(0), to: 1 };
        let j = pick(&t, e).unwrap();
        let tr = &t.traces[j];
        assert!(tr.spans.iter().any(|s| s.kind == SpanKind::Call && s.service == 1 && s.peer == Some(2)));
        assert!(!involves(tr, TracePick::Node { service: 5, node: 0 }));
    }

    #[test]
    fn the_waterfall_nests_and_fits_its_rows() {
        let t = traces();
        let w = layout(&t, 0).unwrap();
        assert_eq!(w.rows[0].kind, "request");
        assert_eq!(w.rows[0].depth, 0);
        assert!((w.rows[0].width - 1.0).abs() < 1e-9 || w.rows[0].outcome == "open");
        assert_eq!(w.rows.len(), t.traces[0].spans.len());
        for r in &w.rows {
            assert!(r.left >= 0.0 && r.left + r.width <= 1.0 + 1e-9, "{r:?}");
        }
        let kinds: Vec<_> = w.rows.iter().map(|r| (r.depth, r.kind)).take(4).collect();
        assert_eq!(kinds, [(0, "request"), (1, "attempt"), (2, "serve"), (3, "call")][..kinds.len().min(4)]);
        assert_eq!(w.trace_id.len(), 32);
        assert!(layout(&t, t.traces.len()).is_none());
    }
}

/// The moment a click `fraction` of the way across a chart stands for,
/// with `completed` seconds drawn: the charts show the last
/// [`crate::charts::WINDOW_S`] seconds, or the first ones while fewer are done.
pub fn chart_moment(fraction: f64, completed: usize) -> f64 {
    let window = crate::charts::WINDOW_S as f64;
    let right = (completed as f64).max(window);
    right - window + fraction.clamp(0.0, 1.0) * window
}

/// The service and the node within it of the snapshot's node `shown`.
pub fn node_of(services: &[sim_core::ServiceSnapshot], shown: u32) -> Option<(usize, u32)> {
    let i = services.iter().position(|s| (s.first_node..s.first_node + s.node_count).contains(&shown))?;
    Some((i, shown - services[i].first_node))
}

#[cfg(test)]
mod click_tests {
    use super::*;

    #[test]
    fn a_chart_click_maps_to_the_window_shown() {
        assert_eq!(chart_moment(0.5, 10), 30.0, "the first minute while fewer are done");
        assert_eq!(chart_moment(1.0, 90), 90.0);
        assert_eq!(chart_moment(0.0, 90), 30.0);
    }
}
