#!/usr/bin/env bash
# build-clients.sh — the database and Redis clients the honest Appwrite stand-in logs in with, harvested from
# Debian bookworm (no registry is reachable here; Debian's archive is). Prints the path of a tar holding ONLY:
#   usr/lib/standin/clients/mariadb      <- mariadb-client 10.11  (/usr/bin/mariadb)
#   usr/lib/standin/clients/psql         <- postgresql-client-15  (/usr/lib/postgresql/15/bin/psql; /usr/bin/psql
#                                           is Debian's perl wrapper, which the busybox stand-in cannot run)
#   usr/lib/standin/clients/redis-cli    <- redis-tools 7.0       (/usr/bin/redis-cli)
#   lib64/ld-linux-x86-64.so.2 and usr/lib/x86_64-linux-gnu/<lib>: exactly the shared libraries `ldd` lists for
#   those three inside the bookworm rootfs (glibc's loader searches /usr/lib/x86_64-linux-gnu by itself).
# Why a harvest and not the whole rootfs: every container of a stack (~21 on 2.x, almost all from the appwrite
# image) gets a full copy of its image under the test engine's vfs storage, so the image stays busybox plus ~30 MB.
#
# Cached by content: the key is the sha256 of this script; the tar is $cache/clients-<key>.tar (cache as in
# build-realdb.sh: $HARDEN_INIT_STANDIN_CACHE, default /var/cache/harden-init-standins, else
# ${TMPDIR:-/tmp}/harden-init-standins) and is written reproducibly (sorted, mtime 0, root-owned), so an
# unchanged script gives the same bytes on this machine and the stand-in images keep their content-hash tags.
# Needs: root (mmdebstrap in root mode into a directory, chroot for ldd; mmdebstrap is installed when missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[build-clients] %s\n' "$*" >&2; }

cache="${HARDEN_INIT_STANDIN_CACHE:-/var/cache/harden-init-standins}"
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${TMPDIR:-/tmp}/harden-init-standins"
mkdir -p "$cache"
key="$(sha256sum "$here/build-clients.sh" | cut -c1-16)"
out="$cache/clients-$key.tar"
exec 8>"$cache/.clients.lock"
flock 8
if [ -s "$out" ]; then echo "$out"; exit 0; fi

[ "$(id -u)" = 0 ] || { log "root is needed (mmdebstrap into a directory, chroot for ldd)"; exit 1; }
if ! command -v mmdebstrap >/dev/null 2>&1; then
  log "installing mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/hi-clients.XXXXXX")"
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
log "mmdebstrap bookworm: mariadb-client, postgresql-client-15, redis-tools"
mmdebstrap --quiet --mode=root --format=directory --variant=apt \
  --include=mariadb-client,postgresql-client-15,redis-tools \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  bookworm "$work/root"

bins=(/usr/bin/mariadb /usr/lib/postgresql/15/bin/psql /usr/bin/redis-cli)
h="$work/harvest"
mkdir -p "$h/usr/lib/standin/clients" "$h/usr/lib/x86_64-linux-gnu" "$h/lib64"
for b in "${bins[@]}"; do
  cp -L "$work/root$b" "$h/usr/lib/standin/clients/$(basename "$b")"
  # every resolved library path (`name => /path (addr)` and the loader's own `/lib64/ld-... (addr)` line)
  chroot "$work/root" ldd "$b" | grep -o '/[^ ]*' | while read -r lib; do
    case "$lib" in
      /lib64/*) cp -L "$work/root$lib" "$h/lib64/$(basename "$lib")" ;;
      *) cp -L "$work/root$lib" "$h/usr/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
    esac
  done
done
chmod 0755 "$h/usr/lib/standin/clients/"* "$h/lib64/"*
chmod 0644 "$h/usr/lib/x86_64-linux-gnu/"*
tar -C "$h" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out.part" .
mv "$out.part" "$out"
find "$cache" -maxdepth 1 -name 'clients-*.tar' ! -name "clients-$key.tar" -delete
log "clients: $(du -h "$out" | cut -f1) in $((SECONDS - t0)) s -> $out"
echo "$out"
