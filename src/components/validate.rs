//! "Brink checks itself": the checks of `sim_core::validation` (the same
//! `brink validate` prints) run in front of the user,
//! each row simulated beside expected with the difference and a pass mark.
//! Each check is a job for the batch workers (one per core), so the checks
//! run in parallel off the page's thread, which keeps painting and
//! answering; each check's rows appear when its worker sends them, with
//! the time the check took there.

use super::batch_pool::{workers_here, Pool};
use crate::batch::{CheckRow, Job, Outcome, Reply};
use crate::views::View;
use sim_core::validation::{figure, CHECKS};
use std::rc::Rc;
use yew::prelude::*;

/// A check's rows and the wall time it took in its worker, ms.
#[derive(Debug, Clone, PartialEq)]
struct Done {
    rows: Vec<CheckRow>,
    took_ms: f64,
}

/// Each check's result, in `CHECKS` order, as the workers send them back.
#[derive(Debug, Clone, PartialEq, Default)]
struct Checks {
    first_id: u64,
    done: Vec<Option<Done>>,
    error: Option<String>,
}

enum ChecksAction {
    /// The jobs were queued; the first has this id.
    Start(u64),
    Reply(Reply),
}

impl Reducible for Checks {
    type Action = ChecksAction;

    fn reduce(self: Rc<Self>, action: ChecksAction) -> Rc<Self> {
        let r = match action {
            ChecksAction::Start(first_id) => {
                return Rc::new(Checks { first_id, done: vec![None; CHECKS.len()], error: None })
            }
            ChecksAction::Reply(r) => r,
        };
        let mut s = Rc::unwrap_or_clone(self);
        let index = r.id.wrapping_sub(s.first_id) as usize;
        match (r.outcome, s.done.get_mut(index)) {
            (Outcome::Check { rows }, Some(slot)) => *slot = Some(Done { rows, took_ms: r.took_ms }),
            (Outcome::Failed(e), Some(_)) => s.error = Some(format!("{}: {e}", CHECKS[index].name)),
            _ => {}
        }
        Rc::new(s)
    }
}

fn row_html(check: &str, r: &CheckRow, first: bool, rows: usize, took_ms: f64) -> Html {
    let passed = r.passed;
    let unit = if r.unit.is_empty() { String::new() } else { format!(" {}", r.unit) };
    html! {
        <tr class={classes!("check-row", (!passed).then_some("check-row--fail"))} data-passed={passed.to_string()}>
            if first {
                <th scope="rowgroup" rowspan={rows.to_string()} class="check-row__name">
                    { check.to_string() }<small class="check-row__took">{ format!("{} ms", figure(took_ms.round())) }</small>
                </th>
            }
            <td>{ r.quantity.clone() }</td>
            <td class="num">{ format!("{}{unit}", r.simulated) }</td>
            <td class="num">{ format!("{}{unit}", r.expected) }</td>
            <td class="num">{ r.difference.clone() }</td>
            <td class={classes!("check-row__mark", if passed { "check-row__mark--pass" } else { "check-row__mark--fail" })}>
                { if passed { "✓ pass" } else { "✕ FAIL" } }
            </td>
        </tr>
    }
}

/// The validation page.
#[component]
pub fn ValidationPage() -> Html {
    let checks = use_reducer(Checks::default);
    let pool = use_mut_ref(|| None::<Pool>);
    {
        let (checks, pool) = (checks.clone(), pool.clone());
        use_effect_with((), move |_| {
            let to = checks.dispatcher();
            let sink = Callback::from(move |r: Reply| to.dispatch(ChecksAction::Reply(r)));
            match Pool::open(workers_here(), sink) {
                Ok(opened) => {
                    let first_id = opened.submit((0..CHECKS.len()).map(|index| Job::Check { index }).collect());
                    *pool.borrow_mut() = Some(opened);
                    // Replies come from the workers' messages, after this.
                    checks.dispatch(ChecksAction::Start(first_id));
                }
                Err(e) => web_sys::console::error_2(&"batch workers not started".into(), &e),
            }
            // Leaving the view ends the workers.
            move || drop(pool.borrow_mut().take())
        });
    }
    let done: Vec<&Done> = checks.done.iter().flatten().collect();
    let rows: usize = done.iter().map(|d| d.rows.len()).sum();
    let passed: usize = done.iter().flat_map(|d| &d.rows).filter(|r| r.passed).count();
    let finished = done.len() == CHECKS.len();
    let status = match (&checks.error, finished) {
        (Some(e), _) => format!("A check could not run: {e}"),
        (None, true) => format!("{passed} of {rows} rows pass"),
        (None, false) => format!(
            "Running {} checks in parallel off the page: {} of {} done…",
            CHECKS.len() - done.len(),
            done.len(),
            CHECKS.len()
        ),
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
                // Each check in the table's order: its rows once its worker
                // sent them, a pending row until then.
                { for CHECKS.iter().enumerate().map(|(k, c)| match checks.done.get(k).cloned().flatten() {
                    Some(d) => html! {
                        <tbody>{ for d.rows.iter().enumerate().map(|(i, r)| row_html(c.name, r, i == 0, d.rows.len(), d.took_ms)) }</tbody>
                    },
                    None => html! {
                        <tbody><tr class="check-row check-row--pending"><th scope="row">{ c.name }</th><td colspan="5">{ "running…" }</td></tr></tbody>
                    },
                }) }
            </table>
        </main>
    }
}
