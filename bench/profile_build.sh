#!/usr/bin/env bash
# A release build of the page whose app and worker wasm keep their function names
# (wasm-bindgen --keep-debug, no wasm-opt), in dist-prof/, for bench/profile_large.js (the
# page's thread) and bench/profile_workers.js (the workers'). Same code as dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
# Trunk resolves the page's paths from the HTML file's folder: the copy sits beside index.html.
sed 's/data-wasm-opt="z"/data-wasm-opt="z" data-keep-debug/' index.html > index-prof.html
trap 'rm -f index-prof.html' EXIT
trunk build --release --offline --dist dist-prof index-prof.html > target/profile-trunk.log 2>&1
app=$(ls dist-prof/app-*_bg.wasm)
wasm-bindgen --target web --no-typescript --keep-debug --out-dir target/profile-wb --out-name app target/wasm32-unknown-unknown/web-app/app.wasm
cp target/profile-wb/app_bg.wasm $app
# The workers load worker.js and worker_bg.wasm by name (no integrity attribute): the glue and
# the wasm with names replace them as a pair.
wasm-bindgen --target no-modules --no-typescript --keep-debug --out-dir target/profile-wb --out-name worker target/wasm32-unknown-unknown/web-worker/worker.wasm
cp target/profile-wb/worker.js target/profile-wb/worker_bg.wasm dist-prof/
python3 - "$app" <<'PY'
import hashlib,base64,re,sys
app=sys.argv[1]; p='dist-prof/index.html'; s=open(p).read()
h=base64.b64encode(hashlib.sha384(open(app,'rb').read()).digest()).decode()
name=app.split('/')[-1]
s=re.sub(r'(href="\./'+re.escape(name)+r'"[^>]*integrity=")sha384-[^"]*"', r'\1sha384-'+h+'"', s)
open(p,'w').write(s)
PY
