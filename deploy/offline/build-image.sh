#!/usr/bin/env bash
# Builds the DistTrainer image without a registry: a minimal Debian root filesystem made with mmdebstrap from
# this machine's own apt sources (cached, keyed by what goes into it), imported into podman, plus the
# self-contained publish of both programs (Containerfile). The image runs as deploy/Dockerfile's does.
# Usage: deploy/offline/build-image.sh [IMAGE]   (default disttrainer:latest; root, podman, mmdebstrap, dotnet)
# DISTTRAINER_ROOTFS_CACHE: where root filesystems are kept between runs (default /var/cache/disttrainer-rootfs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
image="${1:-disttrainer:latest}"
cache="${DISTTRAINER_ROOTFS_CACHE:-/var/cache/disttrainer-rootfs}"

fail() { echo "build-image: $*" >&2; exit 1; }
for tool in podman mmdebstrap dotnet; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done

# The suite and the apt sources of this machine: the root filesystem comes from the same mirrors.
suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
[ -n "$suite" ] || fail "/etc/os-release names no VERSION_CODENAME to build the root filesystem from"
sources=()
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  if [ -s "$file" ]; then sources+=("$file"); fi
done
[ "${#sources[@]}" -gt 0 ] || fail "no apt sources in /etc/apt to build the root filesystem from"
packages="$(grep -v '^#' "$here/rootfs.packages" | paste -sd, -)"
# The image's unprivileged user (uid 1654, as in the .NET images) owns the working directory the runs volume mounts.
hook='chroot "$1" useradd --uid 1654 --user-group --no-create-home app && mkdir -p "$1/var/lib/disttrainer" && chroot "$1" chown app:app /var/lib/disttrainer'
key="$( (echo "$suite $packages $hook"; cat "${sources[@]}") | sha256sum | cut -c1-16)"
rootfs="$cache/rootfs-$key.tar"
base="localhost/disttrainer-rootfs:$key"

started=$SECONDS
if [ ! -f "$rootfs" ]; then
  echo "build-image: making the root filesystem ($suite, minbase + $packages)" >&2
  mkdir -p "$cache"
  # A root filesystem of another key is stale: keep only the one in use.
  rm -f "$cache"/rootfs-*.tar "$cache"/rootfs-*.tar.partial
  mmdebstrap --quiet --format=tar --variant=minbase --include="$packages" --customize-hook="$hook" \
    "$suite" "$rootfs.partial" "${sources[@]}" </dev/null || fail "mmdebstrap could not make the root filesystem"
  mv "$rootfs.partial" "$rootfs"
fi
if ! podman image exists "$base"; then
  podman import --quiet "$rootfs" "$base" >/dev/null || fail "podman could not import $rootfs"
  podman images --format '{{.Repository}}:{{.Tag}}' localhost/disttrainer-rootfs | grep -vxF "$base" \
    | xargs -r podman rmi >/dev/null 2>&1 || true
fi
# Where no container can start, building the rest is pointless: exit code 3 says so (the smoke then skips in CI).
if ! probe="$(podman run --rm --ulimit nofile=20000:20000 --ulimit nproc=1024:1024 "$base" true 2>&1)"; then
  echo "build-image: containers cannot run here: $(echo "$probe" | tail -n 1)" >&2
  exit 3
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
# The coordinator references the worker's project (its embedded workers), so a publish for one runtime sees the
# worker's apphost and settings files twice, from its plain and its runtime-specific build. Either copy will do:
# the image runs the worker from its own publish, /app/worker.
for program in Coordinator/Coordinator.csproj:coordinator Worker/Worker.csproj:worker; do
  dotnet publish "$repo/${program%%:*}" -c Release -r linux-x64 --self-contained -nologo -v quiet \
    -p:ErrorOnDuplicatePublishOutputFiles=false -o "$context/${program##*:}" >"$context/publish.log" 2>&1 \
    || { tail -20 "$context/publish.log" >&2; fail "dotnet publish ${program%%:*} failed"; }
done
rm "$context/publish.log"
cp "$repo/deploy/worker-entrypoint.sh" "$repo/deploy/make-certs.sh" "$context/"
previous="$(podman image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
podman build --quiet --build-arg BASE="$base" -f "$here/Containerfile" -t "$image" "$context" >/dev/null \
  || fail "podman build of $image failed"
# The image this one replaces would stay behind untagged.
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect -f '{{.Id}}' "$image")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
echo "build-image: $image built in $((SECONDS - started)) s" >&2
