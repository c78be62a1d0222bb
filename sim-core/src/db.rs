//! The shared database and each node's connection pool.

use crate::config::DbConfig;
use crate::sharing::Sharing;
use std::collections::VecDeque;

/// An attempt waiting for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PoolWaiter {
    pub slot: u32,
    pub gen: u32,
    /// When it began to wait, ns.
    pub since: u64,
    /// The query it will run, ns of work.
    pub work: u64,
}

/// One node's connection pool.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pool {
    pub in_use: u32,
    /// FIFO of waiters; entries whose job has gone (timed out, crashed) are
    /// skipped when reached.
    pub waiters: VecDeque<PoolWaiter>,
}

impl Pool {
    /// Takes a connection if one is free.
    #[inline]
    pub fn try_take(&mut self, size: u32) -> bool {
        if self.in_use < size {
            self.in_use += 1;
            return true;
        }
        false
    }

    /// The process died: its connections and waiters are gone.
    pub fn reset(&mut self) {
        self.in_use = 0;
        self.waiters.clear();
    }
}

/// The database: queries processor-shared under contention.
#[derive(Debug, Clone, Default)]
pub(crate) struct Database {
    pub sharing: Sharing,
}

impl Database {
    /// Advances the database's virtual time to `now`.
    pub fn advance(&mut self, now: u64, cfg: &DbConfig) {
        let speed = cfg.speed(self.sharing.len());
        self.sharing.advance(now, speed);
    }

    /// Real time until the first query finishes, ns.
    pub fn time_to_first(&self, cfg: &DbConfig) -> Option<u64> {
        self.sharing.time_to_first(cfg.speed(self.sharing.len()))
    }

    /// Queries running.
    pub fn running(&self) -> u32 {
        self.sharing.len()
    }
}

/// Per-second acquisition waits.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct WaitAccount {
    pub sum_ns: f64,
    pub n: u64,
}

impl WaitAccount {
    pub fn record(&mut self, wait_ns: u64) {
        self.sum_ns += wait_ns as f64;
        self.n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_hands_out_at_most_its_size() {
        let mut p = Pool::default();
        assert!(p.try_take(2) && p.try_take(2) && !p.try_take(2));
        p.reset();
        assert!(p.try_take(2));
    }

    #[test]
    fn contention_makes_throughput_peak_then_fall() {
        let db = DbConfig::default();
        let x = |k: u32| k as f64 * db.speed(k);
        assert!(x(8) > x(4) && x(16) > x(8));
        assert!(x(200) < x(32), "{} vs {}", x(200), x(32));
    }
}
