#!/usr/bin/env bash
# smoke.sh — end-to-end check of the test infrastructure on a real Docker engine.
#
#   test/e2e/standin/smoke.sh [compose-file]
#
# 1. starts/reuses the engine (.ci/lib/docker-engine.sh; DOCKER_HOST=unix:///tmp/hi-docker/docker.sock)
# 2. builds stand-ins for the compose file: default <repo>/templates/appwrite/1.9.5/docker-compose.yml,
#    else /tmp/tpl/upstream-1.9.5-mariadb.yml (Appwrite's upstream 1.9.5 template, rendered)
# 3. in a temp dir: copy of the file with traefik published on 127.0.0.1:$SMOKE_PORT (default 18080) instead of
#    80/443, the Docker socket mount pointed at the test engine, duplicate environment entries removed (upstream
#    lists _APP_ENV twice in one service; compose v1 rejects that), and a minimal .env
# 4. docker-compose -p hi-smoke up -d; waits for GET /v1/health/version (Host: example.com) through the
#    published port; `docker-compose exec -T appwrite vars` must show - _APP_ENV=production; down -v
# Prints timings. Exit 0 = pass.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
export DOCKER_HOST="${DOCKER_HOST:-unix:///tmp/hi-docker/docker.sock}"
port="${SMOKE_PORT:-18080}"
project=hi-smoke

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
say() { printf '[smoke] %s\n' "$*" >&2; }

compose_src="${1:-}"
if [ -z "$compose_src" ]; then
  compose_src="$repo/templates/appwrite/1.9.5/docker-compose.yml"
  [ -f "$compose_src" ] || compose_src=/tmp/tpl/upstream-1.9.5-mariadb.yml
fi
tmp="$(mktemp -d)"
vars_file="$repo/templates/appwrite/1.9.5/variables.txt"
if [ ! -f "$vars_file" ]; then
  [ -f /tmp/variables.php ] || { say "no $vars_file and no /tmp/variables.php"; exit 1; }
  grep -o "'name' => '_APP[A-Z0-9_]*'" /tmp/variables.php | sed "s/.*=> '//; s/'\$//" >"$tmp/variables.txt"
  vars_file="$tmp/variables.txt"
fi
say "compose: $compose_src; variables: $vars_file ($(wc -l <"$vars_file") names)"

t=$(now); "$repo/.ci/lib/docker-engine.sh"; t_engine=$(since "$t")
t=$(now); "$here/build-standins.sh" "$compose_src" "$vars_file"; t_build=$(since "$t")

# --- prepare the project dir ----------------------------------------------------------------------
cd "$tmp"
# ports: the one ending in :80 -> 127.0.0.1:$port:80, drop the one ending in :443 (short syntax)
# docker.sock: point at the test engine's socket (else the engine creates a *directory* /var/run/docker.sock)
# environment: drop a repeated `- NAME` / `- NAME=...` entry within the same service
sed -E \
  -e "s#^([[:space:]]*-[[:space:]]*)[\"']?([^\"' ]*:)?80:80[\"']?[[:space:]]*\$#\\1\"127.0.0.1:$port:80\"#" \
  -e "/^[[:space:]]*-[[:space:]]*[\"']?([^\"' ]*:)?443:443[\"']?[[:space:]]*\$/d" \
  -e "s#(^|[[:space:]\"'-])/var/run/docker\\.sock:/var/run/docker\\.sock#\\1${DOCKER_HOST#unix://}:/var/run/docker.sock#" \
  "$compose_src" \
| awk '
  /^  [A-Za-z0-9_.-]+:[[:space:]]*$/ { svc = $1 }
  /^[[:space:]]+- [A-Z_][A-Z0-9_]*(=.*)?[[:space:]]*$/ {
    k = $2; sub(/=.*/, "", k)
    if ((svc SUBSEP k) in seen) next
    seen[svc SUBSEP k] = 1
  }
  { print }' >docker-compose.yml
grep -q "127.0.0.1:$port:80" docker-compose.yml || { say "could not rewrite the published port 80"; exit 1; }

cat >.env <<ENV
_APP_ENV=production
_APP_LOCALE=en
_APP_DOMAIN=example.com
_APP_DOMAIN_TARGET=example.com
_APP_DOMAIN_FUNCTIONS=functions.example.com
_APP_OPENSSL_KEY_V1=smoke-openssl-key
_APP_EXECUTOR_SECRET=smoke-executor-secret
_APP_REDIS_HOST=redis
_APP_REDIS_PORT=6379
_APP_REDIS_USER=
_APP_REDIS_PASS=x
_APP_DB_HOST=mariadb
_APP_DB_PORT=3306
_APP_DB_SCHEMA=appwrite
_APP_DB_USER=user
_APP_DB_PASS=smoke-db-pass
_APP_DB_ROOT_PASS=smoke-db-root-pass
_APP_DB_ADAPTER=mariadb
_APP_FUNCTIONS_RUNTIMES=node-22
_APP_SITES_RUNTIMES=static-1
_APP_COMPUTE_RUNTIMES_NETWORK=runtimes
ENV
# every other variable the file interpolates: empty (keeps compose quiet; `$$X` is not interpolation)
grep -oE '(^|[^$])\$\{?[A-Za-z_][A-Za-z0-9_]*' docker-compose.yml | sed -E 's/^[^$]?\$\{?//' | sort -u \
  | while read -r v; do grep -q "^$v=" .env || echo "$v=" >>.env; done

dc() { docker-compose -p "$project" "$@"; }
cleanup() {
  rc=$?
  if [ "$rc" != 0 ]; then
    say "FAILED (rc=$rc); state:"; dc ps >&2 || true
    dc down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

dc config -q
say "services: $(dc config --services | wc -l)"

t=$(now); dc up -d 2>&1 | tail -n 5 >&2; t_up=$(since "$t")

# --- wait for the health endpoint through the published port ------------------------------------
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
t=$(now); body=
for _ in $(seq 1 120); do
  if body="$(fetch 2>/dev/null)"; then break; fi
  body=; sleep 0.5
done
t_health=$(since "$t")
[ -n "$body" ] || { say "health endpoint did not answer on 127.0.0.1:$port"; exit 1; }
say "health: $body"
case "$body" in *'"version":"1.9.5"'*) ;; *) say "unexpected health body"; exit 1 ;; esac

# --- vars -------------------------------------------------------------------------------------------
vars_out="$(dc exec -T appwrite vars)"
printf '%s\n' "$vars_out" | grep -qx -- '- _APP_ENV=production' || { say "vars lacks _APP_ENV=production"; exit 1; }
[ "$(printf '%s\n' "$vars_out" | wc -l)" = "$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$vars_file" | grep -c .)" ] || { say "vars line count differs"; exit 1; }
say "vars: $(printf '%s\n' "$vars_out" | wc -l) lines, e.g. $(printf '%s\n' "$vars_out" | grep -- '_APP_DOMAIN=' | head -1)"

t=$(now); dc down -v --remove-orphans 2>&1 | tail -n 2 >&2; t_down=$(since "$t")

echo "smoke: PASS  engine=$t_engine build=$t_build up=$t_up health-wait=$t_health down=$t_down"
