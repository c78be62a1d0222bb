//! Ready-made scenarios. Each opens with two sentences: what to watch, and
//! what to change.

use crate::state::app_defaults;
use sim_core::{Backoff, Config};

/// A named scenario applied live over the current run.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Name in the preset menu.
    pub name: &'static str,
    /// What to watch, then what to change.
    pub story: &'static str,
    /// Builds the scenario's knobs; `now_s` places spikes just ahead of the
    /// current instant, since a preset is applied in the middle of a run.
    pub build: fn(now_s: f64) -> Config,
    /// Seconds after loading at which node 1 is killed, for presets about
    /// what a crash sets off. A scripted fault would need a reset (faults
    /// are fixed for a run), so the playground kills the node itself.
    pub crash_after_s: Option<f64>,
}

fn steady(_now_s: f64) -> Config {
    app_defaults()
}

fn overload(_now_s: f64) -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 14_000.0;
    c
}

fn retry_storm(now_s: f64) -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 11_000.0;
    c.traffic.spike_mult = 1.5;
    c.traffic.spike_start_s = (now_s + 5.0).floor();
    c.traffic.spike_end_s = c.traffic.spike_start_s + 10.0;
    c.nodes.queue_capacity = 5_000;
    c.client.backoff = Backoff::None;
    c
}

fn fail_fast(_now_s: f64) -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 14_000.0;
    c.nodes.queue_capacity = 32;
    c.client.attempts = 1;
    c
}

fn reboot_loop(_now_s: f64) -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 10_500.0;
    c.nodes.queue_capacity = 5_000;
    c.crash.enabled = true;
    c.crash.memory_limit_mb = 250.0;
    c
}

fn cascade(now_s: f64) -> Config {
    let mut c = reboot_loop(now_s);
    c.traffic.rate_per_s = 10_240.0;
    c.health.enabled = true;
    c
}

fn thread_pool_too_big(_now_s: f64) -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 20_000.0;
    c.nodes.workers = 256;
    c.cpu.enabled = true;
    c
}

fn scaling_fuels_the_db(_now_s: f64) -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 20_000.0;
    c.nodes.count = 4;
    c.db.enabled = true;
    c.db.query_ms_mean = 1.0;
    c
}

fn cache_stampede(_now_s: f64) -> Config {
    let mut c = app_defaults();
    c.traffic.rate_per_s = 2_000.0;
    c.db.enabled = true;
    c.cache.enabled = true;
    c.cache.ttl_s = 5.0;
    c.cache.recompute_ms = 200.0;
    c
}

/// Every preset, in menu order.
pub const PRESETS: [Preset; 9] = [
    Preset {
        name: "Steady",
        story: "10,000 req/s against 12,800 req/s of capacity: queues stay short and goodput follows the offered load. \
                Raise the arrival rate past 12,800 req/s and watch the cliff.",
        build: steady,
        crash_after_s: None,
    },
    Preset {
        name: "Overload",
        story: "Offered load is 9% above capacity: queues fill, every node sheds 503s and each 503 comes back as a retry. \
                Watch the median latency still look healthy while one request in ten fails, then lower the arrival rate and watch the 503s stop.",
        build: overload,
        crash_after_s: None,
    },
    Preset {
        name: "Retry storm",
        story: "In 5 s a 10-second spike overfills deep queues: waits outgrow the client timeout, nodes serve answers nobody waits for, and retries keep it so after the spike. \
                Then cut the queue capacity to 256 or max attempts to 1 and watch goodput return.",
        build: retry_storm,
        crash_after_s: None,
    },
    Preset {
        name: "Fail fast",
        story: "The same overload as before, with short queues and no retries: the excess is refused at once with 503s. \
                Watch latency stay low and goodput stay near capacity, the opposite of the retry storm.",
        build: fail_fast,
        crash_after_s: None,
    },
    Preset {
        name: "Reboot loop",
        story: "In 5 s node 1 crashes: its share lands on the others, whose deep queues outgrow their 250 MiB of memory, so they crash in turn and each node that restarts is flooded again at once. \
                Cut the queue capacity to 256 and watch the survivors hold.",
        build: reboot_loop,
        crash_after_s: Some(5.0),
    },
    Preset {
        name: "Cascade",
        story: "In 5 s node 1 crashes and health checks eject it, then eject the survivors as their queues grow slow, until the balancer panics and routes to everyone. \
                Cut the queue capacity to 256, or turn health checks off, and watch the survivors hold.",
        build: cascade,
        crash_after_s: Some(5.0),
    },
    Preset {
        name: "Thread pool too big",
        story: "256 workers per node share 32 cores: watch the CPU chart's grey band, context switching, take 40% of the cores while goodput sinks to about 7,600 req/s. \
                Turn the workers down to 32 and watch goodput climb to 12,800 req/s.",
        build: thread_pool_too_big,
        crash_after_s: None,
    },
    Preset {
        name: "Horizontal scaling fuels the DB",
        story: "Four nodes with 10 connections each keep about 40 queries at the shared database, near its peak: goodput is about 6,300 req/s. \
                Set the nodes to 8, press Reset, and watch the extra queries drag goodput below 3,000 req/s.",
        build: scaling_fuels_the_db,
        crash_after_s: None,
    },
    Preset {
        name: "Cache stampede",
        story: "Every 5 s the hot key expires and every read in the next 200 ms recomputes it: watch the recomputations jump and goodput drop to zero at each expiry. \
                Turn on \"Coalesce misses\" and watch goodput stay flat.",
        build: cache_stampede,
        crash_after_s: None,
    },
];
