#!/usr/bin/env bash
# Build the image's base locally, for a machine that reaches the Debian mirrors but no image
# registry: Debian bookworm (debootstrap, minbase) with Debian's Python 3.11 and venv, imported
# into podman. `python` is Debian's python3 (python-is-python3), so the Dockerfile's stages run
# unchanged on it; the virtual environment in /opt/venv makes everything after that identical.
# Usage: deploy/image/base.sh [TAG]   (DEBIAN_MIRROR overrides the mirror; FORCE=1 rebuilds)
set -euo pipefail
tag=${1:-localhost/atelier-python:3.11-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ -z "${FORCE:-}" ] && podman image exists "$tag"; then
  echo "base image $tag exists (FORCE=1 rebuilds it)"
  exit 0
fi

rootfs=$(mktemp -d /var/tmp/atelier-base.XXXXXX)
trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
echo "debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
  bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log"; exit 1; }
# What a slim image leaves out: the package lists and caches, documentation, manual pages.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/log/*.log "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
find "$rootfs"/usr/share/doc -mindepth 2 ! -name copyright -delete 2>/dev/null || true
tar -C "$rootfs" --numeric-owner -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  - "$tag" >/dev/null
echo "base image $tag: $(podman image inspect --format '{{.Size}}' "$tag" | numfmt --to=si)B"
