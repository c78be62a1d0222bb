//! A re-creation of the contention experiment of "Exponential Backoff And
//! Jitter" (Marc Brooker, AWS Architecture Blog, 2015), with the engine's own
//! backoff policies ([`crate::retry::RetryPolicy`]).
//!
//! As the post describes it: clients update one row of a remote store with
//! optimistic concurrency control, over a network whose delay is normal with
//! a mean of 10 ms and a standard deviation of 4 ms (taken as its absolute
//! value). All clients start together. Each write carries the version the
//! client last saw; the store accepts it only if that is still the current
//! version (and moves the version on), else refuses it and the reply tells
//! the client the current version. A refused client sleeps its backoff, then
//! tries again. Work is the number of calls made, time the moment the last
//! client learns that its write succeeded. The base (10 ms) and cap (2 s)
//! of the backoff are this re-creation's choice; the post's figures are
//! about the policies' order, which is what the validation checks.

use crate::config::Backoff;
use crate::retry::RetryPolicy;
use crate::rng::Stream;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Mean one-way network delay, seconds (the post's 10 ms).
const NET_MEAN_S: f64 = 0.010;
/// Standard deviation of the delay, seconds (the post's 4 ms).
const NET_SD_S: f64 = 0.004;
/// First backoff, seconds.
const BASE_S: f64 = 0.010;
/// Largest backoff, seconds.
const CAP_S: f64 = 2.0;
/// Most calls in one experiment: a bound, never reached by the policies
/// here (no backoff makes about clients²/2 calls).
const MAX_CALLS: u64 = 10_000_000;

/// What one experiment measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contention {
    /// Calls made by all clients, first tries and retries.
    pub calls: u64,
    /// When the last client learnt its write had succeeded, seconds.
    pub completion_s: f64,
}

/// A message in flight: when it lands, which client, and what it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Message {
    at_ns: u64,
    seq: u64,
    client: usize,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A write reaching the store, carrying the version its client read.
    Write { version: u64 },
    /// The store's answer reaching the client, with the current version.
    Reply { ok: bool, version: u64 },
}

/// The network's delay: `|N(10 ms, 4 ms)|` by the Box–Muller transform.
fn delay_ns(rng: &mut Stream) -> u64 {
    let (u1, u2) = (1.0 - rng.uniform(), rng.uniform());
    let z = libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2);
    ((NET_MEAN_S + NET_SD_S * z).abs() * 1e9) as u64
}

/// Runs the experiment for `clients` clients under `backoff` on `seed`.
pub fn contend(seed: u64, clients: usize, backoff: Backoff) -> Contention {
    let policy = RetryPolicy { attempts: u32::MAX, backoff, base_s: BASE_S, cap_s: CAP_S };
    let (mut net, mut jitter) = (Stream::new(seed, "contention-network"), Stream::new(seed, "backoff"));
    let mut queue = BinaryHeap::new();
    let mut seq = 0u64;
    let mut send = |queue: &mut BinaryHeap<Reverse<Message>>, at_ns: u64, client, kind| {
        seq += 1;
        queue.push(Reverse(Message { at_ns, seq, client, kind }));
    };
    let (mut failures, mut prev) = (vec![0u32; clients], vec![BASE_S; clients]);
    let (mut version, mut calls, mut last_ns) = (0u64, clients as u64, 0u64);
    for client in 0..clients {
        let at = delay_ns(&mut net);
        send(&mut queue, at, client, Kind::Write { version: 0 });
    }
    while let Some(Reverse(m)) = queue.pop() {
        match m.kind {
            Kind::Write { version: seen } => {
                let ok = seen == version;
                version += ok as u64;
                let at = m.at_ns + delay_ns(&mut net);
                send(&mut queue, at, m.client, Kind::Reply { ok, version });
            }
            Kind::Reply { ok: true, .. } => last_ns = last_ns.max(m.at_ns),
            Kind::Reply { ok: false, version: seen } if calls < MAX_CALLS => {
                let k = failures[m.client];
                failures[m.client] += 1;
                let wait_ns = (policy.delay_s(k, &mut prev[m.client], &mut jitter) * 1e9) as u64;
                calls += 1;
                let at = m.at_ns + wait_ns + delay_ns(&mut net);
                send(&mut queue, at, m.client, Kind::Write { version: seen });
            }
            Kind::Reply { ok: false, .. } => {}
        }
    }
    Contention { calls, completion_s: last_ns as f64 / 1e9 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_succeeds_at_once() {
        let r = contend(1, 1, Backoff::None);
        assert_eq!(r.calls, 1);
        assert!(r.completion_s > 0.0 && r.completion_s < 0.1, "{r:?}");
    }

    #[test]
    fn without_backoff_work_grows_with_the_square() {
        // One client wins each round: about n²/2 calls for n clients.
        let r = contend(1, 40, Backoff::None);
        assert!(r.calls > 400 && r.calls <= 40 * 41 / 2 + 40, "{r:?}");
        assert_eq!(contend(3, 40, Backoff::FullJitter), contend(3, 40, Backoff::FullJitter), "deterministic");
    }
}
