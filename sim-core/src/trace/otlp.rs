//! Kept traces as OpenTelemetry's OTLP/JSON: one `resourceSpans` entry per
//! service (its `service.name` resource attribute), each with one
//! `scopeSpans` entry (scope `brink`) holding the service's spans.
//!
//! The encoding follows the OTLP specification's "JSON Protobuf Encoding"
//! (opentelemetry-proto, docs/specification.md): field names in lowerCamelCase,
//! `traceId` and `spanId` as lowercase hex strings (32 and 16 digits), not
//! base64; enum values (`kind`, `status.code`) as integers; 64-bit integers
//! (`startTimeUnixNano`, `intValue`) as decimal strings. A root span has no
//! `parentSpanId`.
//!
//! Simulated time starts at [`EPOCH_UNIX_NANOS`], 2026-01-01T00:00:00Z, so
//! that a tracing tool shows a plausible date; simulated nanoseconds are
//! added to it unchanged.

use super::{Outcome, Span, SpanKind, Trace, Traces};
use serde_json::{json, Value};

/// Unix time of simulated time zero: 2026-01-01T00:00:00Z, in ns.
pub const EPOCH_UNIX_NANOS: u64 = 1_767_225_600 * 1_000_000_000;

/// OTLP `SpanKind` numbers (opentelemetry-proto trace.proto).
const KIND_INTERNAL: u8 = 1;
const KIND_SERVER: u8 = 2;
const KIND_CLIENT: u8 = 3;

/// OTLP `Status.StatusCode` numbers.
const STATUS_UNSET: u8 = 0;
const STATUS_OK: u8 = 1;
const STATUS_ERROR: u8 = 2;

/// The OTLP/JSON document (an `ExportTraceServiceRequest`) for `traces`.
pub fn to_json(traces: &Traces) -> Value {
    let resources: Vec<Value> = (0..traces.services.len())
        .filter_map(|service| {
            let spans: Vec<Value> = traces
                .traces
                .iter()
                .flat_map(|t| t.spans.iter().filter(move |s| s.service as usize == service).map(move |s| (t, s)))
                .map(|(t, s)| span_json(traces, t, s))
                .collect();
            (!spans.is_empty()).then(|| {
                json!({
                    "resource": { "attributes": [attr("service.name", string(&traces.services[service]))] },
                    "scopeSpans": [{
                        "scope": { "name": "brink", "version": env!("CARGO_PKG_VERSION") },
                        "spans": spans,
                    }],
                })
            })
        })
        .collect();
    json!({ "resourceSpans": resources })
}

/// [`to_json`] as a string.
pub fn to_string(traces: &Traces) -> String {
    to_json(traces).to_string()
}

fn span_json(traces: &Traces, trace: &Trace, s: &Span) -> Value {
    let end = s.end_ns.unwrap_or(traces.now_ns.max(s.start_ns));
    let mut v = json!({
        "traceId": format!("{:032x}", trace.id),
        "spanId": format!("{:016x}", s.id),
        "name": span_name(traces, s),
        "kind": match s.kind {
            SpanKind::Attempt => KIND_CLIENT,
            SpanKind::Serve => KIND_SERVER,
            _ => KIND_INTERNAL,
        },
        "startTimeUnixNano": (EPOCH_UNIX_NANOS + s.start_ns).to_string(),
        "endTimeUnixNano": (EPOCH_UNIX_NANOS + end).to_string(),
        "attributes": attributes(traces, trace, s),
        "status": status(s.outcome),
    });
    if let Some(p) = s.parent {
        v["parentSpanId"] = json!(format!("{:016x}", trace.spans[p as usize].id));
    }
    v
}

/// A human name, as a tracing tool lists it.
pub fn span_name(traces: &Traces, s: &Span) -> String {
    let name = |i: Option<u32>| i.and_then(|i| traces.services.get(i as usize)).map_or("?", |n| n.as_str());
    match s.kind {
        SpanKind::Request => format!("request → {}", name(s.peer)),
        SpanKind::Call => format!("call → {}", name(s.peer)),
        SpanKind::Attempt if s.hedge => format!("hedge → {}", name(s.peer)),
        SpanKind::Attempt => format!("attempt {} → {}", s.attempt, name(s.peer)),
        SpanKind::Backoff => "backoff".to_string(),
        SpanKind::Local => format!("not sent: {}", s.outcome.name()),
        SpanKind::Serve => format!("serve at {}", name(Some(s.service))),
        SpanKind::Queue => "queue".to_string(),
    }
}

fn status(o: Outcome) -> Value {
    match o {
        Outcome::Open => json!({ "code": STATUS_UNSET }),
        o if o.is_error() => json!({ "code": STATUS_ERROR, "message": o.name() }),
        _ => json!({ "code": STATUS_OK }),
    }
}

fn attributes(traces: &Traces, trace: &Trace, s: &Span) -> Vec<Value> {
    let mut a = vec![attr("brink.outcome", string(s.outcome.name()))];
    if let Some(peer) = s.peer.and_then(|p| traces.services.get(p as usize)) {
        a.push(attr("peer.service", string(peer)));
    }
    if let Some(node) = s.node {
        a.push(attr("brink.node", int(node as u64)));
    }
    if s.kind == SpanKind::Attempt {
        a.push(attr("brink.attempt", int(s.attempt as u64)));
        a.push(attr("brink.hedge", json!({ "boolValue": s.hedge })));
    }
    if s.end_ns.is_none() {
        a.push(attr("brink.open", json!({ "boolValue": true })));
    }
    if s.parent.is_none() && trace.spans_dropped > 0 {
        a.push(attr("brink.spans_dropped", int(trace.spans_dropped as u64)));
    }
    a
}

fn attr(key: &str, value: Value) -> Value {
    json!({ "key": key, "value": value })
}

fn string(s: &str) -> Value {
    json!({ "stringValue": s })
}

fn int(v: u64) -> Value {
    json!({ "intValue": v.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_the_first_of_january_2026() {
        // 56 years from 1970 with 14 leap days (1972 … 2024).
        assert_eq!(EPOCH_UNIX_NANOS / 1_000_000_000, (56 * 365 + 14) * 86_400);
    }
}
