//! The `requestAnimationFrame` loop, as a hook: the component that calls it
//! owns the loop, and the loop is cancelled when it stops or unmounts.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

type FrameClosure = Closure<dyn FnMut(f64)>;

/// A running loop. It holds the only strong reference to the frame closure
/// (the closure re-arms itself through a weak one), so dropping it cancels
/// the pending frame and frees the closure.
struct FrameLoop {
    pending: Rc<Cell<Option<i32>>>,
    _closure: Rc<RefCell<Option<FrameClosure>>>,
}

fn request(closure: &FrameClosure) -> Option<i32> {
    web_sys::window()?.request_animation_frame(closure.as_ref().unchecked_ref()).ok()
}

impl FrameLoop {
    fn start(on_frame: Callback<f64>) -> FrameLoop {
        let pending = Rc::new(Cell::new(None));
        let closure: Rc<RefCell<Option<FrameClosure>>> = Rc::new(RefCell::new(None));
        let (slot, next) = (Rc::downgrade(&closure), pending.clone());
        *closure.borrow_mut() = Some(Closure::new(move |ts: f64| {
            // Yew renders in a microtask, so the callback cannot drop this
            // loop while it runs; the weak slot is gone once it was dropped.
            on_frame.emit(ts);
            if let Some(slot) = slot.upgrade() {
                next.set(slot.borrow().as_ref().and_then(request));
            }
        }));
        pending.set(closure.borrow().as_ref().and_then(request));
        FrameLoop { pending, _closure: closure }
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.pending.take(), web_sys::window()) {
            // Cancelling a frame that already ran is a no-op, so ignoring the result is safe.
            let _ = w.cancel_animation_frame(id);
        }
    }
}

/// Calls `on_frame` with each animation frame's timestamp (ms) while
/// `active`; stops when `active` turns false or the component unmounts.
#[hook]
pub fn use_animation_frames(active: bool, on_frame: Callback<f64>) {
    use_effect_with(active, move |&active| {
        let running = active.then(|| FrameLoop::start(on_frame));
        move || drop(running)
    });
}
