//! Every lesson, in menu order. Each scenario starts from
//! [`Config::playground`] (the reference steady scenario: 4 nodes × 32
//! workers at 10 ms, 12,800 req/s of capacity, 10,000 req/s offered); the
//! figures in the stories are those the checks look for, measured by
//! `brink lesson NAME --check` on the seed below.

use super::{Check, Cmp, Cond, Lesson, Metric, Step};
use crate::config::{CallConfig, ClientConfig, Fault, FaultKind, ServiceConfig, TrafficShape};
use crate::metrics::Counter;
use crate::{Backoff, Config, LbPolicy};

const fn cond(metric: Metric, cmp: Cmp, value: f64) -> Cond {
    Cond { metric, cmp, value }
}

/// `all` holding for `hold_s` seconds in a row, from `after_s` into the step.
const fn holds(all: &'static [Cond], hold_s: u32, after_s: u32) -> Check {
    Check::Holds { all, hold_s, after_s }
}

const GOODPUT_OK: Cond = cond(Metric::GoodputShare, Cmp::AtLeast, 0.9);

fn fault(at_s: f64, kind: FaultKind, duration_s: f64, magnitude: f64) -> Fault {
    Fault { kind, duration_s, magnitude, ..Fault::crash(at_s, 0) }
}

fn phase_transition() -> Config {
    Config::playground()
}

fn retry_storm() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 11_000.0;
    (c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s) = (1.5, 10.0, 20.0);
    c.nodes.queue_capacity = 5_000;
    c.client.backoff = Backoff::None;
    c
}

fn retry_waves() -> Config {
    let mut c = Config::playground();
    c.traffic.shape = TrafficShape::Bursts;
    (c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s) = (10.0, 5.0, 5.2);
    c.traffic.period_s = 30.0;
    c.client.backoff = Backoff::Fixed;
    c.client.backoff_base_ms = 2_000.0;
    c.client.backoff_cap_ms = 2_000.0;
    c.client.attempts = 6;
    c.nodes.queue_capacity = 64;
    c
}

fn cascade() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 10_240.0;
    c.nodes.queue_capacity = 5_000;
    c.crash.enabled = true;
    c.crash.memory_limit_mb = 250.0;
    c.health.enabled = true;
    c.faults = vec![Fault::crash(10.0, 0)];
    c
}

fn sinkhole() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 8_000.0;
    c.balancer.policy = LbPolicy::LeastOutstanding;
    c.crash.restart_s = 300.0;
    c.faults = vec![Fault::crash(10.0, 0)];
    c
}

fn reboot_loop() -> Config {
    let mut c = cascade();
    c.traffic.rate_per_s = 10_500.0;
    c.health.enabled = false;
    c
}

fn stampede() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 2_000.0;
    c.db.enabled = true;
    c.cache.enabled = true;
    c.cache.ttl_s = 5.0;
    c.cache.recompute_ms = 200.0;
    c
}

fn cold_cache() -> Config {
    let mut c = Config::playground();
    // Ramp from 250 to 2,500 req/s over the first 20 s, so the cache warms
    // with the load: at full load from cold it would never warm.
    c.traffic.rate_per_s = 250.0;
    c.traffic.shape = TrafficShape::Ramp;
    (c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s) = (10.0, 0.0, 20.0);
    c.db.enabled = true;
    c.cache.enabled = true;
    c.cache.hot_share = 1.0;
    c.cache.keys = 10_000;
    c.cache.capacity = 5_000;
    c.cache.zipf_s = 1.0;
    c.cache.ttl_s = 3_600.0;
    c.cache.recompute_ms = 25.0;
    c.faults = vec![fault(30.0, FaultKind::CacheFlush, 0.0, 0.0)];
    c
}

fn db_scaling() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 20_000.0;
    c.db.enabled = true;
    c.db.query_ms_mean = 1.0;
    c
}

fn connection_pool() -> Config {
    let mut c = Config::playground();
    // A one-second burst every 20 s: a database with room for 40 queries
    // rides it out, one with room for 400 is pushed past its peak for good.
    c.traffic.rate_per_s = 6_000.0;
    c.traffic.shape = TrafficShape::Bursts;
    (c.traffic.spike_mult, c.traffic.spike_start_s, c.traffic.spike_end_s) = (2.0, 5.0, 6.0);
    c.traffic.period_s = 20.0;
    c.db.enabled = true;
    c.db.query_ms_mean = 1.0;
    c.db.pool_size = 1;
    c
}

fn thread_pool() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 20_000.0;
    c.nodes.workers = 256;
    c.cpu.enabled = true;
    c
}

fn throughput_not_goodput() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 25_600.0;
    c.client.attempts = 1;
    c.nodes.queue_capacity = 200_000;
    c
}

fn tenfold() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 1_500.0;
    c.traffic.shape = TrafficShape::Tenfold;
    c.traffic.spike_start_s = 10.0;
    c.nodes.queue_capacity = 20_000;
    c.client.backoff = Backoff::None;
    c
}

fn client(attempts: u32, timeout_s: f64) -> ClientConfig {
    ClientConfig { attempts, timeout_s, ..ClientConfig::default() }
}

fn service(name: &str, count: u32, service_ms: f64, calls: Vec<CallConfig>) -> ServiceConfig {
    let mut s = ServiceConfig { name: name.to_string(), calls, ..ServiceConfig::default() };
    s.nodes.count = count;
    s.nodes.service_ms_mean = service_ms;
    s
}

fn three_tiers() -> Config {
    let mut c = Config::playground();
    c.traffic.rate_per_s = 3_000.0;
    c.client = client(3, 1.0);
    let gateway = service("gateway", 4, 2.0, vec![CallConfig { to: "api".into(), client: client(3, 0.8) }]);
    let api = service("api", 4, 2.0, vec![CallConfig { to: "db".into(), client: client(3, 0.5) }]);
    let mut db = service("db", 2, 5.0, Vec::new());
    db.nodes.queue_capacity = 5_000;
    c.services = vec![gateway, api, db];
    c.faults = vec![Fault { service: "db".into(), ..fault(10.0, FaultKind::LatencySpike, 3_000.0, 10.0) }];
    c
}

fn p50_lies() -> Config {
    let mut c = Config::playground();
    c.client.attempts = 1;
    c.faults = vec![fault(10.0, FaultKind::ErrorInjection, 3_000.0, 0.6)];
    c
}

/// Every lesson, in menu order.
pub const LESSONS: [Lesson; 15] = [
    Lesson {
        name: "phase-transition",
        title: "The cliff past capacity",
        story: "Four nodes serve 12,800 req/s: below that goodput follows the offered load, past it queues fill, goodput stops dead and the failures and retries climb. \
                Raise the arrival rate step by step and watch where goodput stops following.",
        build: phase_transition,
        steps: &[
            Step {
                text: "At 10,000 req/s goodput follows the offered load.",
                change: &[],
                check: holds(&[cond(Metric::GoodputShare, Cmp::AtLeast, 0.97)], 10, 0),
                limit_s: 30,
            },
            Step {
                text: "Raise the arrival rate to 12,000 req/s, 94% of capacity: goodput still follows.",
                change: &[("traffic.rate_per_s", "12000")],
                check: holds(&[cond(Metric::GoodputShare, Cmp::AtLeast, 0.97)], 10, 0),
                limit_s: 30,
            },
            Step {
                text: "Raise it to 16,000 req/s: goodput stops at capacity, and every request past it fails, retries and all.",
                change: &[("traffic.rate_per_s", "16000")],
                check: holds(&[cond(Metric::GoodputShare, Cmp::Below, 0.85), cond(Metric::Amplification, Cmp::AtLeast, 1.3)], 5, 0),
                limit_s: 30,
            },
        ],
    },
    Lesson {
        name: "metastable-retry-storm",
        title: "A retry storm outlives its trigger",
        story: "At 10 s a 10-second spike overfills deep queues: waits outgrow the client timeout, nodes serve answers nobody waits for, and retries keep it so long after the spike. \
                Watch goodput stay down at the normal rate, then cut the queue capacity or the attempts and watch it return.",
        build: retry_storm,
        steps: &[
            Step {
                text: "Watch the spike end at 20 s while goodput stays below half the offered load.",
                change: &[],
                check: holds(&[cond(Metric::GoodputShare, Cmp::Below, 0.5)], 10, 25),
                limit_s: 60,
            },
            Step {
                text: "Cut the queue capacity to 256 per node: the nodes shed the excess and goodput returns.",
                change: &[("nodes.queue_capacity", "256")],
                check: holds(&[GOODPUT_OK], 10, 0),
                limit_s: 60,
            },
        ],
    },
    Lesson {
        name: "retry-waves",
        title: "Fixed-interval retries arrive in waves",
        story: "Every 30 s a 200 ms burst at ten times the load is turned away, and every attempt is retried exactly 2 s later, together with the others: the retries arrive in waves. \
                Watch the waves in the per-second and the 100 ms views, then switch the backoff to full jitter and watch them spread.",
        build: retry_waves,
        steps: &[
            Step {
                text: "Watch the retries arrive 2 s after each burst, then again 2 s later, in the per-second chart.",
                change: &[],
                check: Check::Waves { cmp: Cmp::AtLeast, ratio: 0.5, window_s: 10, after_s: 0, fine: false },
                limit_s: 40,
            },
            Step {
                text: "In the 100 ms view each wave is as sharp as the burst: thousands of retries in one or two buckets.",
                change: &[],
                check: Check::Waves { cmp: Cmp::AtLeast, ratio: 4.0, window_s: 10, after_s: 0, fine: true },
                limit_s: 40,
            },
            Step {
                text: "Switch the backoff to full jitter: each retry waits a random share of the interval, and no 100 ms bucket gets a wave.",
                change: &[("client.backoff", "full-jitter")],
                check: Check::Waves { cmp: Cmp::Below, ratio: 2.5, window_s: 30, after_s: 0, fine: true },
                limit_s: 70,
            },
        ],
    },
    Lesson {
        name: "lb-cascade",
        title: "The balancer finishes off the survivors",
        story: "At 10 s node 1 crashes; health checks eject it, then eject the survivors as their queues grow slow and deep, until they run out of memory too. \
                Watch nodes ejected while up and crashing in turn, then cap the queues so that the survivors shed instead of sinking.",
        build: cascade,
        steps: &[
            Step {
                text: "Watch the survivors get ejected while up, and crash.",
                change: &[],
                check: holds(&[cond(Metric::NodesCrashed, Cmp::AtLeast, 2.0)], 1, 11),
                limit_s: 60,
            },
            Step {
                text: "Cap the queues at 256 per node: the fleet recovers and goodput returns.",
                change: &[("nodes.queue_capacity", "256")],
                check: holds(&[GOODPUT_OK, cond(Metric::NodesCrashed, Cmp::Below, 1.0)], 10, 0),
                limit_s: 90,
            },
        ],
    },
    Lesson {
        name: "least-outstanding-sinkhole",
        title: "A node that fails fast looks idle",
        story: "At 10 s node 1 dies and refuses every attempt at once, so it holds nothing and the least-outstanding balancer sends it nearly everything. \
                Watch goodput sink into the dead node, then switch to round-robin, or turn health checks on, and watch it return.",
        build: sinkhole,
        steps: &[
            Step {
                text: "Watch goodput fall while three healthy nodes sit idle.",
                change: &[],
                check: holds(&[cond(Metric::GoodputShare, Cmp::Below, 0.5)], 5, 10),
                limit_s: 30,
            },
            Step {
                text: "Switch the balancer to round-robin: a quarter of the attempts fail and their retries succeed.",
                change: &[("balancer.policy", "round-robin")],
                check: holds(&[cond(Metric::GoodputShare, Cmp::AtLeast, 0.95)], 10, 0),
                limit_s: 30,
            },
        ],
    },
    Lesson {
        name: "reboot-loop",
        title: "An infinite reboot loop",
        story: "At 10 s node 1 crashes: its share lands on the others, whose deep queues outgrow 250 MiB of memory, so they crash in turn and each node that restarts is flooded again at once. \
                Watch the fleet crash again and again, then cap the queues at 256 and watch it recover on its own.",
        build: reboot_loop,
        steps: &[
            Step {
                text: "Watch node after node crash, and goodput collapse.",
                change: &[],
                check: holds(&[cond(Metric::NodesCrashed, Cmp::AtLeast, 2.0), cond(Metric::GoodputShare, Cmp::Below, 0.5)], 1, 11),
                limit_s: 60,
            },
            Step {
                text: "Cap the queues at 256 per node: nodes shed 503s instead of hoarding memory, and the fleet comes back.",
                change: &[("nodes.queue_capacity", "256")],
                check: holds(&[GOODPUT_OK, cond(Metric::NodesCrashed, Cmp::Below, 1.0)], 10, 0),
                limit_s: 90,
            },
        ],
    },
    Lesson {
        name: "thundering-herd",
        title: "A thundering herd at each expiry",
        story: "Every 5 s the hot key expires and every read in the next 200 ms recomputes it, so the database takes a herd of identical queries and goodput drops at each expiry. \
                Watch the recomputations jump, then turn on coalescing and watch one recomputation per expiry.",
        build: stampede,
        steps: &[
            Step {
                text: "Watch dozens of recomputations start in one second when the key expires.",
                change: &[],
                check: holds(&[cond(Metric::Count(Counter::Regenerations), Cmp::AtLeast, 30.0)], 1, 0),
                limit_s: 20,
            },
            Step {
                text: "Turn on \"Coalesce misses\": later readers wait for the one recomputation in flight.",
                change: &[("cache.coalesce", "true")],
                check: holds(&[cond(Metric::Count(Counter::Regenerations), Cmp::Below, 3.0), GOODPUT_OK], 12, 0),
                limit_s: 30,
            },
        ],
    },
    Lesson {
        name: "cold-cache",
        title: "A cold cache after a flush",
        story: "The load grows with the cache warm, which answers nine reads in ten; at 30 s the cache is flushed, every read goes to the database at once, and contention and retries keep it slow. \
                Watch goodput collapse, then lower the load until the cache is warm, and raise it again.",
        build: cold_cache,
        steps: &[
            Step {
                text: "Watch the warm cache answer most reads at 2,500 req/s.",
                change: &[],
                check: holds(&[cond(Metric::CacheHitRate, Cmp::AtLeast, 0.85), GOODPUT_OK], 5, 20),
                limit_s: 30,
            },
            Step {
                text: "At 30 s the cache is flushed: watch goodput collapse while the database is stuck at all 40 connections.",
                change: &[],
                check: holds(&[cond(Metric::GoodputShare, Cmp::Below, 0.5)], 5, 0),
                limit_s: 40,
            },
            Step {
                text: "Lower the base rate to 30 req/s (300 at the top of the ramp): the database keeps up, and in half a minute the cache is warm.",
                change: &[("traffic.rate_per_s", "30")],
                check: holds(&[cond(Metric::CacheHitRate, Cmp::AtLeast, 0.75), GOODPUT_OK], 30, 0),
                limit_s: 70,
            },
            Step {
                text: "Raise it to 200 req/s (2,000 at the top): the warm cache carries it.",
                change: &[("traffic.rate_per_s", "200")],
                check: holds(&[cond(Metric::CacheHitRate, Cmp::AtLeast, 0.85), GOODPUT_OK], 10, 0),
                limit_s: 40,
            },
        ],
    },
    Lesson {
        name: "scaling-fuels-db-contention",
        title: "Horizontal scaling fuels database contention",
        story: "Four nodes with 10 connections each keep about 40 queries at the shared database, near its peak, for about 6,300 req/s of goodput. \
                Double the nodes and watch the extra queries drag goodput down instead of up.",
        build: db_scaling,
        steps: &[
            Step {
                text: "Watch four nodes reach about 6,300 req/s of goodput.",
                change: &[],
                check: holds(&[cond(Metric::Count(Counter::Goodput), Cmp::AtLeast, 5_000.0)], 5, 2),
                limit_s: 20,
            },
            Step {
                text: "Set the nodes to 8 and restart: 80 queries at the database push goodput below 3,500 req/s.",
                change: &[("nodes.count", "8")],
                check: holds(&[cond(Metric::Count(Counter::Goodput), Cmp::Below, 3_500.0), cond(Metric::DbQueries, Cmp::AtLeast, 60.0)], 5, 2),
                limit_s: 20,
            },
        ],
    },
    Lesson {
        name: "connection-pool",
        title: "A connection pool sized wrong, both ways",
        story: "With 1 connection per node, requests time out waiting for a connection while the database idles; with 100, a burst floods the database and contention keeps it collapsed. \
                Try the pool at 1, at 10 and at 100, and watch goodput peak in between.",
        build: connection_pool,
        steps: &[
            Step {
                text: "With 1 connection per node, watch requests time out while the database runs 4 queries, far below its peak.",
                change: &[],
                check: holds(&[cond(Metric::GoodputShare, Cmp::Below, 0.8), cond(Metric::DbQueries, Cmp::Below, 5.0)], 3, 2),
                limit_s: 20,
            },
            Step {
                text: "Set the pool to 10: goodput follows the offered load.",
                change: &[("db.pool_size", "10")],
                check: holds(&[GOODPUT_OK], 5, 0),
                limit_s: 20,
            },
            Step {
                text: "Set the pool to 100: the next burst drives hundreds of queries into the database, and contention keeps goodput down.",
                change: &[("db.pool_size", "100")],
                check: holds(&[cond(Metric::GoodputShare, Cmp::Below, 0.5), cond(Metric::DbQueries, Cmp::AtLeast, 60.0)], 5, 0),
                limit_s: 40,
            },
        ],
    },
    Lesson {
        name: "thread-pool-switching",
        title: "Thread-per-request: switching eats the CPU",
        story: "256 workers per node share 32 cores: context switching takes about 40% of the cores and goodput sinks to about 7,600 req/s. \
                Watch the CPU chart's grey band, then turn the workers down to 32 and watch goodput climb.",
        build: thread_pool,
        steps: &[
            Step {
                text: "Watch context switching take over a third of the CPU.",
                change: &[],
                check: holds(&[cond(Metric::SwitchingShare, Cmp::AtLeast, 0.35), cond(Metric::Count(Counter::Goodput), Cmp::Below, 9_000.0)], 5, 2),
                limit_s: 20,
            },
            Step {
                text: "Set the workers to 32, one per core: no switching, goodput near 12,800 req/s.",
                change: &[("nodes.workers", "32")],
                check: holds(&[cond(Metric::SwitchingShare, Cmp::Below, 0.05), cond(Metric::Count(Counter::Goodput), Cmp::AtLeast, 11_500.0)], 5, 0),
                limit_s: 20,
            },
        ],
    },
    Lesson {
        name: "throughput-vs-goodput",
        title: "Throughput high while goodput collapses",
        story: "Twice the capacity arrives at unbounded queues: the nodes stay busy serving 12,800 req/s, but every answer comes after its client gave up. \
                Watch throughput stay high while goodput is nil, then drop expired work and watch goodput return.",
        build: throughput_not_goodput,
        steps: &[
            Step {
                text: "Watch the nodes serve over 12,000 attempts a second while goodput is nil.",
                change: &[],
                check: holds(
                    &[cond(Metric::Count(Counter::Throughput), Cmp::AtLeast, 12_000.0), cond(Metric::GoodputShare, Cmp::Below, 0.05)],
                    5,
                    5,
                ),
                limit_s: 40,
            },
            Step {
                text: "Turn on \"Drop expired\": nodes skip work whose client has gone and goodput climbs near capacity.",
                change: &[("shedding.drop_expired", "true")],
                check: holds(&[cond(Metric::Count(Counter::Goodput), Cmp::AtLeast, 11_000.0)], 5, 0),
                limit_s: 40,
            },
        ],
    },
    Lesson {
        name: "traffic-tenfold",
        title: "Traffic ten times over in 60 s",
        story: "From 10 s the load grows from 1,500 to 15,000 req/s in a minute, past the 12,800 req/s the fleet can serve, into deep queues and instant retries. \
                Watch goodput collapse as the load passes capacity, then turn on CoDel and watch the fleet serve its capacity and shed the rest.",
        build: tenfold,
        steps: &[
            Step {
                text: "Watch goodput collapse once the load passes capacity.",
                change: &[],
                check: holds(&[cond(Metric::GoodputShare, Cmp::Below, 0.3)], 5, 10),
                limit_s: 120,
            },
            Step {
                text: "Turn on CoDel: queues that stay long shed their stale work and goodput holds near capacity.",
                change: &[("shedding.codel", "true")],
                check: holds(&[cond(Metric::Count(Counter::Goodput), Cmp::AtLeast, 11_000.0)], 10, 0),
                limit_s: 60,
            },
        ],
    },
    Lesson {
        name: "backpressure-deadlines",
        title: "Backpressure up three tiers, and deadlines",
        story: "At 10 s the database slows tenfold: the api's workers all wait on it, then the gateway's wait on the api, until the gateway's queues overflow and the clients retry into 503s and timeouts. \
                Watch the slowdown travel up as backpressure and answers arrive after their clients left, then propagate deadlines and watch the late work stop.",
        build: three_tiers,
        steps: &[
            Step {
                text: "Watch the slowdown travel up: clients time out and retry, goodput falls, and some answers arrive after their client left.",
                change: &[],
                check: holds(
                    &[cond(Metric::GoodputShare, Cmp::Below, 0.5), cond(Metric::Amplification, Cmp::AtLeast, 2.0), cond(Metric::WastedShare, Cmp::AtLeast, 0.02)],
                    3,
                    10,
                ),
                limit_s: 40,
            },
            Step {
                text: "Propagate deadlines on both calls: no retry starts after its caller's deadline, and no answer arrives after its client left.",
                change: &[
                    ("services.gateway.calls.api.client.propagate_deadline", "true"),
                    ("services.api.calls.db.client.propagate_deadline", "true"),
                ],
                check: holds(&[cond(Metric::WastedShare, Cmp::Below, 0.005), cond(Metric::GoodputShare, Cmp::AtLeast, 0.3)], 10, 2),
                limit_s: 60,
            },
        ],
    },
    Lesson {
        name: "p50-lies",
        title: "A green P50 while users fail",
        story: "From 10 s a bad deploy fails 60% of requests at once: failures are fast, so the successes' median latency stays at 10 ms. \
                Watch the P50 stay green while most users fail, then allow three attempts and watch the success share climb.",
        build: p50_lies,
        steps: &[
            Step {
                text: "Watch the median stay under 50 ms while fewer than half the requests succeed.",
                change: &[],
                check: holds(&[cond(Metric::P50Ms, Cmp::Below, 50.0), cond(Metric::SuccessShare, Cmp::Below, 0.5)], 5, 10),
                limit_s: 30,
            },
            Step {
                text: "Set max attempts to 3: retries turn most failures into successes, at 2× the attempts.",
                change: &[("client.attempts", "3")],
                check: holds(&[cond(Metric::SuccessShare, Cmp::AtLeast, 0.75), cond(Metric::Amplification, Cmp::AtLeast, 1.8)], 5, 0),
                limit_s: 30,
            },
        ],
    },
];
