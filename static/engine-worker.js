// The engine's Web Worker: loads the no-modules build Trunk writes beside
// index.html (brink-worker.js and its .wasm, names without a hash), whose
// main (src/worker.rs, serve) answers the page's commands. A same-origin
// file, so a `default-src 'self'` policy lets the page start it.
// If the WebAssembly cannot be instantiated (out of memory, say), the page
// is told ("failed: …", wire::FAILED) and steps the engine itself.
importScripts('./brink-worker.js');
wasm_bindgen({ module_or_path: './brink-worker_bg.wasm' }).catch((e) => postMessage(`failed: ${e}`));
