//! One line: what a latency dashboard says beside what users actually get.

use crate::charts::{UserView, USER_VIEW_S};
use crate::engine::Engine;
use crate::format::millis;
use yew::prelude::*;

/// Inputs: the run, and the chart counter so the line updates with the charts.
#[derive(Properties, PartialEq)]
pub struct InsightProps {
    /// The run.
    pub engine: Engine,
    /// Redraw counter.
    pub rev: u64,
}

/// Success share below which users are clearly hurting, and the one below
/// which they notice.
const BAD_SHARE: f64 = 0.95;
const POOR_SHARE: f64 = 0.999;

fn share_class(share: f64) -> &'static str {
    if share < BAD_SHARE {
        "pill--bad"
    } else if share < POOR_SHARE {
        "pill--warn"
    } else {
        "pill--good"
    }
}

/// The dashboard-versus-users line.
#[component]
pub fn Insight(p: &InsightProps) -> Html {
    let view = {
        let sim = p.engine.sim();
        UserView::of(sim.series(), sim.completed_seconds())
    };
    let (p50, p50_class) = match view.p50_ms {
        Some(ms) => (format!("p50 {}", millis(ms)), "pill--neutral"),
        None => ("no successes to measure".to_string(), "pill--idle"),
    };
    let (share_text, class) = match view.success_share {
        Some(s) => (format!("{:.1}% of requests succeed", s * 100.0), share_class(s)),
        None => ("no requests finished yet".to_string(), "pill--idle"),
    };
    html! {
        <section id="insight" class="insight" aria-label="Dashboard versus users">
            <span class="insight__part">
                { "Your dashboard says: " }
                <span id="dashboard-p50" class={classes!("pill", p50_class)} title="Median latency of the successes in the last simulated second">{ p50 }</span>
            </span>
            <span class="insight__sep" aria-hidden="true">{ "·" }</span>
            <span class="insight__part">
                { "Your users get: " }
                <span id="success-share" class={classes!("pill", class)}
                    title={format!("Of the requests that finished in the last {USER_VIEW_S} simulated seconds, the share that succeeded (the rest used up every attempt)")}>
                    { share_text }
                </span>
            </span>
        </section>
    }
}
