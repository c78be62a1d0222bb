//! The charts' text alternative: a visually hidden `aria-live="polite"`
//! paragraph with the last completed second's figures
//! ([`crate::a11y::chart_summary`]). It reads the run on a one-second
//! wall-clock timer, never per frame, so a screen reader hears at most one
//! update a second whatever the speed; the timer is dropped on unmount.

use crate::a11y::{chart_summary, SUMMARY_EVERY_MS};
use crate::charts::series_of;
use crate::engine::Engine;
use gloo_timers::callback::Interval;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Summary inputs.
#[derive(Properties, PartialEq)]
pub struct ChartSummaryProps {
    /// The run.
    pub engine: Engine,
    /// The service charted; `None` for the whole system.
    pub service: Option<usize>,
    /// Its name, or empty for the whole system.
    #[prop_or_default]
    pub service_name: AttrValue,
}

/// What the summary reads on each tick: the latest props.
struct Source {
    engine: Engine,
    service: Option<usize>,
    scope: String,
}

impl Source {
    fn text(&self) -> String {
        let sim = self.engine.sim();
        chart_summary(series_of(&sim, self.service), sim.completed_seconds(), &self.scope)
    }
}

/// The live summary.
#[component]
pub fn ChartSummary(p: &ChartSummaryProps) -> Html {
    let scope = if p.service.is_some() && !p.service_name.is_empty() {
        p.service_name.to_string()
    } else {
        "whole system".to_string()
    };
    let source = use_mut_ref(|| Source { engine: p.engine.clone(), service: p.service, scope: scope.clone() });
    // Each render hands the ticker the newest run (a reset makes a new one).
    *source.borrow_mut() = Source { engine: p.engine.clone(), service: p.service, scope };
    let text = use_state(|| source.borrow().text());
    {
        let (source, text) = (source.clone(), text.clone());
        use_effect_with((), move |_| {
            let shown = Rc::new(RefCell::new((*text).clone()));
            let ticker = Interval::new(SUMMARY_EVERY_MS, move || {
                let now = source.borrow().text();
                if *shown.borrow() != now {
                    shown.replace(now.clone());
                    text.set(now);
                }
            });
            move || drop(ticker)
        });
    }
    html! {
        <p id="chart-summary" class="sr-only" aria-live="polite" aria-atomic="true">{ (*text).clone() }</p>
    }
}
