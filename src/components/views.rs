//! The menu of the app's other views: it opens them over the playground's
//! scenario (its share link's parameters), as a new page.

use crate::views::View;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Menu inputs.
#[derive(Properties, PartialEq)]
pub struct ViewMenuProps {
    /// The playground's share query, carried to the view opened.
    pub share_query: String,
}

/// The views menu.
#[component]
pub fn ViewMenu(p: &ViewMenuProps) -> Html {
    let query = p.share_query.clone();
    let on = Callback::from(move |e: Event| {
        let select = e.target_unchecked_into::<HtmlSelectElement>();
        if let Ok(v) = View::parse(&select.value()) {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href(&v.link(&query));
            }
        }
    });
    html! {
        <label class="view-menu">{ "Views " }
        <select id="view-menu" class="knob__select" aria-label="Views" title="Open another view of this scenario" onchange={on}>
            <option value="" selected=true disabled=true>{ "Hysteresis, tipping points, or Brink checks itself…" }</option>
            { for View::ALL.iter().filter(|v| **v != View::Playground).map(|v| html! {
                <option value={v.param()}>{ v.label() }</option>
            }) }
        </select>
        </label>
    }
}
