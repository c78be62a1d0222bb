//! A horizontal autoscaler like Kubernetes' Horizontal Pod Autoscaler
//! (<https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/>):
//! the decision alone, in node counts; the engine adds and removes the
//! nodes (`sim/scaling.rs`). Settings in [`crate::config::AutoscalerConfig`].
//!
//! From the HPA's documented algorithm:
//! - `desiredReplicas = ceil(currentReplicas × currentMetricValue /
//!   desiredMetricValue)`, where the metric is the mean utilisation of the
//!   pods that are ready; pods not yet ready count as using nothing when
//!   scaling up, so here `current` is the serving nodes and the nodes being
//!   provisioned do not make the autoscaler ask again;
//! - no change while the ratio is within the tolerance of 1 (0.1, the
//!   `--horizontal-pod-autoscaler-tolerance` default);
//! - a scale-up adds at most `max(4 pods, 100%)` per period (the default
//!   `behavior.scaleUp` policies, `selectPolicy: Max`);
//! - a scale-down goes only to the highest recommendation of the
//!   stabilisation window (default 300 s).

use crate::config::AutoscalerConfig;
use crate::time::secs_to_nanos;
use std::collections::VecDeque;

/// The HPA's default tolerance around a usage ratio of 1.
pub const TOLERANCE: f64 = 0.1;
/// The HPA's default scale-up policies: 4 pods, or 100%, per period.
pub const SCALE_UP_PODS: u32 = 4;

/// One service's autoscaler: its nodes on the way and its recent
/// recommendations.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Autoscaler {
    /// When each node being provisioned serves, earliest first (they are
    /// the service's node slots just past its serving ones, in order).
    pub pending: VecDeque<u64>,
    /// Recommendations `(when, nodes)` within the stabilisation window.
    history: VecDeque<(u64, u32)>,
    /// When the next evaluation is due: an evaluation event for another
    /// instant is stale (the autoscaler was switched off and on meanwhile).
    pub next_eval: u64,
}

impl Autoscaler {
    /// Nodes being provisioned.
    #[inline]
    pub fn pending(&self) -> u32 {
        self.pending.len() as u32
    }

    /// The node count to have (serving and provisioning) at `now`, with
    /// `serving` nodes whose mean utilisation is `utilisation` (`None` when
    /// none of them could be measured).
    pub fn decide(&mut self, c: &AutoscalerConfig, now: u64, serving: u32, utilisation: Option<f64>) -> u32 {
        let current = serving + self.pending();
        let raw = match utilisation {
            Some(u) if ((u / c.target_utilisation) - 1.0).abs() > TOLERANCE => {
                let want = (serving as f64 * u / c.target_utilisation).ceil();
                if want.is_finite() {
                    want.clamp(0.0, u32::MAX as f64) as u32
                } else {
                    current
                }
            }
            _ => current,
        };
        let window = secs_to_nanos(c.scale_down_stabilisation_s);
        while self.history.front().is_some_and(|&(t, _)| now.saturating_sub(t) > window) {
            self.history.pop_front();
        }
        self.history.push_back((now, raw));
        let target = if raw >= current {
            raw.min(current + SCALE_UP_PODS.max(current))
        } else {
            // Down only as far as the highest recommendation in the window.
            self.history.iter().map(|&(_, n)| n).max().unwrap_or(raw).min(current)
        };
        target.clamp(c.min_nodes, c.max_nodes.max(c.min_nodes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> AutoscalerConfig {
        AutoscalerConfig { enabled: true, ..AutoscalerConfig::default() }
    }

    const S: u64 = 1_000_000_000;

    #[test]
    fn desired_is_ceil_of_current_times_utilisation_over_target() {
        let mut a = Autoscaler::default();
        // 4 nodes at 100% for a 70% target: ceil(5.71) = 6.
        assert_eq!(a.decide(&cfg(), 0, 4, Some(1.0)), 6);
        // Within the 10% tolerance: no change.
        assert_eq!(Autoscaler::default().decide(&cfg(), 0, 4, Some(0.75)), 4);
        // Unmeasured: no change.
        assert_eq!(Autoscaler::default().decide(&cfg(), 0, 4, None), 4);
    }

    #[test]
    fn scale_up_is_capped_and_pending_nodes_count() {
        let mut a = Autoscaler::default();
        // 2 nodes at 100% for 10%: 20 wanted, at most 2 + max(4, 2) = 6.
        let c = AutoscalerConfig { target_utilisation: 0.1, ..cfg() };
        assert_eq!(a.decide(&c, 0, 2, Some(1.0)), 6);
        a.pending.extend([60 * S, 60 * S]);
        // Two on the way: 4 serving at 70% is on target, keep the 6.
        assert_eq!(a.decide(&cfg(), 15 * S, 4, Some(0.7)), 6);
    }

    #[test]
    fn scale_down_waits_for_the_stabilisation_window() {
        let mut a = Autoscaler::default();
        assert_eq!(a.decide(&cfg(), 0, 8, Some(0.7)), 8);
        // Load falls: 2 wanted, but 8 was recommended within 300 s.
        assert_eq!(a.decide(&cfg(), 100 * S, 8, Some(0.175)), 8);
        assert_eq!(a.decide(&cfg(), 299 * S, 8, Some(0.175)), 8);
        // The recommendation of 8 at 0 s has left the window.
        assert_eq!(a.decide(&cfg(), 301 * S, 8, Some(0.175)), 2);
        let c = AutoscalerConfig { min_nodes: 3, ..cfg() };
        assert_eq!(Autoscaler::default().decide(&c, 0, 8, Some(0.0)), 3, "never below the minimum");
    }
}
