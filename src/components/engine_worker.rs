//! The engine's Web Worker, as a hook: the playground that calls it owns
//! the worker, routes its runs through it ([`crate::engine::connect`]) and
//! terminates it when it unmounts. One worker serves every run of the page:
//! a reset starts the next run in the same worker, so resets leave nothing
//! behind.

use crate::engine;
use crate::state::Action;
use crate::wire::{self, Command, Reply};
use crate::worker::Runner;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};
use yew::prelude::*;

thread_local! {
    static SCRIPT: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Runs the page's engine in a worker loaded from `script` (a same-origin
/// file, so a `default-src 'self'` policy allows it). Called by the app's
/// entry point before it mounts; without it (the component tests) the
/// engine steps in-process.
pub fn use_worker_script(script: &'static str) {
    SCRIPT.with(|s| s.set(Some(script)));
}

/// The open worker and where its replies go.
struct EngineWorker {
    worker: Worker,
    sink: Rc<RefCell<Option<Callback<Reply>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
    on_pagehide: Closure<dyn FnMut(web_sys::Event)>,
}

/// Where the page's commands go.
enum Route {
    /// Held until the worker says it listens.
    Held(Vec<String>),
    /// To the worker.
    Worker,
    /// The worker could not start (its WebAssembly failed to instantiate,
    /// its script failed to load): the page steps the run itself, with the
    /// same runner, and its replies still arrive as messages do, after the
    /// command's task.
    Page(Box<Runner>),
}

type Sink = Rc<RefCell<Option<Callback<Reply>>>>;

/// Carries out `command` on the page's own runner and hands its reply on
/// in a later task, as a worker's would come.
fn answer_here(runner: &mut Runner, command: &str, sink: &Sink) {
    let Ok(command) = wire::decode::<Command>(command) else { return };
    if let Some(reply) = runner.handle(command) {
        let sink = sink.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(cb) = sink.borrow().as_ref() {
                cb.emit(reply)
            }
        });
    }
}

/// Sends `text` the way `route` says.
fn route_command(route: &RefCell<Route>, worker: &Worker, sink: &Sink, text: String) {
    match &mut *route.borrow_mut() {
        Route::Held(waiting) => waiting.push(text),
        Route::Worker => post(worker, &text),
        Route::Page(runner) => answer_here(runner, &text, sink),
    }
}

/// The worker listens (`up`) or failed to start: the held commands go on
/// their way, and so does every later one.
fn settle(route: &RefCell<Route>, worker: &Worker, sink: &Sink, up: bool) {
    let held = match &mut *route.borrow_mut() {
        Route::Held(waiting) => std::mem::take(waiting),
        _ => return,
    };
    if up {
        *route.borrow_mut() = Route::Worker;
    } else {
        web_sys::console::warn_1(&"engine worker did not start; the engine steps on the page".into());
        worker.terminate();
        *route.borrow_mut() = Route::Page(Box::new(Runner::new(super::perf_now)));
    }
    for text in held {
        route_command(route, worker, sink, text);
    }
}

impl EngineWorker {
    fn open(script: &str) -> Result<EngineWorker, JsValue> {
        let worker = Worker::new(script)?;
        let sink: Sink = Rc::default();
        let route = Rc::new(RefCell::new(Route::Held(Vec::new())));
        let (to, r, w) = (sink.clone(), route.clone(), worker.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            if text == wire::READY || text.starts_with(wire::FAILED) {
                if !text.starts_with(wire::READY) {
                    web_sys::console::warn_1(&text.clone().into());
                }
                return settle(&r, &w, &to, text == wire::READY);
            }
            match wire::decode::<Reply>(&text) {
                Ok(reply) => {
                    if let Some(cb) = to.borrow().as_ref() {
                        cb.emit(reply)
                    }
                }
                Err(err) => web_sys::console::error_1(&err.into()),
            }
        });
        let (to, r, w) = (sink.clone(), route.clone(), worker.clone());
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            // Before it listens, an error means it never will: step here.
            if matches!(&*r.borrow(), Route::Held(_)) {
                web_sys::console::warn_1(&format!("engine worker: {}", e.message()).into());
                e.prevent_default();
                settle(&r, &w, &to, false);
            } else {
                web_sys::console::error_1(&format!("engine worker: {}", e.message()).into());
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let (to, w) = (sink.clone(), worker.clone());
        engine::connect(Rc::new(move |text: String| route_command(&route, &w, &to, text)));
        let on_pagehide = end_on_pagehide(&worker);
        Ok(EngineWorker { worker, sink, _on_message: on_message, _on_error: on_error, on_pagehide })
    }
}

/// Leaving the page ends the worker at once rather than when the old
/// document is collected, so its WebAssembly memory is released before the
/// next page instantiates its own. A page kept in the back-forward cache
/// (`persisted`) keeps its worker.
fn end_on_pagehide(worker: &Worker) -> Closure<dyn FnMut(web_sys::Event)> {
    let ending = worker.clone();
    let on_pagehide = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let kept = js_sys::Reflect::get(&e, &"persisted".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
        if !kept {
            ending.terminate();
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
    }
    on_pagehide
}

fn post(worker: &Worker, text: &str) {
    if let Err(e) = worker.post_message(&JsValue::from_str(text)) {
        web_sys::console::error_2(&"engine worker: post failed".into(), &e);
    }
}

impl Drop for EngineWorker {
    fn drop(&mut self) {
        engine::disconnect();
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("pagehide", self.on_pagehide.as_ref().unchecked_ref());
        }
        self.worker.terminate();
    }
}

/// Opens the engine's worker (once, before the state that uses it is
/// built) when the entry point asked for one. Call [`EngineLink::deliver`]
/// with the reducer's dispatcher on every render.
#[hook]
pub fn use_engine_worker() -> EngineLink {
    let open = use_memo((), |_| {
        let script = SCRIPT.with(Cell::get)?;
        EngineWorker::open(script)
            .map_err(|e| web_sys::console::error_2(&"engine worker not started; stepping on the page".into(), &e))
            .ok()
    });
    {
        // Unmounting ends the worker at once; the memo's drop then has
        // nothing left to end.
        let open = open.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some(w) = open.as_ref() {
                    engine::disconnect();
                    w.worker.terminate();
                }
            }
        });
    }
    EngineLink(open)
}

/// The playground's handle on its worker.
pub struct EngineLink(Rc<Option<EngineWorker>>);

impl EngineLink {
    /// Sends the worker's replies to the reducer.
    pub fn deliver(&self, dispatch: &Callback<Action>) {
        if let Some(w) = self.0.as_ref() {
            *w.sink.borrow_mut() = Some(dispatch.reform(|r| Action::Engine(Rc::new(r))));
        }
    }
}
