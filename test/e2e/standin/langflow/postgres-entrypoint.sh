#!/bin/sh
# postgres:16 for the Langflow end-to-end tests: REAL PostgreSQL 15 from Debian bookworm (no registry is reachable,
# Debian carries 15, not 16), behind the official image's environment contract, and working on a READ-ONLY root
# file system (harden-init runs postgres with read_only: true and tmpfs on /var/run/postgresql and /tmp):
#   - as root: take ownership of PGDATA (a named volume or a host directory) and the socket dir, then drop to postgres;
#   - on an empty PGDATA: initdb with POSTGRES_USER (superuser, default postgres) and POSTGRES_PASSWORD (required),
#     scram-sha-256 over TCP, trust on the local socket; create POSTGRES_DB (default POSTGRES_USER);
#   - run postgres on all interfaces.
set -eu
export PATH="/usr/lib/postgresql/15/bin:$PATH"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
case "${1:-}" in ''|-*) set -- postgres "$@" ;; esac
[ "$1" = postgres ] || exec "$@"
shift
sock=/var/run/postgresql
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" "$sock"
  [ "$(stat -c %U "$PGDATA")" = postgres ] || chown -R postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  chown postgres:postgres "$sock"
  chmod 2777 "$sock"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" postgres "$@"
fi
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "entrypoint: POSTGRES_PASSWORD is required to initialise an empty data dir" >&2; exit 1; }
  echo "entrypoint: initialising an empty data dir"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "unix_socket_directories = '$sock'" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    printf 'CREATE DATABASE "%s";\n' "$(printf '%s' "$db" | sed 's/"/""/g')" | psql -v ON_ERROR_STOP=1 -q --username="$user" --dbname=postgres
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "entrypoint: initialised"
fi
exec postgres -D "$PGDATA" "$@"
