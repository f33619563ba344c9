#!/usr/bin/env bash
# build-standins.sh <compose-file> [variables-file]
#
# Builds a local stand-in image for EVERY `image:` named in <compose-file> (no registry is reachable, so
# nothing may be pulled). All images share one busybox rootfs, imported once as
#   harden-init-standin:<sha256 of the rootfs tar, 16 hex>   (label org.harden-init.standin=<same>)
# and then tagged with each image name. Re-running is fast: the rootfs tar is built reproducibly, and
# an image whose name already points at the same stand-in is left alone.
#
# Needs: DOCKER_HOST set by the caller (e.g. unix:///tmp/hi-docker/docker.sock, see .ci/lib/docker-engine.sh),
# a static busybox (apt package busybox-static; installed here when missing and running as root), GNU tar.
#
# [variables-file]: Appwrite's variable names, one per line, in Appwrite's order (blank lines and `#`
# comments ignored). Default: <repo>/templates/appwrite/1.9.5/variables.txt. Baked into the image for `vars`.
#
# What the stand-in does (entrypoint /bin/standin, CMD []):
#   - args whose first word is an executable in PATH (`sh -c ...`, `mysqld ...`, `redis-server ...`): exec them;
#   - otherwise (no args, or flags such as traefik's `--providers...`): "serve" = busybox httpd on :80 in the
#     foreground of PID 1, /v1/health/version -> {"version":"1.9.5"}; exits at once on SIGTERM/SIGINT.
#   - realtime, worker-*, maintenance, stats-resources, schedule-*, mysqld, redis-server: serve
#     (redis-server records --requirepass X in /tmp/requirepass); docker-entrypoint.sh: like /bin/standin;
#   - healthcheck.sh: exit 0; redis-cli: prints PONG (with a password set: NOAUTH and exit 1 unless
#     REDISCLI_AUTH or -a matches);
#   - vars: `- NAME=value` for every baked variable name (empty when unset), like Appwrite's `vars` task.
# Env STANDIN_VERSION_JSON overrides the health answer (default {"version":"1.9.5"}).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
compose="${1:?usage: build-standins.sh <compose-file> [variables-file]}"
vars_file="${2:-$repo/templates/appwrite/1.9.5/variables.txt}"
version_json="${STANDIN_VERSION_JSON:-{\"version\":\"1.9.5\"\}}"

log() { printf '[build-standins] %s\n' "$*" >&2; }

[ -f "$compose" ] || { log "no such compose file: $compose"; exit 1; }
[ -f "$vars_file" ] || { log "no such variables file: $vars_file"; exit 1; }

# --- a static busybox --------------------------------------------------------------------------
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

# --- image names ---------------------------------------------------------------------------------
mapfile -t images < <(
  grep -E '^[[:space:]]*image:' "$compose" \
    | sed -E 's/^[[:space:]]*image:[[:space:]]*//; s/[[:space:]]+#.*$//; s/[[:space:]]+$//; s/^["'\'']//; s/["'\'']$//' \
    | sort -u
)
[ "${#images[@]}" -gt 0 ] || { log "no image: lines in $compose"; exit 1; }
for i in "${images[@]}"; do
  case "$i" in *'$'*) log "image name with interpolation not supported: $i"; exit 1 ;; esac
done

# --- rootfs --------------------------------------------------------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/standin,tmp,www/v1/health,root,var/run,data,var/lib/mysql}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
# == busybox --install -s (done from outside so links point at /bin/busybox inside the image)
"$busybox" --list-full | while read -r p; do
  [ "$p" = bin/busybox ] && continue
  mkdir -p "$root/$(dirname "$p")"
  ln -sf /bin/busybox "$root/$p"
done

# put <file> <mode>: content from stdin. rm first: never write through an applet symlink (it is absolute!)
put() { rm -f "$root/$1"; cat >"$root/$1"; chmod "$2" "$root/$1"; }

printf '%s' "$version_json" | put www/v1/health/version 0644
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' | put etc/passwd 0644
printf 'root:x:0:\nnogroup:x:65534:\n' | put etc/group 0644
sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$vars_file" | put etc/standin/variables.txt 0644

put bin/standin 0755 <<'SH'
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

put bin/standin-serve 0755 <<'SH'
#!/bin/sh
# serve: busybox httpd on :80; stay up; exit promptly on SIGTERM/SIGINT (also as PID 1).
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
httpd -f -p 80 -h /www &
child=$!
wait "$child"
echo "standin: httpd exited; staying up without it" >&2
while :; do sleep 3600 & child=$!; wait "$child"; done
SH

for n in realtime maintenance stats-resources schedule-functions schedule-executions schedule-messages \
  worker-audits worker-webhooks worker-deletes worker-databases worker-builds worker-certificates \
  worker-executions worker-functions worker-mails worker-notifications worker-messaging worker-migrations \
  worker-stats-resources worker-stats-usage mysqld; do
  rm -f "$root/bin/$n"; ln -s standin-serve "$root/bin/$n"
done
rm -f "$root/bin/docker-entrypoint.sh"; ln -s standin "$root/bin/docker-entrypoint.sh"
mkdir -p "$root/usr/local/bin"; ln -s /bin/standin "$root/usr/local/bin/docker-entrypoint.sh"

put bin/redis-server 0755 <<'SH'
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

put bin/redis-cli 0755 <<'SH'
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

put bin/healthcheck.sh 0755 <<'SH'
#!/bin/sh
# MariaDB healthcheck stand-in: always healthy.
exit 0
SH
rm -f "$root/usr/local/bin/healthcheck.sh"; ln -s /bin/healthcheck.sh "$root/usr/local/bin/healthcheck.sh"

put bin/vars 0755 <<'SH'
#!/bin/sh
# Appwrite `vars` stand-in: '- NAME=value' for every variable of Appwrite's list, empty when unset.
while IFS= read -r name || [ -n "$name" ]; do
  case "$name" in ''|*[!A-Za-z0-9_]*) continue ;; esac
  eval "value=\${$name-}"
  printf -- '- %s=%s\n' "$name" "$value"
done </etc/standin/variables.txt
SH

# --- reproducible tar, hash, import once -----------------------------------------------------------
tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/rootfs.tar" .
hash="$(sha256sum "$work/rootfs.tar" | cut -c1-16)"
base="harden-init-standin:$hash"
if docker image inspect "$base" >/dev/null 2>&1; then
  log "stand-in $base already present"
else
  log "importing $base"
  docker import \
    --change 'ENTRYPOINT ["/bin/standin"]' \
    --change 'CMD []' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.harden-init.standin=$hash" \
    - "$base" <"$work/rootfs.tar" >/dev/null
fi
id="$(docker image inspect -f '{{.Id}}' "$base")"
for img in "${images[@]}"; do
  have="$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null || true)"
  if [ "$have" = "$id" ]; then
    log "ok      $img"
  else
    docker tag "$base" "$img"
    log "tagged  $img"
  fi
done
