#!/usr/bin/env bash
# Installs whatever is missing, then runs every test: the engine natively and
# compiled to wasm32, the CLI, the app's core natively and its components in
# headless Chromium, and the end-to-end browser flows against a release build
# of the page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# wasm-bindgen-test-runner and the e2e tests drive Debian's Chromium.
export WASM_BINDGEN_TEST_TIMEOUT=300

section() { printf '\n===== %s =====\n' "$*"; }

section "engine (native): unit, integration and doc tests"
cargo test -p sim-core

section "engine (wasm32, in node): the same integration tests, golden figures included"
cargo test -p sim-core --target wasm32-unknown-unknown --test model

section "brink CLI"
cargo build --release --bin brink
cargo test -p brink-cli

section "app core (native): reducer, query string, knobs, presets, pacing, chart data"
cargo test -p brink-app

section "app components and chart drawing (wasm-bindgen-test in headless Chromium)"
cargo test -p brink-app --target wasm32-unknown-unknown --test web

section "end-to-end (playwright-core + Chromium against the release build)"
trunk build --release
(cd tests/e2e && BRINK_BIN="$PWD/../../target/release/brink" BRINK_DIST="$PWD/../../dist" node --test)

section "all test suites passed"
