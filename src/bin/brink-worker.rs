//! The engine's Web Worker, as Trunk builds it: it only starts the runner
//! defined in the library (`brink_app::worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    brink_app::worker::serve();
}

/// Natively there is no worker to serve; say how to build it instead.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("brink-worker is the playground's engine worker: `trunk build --release` builds it into dist/.");
    std::process::exit(2);
}
