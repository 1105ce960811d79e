#!/usr/bin/env bash
# Speed and memory of `pancake inspect --json` against `sha256sum` of the same file, in one run
# (machines here are noisy: only same-run ratios mean anything).
# usage: bench/inspect.sh [SIZE_MB ...]    (default: 1024 2048)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1024 2048)
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release -q -p pancake-cli
bin=target/release/pancake
dir=target/bench; mkdir -p "$dir"

secs() { python3 -c "import sys; print(f'{float(sys.argv[1]):.2f}')" "$1"; }
measure() { # prints "wall_seconds peak_rss_kib" of a command (output discarded)
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" >/dev/null 2>"$dir/stderr.txt" || { cat "$dir/stderr.txt" >&2; return 1; }
  cat "$dir/time.txt"
}

printf '%-8s %-22s %9s %9s %8s %10s\n' "size" "what" "seconds" "MB/s" "ratio" "peak RSS"
for mb in "${sizes[@]}"; do
  f="$dir/big-${mb}.tar"
  [ -f "$f" ] || python3 bench/make_big_image.py "$f" "$mb" >/dev/null
  bytes=$(stat -c %s "$f")
  cat "$f" >/dev/null  # warm the page cache so both sides read from memory
  read -r base_s base_kb < <(measure sha256sum "$f")
  row() { # label seconds kib
    python3 - "$mb" "$1" "$2" "$3" "$bytes" "$base_s" <<'PY'
import sys
mb, label, s, kb, n, base = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
print(f"{mb+' MB':<8} {label:<22} {s:>9.2f} {n/1e6/max(s,1e-9):>9.1f} {s/max(base,1e-9):>8.2f} {kb/1024:>8.1f} MiB")
PY
  }
  row "sha256sum" "$base_s" "$base_kb"
  read -r s kb < <(measure openssl dgst -sha256 "$f"); row "openssl dgst -sha256" "$s" "$kb"
  read -r s kb < <(measure "$bin" inspect --json --threads 1 "$f"); row "pancake (1 thread)" "$s" "$kb"
  read -r s kb < <(measure "$bin" inspect --json "$f"); row "pancake ($(nproc) threads)" "$s" "$kb"
done
echo "ratio = seconds / sha256sum seconds (lower is faster); targets: 1 thread <= 1.11 (>= 0.9x throughput), $(nproc) threads < 1.0"
