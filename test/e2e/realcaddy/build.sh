#!/usr/bin/env bash
# build.sh [--no-tag] — a REAL Caddy image for the end-to-end tests, tagged as the image harden-init pins (CADDY_IMAGE
# in src/targets/langflow/compose.ts, read from there so the tag follows it), from Debian bookworm's caddy package
# (2.6.2: older than the pinned release, but no container registry is reachable here, Debian's archive is; the
# generated Caddyfile uses nothing newer than 2.6). Behaves like the official image where
# harden-init looks: CMD ["caddy","run","--config","/etc/caddy/Caddyfile","--adapter","caddyfile"], runs as root,
# XDG_CONFIG_HOME=/config, XDG_DATA_HOME=/data (certificates and Caddy's internal CA live on the /data volume),
# WORKDIR /srv, EXPOSE 80 443 443/udp 2019. Real HTTPS (with `tls internal`), the real remote_ip allowlist and real
# WebSocket pass-through.
#
# Cached by content: the key is the sha256 of this script. The rootfs tar is kept at
# $HARDEN_INIT_REALCADDY_CACHE/caddy-<key>.tar (default /var/cache/harden-init-realcaddy, else
# ${TMPDIR:-/tmp}/harden-init-realcaddy), imported once as harden-init-realcaddy:<key>; the pinned tag is pointed at
# it only when it does not already. Prints "<tag> <previous image id or ->" on stdout.
# Needs: root (mmdebstrap is installed when missing), DOCKER_HOST (or the default socket).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[build-realcaddy] %s\n' "$*" >&2; }
notag=
if [ "${1:-}" = --no-tag ]; then notag=1; shift; fi

if ! command -v mmdebstrap >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "mmdebstrap missing and not root"; exit 1; }
  log "installing mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi
cache="${HARDEN_INIT_REALCADDY_CACHE:-/var/cache/harden-init-realcaddy}"
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${TMPDIR:-/tmp}/harden-init-realcaddy"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

key="$(sha256sum "$here/build.sh" | cut -c1-16)"
tag="$(sed -n "s/^export const CADDY_IMAGE = '\(caddy:[^']*\)';.*/\1/p" "$here/../../../src/targets/langflow/compose.ts")"
[ -n "$tag" ] || { log "CADDY_IMAGE not found in src/targets/langflow/compose.ts"; exit 1; }
ref="harden-init-realcaddy:$key"
tar="$cache/caddy-$key.tar"
if ! docker image inspect "$ref" >/dev/null 2>&1; then
  if [ ! -s "$tar" ]; then
    log "mmdebstrap bookworm + caddy (Debian package) -> $tar"
    t0=$SECONDS
    mmdebstrap --quiet --format=tar --variant=apt --include=caddy,ca-certificates \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --customize-hook='mkdir -p "$1/config" "$1/data" "$1/srv" "$1/etc/caddy"' \
      --customize-hook='printf ":80 {\n\trespond \"caddy stand-in default\"\n}\n" > "$1/etc/caddy/Caddyfile"' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
      bookworm "$tar.part"
    mv "$tar.part" "$tar"
    log "rootfs $(du -h "$tar" | cut -f1) in $((SECONDS - t0)) s"
    find "$cache" -maxdepth 1 -name 'caddy-*.tar' ! -name "caddy-$key.tar" -delete
  fi
  log "docker import -> $ref"
  docker import \
    --change 'CMD ["caddy","run","--config","/etc/caddy/Caddyfile","--adapter","caddyfile"]' \
    --change 'ENV XDG_CONFIG_HOME=/config' --change 'ENV XDG_DATA_HOME=/data' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /srv' --change 'EXPOSE 80 443 443/udp 2019' \
    --change "LABEL org.harden-init.realcaddy=$key" \
    "$tar" "$ref" >/dev/null
fi
id="$(docker image inspect -f '{{.Id}}' "$ref")"
if [ -n "$notag" ]; then log "built   $ref ($id)"; exit 0; fi
prev="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null)" && [ -n "$prev" ] || prev=-
if [ "$prev" != "$id" ]; then docker tag "$ref" "$tag"; log "tagged  $tag ($ref)"; else log "ok      $tag ($ref)"; fi
printf '%s %s\n' "$tag" "$prev"
