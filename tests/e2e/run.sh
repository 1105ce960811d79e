#!/usr/bin/env bash
# End-to-end tests of the built web app in headless Debian Chromium (playwright-core).
# Builds nothing: the README's test command runs `trunk build --release --offline` first.
# Env: PANCAKE_FIXTURES (default ../shared/fixtures), PANCAKE_DIST (default dist/),
#      PANCAKE_E2E_READY_MS (wait for image-ready, default 45000).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -f "${PANCAKE_DIST:-dist}/index.html" ]]; then
  echo "e2e: ${PANCAKE_DIST:-dist}/index.html is missing — build first: trunk build --release --offline" >&2
  exit 2
fi
if [[ ! -d node_modules/playwright-core ]]; then
  echo "e2e: node_modules/playwright-core is missing — run: npm ci (or scripts/setup.sh)" >&2
  exit 2
fi
fixtures="${PANCAKE_FIXTURES:-../shared/fixtures}"
if [[ ! -d "$fixtures" ]]; then
  echo "e2e: fixtures not found at $fixtures (set PANCAKE_FIXTURES)" >&2
  exit 2
fi
export PANCAKE_FIXTURES="$(cd "$fixtures" && pwd)"
mkdir -p target/screenshots/e2e
rm -f target/screenshots/e2e/fail-*.png   # failure shots of an earlier run would mislead

# One file at a time (each launches one Chromium). The cap, 300 s, is per test and also per file
# (Node's runner runs each file as one test): a hung page cannot stall CI, and a file of many
# tests is not cut off on a slow runner (downloads.test.js, ~100 s here, hit a cap of 120 s once
# with every test passed; fixtures.test.js took 90-105 s).
# TAP output: its trailer carries "# pass N" / "# fail N", which CI reads.
start=$(date +%s)
set +e
node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=tap tests/e2e/
rc=$?
set -e
echo "# e2e wall time: $(( $(date +%s) - start )) s; screenshots in target/screenshots/e2e/"
exit $rc
