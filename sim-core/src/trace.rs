//! One request's trace: sampled logical requests recorded span by span, as
//! a distributed tracer would see them.
//!
//! A sampled logical request is a tree of spans: the request itself (the
//! root, at the outside clients), each attempt its client sends, the
//! backoff before a retry, and at the service an attempt reaches, the time
//! it queued and the time it was served; a service that calls others opens
//! a call span under its serving span, with the call's own attempts below
//! it. Every span ends with an [`Outcome`]: served, timed out, shed, refused,
//! dropped at its deadline, lost in a crash, refused locally by a breaker or
//! a throttle, and so on.
//!
//! Sampling (`traces.sample_per_s`, off by default) takes the first logical
//! request to arrive at or after each `1 / sample_per_s` seconds, so that
//! traces cover the run evenly in time (a chart's moment has one near it).
//! Ids are drawn from the random stream `traces`, which nothing else reads:
//! turning traces on changes no other stream, hence no result. With traces
//! off the engine holds no tracer at all and each hook is one test of an
//! `Option`. Limits: at most [`MAX_TRACES_KEPT`] traces are kept (the most
//! recent, by start), and at most [`MAX_SPANS_PER_TRACE`] spans per trace
//! (later ones are counted in [`Trace::spans_dropped`], not recorded).
//!
//! [`otlp`] turns kept traces into OpenTelemetry's OTLP/JSON.

pub mod otlp;

use crate::rng::Stream;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// At most this many traces are kept, the most recent by start.
pub const MAX_TRACES_KEPT: usize = 1000;
/// At most this many spans are recorded per trace.
pub const MAX_SPANS_PER_TRACE: usize = 256;
/// The allowed range of `traces.sample_per_s`.
pub const SAMPLE_PER_S: (f64, f64) = (0.0, 100.0);

/// Which logical requests are traced. Off by default.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TracesConfig {
    /// Logical requests traced per simulated second: the first to arrive at
    /// or after each `1 / sample_per_s` seconds; 0 traces none.
    pub sample_per_s: f64,
}

/// What a span stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpanKind {
    /// A logical request from the outside clients: the trace's root.
    Request,
    /// A call one service makes to another on behalf of a request.
    Call,
    /// One attempt of a request or a call, as its client sees it.
    Attempt,
    /// The client's wait before a retry.
    Backoff,
    /// Something the client decided without sending: a breaker or a
    /// throttle refusing, a retry suppressed, a deadline passed.
    Local,
    /// An attempt at the service it reached, from arrival to its answer.
    Serve,
    /// The time an attempt waited in a node's queue.
    Queue,
}

/// How a span ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Not ended yet (still running when the traces were read).
    Open,
    /// Succeeded: served, answered, or waited out.
    Ok,
    /// The client stopped waiting for this attempt.
    TimedOut,
    /// The attempt failed with an error (what the service said is on its
    /// serving span).
    Error,
    /// Turned away at a full node (queue full or concurrency limit).
    Shed,
    /// Refused by a node that was down.
    Refused,
    /// Answered 429 by the rate limiter.
    RateLimited,
    /// Failed by an injected error fault.
    FaultError,
    /// Dropped from the queue because its client no longer waited (its
    /// deadline passed).
    Dropped,
    /// Shed from the queue by CoDel.
    CodelShed,
    /// Lost when its node crashed.
    Lost,
    /// Served after its client had stopped waiting: work nobody used.
    Unanswered,
    /// Waited too long for a database connection.
    DbTimeout,
    /// One of the calls it made failed.
    CallFailed,
    /// A hedged pair's other attempt answered first.
    Cancelled,
    /// The circuit breaker was open.
    BreakerOpen,
    /// Adaptive throttling refused it at the client.
    Throttled,
    /// The retry budget or gRPC retry throttling forbade the retry.
    RetrySuppressed,
    /// The caller's deadline would pass before the retry starts.
    DeadlineExceeded,
    /// The request (or call) failed: attempts used up or refused.
    Failed,
}

impl Outcome {
    /// True for an outcome a tracing tool should show as an error.
    pub fn is_error(self) -> bool {
        !matches!(self, Outcome::Open | Outcome::Ok | Outcome::Cancelled | Outcome::Unanswered)
    }

    /// The outcome's name, as in the exported attributes.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Ok => "ok",
            Outcome::TimedOut => "timed-out",
            Outcome::Error => "error",
            Outcome::Shed => "shed",
            Outcome::Refused => "refused",
            Outcome::RateLimited => "rate-limited",
            Outcome::FaultError => "fault-error",
            Outcome::Dropped => "dropped",
            Outcome::CodelShed => "codel-shed",
            Outcome::Lost => "lost",
            Outcome::Unanswered => "unanswered",
            Outcome::DbTimeout => "db-timeout",
            Outcome::CallFailed => "call-failed",
            Outcome::Cancelled => "cancelled",
            Outcome::BreakerOpen => "breaker-open",
            Outcome::Throttled => "throttled",
            Outcome::RetrySuppressed => "retry-suppressed",
            Outcome::DeadlineExceeded => "deadline-exceeded",
            Outcome::Failed => "failed",
        }
    }
}

/// One span of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Its id, unique within the run (never zero).
    pub id: u64,
    /// Its parent's index in [`Trace::spans`]; `None` for the root.
    pub parent: Option<u32>,
    /// What it stands for.
    pub kind: SpanKind,
    /// The service it happened at, an index into [`Traces::services`]
    /// (0: the outside clients).
    pub service: u32,
    /// For a request, call, attempt or backoff: the service called.
    pub peer: Option<u32>,
    /// For a serve or queue span: the node, numbered within its service.
    pub node: Option<u32>,
    /// For an attempt: its number, from 1 (a hedge counts as one).
    pub attempt: u32,
    /// True for an attempt sent as a hedge.
    pub hedge: bool,
    /// Start, simulated ns.
    pub start_ns: u64,
    /// End, simulated ns; `None` while open.
    pub end_ns: Option<u64>,
    /// How it ended.
    pub outcome: Outcome,
}

/// One sampled logical request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Its 128-bit id (never zero).
    pub id: u128,
    /// Its number among the run's sampled requests, from 0.
    pub seq: u64,
    /// Its spans; the root is first, and a parent comes before its children.
    pub spans: Vec<Span>,
    /// Spans not recorded once [`MAX_SPANS_PER_TRACE`] was reached.
    pub spans_dropped: u32,
}

impl Trace {
    /// The root span (the logical request).
    pub fn root(&self) -> &Span {
        &self.spans[0]
    }

    /// Start of the request, simulated ns.
    pub fn start_ns(&self) -> u64 {
        self.root().start_ns
    }

    /// The latest end among its spans, or `now` for spans still open.
    pub fn end_ns(&self, now: u64) -> u64 {
        self.spans.iter().map(|s| s.end_ns.unwrap_or(now)).max().unwrap_or(now)
    }
}

/// The kept traces with the names they refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Traces {
    /// Service names: 0 is the outside clients (`clients`), then the
    /// services in configuration order.
    pub services: Vec<String>,
    /// The kept traces, oldest first.
    pub traces: Vec<Trace>,
    /// Simulated time they were read at, ns (open spans end here when
    /// exported).
    pub now_ns: u64,
}

/// A traced client: which trace, and the span of its request or call.
#[derive(Debug, Clone, Copy)]
struct ClientRec {
    seq: u64,
    span: u32,
    attempts: u32,
}

/// A traced attempt at its service: its serving span and queue span.
#[derive(Debug, Clone, Copy)]
struct ServerRec {
    seq: u64,
    serve: u32,
    queue: Option<u32>,
}

const NO_SPAN: u32 = u32::MAX;

/// The recorder the engine holds while traces are on. Its hooks are
/// `#[cold]`: the engine's hot path then keeps only the test of the
/// `Option` that holds it, with the call moved out of line.
#[derive(Debug)]
pub(crate) struct Tracer {
    interval_ns: u64,
    next_at: u64,
    rng: Stream,
    services: Vec<String>,
    /// For each call edge: the calling and the called service (indices
    /// into `services`).
    edges: Vec<(u32, u32)>,
    ring: VecDeque<Trace>,
    next_seq: u64,
    clients: BTreeMap<u32, ClientRec>,
    attempts: BTreeMap<(u32, u32), (u64, u32)>,
    servers: BTreeMap<(u32, u32), ServerRec>,
}

impl Tracer {
    /// A tracer for `cfg`, or `None` when traces are off. `services` are
    /// the service names in order; `edges` each call edge's caller and
    /// callee as service numbers (`u32::MAX` for the outside clients).
    pub fn new(cfg: &TracesConfig, seed: u64, services: Vec<String>, edges: &[(u32, u32)]) -> Option<Box<Tracer>> {
        if cfg.sample_per_s <= 0.0 {
            return None;
        }
        let interval_ns = crate::time::secs_to_nanos(1.0 / cfg.sample_per_s).max(1);
        let mut names = vec!["clients".to_string()];
        names.extend(services);
        Some(Box::new(Tracer {
            interval_ns,
            next_at: 0,
            rng: Stream::new(seed, "traces"),
            services: names,
            edges: edges.iter().map(|&(from, to)| (from.wrapping_add(1), to + 1)).collect(),
            ring: VecDeque::new(),
            next_seq: 0,
            clients: BTreeMap::new(),
            attempts: BTreeMap::new(),
            servers: BTreeMap::new(),
        }))
    }

    /// The kept traces, read at `now`.
    pub fn traces(&self, now: u64) -> Traces {
        Traces { services: self.services.clone(), traces: self.ring.iter().cloned().collect(), now_ns: now }
    }

    fn span_id(&mut self) -> u64 {
        self.rng.next_u64().max(1)
    }

    fn trace_mut(&mut self, seq: u64) -> Option<&mut Trace> {
        let first = self.ring.front()?.seq;
        self.ring.get_mut(seq.checked_sub(first)? as usize)
    }

    /// Adds a span to trace `seq`; returns its index, or `None` when the
    /// trace is gone or full.
    fn push(&mut self, seq: u64, span: Span) -> Option<u32> {
        let t = self.trace_mut(seq)?;
        if t.spans.len() >= MAX_SPANS_PER_TRACE {
            t.spans_dropped += 1;
            return None;
        }
        t.spans.push(span);
        Some(t.spans.len() as u32 - 1)
    }

    fn end(&mut self, seq: u64, span: u32, now: u64, outcome: Outcome) {
        if let Some(s) = self.trace_mut(seq).and_then(|t| t.spans.get_mut(span as usize)) {
            if s.end_ns.is_none() {
                s.end_ns = Some(now);
                s.outcome = outcome;
            }
        }
    }

    fn span(&mut self, kind: SpanKind, parent: u32, service: u32, now: u64) -> Span {
        Span {
            id: self.span_id(),
            parent: (parent != NO_SPAN).then_some(parent),
            kind,
            service,
            peer: None,
            node: None,
            attempt: 0,
            hedge: false,
            start_ns: now,
            end_ns: None,
            outcome: Outcome::Open,
        }
    }

    /// A logical request arrived for `client`: traced if it is the first
    /// at or after the next sampling instant.
    #[cold]
    pub fn begin(&mut self, now: u64, client: u32) {
        if now < self.next_at {
            return;
        }
        self.next_at = now.saturating_add(self.interval_ns);
        let id = ((self.rng.next_u64() as u128) << 64 | self.rng.next_u64() as u128).max(1);
        let mut root = self.span(SpanKind::Request, NO_SPAN, 0, now);
        root.peer = Some(self.edges[0].1);
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.ring.len() == MAX_TRACES_KEPT {
            self.ring.pop_front();
        }
        self.ring.push_back(Trace { id, seq, spans: vec![root], spans_dropped: 0 });
        self.clients.insert(client, ClientRec { seq, span: 0, attempts: 0 });
    }

    /// Job `(caller, token)` makes a call on `edge` with client `client`.
    #[cold]
    pub fn call(&mut self, now: u64, caller: (u32, u32), client: u32, edge: u32) {
        let Some(&ServerRec { seq, serve, .. }) = self.servers.get(&caller) else { return };
        let (from, to) = self.edges[edge as usize];
        let mut s = self.span(SpanKind::Call, serve, from, now);
        s.peer = Some(to);
        if let Some(span) = self.push(seq, s) {
            self.clients.insert(client, ClientRec { seq, span, attempts: 0 });
        }
    }

    /// `client` sends attempt `token` on `edge`.
    #[cold]
    pub fn attempt(&mut self, now: u64, client: u32, token: u32, edge: u32, hedge: bool) {
        let Some(rec) = self.clients.get_mut(&client) else { return };
        rec.attempts += 1;
        let (ClientRec { seq, span, attempts }, (from, to)) = (*rec, self.edges[edge as usize]);
        let mut s = self.span(SpanKind::Attempt, span, from, now);
        (s.peer, s.attempt, s.hedge) = (Some(to), attempts, hedge);
        if let Some(i) = self.push(seq, s) {
            self.attempts.insert((client, token), (seq, i));
        }
    }

    /// Attempt `(client, token)` reached `node` (numbered within service
    /// `tier`), which started it or queued it.
    #[cold]
    pub fn arrived(&mut self, now: u64, w: (u32, u32), tier: u32, node: u32, queued: bool) {
        let Some(&(seq, attempt)) = self.attempts.get(&w) else { return };
        let mut s = self.span(SpanKind::Serve, attempt, tier + 1, now);
        s.node = Some(node);
        let Some(serve) = self.push(seq, s) else { return };
        let mut queue = None;
        if queued {
            let mut q = self.span(SpanKind::Queue, serve, tier + 1, now);
            q.node = Some(node);
            queue = self.push(seq, q);
        }
        self.servers.insert(w, ServerRec { seq, serve, queue });
    }

    /// Attempt `w` was turned away at service `tier` before any node held it.
    #[cold]
    pub fn rejected(&mut self, now: u64, w: (u32, u32), tier: u32, outcome: Outcome) {
        let Some(&(seq, attempt)) = self.attempts.get(&w) else { return };
        let mut s = self.span(SpanKind::Serve, attempt, tier + 1, now);
        (s.end_ns, s.outcome) = (Some(now), outcome);
        self.push(seq, s);
    }

    /// A worker took attempt `w` from the queue.
    #[cold]
    pub fn started(&mut self, now: u64, w: (u32, u32)) {
        if let Some(ServerRec { seq, queue: Some(q), .. }) = self.servers.get_mut(&w).map(|r| *r) {
            self.end(seq, q, now, Outcome::Ok);
            if let Some(r) = self.servers.get_mut(&w) {
                r.queue = None;
            }
        }
    }

    /// The service is done with attempt `w`, with `outcome`.
    #[cold]
    pub fn served(&mut self, now: u64, w: (u32, u32), outcome: Outcome) {
        let Some(r) = self.servers.remove(&w) else { return };
        if let Some(q) = r.queue {
            self.end(r.seq, q, now, outcome);
        }
        self.end(r.seq, r.serve, now, outcome);
    }

    /// The client's attempt `token` ended with `outcome`.
    #[cold]
    pub fn attempt_end(&mut self, now: u64, w: (u32, u32), outcome: Outcome) {
        if let Some((seq, span)) = self.attempts.remove(&w) {
            self.end(seq, span, now, outcome);
        }
    }

    /// `client` waits `delay_ns` before its next attempt.
    #[cold]
    pub fn backoff(&mut self, now: u64, client: u32, delay_ns: u64) {
        let Some(&ClientRec { seq, span, .. }) = self.clients.get(&client) else { return };
        let service = self.trace_mut(seq).and_then(|t| t.spans.get(span as usize)).map_or(0, |s| s.service);
        let mut s = self.span(SpanKind::Backoff, span, service, now);
        (s.end_ns, s.outcome) = (Some(now.saturating_add(delay_ns)), Outcome::Ok);
        self.push(seq, s);
    }

    /// `client` decided something without sending: a refusal by its
    /// breaker or throttle, a suppressed retry, a deadline passed.
    #[cold]
    pub fn local(&mut self, now: u64, client: u32, outcome: Outcome) {
        let Some(&ClientRec { seq, span, .. }) = self.clients.get(&client) else { return };
        let service = self.trace_mut(seq).and_then(|t| t.spans.get(span as usize)).map_or(0, |s| s.service);
        let mut s = self.span(SpanKind::Local, span, service, now);
        (s.end_ns, s.outcome) = (Some(now), outcome);
        self.push(seq, s);
    }

    /// `client`'s request or call is over (`ok` or failed): its span ends,
    /// and attempts still out are cancelled (it no longer waits for them).
    #[cold]
    pub fn finish(&mut self, now: u64, client: u32, ok: bool) {
        let Some(ClientRec { seq, span, .. }) = self.clients.remove(&client) else { return };
        let open: Vec<_> = self.attempts.range((client, 0)..=(client, u32::MAX)).map(|(k, v)| (*k, *v)).collect();
        for (k, (s, i)) in open {
            self.attempts.remove(&k);
            self.end(s, i, now, Outcome::Cancelled);
        }
        self.end(seq, span, now, if ok { Outcome::Ok } else { Outcome::Failed });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracer(rate: f64) -> Box<Tracer> {
        Tracer::new(&TracesConfig { sample_per_s: rate }, 1, vec!["api".into()], &[(u32::MAX, 0)]).unwrap()
    }

    #[test]
    fn off_means_no_tracer() {
        assert!(Tracer::new(&TracesConfig::default(), 1, vec![], &[]).is_none());
    }

    #[test]
    fn samples_the_first_request_after_each_interval() {
        let mut t = tracer(2.0); // every 0.5 s
        for (i, at) in [0, 100, 499_999_999, 500_000_000, 600_000_000, 1_200_000_000].into_iter().enumerate() {
            t.begin(at, i as u32);
        }
        let starts: Vec<_> = t.traces(0).traces.iter().map(|t| t.start_ns()).collect();
        assert_eq!(starts, vec![0, 500_000_000, 1_200_000_000]);
    }

    #[test]
    fn attempt_serve_queue_and_end_nest_and_close() {
        let mut t = tracer(1.0);
        t.begin(0, 7);
        t.attempt(0, 7, 1, 0, false);
        t.arrived(0, (7, 1), 0, 2, true);
        t.started(5, (7, 1));
        t.served(9, (7, 1), Outcome::Ok);
        t.attempt_end(9, (7, 1), Outcome::Ok);
        t.finish(9, 7, true);
        let tr = &t.traces(9).traces[0];
        let kinds: Vec<_> = tr.spans.iter().map(|s| (s.kind, s.parent, s.end_ns, s.outcome)).collect();
        assert_eq!(
            kinds,
            vec![
                (SpanKind::Request, None, Some(9), Outcome::Ok),
                (SpanKind::Attempt, Some(0), Some(9), Outcome::Ok),
                (SpanKind::Serve, Some(1), Some(9), Outcome::Ok),
                (SpanKind::Queue, Some(2), Some(5), Outcome::Ok),
            ]
        );
        assert_eq!(tr.spans[2].node, Some(2));
    }

    #[test]
    fn keeps_at_most_the_cap_of_traces_and_spans() {
        let mut t = tracer(100.0);
        for i in 0..(MAX_TRACES_KEPT as u64 + 5) {
            t.begin(i * 10_000_000, i as u32);
        }
        let all = t.traces(0);
        assert_eq!(all.traces.len(), MAX_TRACES_KEPT);
        assert_eq!(all.traces[0].seq, 5, "the oldest are dropped");
        let last = MAX_TRACES_KEPT as u32 + 4;
        for k in 0..(MAX_SPANS_PER_TRACE as u32 + 3) {
            t.attempt(0, last, k, 0, false);
        }
        let tr = t.traces(0).traces.pop().unwrap();
        assert_eq!(tr.spans.len(), MAX_SPANS_PER_TRACE);
        assert_eq!(tr.spans_dropped, 4);
    }
}
