//! Derived, hot-path forms of the node and routing policies: what the
//! engine checks on every admission and dequeue, computed once per
//! configuration change rather than read from `Config` each time.

use crate::balancer::LoadBalancer;
use crate::config::ServiceConfig;
use crate::node::Node;
use crate::rng::Stream;
use crate::time::secs_to_nanos;

/// Queue and crash policies in engine units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NodePolicy {
    /// True when a worker must check each attempt it takes from the queue.
    pub acts_at_dequeue: bool,
    pub drop_expired: bool,
    /// Least time before the deadline worth starting an attempt, ns.
    pub deadline_margin: u64,
    /// CoDel `(target, interval)`, ns.
    pub codel: Option<(u64, u64)>,
    /// Adaptive LIFO threshold, attempts waiting.
    pub lifo_above: Option<usize>,
    /// Most attempts a node may hold (concurrency limit).
    pub concurrency_limit: Option<u64>,
    /// A node holding more than this crashes (`u64::MAX`: never).
    pub max_held: u64,
    /// Processor sharing `(cores, switch_overhead)`, when the CPU model is on.
    pub cpu: Option<(u32, f64)>,
    /// Extra mean service time per attempt held, seconds.
    pub per_inflight_s: f64,
    /// True when a job passes the cache or the database before its service.
    pub dependencies: bool,
    /// True when some caller passes its deadline down: a worker then drops
    /// a queued attempt whose deadline has passed (as a gRPC server does).
    pub drop_past_deadline: bool,
}

impl NodePolicy {
    pub fn for_service(c: &ServiceConfig) -> NodePolicy {
        let s = &c.shedding;
        NodePolicy {
            acts_at_dequeue: s.acts_at_dequeue(),
            drop_past_deadline: false,
            drop_expired: s.drop_expired,
            deadline_margin: secs_to_nanos(s.deadline_margin_ms / 1000.0),
            codel: s
                .codel
                .then(|| (secs_to_nanos(s.codel_target_ms / 1000.0), secs_to_nanos(s.codel_interval_ms / 1000.0))),
            lifo_above: s.adaptive_lifo.then_some(s.lifo_above as usize),
            concurrency_limit: s.limit_concurrency.then_some(s.concurrency_limit as u64),
            max_held: if c.crash.enabled { c.crash.max_held() } else { u64::MAX },
            cpu: c.cpu.enabled.then_some((c.cpu.cores, c.cpu.switch_overhead)),
            per_inflight_s: c.cpu.service_ms_per_inflight / 1000.0,
            dependencies: c.db.enabled || c.cache.enabled,
        }
    }
}

/// The nodes the balancer may send to: all of them, less those its health
/// checks ejected, unless so few are left that it panics and uses all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Routing {
    nodes: Vec<u32>,
    pub panic: bool,
    pub panic_threshold: f64,
}

impl Routing {
    /// Every one of `count` nodes.
    pub fn all(count: u32, panic_threshold: f64) -> Routing {
        Routing { nodes: (0..count).collect(), panic: false, panic_threshold }
    }

    /// Recomputes the set from the nodes' ejection flags.
    pub fn rebuild(&mut self, nodes: &[Node]) {
        self.nodes.clear();
        self.nodes.extend((0..nodes.len() as u32).filter(|&i| !nodes[i as usize].health.ejected));
        let healthy_share = self.nodes.len() as f64 / nodes.len() as f64;
        self.panic = self.nodes.is_empty() || healthy_share < self.panic_threshold;
        if self.panic {
            self.nodes.clear();
            self.nodes.extend(0..nodes.len() as u32);
        }
    }

    /// The node for the next attempt.
    #[inline(always)]
    pub fn pick(&self, lb: &mut LoadBalancer, nodes: &[Node], rng: &mut Stream) -> u32 {
        lb.pick(&self.nodes, |i| nodes[i as usize].held(), rng)
    }
}
