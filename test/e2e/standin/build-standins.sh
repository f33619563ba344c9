#!/usr/bin/env bash
# build-standins.sh — local stand-in images (no registry is reachable here, so nothing may be pulled).
#
#   build-standins.sh <compose-file> [variables-file]          # mode 1: every image of one compose file
#   build-standins.sh --release <v>[=<dir>] [--release ...]     # mode 2: Appwrite release images
#   build-standins.sh --release all                             # = 1.9.5 1.9.6 1.9.10 2.3.0 2.7.1
#
# Needs: DOCKER_HOST set by the caller (e.g. unix:///tmp/hi-docker/docker.sock, see .ci/lib/docker-engine.sh),
# a static busybox (apt package busybox-static; installed here when missing and running as root), GNU tar, flock.
# Every image is cached by content: its rootfs tar is built reproducibly and imported once as
# harden-init-standin[-release]:<sha256 of the tar, 16 hex> (label org.harden-init.standin=<same>); a name that
# already points at that image is left alone, so a rebuild with unchanged inputs changes nothing (running
# containers are not made stale). Concurrent runs are serialised with a lock file.
#
# ---- Mode 1 (what the 1.9.5 end-to-end suite uses) ------------------------------------------------------------
# Tags EVERY `image:` of <compose-file> with one shared, lenient busybox stand-in ("generic"). [variables-file]:
# Appwrite's variable names, one per line (default <repo>/test/fixtures/upstream/appwrite/1.9.5/variables.txt,
# upstream 1.9.5's list), for `vars`.
# Generic stand-in (entrypoint /bin/standin, CMD []):
#   - args whose first word is an executable in PATH (`sh -c ...`, `mysqld ...`, `redis-server ...`): exec them;
#   - otherwise (no args, or flags such as traefik's `--providers...`): "serve" = busybox httpd on :80 in the
#     foreground of PID 1, /v1/health/version -> {"version":"1.9.5"}, /v1/health -> {"status":"pass"};
#     exits at once on SIGTERM/SIGINT.
#   - realtime, worker-*, maintenance, stats-resources, schedule-*, mysqld: serve (so it runs ANY worker name
#     in /bin — lenient; the release images of mode 2 are not);
#   - redis-server records --requirepass X in /tmp/requirepass; redis-cli prints PONG (with a password set:
#     NOAUTH and exit 1 unless REDISCLI_AUTH or -a matches); docker-entrypoint.sh: like /bin/standin;
#   - healthchecks answer healthy: healthcheck.sh, mariadb/mysql (print 1), clickhouse-client (prints 1),
#     pg_isready, php (exit 0), curl (a busybox-wget wrapper: -f/-s/-S/-o/-H/-m honoured);
#   - a one-file "database" for dump tests: mariadb/mysql without -e stores its stdin as /var/lib/mysql/standin.sql,
#     mariadb-dump/mysqldump prints a header and that file (exit 2 when /var/lib/mysql/standin-dump-fails exists);
#   - vars: `- NAME=value` for every baked variable name (empty when unset), like Appwrite's `vars` task.
#   Env STANDIN_VERSION_JSON overrides the health answer (default {"version":"1.9.5"}).
# traefik:* images get the "proxy" stand-in instead (same rootfs plus a forwarder): every HTTP request on :80 is
# forwarded with its path and Host header to http://appwrite:80 (env STANDIN_UPSTREAM overrides), so the health
# probe through the published port answers what the release's app server answers; 502 when it is unreachable.
# No routing rules, no TLS (:443 not served).
#
# ---- Mode 2: appwrite/appwrite:<v> behaving like the real release image -----------------------------------------
# Files from <dir> (default <repo>/test/fixtures/upstream/appwrite/<v>/): docker-compose.yml, variables.php,
# bin.txt. Synthetic releases (NO files of these releases exist anywhere here; they stand for "a newer release
# than the fixtures" and carry an older release's files, only the version they report differs):
#   2.7.1  <- the 2.3.0 files        1.9.10 <- the 1.9.6 files
# The image appwrite/appwrite:<v>:
#   - /usr/local/share/appwrite/docker-compose.yml and /usr/src/code/app/config/variables.php, byte-exact copies;
#   - /usr/local/bin holds EXACTLY bin.txt's names (nothing else; no fallback anywhere in PATH, so a service
#     whose entrypoint the release lacks fails to start, like on the real image):
#       worker, worker-*, realtime, mqtt, schedule, schedule-*, interval, maintenance, stats-resources,
#       stats-usage -> stay running (exit 0 on SIGTERM/SIGINT);
#       vars -> `- NAME=value` for every `'name' => '...'` of variables.php, in order, empty when unset;
#       migrate -> appends "migrate <time> <v>" to /tmp/standin-migrate.log and prints "data migrated to <v>";
#         exit 1 instead when /tmp/fail-migrate exists or env STANDIN_FAIL_MIGRATE is <v> or "all";
#       anything else (doctor, install, upgrade, ssl, ...) -> prints one line, exit 0;
#   - no ENTRYPOINT; CMD ["php", "app/http.php"] (WORKDIR /usr/src/code): the app server, HTTP on :80 answering
#     /v1/health/version with {"version":"<v>"} (the Host header is ignored) ONLY while it can log in to the
#     database and reach Redis with its own _APP_DB_* / _APP_REDIS_* (Debian's mariadb, psql and redis-cli from
#     build-clients.sh, ~30 MB); otherwise 503 with the reason (see app_server_scripts);
#   - /usr/bin/php: `php app/http.php` serves, anything else (`php -r ...` healthchecks) exits 0;
#     /usr/bin/curl as in mode 1; busybox's sh, cat, ls, ... in /bin and /usr/bin.
#   NOTE: the real image is based on php:*-alpine, whose /usr/local/bin ALSO holds php, pecl, phpize,
#   docker-php-* ...; the stand-in keeps /usr/local/bin to bin.txt exactly.
# Every other image named in those compose files (skipping `${...}` references) and
# tecnativa/docker-socket-proxy:0.3.0 get the generic stand-in of mode 1 (same image as mode 1 with defaults;
# traefik:* the proxy stand-in) — except the tags test/e2e/realdb/build-realdb.sh serves with real Debian-built
# servers (mariadb:10.11, appwrite/postgres:0.1.0, redis:7.4.7-alpine; `build-realdb.sh --served`): those are never
# tagged here; build-realdb.sh is run for them instead (both modes). Needs root (mmdebstrap) the first time.
# Mode 2 never touches appwrite/appwrite:<v> for a <v> not asked for.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
fixtures="$repo/test/fixtures/upstream/appwrite"
log() { printf '[build-standins] %s\n' "$*" >&2; }
usage() { log "usage: build-standins.sh <compose-file> [variables-file] | --release <v>[=<dir>] ... | --release all"; exit 1; }

# --- arguments ---------------------------------------------------------------------------------------------------
compose=
vars_file="$fixtures/1.9.5/variables.txt"
releases=() # "<v>=<dir>"
if [ "${1:-}" = --release ]; then
  while [ "$#" -gt 0 ]; do
    [ "$1" = --release ] && [ "$#" -ge 2 ] || usage
    case "$2" in
      all) releases+=("1.9.5=$fixtures/1.9.5" "1.9.6=$fixtures/1.9.6" "1.9.10=$fixtures/1.9.6" \
                      "2.3.0=$fixtures/2.3.0" "2.7.1=$fixtures/2.3.0") ;;
      *=*) releases+=("$2") ;;
      1.9.10) releases+=("1.9.10=$fixtures/1.9.6") ;;  # synthetic: 1.9.6's files (see header)
      2.7.1) releases+=("2.7.1=$fixtures/2.3.0") ;;    # synthetic: 2.3.0's files (see header)
      *) releases+=("$2=$fixtures/$2") ;;
    esac
    shift 2
  done
else
  compose="${1:-}"; [ -n "$compose" ] || usage
  vars_file="${2:-$vars_file}"
  [ -f "$compose" ] || { log "no such compose file: $compose"; exit 1; }
fi
[ -f "$vars_file" ] || { log "no such variables file: $vars_file"; exit 1; }
for r in "${releases[@]}"; do
  v="${r%%=*}"; d="${r#*=}"
  case "$v" in ''|*[!A-Za-z0-9._-]*) log "bad release version: $v"; exit 1 ;; esac
  for f in docker-compose.yml variables.php bin.txt; do
    [ -f "$d/$f" ] || { log "release $v: no $d/$f"; exit 1; }
  done
done

# --- a static busybox ---------------------------------------------------------------------------------------------
find_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox /usr/lib/busybox/busybox; do
    if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then echo "$b"; return 0; fi
    # without `file`: the busybox-static package is what puts a static one there
    if [ -x "$b" ] && ! command -v file >/dev/null 2>&1 && dpkg -s busybox-static >/dev/null 2>&1; then
      echo "$b"; return 0
    fi
  done
  return 1
}
if ! dpkg -s busybox-static >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "busybox-static missing and not root"; exit 1; }
  log "installing busybox-static"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >/dev/null
fi
busybox="$(find_busybox)" || { log "no static busybox found"; exit 1; }

# One builder at a time: two imports of the same content would give two image ids, and re-pointing a tag
# under a running stack makes Compose recreate its containers.
exec 9>"${TMPDIR:-/tmp}/harden-init-standins.lock"
flock 9

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- helpers ------------------------------------------------------------------------------------------------------
# image_names <compose-file> [skip-interpolated]: the `image:` values, unique
image_names() {
  grep -E '^[[:space:]]*image:' "$1" \
    | sed -E 's/^[[:space:]]*image:[[:space:]]*//; s/[[:space:]]+#.*$//; s/[[:space:]]+$//; s/^["'\'']//; s/["'\'']$//' \
    | { if [ "${2:-}" = skip ]; then grep -v '\$' || true; else cat; fi; } \
    | sort -u
}

# busybox_root <root>: busybox and its applet links (== busybox --install -s, done from outside so the links
# point at /bin/busybox inside the image), passwd/group, /tmp
busybox_root() {
  local root="$1" base="$work/busybox-base" p
  if [ ! -d "$base" ]; then
    mkdir -p "$base"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var/run}
    chmod 1777 "$base/tmp"
    cp "$busybox" "$base/bin/busybox"
    "$busybox" --list-full | while read -r p; do
      [ "$p" = bin/busybox ] && continue
      ln -sf /bin/busybox "$base/$p"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$base/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$base/etc/group"
  fi
  cp -a "$base" "$root"
}

# put <root> <file> <mode>: content from stdin. rm first: never write through an applet symlink (it is absolute!)
put() { mkdir -p "$(dirname "$1/$2")"; rm -f "$1/$2"; cat >"$1/$2"; chmod "$3" "$1/$2"; }

# The busybox-wget wrapper standing in for curl (healthchecks: curl -fsS [-o f] [-H h] [-m s] URL).
curl_script() {
  cat <<'SH'
#!/bin/sh
# curl stand-in over busybox wget: -o FILE, -H HEADER, -m SECONDS, -X/-d ignored; -f implied (wget fails on >=400).
out=- url= max=30
set -- "$@" --end--
while [ "$1" != --end-- ]; do
  case "$1" in
    -o|--output) out="$2"; shift ;;
    -H|--header) set -- "$@" --header "$2"; shift ;;
    -m|--max-time) max="${2%%.*}"; shift ;;
    -X|--request|-d|--data|-u|--user) shift ;;
    http://*|https://*) url="$1" ;;
    *) ;;
  esac
  shift
done
shift
[ -n "$url" ] || { echo "curl (stand-in): no URL" >&2; exit 2; }
# (no wget -T: it segfaults in Debian's static busybox 1.35; the timeout applet bounds the run instead)
exec timeout "$max" wget -q -O "$out" "$@" "$url"
SH
}

# serve_script: busybox httpd on :80 in the foreground of PID 1; exits at once on SIGTERM/SIGINT
serve_script() {
  cat <<'SH'
#!/bin/sh
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
httpd -f -p 80 -h /www &
child=$!
wait "$child"
echo "standin: httpd exited; staying up without it" >&2
while :; do sleep 3600 & child=$!; wait "$child"; done
SH
}

# vars_script <names-file>: Appwrite's `vars`: '- NAME=value' for every listed name, empty when unset
vars_script() {
  cat <<SH
#!/bin/sh
# Appwrite \`vars\` stand-in: '- NAME=value' for every variable of Appwrite's list, empty when unset.
while IFS= read -r name || [ -n "\$name" ]; do
  case "\$name" in ''|*[!A-Za-z0-9_]*) continue ;; esac
  eval "value=\\\${\$name-}"
  printf -- '- %s=%s\\n' "\$name" "\$value"
done <$1
SH
}

# import_root <root> <repo> <label> <docker import --change ...>...: reproducible tar -> image id (stdout)
import_root() {
  local root="$1" name="$2" label="$3" tarf hash base
  shift 3
  tarf="$work/$(basename "$root").tar"
  tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$tarf" .
  hash="$(sha256sum "$tarf" | cut -c1-16)"
  base="$name:$hash"
  if docker image inspect "$base" >/dev/null 2>&1; then
    log "$label: $base already present"
  else
    log "$label: importing $base"
    local changes=() c
    for c in "$@"; do changes+=(--change "$c"); done
    docker import "${changes[@]}" \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change "LABEL org.harden-init.standin=$hash" \
      - "$base" <"$tarf" >/dev/null
  fi
  rm -f "$tarf"
  docker image inspect -f '{{.Id}}' "$base"
}

# tag_as <id> <image>: point <image> at <id> unless it already does. HARDEN_INIT_STANDIN_TAG_PREFIX (e.g.
# "hi-dev/") tags "<prefix><image>" instead: a changed stand-in can be tried without touching the public names
# other stacks on the shared engine run from.
tag_as() {
  local have name="${HARDEN_INIT_STANDIN_TAG_PREFIX:-}$2"
  have="$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)"
  if [ "$have" = "$1" ]; then log "ok      $name"; else docker tag "$1" "$name"; log "tagged  $name"; fi
}

# The tags test/e2e/realdb/build-realdb.sh serves with real Debian-built servers (MariaDB, PostgreSQL, Redis):
# never stand-ins, so the two scripts do not re-point each other's tags. realdb_served <image>: 0 when served.
mapfile -t realdb_tags < <("$repo/test/e2e/realdb/build-realdb.sh" --served)
realdb_served() {
  local t
  for t in "${realdb_tags[@]}"; do [ "$t" = "$1" ] && return 0; done
  return 1
}
# real_servers <image>...: when any is served by build-realdb.sh, build (cached) and tag all of its servers: the
# honest app server is healthy only with a database and Redis that really answer.
real_servers() {
  local i
  for i in "$@"; do
    if realdb_served "$i"; then
      if [ -n "${HARDEN_INIT_STANDIN_TAG_PREFIX:-}" ]; then "$repo/test/e2e/realdb/build-realdb.sh" --no-tag >/dev/null
      else "$repo/test/e2e/realdb/build-realdb.sh" >/dev/null; fi
      return 0
    fi
  done
}

# --- the generic stand-in ------------------------------------------------------------------------------------------
build_generic() {
  local root="$work/generic" version_json n
  version_json="${STANDIN_VERSION_JSON:-{\"version\":\"1.9.5\"\}}"
  busybox_root "$root"
  mkdir -p "$root"/{etc/standin,www/v1/health,data,var/lib/mysql,usr/local/bin}
  printf '%s' "$version_json" | put "$root" www/v1/health/version 0644
  printf '{"status":"pass"}' | put "$root" www/v1/health/index.html 0644
  sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$vars_file" | put "$root" etc/standin/variables.txt 0644

  put "$root" bin/standin 0755 <<'SH'
#!/bin/sh
# stand-in entry point: run the given command if it is one, otherwise serve.
if [ "$#" -gt 0 ]; then
  case "$1" in
    */*) [ -x "$1" ] && exec "$@" ;;
    *) if which "$1" >/dev/null 2>&1; then exec "$@"; fi ;;
  esac
fi
exec /bin/standin-serve
SH
  serve_script | put "$root" bin/standin-serve 0755
  for n in realtime maintenance stats-resources schedule-functions schedule-executions schedule-messages \
    worker-audits worker-webhooks worker-deletes worker-databases worker-builds worker-certificates \
    worker-executions worker-functions worker-mails worker-notifications worker-messaging worker-migrations \
    worker-stats-resources worker-stats-usage mysqld; do
    rm -f "$root/bin/$n"; ln -s standin-serve "$root/bin/$n"
  done
  rm -f "$root/bin/docker-entrypoint.sh"; ln -s standin "$root/bin/docker-entrypoint.sh"
  ln -s /bin/standin "$root/usr/local/bin/docker-entrypoint.sh"

  put "$root" bin/redis-server 0755 <<'SH'
#!/bin/sh
# redis-server stand-in: accepts any flags; remembers --requirepass for redis-cli; serves.
pass=
while [ "$#" -gt 0 ]; do
  case "$1" in
    --requirepass) if [ "$#" -ge 2 ]; then pass="$2"; shift; fi ;;
    --requirepass=*) pass="${1#*=}" ;;
  esac
  shift
done
rm -f /tmp/requirepass
if [ -n "$pass" ]; then (umask 077; printf '%s' "$pass" >/tmp/requirepass); fi
exec /bin/standin-serve
SH
  put "$root" bin/redis-cli 0755 <<'SH'
#!/bin/sh
# redis-cli stand-in: answers PONG; enforces the password given to redis-server --requirepass.
auth="${REDISCLI_AUTH-}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    -a) if [ "$#" -ge 2 ]; then auth="$2"; shift; fi ;;
  esac
  shift
done
if [ -s /tmp/requirepass ] && [ "$auth" != "$(cat /tmp/requirepass)" ]; then
  echo "NOAUTH Authentication required."
  exit 1
fi
echo PONG
SH
  printf '#!/bin/sh\n# MariaDB healthcheck stand-in: always healthy.\nexit 0\n' | put "$root" bin/healthcheck.sh 0755
  ln -s /bin/healthcheck.sh "$root/usr/local/bin/healthcheck.sh"
  # Other healthcheck clients: answer as a healthy server would.
  put "$root" bin/mariadb 0755 <<'SH'
#!/bin/sh
# mariadb/mysql client stand-in. With -e/--execute (healthchecks, "SELECT 1", DROP DATABASE): prints 1, healthy.
# Without: SQL on stdin (loading a dump) is kept as the "database", /var/lib/mysql/standin.sql, for mariadb-dump.
for a in "$@"; do case "$a" in -e|--execute|--execute=*|-e*) echo 1; exit 0 ;; esac; done
[ -t 0 ] && { echo 1; exit 0; }
cat >/var/lib/mysql/standin.sql.tmp && mv /var/lib/mysql/standin.sql.tmp /var/lib/mysql/standin.sql
SH
  ln -s mariadb "$root/bin/mysql"
  put "$root" bin/mariadb-dump 0755 <<'SH'
#!/bin/sh
# mariadb-dump/mysqldump stand-in: a dump header, then the stand-in "database" (/var/lib/mysql/standin.sql).
# Fails (exit 2) when /var/lib/mysql/standin-dump-fails exists, like a dump that loses its server.
if [ -e /var/lib/mysql/standin-dump-fails ]; then echo "mariadb-dump: Got error: 2013: Lost connection (stand-in)" >&2; exit 2; fi
echo "-- MariaDB dump (harden-init stand-in)"
[ -f /var/lib/mysql/standin.sql ] && grep -v '^FLUSH PRIVILEGES;$' /var/lib/mysql/standin.sql
exit 0
SH
  ln -s mariadb-dump "$root/bin/mysqldump"
  printf '#!/bin/sh\n# clickhouse-client stand-in (healthcheck --query "SELECT 1"): healthy.\necho 1\n' | put "$root" bin/clickhouse-client 0755
  printf '#!/bin/sh\n# pg_isready stand-in: healthy.\necho "/var/run/postgresql:5432 - accepting connections"\n' | put "$root" bin/pg_isready 0755
  printf '#!/bin/sh\n# php stand-in (healthchecks run php -r ...): healthy.\nexit 0\n' | put "$root" bin/php 0755
  curl_script | put "$root" bin/curl 0755
  vars_script /etc/standin/variables.txt | put "$root" bin/vars 0755

  import_root "$root" harden-init-standin generic \
    'ENTRYPOINT ["/bin/standin"]' 'CMD []'
}

# --- the traefik stand-in -------------------------------------------------------------------------------------------
# traefik:* images: the generic rootfs plus a forwarder. Every HTTP request on :80 (any flags ignored) goes to
# http://${STANDIN_UPSTREAM:-appwrite:80} with its path and Host header, and the answer comes back (502 when the
# upstream cannot be reached), so a health probe through the published port reaches the release's app server —
# as through the real traefik, minus its routing rules and TLS (:443 is not served).
build_proxy() {
  local root="$work/generic"
  put "$root" bin/standin-proxy 0755 <<'SH'
#!/bin/sh
# traefik stand-in: forward HTTP on :80 to the upstream; exits at once on SIGTERM/SIGINT.
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
nc -ll -p 80 -e /bin/standin-proxy-conn &
child=$!
wait "$child"
echo "standin-proxy: nc exited; staying up without it" >&2
while :; do sleep 3600 & child=$!; wait "$child"; done
SH
  put "$root" bin/standin-proxy-conn 0755 <<'SH'
#!/bin/sh
# one HTTP/1.x request on stdin -> http://$STANDIN_UPSTREAM (default appwrite:80) -> the answer on stdout
cr="$(printf '\r')"
read -r method target proto || exit 0
target="${target%"$cr"}"
set --
while IFS= read -r line; do
  line="${line%"$cr"}"
  [ -z "$line" ] && break
  case "$line" in [Hh][Oo][Ss][Tt]:*) h="${line#*:}"; set -- --header "Host: ${h# }" ;; esac
done
hdr="/tmp/proxy.$$.h" body="/tmp/proxy.$$.b"
: >"$body"
timeout 10 wget -q -S -O "$body" "$@" "http://${STANDIN_UPSTREAM:-appwrite:80}$target" 2>"$hdr"
status="$(tr -d '\r' <"$hdr" | sed -n 's#^ *HTTP/1\.[01] \([0-9][0-9][0-9].*\)$#\1#p' | tail -n 1)"
if [ -z "$status" ]; then status='502 Bad Gateway'; printf 'Bad Gateway' >"$body"; fi
printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$status" "$(wc -c <"$body")"
cat "$body"
rm -f "$hdr" "$body"
SH
  import_root "$root" harden-init-standin-proxy traefik \
    'ENTRYPOINT ["/bin/standin-proxy"]' 'CMD []'
}

# --- the honest app server -----------------------------------------------------------------------------------------
# app_server_scripts <root>: `php app/http.php` of the release stand-in. HTTP/1.x on :80 (busybox nc, one process
# per connection): /v1/health/version and /v1/health answer 200 ONLY when the backends check passes — a login to
# the database with _APP_DB_ADAPTER/_HOST/_PORT/_USER/_PASS/_SCHEMA (mariadb or postgresql; an empty adapter is
# the release's own default from variables.php) and a PONG from Redis at _APP_REDIS_HOST/_PORT (with
# _APP_REDIS_USER/_APP_REDIS_PASS when set), all read from this container's environment with the Debian clients of
# build-clients.sh. Otherwise 503 with {"message":"<reason>","code":503}; the reason is logged to the container's
# output when it changes. No secret is ever printed: the clients get passwords through their environment
# (MYSQL_PWD, PGPASSWORD, REDISCLI_AUTH), and any password that shows up in a message anyway is masked.
app_server_scripts() {
  local root="$1"
  put "$root" usr/lib/standin/app-serve 0755 <<'SH'
#!/bin/sh
# Appwrite app server stand-in: HTTP on :80; exits at once on SIGTERM/SIGINT.
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
echo "standin app server: listening on :80 (health answers only while the database and Redis accept us)" >&2
nc -ll -p 80 -e /usr/lib/standin/app-conn &
child=$!
wait "$child"
echo "standin app server: nc exited; staying up without it" >&2
while :; do sleep 3600 & child=$!; wait "$child"; done
SH
  put "$root" usr/lib/standin/app-conn 0755 <<'SH'
#!/bin/sh
# one HTTP/1.x request on stdin -> the answer on stdout
cr="$(printf '\r')"
read -r method target proto || exit 0
target="${target%"$cr"}"
while IFS= read -r line; do line="${line%"$cr"}"; [ -z "$line" ] && break; done
respond() {
  printf 'HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$(printf '%s' "$2" | wc -c)" "$2"
}
case "${target%%\?*}" in
  /v1/health/version|/v1/health|/v1/health/)
    reason="$(/usr/lib/standin/backends 2>&1)"; rc=$?
    # log when the state changes (a healthcheck asks every 5 s), to PID 1's stderr: the container's log
    state="$rc $reason"
    if [ "$state" != "$(cat /tmp/standin-backends.state 2>/dev/null)" ]; then
      printf '%s' "$state" >/tmp/standin-backends.state
      if [ "$rc" = 0 ]; then msg="database and Redis reachable: $reason"; else msg="NOT healthy: $reason"; fi
      echo "standin app server: $msg" >/proc/1/fd/2 2>/dev/null || true
    fi
    if [ "$rc" != 0 ]; then
      esc="$(printf '%s' "$reason" | tr '\n\r\t' '   ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | cut -c1-400)"
      respond '503 Service Unavailable' "{\"message\":\"$esc\",\"code\":503}"
    elif [ "${target%%\?*}" = /v1/health/version ]; then
      respond '200 OK' "$(cat /www/v1/health/version)"
    else
      respond '200 OK' '{"status":"pass"}'
    fi ;;
  *) respond '404 Not Found' '{"message":"Route not found (stand-in)","code":404}' ;;
esac
SH
  put "$root" usr/lib/standin/backends 0755 <<'SH'
#!/bin/sh
# Can Appwrite use its database and Redis from this environment? Exit 0 (one line saying what answered) or 1
# (one line saying why not). Passwords reach the clients through their environment, never argv or output.
# MariaDB and PostgreSQL bound their connect time themselves; no busybox `timeout` around the clients: it
# swallows their error messages.
C=/usr/lib/standin/clients
mask() {
  m="$1"
  for s in "${_APP_DB_PASS-}" "${_APP_REDIS_PASS-}"; do
    [ -n "$s" ] && m="${m//"$s"/********}"
  done
  printf '%s' "$m" | tr '\n' ' ' | sed 's/ *$//'
}
fail() { mask "$1"; echo; exit 1; }

adapter="${_APP_DB_ADAPTER:-$(cat /usr/lib/standin/db-adapter-default 2>/dev/null)}"
host="${_APP_DB_HOST-}" user="${_APP_DB_USER-}" schema="${_APP_DB_SCHEMA-}"
[ -n "$host" ] || fail "database: _APP_DB_HOST is empty"
case "$adapter" in
  mariadb|mysql)
    port="${_APP_DB_PORT:-3306}"
    out="$(MYSQL_PWD="${_APP_DB_PASS-}" $C/mariadb --no-defaults --protocol=tcp --connect-timeout=5 \
      -h "$host" -P "$port" -u "$user" --batch --skip-column-names -e 'SELECT 1' "$schema" 2>&1)"
    [ "$out" = 1 ] || fail "database: cannot log in to MariaDB at $host:$port as '$user' (database '$schema'): $out"
    db="MariaDB $host:$port" ;;
  postgresql)
    port="${_APP_DB_PORT:-5432}"
    out="$(PGPASSWORD="${_APP_DB_PASS-}" PGCONNECT_TIMEOUT=5 PGGSSENCMODE=disable PGAPPNAME=appwrite-standin LC_ALL=C \
      $C/psql -X -w -q -t -A -h "$host" -p "$port" -U "$user" -d "$schema" -c 'SELECT 1' 2>&1)"
    [ "$out" = 1 ] || fail "database: cannot log in to PostgreSQL at $host:$port as '$user' (database '$schema'): $out"
    db="PostgreSQL $host:$port" ;;
  *) fail "database: adapter '$adapter' (_APP_DB_ADAPTER): the stand-in can only check mariadb and postgresql" ;;
esac

rhost="${_APP_REDIS_HOST-}"
rport="${_APP_REDIS_PORT:-6379}"
[ -n "$rhost" ] || fail "redis: _APP_REDIS_HOST is empty"
set -- -h "$rhost" -p "$rport"
[ -n "${_APP_REDIS_USER-}" ] && set -- "$@" --user "$_APP_REDIS_USER"
if [ -n "${_APP_REDIS_PASS-}" ]; then
  out="$(REDISCLI_AUTH="$_APP_REDIS_PASS" $C/redis-cli "$@" ping 2>&1)"
else
  out="$($C/redis-cli "$@" ping 2>&1)"
fi
[ "$out" = PONG ] || fail "redis: no PONG from $rhost:$rport: $out"
echo "$db as '$user', Redis $rhost:$rport"
SH
}

# --- a release stand-in --------------------------------------------------------------------------------------------
# build_release <v> <dir> -> image id
build_release() {
  local v="$1" d="$2" root="$work/release-$1" n cls
  busybox_root "$root"
  mkdir -p "$root"/{usr/local/bin,usr/local/share/appwrite,usr/src/code/app/config,usr/lib/standin,www/v1/health}
  cp "$d/docker-compose.yml" "$root/usr/local/share/appwrite/docker-compose.yml"
  cp "$d/variables.php" "$root/usr/src/code/app/config/variables.php"
  chmod 0644 "$root/usr/local/share/appwrite/docker-compose.yml" "$root/usr/src/code/app/config/variables.php"
  # the variable names, in the file's order (what Appwrite's vars task walks)
  grep -o "'name'[[:space:]]*=>[[:space:]]*'[^']*'" "$d/variables.php" | sed -E "s/.*=>[[:space:]]*'//; s/'\$//" \
    | put "$root" usr/lib/standin/variables.txt 0644
  [ -s "$root/usr/lib/standin/variables.txt" ] || { log "release $v: no 'name' => entries in $d/variables.php"; exit 1; }
  printf '{"version":"%s"}' "$v" | put "$root" www/v1/health/version 0644
  printf '{"status":"pass"}' | put "$root" www/v1/health/index.html 0644
  # The database adapter Appwrite assumes when _APP_DB_ADAPTER is empty: the release's own default.
  sed -n "/'name' => '_APP_DB_ADAPTER',/,/'default'/s/.*'default' => '\([^']*\)'.*/\1/p" "$d/variables.php" \
    | head -n 1 | put "$root" usr/lib/standin/db-adapter-default 0644
  # The honest app server: the clients harvested from Debian, and the check they run (see app_server_scripts).
  tar -C "$root" -xf "$clients_tar"
  app_server_scripts "$root"

  put "$root" usr/lib/standin/stay 0755 <<'SH'
#!/bin/sh
# a long-running Appwrite process (worker, task loop): stays up; exits at once on SIGTERM/SIGINT.
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
echo "standin: $1 running"
while :; do sleep 3600 & child=$!; wait "$child"; done
SH
  vars_script /usr/lib/standin/variables.txt | put "$root" usr/lib/standin/vars 0755
  put "$root" usr/bin/php 0755 <<'SH'
#!/bin/sh
# php stand-in: `php app/http.php` is the app server (the image's CMD); anything else (php -r healthchecks): 0.
case "${1:-}" in
  app/http.php|/usr/src/code/app/http.php) exec /usr/lib/standin/app-serve ;;
esac
exit 0
SH
  curl_script | put "$root" usr/bin/curl 0755

  while IFS= read -r n || [ -n "$n" ]; do
    n="${n%%[[:space:]]*}"
    [ -n "$n" ] || continue
    case "$n" in */*|.*) log "release $v: bad executable name in bin.txt: $n"; exit 1 ;; esac
    case "$n" in
      vars) cls=vars ;;
      migrate) cls=migrate ;;
      worker|worker-*|realtime|mqtt|schedule|schedule-*|interval|maintenance|stats-resources|stats-usage) cls=stay ;;
      *) cls=task ;;
    esac
    case "$cls" in
      vars) printf '#!/bin/sh\n# stand-in for Appwrite bin/vars\nexec /usr/lib/standin/vars "$@"\n' ;;
      migrate) printf '#!/bin/sh\n# stand-in for Appwrite bin/migrate: records each run in /tmp/standin-migrate.log; fails (exit 1) when\n# /tmp/fail-migrate exists or STANDIN_FAIL_MIGRATE is "%s" or "all" (tests of a failed migration)\necho "migrate $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ) %s" >>/tmp/standin-migrate.log\nif [ -e /tmp/fail-migrate ] || [ "${STANDIN_FAIL_MIGRATE:-}" = "%s" ] || [ "${STANDIN_FAIL_MIGRATE:-}" = all ]; then echo "migrate: failed on purpose (stand-in for Appwrite %s)" >&2; exit 1; fi\necho "migrate: data migrated to %s (stand-in for Appwrite %s)"\n' "$v" "$v" "$v" "$v" "$v" "$v" ;;
      stay) printf '#!/bin/sh\n# stand-in for Appwrite bin/%s (long-running)\nexec /usr/lib/standin/stay %s\n' "$n" "$n" ;;
      task) printf '#!/bin/sh\n# stand-in for Appwrite bin/%s (a one-shot task)\necho "%s: done (stand-in for Appwrite %s)"\n' "$n" "$n" "$v" ;;
    esac | put "$root" "usr/local/bin/$n" 0755
  done <"$d/bin.txt"

  import_root "$root" harden-init-standin-release "appwrite/appwrite:$v" \
    'WORKDIR /usr/src/code' 'CMD ["php", "app/http.php"]' "LABEL org.harden-init.release=$v" 'EXPOSE 80'
}

# --- main -----------------------------------------------------------------------------------------------------------
if [ -n "$compose" ]; then
  mapfile -t images < <(image_names "$compose")
  [ "${#images[@]}" -gt 0 ] || { log "no image: lines in $compose"; exit 1; }
  for i in "${images[@]}"; do
    case "$i" in *'$'*) log "image name with interpolation not supported: $i"; exit 1 ;; esac
  done
  id="$(build_generic)"
  proxy="$(build_proxy)"
  for img in "${images[@]}"; do
    if realdb_served "$img"; then log "skip    $img (a real server: build-realdb.sh)"; continue; fi
    case "$img" in traefik:*) tag_as "$proxy" "$img" ;; *) tag_as "$id" "$img" ;; esac
  done
  real_servers "${images[@]}"
  exit 0
fi

images=(tecnativa/docker-socket-proxy:0.3.0)
for r in "${releases[@]}"; do
  mapfile -t more < <(image_names "${r#*=}/docker-compose.yml" skip)
  images+=("${more[@]}")
done
mapfile -t images < <(printf '%s\n' "${images[@]}" | grep -v '^appwrite/appwrite:' | sort -u)
id="$(build_generic)"
proxy="$(build_proxy)"
for img in "${images[@]}"; do
  if realdb_served "$img"; then log "skip    $img (a real server: build-realdb.sh)"; continue; fi
  case "$img" in traefik:*) tag_as "$proxy" "$img" ;; *) tag_as "$id" "$img" ;; esac
done
real_servers "${images[@]}"
clients_tar="$("$here/build-clients.sh")"
for r in "${releases[@]}"; do
  v="${r%%=*}"
  id="$(build_release "$v" "${r#*=}")"
  tag_as "$id" "appwrite/appwrite:$v"
done
