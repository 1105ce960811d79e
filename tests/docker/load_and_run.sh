#!/usr/bin/env bash
# Real Docker as an oracle for tarballs Pancake writes.
#   load_and_run.sh EXPORT.tar IMAGE_TAG FILE_PATH EXPECTED_CONTENT [EXPECTED_CREATED_BY]
# Starts a private dockerd (own data/exec root and socket, no bridge, no iptables), runs
# `docker load -i`, then `docker run --rm --network none IMAGE cat FILE_PATH` must print
# EXPECTED_CONTENT exactly, and `docker image history --no-trunc` must list the new top
# layer (non-zero size; its CREATED BY contains EXPECTED_CREATED_BY when given).
# READ_WITH=cp reads the file with `docker create` + `docker cp` instead of running
# `cat` (for images without a real shell/binary, like the demos).
# Installs docker.io with apt-get when dockerd is missing. Stops dockerd by its pid.
set -euo pipefail
EXPORT=$1 TAG=$2 FILE=$3 EXPECTED=$4 CREATED_BY=${5:-}
t0=$(date +%s%N)
now() { echo "$(( ($(date +%s%N) - t0) / 1000000 ))m"; }

# shellcheck source=tests/docker/private_dockerd.sh
. "$(dirname "$0")/private_dockerd.sh"
private_dockerd oracle pancake-dockerd
echo "[oracle] dockerd up after $(now)s ($(docker version -f '{{.Server.Version}}'))" >&2

docker load -i "$EXPORT" >&2
echo "[oracle] loaded after $(now)s" >&2

if [ "${READ_WITH:-run}" = cp ]; then
  cid=$(docker create --network none "$TAG" /nonexistent)
  got=$(docker cp "$cid:$FILE" - | tar -xO)
  docker rm "$cid" >/dev/null
else
  got=$(docker run --rm --network none "$TAG" cat "$FILE")
fi
echo "[oracle] read $FILE after $(now)s" >&2
if [ "$got" != "$EXPECTED" ]; then
  echo "[oracle] FAIL: $FILE is:" >&2; printf '%s\n' "$got" >&2
  echo "[oracle] expected:" >&2; printf '%s\n' "$EXPECTED" >&2
  exit 1
fi

history=$(docker image history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' "$TAG")
echo "$history" | head -3 >&2
top=$(echo "$history" | head -1)
size=$(echo "$top" | cut -f1)
if [ "$size" = "0B" ]; then echo "[oracle] FAIL: top history row has no layer: $top" >&2; exit 1; fi
if [ -n "$CREATED_BY" ] && [[ "$top" != *"$CREATED_BY"* ]]; then
  echo "[oracle] FAIL: top history row does not mention '$CREATED_BY': $top" >&2; exit 1
fi
echo "[oracle] OK in $(now)s" >&2
echo OK
