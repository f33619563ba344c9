#!/bin/sh
# mariadb:10.11 (test build from Debian bookworm's mariadb-server 10.11): the official image's contract.
# On a data dir without a `mysql` system schema, create it, set root's password from MYSQL_ROOT_PASSWORD
# (root@localhost and root@'%'), create MYSQL_DATABASE and MYSQL_USER/MYSQL_PASSWORD with all rights on it;
# then run the server as the mysql user on all interfaces. MARIADB_* spellings are honoured too.
# The image build removes the system schema Debian's package pre-creates in /var/lib/mysql, so the check
# "no mysql/ in the mounted data dir" means an empty data dir, as in the official image.
set -eu
case "${1:-}" in
  ''|-*) set -- mariadbd "$@" ;;
  mysqld|mariadbd) shift; set -- mariadbd "$@" ;;
esac
[ "$1" = mariadbd ] || exec "$@"
shift

datadir=/var/lib/mysql
mkdir -p "$datadir" /run/mysqld
chown mysql:mysql "$datadir" /run/mysqld
root_pw="${MYSQL_ROOT_PASSWORD:-${MARIADB_ROOT_PASSWORD:-}}"
db="${MYSQL_DATABASE:-${MARIADB_DATABASE:-}}"
user="${MYSQL_USER:-${MARIADB_USER:-}}"
user_pw="${MYSQL_PASSWORD:-${MARIADB_PASSWORD:-}}"
sql_str() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }
sql_id() { printf '%s' "$1" | sed -e 's/`/``/g'; }

if [ ! -d "$datadir/mysql" ]; then
  [ -n "$root_pw" ] || { echo "entrypoint: MYSQL_ROOT_PASSWORD is required to initialise an empty data dir" >&2; exit 1; }
  echo "entrypoint: initialising an empty data dir"
  mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve >/dev/null
  sock=/run/mysqld/init.sock
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$sock" &
  pid=$!
  i=0
  until mariadb --socket="$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -lt 300 ] || { echo "entrypoint: temporary server did not start" >&2; exit 1; }
    sleep 0.2
  done
  {
    echo "DELETE FROM mysql.global_priv WHERE User='';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql_str "$root_pw")';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(sql_str "$root_pw")';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$db" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$(sql_id "$db")\`;"; fi
    if [ -n "$user" ] && [ -n "$user_pw" ]; then
      echo "CREATE USER '$(sql_str "$user")'@'%' IDENTIFIED BY '$(sql_str "$user_pw")';"
      if [ -n "$db" ]; then echo "GRANT ALL ON \`$(sql_id "$db")\`.* TO '$(sql_str "$user")'@'%';"; fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$sock" -uroot
  MYSQL_PWD="$root_pw" mariadb-admin --socket="$sock" -uroot shutdown
  wait "$pid" || true
  echo "entrypoint: initialised"
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 "$@"
