//! A cache in front of one hot key: hits, misses, stampedes and the two
//! defences (request coalescing and probabilistic early refresh).

use crate::config::CacheConfig;
use crate::node::JobRef;
use crate::rng::Stream;
use crate::time::secs_to_nanos;

/// A read of the hot key, from the reader's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Fresh: use it.
    Hit,
    /// Expired (or refreshed early): recompute it.
    Miss,
    /// Expired, and a recomputation is in flight: wait for it (coalescing).
    Join,
}

/// A recomputation in flight: which job, the version it replaces, when it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Regen {
    job: JobRef,
    version: u32,
    since: u64,
}

/// The hot key's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cache {
    /// The value is fresh before this instant, ns.
    expires: u64,
    /// Bumped by the first recomputation to store a new value.
    version: u32,
    /// Duration of the last recomputation (XFetch's δ), ns.
    last_recompute_ns: u64,
    in_flight: Vec<Regen>,
    /// Jobs waiting for the recomputation in flight: `(node, slot, gen)`.
    pub waiters: Vec<JobRef>,
    /// Values stored by a recomputation that was the first to replace the
    /// version it had read.
    pub refills: u64,
}

impl Cache {
    /// A warm cache: fresh for one TTL from `now`.
    pub fn new(cfg: &CacheConfig, now: u64) -> Cache {
        Cache {
            expires: now + secs_to_nanos(cfg.ttl_s),
            last_recompute_ns: secs_to_nanos(cfg.recompute_ms / 1000.0),
            ..Cache::default()
        }
    }

    /// Loses the value at `now` (a cache flush): the next read misses.
    pub fn flush(&mut self, now: u64) {
        self.expires = self.expires.min(now);
    }

    /// True while the value is fresh.
    pub fn is_fresh(&self, now: u64) -> bool {
        now < self.expires
    }

    /// A read at `now`. With coalescing, a miss makes the reader the one
    /// recomputation that others join.
    pub fn lookup(&mut self, now: u64, cfg: &CacheConfig, rng: &mut Stream) -> Lookup {
        if now < self.expires {
            if cfg.early_refresh && self.in_flight.is_empty() && self.xfetch(now, cfg, rng) {
                return Lookup::Miss;
            }
            return Lookup::Hit;
        }
        if cfg.coalesce && !self.in_flight.is_empty() {
            return Lookup::Join;
        }
        Lookup::Miss
    }

    /// XFetch: refresh early if `now − δ·β·ln(u) ≥ expiry`.
    fn xfetch(&self, now: u64, cfg: &CacheConfig, rng: &mut Stream) -> bool {
        let u = 1.0 - rng.uniform(); // in (0, 1]: ln stays finite
        let gap = -(self.last_recompute_ns as f64) * cfg.early_beta * libm::log(u);
        now as f64 + gap >= self.expires as f64
    }

    /// Job `job` starts recomputing at `now`.
    pub fn start(&mut self, job: JobRef, now: u64) {
        self.in_flight.push(Regen { job, version: self.version, since: now });
    }

    /// Job `job` finished recomputing at `now`: the value is stored. Returns
    /// true if this recomputation was `job`'s (it may have been dropped in a
    /// crash).
    pub fn finish(&mut self, job: JobRef, now: u64, cfg: &CacheConfig) -> bool {
        let Some(i) = self.in_flight.iter().position(|r| r.job == job) else { return false };
        let r = self.in_flight.swap_remove(i);
        if r.version == self.version {
            self.version = self.version.wrapping_add(1);
            self.refills += 1;
        }
        self.expires = now + secs_to_nanos(cfg.ttl_s);
        self.last_recompute_ns = now - r.since;
        true
    }

    /// Forgets the recomputations of jobs for which `gone` holds (their node
    /// crashed, or the attempt failed); returns whether any was dropped.
    pub fn abandon(&mut self, gone: impl Fn(JobRef) -> bool) -> bool {
        let before = self.in_flight.len();
        self.in_flight.retain(|r| !gone(r.job));
        self.in_flight.len() != before
    }

    /// Recomputations in flight.
    pub fn recomputing(&self) -> usize {
        self.in_flight.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(coalesce: bool) -> CacheConfig {
        CacheConfig { enabled: true, ttl_s: 1.0, recompute_ms: 10.0, coalesce, ..CacheConfig::default() }
    }

    #[test]
    fn stampede_without_coalescing_one_flight_with_it() {
        let mut rng = Stream::new(1, "cache");
        for coalesce in [false, true] {
            let c = cfg(coalesce);
            let mut cache = Cache::new(&c, 0);
            assert_eq!(cache.lookup(5, &c, &mut rng), Lookup::Hit);
            let t = 1_000_000_000;
            assert_eq!(cache.lookup(t, &c, &mut rng), Lookup::Miss);
            cache.start(JobRef { node: 0, slot: 0, gen: 1 }, t);
            let second = cache.lookup(t + 1, &c, &mut rng);
            assert_eq!(second, if coalesce { Lookup::Join } else { Lookup::Miss });
            if second == Lookup::Miss {
                cache.start(JobRef { node: 0, slot: 1, gen: 1 }, t + 1);
            }
            assert!(cache.finish(JobRef { node: 0, slot: 0, gen: 1 }, t + 10, &c));
            assert!(cache.is_fresh(t + 11));
            if !coalesce {
                assert!(cache.finish(JobRef { node: 0, slot: 1, gen: 1 }, t + 11, &c));
            }
            assert_eq!(cache.refills, 1, "the second store replaces a value already refreshed");
        }
    }
}
