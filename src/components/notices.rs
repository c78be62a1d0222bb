//! Messages (bad input, refused changes), the pending-restart banner and the
//! story of the template last loaded.

use crate::state::{Action, Notice};
use yew::prelude::*;

/// Inputs.
#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    /// Messages to show.
    pub notices: Vec<Notice>,
    /// Restart fields waiting for a reset.
    pub pending: Vec<&'static str>,
    /// The story shown, if any: the name and text of the
    /// template last loaded.
    pub story: Option<(&'static str, &'static str)>,
    /// The reducer.
    pub dispatch: Callback<Action>,
    /// The restart banner's id: the compare page shows one per side.
    #[prop_or(AttrValue::Static("restart-banner"))]
    pub banner_id: AttrValue,
}

fn field_label(field: &str) -> &str {
    match field {
        "seed" => "seed",
        "nodes.count" => "node count",
        "traffic.duration_s" => "duration",
        "services" => "the services and calls",
        other => other,
    }
}

/// The notices area.
#[component]
pub fn Notices(p: &NoticesProps) -> Html {
    let pending: Vec<&str> = p.pending.iter().map(|f| field_label(f)).collect();
    html! {
        <div class="notices">
            { for p.notices.iter().map(|n| {
                let id = n.id;
                html! {
                    <div class="notice notice--error" role="alert">
                        <span class="notice__text">{ &n.text }</span>
                        <button class="notice__close" aria-label="Dismiss" onclick={p.dispatch.reform(move |_: MouseEvent| Action::Dismiss(id))}>{ "✕" }</button>
                    </div>
                }
            }) }
            if !pending.is_empty() {
                <div id={p.banner_id.clone()} class="notice notice--restart" role="status">
                    <span class="notice__text">{ format!("Changed {}: applies when the run restarts from t = 0.", pending.join(" and ")) }</span>
                    <button class="btn btn--small btn--primary" onclick={p.dispatch.reform(|_: MouseEvent| Action::Reset)}>{ "Restart now" }</button>
                </div>
            }
            if let Some((name, story)) = p.story {
                <div class="notice story" role="status">
                    <span class="notice__text"><b>{ name }{ ". " }</b>{ story }</span>
                    <button class="notice__close" aria-label="Hide" onclick={p.dispatch.reform(|_: MouseEvent| Action::HideStory)}>{ "✕" }</button>
                </div>
            }
        </div>
    }
}
