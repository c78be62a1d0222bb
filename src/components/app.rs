//! The root: reads the query string once and opens the playground or, for
//! `?bench`, the benchmark page, or the view `?view=` names.

use super::{BenchPage, HysteresisPage, Playground, TippingPage, ValidationPage};
use crate::defaults::app_defaults;
use crate::lessons;
use crate::url::parse_query;
use crate::views::View;
use yew::prelude::*;

fn page_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The app.
#[component]
pub fn App() -> Html {
    let parsed = use_memo((), |_| {
        let query = page_query();
        let (settings, mut errors) = parse_query(&query, &app_defaults());
        let lesson = lessons::from_query(&query).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let (embed, embed_errors) = crate::embed::from_query(&query);
        errors.extend(embed_errors);
        let (compare, compare_errors) = crate::compare::from_query(&query, &app_defaults());
        errors.extend(compare_errors);
        (settings, errors, lesson, embed, compare)
    });
    let (settings, errors, lesson, embed, compare) = (*parsed).clone();
    if let Some(link) = compare {
        return html! { <super::ComparePage {link} {errors} /> };
    }
    let query = page_query();
    match View::from_query(&query) {
        View::Validate => return html! { <ValidationPage /> },
        View::Hysteresis => {
            // Opened from the playground's menu, it sweeps the playground's
            // scenario; opened bare, the retry storm.
            let query = View::without_view(&query);
            let choice = if query.is_empty() { 1 } else { 0 };
            return html! { <HysteresisPage base={settings.config} {query} {errors} {choice} /> };
        }
        View::Tipping => {
            // Opened from the playground's menu, it maps the playground's
            // scenario; opened bare, the documented default (a retry storm
            // at 1,000 req/s, `sim_core::tipping::default_scenario`).
            let query = View::without_view(&query);
            let choice = if query.is_empty() { 0 } else { 1 };
            return html! { <TippingPage base={settings.config} {query} {errors} {choice} /> };
        }
        View::Playground => {}
    }
    if settings.bench {
        html! { <BenchPage /> }
    } else {
        html! { <Playground {settings} {errors} {lesson} {embed} /> }
    }
}
