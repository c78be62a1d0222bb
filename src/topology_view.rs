//! The topology diagram of a system of services, framework-free: where each
//! service card goes (a layered graph, the entry on the left and callees to
//! the right by call depth, fan-out stacked vertically, a shared dependency
//! at its deepest layer), what each card and each call edge says (rates from
//! the difference between two snapshots), and how many request dots each
//! edge may animate (a small, capped budget, so that dots never cost frames).

use crate::defences::{call_client, defences, Defence};
use sim_core::{BreakerState, Config, NodeLife, NodeState, Snapshot};
use std::collections::VecDeque;
use std::rc::Rc;

mod dense;
pub use dense::{dense_card_height, dense_square, layout_dense, DENSE_CARD_W_MIN};

/// Width of a service card, px, when the diagram has room.
pub const CARD_W: f64 = 120.0;
/// Horizontal room between two layers, for the arrows and their labels, px:
/// the widest label line, "⏱ 100% timed out", is about 90 px at 10 px type.
pub const GAP_X: f64 = 110.0;
/// The least card width before the diagram stacks its services instead, px:
/// room for a name of about ten letters and seven node squares a row.
pub const CARD_W_MIN: f64 = 96.0;
/// The least room between two layers, px: the widest label line still fits.
pub const GAP_X_MIN: f64 = 92.0;
/// Vertical room between two cards side by side in a layer, px.
pub const GAP_Y: f64 = 14.0;
/// Vertical room between two stacked cards, for a short arrow, px.
pub const GAP_STACKED: f64 = 26.0;
/// Room around the diagram, px.
pub const MARGIN: f64 = 6.0;
/// Room left of the entry for the clients' arrow, px.
pub const CLIENTS_W: f64 = 50.0;
/// Room above the entry for the clients' arrow when stacked, px.
pub const CLIENTS_H: f64 = 26.0;
/// Room between two arrows' lanes beside stacked cards, px.
pub const LANE: f64 = 9.0;
/// Below this width (a phone) the services always stack, however few the
/// layers: two cards of [`CARD_W_MIN`] would leave each a third of the screen.
pub const STACK_BELOW: f64 = 480.0;
/// Widest card when stacked, px.
const STACKED_W_MAX: f64 = 480.0;
/// At most this many dots travel on one edge at once.
pub const MAX_DOTS_PER_EDGE: u32 = 8;
/// The share of its trip each dot slot starts at, in eighths: bit-reversed
/// order, so that however many slots are filled their dots spread along the
/// arrow, and a slot's phase never changes as dots come and go.
const SPREAD: [u32; MAX_DOTS_PER_EDGE as usize] = [0, 4, 2, 6, 1, 5, 3, 7];

/// Card frame: padding and border, top and bottom together, px (the CSS's
/// `.svc` has 6 px padding and a 1 px border).
const FRAME: f64 = 14.0;
/// One text line in a card, px (11 px type at line-height 1.4 rounds up).
const TEXT_LINE: f64 = 16.0;
/// Flex gap between a card's rows, px.
const ROW_GAP: f64 = 3.0;
/// Label line height on an arrow, px (10 px type).
const LABEL_LINE: f64 = 11.0;
/// Most lines an arrow's label has: rate, partition, retries, failures, timeouts.
pub const LABEL_LINES: usize = 5;
const LABEL_LINES_MAX: f64 = LABEL_LINES as f64;
/// Thickest arrow, px (see [`thickness`]).
const THICK_MAX: f64 = 8.0;

/// A point, px.
pub type Pt = (f64, f64);

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
    /// Every fate, in the legend's order.
    pub const ALL: [Fate; 4] = [Fate::Ok, Fate::Failed, Fate::TimedOut, Fate::Retried];

    /// Its dot's outline, an SVG path about the origin: a shape per fate as
    /// well as a colour, so that colour is never the only carrier (a disc,
    /// a square, a ring, a diamond).
    pub fn shape(self) -> &'static str {
        match self {
            Fate::Ok => "M-3.5,0a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0Z",
            Fate::Failed => "M-3.2,-3.2h6.4v6.4h-6.4Z",
            Fate::TimedOut => "M-4,0a4,4 0 1,0 8,0a4,4 0 1,0 -8,0ZM-1.8,0a1.8,1.8 0 1,0 3.6,0a1.8,1.8 0 1,0 -3.6,0Z",
            Fate::Retried => "M0,-4.6L4.6,0L0,4.6L-4.6,0Z",
        }
    }

    /// What it means, for the legend.
    pub fn word(self) -> &'static str {
        match self {
            Fate::Ok => "success",
            Fate::Failed => "503 / error",
            Fate::TimedOut => "timed out: fades where the caller gave up",
            Fate::Retried => "retry",
        }
    }

    /// A word or two, for the dense diagram's legend.
    pub fn short(self) -> &'static str {
        match self {
            Fate::Ok => "ok",
            Fate::Failed => "503",
            Fate::TimedOut => "timeout",
            Fate::Retried => "retry",
        }
    }

    /// CSS modifier of its dot (`req--…`).
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
/// a share of the trip (0 to 1), so that the dots of an edge spread out
/// (see [`SPREAD`]).
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
    /// Width, px: [`CARD_W`] with room to spare, less when many layers
    /// share the width, wider when stacked.
    pub w: f64,
    /// Height, px.
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
    /// Of its nodes, the last ones the autoscaler is provisioning (their
    /// states are not in `states`).
    pub pending: u32,
    /// Mean adaptive concurrency limit of its serving nodes, when it has one.
    pub limit: Option<f64>,
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
    /// The arrow's course from start to end: a straight line between
    /// neighbouring layers, a detour over the cards of the layers between
    /// when it skips some, a lane beside the cards when they are stacked.
    pub path: Vec<Pt>,
    /// Where its label is centred, on the baseline of its last line; none
    /// when stacked, where the caller's card lists its calls in words.
    pub label_at: Option<Pt>,
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
    /// Index of the call among its caller's calls.
    pub call: usize,
    /// Its circuit breaker's state (closed without one).
    pub breaker: BreakerState,
    /// The client-side defences it has on (see [`Topology::with_defences`]).
    pub defences: Vec<Defence>,
    /// Attempts its caller refused locally per second (adaptive throttling
    /// or an open breaker), and retries or hedges suppressed (budget or
    /// throttling) per second.
    pub refused_per_s: f64,
    /// Retries and hedges not sent per second.
    pub suppressed_per_s: f64,
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
    /// True when the services are stacked in one column (a narrow screen).
    pub stacked: bool,
    /// The clients' arrow into the entry service.
    pub clients: Vec<Pt>,
    /// Where the word "clients" goes, at the start of its text.
    pub clients_label: Pt,
    /// Width of the diagram, px.
    pub width: f64,
    /// Height of the diagram, px.
    pub height: f64,
    /// The entry client's breaker, on the clients' arrow.
    pub client_breaker: BreakerState,
    /// The entry client's defences, on the clients' arrow.
    pub client_defences: Vec<Defence>,
    /// True when packed into a small box ([`layout_dense`]): layers top to
    /// bottom, small cards, no labels on the arrows.
    pub dense: bool,
    /// Services that do not fit the box's height, when dense (the diagram
    /// then scrolls and says so).
    pub hidden: usize,
}

impl Topology {
    /// The diagram with each edge's client-side defences, and the entry
    /// client's, read from `config` (the snapshot says what state they are
    /// in, the configuration which are on).
    pub fn with_defences(mut self, config: &Config) -> Topology {
        self.client_defences = defences(&config.client);
        for e in &mut self.edges {
            e.defences = call_client(config, e.from, e.call).map(defences).unwrap_or_default();
        }
        self
    }
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

/// Side length of a node square for `n` nodes, px: never under 9, so a
/// node stays a thing to look at.
pub fn square_side(n: u32) -> f64 {
    if n <= 12 {
        14.0
    } else {
        9.0
    }
}

/// Height of a card `w` px wide with `n` nodes that lists `calls` calls in
/// words (stacked cards do), px: its frame, the header, the rows of node
/// squares, the queue line and the state line, as `.svc` lays them out.
pub fn card_height(n: u32, w: f64, calls: usize) -> f64 {
    let side = square_side(n);
    let per_row = ((w - FRAME - 2.0 + 2.0) / (side + 2.0)).floor().max(1.0);
    let rows = (n.max(1) as f64 / per_row).ceil();
    let listed = if calls == 0 { 0.0 } else { ROW_GAP + calls as f64 * TEXT_LINE + (calls - 1) as f64 * 2.0 };
    FRAME + 3.0 * TEXT_LINE + 3.0 * ROW_GAP + rows * (side + 2.0) - 2.0 + listed
}

/// Card width and layer gap that fit `layers` layers side by side in
/// `avail` px, shrinking both in proportion down to their least; `None`
/// when even those do not fit or on a phone, and the services stack instead.
pub fn wide_fit(layers: usize, avail: f64) -> Option<(f64, f64)> {
    let l = layers.max(1) as f64;
    let fixed = 2.0 * MARGIN + CLIENTS_W;
    let full = fixed + l * CARD_W + (l - 1.0) * GAP_X;
    let least = fixed + l * CARD_W_MIN + (l - 1.0) * GAP_X_MIN;
    if avail < STACK_BELOW {
        None
    } else if full <= avail {
        Some((CARD_W, GAP_X))
    } else if least <= avail {
        let t = (avail - least) / (full - least);
        Some((CARD_W_MIN + t * (CARD_W - CARD_W_MIN), GAP_X_MIN + t * (GAP_X - GAP_X_MIN)))
    } else {
        None
    }
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

/// The diagram of `now`, with rates since `base` (none without one), in
/// `avail` px of width: layers side by side when they fit, else stacked.
pub fn layout(now: &Snapshot, base: Option<&Snapshot>, avail: f64) -> Topology {
    let (mut topo, services, edges) = unplaced(now, base);
    match wide_fit(topo.layers.len(), avail) {
        Some((w, gap)) => place_wide(&mut topo, services, edges, w, gap),
        None => place_stacked(&mut topo, services, edges, avail),
    }
    topo
}

/// The diagram's layers, cards and edges with their rates and dots, not yet
/// placed: what every layout shares.
fn unplaced(now: &Snapshot, base: Option<&Snapshot>) -> (Topology, Vec<ServiceBox>, Vec<EdgeView>) {
    let layers = layers(now);
    let mut services: Vec<ServiceBox> = (0..now.services.len()).map(|i| service_box(now, base, i)).collect();
    let mut edges = edge_rates(now, base, services.len());
    let busiest = edges.iter().map(|e| e.attempts_per_s).fold(0.0, f64::max);
    let dot_every = dot_step(busiest);
    for e in &mut edges {
        e.thickness = thickness(e.attempts_per_s, busiest);
        e.dots = dots(e, dot_every);
    }
    let topo = Topology {
        layers,
        services: Vec::new(),
        edges: Vec::new(),
        dot_every,
        stacked: false,
        clients: Vec::new(),
        clients_label: (0.0, 0.0),
        width: 0.0,
        height: 0.0,
        client_breaker: now.client_breaker,
        client_defences: Vec::new(),
        dense: false,
        hidden: 0,
    };
    for (d, layer) in topo.layers.iter().enumerate() {
        for &i in layer {
            services[i].layer = d;
        }
    }
    (topo, services, edges)
}

/// Layers side by side, left to right, each centred vertically; arrows
/// from a caller's right side to a callee's left, detouring over the cards
/// of any layer they skip; the clients' arrow into the entry's left side.
fn place_wide(topo: &mut Topology, mut services: Vec<ServiceBox>, mut edges: Vec<EdgeView>, w: f64, gap: f64) {
    for s in &mut services {
        s.w = w;
        // A compact card's queue line takes two lines.
        s.h = card_height(s.total, w, 0) + if w < CARD_W { TEXT_LINE } else { 0.0 };
    }
    let heights: Vec<f64> = topo
        .layers
        .iter()
        .map(|l| l.iter().map(|&i| services[i].h).sum::<f64>() + GAP_Y * l.len().saturating_sub(1) as f64)
        .collect();
    let inner = heights.iter().cloned().fold(0.0, f64::max);
    for (d, layer) in topo.layers.iter().enumerate() {
        let mut y = (inner - heights[d]) / 2.0;
        for &i in layer {
            services[i].x = MARGIN + CLIENTS_W + d as f64 * (w + gap);
            services[i].y = y;
            y += services[i].h + GAP_Y;
        }
    }
    attach(&mut edges, &services, &[]);
    let between = |e: &EdgeView| -> Vec<&ServiceBox> {
        let (a, b) = (services[e.from].layer, services[e.to].layer);
        services.iter().filter(|s| s.layer > a && s.layer < b).collect()
    };
    let blocked: Vec<bool> =
        edges.iter().map(|e| between(e).iter().any(|s| crosses((e.x0, e.y0), (e.x1, e.y1), s))).collect();
    // A detour goes over the top, so it leaves and arrives at the top.
    attach(&mut edges, &services, &blocked);
    let mut detours = 0;
    for (e, &blocked) in edges.iter_mut().zip(&blocked) {
        if blocked {
            let top = between(e).iter().map(|s| s.y).fold(f64::INFINITY, f64::min);
            let y = top - 14.0 - 10.0 * detours as f64;
            detours += 1;
            let (xa, xb) = (e.x0 + gap * 0.65, e.x1 - gap * 0.65);
            e.path = vec![(e.x0, e.y0), (xa, y), (xb, y), (e.x1, e.y1)];
            e.label_at = Some(((xa + xb) / 2.0, y - 6.0 - e.thickness / 2.0));
        } else {
            e.path = vec![(e.x0, e.y0), (e.x1, e.y1)];
            e.label_at = Some(((e.x0 + e.x1) / 2.0, (e.y0 + e.y1) / 2.0 - 6.0 - e.thickness / 2.0));
        }
    }
    let entry = &services[0];
    let ey = entry.y + entry.h / 2.0;
    topo.clients = vec![(MARGIN, ey), (entry.x, ey)];
    topo.clients_label = (MARGIN, ey - 6.0);
    topo.width = 2.0 * MARGIN + CLIENTS_W + topo.layers.len() as f64 * (w + gap) - gap;
    topo.height = inner;
    topo.services = services;
    topo.edges = edges;
    make_room_above(topo);
}

/// True when the segment from `p` to `q` passes through card `s` (or
/// within 4 px of it).
fn crosses(p: Pt, q: Pt, s: &ServiceBox) -> bool {
    let (l, r, t, b) = (s.x - 4.0, s.x + s.w + 4.0, s.y - 4.0, s.y + s.h + 4.0);
    // Sample the segment finely: cards are far wider than one step.
    (0..=64).any(|k| {
        let f = k as f64 / 64.0;
        let (x, y) = (p.0 + (q.0 - p.0) * f, p.1 + (q.1 - p.1) * f);
        x > l && x < r && y > t && y < b
    })
}

/// Moves everything down so that the tallest label an arrow may carry, at
/// its thickest, stays inside the diagram. It reserves for the most lines
/// rather than today's, so the diagram does not jump as rates change.
fn make_room_above(topo: &mut Topology) {
    let label_top = |at: Pt| at.1 - (THICK_MAX - 1.5) / 2.0 - LABEL_LINE * (LABEL_LINES_MAX - 1.0) - 10.0;
    let tops = topo.edges.iter().filter_map(|e| e.label_at.map(label_top));
    let top = tops.chain([topo.clients_label.1 - 10.0, 0.0]).fold(f64::INFINITY, f64::min);
    let dy = MARGIN - top;
    let shift = |p: &mut Pt| p.1 += dy;
    for s in &mut topo.services {
        s.y += dy;
    }
    for e in &mut topo.edges {
        e.y0 += dy;
        e.y1 += dy;
        e.path.iter_mut().for_each(shift);
        e.label_at.iter_mut().for_each(shift);
    }
    topo.clients.iter_mut().for_each(shift);
    shift(&mut topo.clients_label);
    topo.height += dy + MARGIN;
}

/// How many of `edges` leave and enter each of `n` services.
fn degrees(edges: &[EdgeView], n: usize) -> (Vec<usize>, Vec<usize>) {
    let (mut outs, mut ins) = (vec![0usize; n], vec![0usize; n]);
    for e in edges {
        outs[e.from] += 1;
        ins[e.to] += 1;
    }
    (outs, ins)
}

/// Sets each edge's ends side by side: along the caller's right side and
/// the callee's left, spread over the calls of each, the edges marked in
/// `first` (detours over the top) taking the topmost places.
fn attach(edges: &mut [EdgeView], services: &[ServiceBox], first: &[bool]) {
    let n = services.len();
    let (outs, ins) = degrees(edges, n);
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by_key(|&k| !first.get(k).copied().unwrap_or(false));
    let (mut out_k, mut in_k) = (vec![0usize; n], vec![0usize; n]);
    for k in order {
        let e = &mut edges[k];
        let (a, b) = (&services[e.from], &services[e.to]);
        out_k[e.from] += 1;
        in_k[e.to] += 1;
        let out_at = out_k[e.from] as f64 / (outs[e.from] + 1) as f64;
        let in_at = in_k[e.to] as f64 / (ins[e.to] + 1) as f64;
        e.x0 = a.x + a.w;
        e.y0 = a.y + a.h * out_at;
        e.x1 = b.x;
        e.y1 = b.y + b.h * in_at;
    }
}

/// One column in layer order, the entry first: an arrow between a caller
/// and the callee right below it runs straight down the gap between them;
/// any other runs out of the caller's left side, down its own lane beside
/// the cards, and into the callee's left side. The cards list their calls
/// in words, since a lane has no room for a label.
fn place_stacked(topo: &mut Topology, mut services: Vec<ServiceBox>, mut edges: Vec<EdgeView>, avail: f64) {
    let order: Vec<usize> = topo.layers.iter().flatten().copied().collect();
    let mut pos = vec![0usize; services.len()];
    for (k, &i) in order.iter().enumerate() {
        pos[i] = k;
    }
    let short = |from: usize, to: usize| pos[to] == pos[from] + 1;
    let lanes = lanes(&edges, &pos, short);
    let lane_count = lanes.iter().flatten().max().map_or(0, |m| m + 1);
    let gutter = MARGIN + if lane_count == 0 { 0.0 } else { 6.0 + lane_count as f64 * LANE };
    let w = (avail - gutter - MARGIN).clamp(CARD_W, STACKED_W_MAX);
    let mut y = MARGIN + CLIENTS_H;
    for &i in &order {
        let s = &mut services[i];
        let calls = edges.iter().filter(|e| e.from == i).count();
        (s.x, s.y, s.w, s.h) = (gutter, y, w, card_height(s.total, w, calls));
        y += s.h + GAP_STACKED;
    }
    let cx = gutter + w / 2.0;
    for (e, _) in edges.iter_mut().zip(&lanes).filter(|(_, l)| l.is_none()) {
        let (a, b) = (&services[e.from], &services[e.to]);
        (e.x0, e.y0, e.x1, e.y1) = (cx, a.y + a.h, cx, b.y);
        e.path = vec![(e.x0, e.y0), (e.x1, e.y1)];
    }
    lane_edges(&mut edges, &lanes, &services, gutter);
    let entry = &services[0];
    topo.clients = vec![(cx, MARGIN + 4.0), (cx, entry.y)];
    topo.clients_label = (cx + 8.0, MARGIN + 14.0);
    topo.stacked = true;
    topo.width = gutter + w + MARGIN;
    topo.height = y - GAP_STACKED + MARGIN;
    topo.services = services;
    topo.edges = edges;
}

/// The lane of each edge beside stacked cards (`None` for one between
/// neighbours): the least lane whose edges' spans, in column places, do not
/// meet this one's; a card both ends share counts as meeting.
fn lanes(edges: &[EdgeView], pos: &[usize], short: impl Fn(usize, usize) -> bool) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..edges.len()).filter(|&k| !short(edges[k].from, edges[k].to)).collect();
    order.sort_by_key(|&k| (pos[edges[k].from], pos[edges[k].to]));
    let mut taken: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut out = vec![None; edges.len()];
    for k in order {
        let span = (pos[edges[k].from], pos[edges[k].to]);
        let free = taken.iter().position(|l| l.iter().all(|&(a, b)| span.1 < a || b < span.0));
        let lane = free.unwrap_or_else(|| {
            taken.push(Vec::new());
            taken.len() - 1
        });
        taken[lane].push(span);
        out[k] = Some(lane);
    }
    out
}

/// Routes each lane arrow out of its caller's left side, down lane `k`
/// at `gutter - 6 - k·LANE`, and into its callee's left side, spreading the
/// arrows of one card along that side so that two never share a point:
/// leaving in its lower half, entering in its upper half.
fn lane_edges(edges: &mut [EdgeView], lanes: &[Option<usize>], services: &[ServiceBox], gutter: f64) {
    let n = services.len();
    let (mut outs, mut ins) = (vec![0usize; n], vec![0usize; n]);
    for (e, _) in edges.iter().zip(lanes).filter(|(_, l)| l.is_some()) {
        outs[e.from] += 1;
        ins[e.to] += 1;
    }
    let (mut out_k, mut in_k) = (vec![0usize; n], vec![0usize; n]);
    for (e, lane) in edges.iter_mut().zip(lanes) {
        let Some(k) = lane else { continue };
        let (a, b) = (&services[e.from], &services[e.to]);
        out_k[e.from] += 1;
        in_k[e.to] += 1;
        let x = gutter - 6.0 - *k as f64 * LANE;
        (e.x0, e.x1) = (gutter, gutter);
        e.y0 = a.y + a.h * (0.5 + 0.5 * out_k[e.from] as f64 / (outs[e.from] + 1) as f64);
        e.y1 = b.y + b.h * (0.5 * in_k[e.to] as f64 / (ins[e.to] + 1) as f64);
        e.path = vec![(e.x0, e.y0), (x, e.y0), (x, e.y1), (e.x1, e.y1)];
    }
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
    let pending = s.pending_nodes.min((end - start) as u32);
    let nodes = &now.nodes[start..end - pending as usize];
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
        w: CARD_W,
        h: card_height(s.node_count, CARD_W, 0),
        up,
        total: s.node_count,
        queue_fill,
        goodput_per_s,
        states: nodes.iter().map(|n| n.state).collect(),
        square: square_side(s.node_count),
        pending,
        limit: s.concurrency_limit,
    }
}

/// Every call edge with its rates, in the order of the callers and their
/// calls; where it goes is set when the cards are placed.
fn edge_rates(now: &Snapshot, base: Option<&Snapshot>, n: usize) -> Vec<EdgeView> {
    let mut out = Vec::new();
    for (i, s) in now.services.iter().enumerate() {
        for (ci, c) in s.calls.iter().enumerate().filter(|(_, c)| (c.to as usize) < n) {
            let before = span(now, base).and_then(|(bs, dt)| bs.services.get(i)?.calls.get(ci).map(|p| (*p, dt)));
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
            let (refused, suppressed) = match before {
                Some((p, dt)) => (rate(c.refused, p.refused, dt), rate(c.suppressed, p.suppressed, dt)),
                None => (0.0, 0.0),
            };
            let ended = ok + failed + timed_out;
            let share = |v: f64, of: f64| if of > 0.0 { (v / of).min(1.0) } else { 0.0 };
            out.push(EdgeView {
                from: i,
                to: c.to as usize,
                x0: 0.0,
                y0: 0.0,
                x1: 0.0,
                y1: 0.0,
                path: Vec::new(),
                label_at: None,
                attempts_per_s: sent,
                retry_share: share(retried, sent),
                failure_share: share(failed, ended),
                timeout_share: share(timed_out, ended),
                partitioned: c.partitioned,
                thickness: 0.0,
                dots: Vec::new(),
                call: ci,
                breaker: c.breaker,
                defences: Vec::new(),
                refused_per_s: refused,
                suppressed_per_s: suppressed,
            });
        }
    }
    out
}

/// The words on an edge: its rate, then whether it is cut, then its retry,
/// failure and timeout shares when they are not negligible.
pub fn edge_words(e: &EdgeView) -> Vec<String> {
    let mut words = vec![format!("{}/s", crate::format::si(e.attempts_per_s))];
    if e.partitioned {
        words.push("⊘ partitioned".to_string());
    }
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    if e.retry_share >= 0.005 {
        words.push(format!("↻ {} retries", pct(e.retry_share)));
    }
    if e.failure_share >= 0.005 {
        words.push(format!("✕ {} failed", pct(e.failure_share)));
    }
    if e.timeout_share >= 0.005 {
        words.push(format!("⏱ {} timed out", pct(e.timeout_share)));
    }
    words
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
    order
        .into_iter()
        .enumerate()
        .map(|(k, fate)| Dot { fate, phase: SPREAD[k] as f64 / MAX_DOTS_PER_EDGE as f64 })
        .collect()
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

    /// A system of `names`, each `(caller, callee)` a call, `nodes` nodes
    /// each (the dense layout's tests use it too).
    pub(super) fn system(names: &[&str], calls: &[(&str, &str)], nodes: u32) -> Config {
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

    /// The diagram's width in the playground at 1280 px, about.
    const WIDE: f64 = 938.0;
    /// The diagram's width on a 390 px phone, about.
    const PHONE: f64 = 352.0;

    fn snapshot(c: Config) -> Snapshot {
        Simulation::new(c).unwrap().snapshot()
    }

    #[test]
    fn a_chain_runs_left_to_right() {
        let s = snapshot(system(&["gateway", "api", "db"], &[("gateway", "api"), ("api", "db")], 2));
        assert_eq!(layers(&s), vec![vec![0], vec![1], vec![2]]);
        let t = layout(&s, None, WIDE);
        assert!(t.services[0].x < t.services[1].x && t.services[1].x < t.services[2].x);
        assert_eq!(t.edges.len(), 2);
        assert!(t.edges.iter().all(|e| e.x0 < e.x1), "arrows point right");
        assert_eq!(t.width, 2.0 * MARGIN + CLIENTS_W + 3.0 * CARD_W + 2.0 * GAP_X);
        assert!(!t.stacked);
        assert_eq!(
            t.clients.last(),
            Some(&(t.services[0].x, t.services[0].y + t.services[0].h / 2.0)),
            "clients → entry"
        );
    }

    #[test]
    fn fan_out_stacks_vertically_in_call_order() {
        let calls = [("api", "users"), ("api", "orders"), ("api", "search")];
        let s = snapshot(system(&["api", "search", "orders", "users"], &calls, 1));
        assert_eq!(layers(&s), vec![vec![0], vec![3, 2, 1]]);
        let t = layout(&s, None, WIDE);
        let (users, orders, search) = (&t.services[3], &t.services[2], &t.services[1]);
        assert_eq!((users.x, orders.x), (search.x, search.x));
        assert!(users.y + users.h <= orders.y && orders.y + orders.h <= search.y, "no overlap");
    }

    #[test]
    fn a_shared_dependency_sits_at_its_deepest_layer() {
        let calls = [("gateway", "api"), ("gateway", "db"), ("api", "db")];
        let s = snapshot(system(&["gateway", "api", "db"], &calls, 1));
        assert_eq!(depths(&s), vec![0, 1, 2]);
        let t = layout(&s, None, WIDE);
        assert_eq!(t.edges.len(), 3);
        let into_db: Vec<_> = t.edges.iter().filter(|e| e.to == 2).collect();
        assert_ne!(into_db[0].y1, into_db[1].y1, "two arrows into db arrive apart");
    }

    #[test]
    fn one_service_is_one_layer() {
        let s = snapshot(Config::default());
        let t = layout(&s, None, WIDE);
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
        let t = layout(&now, Some(&before), WIDE);
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
        assert_eq!(layout(&now, None, WIDE).edges[0].attempts_per_s, 0.0, "no rates without a base");
    }

    #[test]
    fn the_dot_budget_is_capped() {
        assert_eq!(dot_step(0.0), 1);
        assert_eq!(dot_step(8.0), 1);
        assert_eq!(dot_step(9.0), 2);
        assert_eq!(dot_step(12_345.0), 2_000);
        let mut e = layout(&snapshot(system(&["a", "b"], &[("a", "b")], 1)), None, WIDE).edges.remove(0);
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
        let t = layout(&s, None, WIDE);
        assert!(t.services[0].square < square_side(4));
        assert!(card_height(32, CARD_W_MIN, 0) < 130.0, "{}", card_height(32, CARD_W_MIN, 0));
        assert_eq!(t.services[0].state_counts(), vec![(NodeState::Idle, 32)]);
    }

    /// Pairs of cards that overlap (with `gap` px to spare), as names.
    fn overlaps(t: &Topology, gap: f64) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, a) in t.services.iter().enumerate() {
            for b in &t.services[k + 1..] {
                let apart = a.x + a.w + gap <= b.x
                    || b.x + b.w + gap <= a.x
                    || a.y + a.h + gap <= b.y
                    || b.y + b.h + gap <= a.y;
                if !apart {
                    out.push((a.name.clone(), b.name.clone()));
                }
            }
        }
        out
    }

    const FIVE: [&str; 5] = ["gateway", "auth", "orders", "payments", "ledger"];

    #[test]
    fn five_services_of_32_nodes_fit_1280_px_side_by_side() {
        let chain = [("gateway", "auth"), ("auth", "orders"), ("orders", "payments"), ("payments", "ledger")];
        let fan = [("gateway", "auth"), ("gateway", "orders"), ("gateway", "payments"), ("gateway", "ledger")];
        for calls in [&chain[..], &fan[..]] {
            let t = layout(&snapshot(system(&FIVE, calls, 32)), None, WIDE);
            assert!(!t.stacked, "{calls:?}");
            assert!(t.width <= WIDE, "{} > {WIDE}", t.width);
            assert_eq!(overlaps(&t, GAP_Y - 0.01), vec![]);
            for s in &t.services {
                assert!(s.w >= CARD_W_MIN && s.square >= 9.0, "{}: {} wide, {} px squares", s.name, s.w, s.square);
                assert!(s.x >= 0.0 && s.x + s.w <= t.width && s.y >= 0.0 && s.y + s.h <= t.height);
            }
        }
        let t = layout(&snapshot(system(&FIVE, &chain, 32)), None, WIDE);
        assert!(t.services[0].w < CARD_W, "five layers need compact cards");
    }

    #[test]
    fn too_narrow_a_diagram_stacks_its_services_in_layer_order() {
        let calls = [
            ("gateway", "auth"),
            ("gateway", "orders"),
            ("auth", "ledger"),
            ("orders", "ledger"),
            ("gateway", "ledger"),
        ];
        let t = layout(&snapshot(system(&["gateway", "auth", "orders", "ledger"], &calls, 32)), None, PHONE);
        assert!(t.stacked);
        assert!(t.width <= PHONE, "{} > {PHONE}", t.width);
        assert_eq!(overlaps(&t, GAP_STACKED - 0.01), vec![]);
        let order: Vec<usize> = t.layers.iter().flatten().copied().collect();
        for w in order.windows(2) {
            assert!(t.services[w[0]].y < t.services[w[1]].y, "one column, top to bottom in layer order");
        }
        for e in &t.edges {
            assert!(e.label_at.is_none(), "the cards carry the words");
            let (a, b) = (&t.services[e.from], &t.services[e.to]);
            for p in &e.path[1..e.path.len() - 1] {
                assert!(p.0 < a.x, "a lane runs beside the cards, left of them");
            }
            assert!(e.path.last().unwrap().1 >= b.y && e.path.last().unwrap().1 <= b.y + b.h, "into the callee");
        }
        let lane_xs: Vec<f64> = t.edges.iter().filter(|e| e.path.len() == 4).map(|e| e.path[1].0).collect();
        assert_eq!(lane_xs.len(), 3, "gateway → orders, gateway → ledger and auth → ledger skip a card");
        let ga =
            t.edges.iter().find(|e| t.services[e.from].name == "gateway" && t.services[e.to].name == "auth").unwrap();
        assert_eq!(ga.path.len(), 2, "neighbours: a short arrow straight down");
        assert_eq!(t.clients.last().unwrap().1, t.services[0].y, "the clients' arrow ends at the entry's top");
    }

    #[test]
    fn lanes_that_meet_at_a_card_are_apart() {
        // a → c and c → e both touch c; b → d runs beside a → c.
        let calls = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("a", "c"), ("c", "e"), ("b", "d")];
        let t = layout(&snapshot(system(&["a", "b", "c", "d", "e"], &calls, 1)), None, PHONE);
        let lane = |f: &str, to: &str| {
            let e = t.edges.iter().find(|e| t.services[e.from].name == f && t.services[e.to].name == to).unwrap();
            e.path[1].0
        };
        assert_ne!(lane("a", "c"), lane("c", "e"));
        assert_ne!(lane("a", "c"), lane("b", "d"));
        assert_ne!(lane("b", "d"), lane("c", "e"));
    }

    #[test]
    fn an_arrow_that_skips_a_layer_goes_over_its_cards() {
        let calls = [("gateway", "api"), ("gateway", "db"), ("api", "db")];
        let t = layout(&snapshot(system(&["gateway", "api", "db"], &calls, 8)), None, WIDE);
        let skip = t.edges.iter().find(|e| e.from == 0 && e.to == 2).unwrap();
        let api = &t.services[1];
        assert_eq!(skip.path.len(), 4, "a detour");
        assert!(skip.path[1].1 < api.y && skip.path[2].1 < api.y, "over the api's card");
        assert!(skip.path[1].0 < api.x && skip.path[2].0 > api.x + api.w, "turning in the gaps");
        let (lx, ly) = skip.label_at.unwrap();
        assert!(lx > api.x && lx < api.x + api.w && ly < api.y, "its label sits over the api");
        let top = ly - (LABEL_LINES_MAX - 1.0) * LABEL_LINE - 10.0 - THICK_MAX / 2.0;
        assert!(top >= 0.0, "room for its tallest label: {top}");
        let direct = t.edges.iter().find(|e| e.from == 0 && e.to == 1).unwrap();
        assert_eq!(direct.path.len(), 2, "neighbours: straight");
    }

    #[test]
    fn the_wide_fit_shrinks_then_gives_up() {
        assert_eq!(wide_fit(3, 2000.0), Some((CARD_W, GAP_X)));
        let (w, g) = wide_fit(5, 938.0).unwrap();
        assert!((CARD_W_MIN..CARD_W).contains(&w) && (GAP_X_MIN..GAP_X).contains(&g));
        assert_eq!(wide_fit(5, 600.0), None);
        assert_eq!(wide_fit(1, 100.0), None);
        assert_eq!(wide_fit(2, STACK_BELOW - 1.0), None, "a phone stacks even two layers");
    }

    #[test]
    fn an_edge_shows_its_defences_and_its_breaker_opening() {
        use sim_core::config::{Fault, FaultKind};
        let mut c = system(&["gateway", "api"], &[("gateway", "api")], 2);
        c.traffic.rate_per_s = 500.0;
        let client = &mut c.services[0].calls[0].client;
        (client.breaker.enabled, client.budget.enabled) = (true, true);
        c.faults = vec![Fault {
            kind: FaultKind::ErrorInjection,
            duration_s: 100.0,
            magnitude: 1.0,
            service: "api".into(),
            ..Fault::crash(1.0, 0)
        }];
        let mut sim = Simulation::new(c.clone()).unwrap();
        let before = layout(&sim.snapshot(), None, WIDE).with_defences(&c);
        assert_eq!(before.edges[0].defences, vec![Defence::Budget, Defence::Breaker]);
        assert_eq!(before.edges[0].breaker, BreakerState::Closed);
        assert!(before.client_defences.is_empty(), "seed {}", c.seed);
        sim.step_until(SimTime::from_secs(4));
        let base = sim.snapshot();
        sim.step_until(SimTime::from_secs(5));
        let topo = layout(&sim.snapshot(), Some(&base), WIDE).with_defences(&c);
        let e = &topo.edges[0];
        assert_ne!(e.breaker, BreakerState::Closed, "seed {}", c.seed);
        assert!(e.refused_per_s > 0.0, "an open breaker refuses locally: {e:?}");
    }

    #[test]
    fn provisioning_nodes_are_counted_apart_from_the_others() {
        let mut c = system(&["gateway", "api"], &[("gateway", "api")], 2);
        c.traffic.rate_per_s = 5_500.0;
        c.services[0].nodes.count = 8;
        c.services[1].autoscaler.enabled = true;
        c.services[1].autoscaler.interval_s = 1.0;
        c.services[1].autoscaler.provisioning_s = 30.0;
        c.services[1].autoscaler.min_nodes = 2;
        c.services[1].limiter.adaptive = true;
        let mut sim = Simulation::new(c.clone()).unwrap();
        sim.step_until(SimTime::from_secs(5));
        let topo = layout(&sim.snapshot(), None, WIDE);
        let api = &topo.services[1];
        assert!(api.pending > 0, "the autoscaler orders nodes under load: {api:?}");
        assert_eq!(api.states.len() as u32 + api.pending, api.total);
        assert_eq!(api.up, 2, "provisioning nodes are neither up nor crashed: {api:?}");
        assert!(api.limit.is_some());
        assert!(topo.services[0].limit.is_none() && topo.services[0].pending == 0);
    }
}
