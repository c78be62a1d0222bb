//! Bench mode: runs the reference steady scenario once, without rendering,
//! and prints the figures as JSON for scripts to read.

use super::perf_now;
use crate::bench;
use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// Delay before the warm-up, ms: long enough for the page to paint "running".
const START_DELAY_MS: u32 = 50;
/// Pause between warm-up and timed run, ms, for the browser's background
/// compiler to finish the optimised code of the engine.
const TIER_UP_DELAY_MS: u32 = 250;

/// The benchmark page.
#[component]
pub fn BenchPage() -> Html {
    let warmed = use_state(|| false);
    let result = use_state(|| None::<String>);
    {
        let warmed = warmed.clone();
        use_effect_with((), move |_| {
            let timer = Timeout::new(START_DELAY_MS, move || {
                bench::warm_up();
                warmed.set(true);
            });
            // Unmounting before the delay cancels the run.
            move || drop(timer)
        });
    }
    {
        let result = result.clone();
        use_effect_with(*warmed, move |&warmed| {
            let timer = warmed.then(|| {
                Timeout::new(TIER_UP_DELAY_MS, move || {
                    let r = bench::run(perf_now);
                    let json = serde_json::to_string_pretty(&r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
                    result.set(Some(json));
                })
            });
            move || drop(timer)
        });
    }
    html! {
        <main class="bench">
            <h1>{ "Brink bench" }</h1>
            <p>{ "The reference steady scenario (10,000 req/s for 60 simulated seconds, seed 1), run to the end in this page's WebAssembly after a short warm-up, timed with performance.now()." }</p>
            if let Some(json) = &*result {
                <pre id="bench-result">{ json }</pre>
            } else {
                <p class="bench__running" aria-live="polite">{ if *warmed { "Running…" } else { "Warming up…" } }</p>
            }
        </main>
    }
}
