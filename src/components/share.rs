//! "Copy link": the page's scenario as a link (share.rs), copied with the
//! Clipboard API, or shown selected in a text field where the browser
//! refuses (an insecure context, a denied permission). The address bar
//! follows the scenario as it changes ([`use_url_follows`]).

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Inputs.
#[derive(Properties, PartialEq)]
pub struct CopyLinkProps {
    /// The query string reproducing the scenario (`share::state_query`).
    pub query: String,
}

/// What the button last did.
#[derive(Clone, PartialEq)]
enum Copied {
    Not,
    Yes,
    /// The clipboard refused: the link, shown selected.
    Shown(String),
}

/// The "Copy link" button.
#[component]
pub fn CopyLink(p: &CopyLinkProps) -> Html {
    let copied = use_state(|| Copied::Not);
    let field = use_node_ref();
    let onclick = {
        let (copied, query) = (copied.clone(), p.query.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(url) = page_link(&query) else { return };
            let copied = copied.clone();
            match clipboard_write(&url) {
                Some(promise) => spawn_local(async move {
                    let ok = JsFuture::from(promise).await.is_ok();
                    copied.set(if ok { Copied::Yes } else { Copied::Shown(url) });
                }),
                None => copied.set(Copied::Shown(url)),
            }
        })
    };
    {
        // Select the shown link, so that Ctrl+C copies it.
        let field = field.clone();
        use_effect_with((*copied).clone(), move |c| {
            if let (Copied::Shown(_), Some(input)) = (c, field.cast::<HtmlInputElement>()) {
                let _ = input.focus();
                input.select();
            }
        });
    }
    html! {
        <div class="share">
            <button id="copy-link" class="btn" {onclick} title="Copy a link that reopens this scenario: topology, every knob, seed, speed and view">
                { if *copied == Copied::Yes { "Copied ✓" } else { "Copy link" } }
            </button>
            if let Copied::Shown(url) = &*copied {
                <input id="share-url" ref={field} class="share__url" type="text" readonly=true value={url.clone()} aria-label="Link to this scenario (press Ctrl+C to copy)"
                    onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
            }
        </div>
    }
}

/// The page's address with `query` for its query string.
fn page_link(query: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!("{}{}{}", location.origin().ok()?, location.pathname().ok()?, query))
}

/// Starts writing `text` to the clipboard; `None` where the page has no
/// Clipboard API (it is missing outside secure contexts).
fn clipboard_write(text: &str) -> Option<js_sys::Promise> {
    let navigator = web_sys::window()?.navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return None;
    }
    let clipboard: web_sys::Clipboard = clipboard.into();
    Some(clipboard.write_text(text))
}

/// Keeps the address bar on `query` (replacing the entry, so the back
/// button still leaves the page).
#[hook]
pub fn use_url_follows(query: String) {
    use_effect_with(query, |query| {
        if let Some(url) = page_link(query) {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
        }
    });
}
