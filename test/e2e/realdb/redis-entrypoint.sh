#!/bin/sh
# redis:7.4.7-alpine (test build from Debian bookworm's redis-server 7.0): the official image's contract.
# `redis-server [flags]` (or flags alone) runs as the redis user in /data, with protected mode off — the official
# image builds Redis with it off, since a container is reached over its network, not loopback — unless the
# command's own flags say otherwise (later flags win). Any other command is run as given (`redis-cli ping`, `sh`).
set -eu
case "${1:-}" in
  ''|-*) set -- redis-server "$@" ;;
esac
[ "$1" = redis-server ] || exec "$@"
shift
mkdir -p /data
chown redis:redis /data
cd /data
exec setpriv --reuid=redis --regid=redis --init-groups redis-server --protected-mode no --dir /data "$@"
