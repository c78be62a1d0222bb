// A batch worker: loads the no-modules build Trunk writes beside index.html
// (brink-batch.js and its .wasm, names without a hash), whose main
// (src/batch.rs, serve) answers the page's jobs. A same-origin file, so the
// page's `script-src 'self'` policy lets the page start it.
importScripts('./brink-batch.js');
wasm_bindgen({ module_or_path: './brink-batch_bg.wasm' });
