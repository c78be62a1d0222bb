//! What a job passes before its own service time: the cached hot key and
//! the database behind each node's connection pool.

use super::Simulation;
use crate::cache::Lookup;
use crate::db::PoolWaiter;
use crate::event::Event;
use crate::metrics::Counter;
use crate::node::{JobRef, Stage};
use crate::time::secs_to_nanos;

impl Simulation {
    /// A job just taken by a worker: a share of jobs read the hot key; the
    /// others (and the misses) query the database when it is on.
    pub(super) fn before_service(&mut self, job: JobRef) {
        let t = &mut self.tiers[self.nodes[job.node as usize].tier as usize];
        let c = &t.cfg.cache;
        if c.enabled && t.rng_cache.uniform() < c.hot_share {
            if t.keyed.is_some() {
                self.read_keyed(job);
            } else {
                self.read_hot_key(job);
            }
            return;
        }
        if t.cfg.db.enabled {
            let work = secs_to_nanos(t.rng_database.exp(t.cfg.db.query_ms_mean / 1000.0));
            self.acquire(job, work);
            return;
        }
        self.serve_job(job);
    }

    /// The job's own service time, once what it waited for is done.
    fn serve_job(&mut self, key: JobRef) {
        let Some(job) = self.nodes[key.node as usize].jobs.get(key.slot, key.gen) else { return };
        job.stage = Stage::Serving;
        let work = job.work;
        self.serve::<true>(key, work);
    }

    fn read_hot_key(&mut self, key: JobRef) {
        let JobRef { node, slot, gen } = key;
        let tier = self.nodes[node as usize].tier;
        let t = &mut self.tiers[tier as usize];
        match t.cache.lookup(self.now, &t.cfg.cache, &mut t.rng_cache) {
            Lookup::Hit => {
                self.count_at(tier, Counter::CacheHits);
                self.serve_job(key);
            }
            Lookup::Join => {
                self.count_at(tier, Counter::CacheMisses);
                if let Some(job) = self.nodes[node as usize].jobs.get(slot, gen) {
                    job.stage = Stage::Joined;
                    self.tiers[tier as usize].cache.waiters.push(key);
                }
            }
            Lookup::Miss => {
                self.count_at(tier, Counter::CacheMisses);
                self.count_at(tier, Counter::Regenerations);
                self.tiers[tier as usize].cache.start(key, self.now);
                self.recompute(key, tier);
            }
        }
    }

    /// `job` recomputes a cached value (`cache.recompute_ms` of work): at the
    /// database when its service has one, else in its worker before its own
    /// work. The value is stored when the recomputation ends.
    fn recompute(&mut self, job: JobRef, tier: u32) {
        let t = &self.tiers[tier as usize];
        let recompute = secs_to_nanos(t.cfg.cache.recompute_ms / 1000.0);
        let db = t.cfg.db.enabled;
        let Some(j) = self.nodes[job.node as usize].jobs.get(job.slot, job.gen) else { return };
        j.regen = true;
        if db {
            self.acquire(job, recompute);
        } else {
            j.work = j.work.saturating_add(recompute);
            self.serve_job(job);
        }
    }

    /// A read of one of many keys: a hit goes on to the job's own work; a
    /// miss recomputes the key first (at the database when it is on) and
    /// stores it when done.
    fn read_keyed(&mut self, job: JobRef) {
        let tier = self.nodes[job.node as usize].tier;
        let t = &mut self.tiers[tier as usize];
        let Some(k) = t.keyed.as_mut() else { return };
        let (key, hit) = k.read(self.now, &mut t.rng_cache);
        if hit {
            self.count_at(tier, Counter::CacheHits);
            self.serve_job(job);
            return;
        }
        self.count_at(tier, Counter::CacheMisses);
        self.count_at(tier, Counter::Regenerations);
        if let Some(k) = self.tiers[tier as usize].keyed.as_mut() {
            k.start(job, key);
        }
        self.recompute(job, tier);
    }

    /// A recomputation stored its value: the jobs that joined it go on.
    #[inline(never)]
    pub(super) fn regenerated(&mut self, key: JobRef) {
        let tier = self.nodes[key.node as usize].tier as usize;
        let t = &mut self.tiers[tier];
        if let Some(k) = t.keyed.as_mut() {
            k.finish(key, self.now);
            if let Some(job) = self.nodes[key.node as usize].jobs.get(key.slot, key.gen) {
                job.regen = false;
            }
            return;
        }
        if !t.cache.finish(key, self.now, &t.cfg.cache) {
            return;
        }
        if let Some(job) = self.nodes[key.node as usize].jobs.get(key.slot, key.gen) {
            job.regen = false;
        }
        if self.tiers[tier].cache.recomputing() == 0 {
            for waiter in std::mem::take(&mut self.tiers[tier].cache.waiters) {
                if self.is_stage(waiter, Stage::Joined) {
                    self.serve_job(waiter);
                }
            }
        }
    }

    /// A recomputation died with its job: if none is left, the jobs that
    /// joined it read the key again (one of them recomputes it).
    pub(super) fn regeneration_failed(&mut self, tier: u32) {
        if self.tiers[tier as usize].cache.recomputing() > 0 {
            return;
        }
        for waiter in std::mem::take(&mut self.tiers[tier as usize].cache.waiters) {
            if self.is_stage(waiter, Stage::Joined) {
                self.read_hot_key(waiter);
            }
        }
    }

    fn is_stage(&mut self, job: JobRef, stage: Stage) -> bool {
        self.nodes[job.node as usize].jobs.get(job.slot, job.gen).is_some_and(|j| j.stage == stage)
    }

    /// Takes a connection from the node's pool, or waits for one.
    fn acquire(&mut self, job: JobRef, work: u64) {
        let JobRef { node, slot, gen } = job;
        let t = &mut self.tiers[self.nodes[node as usize].tier as usize];
        let db = &t.cfg.db;
        let n = &mut self.nodes[node as usize];
        if n.pool.try_take(db.pool_size) {
            t.db_waits.record(0);
            self.start_query(job, work);
            return;
        }
        let timeout = secs_to_nanos(db.acquire_timeout_ms / 1000.0);
        n.pool.waiters.push_back(PoolWaiter { slot, gen, since: self.now, work });
        if let Some(j) = n.jobs.get(slot, gen) {
            j.stage = Stage::Connecting;
        }
        self.queue.push(self.now + timeout, Event::PoolTimeout { job });
    }

    fn start_query(&mut self, job: JobRef, work: u64) {
        let tier = self.nodes[job.node as usize].tier;
        let t = &mut self.tiers[tier as usize];
        t.db.advance(self.now, &t.cfg.db);
        t.db.sharing.add(job.node, job.slot, job.gen, work);
        if let Some(j) = self.nodes[job.node as usize].jobs.get(job.slot, job.gen) {
            j.stage = Stage::Querying;
        }
        self.reschedule_db(tier);
    }

    fn reschedule_db(&mut self, tier: u32) {
        let t = &mut self.tiers[tier as usize];
        let s = &mut t.db.sharing;
        s.epoch = s.epoch.wrapping_add(1);
        let epoch = s.epoch;
        if let Some(dt) = t.db.time_to_first(&t.cfg.db) {
            self.queue.push(self.now.saturating_add(dt), Event::DbDone { tier, epoch });
        }
    }

    /// The first query finished. Its job goes on to its own service, and its
    /// connection to the next waiter. A query of a job lost in a crash
    /// still ran to its end: the database never knew.
    pub(super) fn on_db_done(&mut self, tier: u32, epoch: u32) {
        let t = &mut self.tiers[tier as usize];
        if t.db.sharing.epoch != epoch {
            return;
        }
        t.db.advance(self.now, &t.cfg.db);
        if let Some((node, slot, gen)) = t.db.sharing.pop_first() {
            let key = JobRef { node, slot, gen };
            if self.is_stage(key, Stage::Querying) {
                self.release_connection(node);
                let regen = self.nodes[node as usize].jobs.get(slot, gen).is_some_and(|j| j.regen);
                if regen {
                    self.regenerated(key);
                }
                self.serve_job(key);
            }
        }
        self.reschedule_db(tier);
    }

    /// Hands a released connection to the first waiter still waiting.
    fn release_connection(&mut self, node: u32) {
        loop {
            let Some(w) = self.nodes[node as usize].pool.waiters.pop_front() else {
                let pool = &mut self.nodes[node as usize].pool;
                pool.in_use = pool.in_use.saturating_sub(1);
                return;
            };
            let job = JobRef { node, slot: w.slot, gen: w.gen };
            if self.is_stage(job, Stage::Connecting) {
                let tier = self.nodes[node as usize].tier as usize;
                self.tiers[tier].db_waits.record(self.now - w.since);
                self.start_query(job, w.work);
                return;
            }
        }
    }

    /// No connection came in time: the attempt fails with an error the
    /// client sees, and the worker is free again.
    pub(super) fn on_pool_timeout(&mut self, job: JobRef) {
        if !self.is_stage(job, Stage::Connecting) {
            return;
        }
        let JobRef { node, slot, gen } = job;
        let tier = self.nodes[node as usize].tier;
        let n = &mut self.nodes[node as usize];
        n.pool.waiters.retain(|w| !(w.slot == slot && w.gen == gen));
        let Some(done) = n.jobs.finish(slot, gen) else { return };
        self.count_at(tier, Counter::DbTimeouts);
        self.trace_served::<true>(done.client, done.token, crate::trace::Outcome::DbTimeout);
        if done.regen && self.tiers[tier as usize].abandon_regen(|k| k == job) {
            self.regeneration_failed(tier);
        }
        if self.client_waits_for::<true>(done.client, done.token) {
            self.count_at(tier, Counter::Errors);
            self.fail_attempt_at::<true>(done.client, done.token);
        }
        self.take_next::<true>(node);
    }
}
