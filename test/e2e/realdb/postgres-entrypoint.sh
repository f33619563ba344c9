#!/bin/sh
# appwrite/postgres:0.1.0 (test build from Debian bookworm's PostgreSQL 15): the official postgres image's
# contract. On an empty PGDATA (default /var/lib/postgresql/data, under the volume Appwrite mounts at
# /var/lib/postgresql) initdb with POSTGRES_USER as superuser and POSTGRES_PASSWORD, create POSTGRES_DB; local
# socket connections trusted, TCP with scram-sha-256; then run postgres as the postgres user on all interfaces.
set -eu
export PATH="/usr/lib/postgresql/15/bin:$PATH"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
case "${1:-}" in
  ''|-*) set -- postgres "$@" ;;
esac
[ "$1" = postgres ] || exec "$@"
shift
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres /var/lib/postgresql "$PGDATA" /run/postgresql
chmod 0700 "$PGDATA"
chmod 2777 /run/postgresql
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "entrypoint: POSTGRES_PASSWORD is required to initialise an empty data dir" >&2; exit 1; }
  echo "entrypoint: initialising an empty data dir"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  as_pg initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    as_pg pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    esc="$(printf '%s' "$db" | sed 's/"/""/g')"
    printf 'CREATE DATABASE "%s";\n' "$esc" | as_pg psql -v ON_ERROR_STOP=1 -q --username="$user" --dbname=postgres
    as_pg pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "entrypoint: initialised"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" "$@"
