//! The engine's Web Worker, as a hook: the playground that calls it owns
//! the worker, routes its runs through it ([`crate::engine::connect`]) and
//! terminates it when it unmounts. One worker serves every run of the page:
//! a reset starts the next run in the same worker, so resets leave nothing
//! behind.

use crate::engine;
use crate::state::Action;
use crate::wire::{self, Reply};
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

impl EngineWorker {
    fn open(script: &str) -> Result<EngineWorker, JsValue> {
        let worker = Worker::new(script)?;
        let sink: Rc<RefCell<Option<Callback<Reply>>>> = Rc::default();
        // Commands wait here until the worker says it listens (`None` then).
        let held: Rc<RefCell<Option<Vec<String>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let (to, ready, port) = (sink.clone(), held.clone(), worker.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            if text == wire::READY {
                for command in ready.borrow_mut().take().unwrap_or_default() {
                    post(&port, &command);
                }
                return;
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
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(|e: web_sys::ErrorEvent| {
            web_sys::console::error_1(&format!("engine worker: {}", e.message()).into());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let port = worker.clone();
        engine::connect(Rc::new(move |text: String| match held.borrow_mut().as_mut() {
            Some(waiting) => waiting.push(text),
            None => post(&port, &text),
        }));
        // Leaving the page ends the worker at once rather than when the
        // old document is collected: its WebAssembly memory is released
        // before the next page instantiates its own (the fuzz test's
        // thousand navigations ran out of Wasm memory without this). A page
        // kept in the back-forward cache (`persisted`) keeps its worker.
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
        Ok(EngineWorker { worker, sink, _on_message: on_message, _on_error: on_error, on_pagehide })
    }
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
