#!/bin/sh
# Like the official redis image: protected mode off, since the container network is the boundary
# (docker-compose.yml does not publish Redis; docker-compose.redis-public.yml publishes it on a
# private address you name). A config file given first stays first; later options still override.
if [ "$1" = redis-server ]; then
  shift
  case "$1" in
    *.conf) conf=$1; shift; set -- redis-server "$conf" --protected-mode no "$@" ;;
    *) set -- redis-server --protected-mode no "$@" ;;
  esac
fi
exec "$@"
