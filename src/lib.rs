//! # brink-app: the Brink playground
//!
//! A Yew app over `sim-core`. The domain modules (`state`, `defaults`,
//! `knobs`, `url`, `pacing`, `lessons`, `bench`, `format`, `engine`, chart
//! data) never import Yew and compile natively too, where their unit tests
//! run (`cargo test -p brink-app`); the chart drawing and the components
//! under `components/` need a browser and exist only on wasm32, where they
//! own every browser handle (tested in `tests/web.rs`).

pub mod a11y;
pub mod batch;
pub mod bench;
pub mod charts;
pub mod compare;
#[cfg(target_arch = "wasm32")]
pub mod components;
pub mod dashboard;
pub mod defaults;
pub mod defences;
pub mod embed;
pub mod engine;
pub mod export;
pub mod format;
pub mod hysteresis;
pub mod knobs;
pub mod lessons;
pub mod pacing;
pub mod share;
pub mod state;
pub mod system;
pub mod templates;
#[cfg(test)]
mod testkit;
pub mod tipping;
pub mod topology_view;
pub mod trace_view;
pub mod url;
pub mod views;
pub mod wire;
pub mod worker;

/// The engine worker's loader (static/engine-worker.js), which Trunk
/// copies next to index.html with the worker's build.
pub const WORKER_SCRIPT: &str = "./engine-worker.js";

/// Mounts the app on the page's body, its engine in a Web Worker.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    components::use_worker_script(WORKER_SCRIPT);
    yew::Renderer::<components::App>::new().render();
}
