//! Yew components, one per view, and the glue between them and the
//! framework-free state. Every browser handle (animation frames, timers,
//! listeners) is owned by a component and released when it unmounts.

mod a11y;
mod animation;
mod app;
mod batch_pool;
mod bench;
mod charts;
mod compare;
mod controls;
mod embed;
mod dashboard;
mod hysteresis;
mod engine_worker;
mod knobs;
mod lesson;
mod nodes;
mod notices;
mod perf;
mod playground;
mod recorder;
mod share;
mod system;
mod tipping;
mod topology;
mod trace;
mod validate;
mod views;

pub use a11y::ChartSummary;
pub use animation::use_animation_frames;
pub use app::App;
pub use bench::BenchPage;
pub use charts::Charts;
pub use compare::ComparePage;
pub use controls::Toolbar;
pub use dashboard::Dashboard;
pub use embed::use_visible;
pub use hysteresis::HysteresisPage;
pub use knobs::{KnobList, KnobPanel, KnobPanelProps};
pub use engine_worker::{use_engine_worker, use_worker_script, EngineLink};
pub use lesson::LessonBanner;
pub use nodes::{node_look, NodeLook, NodeView};
pub use notices::Notices;
pub use perf::PerfOverlay;
pub use playground::{Playground, PlaygroundProps};
pub use recorder::{Recorder, MAX_RECORDING_S};
pub use share::{on_dragover, on_drop, use_url_follows, CompareButton, CopyEmbed, CopyLink, ExportButtons};
pub use system::SystemEditor;
pub use tipping::TippingPage;
pub use topology::{TopologyProps, TopologyView};
pub use trace::{trace_click, TracePanel};
pub use validate::ValidationPage;
pub use views::ViewMenu;

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
