#!/usr/bin/env bash
# Sets up what is missing, builds the web app and serves it at http://127.0.0.1:8080
# (a built-in demo is one click away on the start page). PORT=... to change the port.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
bash scripts/setup.sh
cargo fetch -q
trunk build --release --offline
port=${PORT:-8080}
echo "Pancake is at http://127.0.0.1:$port/  (Ctrl-C to stop)"
exec python3 -m http.server --bind 127.0.0.1 --directory dist "$port"
