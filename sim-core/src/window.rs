//! A rolling sum over the last few seconds, kept in slices: what Finagle's
//! `WindowedAdder` and Hystrix's rolling counters do. The client defences
//! count requests, retries and failures with it.

/// Slices a window is cut into: the sum forgets a slice at a time, so a
/// value leaves it between `(SLICES − 1) / SLICES` and one window after it
/// was added. Ten, as Finagle's `WindowedAdder` in its retry budget and
/// Hystrix's `metrics.rollingStats.numBuckets` default.
pub(crate) const SLICES: usize = 10;

/// A sum of what was added over the last window, in integer units.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Window {
    slice_ns: u64,
    sums: [i64; SLICES],
    /// Absolute index (`time / slice_ns`) of the newest slice.
    head: u64,
}

impl Window {
    /// An empty window of `window_ns` (at least `SLICES` ns).
    pub fn new(window_ns: u64) -> Window {
        Window { slice_ns: (window_ns / SLICES as u64).max(1), sums: [0; SLICES], head: 0 }
    }

    /// Forgets the slices that fell out of the window by `now`.
    fn advance(&mut self, now: u64) {
        let idx = now / self.slice_ns;
        if idx <= self.head {
            return;
        }
        let gone = (idx - self.head).min(SLICES as u64);
        for k in 1..=gone {
            self.sums[((self.head + k) % SLICES as u64) as usize] = 0;
        }
        self.head = idx;
    }

    /// Adds `v` at `now`.
    pub fn add(&mut self, now: u64, v: i64) {
        self.advance(now);
        self.sums[(self.head % SLICES as u64) as usize] += v;
    }

    /// The sum over the window ending at `now`.
    pub fn sum(&mut self, now: u64) -> i64 {
        self.advance(now);
        self.sums.iter().sum()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.sums = [0; SLICES];
    }

    /// True when both windows cover the same span.
    pub fn same_span(&self, other: &Window) -> bool {
        self.slice_ns == other.slice_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_leave_after_one_window() {
        let mut w = Window::new(10_000);
        w.add(0, 5);
        w.add(4_500, 2);
        assert_eq!(w.sum(9_999), 7);
        assert_eq!(w.sum(10_000), 2, "the first slice is forgotten");
        assert_eq!(w.sum(13_999), 2);
        assert_eq!(w.sum(14_000), 0, "its slice is forgotten");
        w.add(1_000_000, 3);
        assert_eq!(w.sum(1_000_000), 3, "a long gap clears every slice");
    }
}
