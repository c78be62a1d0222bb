//! A short WebM recording of the system diagram and the central chart, for
//! a chat message or a slide. The diagram is HTML and SVG, which a
//! `MediaRecorder` cannot capture, so while recording a timer composites
//! each frame onto an offscreen canvas: the diagram as simplified boxes
//! (each service's card, or each node in a single tier, at the place and
//! size the page's layout gave it, named and with its nodes up in words,
//! joined by the call arrows) above the traffic chart's canvas as drawn.
//! That canvas's `captureStream(30)` feeds a `MediaRecorder` (VP9 or VP8
//! WebM, whichever the browser supports); the recording stops on the
//! button or after [`MAX_RECORDING_S`] and downloads as `brink.webm`. The
//! recorder, its timers and its stream are owned by the component and
//! stopped, without a download, when it unmounts.

use js_sys::Array;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    BlobEvent, BlobPropertyBag, CanvasRenderingContext2d, Document, Element, HtmlCanvasElement, MediaRecorder,
    MediaRecorderOptions, MediaStream, MediaStreamTrack,
};
use yew::prelude::*;

/// Longest recording, s: a clip for a chat message or a slide, a few
/// megabytes at most. The recording stops by itself then.
pub const MAX_RECORDING_S: u32 = 15;
/// Frames per second drawn and captured.
const FPS: u32 = 30;
/// The clip's size, px: 16:9 as slides are.
const W: f64 = 960.0;
const H: f64 = 540.0;
/// Height of the diagram's band at the top, px; the chart has the rest.
const DIAGRAM_H: f64 = 210.0;
/// Container types tried in order (`MediaRecorder.isTypeSupported`).
const MIME_TYPES: [&str; 3] = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];

/// A recording in progress. Dropping it stops everything it started.
struct Recording {
    recorder: MediaRecorder,
    stream: MediaStream,
    _painter: gloo_timers::callback::Interval,
    _limit: gloo_timers::callback::Timeout,
    _on_data: Closure<dyn FnMut(BlobEvent)>,
    _on_stop: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Recording {
    fn drop(&mut self) {
        // Unmounting mid-recording: no download, just stop.
        self.recorder.set_onstop(None);
        if self.recorder.state() != web_sys::RecordingState::Inactive {
            let _ = self.recorder.stop();
        }
        for track in self.stream.get_tracks().iter() {
            if let Ok(t) = track.dyn_into::<MediaStreamTrack>() {
                t.stop();
            }
        }
    }
}

type Slot = Rc<RefCell<Option<Recording>>>;

/// The record / stop button.
#[component]
pub fn Recorder() -> Html {
    let slot: Slot = use_mut_ref(|| None);
    let recording = use_state(|| false);
    let failed = use_state(|| None::<String>);
    {
        let slot = slot.clone();
        use_effect_with((), move |_| move || drop(slot.borrow_mut().take()));
    }
    let onclick = {
        let (slot, recording, failed) = (slot.clone(), recording.clone(), failed.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = slot.borrow().as_ref() {
                // onstop downloads the clip and clears the slot.
                let _ = r.recorder.stop();
                return;
            }
            let done = {
                let (slot, recording) = (slot.clone(), recording.clone());
                move || {
                    recording.set(false);
                    let slot = slot.clone();
                    // Not from inside the stop handler, which the slot owns.
                    wasm_bindgen_futures::spawn_local(async move { drop(slot.borrow_mut().take()) });
                }
            };
            match start(done) {
                Ok(r) => {
                    *slot.borrow_mut() = Some(r);
                    failed.set(None);
                    recording.set(true);
                }
                Err(e) => failed.set(Some(e)),
            }
        })
    };
    let (label, tip) = if *recording {
        ("■ Stop", "Stop recording and download brink.webm".to_string())
    } else {
        (
            "● WebM",
            format!("Record the diagram and the traffic chart as a WebM video (at most {MAX_RECORDING_S} s), downloaded as brink.webm"),
        )
    };
    html! {
        <>
            <button id="record-webm" class={classes!("btn", "btn--small", (*recording).then_some("btn--recording"))}
                {onclick} title={tip.clone()} aria-label={tip} aria-pressed={(*recording).to_string()}>{ label }</button>
            if let Some(e) = &*failed { <span class="export__error" role="alert">{ e.clone() }</span> }
        </>
    }
}

/// Starts a recording; `done` runs once the clip has been downloaded.
fn start(done: impl Fn() + 'static) -> Result<Recording, String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement =
        doc.create_element("canvas").ok().and_then(|e| e.dyn_into().ok()).ok_or("no canvas")?;
    canvas.set_width(W as u32);
    canvas.set_height(H as u32);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("no 2D context")?;
    let mime = MIME_TYPES
        .iter()
        .find(|m| MediaRecorder::is_type_supported(m))
        .ok_or("This browser cannot record WebM video.")?;
    paint(&doc, &ctx);
    let stream = canvas.capture_stream_with_frame_request_rate(FPS as f64).map_err(|_| "no canvas stream")?;
    let options = MediaRecorderOptions::new();
    options.set_mime_type(mime);
    let recorder = MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options)
        .map_err(|_| "The browser refused to record.")?;
    let chunks = Array::new();
    let on_data = {
        let chunks = chunks.clone();
        Closure::<dyn FnMut(BlobEvent)>::new(move |e: BlobEvent| {
            if let Some(b) = e.data().filter(|b| b.size() > 0.0) {
                chunks.push(&b);
            }
        })
    };
    let on_stop = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let bag = BlobPropertyBag::new();
        bag.set_type("video/webm");
        if let Ok(blob) = web_sys::Blob::new_with_blob_sequence_and_options(&chunks, &bag) {
            super::share::save_blob("brink.webm", &blob);
        }
        done();
    });
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
    recorder.start().map_err(|_| "The recorder did not start.")?;
    let painter = gloo_timers::callback::Interval::new(1000 / FPS, move || paint(&doc, &ctx));
    let limit = {
        let recorder = recorder.clone();
        gloo_timers::callback::Timeout::new(MAX_RECORDING_S * 1000, move || {
            if recorder.state() == web_sys::RecordingState::Recording {
                let _ = recorder.stop();
            }
        })
    };
    Ok(Recording { recorder, stream, _painter: painter, _limit: limit, _on_data: on_data, _on_stop: on_stop })
}

/// One frame: a title line with the simulated time, the diagram's boxes,
/// and the traffic chart scaled into the rest.
fn paint(doc: &Document, ctx: &CanvasRenderingContext2d) {
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, W, H);
    let t = doc.get_element_by_id("status").and_then(|s| s.get_attribute("data-sim-time")).unwrap_or_default();
    ctx.set_fill_style_str("#111827");
    ctx.set_font("bold 15px sans-serif");
    let _ = ctx.fill_text(&format!("Brink · t = {t} s"), 12.0, 20.0);
    diagram(doc, ctx);
    let chart = doc.get_element_by_id("chart-traffic").and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok());
    if let Some(c) = chart.filter(|c| c.width() > 0 && c.height() > 0) {
        let (cw, ch) = (c.width() as f64, c.height() as f64);
        let s = (W / cw).min((H - DIAGRAM_H) / ch);
        let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&c, (W - cw * s) / 2.0, DIAGRAM_H, cw * s, ch * s);
    }
}

/// A box of the diagram, in page pixels.
struct Card {
    name: String,
    words: String,
    healthy: f64,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The diagram's boxes where the page placed them: the service cards of a
/// system, or a single tier's nodes.
fn cards(doc: &Document) -> (Vec<Card>, Option<web_sys::DomRect>) {
    let (root, items) = match doc.get_element_by_id("topology") {
        Some(t) => (Some(t), "#topology .svc"),
        None => (doc.get_element_by_id("nodes"), "#nodes > .node"),
    };
    let Some(root) = root else { return (Vec::new(), None) };
    let frame = root.get_bounding_client_rect();
    let list = doc.query_selector_all(items).ok();
    let mut out = Vec::new();
    for k in 0..list.as_ref().map_or(0, |l| l.length()) {
        let Some(e) = list.as_ref().and_then(|l| l.item(k)).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        let r = e.get_bounding_client_rect();
        let attr = |a: &str| e.get_attribute(a).unwrap_or_default();
        let (name, words, healthy) = if let Some(svc) = e.get_attribute("data-service") {
            let (up, n) = (attr("data-up").parse::<f64>().unwrap_or(0.0), attr("data-nodes").parse::<f64>().unwrap_or(1.0));
            (svc, format!("{up}/{n} up"), if n > 0.0 { up / n } else { 0.0 })
        } else {
            let state = attr("data-state");
            let healthy = if state == "healthy" || state == "busy" { 1.0 } else { 0.0 };
            (format!("node {}", k + 1), state, healthy)
        };
        out.push(Card { name, words, healthy, x: r.x() - frame.x(), y: r.y() - frame.y(), w: r.width(), h: r.height() });
    }
    (out, Some(frame))
}

/// Draws the diagram's boxes and call arrows in the band under the title.
fn diagram(doc: &Document, ctx: &CanvasRenderingContext2d) {
    let (cards, Some(frame)) = cards(doc) else { return };
    let (top, band) = (30.0, DIAGRAM_H - 36.0);
    let s = (W / frame.width().max(1.0)).min(band / frame.height().max(1.0)).min(1.0);
    let x0 = (W - frame.width() * s) / 2.0;
    let at = |c: &Card| (x0 + c.x * s, top + c.y * s, c.w * s, c.h * s);
    let centre = |name: &str| {
        cards.iter().find(|c| c.name == name).map(|c| {
            let (x, y, w, h) = at(c);
            (x + w / 2.0, y + h / 2.0)
        })
    };
    ctx.set_stroke_style_str("#6b7280");
    ctx.set_line_width(2.0);
    if let Ok(edges) = doc.query_selector_all("#topology g.edge[data-from][data-to]") {
        for k in 0..edges.length() {
            let Some(e) = edges.item(k).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
            let ends = (e.get_attribute("data-from"), e.get_attribute("data-to"));
            if let (Some(Some((ax, ay))), Some(Some((bx, by)))) = (ends.0.map(|a| centre(&a)), ends.1.map(|b| centre(&b))) {
                ctx.begin_path();
                ctx.move_to(ax, ay);
                ctx.line_to(bx, by);
                ctx.stroke();
            }
        }
    }
    for c in &cards {
        let (x, y, w, h) = at(c);
        // Colour follows health, and the words say it too.
        let fill = if c.healthy >= 1.0 { "#dcfce7" } else if c.healthy > 0.0 { "#fef3c7" } else { "#fee2e2" };
        ctx.set_fill_style_str(fill);
        ctx.fill_rect(x, y, w, h);
        ctx.stroke_rect(x, y, w, h);
        ctx.set_fill_style_str("#111827");
        ctx.set_font(&format!("bold {:.0}px sans-serif", (h * 0.22).clamp(9.0, 14.0)));
        let _ = ctx.fill_text_with_max_width(&c.name, x + 4.0, y + h * 0.4, w - 8.0);
        ctx.set_font(&format!("{:.0}px sans-serif", (h * 0.2).clamp(8.0, 12.0)));
        let _ = ctx.fill_text_with_max_width(&c.words, x + 4.0, y + h * 0.75, w - 8.0);
    }
}
