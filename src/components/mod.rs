//! Yew components, one per view, and the glue between them and the
//! framework-free state. Every browser handle (animation frames, timers,
//! listeners) is owned by a component and released when it unmounts.

mod animation;
mod app;
mod bench;
mod charts;
mod controls;
mod engine_worker;
mod insight;
mod knobs;
mod lesson;
mod nodes;
mod notices;
mod perf;
mod playground;
mod share;
mod system;
mod topology;

pub use animation::use_animation_frames;
pub use app::App;
pub use bench::BenchPage;
pub use charts::Charts;
pub use controls::Toolbar;
pub use engine_worker::{use_engine_worker, use_worker_script, EngineLink};
pub use insight::Insight;
pub use knobs::KnobPanel;
pub use lesson::LessonBanner;
pub use nodes::{node_look, NodeLook, NodeView};
pub use notices::Notices;
pub use perf::PerfOverlay;
pub use playground::{Playground, PlaygroundProps};
pub use share::{on_dragover, on_drop, use_url_follows, CopyLink, ExportButtons};
pub use system::SystemEditor;
pub use topology::{TopologyProps, TopologyView};

use crate::state::{Action, AppState};
use std::rc::Rc;
use yew::Reducible;

/// The reducer glue: the state's own `apply` does the work. A frame that
/// arrives while paused changes nothing, so it does not re-render.
impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if matches!(action, Action::Frame(_)) && !self.playing {
            return self;
        }
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

/// Wall-clock milliseconds from the page's high-resolution clock.
pub fn perf_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
