//! The topology diagram of a system of services, framework-free: where each
//! service card goes (a layered graph, the entry on the left and callees to
//! the right by call depth, fan-out stacked vertically, a shared dependency
//! at its deepest layer), what each card and each call edge says (rates from
//! the difference between two snapshots), and how many request dots each
//! edge may animate (a small, capped budget, so that dots never cost frames).

use sim_core::{NodeLife, NodeState, Snapshot};
use std::collections::VecDeque;
use std::rc::Rc;

/// Width of a service card, px.
pub const CARD_W: f64 = 120.0;
/// Horizontal room between two layers, for the arrows and their labels, px:
/// the widest label line, "⏱ 100% timed out", is about 90 px at 10 px type.
pub const GAP_X: f64 = 110.0;
/// Vertical room between two stacked cards, px.
pub const GAP_Y: f64 = 14.0;
/// Room around the diagram, px.
pub const MARGIN: f64 = 6.0;
/// At most this many dots travel on one edge at once.
pub const MAX_DOTS_PER_EDGE: u32 = 8;

const PAD: f64 = 8.0;
const HEAD_H: f64 = 20.0;
const LINE_H: f64 = 15.0;
const LINES: f64 = 2.0;

/// How a request on an edge ended, for the colour of its dot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Answered in time with a success.
    Ok,
    /// Failed: a 503, an error, a refused connection.
    Failed,
    /// The caller stopped waiting.
    TimedOut,
    /// A retry (an attempt after the first of its call).
    Retried,
}

impl Fate {
    /// CSS modifier of its dot.
    pub fn class(self) -> &'static str {
        match self {
            Fate::Ok => "ok",
            Fate::Failed => "failed",
            Fate::TimedOut => "timed-out",
            Fate::Retried => "retry",
        }
    }
}

/// One dot on an edge: its fate and how far through its trip it starts, as
/// a share of the trip (0 to 1), so that the dots of an edge spread out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    /// Its colour.
    pub fate: Fate,
    /// Share of the trip done at wall time zero.
    pub phase: f64,
}

/// One service card: where it goes and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceBox {
    /// Index into the snapshot's services.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// Its layer, 0 for the entry.
    pub layer: usize,
    /// Left edge, px.
    pub x: f64,
    /// Top edge, px.
    pub y: f64,
    /// Height, px (the width is [`CARD_W`]).
    pub h: f64,
    /// Nodes neither crashed nor ejected.
    pub up: u32,
    /// Its nodes.
    pub total: u32,
    /// Attempts waiting over the waiting rooms' capacity, 0 to 1.
    pub queue_fill: f64,
    /// Requests it answered with a success per second.
    pub goodput_per_s: f64,
    /// Each node's state, in order.
    pub states: Vec<NodeState>,
    /// Node side length, px: smaller when there are many.
    pub square: f64,
}

impl ServiceBox {
    /// How many of its nodes are in each state, in the order states first
    /// appear, for a text summary beside the coloured squares.
    pub fn state_counts(&self) -> Vec<(NodeState, u32)> {
        let mut counts: Vec<(NodeState, u32)> = Vec::new();
        for s in &self.states {
            match counts.iter_mut().find(|(k, _)| k == s) {
                Some((_, n)) => *n += 1,
                None => counts.push((*s, 1)),
            }
        }
        counts
    }
}

/// One call edge: its geometry, its traffic and its dots.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeView {
    /// Index of the caller.
    pub from: usize,
    /// Index of the callee.
    pub to: usize,
    /// Start (the caller's right side), px.
    pub x0: f64,
    /// Start height, px.
    pub y0: f64,
    /// End (the callee's left side), px.
    pub x1: f64,
    /// End height, px.
    pub y1: f64,
    /// Attempts sent per second.
    pub attempts_per_s: f64,
    /// Share of those attempts that were retries.
    pub retry_share: f64,
    /// Share of the attempts that ended that failed.
    pub failure_share: f64,
    /// Share of the attempts that ended that timed out.
    pub timeout_share: f64,
    /// True while a partition drops everything sent on it.
    pub partitioned: bool,
    /// Stroke width, px, following the attempts per second.
    pub thickness: f64,
    /// The dots travelling on it.
    pub dots: Vec<Dot>,
}

/// The whole diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// Service indices by layer, each layer top to bottom.
    pub layers: Vec<Vec<usize>>,
    /// One card per service, in the snapshot's order.
    pub services: Vec<ServiceBox>,
    /// Every call edge.
    pub edges: Vec<EdgeView>,
    /// One dot stands for this many attempts per second.
    pub dot_every: u64,
    /// Width of the diagram, px.
    pub width: f64,
    /// Height of the diagram, px.
    pub height: f64,
}

/// Each service's layer: its longest call depth from a service nobody calls
/// (the entry is one), so that a shared dependency sits at its deepest.
pub fn depths(snap: &Snapshot) -> Vec<usize> {
    let n = snap.services.len();
    let mut depth = vec![0usize; n];
    // The call graph is acyclic (checked by the config), so n passes settle it.
    for _ in 0..n {
        let mut moved = false;
        for (i, s) in snap.services.iter().enumerate() {
            for c in &s.calls {
                let to = c.to as usize;
                if to < n && depth[to] < depth[i] + 1 {
                    depth[to] = depth[i] + 1;
                    moved = true;
                }
            }
        }
        if !moved {
            break;
        }
    }
    depth
}

/// Services by layer; within a layer, ordered by their first caller's place
/// (so fan-out stacks in call order), then by index.
pub fn layers(snap: &Snapshot) -> Vec<Vec<usize>> {
    let depth = depths(snap);
    let count = depth.iter().max().map_or(0, |d| d + 1);
    let mut layers: Vec<Vec<usize>> = Vec::with_capacity(count);
    let mut rank = vec![(0usize, 0usize); depth.len()];
    for d in 0..count {
        let mut members: Vec<(usize, (usize, usize, usize))> = (0..depth.len())
            .filter(|&i| depth[i] == d)
            .map(|i| (i, first_caller_rank(snap, &depth, &rank, i)))
            .collect();
        members.sort_by_key(|&(i, key)| (key, i));
        for (pos, &(i, _)) in members.iter().enumerate() {
            rank[i] = (d, pos);
        }
        layers.push(members.into_iter().map(|(i, _)| i).collect());
    }
    layers
}

/// The (layer, place, call order) of the first-placed caller of `i`, or a
/// key before every other for a service nobody calls.
fn first_caller_rank(snap: &Snapshot, depth: &[usize], rank: &[(usize, usize)], i: usize) -> (usize, usize, usize) {
    snap.services
        .iter()
        .enumerate()
        .flat_map(|(s, svc)| svc.calls.iter().enumerate().map(move |(k, c)| (s, k, c.to as usize)))
        .filter(|&(s, _, to)| to == i && depth[s] < depth[i])
        .map(|(s, k, _)| (rank[s].0, rank[s].1, k))
        .min()
        .unwrap_or((0, 0, 0))
}

/// Side length of a node square for `n` nodes, px.
fn square_side(n: u32) -> f64 {
    if n <= 12 {
        14.0
    } else {
        9.0
    }
}

/// Height of a card with `n` nodes, px.
pub fn card_height(n: u32) -> f64 {
    let side = square_side(n);
    let per_row = (((CARD_W - 2.0 * PAD) + 2.0) / (side + 2.0)).floor().max(1.0);
    let rows = (n.max(1) as f64 / per_row).ceil();
    PAD + HEAD_H + rows * (side + 2.0) + LINES * LINE_H + PAD
}

/// Remembers a few recent snapshots so that rates span about one simulated
/// second, however often frames come.
#[derive(Debug, Clone, Default)]
pub struct RateWindow {
    marks: VecDeque<Rc<Snapshot>>,
}

/// Least simulated time between two remembered snapshots, seconds.
const MARK_EVERY_S: f64 = 0.25;
/// Rates span at least this much simulated time once it has passed, seconds.
const WINDOW_S: f64 = 1.0;

impl RateWindow {
    /// Records the snapshot of this frame; a snapshot earlier than the last
    /// one (a new run) starts afresh.
    pub fn push(&mut self, snap: &Rc<Snapshot>) {
        let now = snap.now.as_secs_f64();
        match self.marks.back() {
            Some(last) if last.now.as_secs_f64() > now => self.marks.clear(),
            Some(last) if now - last.now.as_secs_f64() < MARK_EVERY_S => return,
            _ => {}
        }
        self.marks.push_back(snap.clone());
        while self.marks.len() > 2 && now - self.marks[1].now.as_secs_f64() >= WINDOW_S {
            self.marks.pop_front();
        }
    }

    /// The snapshot to take differences against for `now`, if any is older.
    pub fn base(&self, now: &Snapshot) -> Option<&Snapshot> {
        self.marks.front().map(|s| s.as_ref()).filter(|s| s.now < now.now)
    }
}

/// The diagram of `now`, with rates since `base` (none without one).
pub fn layout(now: &Snapshot, base: Option<&Snapshot>) -> Topology {
    let layers = layers(now);
    let mut services: Vec<ServiceBox> = (0..now.services.len()).map(|i| service_box(now, base, i)).collect();
    let heights: Vec<f64> = layers
        .iter()
        .map(|l| l.iter().map(|&i| services[i].h).sum::<f64>() + GAP_Y * l.len().saturating_sub(1) as f64)
        .collect();
    let inner = heights.iter().cloned().fold(0.0, f64::max);
    for (d, layer) in layers.iter().enumerate() {
        let mut y = MARGIN + (inner - heights[d]) / 2.0;
        for &i in layer {
            services[i].layer = d;
            services[i].x = MARGIN + d as f64 * (CARD_W + GAP_X);
            services[i].y = y;
            y += services[i].h + GAP_Y;
        }
    }
    let mut edges = edges(now, base, &services);
    let dot_every = dot_step(edges.iter().map(|e| e.attempts_per_s).fold(0.0, f64::max));
    let busiest = edges.iter().map(|e| e.attempts_per_s).fold(0.0, f64::max);
    for e in &mut edges {
        e.thickness = thickness(e.attempts_per_s, busiest);
        e.dots = dots(e, dot_every);
    }
    let width = 2.0 * MARGIN + layers.len() as f64 * CARD_W + layers.len().saturating_sub(1) as f64 * GAP_X;
    Topology { layers, services, edges, dot_every, width, height: inner + 2.0 * MARGIN }
}

/// Simulated seconds between `base` and `now`, if positive.
fn span<'a>(now: &Snapshot, base: Option<&'a Snapshot>) -> Option<(&'a Snapshot, f64)> {
    let b = base?;
    let dt = now.now.as_secs_f64() - b.now.as_secs_f64();
    (dt > 0.0).then_some((b, dt))
}

/// Per-second difference of a cumulative counter.
fn rate(now: u64, before: u64, dt: f64) -> f64 {
    now.saturating_sub(before) as f64 / dt
}

/// One card's summary, not yet placed.
fn service_box(now: &Snapshot, base: Option<&Snapshot>, i: usize) -> ServiceBox {
    let s = &now.services[i];
    let start = (s.first_node as usize).min(now.nodes.len());
    let end = (start + s.node_count as usize).min(now.nodes.len());
    let nodes = &now.nodes[start..end];
    let up = nodes.iter().filter(|n| n.life != NodeLife::Crashed && !n.ejected).count() as u32;
    let (queued, capacity) =
        nodes.iter().fold((0u64, 0u64), |(q, c), n| (q + n.queued as u64, c + n.queue_capacity as u64));
    let queue_fill = if capacity == 0 {
        if queued > 0 {
            1.0
        } else {
            0.0
        }
    } else {
        (queued as f64 / capacity as f64).min(1.0)
    };
    let goodput_per_s = span(now, base)
        .and_then(|(b, dt)| b.services.get(i).map(|bs| rate(s.totals.goodput, bs.totals.goodput, dt)))
        .unwrap_or(0.0);
    ServiceBox {
        index: i,
        name: s.name.clone(),
        layer: 0,
        x: 0.0,
        y: 0.0,
        h: card_height(s.node_count),
        up,
        total: s.node_count,
        queue_fill,
        goodput_per_s,
        states: nodes.iter().map(|n| n.state).collect(),
        square: square_side(s.node_count),
    }
}

/// Every call edge with its geometry and rates; thickness and dots follow.
fn edges(now: &Snapshot, base: Option<&Snapshot>, boxes: &[ServiceBox]) -> Vec<EdgeView> {
    let n = boxes.len();
    let mut incoming = vec![0usize; n];
    now.services
        .iter()
        .flat_map(|s| &s.calls)
        .filter(|c| (c.to as usize) < n)
        .for_each(|c| incoming[c.to as usize] += 1);
    let mut arrived = vec![0usize; n];
    let mut out = Vec::new();
    for (i, s) in now.services.iter().enumerate() {
        let calls: Vec<_> = s.calls.iter().enumerate().filter(|(_, c)| (c.to as usize) < n).collect();
        for (k, (ci, c)) in calls.iter().enumerate() {
            let to = c.to as usize;
            let (a, b) = (&boxes[i], &boxes[to]);
            let before = span(now, base).and_then(|(bs, dt)| bs.services.get(i)?.calls.get(*ci).map(|p| (*p, dt)));
            let (sent, ok, failed, timed_out, retried) = match before {
                Some((p, dt)) => (
                    rate(c.sent, p.sent, dt),
                    rate(c.ok, p.ok, dt),
                    rate(c.failed, p.failed, dt),
                    rate(c.timed_out, p.timed_out, dt),
                    rate(c.retried, p.retried, dt),
                ),
                None => (0.0, 0.0, 0.0, 0.0, 0.0),
            };
            let ended = ok + failed + timed_out;
            let share = |v: f64, of: f64| if of > 0.0 { (v / of).min(1.0) } else { 0.0 };
            arrived[to] += 1;
            out.push(EdgeView {
                from: i,
                to,
                x0: a.x + CARD_W,
                y0: a.y + a.h * (k + 1) as f64 / (calls.len() + 1) as f64,
                x1: b.x,
                y1: b.y + b.h * arrived[to] as f64 / (incoming[to] + 1) as f64,
                attempts_per_s: sent,
                retry_share: share(retried, sent),
                failure_share: share(failed, ended),
                timeout_share: share(timed_out, ended),
                partitioned: c.partitioned,
                thickness: 0.0,
                dots: Vec::new(),
            });
        }
    }
    out
}

/// Stroke width for `rate` against the busiest edge's: 1.5 to 8 px, by the
/// square root so that a quiet edge stays visible.
pub fn thickness(rate: f64, busiest: f64) -> f64 {
    if busiest <= 0.0 || rate <= 0.0 {
        1.5
    } else {
        1.5 + 6.5 * (rate / busiest).min(1.0).sqrt()
    }
}

/// The attempts per second one dot stands for: the least of 1, 2, 5, 10, 20,
/// 50… that keeps the busiest edge within [`MAX_DOTS_PER_EDGE`] dots.
pub fn dot_step(busiest: f64) -> u64 {
    let need = busiest / MAX_DOTS_PER_EDGE as f64;
    let mut step = 1u64;
    loop {
        for m in [1u64, 2, 5] {
            if (step * m) as f64 >= need {
                return step * m;
            }
        }
        step = step.saturating_mul(10);
        if step == u64::MAX {
            return step;
        }
    }
}

/// The dots of an edge: one per `every` attempts per second, at most
/// [`MAX_DOTS_PER_EDGE`], shared among fates by largest remainder and
/// interleaved so that colours do not bunch.
pub fn dots(e: &EdgeView, every: u64) -> Vec<Dot> {
    if e.attempts_per_s <= 0.0 {
        return Vec::new();
    }
    let n = ((e.attempts_per_s / every.max(1) as f64).ceil() as u32).clamp(1, MAX_DOTS_PER_EDGE);
    let retries = ((n as f64 * e.retry_share).round() as u32).min(n);
    let ok_share = (1.0 - e.failure_share - e.timeout_share).max(0.0);
    let weights = [(Fate::Ok, ok_share), (Fate::Failed, e.failure_share), (Fate::TimedOut, e.timeout_share)];
    let mut counts: Vec<(Fate, u32)> = split(n - retries, &weights);
    counts.push((Fate::Retried, retries));
    let mut order = Vec::with_capacity(n as usize);
    while order.len() < n as usize {
        for (fate, left) in counts.iter_mut().filter(|(_, left)| *left > 0) {
            order.push(*fate);
            *left -= 1;
        }
    }
    order.into_iter().enumerate().map(|(k, fate)| Dot { fate, phase: k as f64 / n as f64 }).collect()
}

/// Shares `n` among weighted fates by largest remainder; with no weight at
/// all, every one succeeds (nothing has ended yet).
fn split(n: u32, weights: &[(Fate, f64)]) -> Vec<(Fate, u32)> {
    let total: f64 = weights.iter().map(|w| w.1).sum();
    if total <= 0.0 {
        return vec![(Fate::Ok, n)];
    }
    let exact: Vec<f64> = weights.iter().map(|w| n as f64 * w.1 / total).collect();
    let mut counts: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut left = n - counts.iter().sum::<u32>();
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    weights.iter().zip(counts).map(|(w, c)| (w.0, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::{CallConfig, Config, ServiceConfig, SimTime, Simulation};

    /// A system of `names`, each `(caller, callee)` a call, `nodes` nodes each.
    fn system(names: &[&str], calls: &[(&str, &str)], nodes: u32) -> Config {
        let services = names
            .iter()
            .map(|n| {
                let mut s = ServiceConfig { name: n.to_string(), ..ServiceConfig::default() };
                s.nodes.count = nodes;
                s.calls = calls
                    .iter()
                    .filter(|(from, _)| from == n)
                    .map(|(_, to)| CallConfig { to: to.to_string(), client: Default::default() })
                    .collect();
                s
            })
            .collect();
        Config { services, ..Config::default() }
    }

    fn snapshot(c: Config) -> Snapshot {
        Simulation::new(c).unwrap().snapshot()
    }

    #[test]
    fn a_chain_runs_left_to_right() {
        let s = snapshot(system(&["gateway", "api", "db"], &[("gateway", "api"), ("api", "db")], 2));
        assert_eq!(layers(&s), vec![vec![0], vec![1], vec![2]]);
        let t = layout(&s, None);
        assert!(t.services[0].x < t.services[1].x && t.services[1].x < t.services[2].x);
        assert_eq!(t.edges.len(), 2);
        assert!(t.edges.iter().all(|e| e.x0 < e.x1), "arrows point right");
        assert_eq!(t.width, 2.0 * MARGIN + 3.0 * CARD_W + 2.0 * GAP_X);
    }

    #[test]
    fn fan_out_stacks_vertically_in_call_order() {
        let calls = [("api", "users"), ("api", "orders"), ("api", "search")];
        let s = snapshot(system(&["api", "search", "orders", "users"], &calls, 1));
        assert_eq!(layers(&s), vec![vec![0], vec![3, 2, 1]]);
        let t = layout(&s, None);
        let (users, orders, search) = (&t.services[3], &t.services[2], &t.services[1]);
        assert_eq!((users.x, orders.x), (search.x, search.x));
        assert!(users.y + users.h <= orders.y && orders.y + orders.h <= search.y, "no overlap");
    }

    #[test]
    fn a_shared_dependency_sits_at_its_deepest_layer() {
        let calls = [("gateway", "api"), ("gateway", "db"), ("api", "db")];
        let s = snapshot(system(&["gateway", "api", "db"], &calls, 1));
        assert_eq!(depths(&s), vec![0, 1, 2]);
        let t = layout(&s, None);
        assert_eq!(t.edges.len(), 3);
        let into_db: Vec<_> = t.edges.iter().filter(|e| e.to == 2).collect();
        assert_ne!(into_db[0].y1, into_db[1].y1, "two arrows into db arrive apart");
    }

    #[test]
    fn one_service_is_one_layer() {
        let s = snapshot(Config::default());
        let t = layout(&s, None);
        assert_eq!(t.layers, vec![vec![0]]);
        assert!(t.edges.is_empty());
        assert_eq!(t.services[0].total as usize, s.nodes.len());
    }

    #[test]
    fn rates_come_from_two_snapshots() {
        let before = snapshot(system(&["a", "b"], &[("a", "b")], 4));
        let mut now = before.clone();
        now.now = SimTime::from_secs_f64(before.now.as_secs_f64() + 2.0);
        let c = &mut now.services[0].calls[0];
        (c.sent, c.ok, c.failed, c.timed_out, c.retried, c.partitioned) = (400, 200, 100, 100, 120, true);
        now.services[1].totals.goodput = 600;
        let t = layout(&now, Some(&before));
        let e = &t.edges[0];
        assert_eq!(e.attempts_per_s, 200.0);
        assert_eq!(e.retry_share, 0.3);
        assert_eq!((e.failure_share, e.timeout_share), (0.25, 0.25));
        assert!(e.partitioned);
        assert_eq!(t.services[1].goodput_per_s, 300.0);
        assert_eq!(t.services[1].up, 4);
        assert_eq!(t.dot_every, 50);
        let fates = |f: Fate| e.dots.iter().filter(|d| d.fate == f).count();
        assert_eq!(e.dots.len(), 4);
        assert_eq!([Fate::Retried, Fate::Ok, Fate::Failed, Fate::TimedOut].map(fates), [1, 1, 1, 1]);
        assert_eq!(layout(&now, None).edges[0].attempts_per_s, 0.0, "no rates without a base");
    }

    #[test]
    fn the_dot_budget_is_capped() {
        assert_eq!(dot_step(0.0), 1);
        assert_eq!(dot_step(8.0), 1);
        assert_eq!(dot_step(9.0), 2);
        assert_eq!(dot_step(12_345.0), 2_000);
        let mut e = layout(&snapshot(system(&["a", "b"], &[("a", "b")], 1)), None).edges.remove(0);
        for rate in [1.0, 7.0, 80.0, 1e6, 1e12] {
            e.attempts_per_s = rate;
            let d = dots(&e, dot_step(rate));
            assert!((1..=MAX_DOTS_PER_EDGE as usize).contains(&d.len()), "{rate}/s: {} dots", d.len());
            // A quiet edge beside a busy one still gets within budget.
            assert!(dots(&e, dot_step(rate * 100.0)).len() <= 1);
        }
        e.attempts_per_s = 0.0;
        assert!(dots(&e, 1).is_empty());
    }

    #[test]
    fn the_window_spans_about_a_second_and_restarts_on_reset() {
        let mut sim = Simulation::new(system(&["a", "b"], &[("a", "b")], 1)).unwrap();
        let mut w = RateWindow::default();
        let first = Rc::new(sim.snapshot());
        w.push(&first);
        assert!(w.base(&first).is_none());
        for ms in (100..=3_000).step_by(100) {
            sim.step_until(SimTime::from_secs_f64(ms as f64 / 1000.0));
            let s = Rc::new(sim.snapshot());
            w.push(&s);
            if ms >= 1_500 {
                let dt = s.now.as_secs_f64() - w.base(&s).unwrap().now.as_secs_f64();
                assert!((1.0..1.5).contains(&dt), "at {ms} ms the window is {dt} s");
            }
        }
        w.push(&first);
        assert!(w.base(&first).is_none(), "a new run starts afresh");
    }

    #[test]
    fn many_nodes_get_compact_squares() {
        let s = snapshot(system(&["a", "b"], &[("a", "b")], 32));
        let t = layout(&s, None);
        assert!(t.services[0].square < square_side(4));
        assert!(card_height(32) < 120.0, "{}", card_height(32));
        assert_eq!(t.services[0].state_counts(), vec![(NodeState::Idle, 32)]);
    }
}
