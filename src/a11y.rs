//! The charts' text alternative: the last completed second's figures in
//! words, for the `aria-live` summary a screen reader announces. A canvas
//! has no text of its own, so this is what a listener hears of the central
//! chart (WCAG 2.2, success criterion 1.1.1, non-text content).

use crate::format::{millis, si};
use sim_core::Series;

/// Wall milliseconds between two updates of the live summary at most: a
/// screen reader that announced every simulated second at 50× speed would
/// never finish a sentence (WAI-ARIA 1.2, `aria-live="polite"` waits for the
/// reader to be idle, but each change queues another announcement).
pub const SUMMARY_EVERY_MS: u32 = 1000;

/// The last completed second of `series` in words: offered load,
/// throughput, goodput, 99th percentile latency of successes, and failed
/// requests. `scope` names what the series covers ("whole system" or a
/// service). Before the first second completes it says so.
pub fn chart_summary(series: &Series, completed: usize, scope: &str) -> String {
    let Some(s) = completed.min(series.len()).checked_sub(1) else {
        return format!("Charts ({scope}): no completed second yet.");
    };
    let rate = |v: &[u64]| format!("{}/s", si(v[s] as f64));
    let p99 = series.latency_p99_ms.get(s).copied().flatten().map_or("no successes".to_string(), millis);
    format!(
        "Second {} ({scope}): offered {}, throughput {}, goodput {}, p99 latency {}, failed requests {}.",
        s + 1,
        rate(&series.offered),
        rate(&series.throughput),
        rate(&series.goodput),
        p99,
        rate(&series.failed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_when_nothing_has_completed() {
        let series = Series::new(10);
        assert_eq!(chart_summary(&series, 0, "whole system"), "Charts (whole system): no completed second yet.");
    }

    #[test]
    fn reads_the_last_completed_second() {
        let mut series = Series::new(10);
        series.offered[2] = 1200;
        series.throughput[2] = 1100;
        series.goodput[2] = 900;
        series.failed[2] = 7;
        series.latency_p99_ms[2] = Some(250.0);
        // A later, incomplete second must not be read.
        series.offered[3] = 99_999;
        let text = chart_summary(&series, 3, "api");
        assert!(text.starts_with("Second 3 (api): offered "), "{text}");
        for part in [si(1200.0), si(1100.0), si(900.0), millis(250.0), "7/s".to_string()] {
            assert!(text.contains(&part), "{part} missing from {text}");
        }
        assert!(!text.contains(&si(99_999.0)), "{text}");
    }

    #[test]
    fn a_second_without_successes_has_no_latency() {
        let mut series = Series::new(2);
        series.offered[0] = 5;
        let text = chart_summary(&series, 1, "whole system");
        assert!(text.contains("p99 latency no successes"), "{text}");
    }

    #[test]
    fn completed_beyond_the_series_reads_its_last_row() {
        let mut series = Series::new(2);
        series.goodput[1] = 3;
        assert!(chart_summary(&series, 50, "x").starts_with("Second 2 "));
    }
}
