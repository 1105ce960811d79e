#!/usr/bin/env bash
# Coverage-guided fuzzing of the core with cargo-fuzz (libFuzzer + AddressSanitizer) on the
# stable toolchain. Usage:
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, all targets)
# Targets run one after another (the machine is shared), at nice 10, one process each, with
# -rss_limit_mb=2048 -timeout=10. Seeds come from ../shared (scripts/fuzz-seeds.py) into
# fuzz/corpus/ (not committed); what a run finds lands in fuzz/artifacts/TARGET/, and the
# script fails when a target left a new crash, timeout or out-of-memory input there.
# FUZZ_FORK=1 keeps fuzzing past a crash (libFuzzer fork mode), for long unattended runs.
# FUZZ_SEED (default 1) fixes libFuzzer's random seed, so the short run in scripts/test.sh makes
# the same mutations on every machine (it runs longer on a faster one); FUZZ_SEED=0: random.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
# cargo-fuzz passes nightly-only flags (-Zsanitizer); RUSTC_BOOTSTRAP lets stable take them.
export RUSTC_BOOTSTRAP=1

secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(archive_stream archive_open layer container)

command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz missing: run scripts/setup.sh"; exit 1; }
python3 scripts/fuzz-seeds.py "${PANCAKE_SHARED:-$ROOT/../shared}" >/dev/null || exit 1

# -a: debug assertions on, so integer overflow panics instead of wrapping silently.

for t in "${targets[@]}"; do
  nice -n 10 cargo fuzz build -a "$t" >/tmp/pancake-fuzz-build.log 2>&1 || {
    tail -30 /tmp/pancake-fuzz-build.log; echo "[fuzz] build of $t failed"; exit 1; }
done

mkdir -p fuzz/logs
failed=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  before=$(ls "fuzz/artifacts/$t" | wc -l)
  extra=()
  [ "${FUZZ_FORK:-0}" = 1 ] && extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  log="fuzz/logs/$t.log"
  printf '[fuzz] %s for %ss (log %s)\n' "$t" "$secs" "$log"
  nice -n 10 cargo fuzz run -a "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=131072 \
    -dict=fuzz/image.dict -seed="${FUZZ_SEED:-1}" -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
  rc=$?
  grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | tr '\n' ' '
  echo
  after=$(ls "fuzz/artifacts/$t" | wc -l)
  if [ "$rc" != 0 ] || [ "$after" -gt "$before" ]; then
    echo "[fuzz] $t: FOUND $((after - before)) new input(s) in fuzz/artifacts/$t (exit $rc):"
    grep -E 'panicked at|ERROR: (AddressSanitizer|libFuzzer)' "$log" | sort | uniq -c | head -20
    failed+=("$t")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "[fuzz] failures in: ${failed[*]}"; exit 1; }
echo "[fuzz] no crash, timeout or out-of-memory in ${targets[*]}"
