//! The pool of batch workers (`src/bin/brink-batch.rs`, started through the
//! same-origin loader `static/batch-worker.js`): one Web Worker per core,
//! each given the next queued job as soon as it is free, so independent jobs
//! run in parallel off the page's thread. The view that opens a pool owns
//! it: dropping it terminates every worker, whatever it was computing.

use crate::batch::{self, Job, Reply, Request};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::Callback;

/// The loader, beside index.html.
const SCRIPT: &str = "./batch-worker.js";

/// One worker and whether it can take a job.
struct Slot {
    worker: Worker,
    ready: bool,
    busy: bool,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// The pool's state, shared with the workers' handlers.
struct Inner {
    slots: Vec<Slot>,
    queue: VecDeque<String>,
    next_id: u64,
}

/// A pool of batch workers; replies go to the callback given at
/// [`Pool::open`], in the order jobs finish.
pub struct Pool {
    inner: Rc<RefCell<Inner>>,
}

/// Workers for this browser: `navigator.hardwareConcurrency`, bounded.
pub fn workers_here() -> usize {
    batch::pool_size(web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency()))
}

impl Pool {
    /// Starts `size` workers; each reply is given to `sink`.
    pub fn open(size: usize, sink: Callback<Reply>) -> Result<Pool, JsValue> {
        let inner = Rc::new(RefCell::new(Inner { slots: Vec::new(), queue: VecDeque::new(), next_id: 0 }));
        for index in 0..size.max(1) {
            let slot = open_slot(index, Rc::downgrade(&inner), sink.clone())?;
            inner.borrow_mut().slots.push(slot);
        }
        Ok(Pool { inner })
    }

    /// Queues `jobs`; returns the id of the first (the others follow in
    /// order).
    pub fn submit(&self, jobs: Vec<Job>) -> u64 {
        let first = {
            let mut inner = self.inner.borrow_mut();
            let first = inner.next_id;
            for job in jobs {
                let id = inner.next_id;
                inner.next_id += 1;
                inner.queue.push_back(batch::encode(&Request { id, job }));
            }
            first
        };
        dispatch(&self.inner);
        first
    }

    /// Workers in the pool.
    pub fn size(&self) -> usize {
        self.inner.borrow().slots.len()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let mut inner = self.inner.borrow_mut();
        inner.queue.clear();
        for s in &inner.slots {
            s.worker.set_onmessage(None);
            s.worker.set_onerror(None);
            s.worker.terminate();
        }
    }
}

fn open_slot(index: usize, pool: Weak<RefCell<Inner>>, sink: Callback<Reply>) -> Result<Slot, JsValue> {
    let worker = Worker::new(SCRIPT)?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(inner) = pool.upgrade() else { return };
        let text = e.data().as_string().unwrap_or_default();
        let reply = if text == batch::READY { None } else { Some(batch::decode::<Reply>(&text)) };
        if let Some(slot) = inner.borrow_mut().slots.get_mut(index) {
            (slot.ready, slot.busy) = (true, false);
        }
        dispatch(&inner);
        // The borrow is released: the sink may re-render and submit.
        match reply {
            Some(Ok(reply)) => sink.emit(reply),
            Some(Err(err)) => web_sys::console::error_1(&err.into()),
            None => {}
        }
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(|e: ErrorEvent| {
        web_sys::console::error_1(&format!("batch worker: {}", e.message()).into());
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Slot { worker, ready: false, busy: false, _on_message: on_message, _on_error: on_error })
}

/// Gives queued jobs to the free workers that listen.
fn dispatch(inner: &Rc<RefCell<Inner>>) {
    let mut guard = inner.borrow_mut();
    let Inner { slots, queue, .. } = &mut *guard;
    for slot in slots.iter_mut().filter(|s| s.ready && !s.busy) {
        let Some(text) = queue.pop_front() else { break };
        match slot.worker.post_message(&JsValue::from_str(&text)) {
            Ok(()) => slot.busy = true,
            Err(e) => web_sys::console::error_2(&"batch worker: post failed".into(), &e),
        }
    }
}
