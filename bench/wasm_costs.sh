#!/usr/bin/env bash
# What each crate costs in the two shipped wasm files (issue 13, target 6). Run after
# `trunk build --release --offline`: it takes the wasm cargo wrote for each bin (names kept),
# runs wasm-bindgen and `wasm-opt -Oz` on it as Trunk does but keeping the name section, and
# prints for each: the gzip -9 size of dist/'s file, code bytes per crate (bench/wasm_sizes.py
# over the named copy) and `twiggy top` / `twiggy dominators` (in target/wasm-costs/).
#
#   bash bench/wasm_costs.sh            # both bins
#   TOP=40 bash bench/wasm_costs.sh     # rows per table (default 25)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=target/wasm-costs
mkdir -p "$out"
top=${TOP:-25}
# The features the build's code uses (+simd128 from .cargo/config.toml, what rustc enables by
# default), so wasm-opt validates and optimizes it as Trunk's run does.
features=(--enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types)
for pair in app:web-app:web worker:web-worker:no-modules; do
  IFS=: read -r bin profile target <<<"$pair"
  wasm-bindgen --target "$target" --no-typescript --keep-debug --out-dir "$out" --out-name "$bin" \
    "target/wasm32-unknown-unknown/$profile/$bin.wasm"
  wasm-opt -Oz -g "${features[@]}" "$out/${bin}_bg.wasm" -o "$out/$bin.named.wasm"
  wasm-opt --strip-debug "${features[@]}" "$out/$bin.named.wasm" -o "$out/$bin.stripped.wasm"
  shipped=$(ls dist/"$bin"*_bg.wasm 2>/dev/null | head -1 || true)
  gz() { gzip -9 -n -c "$1" | wc -c; }
  echo "== $bin ($profile)"
  if [ -n "$shipped" ]; then
    echo "dist: $(stat -c %s "$shipped") bytes, gzip -9 $(gz "$shipped") bytes ($shipped)"
  fi
  echo "this copy without names: $(stat -c %s "$out/$bin.stripped.wasm") bytes, gzip -9 $(gz "$out/$bin.stripped.wasm") bytes"
  python3 bench/wasm_sizes.py "$out/$bin.named.wasm" "$top"
  if command -v twiggy >/dev/null; then
    twiggy top -n "$top" "$out/$bin.named.wasm" >"$out/$bin.top.txt"
    twiggy dominators -d 2 -r 60 "$out/$bin.named.wasm" >"$out/$bin.dominators.txt"
    echo "twiggy: $out/$bin.top.txt, $out/$bin.dominators.txt"
  fi
  echo
done
