//! The binary Trunk builds: it only mounts the app defined in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    brink_app::start();
}

/// Natively there is no page to mount on; say how to build the app instead.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("brink-app is the browser playground: build it with `trunk build --release` and open dist/index.html.");
    std::process::exit(2);
}
