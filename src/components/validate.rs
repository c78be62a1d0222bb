//! "Brink checks itself": the checks of `sim_core::validation` (the same
//! `brink validate` prints) run one after another in front of the user,
//! each row simulated beside expected with the difference and a pass mark.
//! The page yields to the browser between checks, so it paints each
//! check's rows as they arrive; how long each check took is shown with it.

use super::perf_now;
use crate::views::View;
use gloo_timers::callback::Timeout;
use sim_core::validation::{figure, Row, CHECKS};
use yew::prelude::*;

/// Pause between two checks, ms: one frame for the browser to paint the
/// rows just added and to handle input.
const YIELD_MS: u32 = 20;

/// A check's rows and the wall time it took, ms.
#[derive(Debug, Clone, PartialEq)]
struct Done {
    rows: Vec<Row>,
    took_ms: f64,
}

fn row_html(r: &Row, first: bool, rows: usize, took_ms: f64) -> Html {
    let passed = r.passed();
    let unit = if r.unit.is_empty() { String::new() } else { format!(" {}", r.unit) };
    html! {
        <tr class={classes!("check-row", (!passed).then_some("check-row--fail"))} data-passed={passed.to_string()}>
            if first {
                <th scope="rowgroup" rowspan={rows.to_string()} class="check-row__name">
                    { r.check }<small class="check-row__took">{ format!("{} ms", figure(took_ms.round())) }</small>
                </th>
            }
            <td>{ r.quantity.clone() }</td>
            <td class="num">{ format!("{}{unit}", figure(r.simulated)) }</td>
            <td class="num">{ format!("{}{unit}", r.expected.text()) }</td>
            <td class="num">{ figure(r.difference()) }</td>
            <td class={classes!("check-row__mark", if passed { "check-row__mark--pass" } else { "check-row__mark--fail" })}>
                { if passed { "✓ pass" } else { "✕ FAIL" } }
            </td>
        </tr>
    }
}

/// The validation page.
#[component]
pub fn ValidationPage() -> Html {
    let done = use_state(Vec::<Done>::new);
    {
        let done = done.clone();
        use_effect_with(done.len(), move |&n| {
            // One check per timeout: the browser paints between them.
            let timer = (n < CHECKS.len()).then(|| {
                Timeout::new(YIELD_MS, move || {
                    let t0 = perf_now();
                    let rows = (CHECKS[n].run)();
                    let mut next = (*done).clone();
                    next.push(Done { rows, took_ms: perf_now() - t0 });
                    done.set(next);
                })
            });
            move || drop(timer)
        });
    }
    let rows: usize = done.iter().map(|d| d.rows.len()).sum();
    let passed: usize = done.iter().flat_map(|d| &d.rows).filter(|r| r.passed()).count();
    let finished = done.len() == CHECKS.len();
    let status = if finished {
        format!("{passed} of {rows} rows pass")
    } else {
        format!("Running check {} of {}: {}…", done.len() + 1, CHECKS.len(), CHECKS[done.len()].name)
    };
    html! {
        <main class="page validate">
            <nav class="page__nav"><a href={View::Playground.link("")}>{ "← Playground" }</a></nav>
            <h1>{ "Brink checks itself" }</h1>
            <p class="page__lead">{ "The engine running in this page, against queueing theory and published results: each row is a simulation on fixed seeds beside what theory or the source says, the difference, and whether it is within the tolerance. The same checks as " }<code>{ "brink validate" }</code>{ "." }</p>
            <p id="validate-status" class={classes!("validate__status", finished.then_some("validate__status--done"))}
                data-done={done.len().to_string()} data-rows={rows.to_string()} data-passed={passed.to_string()} role="status">
                { status }
            </p>
            <table id="validate-table" class="validate__table">
                <thead><tr>
                    <th scope="col">{ "check" }</th><th scope="col">{ "quantity" }</th><th scope="col">{ "simulated" }</th>
                    <th scope="col">{ "expected" }</th><th scope="col">{ "difference" }</th><th scope="col">{ "pass" }</th>
                </tr></thead>
                { for done.iter().map(|d| html! {
                    <tbody>{ for d.rows.iter().enumerate().map(|(i, r)| row_html(r, i == 0, d.rows.len(), d.took_ms)) }</tbody>
                }) }
                if !finished {
                    <tbody><tr class="check-row check-row--pending"><th scope="row">{ CHECKS[done.len()].name }</th><td colspan="5">{ "running…" }</td></tr></tbody>
                }
            </table>
        </main>
    }
}
