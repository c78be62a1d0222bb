//! A batch worker, as Trunk builds it: it only starts the job runner
//! defined in the library (`brink_app::batch::serve`).

#[cfg(target_arch = "wasm32")]
fn main() {
    brink_app::batch::serve();
}

/// Natively there is no worker to serve; say how to build it instead.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("brink-batch is the app's batch worker: `trunk build --release` builds it into dist/.");
    std::process::exit(2);
}
