#!/usr/bin/env bash
# Sets up everything (once) and runs every test: core + CLI (native), the core for wasm32,
# the web build, wasm-bindgen-test and Playwright end-to-end tests in headless Chromium,
# and the real-Docker check of exported tarballs. Exit status is non-zero if any step fails.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export PANCAKE_FIXTURES="${PANCAKE_FIXTURES:-$(cd "$ROOT/../shared/fixtures" 2>/dev/null && pwd)}"

bash scripts/setup.sh --docker || exit 1

failed=()
step() { # name, command...
  local name=$1; shift
  local t0=$SECONDS
  printf '\n=== %s\n' "$name"
  if "$@"; then printf '=== %s: ok (%ss)\n' "$name" $((SECONDS - t0))
  else printf '=== %s: FAILED (%ss)\n' "$name" $((SECONDS - t0)); failed+=("$name"); fi
}

[ -n "$PANCAKE_FIXTURES" ] || { echo "fixtures not found: expected ../shared/fixtures beside the repo"; exit 1; }
cargo fetch -q
step "formatting (rustfmt)" cargo fmt --all --check
step "core + demo + cli (native)" cargo test -p pancake-core -p pancake-demo -p pancake-cli
step "differential check against Python tarfile and Go's reading (fixed seed, ~300 layers)" tests/differential/run.sh
# Hostile files (issue 11): every case of tests/hostile/run.py's table through the CLI, with
# time and peak-RSS bounds. A debug build (overflow checks and debug assertions on), its
# dependencies at opt-level 2 (Cargo.toml) and here the core at 1: unoptimized, the core's
# iterator chains made the million-entry case 6x slower than release (52-56 s against 9 s).
# Only for this build, so the core's tests compile unoptimized (4 minutes less on 2 cores).
hostile() {
  cargo build -q -p pancake-cli --config 'profile.dev.package.pancake-core.opt-level=1' &&
    python3 tests/hostile/run.py target/debug/pancake
}
step "hostile files (CLI)" hostile
# Its dependencies unoptimized and no debug info (as the wasm32 builds below): 85 s from clean
# against 277 s with the dev profile's opt-level 2, for tests that run in 2 s either way.
step "web logic + translations (native)" cargo test --config profile.dev.debug=0 \
  --config 'profile.dev.package."*".opt-level=0' -p pancake-web --lib
# About a minute per fuzz target (libFuzzer + AddressSanitizer, seeds from ../shared); the
# hour-long runs and what they found are in the README ("Fuzzing").
step "fuzzing (cargo-fuzz, 60 s per target)" env PANCAKE_SHARED="$(dirname "$PANCAKE_FIXTURES")" \
  bash scripts/fuzz.sh 60
# The wasm32 debug builds below (the core alone, then the glue tests) share one configuration:
# dependencies unoptimized and no debug info. With the workspace's dev profile (dependencies at
# opt-level 2, full debug info) and every test target of the web crate, the glue step took
# 7 min on 2 cores, nearly all of it compiling, for five tests that run in 3 s; this way 1.5 min.
# The web crate's unit tests are native (the step above); on wasm32 only tests/*.rs have tests.
WASM_DEV=(--config profile.dev.debug=0 --config 'profile.dev.package."*".opt-level=0'
  --target wasm32-unknown-unknown)
step "core builds for wasm32" cargo build -q "${WASM_DEV[@]}" -p pancake-core
if [ -f index.html ]; then
  step "web build (trunk)" trunk build --release --offline
  if ls web/tests/*.rs >/dev/null 2>&1; then
    step "web glue (wasm-bindgen-test, headless Chromium)" env CHROMEDRIVER=/usr/bin/chromedriver \
      WASM_BINDGEN_TEST_TIMEOUT=60 cargo test "${WASM_DEV[@]}" -p pancake-web --test '*'
  fi
  [ -x tests/e2e/run.sh ] && step "end-to-end (Playwright, headless Chromium)" tests/e2e/run.sh
fi

printf '\n'
if [ ${#failed[@]} -gt 0 ]; then printf 'FAILED steps: %s\n' "${failed[*]}"; exit 1; fi
echo "all test steps passed"
