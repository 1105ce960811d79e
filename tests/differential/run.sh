#!/usr/bin/env bash
# The bounded differential check of scripts/test.sh: the saved regression cases, then a fixed
# seed of random layers (about 300, a few seconds). Any seed and size by hand:
#   python3 tests/differential/compare.py target/debug/pancake --seed 7 --layers 5000
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v zstd >/dev/null || { echo "the zstd command-line tool is needed (apt-get install zstd)"; exit 1; }
cargo build -q -p pancake-cli || exit 1
PANCAKE="${CARGO_TARGET_DIR:-target}/debug/pancake"
rc=0
echo "--- saved cases (tests/differential/cases)"
python3 tests/differential/compare.py "$PANCAKE" --case tests/differential/cases/*.json || rc=1
echo "--- random layers, seed ${DIFF_SEED:-1}"
python3 tests/differential/compare.py "$PANCAKE" --seed "${DIFF_SEED:-1}" --layers "${DIFF_LAYERS:-300}" --summary || rc=1
exit $rc
