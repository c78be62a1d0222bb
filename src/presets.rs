//! Ready-made scenarios. Each opens with two sentences: what to watch, and
//! what to change.

use crate::defaults::app_defaults;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{self, ChartData};
    use crate::defaults::SESSION_S;

    use crate::state::{Action, AppState};
    use crate::testkit::{mean_goodput, preset, state, steps};
    use sim_core::NodeLife;

    #[test]
    fn reboot_loop_preset_kills_node_one_and_the_crashes_spread() {
        let mut s = state("");
        s.apply(Action::Step);
        let i = PRESETS.iter().position(|p| p.name == "Reboot loop").expect("the preset");
        s.apply(Action::LoadPreset(i));
        let c = s.engine.sim().config().clone();
        assert!(c.crash.enabled && c.crash.memory_limit_mb == 250.0 && c.nodes.queue_capacity == 5_000);
        assert_eq!(c.traffic.rate_per_s, 10_500.0);
        assert!(!c.shedding.drop_expired && !c.shedding.codel && !c.shedding.limit_concurrency);
        assert!(s.pending_restart.is_empty());
        for _ in 0..4 {
            s.apply(Action::Step);
        }
        assert_eq!(s.snapshot.totals.crashes, 0, "nothing crashes before the scheduled kill");
        for _ in 0..2 {
            s.apply(Action::Step);
        }
        assert!(s.snapshot.nodes[0].crashes == 1, "node 1 is killed 5 s after the preset");
        for _ in 0..40 {
            s.apply(Action::Step);
        }
        let others: u64 = s.snapshot.nodes[1..].iter().map(|n| n.crashes).sum();
        assert!(others >= 3, "the survivors crash in turn, {others} crashes");
        let j = PRESETS.iter().position(|p| p.name == "Cascade").expect("the preset");
        let mut s = state("");
        s.apply(Action::LoadPreset(j));
        let c = s.engine.sim().config().clone();
        assert!(c.health.enabled && c.crash.enabled && c.traffic.rate_per_s == 10_240.0);
        let (mut ejected_up, mut panicked) = (0, false);
        for _ in 0..40 {
            s.apply(Action::Step);
            let up_but_out = s.snapshot.nodes.iter().filter(|n| n.ejected && n.life != NodeLife::Crashed).count();
            ejected_up = ejected_up.max(up_but_out);
            panicked |= s.snapshot.routing_panic;
        }
        let crashes: Vec<u64> = s.snapshot.nodes.iter().map(|n| n.crashes).collect();
        assert!(panicked, "the balancer panics; ejected while up {ejected_up}, crashes {crashes:?}");
        assert!(crashes[1..].iter().sum::<u64>() > 0, "the survivors crash too: {crashes:?}");
        assert!(ejected_up > 0, "health checks eject nodes that are up but slow");
        for p in PRESETS {
            assert_eq!(p.story.matches(". ").count() + 1, 2, "{}: two sentences", p.name);
        }
    }

    #[test]
    fn thread_pool_preset_switching_eats_the_cpu_until_the_pool_shrinks() {
        let mut s = state("");
        s.apply(Action::LoadPreset(preset("Thread pool too big")));
        steps(&mut s, 8);
        let data = ChartData::from_series(s.engine.sim().series(), s.snapshot.completed_seconds, charts::WINDOW_S);
        let (used, switching) = (3..8).fold((0.0, 0.0), |(u, w), i| {
            (u + data.cpu_useful[i] + data.cpu_wasted[i] + data.cpu_switching[i], w + data.cpu_switching[i])
        });
        assert!(switching / used > 0.3, "switching {switching:.0} of {used:.0} core-seconds");
        let before = mean_goodput(&s, 3, 8);
        assert!(before < 9_000.0, "goodput {before} with 256 workers on 32 cores");
        s.apply(Action::SetKnob("nodes.workers", 32.0));
        steps(&mut s, 8);
        let after = mean_goodput(&s, 11, 16);
        assert!(after > 11_000.0 && after > before * 1.4, "goodput {before} → {after} after shrinking the pool");
        let switching_after: f64 = s.engine.sim().series().cpu.switching[11..16].iter().sum();
        assert!(switching_after < 1.0, "no switching with one worker per core, got {switching_after}");
    }

    #[test]
    fn db_preset_goodput_falls_with_more_nodes() {
        let mut s = state("");
        s.apply(Action::LoadPreset(preset("Horizontal scaling fuels the DB")));
        steps(&mut s, 6);
        let four = mean_goodput(&s, 2, 6);
        s.apply(Action::SetKnob("nodes.count", 8.0));
        s.apply(Action::Reset);
        steps(&mut s, 6);
        let eight = mean_goodput(&s, 2, 6);
        assert!(four > 5_000.0 && eight < four * 0.6, "goodput with 4 nodes {four}, with 8 nodes {eight}");
    }

    #[test]
    fn cache_stampede_preset_regenerates_at_each_expiry_until_coalesced() {
        let mut s = state("");
        s.apply(Action::LoadPreset(preset("Cache stampede")));
        steps(&mut s, 12);
        let regen = |s: &AppState, from: usize, to: usize| -> u64 {
            *s.engine.sim().series().regenerations[from..to].iter().max().unwrap()
        };
        let worst = regen(&s, 0, 12);
        assert!(worst > 30, "a stampede of {worst} recomputations in a second");
        let low = *s.engine.sim().series().goodput[0..12].iter().min().unwrap();
        assert!(low < 1_000, "goodput must collapse at an expiry, lowest {low}");
        s.apply(Action::SetToggle("cache.coalesce", true));
        steps(&mut s, 14);
        assert!(regen(&s, 14, 26) <= 2, "one recomputation per expiry when coalesced");
        let low = *s.engine.sim().series().goodput[14..26].iter().min().unwrap();
        assert!(low > 1_500, "goodput stays flat when coalesced, lowest {low}");
    }

    #[test]
    fn every_preset_builds_a_valid_session_whenever_it_is_loaded() {
        for p in PRESETS {
            for now_s in [0.0, 0.5, 17.3, 1_000.0, SESSION_S - 30.0] {
                let c = (p.build)(now_s);
                if let Err(e) = c.validate() {
                    panic!("{} loaded at {now_s} s: {e}", p.name);
                }
                assert_eq!(c.traffic.duration_s, SESSION_S, "{}: a session long", p.name);
                assert_eq!((c.seed, c.nodes.count), (app_defaults().seed, app_defaults().nodes.count), "{}", p.name);
                assert!(c.faults.is_empty(), "{}: crashes are scheduled by the playground, not scripted", p.name);
                if c.traffic.spike_mult != 1.0 {
                    assert!(c.traffic.spike_start_s > now_s, "{}: the spike starts after loading", p.name);
                }
            }
        }
    }

    #[test]
    fn the_menu_has_unique_names_and_two_sentence_stories() {
        let mut names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PRESETS.len(), "two presets share a name");
        assert_eq!(PRESETS[0].name, "Steady");
        assert_eq!((PRESETS[0].build)(0.0), app_defaults(), "Steady is the default scenario");
        for p in PRESETS {
            assert!(p.story.ends_with('.'), "{}", p.name);
            assert!(p.crash_after_s.is_none_or(|s| s > 0.0), "{}", p.name);
        }
        for p in &PRESETS[1..] {
            assert_ne!((p.build)(0.0), app_defaults(), "{} changes nothing", p.name);
        }
    }

    #[test]
    fn loading_any_preset_applies_live_without_a_notice() {
        for (i, p) in PRESETS.iter().enumerate() {
            let mut s = state("?seed=4");
            steps(&mut s, 2);
            s.apply(Action::LoadPreset(i));
            assert!(s.notices.is_empty(), "{}: {:?}", p.name, s.notices);
            assert!(s.pending_restart.is_empty(), "{}", p.name);
            assert_eq!(*s.engine.sim().config(), s.config, "{}: the engine runs the knobs shown", p.name);
            assert_eq!(s.config.seed, 4, "{}: the seed is kept", p.name);
            assert_eq!((s.preset, s.story_open), (Some(i), true), "{}", p.name);
            assert_eq!(s.scheduled_crash.is_some(), p.crash_after_s.is_some(), "{}", p.name);
            s.apply(Action::HideStory);
            assert!(!s.story_open);
        }
    }
}
