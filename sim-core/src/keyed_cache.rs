//! A cache of many keys: requests drawn from a Zipf popularity law, and an
//! LRU of bounded size whose entries also expire after a TTL.
//!
//! A service with `cache.keys > 0` reads through [`KeyedReads`]. Memory is
//! fixed by the configured sizes (a CDF of 8 bytes per key, an index of 4
//! bytes per key, 24 bytes per cache slot, and one entry per recomputation
//! in flight) and never grows with the length of a run.

use crate::analytics::zipf_probs;
use crate::node::JobRef;
use crate::rng::Stream;
use std::collections::BTreeMap;

/// Largest key space a [`Zipf`] sampler accepts. Its CDF holds one `f64` per
/// key, so this bounds it at 8 MB, which a browser tab can afford.
pub(crate) const MAX_KEYS: u32 = 1_000_000;

/// "No slot" in the index and the links of the list.
const NIL: u32 = u32::MAX;

/// Keys `0..K` with `P(k) ∝ 1/(k+1)^s`: the usual model of which objects web
/// and cache clients ask for (Breslau et al., "Web caching and Zipf-like
/// distributions", INFOCOM 1999). `s = 0` is uniform; larger `s` concentrates
/// the requests on the first keys.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Zipf {
    /// `cdf[k] = P(key ≤ k)`; the last entry is exactly 1.
    cdf: Vec<f64>,
    /// `P(0)`, the normaliser `1/Σ_k (k+1)^−s`.
    p0: f64,
    s: f64,
}

impl Zipf {
    /// The law over `keys` keys with exponent `s`. The CDF is computed once
    /// here, so that each draw is a single uniform and a binary search
    /// (inverse-transform sampling; Devroye, *Non-Uniform Random Variate
    /// Generation*, 1986, §III.2).
    ///
    /// Panics unless `1 ≤ keys ≤ MAX_KEYS` and `s` is finite and `≥ 0`: the
    /// configuration is validated before an engine is built.
    pub fn new(keys: u32, s: f64) -> Zipf {
        assert!((1..=MAX_KEYS).contains(&keys), "Zipf needs 1 to {MAX_KEYS} keys, got {keys}");
        assert!(s.is_finite() && s >= 0.0, "Zipf exponent must be finite and >= 0, got {s}");
        let mut cdf = zipf_probs(keys, s);
        let p0 = cdf[0];
        let mut acc = 0.0;
        for x in &mut cdf {
            acc += *x;
            *x = acc;
        }
        // Rounding leaves the running sum a few ulps off 1; pinning it makes
        // every uniform in [0, 1) land on a key.
        cdf[keys as usize - 1] = 1.0;
        Zipf { cdf, p0, s }
    }

    /// The number of keys, `K`.
    #[cfg(test)]
    pub fn keys(&self) -> u32 {
        self.cdf.len() as u32
    }

    /// One key: the first `k` with `cdf[k] > u`, so that key `k` is drawn
    /// when `u` falls in `[cdf[k−1], cdf[k])`, a span of width `P(k)`.
    pub fn sample(&self, rng: &mut Stream) -> u32 {
        let u = rng.uniform();
        // u < 1 = the last entry, so the index is always a key.
        self.cdf.partition_point(|&c| c <= u) as u32
    }

    /// `P(k)`, computed directly rather than as a difference of the CDF, which
    /// would lose the small tail probabilities to cancellation. 0 outside
    /// the keys.
    #[cfg(test)]
    pub fn prob(&self, k: u32) -> f64 {
        if k >= self.keys() {
            return 0.0;
        }
        self.p0 * libm::pow(k as f64 + 1.0, -self.s)
    }
}

/// What a [`KeyedCache`] has done since it was built (a flush keeps them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeyedCounters {
    /// Lookups that found a fresh entry.
    pub hits: u64,
    /// Lookups that found nothing usable, expired entries included.
    pub misses: u64,
    /// Entries dropped to make room for an insert.
    pub evictions: u64,
    /// Entries found expired by a lookup, and dropped.
    pub expirations: u64,
}

/// An LRU cache of `C` entries over keys `0..K`, each entry fresh for a TTL
/// after it was stored.
///
/// Every operation is O(1), with no allocation after construction: the
/// entries sit in a fixed array of slots threaded by a doubly linked list
/// (most recently used at the head) with `u32` links, and a dense array maps
/// each key to its slot. A dense index rather than a hash map keeps the
/// behaviour identical on every target and free of iteration-order effects;
/// it costs 4 bytes per key.
///
/// Expiry is lazy, as in Redis's passive expiry: an expired entry is dropped
/// when a lookup finds it; one never asked for again drifts to the tail and
/// is evicted like any other.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyedCache {
    ttl_ns: u64,
    /// Key → slot, `NIL` when the key is not cached.
    slot_of: Vec<u32>,
    /// Slot → key.
    key: Vec<u32>,
    /// Slot → the entry is fresh before this instant, ns.
    expires: Vec<u64>,
    /// Slot → the more recently used neighbour.
    prev: Vec<u32>,
    /// Slot → the less recently used neighbour; for a free slot, the next
    /// free slot.
    next: Vec<u32>,
    head: u32,
    tail: u32,
    free: u32,
    len: u32,
    /// Hits, misses, evictions and expirations so far.
    pub counters: KeyedCounters,
}

impl KeyedCache {
    /// An empty cache of `capacity` entries over keys `0..keys`, each entry
    /// fresh for `ttl_ns` after it is stored (`u64::MAX` for no expiry).
    /// Panics if `capacity > keys`: a larger cache could never fill.
    pub fn new(keys: u32, capacity: u32, ttl_ns: u64) -> KeyedCache {
        assert!(capacity <= keys, "cache capacity {capacity} exceeds the {keys} keys");
        let c = capacity as usize;
        let mut cache = KeyedCache {
            ttl_ns,
            slot_of: vec![NIL; keys as usize],
            key: vec![0; c],
            expires: vec![0; c],
            prev: vec![NIL; c],
            next: vec![NIL; c],
            head: NIL,
            tail: NIL,
            free: NIL,
            len: 0,
            counters: KeyedCounters::default(),
        };
        cache.reset_free_list();
        cache
    }

    /// The number of entries it can hold, `C`.
    pub fn capacity(&self) -> u32 {
        self.key.len() as u32
    }

    /// The number of entries held, expired ones not yet found included.
    #[cfg(test)]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True when it holds nothing.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A read of `key` (which must be below `K`) at `now`. A hit, when the
    /// key is cached and `now` is before its expiry, makes it the most
    /// recently used; an expired entry is a miss and is dropped.
    pub fn lookup(&mut self, key: u32, now: u64) -> bool {
        let slot = self.slot_of[key as usize];
        if slot == NIL {
            self.counters.misses += 1;
            return false;
        }
        if now >= self.expires[slot as usize] {
            self.remove(slot);
            self.counters.expirations += 1;
            self.counters.misses += 1;
            return false;
        }
        self.unlink(slot);
        self.push_front(slot);
        self.counters.hits += 1;
        true
    }

    /// Stores `key` at `now`, fresh until `now + ttl` (saturating), as the
    /// most recently used entry. A key already cached is refreshed in place;
    /// otherwise, when the cache is full, the least recently used entry is
    /// evicted to make room. A cache of capacity 0 stores nothing.
    pub fn insert(&mut self, key: u32, now: u64) {
        let expiry = now.saturating_add(self.ttl_ns);
        let slot = self.slot_of[key as usize];
        if slot != NIL {
            self.expires[slot as usize] = expiry;
            self.unlink(slot);
            self.push_front(slot);
            return;
        }
        if self.capacity() == 0 {
            return;
        }
        if self.free == NIL {
            self.remove(self.tail);
            self.counters.evictions += 1;
        }
        let slot = self.free;
        self.free = self.next[slot as usize];
        self.key[slot as usize] = key;
        self.expires[slot as usize] = expiry;
        self.slot_of[key as usize] = slot;
        self.push_front(slot);
        self.len += 1;
    }

    /// Empties the cache: the "cache flush" fault (a restart or a `FLUSHALL`),
    /// after which every key misses until it is stored again. The counters
    /// are kept. O(C).
    pub fn flush(&mut self) {
        let mut slot = self.head;
        while slot != NIL {
            self.slot_of[self.key[slot as usize] as usize] = NIL;
            slot = self.next[slot as usize];
        }
        self.head = NIL;
        self.tail = NIL;
        self.len = 0;
        self.reset_free_list();
    }

    /// Chains every slot into the free list, in order.
    fn reset_free_list(&mut self) {
        let c = self.capacity();
        for slot in 0..c {
            self.next[slot as usize] = if slot + 1 < c { slot + 1 } else { NIL };
            self.prev[slot as usize] = NIL;
        }
        self.free = if c > 0 { 0 } else { NIL };
    }

    /// Takes `slot` out of the list, leaving its own links stale.
    fn unlink(&mut self, slot: u32) {
        let (p, n) = (self.prev[slot as usize], self.next[slot as usize]);
        if p == NIL {
            self.head = n;
        } else {
            self.next[p as usize] = n;
        }
        if n == NIL {
            self.tail = p;
        } else {
            self.prev[n as usize] = p;
        }
    }

    /// Makes `slot` the most recently used.
    fn push_front(&mut self, slot: u32) {
        self.prev[slot as usize] = NIL;
        self.next[slot as usize] = self.head;
        if self.head == NIL {
            self.tail = slot;
        } else {
            self.prev[self.head as usize] = slot;
        }
        self.head = slot;
    }

    /// Drops the entry in `slot` and returns the slot to the free list.
    fn remove(&mut self, slot: u32) {
        self.unlink(slot);
        self.slot_of[self.key[slot as usize] as usize] = NIL;
        self.next[slot as usize] = self.free;
        self.free = slot;
        self.len -= 1;
    }
}

/// A service's keyed cache as its requests see it: which key a read asks
/// for, whether it hits, and the recomputations in flight, each stored in
/// the LRU when its job finishes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyedReads {
    zipf: Zipf,
    lru: KeyedCache,
    /// Recomputing job (node, slot, generation) → the key it will store.
    pending: BTreeMap<(u32, u32, u32), u32>,
}

impl KeyedReads {
    pub fn new(keys: u32, s: f64, capacity: u32, ttl_ns: u64) -> KeyedReads {
        KeyedReads {
            zipf: Zipf::new(keys, s),
            lru: KeyedCache::new(keys, capacity.min(keys), ttl_ns),
            pending: BTreeMap::new(),
        }
    }

    /// A read at `now`: the key drawn, and whether it was fresh in the cache.
    pub fn read(&mut self, now: u64, rng: &mut Stream) -> (u32, bool) {
        let key = self.zipf.sample(rng);
        (key, self.lru.lookup(key, now))
    }

    /// `job` recomputes `key`.
    pub fn start(&mut self, job: JobRef, key: u32) {
        self.pending.insert((job.node, job.slot, job.gen), key);
    }

    /// `job` finished its recomputation at `now`: its key is stored. False
    /// when `job` was not recomputing a key.
    pub fn finish(&mut self, job: JobRef, now: u64) -> bool {
        match self.pending.remove(&(job.node, job.slot, job.gen)) {
            Some(key) => {
                self.lru.insert(key, now);
                true
            }
            None => false,
        }
    }

    /// Forgets the recomputations of jobs for which `gone` holds.
    pub fn abandon(&mut self, gone: impl Fn(JobRef) -> bool) {
        self.pending.retain(|&(node, slot, gen), _| !gone(JobRef { node, slot, gen }));
    }

    /// Empties the cache (a cache-flush fault).
    pub fn flush(&mut self) {
        self.lru.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::che_lru_hit_rate;

    /// The cached keys, most recently used first.
    fn order(c: &KeyedCache) -> Vec<u32> {
        let mut keys = Vec::new();
        let mut slot = c.head;
        while slot != NIL {
            keys.push(c.key[slot as usize]);
            slot = c.next[slot as usize];
        }
        keys
    }

    #[test]
    fn lru_order_and_eviction() {
        let mut c = KeyedCache::new(10, 3, u64::MAX);
        assert!(c.is_empty() && c.capacity() == 3);
        assert!(!c.lookup(1, 0));
        for k in [1, 2, 3] {
            c.insert(k, 0);
        }
        assert_eq!(order(&c), [3, 2, 1]);
        assert!(c.lookup(1, 5));
        assert_eq!(order(&c), [1, 3, 2]);
        // Full: 2 is the least recently used and goes.
        c.insert(4, 6);
        assert_eq!(order(&c), [4, 1, 3]);
        assert!(!c.lookup(2, 7));
        // Re-inserting a cached key moves it without evicting.
        c.insert(3, 8);
        assert_eq!(order(&c), [3, 4, 1]);
        assert_eq!(c.len(), 3);
        let n = c.counters;
        assert_eq!((n.hits, n.misses, n.evictions, n.expirations), (1, 2, 1, 0));
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let mut c = KeyedCache::new(10, 2, 100);
        c.insert(7, 1_000);
        assert!(c.lookup(7, 1_099));
        // Fresh strictly before now + ttl.
        assert!(!c.lookup(7, 1_100));
        assert_eq!((c.len(), c.counters.expirations), (0, 1));
        assert!(!c.lookup(7, 1_101));
        assert_eq!(c.counters.expirations, 1);
        // A refresh restarts the clock.
        c.insert(7, 2_000);
        c.insert(7, 2_050);
        assert!(c.lookup(7, 2_140));
        // A huge TTL saturates instead of wrapping.
        let mut forever = KeyedCache::new(4, 1, u64::MAX);
        forever.insert(0, u64::MAX - 1);
        assert!(forever.lookup(0, u64::MAX - 1));
    }

    #[test]
    fn flush_empties_and_the_cache_refills() {
        let mut c = KeyedCache::new(100, 10, u64::MAX);
        for k in 0..25 {
            c.insert(k, k as u64);
        }
        assert_eq!((c.len(), c.counters.evictions), (10, 15));
        c.flush();
        assert!(c.is_empty());
        assert!((0..100).all(|k| !c.lookup(k, 100)));
        for k in 50..60 {
            c.insert(k, 200);
        }
        assert_eq!(order(&c), (50..60).rev().collect::<Vec<_>>());
        assert_eq!(c.counters.evictions, 15);
        // Capacity 0 holds nothing and never breaks.
        let mut none = KeyedCache::new(5, 0, 10);
        none.insert(1, 0);
        assert!(!none.lookup(1, 0) && none.is_empty());
        none.flush();
    }

    #[test]
    fn zipf_draws_follow_the_law() {
        let n = 400_000;
        for s in [0.0, 1.0, 2.5] {
            let z = Zipf::new(8, s);
            assert!(((0..8).map(|k| z.prob(k)).sum::<f64>() - 1.0).abs() < 1e-12);
            let mut rng = Stream::new(11, "zipf");
            let mut counts = [0u32; 8];
            for _ in 0..n {
                counts[z.sample(&mut rng) as usize] += 1;
            }
            for (k, &c) in counts.iter().enumerate() {
                let p = z.prob(k as u32);
                let sd = (n as f64 * p * (1.0 - p)).sqrt();
                assert!((c as f64 - n as f64 * p).abs() < 5.0 * sd + 1.0, "s {s} key {k}: {counts:?}");
            }
        }
        assert_eq!(Zipf::new(1, 1.0).sample(&mut Stream::new(1, "zipf")), 0);
    }

    /// The fraction of hits over `measured` independent Zipf requests, after
    /// `warm_up` requests to fill the cache; a miss stores the key.
    fn measured_hit_rate(keys: u32, capacity: u32, s: f64, seed: u64) -> f64 {
        let (warm_up, measured) = (100_000u64, 1_000_000u64);
        let zipf = Zipf::new(keys, s);
        let mut cache = KeyedCache::new(keys, capacity, u64::MAX);
        let mut rng = Stream::new(seed, "keyed-cache");
        let mut before = cache.counters;
        for i in 0..warm_up + measured {
            if i == warm_up {
                before = cache.counters;
            }
            let (key, now) = (zipf.sample(&mut rng), i * 1_000);
            if !cache.lookup(key, now) {
                cache.insert(key, now);
            }
        }
        (cache.counters.hits - before.hits) as f64 / measured as f64
    }

    #[test]
    fn lru_hit_rate_matches_che() {
        let seed = 20_240_601;
        for (keys, capacity, s) in [(10_000, 500, 0.8), (10_000, 500, 1.2), (10_000, 100, 1.0), (2_000, 400, 0.6)] {
            let measured = measured_hit_rate(keys, capacity, s, seed);
            let che = che_lru_hit_rate(&zipf_probs(keys, s), capacity as f64).unwrap();
            let rel = (measured - che).abs() / che;
            eprintln!("K {keys} C {capacity} s {s}: measured {measured:.4}, Che {che:.4}, rel {rel:.4}");
            assert!(rel < 0.03, "seed {seed} K {keys} C {capacity} s {s}: measured {measured}, Che {che}");
        }
    }
}
