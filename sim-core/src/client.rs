//! Clients: one per logical request in flight, kept in a slab whose slots are
//! recycled, so memory follows what is in flight, not the run's length.

use crate::node::JobRef;

/// One logical request and the attempt it is on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Client {
    /// When the first attempt was sent (latency runs from here), ns.
    pub first_send: u64,
    /// The current attempt's timeout instant, ns.
    pub deadline: u64,
    /// Previous backoff wait, seconds (decorrelated jitter only).
    pub prev_sleep_s: f64,
    /// Identifies the current attempt; bumped on every send and never reset,
    /// so events about earlier attempts (or earlier users of the slot) are
    /// recognised as stale.
    pub token: u32,
    /// Attempts sent so far.
    pub sent: u32,
    /// True while waiting for the current attempt's outcome.
    pub waiting: bool,
    /// The call edge it sends on (0: the outside clients to the entry).
    pub edge: u32,
}

/// What a call between services adds to its client: kept beside the slab
/// rather than in it, so that a single service's clients stay 40 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CallInfo {
    /// The job that made this call, or [`JobRef::NONE`] for a logical
    /// request from outside.
    pub parent: JobRef,
    /// With deadline propagation, the caller's deadline: no attempt waits
    /// past it and no retry starts after it (`u64::MAX`: none).
    pub outer_deadline: u64,
}

impl CallInfo {
    /// A logical request from outside.
    pub const OUTSIDE: CallInfo = CallInfo { parent: JobRef::NONE, outer_deadline: u64::MAX };
}

/// A slab of clients with a free list, and the call information of slots
/// that have held a call (empty while no service calls another).
#[derive(Debug, Default)]
pub(crate) struct Clients {
    slots: Vec<Client>,
    free: Vec<u32>,
    calls: Vec<CallInfo>,
}

impl Clients {
    /// Takes a slot for a new logical request first sent at `now`.
    #[inline]
    pub fn alloc(&mut self, now: u64, base_s: f64) -> u32 {
        let i = self.take(now, base_s, 0);
        if let Some(c) = self.calls.get_mut(i as usize) {
            *c = CallInfo::OUTSIDE;
        }
        i
    }

    /// Takes a slot for a call on `edge` made by job `parent`.
    pub fn alloc_call(&mut self, now: u64, base_s: f64, edge: u32, info: CallInfo) -> u32 {
        let i = self.take(now, base_s, edge);
        if self.calls.len() <= i as usize {
            self.calls.resize(self.slots.len(), CallInfo::OUTSIDE);
        }
        self.calls[i as usize] = info;
        i
    }

    /// The call information of slot `i` (outside, for a logical request).
    #[inline]
    pub fn call(&self, i: u32) -> CallInfo {
        self.calls.get(i as usize).copied().unwrap_or(CallInfo::OUTSIDE)
    }

    #[inline]
    fn take(&mut self, now: u64, base_s: f64, edge: u32) -> u32 {
        let fresh =
            Client { first_send: now, deadline: 0, prev_sleep_s: base_s, token: 0, sent: 0, waiting: false, edge };
        match self.free.pop() {
            Some(i) => {
                let slot = &mut self.slots[i as usize];
                *slot = Client { token: slot.token, ..fresh };
                i
            }
            None => {
                self.slots.push(fresh);
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Returns a slot; its token is bumped so no pending event matches it.
    pub fn release(&mut self, i: u32) {
        let slot = &mut self.slots[i as usize];
        slot.token = slot.token.wrapping_add(1);
        slot.waiting = false;
        self.free.push(i);
    }

    #[inline]
    pub fn get(&mut self, i: u32) -> &mut Client {
        &mut self.slots[i as usize]
    }

    /// Logical requests in flight.
    pub fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_recycled_with_fresh_tokens() {
        let mut c = Clients::default();
        let a = c.alloc(5, 0.1);
        let old_token = c.get(a).token;
        c.release(a);
        let b = c.alloc(9, 0.1);
        assert_eq!(a, b);
        assert_ne!(c.get(b).token, old_token);
        assert_eq!(c.get(b).first_send, 9);
        assert_eq!(c.live(), 1);
    }
}
