#!/usr/bin/env bash
# Real Docker as the oracle for `pancake inspect`'s history table.
#
# Starts a throwaway dockerd (needs root and Debian's docker.io, see
# shared/fixtures/README.md), `docker load`s fixtures, writes what `docker image history`
# prints to tests/golden/, stops the daemon, then runs the CLI test that compares pancake's
# table with those files. `git diff tests/golden` afterwards shows any change in Docker.
#
# Usage: crates/pancake-cli/tests/docker_history_check.sh   (from anywhere)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
fixtures="${PANCAKE_FIXTURES:-$root/../shared/fixtures}"
golden="$here/golden"

command -v dockerd >/dev/null || { echo "dockerd missing: apt-get install -y docker.io" >&2; exit 2; }

D="$(mktemp -d)"
dockerd --data-root "$D/data" --exec-root "$D/exec" -H "unix://$D/sock" --pidfile "$D/pid" \
    --bridge=none --iptables=false --ip-masq=false >"$D/log" 2>&1 &
stop() {
    if [ -f "$D/pid" ]; then kill "$(cat "$D/pid")" 2>/dev/null || true; fi
    sleep 2
    rm -rf "$D" 2>/dev/null || true
}
trap stop EXIT
export DOCKER_HOST="unix://$D/sock"
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
docker info >/dev/null

# Load one file and print the ID of the image it brought (the loaded tag is reused by
# several fixtures, so go by ID).
load_id() {
    docker load -i "$fixtures/$1" | sed -n 's/^Loaded image ID: //p; s/^Loaded image: //p' | tail -1
}
id_of() { docker image inspect --format '{{.Id}}' "$1"; }

mkdir -p "$golden"
for f in docker20-save-app1.tar docker26-save-app1.tar fixture_dive_test-docker-image.tar podman-docker-archive-app1.tar; do
    ref="$(load_id "$f")"
    id="$(id_of "$ref")"
    docker image history "$id" >"$golden/$f.history.txt"
    if [ "$f" = docker20-save-app1.tar ]; then
        docker image history --no-trunc "$id" >"$golden/$f.history-no-trunc.txt"
    fi
    docker image rm -f "$id" >/dev/null
done
multi=docker26-save-multi-app1-app2-app3.tar
docker load -i "$fixtures/$multi" >/dev/null
for t in sa-app1 sa-app2 sa-app3; do
    docker image history "$t:1" >"$golden/$multi.$t.history.txt"
done

cd "$root"
cargo test -p pancake-cli --test cli history_table_matches_real_docker
