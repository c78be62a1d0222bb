#!/usr/bin/env bash
# Installs whatever is missing, builds the playground (release WASM: the
# simulation is ~10× slower unoptimised) and serves it at http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# wasm-opt comes from npm's binaryen; trunk must find it on PATH, never download it.
export PATH="$PWD/tests/e2e/node_modules/.bin:$PATH"
exec trunk serve --release --address 127.0.0.1 --port 8080 "$@"
