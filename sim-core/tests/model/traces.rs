//! One request's trace: sampled traces change no result, nest as a
//! distributed trace does, and export as OTLP/JSON.

use super::{run, seeded};
use serde_json::Value;
use sim_core::trace::{otlp, Outcome, SpanKind, Trace, Traces};
use sim_core::config::ClientConfig;
use sim_core::{Backoff, CallConfig, Config, ServiceConfig, Simulation};
use std::collections::HashSet;

/// An overloaded single service whose clients time out and retry with
/// backoff: most traced requests make several attempts.
fn retrying(seed: u64) -> Config {
    let mut c = seeded(seed);
    c.traffic.duration_s = 20.0;
    c.traffic.rate_per_s = 8000.0;
    c.nodes.count = 2;
    c.client.timeout_s = 0.3;
    c.client.attempts = 4;
    c.client.backoff = Backoff::FullJitter;
    c
}

/// gateway → api → db, each call with 2 attempts.
fn three_tier(seed: u64) -> Config {
    let mut c = seeded(seed);
    c.traffic.duration_s = 10.0;
    c.traffic.rate_per_s = 300.0;
    let call = |to: &str| CallConfig {
        to: to.into(),
        client: ClientConfig { attempts: 2, timeout_s: 0.5, ..ClientConfig::default() },
    };
    let svc = |name: &str, calls: Vec<CallConfig>| ServiceConfig { name: name.into(), calls, ..ServiceConfig::default() };
    c.services = vec![svc("gateway", vec![call("api")]), svc("api", vec![call("db")]), svc("db", vec![])];
    c
}

fn traced(mut c: Config, per_s: f64) -> Simulation {
    c.traces.sample_per_s = per_s;
    run(c)
}

fn report_json(sim: &Simulation) -> String {
    serde_json::to_string(&sim.report(&[0, 5, 10])).unwrap()
}

/// Also pins the engine's two event loops to each other: without traces
/// the run is plain (hooks compiled out, `H = false`), with them every
/// hook is tested at run time (`H = true`).
#[test]
fn traces_change_no_result() {
    for (name, c) in [("retrying", retrying(3)), ("three-tier", three_tier(4))] {
        let off = run(c.clone());
        let on = traced(c, 50.0);
        assert!(off.traces().is_none(), "{name}: off by default");
        assert!(!on.traces().unwrap().traces.is_empty(), "{name}: traced some");
        assert_eq!(off.totals(), on.totals(), "{name} seed {}", off.config().seed);
        assert_eq!(report_json(&off), report_json(&on), "{name}: whole report, seed {}", off.config().seed);
    }
}

#[test]
fn sampling_follows_the_rate_evenly_in_time() {
    let t = traced(retrying(5), 2.0).traces().unwrap();
    assert_eq!(t.traces.len(), 40, "2/s over 20 s");
    for pair in t.traces.windows(2) {
        let gap = pair[1].start_ns() - pair[0].start_ns();
        assert!((500_000_000..520_000_000).contains(&gap), "gap {gap} ns, seed 5");
    }
}

fn children<'a>(t: &'a Trace, parent: usize) -> impl Iterator<Item = &'a sim_core::trace::Span> + 'a {
    t.spans.iter().filter(move |s| s.parent == Some(parent as u32))
}

#[test]
fn a_retried_request_shows_its_attempts_and_backoff() {
    let traces = traced(retrying(6), 10.0).traces().unwrap();
    let retried = traces
        .traces
        .iter()
        .find(|t| children(t, 0).filter(|s| s.kind == SpanKind::Attempt).count() >= 3)
        .expect("a traced request with three attempts, seed 6");
    let kids: Vec<_> = children(retried, 0).collect();
    let attempts: Vec<_> = kids.iter().filter(|s| s.kind == SpanKind::Attempt).collect();
    assert_eq!(attempts.iter().map(|s| s.attempt).collect::<Vec<_>>()[..3], [1, 2, 3]);
    assert!(attempts[..attempts.len() - 1].iter().all(|s| s.outcome == Outcome::TimedOut || s.outcome == Outcome::Error));
    let backoffs: Vec<_> = kids.iter().filter(|s| s.kind == SpanKind::Backoff).collect();
    assert!(!backoffs.is_empty(), "full jitter backs off between attempts");
    // Each retry starts when a backoff ends.
    for b in &backoffs {
        let end = b.end_ns.unwrap();
        assert!(attempts.iter().any(|a| a.start_ns == end), "a retry starts at the backoff's end {end}");
    }
    // Every attempt that reached a node has its serving span below it.
    let served = attempts.iter().filter(|a| retried.spans.iter().any(|s| s.kind == SpanKind::Serve && s.parent.map(|p| &retried.spans[p as usize]) == Some(a))).count();
    assert!(served >= 1);
}

#[test]
fn a_three_tier_request_has_a_child_span_per_call() {
    let traces = traced(three_tier(7), 5.0).traces().unwrap();
    assert_eq!(traces.services, ["clients", "gateway", "api", "db"]);
    let ok = traces.traces.iter().find(|t| t.root().outcome == Outcome::Ok).expect("a successful trace, seed 7");
    // request → attempt → serve at gateway → call → attempt → serve at api → call → attempt → serve at db
    let chain: Vec<_> = {
        let mut v = vec![0usize];
        while let Some(i) = ok.spans.iter().position(|s| s.parent == Some(*v.last().unwrap() as u32) && s.kind != SpanKind::Queue) {
            v.push(i);
        }
        v.into_iter().map(|i| (ok.spans[i].kind, ok.spans[i].service)).collect()
    };
    use SpanKind::*;
    assert_eq!(
        chain,
        vec![(Request, 0), (Attempt, 0), (Serve, 1), (Call, 1), (Attempt, 1), (Serve, 2), (Call, 2), (Attempt, 2), (Serve, 3)]
    );
    for s in &ok.spans {
        let p = s.parent.map(|p| &ok.spans[p as usize]);
        if let Some(p) = p {
            assert!(p.start_ns <= s.start_ns && s.end_ns <= p.end_ns, "a child lies within its parent: {s:?} in {p:?}");
        }
    }
}

/// Checks the OTLP/JSON document's required fields and encodings; returns
/// the number of spans.
fn check_otlp(doc: &Value) -> usize {
    let mut n = 0;
    let mut ids: HashSet<(String, String)> = HashSet::new();
    let mut parents = Vec::new();
    for rs in doc["resourceSpans"].as_array().expect("resourceSpans") {
        let attrs = rs["resource"]["attributes"].as_array().unwrap();
        assert!(attrs.iter().any(|a| a["key"] == "service.name" && a["value"]["stringValue"].is_string()));
        for ss in rs["scopeSpans"].as_array().unwrap() {
            assert_eq!(ss["scope"]["name"], "brink");
            for s in ss["spans"].as_array().unwrap() {
                n += 1;
                let hex = |v: &Value, len: usize| {
                    let t = v.as_str().unwrap();
                    assert_eq!(t.len(), len, "{t}");
                    assert!(t.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{t}");
                    assert!(t.bytes().any(|b| b != b'0'), "an all-zero id is invalid");
                    t.to_string()
                };
                let trace = hex(&s["traceId"], 32);
                let span = hex(&s["spanId"], 16);
                assert!(ids.insert((trace.clone(), span)), "span ids are unique");
                if !s["parentSpanId"].is_null() {
                    parents.push((trace, hex(&s["parentSpanId"], 16)));
                }
                assert!(s["name"].as_str().is_some_and(|x| !x.is_empty()));
                assert!((1..=5).contains(&s["kind"].as_u64().unwrap()));
                let start: u64 = s["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
                let end: u64 = s["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
                assert!(start >= otlp::EPOCH_UNIX_NANOS && end >= start);
                assert!(s["status"]["code"].as_u64().unwrap() <= 2);
                for a in s["attributes"].as_array().unwrap() {
                    let v = a["value"].as_object().unwrap();
                    assert!(a["key"].is_string() && v.len() == 1);
                    let (ty, val) = v.iter().next().unwrap();
                    match ty.as_str() {
                        "stringValue" => assert!(val.is_string()),
                        "intValue" => assert!(val.as_str().unwrap().parse::<i64>().is_ok()),
                        "boolValue" => assert!(val.is_boolean()),
                        "doubleValue" => assert!(val.is_number()),
                        other => panic!("unknown value type {other}"),
                    }
                }
            }
        }
    }
    for p in parents {
        assert!(ids.contains(&p), "parentSpanId {p:?} names a span of the same trace");
    }
    n
}

#[test]
fn otlp_export_has_the_required_fields_and_links() {
    for (name, sim) in [("retrying", traced(retrying(8), 5.0)), ("three-tier", traced(three_tier(8), 5.0))] {
        let traces: Traces = sim.traces().unwrap();
        let doc = otlp::to_json(&traces);
        let spans = check_otlp(&doc);
        assert_eq!(spans, traces.traces.iter().map(|t| t.spans.len()).sum::<usize>(), "{name}");
        let roots = doc["resourceSpans"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["scopeSpans"][0]["spans"].as_array().unwrap())
            .filter(|s| s["parentSpanId"].is_null())
            .count();
        assert_eq!(roots, traces.traces.len(), "{name}: one root per trace");
    }
}

#[test]
fn traces_are_deterministic_byte_for_byte() {
    let a = otlp::to_string(&traced(three_tier(9), 20.0).traces().unwrap());
    let b = otlp::to_string(&traced(three_tier(9), 20.0).traces().unwrap());
    assert_eq!(a, b, "seed 9");
    let c = otlp::to_string(&traced(three_tier(10), 20.0).traces().unwrap());
    assert_ne!(a, c, "another seed, other traces");
}

#[test]
fn an_out_of_range_rate_is_refused() {
    let mut c = Config::default();
    c.traces.sample_per_s = 1000.0;
    assert_eq!(Simulation::new(c).unwrap_err().field(), "traces.sample_per_s");
}
