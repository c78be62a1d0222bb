//! The end-of-run report, shaped like the reference program's JSON (less the
//! parameters, versions and wall-clock figures, which the front end adds: the
//! engine never reads a clock).

use crate::metrics::{LatencySummary, QueueingSummary, Series, Totals};
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the engine knows about a finished (or paused) run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Cumulative counters.
    pub totals: Totals,
    /// Latency of successful logical requests.
    pub latency_success: LatencySummary,
    /// Queueing delay beside Erlang C.
    pub queueing: QueueingSummary,
    /// Events processed.
    pub events_processed: u64,
    /// The eight per-second series.
    pub series: Series,
    /// Mean per-second value of each series over each window, keyed `"t0-t1"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_means: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    /// Each service's figures, in topology order, when the system has more
    /// than one (a single service's are the totals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<ServiceReport>>,
}

/// One service's figures, counted at that service: the attempts it
/// received, served, rejected and its callers timed out, and the latency of
/// the calls to it that succeeded (for the entry, the logical requests').
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceReport {
    /// The service's name.
    pub name: String,
    /// Its counters, with the same keys as the run's totals.
    pub totals: Totals,
    /// Latency of the successful calls to it (logical requests at the entry).
    pub latency_success: LatencySummary,
}

/// Mean of each series over `[t0, t1)` for consecutive edges, as the reference
/// computes it: the slice is cut to the run, and an empty slice has mean 0.
pub(crate) fn window_means(series: &Series, edges: &[u64]) -> BTreeMap<String, BTreeMap<String, f64>> {
    edges
        .windows(2)
        .map(|w| {
            let (t0, t1) = (w[0] as usize, w[1] as usize);
            let means = series
                .named()
                .map(|(name, values)| {
                    let slice =
                        values.get(t0.min(values.len())..t1.clamp(t0.min(values.len()), values.len())).unwrap_or(&[]);
                    let mean = slice.iter().sum::<u64>() as f64 / slice.len().max(1) as f64;
                    (name.to_string(), mean)
                })
                .collect();
            (format!("{}-{}", w[0], w[1]), means)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_means_cut_to_the_run() {
        let mut s = Series::new(4);
        s.offered = vec![1, 2, 3, 4];
        let m = window_means(&s, &[0, 2, 10, 20]);
        assert_eq!(m["0-2"]["offered"], 1.5);
        assert_eq!(m["2-10"]["offered"], 3.5);
        assert_eq!(m["10-20"]["offered"], 0.0);
    }
}
