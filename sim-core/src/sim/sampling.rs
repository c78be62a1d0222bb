//! Per-second sampling: queue lengths, pools and node states at the start of
//! each second, CPU accounts and latency percentiles at its end.

use super::Simulation;
use crate::event::Event;
use crate::snapshot::NodeLife;
use crate::time::NANOS_PER_SEC;

impl Simulation {
    pub(super) fn on_sample(&mut self, second: usize) {
        self.series.queued[second] = self.nodes.iter().map(|n| n.queue.len() as u64).sum();
        for t in &mut self.tiers {
            if let Some(s) = t.series.as_mut() {
                let nodes = &self.nodes[t.first_node as usize..(t.first_node + t.node_count) as usize];
                s.series.queued[second] = nodes.iter().map(|n| n.queue.len() as u64).sum();
            }
        }
        if second > 0 {
            self.roll_cpu(second - 1);
        }
        if let Some(db) = &mut self.series.db {
            db.pool_in_use[second] = self.nodes.iter().map(|n| n.pool.in_use as u64).sum();
            db.pool_waiting[second] = self.nodes.iter().map(|n| n.pool.waiters.len() as u64).sum();
            db.queries[second] = self.tiers.iter().map(|t| t.db.running() as u64).sum();
            if second > 0 {
                let (sum, n) = self.tiers.iter_mut().fold((0.0, 0u64), |(s, k), t| {
                    let (ts, tn) = (t.db_waits.sum_ns, t.db_waits.n);
                    t.db_waits = Default::default();
                    (s + ts, k + tn)
                });
                db.wait_ms[second - 1] = if n == 0 { 0.0 } else { sum / n as f64 / 1e6 };
            }
        }
        self.sample_scaling(second);
        if let Some(states) = &mut self.series.node_states {
            let shown = self
                .tiers
                .iter()
                .flat_map(|t| &self.nodes[t.first_node as usize..(t.first_node + t.shown_nodes()) as usize]);
            for n in shown {
                let snap = n.snapshot(self.now);
                match snap.life {
                    NodeLife::Crashed => states.crashed[second] += 1,
                    NodeLife::Warming => states.warming[second] += 1,
                    NodeLife::Up if !snap.ejected => states.up[second] += 1,
                    NodeLife::Up => {}
                }
                states.ejected[second] += snap.ejected as u64;
            }
        }
        if self.any_defences {
            self.sample_breakers();
        }
        self.close_seconds_until(second);
        if second + 1 < self.seconds {
            self.queue.push((second as u64 + 1) * NANOS_PER_SEC, Event::Sample { second: second as u32 + 1 });
        }
    }

    /// Closes every node's CPU account of the second that just ended into
    /// series row `second`.
    pub(super) fn roll_cpu(&mut self, second: usize) {
        let now = self.now;
        let row = &mut self.series.cpu;
        for n in &mut self.nodes {
            let t = &mut self.tiers[n.tier as usize];
            if let Some((cores, overhead)) = t.policy.cpu {
                n.advance_cpu(now, cores, overhead);
            }
            let (useful, wasted, switching) = (
                n.cpu.useful / NANOS_PER_SEC as f64,
                n.cpu.wasted / NANOS_PER_SEC as f64,
                n.cpu.switching / NANOS_PER_SEC as f64,
            );
            row.useful[second] += useful;
            row.wasted[second] += wasted;
            row.switching[second] += switching;
            if let Some(s) = t.series.as_mut() {
                // A service's own CPU chart: its nodes only.
                let own = &mut s.series.cpu;
                own.useful[second] += useful;
                own.wasted[second] += wasted;
                own.switching[second] += switching;
            }
            n.roll_cpu();
        }
    }

    /// Marks seconds before `second` final, storing their latency
    /// percentiles. Inline, because it is called on every success and
    /// almost always has nothing to do.
    #[inline(always)]
    pub(super) fn close_seconds_until(&mut self, second: usize) {
        if self.completed_seconds < second {
            self.close_seconds(second);
        }
    }

    #[inline(never)]
    fn close_seconds(&mut self, second: usize) {
        while self.completed_seconds < second {
            let s = self.completed_seconds;
            let ms = |ns: Option<f64>| ns.map(|v| v / 1e6);
            let [p50, p99, p999] = self.latency_this_second.percentiles_ns([50.0, 99.0, 99.9]);
            self.series.latency_p50_ms[s] = ms(p50);
            self.series.latency_p99_ms[s] = ms(p99);
            self.series.latency_p999_ms[s] = ms(p999);
            self.latency_this_second.clear();
            self.series.server_p50_ms[s] = ms(self.served_this_second.percentile_ns(50.0));
            self.served_this_second.clear();
            for t in &mut self.tiers {
                if let Some(ts) = t.series.as_mut() {
                    let [p50, p99] = ts.latency_this_second.percentiles_ns([50.0, 99.0]);
                    ts.series.latency_p50_ms[s] = ms(p50);
                    ts.series.latency_p99_ms[s] = ms(p99);
                    ts.latency_this_second.clear();
                }
            }
            self.completed_seconds += 1;
        }
    }
}
