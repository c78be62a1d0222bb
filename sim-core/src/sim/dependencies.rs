//! What a job passes before its own service time: the cached hot key and
//! the database behind each node's connection pool.

use super::Simulation;
use crate::cache::Lookup;
use crate::db::PoolWaiter;
use crate::event::Event;
use crate::metrics::Counter;
use crate::node::Stage;
use crate::time::secs_to_nanos;

/// A job by node, slot and generation.
type JobKey = (u32, u32, u32);

impl Simulation {
    /// A job just taken by a worker: a share of jobs read the hot key; the
    /// others (and the misses) query the database when it is on.
    pub(super) fn before_service(&mut self, node: u32, slot: u32, gen: u32) {
        let c = &self.config.cache;
        if c.enabled && self.streams.cache.uniform() < c.hot_share {
            self.read_hot_key((node, slot, gen));
            return;
        }
        if self.config.db.enabled {
            let work = secs_to_nanos(self.streams.database.exp(self.config.db.query_ms_mean / 1000.0));
            self.acquire(node, slot, gen, work);
            return;
        }
        self.serve_job((node, slot, gen));
    }

    /// The job's own service time, once what it waited for is done.
    fn serve_job(&mut self, (node, slot, gen): JobKey) {
        let Some(job) = self.nodes[node as usize].jobs.get(slot, gen) else { return };
        job.stage = Stage::Serving;
        let work = job.work;
        self.serve(node, slot, gen, work);
    }

    fn read_hot_key(&mut self, key: JobKey) {
        let (node, slot, gen) = key;
        match self.cache.lookup(self.now, &self.config.cache, &mut self.streams.cache) {
            Lookup::Hit => {
                self.count(Counter::CacheHits);
                self.serve_job(key);
            }
            Lookup::Join => {
                self.count(Counter::CacheMisses);
                if let Some(job) = self.nodes[node as usize].jobs.get(slot, gen) {
                    job.stage = Stage::Joined;
                    self.cache.waiters.push(key);
                }
            }
            Lookup::Miss => {
                self.count(Counter::CacheMisses);
                self.count(Counter::Regenerations);
                self.cache.start(key, self.now);
                let recompute = secs_to_nanos(self.config.cache.recompute_ms / 1000.0);
                let Some(job) = self.nodes[node as usize].jobs.get(slot, gen) else { return };
                job.regen = true;
                if self.config.db.enabled {
                    self.acquire(node, slot, gen, recompute);
                } else {
                    // No database: the worker recomputes the value itself.
                    job.work = job.work.saturating_add(recompute);
                    self.serve_job(key);
                }
            }
        }
    }

    /// A recomputation stored its value: the jobs that joined it go on.
    #[inline(never)]
    pub(super) fn regenerated(&mut self, key: JobKey) {
        if !self.cache.finish(key, self.now, &self.config.cache) {
            return;
        }
        if let Some(job) = self.nodes[key.0 as usize].jobs.get(key.1, key.2) {
            job.regen = false;
        }
        if self.cache.recomputing() == 0 {
            for waiter in std::mem::take(&mut self.cache.waiters) {
                if self.is_stage(waiter, Stage::Joined) {
                    self.serve_job(waiter);
                }
            }
        }
    }

    /// A recomputation died with its job: if none is left, the jobs that
    /// joined it read the key again (one of them recomputes it).
    pub(super) fn regeneration_failed(&mut self) {
        if self.cache.recomputing() > 0 {
            return;
        }
        for waiter in std::mem::take(&mut self.cache.waiters) {
            if self.is_stage(waiter, Stage::Joined) {
                self.read_hot_key(waiter);
            }
        }
    }

    fn is_stage(&mut self, (node, slot, gen): JobKey, stage: Stage) -> bool {
        self.nodes[node as usize].jobs.get(slot, gen).is_some_and(|j| j.stage == stage)
    }

    /// Takes a connection from the node's pool, or waits for one.
    fn acquire(&mut self, node: u32, slot: u32, gen: u32, work: u64) {
        let db = &self.config.db;
        let n = &mut self.nodes[node as usize];
        if n.pool.try_take(db.pool_size) {
            self.db_waits.record(0);
            self.start_query(node, slot, gen, work);
            return;
        }
        let timeout = secs_to_nanos(db.acquire_timeout_ms / 1000.0);
        n.pool.waiters.push_back(PoolWaiter { slot, gen, since: self.now, work });
        if let Some(job) = n.jobs.get(slot, gen) {
            job.stage = Stage::Connecting;
        }
        self.queue.push(self.now + timeout, Event::PoolTimeout { node, slot, gen });
    }

    fn start_query(&mut self, node: u32, slot: u32, gen: u32, work: u64) {
        self.db.advance(self.now, &self.config.db);
        self.db.sharing.add(node, slot, gen, work);
        if let Some(job) = self.nodes[node as usize].jobs.get(slot, gen) {
            job.stage = Stage::Querying;
        }
        self.reschedule_db();
    }

    fn reschedule_db(&mut self) {
        let s = &mut self.db.sharing;
        s.epoch = s.epoch.wrapping_add(1);
        let epoch = s.epoch;
        if let Some(dt) = self.db.time_to_first(&self.config.db) {
            self.queue.push(self.now.saturating_add(dt), Event::DbDone { epoch });
        }
    }

    /// The first query finished. Its job goes on to its own service, and its
    /// connection to the next waiter. A query of a job lost in a crash
    /// still ran to its end: the database never knew.
    pub(super) fn on_db_done(&mut self, epoch: u32) {
        if self.db.sharing.epoch != epoch {
            return;
        }
        self.db.advance(self.now, &self.config.db);
        if let Some(key) = self.db.sharing.pop_first() {
            if self.is_stage(key, Stage::Querying) {
                self.release_connection(key.0);
                let regen = self.nodes[key.0 as usize].jobs.get(key.1, key.2).is_some_and(|j| j.regen);
                if regen {
                    self.regenerated(key);
                }
                self.serve_job(key);
            }
        }
        self.reschedule_db();
    }

    /// Hands a released connection to the first waiter still waiting.
    fn release_connection(&mut self, node: u32) {
        loop {
            let Some(w) = self.nodes[node as usize].pool.waiters.pop_front() else {
                let pool = &mut self.nodes[node as usize].pool;
                pool.in_use = pool.in_use.saturating_sub(1);
                return;
            };
            if self.is_stage((node, w.slot, w.gen), Stage::Connecting) {
                self.db_waits.record(self.now - w.since);
                self.start_query(node, w.slot, w.gen, w.work);
                return;
            }
        }
    }

    /// No connection came in time: the attempt fails with an error the
    /// client sees, and the worker is free again.
    pub(super) fn on_pool_timeout(&mut self, node: u32, slot: u32, gen: u32) {
        if !self.is_stage((node, slot, gen), Stage::Connecting) {
            return;
        }
        let n = &mut self.nodes[node as usize];
        n.pool.waiters.retain(|w| !(w.slot == slot && w.gen == gen));
        let Some(job) = n.jobs.finish(slot, gen) else { return };
        self.count(Counter::DbTimeouts);
        if job.regen && self.cache.abandon(|k| k == (node, slot, gen)) {
            self.regeneration_failed();
        }
        if self.client_waits_for(job.client, job.token) {
            self.count(Counter::Errors);
            self.fail_attempt(job.client, job.token);
        }
        if let Some(w) = self.next_waiting(node) {
            self.waits.record(self.now - w.sent);
            self.start_service(node, w);
        }
    }
}
