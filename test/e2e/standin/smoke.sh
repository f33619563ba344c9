#!/usr/bin/env bash
# smoke.sh — end-to-end check of the stand-ins on a real Docker engine, with upstream's own compose file.
#
#   test/e2e/standin/smoke.sh [version]        # default 2.7.1; also 1.9.5, 1.9.6, 1.9.10, 2.3.0
#
# 1. starts/reuses the engine (.ci/lib/docker-engine.sh; DOCKER_HOST=unix:///tmp/hi-docker/docker.sock)
# 2. build-standins.sh --release <version>
# 3. in a temp dir: the compose file read from the stand-in image itself (docker run --entrypoint cat, as the
#    product does), the Docker socket mount pointed at the test engine, duplicate environment entries removed
#    (upstream lists _APP_ENV twice in one service; compose v1 rejects that), and a .env publishing traefik on
#    127.0.0.1:$SMOKE_PORT (default 18080) and +1, +2, +3; MariaDB as the database (mongodb/postgresql not started);
#    `ulimits` above this machine's hard RLIMIT_NOFILE capped (the sandbox forbids raising it: clickhouse asks 262144)
# 4. docker-compose -p hi-smoke up -d; waits until every container with a healthcheck is healthy and
#    GET /v1/health/version through the published port answers {"version":"<version>"}; `exec -T appwrite vars`
#    prints every variable of the release; then down -v.
# Prints timings. Exit 0 = pass. Upstream's compose names fixed networks (gateway, appwrite, runtimes): do not run
# it beside another Appwrite stack on the same engine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
export DOCKER_HOST="${DOCKER_HOST:-unix:///tmp/hi-docker/docker.sock}"
version="${1:-2.7.1}"
port="${SMOKE_PORT:-18080}"
project=hi-smoke

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
say() { printf '[smoke] %s\n' "$*" >&2; }

t=$(now); "$repo/.ci/lib/docker-engine.sh"; t_engine=$(since "$t")
t=$(now); "$here/build-standins.sh" --release "$version"; t_build=$(since "$t")

tmp="$(mktemp -d)"
dc() { docker-compose -p "$project" "$@"; }
cleanup() {
  rc=$?
  if [ "$rc" != 0 ]; then
    say "FAILED (rc=$rc); state:"; (cd "$tmp" && dc ps >&2) || true
    (cd "$tmp" && dc down -v --remove-orphans >/dev/null 2>&1) || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

docker run --rm --network none --entrypoint cat "appwrite/appwrite:$version" /usr/local/share/appwrite/docker-compose.yml \
| sed -E "s#(^|[[:space:]\"'-])/var/run/docker\\.sock:/var/run/docker\\.sock#\\1${DOCKER_HOST#unix://}:/var/run/docker.sock#" \
| awk '
  /^  [A-Za-z0-9_.-]+:[[:space:]]*$/ { svc = $1 }
  /^[[:space:]]+- [A-Z_][A-Z0-9_]*(=.*)?[[:space:]]*$/ {
    k = $2; sub(/=.*/, "", k)
    if ((svc SUBSEP k) in seen) next
    seen[svc SUBSEP k] = 1
  }
  { print }' >docker-compose.yml
# This sandbox caps RLIMIT_NOFILE (hard 20000 here) and dockerd cannot raise it: a service asking for more
# (2.x clickhouse: nofile 262144) fails with "error setting rlimits ... operation not permitted". Cap it here.
hard="$(ulimit -Hn)"
if [ "$hard" != unlimited ] && grep -qE '^[[:space:]]+(soft|hard): [0-9]+$' docker-compose.yml; then
  awk -v max="$hard" '/^[[:space:]]+(soft|hard): [0-9]+$/ { n = $2 + 0; if (n > max) { sub(/[0-9]+$/, max) } } { print }' \
    docker-compose.yml >docker-compose.yml.new && mv docker-compose.yml.new docker-compose.yml
  say "nofile ulimits capped at this machine's hard limit $hard"
fi
mapfile -t names < <(docker run --rm --network none "appwrite/appwrite:$version" vars | sed -E 's/^- ([A-Za-z0-9_]+)=.*/\1/')

cat >.env <<ENV
_APP_VERSION=$version
_APP_HTTP_PORT=127.0.0.1:$port
_APP_HTTPS_PORT=127.0.0.1:$((port + 1))
_APP_MQTT_PORT=127.0.0.1:$((port + 2))
_APP_MQTT_WSS_PORT=127.0.0.1:$((port + 3))
_APP_ENV=production
_APP_DOMAIN=example.com
_APP_OPENSSL_KEY_V1=smoke-openssl-key
_APP_EXECUTOR_SECRET=smoke-executor-secret
_APP_REDIS_HOST=redis
_APP_REDIS_PORT=6379
_APP_DB_HOST=mariadb
_APP_DB_PORT=3306
_APP_DB_SCHEMA=appwrite
_APP_DB_USER=user
_APP_DB_PASS=smoke-db-pass
_APP_DB_ROOT_PASS=smoke-db-root-pass
_APP_DB_ADAPTER=mariadb
_APP_COMPUTE_RUNTIMES_NETWORK=runtimes
ENV
# every other variable the file interpolates: empty (keeps compose quiet; `$$X` is not interpolation)
grep -oE '(^|[^$])\$\{?[A-Za-z_][A-Za-z0-9_]*' docker-compose.yml | sed -E 's/^[^$]?\$\{?//' | sort -u \
  | while read -r v; do grep -q "^$v=" .env || echo "$v=" >>.env; done

dc config -q
mapfile -t services < <(dc config --services | grep -vxE 'mongodb|postgresql|appwrite-embedding')
say "release $version: ${#services[@]} services"

t=$(now); dc up -d "${services[@]}" 2>&1 | tail -n 3 >&2; t_up=$(since "$t")

# --- wait: every container running, healthy where it has a healthcheck, and the probe through traefik ---------
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 3 -H 'Host: example.com' "http://127.0.0.1:$port/v1/health/version"
  else
    node -e '
      const r = require("http").get({host:"127.0.0.1",port:+process.argv[1],path:"/v1/health/version",
        headers:{Host:"example.com"},timeout:3000}, s => { let b=""; s.on("data",d=>b+=d);
        s.on("end",()=>{ if (s.statusCode!==200) process.exit(1); process.stdout.write(b); }); });
      r.on("error",()=>process.exit(1)); r.on("timeout",()=>{r.destroy(); process.exit(1);});' "$port"
  fi
}
t=$(now); body=; state=
for _ in $(seq 1 240); do
  state="$(docker ps -a --filter "label=com.docker.compose.project=$project" --format '{{.Names}} {{.Status}}')"
  if ! grep -qvE ' Up .*' <<<"$state" && ! grep -qE 'starting|unhealthy' <<<"$state"; then
    body="$(fetch 2>/dev/null || true)"
    [ -n "$body" ] && break
  fi
  if grep -qE 'Exited|Restarting|unhealthy' <<<"$state"; then say "a container failed:"; printf '%s\n' "$state" >&2; exit 1; fi
  sleep 0.5
done
t_health=$(since "$t")
[ -n "$body" ] || { say "not healthy; last state:"; printf '%s\n' "$state" >&2; exit 1; }
say "health: $body ($(wc -l <<<"$state") containers up)"
[ "$body" = "{\"version\":\"$version\"}" ] || { say "unexpected health body"; exit 1; }

# --- vars -------------------------------------------------------------------------------------------------------------
vars_out="$(dc exec -T appwrite vars)"
grep -qx -- '- _APP_ENV=production' <<<"$vars_out" || { say "vars lacks _APP_ENV=production"; exit 1; }
[ "$(wc -l <<<"$vars_out")" = "${#names[@]}" ] || { say "vars line count differs"; exit 1; }
say "vars: ${#names[@]} lines, e.g. $(grep -- '_APP_DOMAIN=' <<<"$vars_out" | head -1)"

t=$(now); dc down -v --remove-orphans 2>&1 | tail -n 1 >&2; t_down=$(since "$t")

echo "smoke $version: PASS  engine=$t_engine build=$t_build up=$t_up health-wait=$t_health down=$t_down"
