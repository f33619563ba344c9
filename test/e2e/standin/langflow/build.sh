#!/usr/bin/env bash
# build.sh [--no-postgres] [<release> ...] — local images for the Langflow end-to-end tests (no registry is reachable).
#
#   langflowai/langflow:<release>   (default 1.13.1) a busybox-sized stand-in that answers like Langflow FROM ITS OWN
#                                   ENVIRONMENT (rootfs/usr/local/bin/langflow and langflow-http):
#     - CMD ["langflow","run"], USER 1000:0, WORKDIR /app, /app/langflow owned 1000:0, ENV LANGFLOW_HOST=0.0.0.0,
#       LANGFLOW_PORT=7860, LANGFLOW_AUTO_LOGIN=false (as the real image sets it), no ENTRYPOINT, no HEALTHCHECK;
#     - refuses to start when auto-login is off and LANGFLOW_SUPERUSER/LANGFLOW_SUPERUSER_PASSWORD are unset;
#       writes <LANGFLOW_CONFIG_DIR>/secret_key and fails with PermissionError when it cannot;
#     - GET /health -> 200; GET /health_check -> 200 {"status":"ok",...} only when the database is reachable
#       (postgres: TCP to the host:port of LANGFLOW_DATABASE_URL with busybox nc; sqlite: the db file and its
#       directory writable), else 500;
#     - GET /api/v1/auto_login -> 200 with tokens when LANGFLOW_AUTO_LOGIN is true, else 403 (400 for releases
#       before 1.10) with {"detail":{"auto_login":false,...}};
#     - POST /api/v1/login (form) -> 200 for LANGFLOW_SUPERUSER/LANGFLOW_SUPERUSER_PASSWORD (langflow/langflow when
#       auto-login is on, as Langflow forces them), else 401; no rate limit;
#     - GET /api/v1/version -> {"version":"<release>"}; other /api/ routes -> 403 without Authorization/x-api-key
#       (200 when auto-login and LANGFLOW_SKIP_AUTH_AUTO_LOGIN are both on); a WebSocket upgrade on any /api/ path
#       -> 101 with the RFC 6455 accept key, then the stream is echoed back (shows a proxy passes it through);
#       test aid (not Langflow): GET /__standin/forwarded-for -> {"x_forwarded_for":"<the X-Forwarded-For received>"};
#     - `printenv` (coreutils behaviour) and a small `curl` over nc (http only; -fsSo -m -w -X -H -d) for the
#       healthcheck and in-container probes.
#   postgres:16   REAL PostgreSQL 15 (Debian bookworm; 16 is not packaged there) = ../../realdb/build-realdb.sh's
#                 postgres rootfs plus postgres-entrypoint.sh (the official env contract, read-only root friendly).
#                 --no-postgres skips it.
#
# Cached by content: each image is imported/built once under harden-init-langflow-*:<sha256, 16 hex> and the public
# tag is pointed at it only when it does not already (a re-pointed tag would make compose recreate containers).
# Needs: DOCKER_HOST (or the default socket), busybox-static (installed when missing and root), GNU tar, flock.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
log() { printf '[langflow-standin] %s\n' "$*" >&2; }
pg=1
if [ "${1:-}" = --no-postgres ]; then pg=; shift; fi
releases=("$@")
[ "${#releases[@]}" -gt 0 ] || releases=(1.13.1)

if ! dpkg -s busybox-static >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "busybox-static missing and not root"; exit 1; }
  log "installing busybox-static"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi
busybox="$(dpkg -L busybox-static | grep -m1 -E '/bin/busybox$')"
cache="${TMPDIR:-/tmp}/harden-init-langflow-standin"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

retag() { # <ref> <tag>
  local id prev
  id="$(docker image inspect -f '{{.Id}}' "$1")"
  prev="$(docker image inspect -f '{{.Id}}' "$2" 2>/dev/null)" && [ -n "$prev" ] || prev=-
  if [ "$prev" != "$id" ]; then docker tag "$1" "$2"; log "tagged  $2 -> $1"; else log "ok      $2 ($1)"; fi
}

build_langflow() {
  local v="$1" root tar key ref
  root="$(mktemp -d)"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,tmp,app/langflow,root}
  cp "$busybox" "$root/bin/busybox"
  for a in $("$busybox" --list); do
    case "$a" in busybox|printenv) continue ;; esac
    [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
  done
  cp -a "$here/rootfs/." "$root/"
  printf '%s\n' "$v" >"$root/etc/langflow-standin-version"
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:0:Langflow:/app:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar="$cache/langflow-$v.tar"
  # reproducible: fixed order, times and owners; /app/langflow (and /app) belong to the image's user 1000:0
  tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 --exclude=./app -C "$root" -cf "$tar" .
  tar --sort=name --mtime=@0 --numeric-owner --owner=1000 --group=0 -C "$root" -rf "$tar" ./app
  rm -rf "$root"
  key="$(sha256sum "$tar" | cut -c1-16)"
  ref="harden-init-langflow-standin:$key"
  if ! docker image inspect "$ref" >/dev/null 2>&1; then
    docker import \
      --change 'CMD ["langflow","run"]' --change 'USER 1000:0' --change 'WORKDIR /app' \
      --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin' \
      --change 'ENV LANGFLOW_HOST=0.0.0.0' --change 'ENV LANGFLOW_PORT=7860' --change 'ENV LANGFLOW_AUTO_LOGIN=false' \
      --change "LABEL org.harden-init.standin=langflow-$key" \
      "$tar" "$ref" >/dev/null
    log "built   $ref (Langflow $v stand-in)"
  fi
  rm -f "$tar"
  retag "$ref" "langflowai/langflow:$v"
}

build_postgres() {
  local base key ref ctx
  base="$("$repo/test/e2e/realdb/build-realdb.sh" --no-tag postgres 2>&1 | sed -n 's/.*built   \(harden-init-realdb-postgres:[0-9a-f]*\).*/\1/p' | tail -n 1)"
  [ -n "$base" ] || { log "could not build the Debian PostgreSQL rootfs (test/e2e/realdb/build-realdb.sh)"; exit 1; }
  key="$( { echo "$base"; cat "$here/postgres-entrypoint.sh"; } | sha256sum | cut -c1-16)"
  ref="harden-init-langflow-postgres:$key"
  if ! docker image inspect "$ref" >/dev/null 2>&1; then
    ctx="$(mktemp -d)"
    install -m 0755 "$here/postgres-entrypoint.sh" "$ctx/docker-entrypoint.sh"
    cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
LABEL org.harden-init.standin=langflow-postgres-$key
DOCKERFILE
    DOCKER_BUILDKIT=0 docker build -q -t "$ref" "$ctx" >"$ctx.log" 2>&1 || { cat "$ctx.log" >&2; exit 1; }
    rm -f "$ctx.log"
    rm -rf "$ctx"
    log "built   $ref (PostgreSQL 15 from Debian as postgres:16)"
  fi
  retag "$ref" postgres:16
}

for v in "${releases[@]}"; do build_langflow "$v"; done
[ -z "$pg" ] || build_postgres
