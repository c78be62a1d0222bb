//! Processor sharing in virtual time, for node CPUs and the database.
//!
//! Every job in a shared server progresses at the same speed, which depends
//! only on how many jobs there are. A job that needs `w` ns of work and joins
//! at virtual time `V` therefore finishes when virtual time reaches `V + w`.
//! Virtual time advances at the per-job speed, which changes only when a job
//! joins or leaves, so only the earliest finish ever needs an event: each
//! join or leave reschedules it (bumping `epoch`, which makes the earlier
//! event stale). Cost: O(log n) per join and per finish.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A job's finishing point in virtual time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tag {
    at: f64,
    owner: u32,
    slot: u32,
    gen: u32,
}

impl Eq for Tag {}
impl PartialOrd for Tag {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Tag {
    /// Reversed, so that the max-heap yields the earliest finish first; ties
    /// by owner and slot keep the order reproducible.
    fn cmp(&self, other: &Self) -> Ordering {
        other.at.total_cmp(&self.at).then(other.owner.cmp(&self.owner)).then(other.slot.cmp(&self.slot))
    }
}

/// A processor-shared server's jobs. `owner`, `slot` and `gen` name a job in
/// the caller's terms (a node and a slot of its job slab).
#[derive(Debug, Clone, Default)]
pub(crate) struct Sharing {
    virtual_ns: f64,
    last: u64,
    /// Bumped on every reschedule; a completion event of an older epoch is stale.
    pub epoch: u32,
    tags: BinaryHeap<Tag>,
}

impl Sharing {
    /// Jobs sharing the server.
    #[inline]
    pub fn len(&self) -> u32 {
        self.tags.len() as u32
    }

    /// Moves virtual time to `now` at `speed` (work per ns per job); returns
    /// the real time elapsed since the last call, ns.
    pub fn advance(&mut self, now: u64, speed: f64) -> f64 {
        let dt = now.saturating_sub(self.last) as f64;
        self.last = now;
        if !self.tags.is_empty() {
            self.virtual_ns += dt * speed;
        }
        dt
    }

    /// Adds a job needing `work` ns of work (virtual time already advanced).
    pub fn add(&mut self, owner: u32, slot: u32, gen: u32, work: u64) {
        self.tags.push(Tag { at: self.virtual_ns + work as f64, owner, slot, gen });
    }

    /// Removes the job that finishes first: `(owner, slot, gen)`.
    pub fn pop_first(&mut self) -> Option<(u32, u32, u32)> {
        self.tags.pop().map(|t| (t.owner, t.slot, t.gen))
    }

    /// Real time until the first finish at `speed`, ns.
    pub fn time_to_first(&self, speed: f64) -> Option<u64> {
        let first = self.tags.peek()?;
        let left = (first.at - self.virtual_ns).max(0.0);
        Some((left / speed).ceil() as u64)
    }

    /// Removes every job, with the work each has left, in finishing order,
    /// and invalidates the pending completion.
    pub fn drain_remaining(&mut self) -> Vec<(u32, u32, u32, u64)> {
        let mut out = Vec::with_capacity(self.tags.len());
        while let Some(t) = self.tags.pop() {
            out.push((t.owner, t.slot, t.gen, (t.at - self.virtual_ns).max(0.0).ceil() as u64));
        }
        self.epoch = self.epoch.wrapping_add(1);
        out
    }

    /// Forgets every job (a crash) and invalidates the pending completion.
    pub fn clear(&mut self) {
        self.tags.clear();
        self.epoch = self.epoch.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_finish_in_work_order_at_the_shared_speed() {
        let mut s = Sharing::default();
        // Two jobs on one core: each at half speed.
        s.add(0, 0, 1, 100);
        s.add(0, 1, 1, 300);
        assert_eq!(s.time_to_first(0.5), Some(200));
        assert_eq!(s.advance(200, 0.5), 200.0);
        assert_eq!(s.pop_first(), Some((0, 0, 1)));
        // The survivor alone runs at full speed: 200 ns of work left.
        assert_eq!(s.time_to_first(1.0), Some(200));
        s.add(3, 7, 1, 50);
        assert_eq!(s.drain_remaining(), vec![(3, 7, 1, 50), (0, 1, 1, 200)]);
        assert_eq!(s.len(), 0);
    }
}
