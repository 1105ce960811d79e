#!/usr/bin/env bash
# Installs everything Pancake needs, skipping what is already there at the right version.
# Recipe: ../shared/toolchain.md (only package registries are reachable here).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

log() { printf '[setup] %s\n' "$*" >&2; }

want_web=1; want_browser=1; want_docker=0
for a in "$@"; do
  case "$a" in
    --core-only) want_web=0; want_browser=0 ;;
    --docker) want_docker=1 ;;
  esac
done

rustup target list --installed | grep -q wasm32-unknown-unknown || {
  log "adding rust target wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }

pids=()
if [ "$want_web" = 1 ]; then
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
    log "installing trunk $TRUNK_VERSION (about 11 min on a fresh machine)"
    cargo install trunk --version "$TRUNK_VERSION" --locked >/tmp/pancake-trunk-install.log 2>&1 & pids+=($!)
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 8 min)"
    # Not --locked: its lock file pins a webpki-roots the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >/tmp/pancake-wbg-install.log 2>&1 & pids+=($!)
  fi
fi

# Coverage-guided fuzzing (scripts/fuzz.sh; a short run is a step of scripts/test.sh).
CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION"; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION (about 2 min)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked >/tmp/pancake-cargo-fuzz-install.log 2>&1 & pids+=($!)
fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
if [ "$want_browser" = 1 ]; then
  { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || { log "installing chromium"; apt_install chromium chromium-driver; }
fi
if [ "$want_docker" = 1 ]; then
  command -v dockerd >/dev/null || { log "installing docker.io"; apt_install docker.io; }
fi
command -v time >/dev/null || [ -x /usr/bin/time ] || { log "installing time"; apt_install time; }
command -v zstd >/dev/null || { log "installing zstd"; apt_install zstd; }  # tests/differential
# tests/compression.rs compresses fixtures with the real tools.
command -v xz >/dev/null || { log "installing xz-utils"; apt_install xz-utils; }
command -v bzip2 >/dev/null || { log "installing bzip2"; apt_install bzip2; }
command -v gzip >/dev/null || { log "installing gzip"; apt_install gzip; }

if [ "$want_web" = 1 ] || [ "$want_browser" = 1 ]; then
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
    log "installing npm packages (binaryen, playwright-core)"
    npm ci --no-audit --no-fund --silent >/dev/null 2>&1 || npm install --no-audit --no-fund --silent >/dev/null
  fi
fi

fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
if [ "$fail" = 1 ]; then
  log "a cargo install failed; see /tmp/pancake-*-install.log"; tail -20 /tmp/pancake-*-install.log >&2; exit 1
fi
log "ready"
