#!/usr/bin/env bash
# Installs everything Brink needs to build, serve and test, from the package
# registries only (crates.io, npm, Debian). Every step is skipped when the exact
# version is already present, so a warm machine passes through in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen version in Cargo.lock and [tools] in Trunk.toml.
WASM_BINDGEN_VERSION=0.2.130

step() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The two tools are built for speed of building, not of running: they spend
# their time waiting for cargo and in wasm code, not in their own loops. Their
# own release profiles ask for LTO and one codegen unit, which doubles the build;
# cargo's profile variables override that, and trunk is built without the
# update check and TLS stack that an offline build never uses.
fast_install() {
  CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_STRIP=true \
  CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install "$@"
}

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "cargo install trunk $TRUNK_VERSION (a few minutes the first time)"
  fast_install trunk --version "$TRUNK_VERSION" --locked --no-default-features
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # No --locked: the published lockfile names a crate version the registry no longer serves.
  fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  step "apt-get install chromium chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# wasm-opt (npm binaryen) and playwright-core; never a browser download.
if [ ! -x tests/e2e/node_modules/.bin/wasm-opt ] || [ ! -d tests/e2e/node_modules/playwright-core ]; then
  step "npm ci in tests/e2e (binaryen, playwright-core)"
  (cd tests/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# Trunk runs cargo with --offline (Trunk.toml: offline = true, so that it never
# downloads tools); the crates must therefore be in cargo's cache beforehand.
if ! cargo fetch --locked --offline >/dev/null 2>&1; then
  step "cargo fetch"
  cargo fetch --locked
fi
