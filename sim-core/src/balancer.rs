//! Load-balancer policies: which node gets the next attempt.

use crate::config::LbPolicy;
use crate::rng::Stream;

/// A balancer's state. Round robin and least-outstanding keep a cursor;
/// random and power-of-two draw from the balancer's own stream, so switching
/// policy leaves arrivals unchanged.
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

    /// One of `candidates` (never empty) for the next attempt; `held(node)`
    /// is what a node holds (in service and queued), as the balancer counts
    /// its outstanding requests.
    #[inline(always)]
    pub fn pick(&mut self, candidates: &[u32], held: impl Fn(u32) -> u64, rng: &mut Stream) -> u32 {
        let n = candidates.len() as u32;
        match self.policy {
            LbPolicy::RoundRobin => {
                // One division, not two: `i < n`, so `(i + 1) % n` is a compare.
                let i = self.cursor % n;
                self.cursor = if i + 1 == n { 0 } else { i + 1 };
                candidates[i as usize]
            }
            LbPolicy::Random => candidates[rng.below(n) as usize],
            LbPolicy::LeastOutstanding => {
                // Scan from the cursor so that ties rotate instead of always
                // favouring the first node.
                let start = self.cursor % n;
                let best = (0..n).map(|k| (start + k) % n).min_by_key(|&i| held(candidates[i as usize])).unwrap_or(0);
                self.cursor = (best + 1) % n;
                candidates[best as usize]
            }
            LbPolicy::PowerOfTwo => {
                if n == 1 {
                    return candidates[0];
                }
                let a = rng.below(n);
                // A second, distinct choice: draw from the n − 1 others.
                let b = (a + 1 + rng.below(n - 1)) % n;
                let (na, nb) = (candidates[a as usize], candidates[b as usize]);
                if held(nb) < held(na) {
                    nb
                } else {
                    na
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(policy: LbPolicy, held: &[u64], k: usize) -> Vec<u32> {
        let mut lb = LoadBalancer::new(policy);
        let mut rng = Stream::new(1, "balancer");
        let all: Vec<u32> = (0..held.len() as u32).collect();
        (0..k).map(|_| lb.pick(&all, |i| held[i as usize], &mut rng)).collect()
    }

    #[test]
    fn round_robin_cycles() {
        assert_eq!(picks(LbPolicy::RoundRobin, &[0, 0, 0], 7), vec![0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn round_robin_walks_the_candidates_only() {
        let mut lb = LoadBalancer::new(LbPolicy::RoundRobin);
        let mut rng = Stream::new(1, "balancer");
        let picks: Vec<u32> = (0..4).map(|_| lb.pick(&[1, 3], |_| 0, &mut rng)).collect();
        assert_eq!(picks, vec![1, 3, 1, 3]);
    }

    #[test]
    fn least_outstanding_takes_the_emptiest_and_rotates_ties() {
        assert_eq!(picks(LbPolicy::LeastOutstanding, &[5, 1, 3], 2), vec![1, 1]);
        assert_eq!(picks(LbPolicy::LeastOutstanding, &[2, 2, 2], 4), vec![0, 1, 2, 0]);
    }

    #[test]
    fn power_of_two_never_picks_the_fullest_of_three() {
        // Any two distinct nodes of three include one holding less than 9.
        let p = picks(LbPolicy::PowerOfTwo, &[0, 9, 0], 200);
        assert!(p.iter().all(|&i| i != 1), "{p:?}");
        assert!(p.contains(&0) && p.contains(&2));
    }
}
