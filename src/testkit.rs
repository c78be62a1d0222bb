//! Helpers shared by the native unit tests of the reducer, the lessons and
//! the query string (compiled only for `cargo test`).

use crate::defaults::app_defaults;
use crate::state::{Action, AppState};
use crate::url::{parse_query, UrlSettings};

/// A clock that never moves: the pacer then keeps its initial budget, which
/// makes frame tests deterministic.
pub fn frozen_clock() -> f64 {
    0.0
}

/// The settings a query string gives over the app's defaults; the query
/// must be free of errors.
pub fn settings(query: &str) -> UrlSettings {
    let (s, errors) = parse_query(query, &app_defaults());
    assert!(errors.is_empty(), "{errors:?}");
    s
}

/// The state of a page opened with `query`, on the frozen clock.
pub fn state(query: &str) -> AppState {
    AppState::new(settings(query), Vec::new(), frozen_clock)
}

/// Simulated time of the last snapshot, seconds.
pub fn seconds(s: &AppState) -> f64 {
    s.snapshot.now.as_secs_f64()
}

/// Steps `n` simulated seconds.
pub fn steps(s: &mut AppState, n: usize) {
    for _ in 0..n {
        s.apply(Action::Step);
    }
}

/// Index of the lesson called `name`.
pub fn lesson(name: &str) -> usize {
    crate::lessons::by_name(name).unwrap_or_else(|| panic!("no lesson {name}"))
}
