#!/usr/bin/env bash
# docker-engine.sh — start (or reuse) a real Docker engine for end-to-end tests.
#
# Usage (as root; run it, do not source it):
#   .ci/lib/docker-engine.sh            # install if needed, start if needed, wait until ready
#   .ci/lib/docker-engine.sh --stop     # stop the engine this script started (pidfile)
#   export DOCKER_HOST=unix:///tmp/hi-docker/docker.sock   # callers set this themselves
#
# Idempotent:
#   - installs docker.io, docker-compose (v1 1.29) and busybox-static with apt-get only when missing
#     (DEBIAN_FRONTEND=noninteractive; `apt-get update` only when something must be installed);
#   - starts dockerd only when nothing answers on unix:///tmp/hi-docker/docker.sock;
#   - waits at most HI_DOCKER_WAIT seconds (default 60) for `docker version`; on timeout prints the
#     tail of the dockerd log (/tmp/hi-docker/log) and exits 1.
# dockerd flags are the ones measured on these machines (see /work/shared/docker-engine.md):
#   --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs, state under /tmp/hi-docker.
# No registry is reachable: build images locally (test/e2e/standin/build-standins.sh), never pull.
set -euo pipefail

HI_ROOT=/tmp/hi-docker
SOCK="unix://$HI_ROOT/docker.sock"
WAIT="${HI_DOCKER_WAIT:-60}"
export DOCKER_HOST="$SOCK"

log() { printf '[docker-engine] %s\n' "$*" >&2; }

answering() { docker version >/dev/null 2>&1; }

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$HI_ROOT/pid" ] && kill -0 "$(cat "$HI_ROOT/pid")" 2>/dev/null; then
    pid="$(cat "$HI_ROOT/pid")"
    log "stopping dockerd (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  else
    log "no dockerd running from $HI_ROOT/pid"
  fi
  exit 0
fi

# --- install what is missing ------------------------------------------------------------------
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then log "need root to install: ${missing[*]}"; exit 1; fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null   # with recommends, as measured in shared/docker-engine.md
fi
# docker.io also ships a (20.10) docker client at /usr/bin/docker; a newer one earlier in PATH is fine.
command -v docker >/dev/null 2>&1 || { log "no docker client in PATH"; exit 1; }

# --- start dockerd unless already answering ------------------------------------------------------
if answering; then
  log "dockerd already answering on $SOCK"
  exit 0
fi

mkdir -p "$HI_ROOT"
if [ -f "$HI_ROOT/pid" ] && kill -0 "$(cat "$HI_ROOT/pid")" 2>/dev/null; then
  log "dockerd (pid $(cat "$HI_ROOT/pid")) running but not answering yet; waiting"
else
  rm -f "$HI_ROOT/pid"
  log "starting dockerd on $SOCK (log: $HI_ROOT/log)"
  # setsid+nohup: the engine outlives this script and the caller's terminal/job.
  setsid nohup dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    --data-root "$HI_ROOT/data" --exec-root "$HI_ROOT/exec" --pidfile "$HI_ROOT/pid" \
    -H "$SOCK" >"$HI_ROOT/log" 2>&1 </dev/null &
fi

start=$(date +%s)
until answering; do
  if [ $(( $(date +%s) - start )) -ge "$WAIT" ]; then
    log "dockerd did not answer within ${WAIT}s; last lines of $HI_ROOT/log:"
    tail -n 40 "$HI_ROOT/log" >&2 || true
    exit 1
  fi
  sleep 0.5
done
log "dockerd ready after $(( $(date +%s) - start ))s"
