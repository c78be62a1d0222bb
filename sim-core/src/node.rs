//! A server node: a pool of workers in front of a bounded waiting room, with
//! a lifecycle (up, crashed, warming up) and the balancer's view of its health.

use crate::config::NodesConfig;
use crate::db::Pool;
use crate::distribution::ServiceTime;
use crate::rng::Stream;
use crate::sharing::Sharing;
use crate::snapshot::{CpuBreakdown, NodeLife, NodeSnapshot, NodeState};
use crate::time::{secs_to_nanos, NANOS_PER_SEC};
use std::collections::VecDeque;

/// What a node did with an offered attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// A worker is free: the caller starts service now.
    Accepted,
    /// Every worker busy: the attempt waits in the queue.
    Queued,
    /// Workers busy and waiting room full (or the concurrency limit
    /// reached): a 503, no service time.
    Shed,
    /// The node is down: the connection is refused.
    Refused,
}

/// An attempt in the waiting room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiting {
    /// When the client sent it, ns (queueing delay runs from here).
    pub sent: u64,
    pub client: u32,
    pub token: u32,
}

/// One job's identity: its node, its slot in the node's job slab, and the
/// slot's generation when it was taken. Every event and record about a job
/// names it this way, and is stale (ignored) when the slot's generation has
/// moved on: the job finished, failed, or was lost in a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct JobRef {
    pub node: u32,
    pub slot: u32,
    pub gen: u32,
}

impl JobRef {
    /// No job: a client of the outside world has no caller.
    pub const NONE: JobRef = JobRef { node: u32::MAX, slot: 0, gen: 0 };

    /// True for [`JobRef::NONE`].
    #[inline]
    pub fn is_none(self) -> bool {
        self.node == u32::MAX
    }
}

/// An attempt in service, in a slot of the node's job slab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Job {
    pub client: u32,
    pub token: u32,
    /// Its service time, which is also the CPU work it needs at full speed, ns.
    pub work: u64,
    /// Bumped when the slot is taken and when it is freed, so it is odd
    /// while a job is in service, and a completion event for a job lost in a
    /// crash (an older generation) is recognised as stale.
    gen: u32,
    /// What the worker is doing for it.
    pub stage: Stage,
    /// True when it is recomputing the cached hot key.
    pub regen: bool,
    /// Calls still to make (sequential) or to hear back from (parallel).
    pub calls_left: u16,
}

/// What a worker is doing for its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Its own service time (on a core of its own, or processor-shared).
    Serving,
    /// Waiting for a connection from the node's pool.
    Connecting,
    /// Running its query at the database.
    Querying,
    /// Waiting for another job's recomputation of the cached key.
    Joined,
    /// Its own work done, waiting for its calls to other services (the
    /// worker is held: thread-per-request).
    Calling,
}

impl Job {
    #[inline]
    fn active(&self) -> bool {
        self.gen & 1 == 1
    }
}

/// Attempts in service, in recycled slots: memory follows the pool size.
/// Free slots form a list threaded through their `client` field, so taking
/// and returning one touches only the slot and the list head.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Jobs {
    slots: Vec<Job>,
    /// First free slot, `NONE` when every slot is taken.
    free: u32,
    live: u32,
}

/// The end of the free list.
const NONE: u32 = u32::MAX;

impl Default for Jobs {
    fn default() -> Self {
        Jobs { slots: Vec::new(), free: NONE, live: 0 }
    }
}

impl Jobs {
    /// Starts `w`, which needs `work` ns; returns the slot and its
    /// generation for the completion event.
    #[inline]
    pub fn start(&mut self, w: Waiting, work: u64) -> (u32, u32) {
        self.live += 1;
        let i = self.free;
        if i == NONE {
            self.slots.push(Job {
                client: w.client,
                token: w.token,
                work,
                gen: 1,
                stage: Stage::Serving,
                regen: false,
                calls_left: 0,
            });
            return ((self.slots.len() - 1) as u32, 1);
        }
        let slot = &mut self.slots[i as usize];
        self.free = slot.client;
        let gen = slot.gen.wrapping_add(1);
        *slot = Job { client: w.client, token: w.token, work, gen, stage: Stage::Serving, regen: false, calls_left: 0 };
        (i, gen)
    }

    /// Ends the job in `slot` if it is still the one of generation `gen`.
    #[inline]
    pub fn finish(&mut self, slot: u32, gen: u32) -> Option<Job> {
        let job = self.slots.get_mut(slot as usize)?;
        if job.gen != gen {
            return None;
        }
        let done = *job;
        job.gen = gen.wrapping_add(1);
        job.client = self.free;
        self.free = slot;
        self.live -= 1;
        Some(done)
    }

    /// The job in `slot` if it is still the one of generation `gen`.
    #[inline]
    pub fn get(&mut self, slot: u32, gen: u32) -> Option<&mut Job> {
        self.slots.get_mut(slot as usize).filter(|j| j.gen == gen)
    }

    /// Ends every job (a crash), returning them.
    pub fn drain(&mut self) -> Vec<Job> {
        let lost: Vec<Job> = self.slots.iter().filter(|j| j.active()).copied().collect();
        for (i, job) in self.slots.iter_mut().enumerate() {
            if job.active() {
                job.gen = job.gen.wrapping_add(1);
                job.client = self.free;
                self.free = i as u32;
                self.live -= 1;
            }
        }
        lost
    }

    /// Jobs in service.
    #[inline]
    pub fn live(&self) -> u32 {
        self.live
    }
}

/// How long service takes: the service's distribution (exponential in the
/// reference model) with its load-dependent part and slowdowns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ServiceModel(ServiceTime);

impl ServiceModel {
    pub fn new(n: &NodesConfig) -> ServiceModel {
        ServiceModel(n.service_time())
    }

    /// A service time for a node whose service times are `factor` × the
    /// nominal ones plus `extra_s` (1 and 0 for a healthy node at full speed
    /// without load-dependent latency: the exponential draw is then exactly
    /// the reference model's, so its figures are unchanged).
    #[inline(always)]
    pub fn sample_ns(&self, factor: f64, extra_s: f64, rng: &mut Stream) -> u64 {
        // The reference model's draw inline; the other shapes out of line.
        if self.0.dist == crate::distribution::ServiceDist::Exponential {
            return secs_to_nanos(rng.exp((self.0.mean_s + extra_s) * factor));
        }
        secs_to_nanos(self.0.sample_s(extra_s, factor, rng))
    }
}

/// CPU time of one node, in core-nanoseconds: useful work, work for clients
/// that had given up, and context switching.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct CpuTime {
    pub useful: f64,
    pub wasted: f64,
    pub switching: f64,
}

/// `(per-job speed, busy cores, useful share)` with `n` jobs on `cores`.
#[inline]
pub(crate) fn sharing_rates(n: u32, cores: u32, switch_overhead: f64) -> (f64, f64, f64) {
    if n <= cores {
        return (1.0, n as f64, 1.0);
    }
    let useful = 1.0 / (1.0 + switch_overhead * (n - cores) as f64);
    (cores as f64 * useful / n as f64, cores as f64, useful)
}

/// Where a node is in its life.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Life {
    /// Serving at full speed.
    Up,
    /// Crashed; accepts work again at `until`.
    Down { since: u64, until: u64 },
    /// Restarted at `since`; speed rises linearly from `capacity` to 1 at `until`.
    Warming { since: u64, until: u64, capacity: f64 },
}

/// The balancer's health record of a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Health {
    pub ejected: bool,
    /// Failed probes in a row.
    pub fails: u32,
    /// Passed probes in a row.
    pub passes: u32,
    /// Number of the last probe sent as a request (`health.probe_mode`).
    pub probe_seq: u32,
    /// True while that probe is unanswered.
    pub probe_out: bool,
}

/// One node's state.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// The service (tier) the node belongs to.
    pub tier: u32,
    pub workers: u32,
    pub queue_capacity: u32,
    pub queue: VecDeque<Waiting>,
    pub jobs: Jobs,
    pub served: u64,
    pub rejected: u64,
    /// Service-time multiplier of a slow node (1 for a normal one).
    pub slow: f64,
    pub life: Life,
    pub crashes: u64,
    pub health: Health,
    /// Last instant the waiting room was seen empty (CoDel's reference).
    pub last_empty: u64,
    /// Processor sharing state (used when the CPU model is on).
    pub sharing: Sharing,
    /// Connections to the database (used when it is on).
    pub pool: Pool,
    /// CPU time in the current second, and in the last whole one.
    pub cpu: CpuTime,
    pub cpu_last: CpuTime,
    /// Instant of the last 503, for the "shedding" state.
    last_shed: Option<u64>,
}

impl Node {
    pub fn new(n: &NodesConfig, slow: bool, tier: u32) -> Node {
        Node {
            tier,
            workers: n.workers,
            queue_capacity: n.queue_capacity,
            queue: VecDeque::new(),
            jobs: Jobs::default(),
            served: 0,
            rejected: 0,
            slow: if slow { n.slow_factor } else { 1.0 },
            life: Life::Up,
            crashes: 0,
            health: Health::default(),
            last_empty: 0,
            sharing: Sharing::default(),
            pool: Pool::default(),
            cpu: CpuTime::default(),
            cpu_last: CpuTime::default(),
            last_shed: None,
        }
    }

    /// Moves the node's processor sharing to `now`, booking the CPU spent
    /// switching meanwhile.
    pub fn advance_cpu(&mut self, now: u64, cores: u32, overhead: f64) {
        let n = self.sharing.len();
        let (speed, busy_cores, useful) = sharing_rates(n, cores, overhead);
        let dt = self.sharing.advance(now, speed);
        self.cpu.switching += dt * busy_cores * (1.0 - useful);
    }

    /// Real time until the first processor-shared job finishes, ns.
    pub fn time_to_first_cpu(&self, cores: u32, overhead: f64) -> Option<u64> {
        let (speed, _, _) = sharing_rates(self.sharing.len(), cores, overhead);
        self.sharing.time_to_first(speed)
    }

    /// Closes the current second's CPU account.
    pub fn roll_cpu(&mut self) {
        self.cpu_last = std::mem::take(&mut self.cpu);
    }

    /// Workers serving an attempt.
    #[inline]
    pub fn busy(&self) -> u32 {
        self.jobs.live()
    }

    /// Attempts held: in service and waiting.
    #[inline]
    pub fn held(&self) -> u64 {
        self.jobs.live() as u64 + self.queue.len() as u64
    }

    /// True while crashed.
    #[inline]
    pub fn is_down(&self) -> bool {
        matches!(self.life, Life::Down { .. })
    }

    /// Offers an attempt. The reference's rule: a 503 iff every worker is
    /// busy and the waiting room holds `queue_capacity` attempts or more
    /// (more is possible right after the capacity was lowered mid-run).
    /// `limit` caps what the node holds in all (the concurrency limit).
    #[inline]
    pub fn admit(&mut self, now: u64, w: Waiting, limit: Option<u64>) -> Admission {
        if self.is_down() {
            return Admission::Refused;
        }
        if limit.is_some_and(|l| self.held() >= l) {
            return self.shed(now);
        }
        if self.busy() < self.workers {
            return Admission::Accepted;
        }
        if self.queue.len() >= self.queue_capacity as usize {
            return self.shed(now);
        }
        if self.queue.is_empty() {
            self.last_empty = now;
        }
        self.queue.push_back(w);
        Admission::Queued
    }

    fn shed(&mut self, now: u64) -> Admission {
        self.rejected += 1;
        self.last_shed = Some(now);
        Admission::Shed
    }

    /// Counts a 503 given to a queued attempt (CoDel).
    pub fn note_shed(&mut self, now: u64) {
        self.shed(now);
    }

    /// Takes the next waiting attempt if a worker is free: the head, or the
    /// newest one when adaptive LIFO is on and more than `lifo_above` wait.
    #[inline]
    pub fn pop_waiting(&mut self, now: u64, lifo_above: Option<usize>) -> Option<Waiting> {
        if self.busy() >= self.workers {
            return None;
        }
        let w = match lifo_above {
            Some(n) if self.queue.len() > n => self.queue.pop_back(),
            _ => self.queue.pop_front(),
        }?;
        if self.queue.is_empty() {
            self.last_empty = now;
        }
        Some(w)
    }

    /// Service-time multiplier now: slow nodes and warming nodes take longer.
    /// Ends the warm-up once it is over.
    #[inline]
    pub fn service_factor(&mut self, now: u64) -> f64 {
        match self.life {
            Life::Warming { since, until, capacity } => {
                if now >= until {
                    self.life = Life::Up;
                    return self.slow;
                }
                let progress = (now - since) as f64 / (until - since) as f64;
                self.slow / (capacity + (1.0 - capacity) * progress)
            }
            _ => self.slow,
        }
    }

    /// Kills the node at `now` until `now + restart_ns`; returns what it held.
    pub fn crash(&mut self, now: u64, restart_ns: u64) -> (Vec<Waiting>, Vec<Job>) {
        self.crashes += 1;
        self.life = Life::Down { since: now, until: now + restart_ns };
        let queued: Vec<Waiting> = self.queue.drain(..).collect();
        self.sharing.clear();
        self.pool.reset();
        (queued, self.jobs.drain())
    }

    /// Back up after a crash, warming up for `warmup_ns` from `capacity`.
    pub fn restart(&mut self, now: u64, warmup_ns: u64, capacity: f64) {
        self.last_empty = now;
        self.life = if warmup_ns == 0 || capacity >= 1.0 {
            Life::Up
        } else {
            Life::Warming { since: now, until: now + warmup_ns, capacity }
        };
    }

    /// Wait of the oldest queued attempt: what a health probe entering the
    /// queue would now expect to wait. `None` when the node is down.
    pub fn probe_latency(&self, now: u64) -> Option<u64> {
        if self.is_down() {
            return None;
        }
        Some(self.queue.front().map_or(0, |w| now.saturating_sub(w.sent)))
    }

    /// Life stage and progress through it (restart or warm-up), 0 to 1.
    fn life_now(&self, now: u64) -> (NodeLife, Option<f32>) {
        let progress = |since: u64, until: u64| {
            let span = until.saturating_sub(since).max(1);
            Some((now.saturating_sub(since) as f64 / span as f64).min(1.0) as f32)
        };
        match self.life {
            Life::Up => (NodeLife::Up, None),
            Life::Down { since, until } => (NodeLife::Crashed, progress(since, until)),
            Life::Warming { until, .. } if now >= until => (NodeLife::Up, None),
            Life::Warming { since, until, .. } => (NodeLife::Warming, progress(since, until)),
        }
    }

    pub fn snapshot(&self, now: u64) -> NodeSnapshot {
        let (life, progress) = self.life_now(now);
        let shedding = self.last_shed.is_some_and(|t| now.saturating_sub(t) < NANOS_PER_SEC);
        let state = if life == NodeLife::Crashed {
            NodeState::Crashed
        } else if self.health.ejected {
            NodeState::Ejected
        } else if life == NodeLife::Warming {
            NodeState::Warming
        } else if shedding {
            NodeState::Shedding
        } else if self.busy() >= self.workers || !self.queue.is_empty() {
            NodeState::Saturated
        } else if self.busy() > 0 {
            NodeState::Busy
        } else {
            NodeState::Idle
        };
        NodeSnapshot {
            busy: self.busy(),
            workers: self.workers,
            queued: self.queue.len() as u32,
            queue_capacity: self.queue_capacity,
            state,
            served: self.served,
            rejected: self.rejected,
            life,
            progress,
            ejected: self.health.ejected,
            crashes: self.crashes,
            speed: (1.0 / self.slow) as f32,
            pool_in_use: self.pool.in_use,
            pool_waiting: self.pool.waiters.len() as u32,
            cpu: CpuBreakdown {
                useful: (self.cpu_last.useful / NANOS_PER_SEC as f64) as f32,
                wasted: (self.cpu_last.wasted / NANOS_PER_SEC as f64) as f32,
                switching: (self.cpu_last.switching / NANOS_PER_SEC as f64) as f32,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(workers: u32, queue_capacity: u32) -> NodesConfig {
        NodesConfig { count: 1, workers, queue_capacity, ..NodesConfig::default() }
    }

    impl Node {
        fn new_test(n: &NodesConfig, slow: bool) -> Node {
            Node::new(n, slow, 0)
        }
    }

    fn admit_and_start(n: &mut Node, now: u64, w: Waiting) -> Admission {
        let a = n.admit(now, w, None);
        if a == Admission::Accepted {
            n.jobs.start(w, 0);
        }
        a
    }

    #[test]
    fn admission_accepts_then_queues_then_sheds() {
        let mut n = Node::new_test(&cfg(1, 1), false);
        let w = Waiting { sent: 0, client: 0, token: 0 };
        assert_eq!(admit_and_start(&mut n, 0, w), Admission::Accepted);
        assert_eq!(admit_and_start(&mut n, 0, w), Admission::Queued);
        assert_eq!(admit_and_start(&mut n, 0, w), Admission::Shed);
        assert_eq!(n.snapshot(0).state, NodeState::Shedding);
        assert_eq!(n.snapshot(2 * NANOS_PER_SEC).state, NodeState::Saturated);
        assert!(n.jobs.finish(0, 1).is_some());
        assert_eq!(n.pop_waiting(0, None), Some(w));
        n.jobs.start(w, 0);
        assert!(n.jobs.finish(0, 3).is_some());
        assert_eq!(n.pop_waiting(0, None), None);
        assert_eq!(n.snapshot(5 * NANOS_PER_SEC).state, NodeState::Idle);
    }

    #[test]
    fn zero_queue_sheds_when_busy() {
        let mut n = Node::new_test(&cfg(2, 0), false);
        let w = Waiting { sent: 0, client: 0, token: 0 };
        assert_eq!(admit_and_start(&mut n, 0, w), Admission::Accepted);
        assert_eq!(admit_and_start(&mut n, 0, w), Admission::Accepted);
        assert_eq!(admit_and_start(&mut n, 0, w), Admission::Shed);
    }

    #[test]
    fn concurrency_limit_counts_queued_and_busy() {
        let mut n = Node::new_test(&cfg(1, 100), false);
        let w = Waiting { sent: 0, client: 0, token: 0 };
        assert_eq!(n.admit(0, w, Some(2)), Admission::Accepted);
        n.jobs.start(w, 0);
        assert_eq!(n.admit(0, w, Some(2)), Admission::Queued);
        assert_eq!(n.admit(0, w, Some(2)), Admission::Shed);
    }

    #[test]
    fn crash_loses_everything_and_stales_completions() {
        let mut n = Node::new_test(&cfg(1, 10), false);
        let w = |client| Waiting { sent: 0, client, token: 0 };
        admit_and_start(&mut n, 0, w(1));
        admit_and_start(&mut n, 0, w(2));
        let (queued, jobs) = n.crash(5, 100);
        assert_eq!((queued.len(), jobs.len()), (1, 1));
        assert_eq!(n.admit(50, w(3), None), Admission::Refused);
        assert_eq!(n.snapshot(50).state, NodeState::Crashed);
        assert_eq!(n.snapshot(55).progress, Some(0.5));
        assert_eq!(n.jobs.finish(0, 1), None, "the lost job's completion is stale");
        n.restart(105, 1000, 0.5);
        assert_eq!(n.snapshot(105).state, NodeState::Warming);
        assert_eq!(n.service_factor(105), 2.0);
        assert!((n.service_factor(605) - 1.0 / 0.75).abs() < 1e-12);
        assert_eq!(n.service_factor(1105), 1.0);
        assert_eq!(n.life, Life::Up);
    }

    #[test]
    fn switching_overhead_follows_the_excess_threads() {
        assert_eq!(sharing_rates(2, 4, 0.5), (1.0, 2.0, 1.0));
        let (speed, cores, useful) = sharing_rates(3, 1, 0.5);
        assert_eq!((cores, useful), (1.0, 0.5));
        assert!((speed - 1.0 / 6.0).abs() < 1e-12);
        let mut n = Node::new_test(&cfg(8, 10), false);
        for slot in 0..3 {
            n.sharing.add(0, slot, 1, 1_000);
        }
        n.advance_cpu(1_200, 1, 0.5);
        assert_eq!(n.cpu.switching, 600.0);
        assert_eq!(n.time_to_first_cpu(1, 0.5), Some(4_800));
    }

    #[test]
    fn adaptive_lifo_serves_newest_under_backlog() {
        let mut n = Node::new_test(&cfg(1, 10), false);
        let w = |client| Waiting { sent: 0, client, token: 0 };
        admit_and_start(&mut n, 0, w(0));
        for c in 1..=3 {
            admit_and_start(&mut n, 0, w(c));
        }
        n.jobs.finish(0, 1);
        assert_eq!(n.pop_waiting(0, Some(2)).map(|w| w.client), Some(3));
        n.jobs.start(w(3), 0);
        n.jobs.finish(0, 3);
        assert_eq!(n.pop_waiting(0, Some(2)).map(|w| w.client), Some(1), "FIFO again at 2 waiting");
    }
}
