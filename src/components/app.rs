//! The root: reads the query string once and opens the playground or, for
//! `?bench`, the benchmark page.

use super::{BenchPage, Playground};
use crate::defaults::app_defaults;
use crate::url::parse_query;
use yew::prelude::*;

fn page_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The app.
#[component]
pub fn App() -> Html {
    let parsed = use_memo((), |_| parse_query(&page_query(), &app_defaults()));
    let (settings, errors) = (*parsed).clone();
    if settings.bench {
        html! { <BenchPage /> }
    } else {
        html! { <Playground {settings} {errors} /> }
    }
}
