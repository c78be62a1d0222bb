//! Load-balancer policies: which node gets the next attempt.

use crate::config::LbPolicy;
use crate::rng::Stream;

/// A balancer's state. Round robin keeps a cursor; random draws from the
/// balancer's own stream, so switching policy leaves arrivals unchanged.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoadBalancer {
    policy: LbPolicy,
    cursor: u32,
}

impl LoadBalancer {
    pub fn new(policy: LbPolicy) -> LoadBalancer {
        LoadBalancer { policy, cursor: 0 }
    }

    pub fn set_policy(&mut self, policy: LbPolicy) {
        self.policy = policy;
    }

    /// The node, in `[0, nodes)`, for the next attempt.
    #[inline]
    pub fn pick(&mut self, nodes: u32, rng: &mut Stream) -> u32 {
        match self.policy {
            LbPolicy::RoundRobin => {
                let n = self.cursor % nodes;
                self.cursor = (n + 1) % nodes;
                n
            }
            LbPolicy::Random => rng.below(nodes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_cycles() {
        let mut lb = LoadBalancer::new(LbPolicy::RoundRobin);
        let mut rng = Stream::new(1, "balancer");
        let picks: Vec<u32> = (0..7).map(|_| lb.pick(3, &mut rng)).collect();
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2, 0]);
    }
}
