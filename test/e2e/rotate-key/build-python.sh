#!/usr/bin/env bash
# build-python.sh [--langflow <release>] — images for the secret-key rotation tests (no registry is reachable here).
#   harden-init-test-lfpython:<key>   Debian bookworm's python3 with python3-cryptography, python3-sqlalchemy and
#                                     python3-psycopg2: the libraries templates/langflow/rotate_secret_key.py uses
#                                     from Langflow's image, standing in for Langflow's own Python. Printed on stdout.
#   --langflow <release>: also hi-rotate/langflow:<release>, that Python plus the busybox Langflow stand-in of
#                                     ../standin/langflow (the server, its probes, `curl`), run as 1000:0 like the
#                                     real image, so `harden-init rotate-key` can be run against a whole install.
#                                     A private tag: the shared langflowai/langflow stand-in tags stay untouched.
# Cached by content (this script and the stand-in's files); the rootfs tar lives in $HARDEN_INIT_REALDB_CACHE
# (default /var/cache/harden-init-realdb, else $TMPDIR). Needs root for mmdebstrap, DOCKER_HOST set by the caller.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
standin="$here/../standin/langflow"
log() { printf '[build-python] %s\n' "$*" >&2; }
release=
if [ "${1:-}" = --langflow ]; then release="${2:?--langflow <release>}"; fi

if ! command -v mmdebstrap >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "mmdebstrap missing and not root"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi
cache="${HARDEN_INIT_REALDB_CACHE:-/var/cache/harden-init-realdb}"
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${TMPDIR:-/tmp}/harden-init-realdb"
mkdir -p "$cache"
exec 9>"$cache/.lfpython.lock"
flock 9

key="$(sha256sum "$here/build-python.sh" | cut -c1-16)"
ref="harden-init-test-lfpython:$key"
tar="$cache/lfpython-$key.tar"
if ! docker image inspect "$ref" >/dev/null 2>&1; then
  if [ ! -s "$tar" ]; then
    log "mmdebstrap bookworm python3 + cryptography + sqlalchemy + psycopg2 -> $tar"
    mmdebstrap --quiet --format=tar --variant=apt \
      --include=python3,python3-cryptography,python3-sqlalchemy,python3-psycopg2 \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
      bookworm "$tar.part"
    mv "$tar.part" "$tar"
    find "$cache" -maxdepth 1 -name 'lfpython-*.tar' ! -name "lfpython-$key.tar" -delete
  fi
  docker import --change 'CMD ["python3"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.harden-init.test=lfpython-$key" "$tar" "$ref" >/dev/null
  log "built   $ref"
fi
echo "$ref"
[ -n "$release" ] || exit 0

if ! dpkg -s busybox-static >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "busybox-static missing and not root"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi
busybox="$(dpkg -L busybox-static | grep -m1 -E '/bin/busybox$')"
lkey="$( { echo "$ref $release"; cat "$busybox" "$standin"/rootfs/usr/local/bin/* "$standin"/rootfs/usr/bin/curl; } | sha256sum | cut -c1-16)"
lref="harden-init-test-lfpython-langflow:$lkey"
if ! docker image inspect "$lref" >/dev/null 2>&1; then
  ctx="$(mktemp -d)"
  mkdir -p "$ctx/root/opt/busybox" "$ctx/root/usr/local/bin" "$ctx/root/etc"
  cp "$busybox" "$ctx/root/opt/busybox/busybox"
  cp "$standin"/rootfs/usr/local/bin/* "$ctx/root/usr/local/bin/"
  cp "$standin"/rootfs/usr/bin/curl "$ctx/root/usr/local/bin/curl"
  printf '%s\n' "$release" >"$ctx/root/etc/langflow-standin-version"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $ref
COPY root/ /
# busybox applets the stand-in needs (nc, httpd, ...) where Debian has no program of that name
RUN set -e; for a in \$(/opt/busybox/busybox --list); do \
      command -v "\$a" >/dev/null 2>&1 || ln -s /opt/busybox/busybox "/usr/local/sbin/\$a"; done; \
    echo 'user:x:1000:0:Langflow:/app:/bin/sh' >>/etc/passwd; \
    mkdir -p /app/langflow; chown -R 1000:0 /app
USER 1000:0
WORKDIR /app
ENV LANGFLOW_HOST=0.0.0.0 LANGFLOW_PORT=7860 LANGFLOW_AUTO_LOGIN=false
CMD ["langflow", "run"]
LABEL org.harden-init.test=lfpython-langflow-$lkey
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$lref" "$ctx" >"$ctx.log" 2>&1 || { cat "$ctx.log" >&2; exit 1; }
  rm -rf "$ctx" "$ctx.log"
  log "built   $lref"
fi
docker tag "$lref" "hi-rotate/langflow:$release"
echo "hi-rotate/langflow:$release"
