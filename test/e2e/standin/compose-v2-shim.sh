#!/usr/bin/env bash
# compose-v2-shim.sh <dir>
#
# Installs a fake Compose v2 CLI plugin at <dir>/cli-plugins/docker-compose, so that with
#   DOCKER_CONFIG=<dir>
# `docker compose ...` works (backed by compose v1 `docker-compose`) and `docker compose version`
# reports v2.99.0. Used to exercise the product's Compose-v2 code path: real v2 cannot be installed here.
#   - `docker-cli-plugin-metadata` -> {"SchemaVersion":"0.1.0","Vendor":"test","Version":"v2.99.0"}
#   - `compose version [--short]`  -> "Docker Compose version v2.99.0" / "2.99.0" (v1 would print 1.29.2)
#   - anything else: drops the leading `compose` argument and execs `docker-compose "$@"`.
# Keep a real ~/.docker config out of the way by pointing DOCKER_CONFIG at a throw-away <dir>.
set -euo pipefail
dir="${1:?usage: compose-v2-shim.sh <dir>}"
mkdir -p "$dir/cli-plugins"
v1="$(command -v docker-compose || true)"
[ -n "$v1" ] || { echo "compose-v2-shim: docker-compose (v1) not found in PATH" >&2; exit 1; }
cat >"$dir/cli-plugins/docker-compose" <<SH
#!/bin/sh
# fake Compose v2 plugin (test fixture, written by test/e2e/standin/compose-v2-shim.sh)
if [ "\${1:-}" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"test","Version":"v2.99.0"}'
  exit 0
fi
[ "\${1:-}" = compose ] && shift
if [ "\${1:-}" = version ]; then
  case " \$* " in
    *" --short "*) echo 2.99.0 ;;
    *" json "*|*"--format=json"*) echo '{"version":"v2.99.0"}' ;;
    *) echo "Docker Compose version v2.99.0" ;;
  esac
  exit 0
fi
exec "$v1" "\$@"
SH
chmod 0755 "$dir/cli-plugins/docker-compose"
[ -f "$dir/config.json" ] || echo '{}' >"$dir/config.json"
echo "$dir/cli-plugins/docker-compose"
