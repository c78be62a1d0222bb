//! A tight, single-purpose simulation of the reference model's steady case,
//! written by hand as a speed anchor for the engine.
//!
//! It simulates exactly one shape: Poisson arrivals, round-robin over a fixed
//! set of nodes with a worker pool and a FIFO waiting room each, exponential
//! service, a per-attempt client timeout that the server ignores, and retries
//! with full-jitter backoff. No series, no snapshots, no reconfiguration: only
//! the totals, so that its speed is what a minimal event loop costs.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// The model's numbers; [`Params::steady`] is the reference default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Logical requests per second.
    pub rate_per_s: f64,
    /// Simulated seconds of arrivals; events at or after it are not processed.
    pub duration_s: f64,
    /// Nodes behind the round-robin balancer; at most 128, as a heap entry
    /// keeps 7 bits of node index.
    pub nodes: usize,
    /// Workers per node.
    pub workers: u32,
    /// Waiting-room capacity per node.
    pub queue: usize,
    /// Mean exponential service time, seconds.
    pub service_s: f64,
    /// Client timeout per attempt, seconds.
    pub timeout_s: f64,
    /// Attempts per logical request, first try included.
    pub attempts: u8,
    /// Full-jitter backoff base and cap, seconds.
    pub base_s: f64,
    /// See `base_s`.
    pub cap_s: f64,
    /// Root seed of the random streams.
    pub seed: u64,
}

impl Params {
    /// 10,000 req/s for 60 s, 4 nodes × 32 workers, queue 256, 10 ms service,
    /// 1 s timeout, 3 attempts, full jitter with base 100 ms and cap 1 s.
    pub fn steady(seed: u64) -> Params {
        Params {
            rate_per_s: 10_000.0,
            duration_s: 60.0,
            nodes: 4,
            workers: 32,
            queue: 256,
            service_s: 0.010,
            timeout_s: 1.0,
            attempts: 3,
            base_s: 0.100,
            cap_s: 1.0,
            seed,
        }
    }
}

/// Totals with the reference's meanings, plus the events processed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Logical requests that arrived.
    pub offered: u64,
    /// Attempts sent.
    pub attempts: u64,
    /// Services completed.
    pub throughput: u64,
    /// Logical requests that succeeded.
    pub goodput: u64,
    /// 503s.
    pub rejected: u64,
    /// Attempt timeouts.
    pub timed_out: u64,
    /// Logical requests that used up their attempts.
    pub failed: u64,
    /// `throughput − goodput`.
    pub wasted: u64,
    /// `offered − goodput − failed`.
    pub unresolved_at_end: u64,
    /// Events popped from the heap and handled.
    pub events: u64,
}

/// xoshiro256++ seeded through SplitMix64: small, fast and good enough for
/// a benchmark (Blackman & Vigna, 2019).
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut x = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponential with the given mean, in nanoseconds.
    fn exp_ns(&mut self, mean_s: f64) -> u64 {
        secs_to_ns(-mean_s * (1.0 - self.unit()).ln())
    }
}

fn secs_to_ns(s: f64) -> u64 {
    (s * 1e9).round() as u64
}

/// Heap payload, so that a heap entry is two words: bit 63 tells a backoff
/// wake-up from a service completion, then 7 bits of node, the low 24 bits
/// of the attempt's token and 32 bits of client slot. A stale completion
/// could only be mistaken for a live one if its slot's token advanced by
/// 2^24 while it was in service, which no run of this model comes near.
const RETRY: u64 = 1 << 63;
const TOKEN_MASK: u32 = (1 << 24) - 1;

fn done_payload(node: usize, client: u32, token: u32) -> u64 {
    (node as u64) << 56 | ((token & TOKEN_MASK) as u64) << 32 | client as u64
}

/// One logical request in flight: when it was first sent, which attempt it
/// is on, and whether it still waits for that attempt's outcome.
#[derive(Clone, Copy)]
struct Client {
    first_send: u64,
    /// Bumped on every send and on release, so that events about an earlier
    /// attempt (or an earlier user of the slot) are recognised as stale.
    token: u32,
    sent: u8,
    waiting: bool,
}

struct Node {
    busy: u32,
    /// Waiting attempts as (client slot, token).
    queue: VecDeque<(u32, u32)>,
}

/// The whole state of the hand-written loop. Three sources of events: the
/// next arrival (one at a time), client timeouts (a FIFO ring, because with
/// a fixed timeout they fall due in the order they were set), and a binary
/// heap for service completions and backoff wake-ups.
struct Loop {
    p: Params,
    now: u64,
    timeout_ns: u64,
    next_arrival: u64,
    heap: BinaryHeap<Reverse<(u64, u64)>>,
    timeouts: VecDeque<(u64, u32, u32)>,
    clients: Vec<Client>,
    free: Vec<u32>,
    nodes: Vec<Node>,
    next_node: usize,
    arrivals: Rng,
    service: Rng,
    backoff: Rng,
    totals: Totals,
    latency_sum_ns: u128,
}

impl Loop {
    fn new(p: Params) -> Loop {
        let nodes = (0..p.nodes).map(|_| Node { busy: 0, queue: VecDeque::with_capacity(p.queue) }).collect();
        let mut arrivals = Rng::new(p.seed, 1);
        let next_arrival = arrivals.exp_ns(1.0 / p.rate_per_s);
        Loop {
            p,
            now: 0,
            timeout_ns: secs_to_ns(p.timeout_s),
            next_arrival,
            heap: BinaryHeap::with_capacity(1 << 12),
            timeouts: VecDeque::with_capacity(1 << 14),
            clients: Vec::with_capacity(1 << 14),
            free: Vec::with_capacity(1 << 14),
            nodes,
            next_node: 0,
            arrivals,
            service: Rng::new(p.seed, 2),
            backoff: Rng::new(p.seed, 3),
            totals: Totals::default(),
            latency_sum_ns: 0,
        }
    }

    fn run(mut self) -> (Totals, u128) {
        let end = secs_to_ns(self.p.duration_s);
        loop {
            let t_heap = self.heap.peek().map_or(u64::MAX, |e| e.0 .0);
            let t_timeout = self.timeouts.front().map_or(u64::MAX, |e| e.0);
            let t = t_heap.min(t_timeout).min(self.next_arrival);
            if t >= end {
                break;
            }
            self.now = t;
            self.totals.events += 1;
            if t == self.next_arrival {
                self.arrival();
            } else if t == t_timeout {
                let (_, client, token) = self.timeouts.pop_front().unwrap_or_default();
                self.timeout(client, token);
            } else if let Some(Reverse((_, payload))) = self.heap.pop() {
                self.heap_event(payload);
            }
        }
        let t = &mut self.totals;
        t.wasted = t.throughput - t.goodput;
        t.unresolved_at_end = t.offered - t.goodput - t.failed;
        (self.totals, self.latency_sum_ns)
    }

    fn heap_event(&mut self, payload: u64) {
        let client = payload as u32;
        if payload & RETRY != 0 {
            self.send(client);
        } else {
            let node = ((payload >> 56) & 0x7F) as usize;
            let token = (payload >> 32) as u32 & TOKEN_MASK;
            self.done(node, client, token);
        }
    }

    fn arrival(&mut self) {
        self.totals.offered += 1;
        let fresh = Client { first_send: self.now, token: 0, sent: 0, waiting: false };
        let id = match self.free.pop() {
            Some(i) => {
                let token = self.clients[i as usize].token;
                self.clients[i as usize] = Client { token, ..fresh };
                i
            }
            None => {
                self.clients.push(fresh);
                (self.clients.len() - 1) as u32
            }
        };
        self.send(id);
        self.next_arrival = self.now + self.arrivals.exp_ns(1.0 / self.p.rate_per_s);
    }

    /// Resolves a logical request: its slot is reused, and the bumped token
    /// makes every pending event about it stale.
    fn release(&mut self, id: u32) {
        let c = &mut self.clients[id as usize];
        c.token = c.token.wrapping_add(1);
        c.waiting = false;
        self.free.push(id);
    }

    /// Sends the client's next attempt to the next node; a 503 goes straight
    /// to the retry decision.
    fn send(&mut self, id: u32) {
        self.totals.attempts += 1;
        let node = self.next_node;
        self.next_node = (self.next_node + 1) % self.p.nodes;
        let c = &mut self.clients[id as usize];
        c.token = c.token.wrapping_add(1);
        c.sent += 1;
        let token = c.token;
        let n = &mut self.nodes[node];
        if n.busy < self.p.workers {
            n.busy += 1;
            self.start_service(node, id, token);
        } else if n.queue.len() < self.p.queue {
            n.queue.push_back((id, token));
        } else {
            self.totals.rejected += 1;
            self.give_up_or_retry(id);
            return;
        }
        self.clients[id as usize].waiting = true;
        self.timeouts.push_back((self.now + self.timeout_ns, id, token));
    }

    fn start_service(&mut self, node: usize, client: u32, token: u32) {
        let t = self.now + self.service.exp_ns(self.p.service_s);
        self.heap.push(Reverse((t, done_payload(node, client, token))));
    }

    fn done(&mut self, node: usize, id: u32, token: u32) {
        self.totals.throughput += 1;
        let c = self.clients[id as usize];
        if c.waiting && c.token & TOKEN_MASK == token {
            self.totals.goodput += 1;
            self.latency_sum_ns += (self.now - c.first_send) as u128;
            self.release(id);
        }
        match self.nodes[node].queue.pop_front() {
            Some((next, next_token)) => self.start_service(node, next, next_token),
            None => self.nodes[node].busy -= 1,
        }
    }

    fn timeout(&mut self, id: u32, token: u32) {
        let c = &mut self.clients[id as usize];
        if !c.waiting || c.token != token {
            return;
        }
        c.waiting = false;
        self.totals.timed_out += 1;
        self.give_up_or_retry(id);
    }

    /// After a 503 or a timeout: fail if the attempts are used up, else wait
    /// a full-jitter backoff (uniform below min(cap, base·2^k) before retry
    /// number k) and resend.
    fn give_up_or_retry(&mut self, id: u32) {
        let sent = self.clients[id as usize].sent;
        if sent >= self.p.attempts {
            self.totals.failed += 1;
            self.release(id);
            return;
        }
        let k = sent as i32 - 1;
        let ceiling = self.p.cap_s.min(self.p.base_s * 2f64.powi(k));
        let sleep = secs_to_ns(self.backoff.unit() * ceiling);
        if sleep > 0 {
            self.heap.push(Reverse((self.now + sleep, RETRY | id as u64)));
        } else {
            self.send(id);
        }
    }
}

/// Runs the hand-written model; returns its totals and the mean latency of
/// successful logical requests in milliseconds.
pub fn simulate(p: Params) -> (Totals, Option<f64>) {
    let (totals, latency_sum_ns) = Loop::new(p).run();
    let mean_ms = (totals.goodput > 0).then(|| latency_sum_ns as f64 / totals.goodput as f64 / 1e6);
    (totals, mean_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(rate: f64, queue: usize) -> Params {
        Params { rate_per_s: rate, duration_s: 3.0, queue, ..Params::steady(5) }
    }

    #[test]
    fn conservation_holds() {
        for p in [short(10_000.0, 256), short(20_000.0, 256), short(14_000.0, 5_000)] {
            let (t, _) = simulate(p);
            assert_eq!(t.offered, t.goodput + t.failed + t.unresolved_at_end, "{p:?}");
            assert_eq!(t.wasted, t.throughput - t.goodput);
            assert!(t.attempts >= t.offered);
        }
    }

    #[test]
    fn steady_case_is_plausible() {
        let (t, mean_ms) = simulate(short(10_000.0, 256));
        assert!((t.offered as f64 - 30_000.0).abs() < 600.0, "offered {}", t.offered);
        assert_eq!(t.rejected, 0);
        assert_eq!(t.timed_out, 0);
        // Utilisation 0.78 with 32 workers: waits are rare, so the mean is
        // close to the 10 ms service time.
        let m = mean_ms.unwrap();
        assert!((9.5..11.5).contains(&m), "mean {m}");
    }

    #[test]
    fn overload_rejects_and_retries() {
        let (t, _) = simulate(short(20_000.0, 256));
        assert!(t.rejected > 0);
        assert!(t.attempts > t.offered);
    }

    #[test]
    fn same_seed_same_totals() {
        assert_eq!(simulate(short(12_000.0, 256)).0, simulate(short(12_000.0, 256)).0);
    }
}
