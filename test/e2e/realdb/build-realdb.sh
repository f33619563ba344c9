#!/usr/bin/env bash
# build-realdb.sh [--no-tag] [mariadb] [postgres] — REAL database images for the end-to-end tests, from Debian bookworm's
# packages (no container registry is reachable here; Debian's archive is):
#   mariadb:10.11            <- mariadb-server + mariadb-client 10.11 (bookworm), entrypoint mariadb-entrypoint.sh,
#                               /usr/local/bin/healthcheck.sh; `mariadb`, `mariadb-dump`, `mariadb-admin` in PATH
#   appwrite/postgres:0.1.0  <- postgresql-15 (bookworm), entrypoint postgres-entrypoint.sh;
#                               `postgres`, `pg_isready`, `pg_dump`, `psql` in PATH
#   redis:7.4.7-alpine       <- redis-server 7.0 (bookworm; the tag is what Appwrite's compose files name, the
#                               server is Debian's 7.0), entrypoint redis-entrypoint.sh; `redis-cli` in PATH
# They honour the official images' contract (see the entrypoints): the databases' environment on an empty data
# dir, Redis's `redis-server <flags>` command with /data as its directory and protected mode off.
# build-realdb.sh --served: print the tags served here, one a line (build-standins.sh leaves them alone).
#
# Cached by content: the key is the sha256 of this script plus the image's entrypoint files. The rootfs tar is
# kept at $HARDEN_INIT_REALDB_CACHE/<image>-<key>.tar (default /var/cache/harden-init-realdb, else
# ${TMPDIR:-/tmp}/harden-init-realdb) and imported once as harden-init-realdb-<image>:<key>; the public tag is
# then pointed at it (left alone when it already does). Changing this script or an entrypoint rebuilds.
# Prints "<tag> <previous image id or ->" per image on stdout, so a caller can put the previous image back.
# --no-tag: build and import only (harden-init-realdb-<image>:<key>), leave the public tags alone.
# Needs: root (mmdebstrap is installed when missing), DOCKER_HOST set by the caller.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[build-realdb] %s\n' "$*" >&2; }
notag=
# image name -> the public tag it serves
tag_of() {
  case "$1" in
    mariadb) echo mariadb:10.11 ;;
    postgres) echo appwrite/postgres:0.1.0 ;;
    redis) echo redis:7.4.7-alpine ;;
    *) return 1 ;;
  esac
}
if [ "${1:-}" = --served ]; then for i in mariadb postgres redis; do tag_of "$i"; done; exit 0; fi
if [ "${1:-}" = --no-tag ]; then notag=1; shift; fi
images=("$@")
[ "${#images[@]}" -gt 0 ] || images=(mariadb postgres redis)

if ! command -v mmdebstrap >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "mmdebstrap missing and not root"; exit 1; }
  log "installing mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi
cache="${HARDEN_INIT_REALDB_CACHE:-/var/cache/harden-init-realdb}"
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${TMPDIR:-/tmp}/harden-init-realdb"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

excludes=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias')

build() {
  local name="$1" tag="$2" key tar ref prev
  shift 2
  local files=("$here/build-realdb.sh")
  case "$name" in
    mariadb) files+=("$here/mariadb-entrypoint.sh" "$here/mariadb-healthcheck.sh") ;;
    postgres) files+=("$here/postgres-entrypoint.sh") ;;
    redis) files+=("$here/redis-entrypoint.sh") ;;
  esac
  key="$(cat "${files[@]}" | sha256sum | cut -c1-16)"
  ref="harden-init-realdb-$name:$key"
  tar="$cache/$name-$key.tar"
  if ! docker image inspect "$ref" >/dev/null 2>&1; then
    if [ ! -s "$tar" ]; then
      log "$name: mmdebstrap bookworm (Debian packages) -> $tar"
      local t0=$SECONDS
      case "$name" in
        mariadb)
          mmdebstrap --quiet --format=tar --variant=apt --include=mariadb-server,mariadb-client "${excludes[@]}" \
            --customize-hook='rm -rf "$1"/var/lib/mysql/* "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
            --customize-hook="install -m 0755 '$here/mariadb-entrypoint.sh' \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
            --customize-hook="install -m 0755 '$here/mariadb-healthcheck.sh' \"\$1/usr/local/bin/healthcheck.sh\"" \
            bookworm "$tar.part" ;;
        postgres)
          mmdebstrap --quiet --format=tar --variant=apt --include=postgresql-15,postgresql-client-15 "${excludes[@]}" \
            --customize-hook='rm -rf "$1"/var/lib/postgresql/15 "$1"/etc/postgresql/15 "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
            --customize-hook="install -m 0755 '$here/postgres-entrypoint.sh' \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
            bookworm "$tar.part" ;;
        redis)
          mmdebstrap --quiet --format=tar --variant=apt --include=redis-server "${excludes[@]}" \
            --customize-hook='rm -rf "$1"/var/lib/redis/* "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
            --customize-hook='mkdir -p "$1/data"' \
            --customize-hook="install -m 0755 '$here/redis-entrypoint.sh' \"\$1/usr/local/bin/docker-entrypoint.sh\"" \
            bookworm "$tar.part" ;;
      esac
      mv "$tar.part" "$tar"
      log "$name: rootfs $(du -h "$tar" | cut -f1) in $((SECONDS - t0)) s"
      # older keys of this image are of no use any more
      find "$cache" -maxdepth 1 -name "$name-*.tar" ! -name "$name-$key.tar" -delete
    fi
    log "$name: docker import -> $ref"
    local changes=(--change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]'
      --change "LABEL org.harden-init.realdb=$name-$key")
    case "$name" in
      mariadb) changes+=(--change 'CMD ["mariadbd"]' --change 'EXPOSE 3306'
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin') ;;
      postgres) changes+=(--change 'CMD ["postgres"]' --change 'EXPOSE 5432'
        --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        --change 'ENV PGDATA=/var/lib/postgresql/data') ;;
      redis) changes+=(--change 'CMD ["redis-server"]' --change 'EXPOSE 6379' --change 'WORKDIR /data'
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin') ;;
    esac
    docker import "${changes[@]}" "$tar" "$ref" >/dev/null
  fi
  local id
  id="$(docker image inspect -f '{{.Id}}' "$ref")"
  if [ -n "$notag" ]; then log "built   $ref ($id)"; return 0; fi
  prev="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || echo -)"
  if [ "$prev" != "$id" ]; then docker tag "$ref" "$tag"; log "tagged  $tag ($ref)"; else log "ok      $tag ($ref)"; fi
  printf '%s %s\n' "$tag" "$prev"
}

for i in "${images[@]}"; do
  t="$(tag_of "$i")" || { log "unknown image: $i (mariadb, postgres, redis)"; exit 1; }
  build "$i" "$t"
done
