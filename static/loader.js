// Starts the app. Trunk's default loader is an inline <script>, which the
// page's Content-Security-Policy forbids (script-src 'self'); Trunk.toml's
// `pattern_script` puts this file in its place, naming the hashed
// wasm-bindgen module and WebAssembly file in data attributes.
const tag = document.querySelector('script[data-brink-js]');
const { default: init } = await import(tag.dataset.brinkJs);
await init({ module_or_path: tag.dataset.brinkWasm });
