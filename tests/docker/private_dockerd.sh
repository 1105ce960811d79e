# Sourced by the Docker oracles (load_and_run.sh, unpack_cases.sh): a private dockerd for one
# script. `private_dockerd TAG PREFIX` installs docker.io with apt-get when dockerd is missing,
# starts dockerd with its own data and exec root and socket under a fresh mktemp folder
# /tmp/PREFIX.XXXXXX (no bridge, no iptables, so it touches nothing of the host's network),
# exports DOCKER_HOST, waits up to 30 s for it, and stops it by its pid (and unmounts what it
# left mounted, removes the folder) when the script exits. Messages go to stderr, tagged
# "[TAG]". Two scripts can each run their own at once.
private_dockerd() {
  local tag=$1 prefix=$2
  if ! command -v dockerd >/dev/null; then
    echo "[$tag] installing docker.io" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null; }
  fi
  D=$(mktemp -d "/tmp/$prefix.XXXXXX")
  trap private_dockerd_stop EXIT
  dockerd --data-root "$D/data" --exec-root "$D/exec" -H "unix://$D/sock" --pidfile "$D/pid" \
    --bridge=none --iptables=false --ip-masq=false >"$D/log" 2>&1 &
  DPID=$!
  export DOCKER_HOST="unix://$D/sock"
  for _ in $(seq 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { echo "[$tag] dockerd did not start:" >&2; tail -20 "$D/log" >&2; exit 1; }
}

private_dockerd_stop() {
  if [ -n "${DPID:-}" ]; then
    kill "$DPID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.2; done
  fi
  wait "${DPID:-}" 2>/dev/null || true  # reap it: no zombie left behind
  umount "$D"/data/overlay2/*/merged 2>/dev/null || true
  rm -rf "$D" 2>/dev/null || true
}
