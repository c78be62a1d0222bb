//! The closed set of events and the queue that orders them by `(time, seq)`.
//!
//! Ties in time are broken by the order of scheduling, so runs are
//! reproducible and simultaneous events are handled first-in first-out.
//!
//! Client timeouts are by far the most numerous pending events (one per
//! attempt in flight, each a whole timeout ahead) and, while the timeout
//! setting is unchanged, they are scheduled in time order. They therefore go
//! to a FIFO ring instead of the heap: O(1) each, and the heap stays as small
//! as the number of attempts in service. A timeout scheduled earlier than the
//! ring's last (the timeout was shortened mid-run) goes to the heap instead;
//! popping always takes the smaller `(time, seq)` of the two heads, so the
//! order is exactly that of a single queue.
//!
//! The arrival process has exactly one pending arrival at any time, and a
//! live rate change replaces it rather than adding another: it lives in a
//! slot of its own, which keeps it out of the heap and needs no staleness
//! check.

use crate::node::JobRef;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Everything that can happen. Indices are `u32` slots in the engine's slabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// The next logical request arrives (open-loop traffic).
    Arrival,
    /// A user of the closed-loop population sends its next request.
    UserWake,
    /// A worker finishes `job`'s own work (stale if the job is gone).
    ServiceDone { job: JobRef },
    /// The first of `node`'s processor-shared jobs finishes (stale unless
    /// the node's sharing epoch is still `epoch`).
    SharedDone { node: u32, epoch: u32 },
    /// The first query at service `tier`'s database finishes (stale unless
    /// the database's sharing epoch is still `epoch`).
    DbDone { tier: u32, epoch: u32 },
    /// `job` gives up waiting for a database connection (stale unless it
    /// still waits).
    PoolTimeout { job: JobRef },
    /// The client stops waiting for attempt `token`; stale if it moved on.
    Timeout { client: u32, token: u32 },
    /// The client's backoff is over: send the next attempt.
    RetryWake { client: u32 },
    /// Attempt `token` of `client` reaches service `tier` over the network.
    Deliver { client: u32, token: u32, tier: u32 },
    /// The answer to attempt `token` reaches `client` over the network.
    Reply { client: u32, token: u32, ok: bool },
    /// Start of a simulated second: sample queues, close the last second.
    Sample { second: u32 },
    /// The balancer probes `node`'s health.
    Probe { node: u32 },
    /// A crashed node is back and starts warming up.
    Restart { node: u32 },
    /// The scripted fault `index` of the configuration happens.
    Fault { index: u32 },
    /// The scripted fault `index` is over.
    FaultEnd { index: u32 },
    /// Attempt `token` of `client` went unanswered for its edge's hedge
    /// delay (stale unless the client still waits for it alone).
    Hedge { client: u32, token: u32 },
    /// Health probe request `token` of `node` times out (stale once answered).
    ProbeTimeout { node: u32, token: u32 },
    /// Service `tier`'s autoscaler evaluates.
    Scale { tier: u32 },
    /// A node of service `tier` may be done provisioning.
    Provisioned { tier: u32 },
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// `time << 64 | seq`: one integer comparison orders by time, then seq.
    key: u128,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so that std's max-heap pops the earliest key first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Pending events: a binary heap, a FIFO ring for in-order timeouts and the
/// slot of the next arrival.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Entry>,
    ring: VecDeque<Entry>,
    arrival: Option<Entry>,
    seq: u64,
}

impl EventQueue {
    fn key(&mut self, time: u64) -> u128 {
        self.seq += 1;
        (time as u128) << 64 | self.seq as u128
    }

    /// Schedules `event` at `time` (nanoseconds).
    #[inline]
    pub fn push(&mut self, time: u64, event: Event) {
        let key = self.key(time);
        self.heap.push(Entry { key, event });
    }

    /// Schedules an event that is usually later than every one pushed here
    /// before (client timeouts); falls back to the heap when it is not.
    #[inline(always)]
    pub fn push_in_order(&mut self, time: u64, event: Event) {
        let key = self.key(time);
        match self.ring.back() {
            Some(last) if last.key > key => self.heap.push(Entry { key, event }),
            _ => self.ring.push_back(Entry { key, event }),
        }
    }

    /// Sets (or, with `None`, clears) the one pending arrival, replacing any
    /// earlier one.
    #[inline]
    pub fn set_arrival(&mut self, time: Option<u64>) {
        self.arrival = time.map(|t| Entry { key: self.key(t), event: Event::Arrival });
    }

    /// Removes and returns the earliest event if it is strictly before `limit`.
    /// Always inlined: the event loop has two copies (plain and with hooks,
    /// see `Simulation::step_until_budget`), and a call per event here
    /// cost more than the hooks it saved.
    #[inline(always)]
    pub fn pop_before(&mut self, limit: u64) -> Option<(u64, Event)> {
        let heap_key = self.heap.peek().map_or(u128::MAX, |e| e.key);
        let ring_key = self.ring.front().map_or(u128::MAX, |e| e.key);
        let arrival_key = self.arrival.map_or(u128::MAX, |e| e.key);
        let key = heap_key.min(ring_key).min(arrival_key);
        if key == u128::MAX || (key >> 64) as u64 >= limit {
            return None;
        }
        let entry = if key == arrival_key {
            self.arrival.take()
        } else if key == ring_key {
            self.ring.pop_front()
        } else {
            self.heap.pop()
        };
        entry.map(|e| ((e.key >> 64) as u64, e.event))
    }

    /// Pending events.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.heap.len() + self.ring.len() + self.arrival.is_some() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_fifo_across_heap_and_ring() {
        let mut q = EventQueue::default();
        q.push_in_order(10, Event::Timeout { client: 1, token: 0 });
        q.push(5, Event::Sample { second: 0 });
        q.push(10, Event::RetryWake { client: 2 });
        q.push_in_order(20, Event::Timeout { client: 3, token: 0 });
        q.push_in_order(7, Event::Timeout { client: 4, token: 0 }); // out of order: heap
        let order: Vec<_> = std::iter::from_fn(|| q.pop_before(u64::MAX)).collect();
        assert_eq!(
            order,
            vec![
                (5, Event::Sample { second: 0 }),
                (7, Event::Timeout { client: 4, token: 0 }),
                (10, Event::Timeout { client: 1, token: 0 }),
                (10, Event::RetryWake { client: 2 }),
                (20, Event::Timeout { client: 3, token: 0 }),
            ]
        );
    }

    #[test]
    fn arrival_slot_is_replaced_not_queued() {
        let mut q = EventQueue::default();
        q.set_arrival(Some(30));
        q.push(20, Event::Sample { second: 0 });
        q.set_arrival(Some(10));
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop_before(u64::MAX), Some((10, Event::Arrival)));
        assert_eq!(q.pop_before(u64::MAX), Some((20, Event::Sample { second: 0 })));
        assert_eq!(q.pop_before(u64::MAX), None);
    }

    #[test]
    fn pop_before_respects_limit() {
        let mut q = EventQueue::default();
        q.push(10, Event::Sample { second: 0 });
        assert_eq!(q.pop_before(10), None);
        assert_eq!(q.len(), 1);
        assert!(q.pop_before(11).is_some());
    }
}
