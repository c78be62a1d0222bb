//! A retry budget as Finagle's `RetryBudget` (com.twitter.finagle.service.
//! RetryBudget, built on com.twitter.util.TokenBucket.newLeakyBucket).
//!
//! Each request deposits 1,000 units and each retry withdraws
//! `1,000 / percent` units (so 5,000 at the default 20%); deposits and
//! withdrawals both leave the bucket after `ttl`. A reserve of
//! `min_per_s × ttl` retries' worth is always there, so a client with little
//! traffic can retry. A retry is allowed when the balance covers it. Over
//! any `ttl`, retries are therefore at most `percent` of requests plus
//! `min_per_s × ttl`: against a dependency failing every request, a 10%
//! budget turns three attempts per request into about 1.1.

use crate::config::BudgetConfig;
use crate::time::secs_to_nanos;
use crate::window::Window;

/// Units a request deposits (Finagle's `scaleFactor`).
const DEPOSIT: i64 = 1_000;
/// Most units a retry may cost: a share below one in a million counts as one
/// in a million.
const MAX_WITHDRAWAL: i64 = 1_000_000_000;
/// Most units of the reserve (far above any run's retries' cost).
const MAX_RESERVE: f64 = 1e18;

/// One edge's retry budget.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RetryBudget {
    window: Window,
    deposit: i64,
    withdrawal: i64,
    reserve: i64,
}

impl RetryBudget {
    pub fn new(c: &BudgetConfig) -> RetryBudget {
        // As Finagle: with no share, requests deposit nothing and each
        // retry costs one unit of the reserve.
        // A tiny share makes a retry cost at most a million requests'
        // deposits, and the reserve is capped likewise, so that no sum of
        // the window can overflow within the event cap.
        let (deposit, withdrawal) = if c.percent > 0.0 {
            (DEPOSIT, (DEPOSIT as f64 / c.percent).min(MAX_WITHDRAWAL as f64) as i64)
        } else {
            (0, 1)
        };
        let reserve = (c.min_per_s * c.ttl_s * withdrawal as f64).min(MAX_RESERVE) as i64;
        RetryBudget { window: Window::new(secs_to_nanos(c.ttl_s)), deposit, withdrawal, reserve }
    }

    /// A request was sent.
    pub fn deposit(&mut self, now: u64) {
        if self.deposit > 0 {
            self.window.add(now, self.deposit);
        }
    }

    /// True, and the retry is paid for, when the budget allows one more.
    pub fn try_withdraw(&mut self, now: u64) -> bool {
        if self.window.sum(now).saturating_add(self.reserve) < self.withdrawal {
            return false;
        }
        self.window.add(now, -self.withdrawal);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_a_share_of_requests_plus_the_reserve() {
        let c = BudgetConfig { enabled: true, percent: 0.1, ttl_s: 10.0, min_per_s: 1.0 };
        let mut b = RetryBudget::new(&c);
        // 1,000 requests a second for 10 s, each wanting a retry.
        let (mut requests, mut retries) = (0u64, 0u64);
        for ms in 0..10_000u64 {
            let now = ms * 1_000_000;
            b.deposit(now);
            requests += 1;
            retries += b.try_withdraw(now) as u64;
        }
        // 10% of 10,000 requests plus a reserve of 10 retries.
        assert_eq!(requests, 10_000);
        assert!((1_000..=1_011).contains(&retries), "{retries}");
    }

    #[test]
    fn extreme_settings_do_not_overflow() {
        let c = BudgetConfig { enabled: true, percent: 1e-300, ttl_s: 60.0, min_per_s: 1e6 };
        let mut b = RetryBudget::new(&c);
        for i in 0..1_000u64 {
            b.deposit(i);
            assert!(b.try_withdraw(i), "the reserve covers them");
        }
    }

    #[test]
    fn no_share_and_no_reserve_allows_nothing() {
        let c = BudgetConfig { enabled: true, percent: 0.0, ttl_s: 10.0, min_per_s: 0.0 };
        let mut b = RetryBudget::new(&c);
        b.deposit(0);
        assert!(!b.try_withdraw(0));
    }
}
