//! "Copy link": the page's scenario as a link (share.rs), copied with the
//! Clipboard API, or shown selected in a text field where the browser
//! refuses (an insecure context, a denied permission). The address bar
//! follows the scenario as it changes ([`use_url_follows`]).

use crate::wire::Query;
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
            if let Some(url) = page_link(&query) {
                copy_or_show(url, copied.clone());
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

/// "Copy embed code": an `<iframe>` snippet of this scenario in embed mode
/// (embed.rs), listing the knobs the link changes; copied like the link,
/// or shown selected where the clipboard refuses.
#[component]
pub fn CopyEmbed(p: &CopyLinkProps) -> Html {
    let copied = use_state(|| Copied::Not);
    let onclick = {
        let (copied, query) = (copied.clone(), p.query.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(page) = page_link("") else { return };
            let e = crate::embed::Embed { knobs: crate::embed::default_knobs(&query), play: false };
            let code = crate::embed::snippet(&page, &crate::embed::query(&query, &e), "Brink: a live failure-dynamics scenario");
            copy_or_show(code, copied.clone());
        })
    };
    html! {
        <div class="share">
            <button id="copy-embed" class="btn" {onclick} title="Copy an <iframe> that shows this scenario in a wiki page: diagram, central chart, play and the changed knobs">
                { if *copied == Copied::Yes { "Copied ✓" } else { "Copy embed code" } }
            </button>
            if let Copied::Shown(code) = &*copied {
                <input id="embed-code" class="share__url" type="text" readonly=true value={code.clone()} aria-label="Embed code (press Ctrl+C to copy)"
                    onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
            }
        </div>
    }
}

/// "Compare…": opens the compare view (`?compare`) with this scenario as A
/// and a copy of it as B, to change one knob of B and see the difference.
#[component]
pub fn CompareButton(p: &CopyLinkProps) -> Html {
    let onclick = {
        let query = p.query.clone();
        Callback::from(move |_: MouseEvent| {
            let url = page_link(&crate::compare::duplicate_query(&query));
            if let (Some(url), Some(w)) = (url, web_sys::window()) {
                let _ = w.location().assign(&url);
            }
        })
    };
    html! {
        <div class="share">
            <button id="compare-open" class="btn" {onclick} aria-label="Compare this scenario with a copy of it, side by side"
                title="Open A and B side by side: A this scenario, B a copy of it to change">{ "Compare…" }</button>
        </div>
    }
}

/// The page's address with `query` for its query string.
fn page_link(query: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!("{}{}{}", location.origin().ok()?, location.pathname().ok()?, query))
}

/// Copies `text`, then says so in `copied`; where the clipboard refuses,
/// `copied` shows the text itself, to be copied by hand.
fn copy_or_show(text: String, copied: UseStateHandle<Copied>) {
    match clipboard_write(&text) {
        Some(promise) => spawn_local(async move {
            let ok = JsFuture::from(promise).await.is_ok();
            copied.set(if ok { Copied::Yes } else { Copied::Shown(text) });
        }),
        None => copied.set(Copied::Shown(text)),
    }
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

/// Inputs of the export and import buttons.
#[derive(Properties, PartialEq)]
pub struct ExportProps {
    /// The run shown (its report, series and charts).
    pub engine: crate::engine::Engine,
    /// The scenario as the knobs show it.
    pub config: sim_core::Config,
    /// The reducer.
    pub dispatch: Callback<crate::state::Action>,
}

/// The charts' canvases, by id, for "PNG".
const CHART_IDS: [&str; 4] = ["chart-traffic", "chart-latency", "chart-errors", "chart-cpu"];

/// Export (JSON, CSV, TOML, PNG of each chart) and import (a TOML file
/// picked, or dropped anywhere on the page: [`on_drop`]).
#[component]
pub fn ExportButtons(p: &ExportProps) -> Html {
    // The document is made on click: a report of an hour's series is too
    // much work for every frame. The run's report and series are written
    // by the engine (in the worker) with the CLI's code and sent back once;
    // the scenario is the page's own.
    let text_button = |id: &'static str,
                       label: &'static str,
                       tip: &'static str,
                       name: &'static str,
                       mime: &'static str,
                       make: Document| {
        let (engine, config, dispatch) = (p.engine.clone(), p.config.clone(), p.dispatch.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let dispatch = dispatch.clone();
            let save = move |text: String| {
                if save_text(name, mime, &text).is_none() {
                    dispatch.emit(crate::state::Action::Notify(format!(
                        "Export of {name} failed: the browser refused the download."
                    )));
                }
            };
            match make {
                Document::Run(query) => engine.ask(query, save),
                Document::Scenario => save(crate::export::toml(&config)),
            }
        });
        html! { <button {id} class="btn btn--small" {onclick} title={tip}>{ label }</button> }
    };
    let on_png = Callback::from(|_: MouseEvent| CHART_IDS.iter().for_each(|id| save_canvas(id)));
    let on_file = {
        let dispatch = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                import_file(file, dispatch.clone());
            }
            input.set_value("");
        })
    };
    html! {
        <section class="export" aria-label="Export and import">
            <h3 class="export__title">{ "Export · import" }</h3>
            <div class="export__row">
                { text_button("export-json", "JSON", "The run's report (totals and per-second series), as brink run writes it",
                    "brink-report.json", "application/json", Document::Run(Query::Report)) }
                { text_button("export-csv", "CSV", "The per-second series, as brink run --format csv writes them",
                    "brink-series.csv", "text/csv", Document::Run(Query::Csv)) }
                { text_button("export-toml", "TOML", "The scenario as a file for brink run --config, or to import here",
                    "brink-scenario.toml", "application/toml", Document::Scenario) }
                <button id="export-png" class="btn btn--small" onclick={on_png} title="Each chart as a PNG image">{ "PNG" }</button>
                <super::Recorder />
                <label class="btn btn--small export__import" title="Open a scenario file (.toml); dropping one on the page works too">
                    { "Import…" }
                    <input id="import-file" type="file" accept=".toml,text/plain,application/toml" onchange={on_file} />
                </label>
            </div>
        </section>
    }
}

/// Where an exported document comes from.
#[derive(Clone, Copy)]
enum Document {
    /// The run, asked of the engine.
    Run(Query),
    /// The scenario as the knobs show it.
    Scenario,
}

/// Lets a file be dropped on the element: the default would open it.
pub fn on_dragover() -> Callback<DragEvent> {
    Callback::from(|e: DragEvent| e.prevent_default())
}

/// Imports the first file dropped on the element.
pub fn on_drop(dispatch: Callback<crate::state::Action>) -> Callback<DragEvent> {
    Callback::from(move |e: DragEvent| {
        e.prevent_default();
        if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            import_file(file, dispatch.clone());
        }
    })
}

/// Reads `file` and starts a run on it, or says what is wrong with it.
fn import_file(file: web_sys::File, dispatch: Callback<crate::state::Action>) {
    use crate::state::Action;
    let name = file.name();
    if file.size() > crate::export::MAX_IMPORT_BYTES as f64 {
        let max = crate::export::MAX_IMPORT_BYTES;
        dispatch.emit(Action::Notify(format!("Import of {name}: the file is larger than {max} bytes.")));
        return;
    }
    spawn_local(async move {
        let text = JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string());
        let action = match text.map(|t| crate::export::import(&t)) {
            Some(Ok(config)) => Action::Import(Box::new(config)),
            Some(Err(e)) => Action::Notify(format!("Import of {name}: {e}")),
            None => Action::Notify(format!("Import of {name}: the file could not be read as text.")),
        };
        dispatch.emit(action);
    });
}

/// Downloads `text` as a file called `name`.
fn save_text(name: &str, mime: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag).ok()?;
    save_blob(name, &blob)
}

/// Downloads `blob` through a temporary link; the object URL is released
/// a minute later, long after the download has started.
pub(crate) fn save_blob(name: &str, blob: &web_sys::Blob) -> Option<()> {
    use wasm_bindgen::JsCast;
    let url = web_sys::Url::create_object_url_with_blob(blob).ok()?;
    let a: web_sys::HtmlAnchorElement = web_sys::window()?.document()?.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Some(())
}

/// Downloads the canvas `id` as `brink-<id>.png` (`canvas.toBlob`).
fn save_canvas(id: &'static str) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok());
    let Some(canvas) = canvas else { return };
    let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        if let Some(blob) = blob {
            save_blob(&format!("brink-{id}.png"), &blob);
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
}
