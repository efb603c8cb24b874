#!/usr/bin/env bash
# Base images for the compose build without any image registry (scripts/compose-smoke.sh uses them
# when node:20-bookworm-slim / redis:7 cannot be pulled; usable by hand too):
#   lrf-debian:bookworm  debootstrap --variant=minbase bookworm from the Debian mirror apt uses, imported
#   lrf-node:20          that base + this host's Node 20 (node and npm copied in) + the host's CA bundle
#   lrf-redis:7          that base + Debian's redis-server
# Images that exist are kept (delete them with `docker rmi` to rebuild); the Node image is rebuilt
# when the host's Node version changed. Needs root (debootstrap), debootstrap, and Node 20 on the host.
# Then: NODE_IMAGE=lrf-node:20 REDIS_IMAGE=lrf-redis:7 docker-compose up --build -d
set -euo pipefail

BASE_IMAGE=${LRF_BASE_IMAGE:-lrf-debian:bookworm}
NODE_IMAGE=${LRF_NODE_IMAGE:-lrf-node:20}
REDIS_IMAGE=${LRF_REDIS_IMAGE:-lrf-redis:7}
here=$(cd "$(dirname "$0")" && pwd)
log() { echo "base-images: $*" >&2; }
have() { docker image inspect "$1" >/dev/null 2>&1; }

# the mirror apt already uses (deb822 .sources or a classic sources.list line), DEBIAN_MIRROR overrides
mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  [ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

if have "$BASE_IMAGE"; then
  log "$BASE_IMAGE: cached"
else
  command -v debootstrap >/dev/null || { log "debootstrap missing (apt-get install -y debootstrap)"; exit 1; }
  root=$(mktemp -d /tmp/lrf-debootstrap.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  m=$(mirror)
  log "$BASE_IMAGE: debootstrap --variant=minbase bookworm from $m (a few minutes)"
  t0=$SECONDS
  debootstrap --variant=minbase bookworm "$root" "$m" >"$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
  rm -f "$root.log"
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  log "$BASE_IMAGE: built in $((SECONDS - t0)) s"
fi

node_version=$(node --version 2>/dev/null || true)
case "$node_version" in
  v20.*) ;;
  *) log "the Node image copies the host's Node 20, but the host has '${node_version:-no node}'"; exit 1 ;;
esac
if have "$NODE_IMAGE" && [ "$(docker image inspect -f '{{ index .Config.Labels "lrf.node-version" }}' "$NODE_IMAGE")" = "$node_version" ]; then
  log "$NODE_IMAGE: cached (node $node_version)"
else
  ctx=$(mktemp -d /tmp/lrf-node-image.XXXXXX)
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  cp "$node_bin" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  # the host's trust store: NODE_EXTRA_CA_CERTS if set, else the system bundle
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/ca-certificates.crt"
  cp "$here/compose-images/node.Dockerfile" "$ctx/Dockerfile"
  log "$NODE_IMAGE: node $node_version from $node_bin, npm from $npm_dir"
  docker build -q --label "lrf.node-version=$node_version" --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi

if have "$REDIS_IMAGE"; then
  log "$REDIS_IMAGE: cached"
else
  log "$REDIS_IMAGE: Debian's redis-server on $BASE_IMAGE"
  docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$REDIS_IMAGE" -f "$here/compose-images/redis.Dockerfile" "$here/compose-images" >/dev/null
fi
echo "NODE_IMAGE=$NODE_IMAGE"
echo "REDIS_IMAGE=$REDIS_IMAGE"
