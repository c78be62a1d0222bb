//! Embed mode's compact view (`?embed`, framework-free part in `embed.rs`):
//! the system diagram, the central chart, play/pause/reset, the listed
//! knobs and "Open in Brink". It also provides [`use_visible`], which the
//! playground uses to stop its animation loop while the page is hidden or
//! scrolled out of the host page's view.

use super::{Charts, KnobList, KnobPanelProps, NodeView};
use crate::charts::LastSecond;
use crate::embed::Embed;
use crate::format::sim_seconds;
use crate::state::{Action, AppState};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The compact view of `state`, for an `<iframe>`. `open_query` is the full
/// playground's link to the same state ("Open in Brink").
pub fn view(state: &AppState, dispatch: &Callback<Action>, embed: &Embed, open_query: &str, root: NodeRef) -> Html {
    let snap = state.snapshot.clone();
    let last = {
        let sim = state.engine.sim();
        LastSecond::of(sim.series(), sim.completed_seconds())
    };
    let finished = state.finished();
    let play = if state.playing {
        dispatch.reform(|_: MouseEvent| Action::Pause)
    } else {
        dispatch.reform(|_: MouseEvent| Action::Play)
    };
    let status = match (finished, state.playing) {
        (true, _) => "ended",
        (false, true) => "running",
        (false, false) => "paused",
    };
    let panel = KnobPanelProps {
        config: state.config.clone(),
        defaults: state.defaults.clone(),
        pending: state.pending_restart.clone(),
        target: state.target(),
        dispatch: dispatch.clone(),
    };
    html! {
        <div class="app embed" ref={root} data-embed="1">
            <header class="embed__bar">
                <span class="brand__name">{ "Brink" }</span>
                <button id="play" class="btn btn--primary btn--small" onclick={play} disabled={finished}>
                    { match (finished, state.playing) { (true, _) => "Ended", (false, true) => "Pause", _ => "Play" } }
                </button>
                <button id="reset" class="btn btn--small" onclick={dispatch.reform(|_: MouseEvent| Action::Reset)}>{ "Reset" }</button>
                <div id="status" class="status" role="status" data-sim-time={format!("{:.3}", snap.now.as_secs_f64())}>
                    <span class="status__time">{ format!("t = {}", sim_seconds(snap.now.as_secs_f64())) }</span>
                    <span class="status__state">{ format!(" {status}") }</span>
                </div>
                <a id="open-in-brink" class="btn btn--small embed__open" href={page(open_query)} target="_blank" rel="noreferrer"
                    title="Open this scenario in the full playground">{ "Open in Brink ↗" }</a>
            </header>
            <super::Notices notices={state.notices.clone()} pending={state.pending_restart.clone()} story={None} dispatch={dispatch.clone()} />
            <div class="embed__body">
                <div class="embed__diagram">
                    <NodeView snapshot={snap.clone()} config={state.config.clone()} {last} {finished} selected={state.selected_service} dispatch={dispatch.clone()} dense=true />
                </div>
                <div class="embed__chart">
                    <Charts engine={state.engine.clone()} rev={state.chart_rev} service={state.chart_service}
                        services={Vec::<String>::new()} dispatch={dispatch.clone()} main_only=true />
                </div>
            </div>
            if !embed.knobs.is_empty() {
                <aside id="knobs" class="embed__knobs" aria-label="Knobs">
                    <KnobList {panel} only={embed.knobs.clone()} />
                </aside>
            }
        </div>
    }
}

/// The page's own address (path only) with `query`: relative, so the link
/// works wherever the app is served.
fn page(query: &str) -> String {
    let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "./".into());
    format!("{path}{}", if query.is_empty() { "?" } else { query })
}

/// Whether the element `root` is on screen and the page visible: false
/// while the tab is hidden (`document.visibilitychange`) or the element is
/// scrolled out of view (an `IntersectionObserver` on it), so that an
/// embed costs its host page nothing then. True until first told otherwise.
#[hook]
pub fn use_visible(root: NodeRef) -> bool {
    let in_view = use_state_eq(|| true);
    let shown = use_state_eq(|| true);
    {
        let (in_view, shown) = (in_view.setter(), shown.setter());
        use_effect_with(root, move |root| {
            let doc = web_sys::window().and_then(|w| w.document());
            let on_visibility = doc.clone().map(|doc| {
                let d = doc.clone();
                let c = Closure::<dyn FnMut()>::new(move || shown.set(!d.hidden()));
                let _ = doc.add_event_listener_with_callback("visibilitychange", c.as_ref().unchecked_ref());
                (doc, c)
            });
            let observer = root.cast::<web_sys::Element>().and_then(|el| {
                let c = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    // The newest entry says where the element is now.
                    if let Some(e) = entries.iter().last() {
                        in_view.set(e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
                    }
                });
                let o = web_sys::IntersectionObserver::new(c.as_ref().unchecked_ref()).ok()?;
                o.observe(&el);
                Some((o, c))
            });
            move || {
                if let Some((doc, c)) = on_visibility {
                    let _ = doc.remove_event_listener_with_callback("visibilitychange", c.as_ref().unchecked_ref());
                }
                if let Some((o, _c)) = observer {
                    o.disconnect();
                }
            }
        });
    }
    *in_view && *shown
}
