#!/bin/sh
# healthcheck.sh (as in the official image, e.g. `healthcheck.sh --connect --innodb_initialized`): healthy when
# the server answers on TCP (the temporary server of the first start listens on no port, so it does not count).
exec mariadb-admin --protocol=tcp -h127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1
