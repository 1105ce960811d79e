#!/usr/bin/env bash
# Real Docker as an oracle for how layers unpack (crates/pancake-core/tests/docker_unpack.rs).
#   unpack_cases.sh DIR CASE...
# Starts ONE private dockerd (own data/exec root and socket under a fresh mktemp folder, no
# bridge, no iptables; as load_and_run.sh), then for each CASE runs `docker load -i
# DIR/CASE.tar` (tagged pancake-unpack/CASE:1) and prints, on stdout, one line per fact:
#   CASE <case>
#   LOAD ok                       or   LOAD failed <docker's message on one line>
#   STAT <path>|<%F>|<%a>|<uid>|<gid>   each path below /t and /x in a container (busybox stat)
#   XATTR <path>|<name>|<value>   extended attributes of the top layer's own files as the
#                                 storage driver keeps them (host view; overlay's own left out)
# Installs docker.io with apt-get when dockerd is missing. Stops dockerd by its pid.
set -euo pipefail
DIR=$1; shift
t0=$(date +%s%N)
now() { echo "$(( ($(date +%s%N) - t0) / 1000000 ))ms"; }

# shellcheck source=tests/docker/private_dockerd.sh
. "$(dirname "$0")/private_dockerd.sh"
private_dockerd unpack pancake-unpack-dockerd
echo "[unpack] dockerd $(docker version -f '{{.Server.Version}}') ($(docker info -f '{{.Driver}}')) up after $(now)" >&2

# In the container: every path below /t and /x, one `stat` line each.
STAT='B=/bin/busybox; for p in $($B find /t /x 2>/dev/null); do $B stat -c "STAT %n|%F|%a|%u|%g" "$p"; done'
# On the host: the top layer's folder as the storage driver keeps it, and its attributes.
XATTRS='import os, sys
root = sys.argv[1]
for top in ("t", "x"):
    for dp, dn, fn in os.walk(os.path.join(root, top)):
        for n in sorted(dn + fn):
            p = os.path.join(dp, n)
            for k in sorted(os.listxattr(p, follow_symlinks=False)):
                if k.startswith("trusted.overlay."):
                    continue
                v = os.getxattr(p, k, follow_symlinks=False)
                print("XATTR %s|%s|%s" % (os.path.relpath(p, root), k, v.decode("utf-8", "backslashreplace")))'

for c in "$@"; do
  echo "CASE $c"
  if out=$(docker load -i "$DIR/$c.tar" 2>&1); then
    echo "LOAD ok"
    tag="pancake-unpack/$c:1"
    docker run --rm --network none "$tag" /bin/busybox sh -c "$STAT"
    up=$(docker image inspect -f '{{or .GraphDriver.Data.UpperDir .GraphDriver.Data.Dir}}' "$tag")
    if [ -n "$up" ] && command -v python3 >/dev/null; then python3 -c "$XATTRS" "$up"; fi
  else
    echo "LOAD failed $(printf '%s' "$out" | tr '\n' ' ')"
  fi
  echo "[unpack] $c done after $(now)" >&2
done
