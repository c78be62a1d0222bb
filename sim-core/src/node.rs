//! A server node: a pool of workers in front of a bounded FIFO waiting room.

use crate::config::NodesConfig;
use crate::rng::Stream;
use crate::snapshot::{NodeSnapshot, NodeState};
use crate::time::{secs_to_nanos, NANOS_PER_SEC};
use std::collections::VecDeque;

/// What a node did with an offered attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// A worker was free: service starts now.
    Accepted,
    /// Every worker busy: the attempt waits in the queue.
    Queued,
    /// Workers busy and waiting room full: a 503, no service time.
    Shed,
}

/// An attempt in the waiting room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiting {
    /// When the client sent it, ns (queueing delay runs from here).
    pub sent: u64,
    pub client: u32,
    pub token: u32,
}

/// How long service takes. Exponential, as in the reference model; other
/// shapes (and load-dependent service) slot in here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ServiceModel {
    Exponential { mean_s: f64 },
}

impl ServiceModel {
    pub fn new(n: &NodesConfig) -> ServiceModel {
        ServiceModel::Exponential { mean_s: n.service_ms_mean / 1000.0 }
    }

    #[inline]
    pub fn sample_ns(&self, rng: &mut Stream) -> u64 {
        match *self {
            ServiceModel::Exponential { mean_s } => secs_to_nanos(rng.exp(mean_s)),
        }
    }
}

/// One node's state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub workers: u32,
    pub busy: u32,
    pub queue_capacity: u32,
    pub queue: VecDeque<Waiting>,
    pub served: u64,
    pub rejected: u64,
    /// Instant of the last 503, for the "shedding" state.
    last_shed: Option<u64>,
}

impl Node {
    pub fn new(n: &NodesConfig) -> Node {
        Node {
            workers: n.workers,
            busy: 0,
            queue_capacity: n.queue_capacity,
            queue: VecDeque::new(),
            served: 0,
            rejected: 0,
            last_shed: None,
        }
    }

    /// Offers an attempt. The reference's rule: a 503 iff every worker is
    /// busy and the waiting room holds `queue_capacity` attempts or more
    /// (more is possible right after the capacity was lowered mid-run).
    #[inline]
    pub fn admit(&mut self, now: u64, w: Waiting) -> Admission {
        if self.busy < self.workers {
            self.busy += 1;
            return Admission::Accepted;
        }
        if self.queue.len() >= self.queue_capacity as usize {
            self.rejected += 1;
            self.last_shed = Some(now);
            return Admission::Shed;
        }
        self.queue.push_back(w);
        Admission::Queued
    }

    /// A worker finished; returns the next waiting attempt it takes, if any.
    #[inline]
    pub fn finish_one(&mut self) -> Option<Waiting> {
        self.served += 1;
        self.busy -= 1;
        self.take_next()
    }

    /// Moves the head of the queue into service if a worker is free (used
    /// after a completion and when the pool grows mid-run).
    #[inline]
    pub fn take_next(&mut self) -> Option<Waiting> {
        if self.busy >= self.workers {
            return None;
        }
        let w = self.queue.pop_front()?;
        self.busy += 1;
        Some(w)
    }

    pub fn snapshot(&self, now: u64) -> NodeSnapshot {
        let shedding = self.last_shed.is_some_and(|t| now.saturating_sub(t) < NANOS_PER_SEC);
        let state = if shedding {
            NodeState::Shedding
        } else if self.busy >= self.workers || !self.queue.is_empty() {
            NodeState::Saturated
        } else if self.busy > 0 {
            NodeState::Busy
        } else {
            NodeState::Idle
        };
        NodeSnapshot {
            busy: self.busy,
            workers: self.workers,
            queued: self.queue.len() as u32,
            queue_capacity: self.queue_capacity,
            state,
            served: self.served,
            rejected: self.rejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(workers: u32, queue_capacity: u32) -> NodesConfig {
        NodesConfig { count: 1, workers, service_ms_mean: 10.0, queue_capacity }
    }

    #[test]
    fn admission_accepts_then_queues_then_sheds() {
        let mut n = Node::new(&cfg(1, 1));
        let w = Waiting { sent: 0, client: 0, token: 0 };
        assert_eq!(n.admit(0, w), Admission::Accepted);
        assert_eq!(n.admit(0, w), Admission::Queued);
        assert_eq!(n.admit(0, w), Admission::Shed);
        assert_eq!(n.snapshot(0).state, NodeState::Shedding);
        assert_eq!(n.snapshot(2 * NANOS_PER_SEC).state, NodeState::Saturated);
        assert_eq!(n.finish_one(), Some(w));
        assert_eq!(n.finish_one(), None);
        assert_eq!(n.snapshot(5 * NANOS_PER_SEC).state, NodeState::Idle);
    }

    #[test]
    fn zero_queue_sheds_when_busy() {
        let mut n = Node::new(&cfg(2, 0));
        let w = Waiting { sent: 0, client: 0, token: 0 };
        assert_eq!(n.admit(0, w), Admission::Accepted);
        assert_eq!(n.admit(0, w), Admission::Accepted);
        assert_eq!(n.admit(0, w), Admission::Shed);
    }
}
