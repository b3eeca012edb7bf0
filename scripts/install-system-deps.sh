#!/usr/bin/env bash
# Installs the Debian packages recbot needs, only those missing. Idempotent.
# Usage: scripts/install-system-deps.sh [--minimal]
#   --minimal  only what the service itself needs at run time (ffmpeg, redis-server, flite, pocketsphinx)
set -euo pipefail

RUNTIME=(ffmpeg redis-server flite pocketsphinx pocketsphinx-en-us)
TESTWORLD=(chromium radosgw ceph-mon ceph-osd coturn nftables iproute2)

pkgs=("${RUNTIME[@]}")
if [ "${1:-}" != "--minimal" ]; then pkgs+=("${TESTWORLD[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "[recbot] system dependencies: all present (${pkgs[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[recbot] ERROR: missing system packages: ${missing[*]}" >&2
  echo "[recbot] apt-get is not available on this machine. Install them with your package manager," >&2
  echo "[recbot] or run recbot from the container image: see docker/Dockerfile and README.md (Deploy)." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "[recbot] ERROR: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; fi
fi

echo "[recbot] installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Update the package lists once per day at most (apt-cache needs them on a fresh machine).
stamp=/var/lib/apt/periodic/update-success-stamp
lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)
if [ -z "$lists" ]; then
  echo "[recbot] apt-get update"
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/recbot-apt.log 2>&1 || {
  echo "[recbot] apt-get install failed; last lines of /tmp/recbot-apt.log:" >&2
  tail -n 30 /tmp/recbot-apt.log >&2
  exit 1
}
# Debian may start some of these as system services (redis-server on 6379, coturn). recbot and its
# tests run their own instances on free ports, so they do not need them stopped, and this script never
# stops or disables anything it did not start. Say so, and leave the decision to the user.
for svc in redis-server coturn; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    echo "[recbot] note: Debian started the system service '$svc'; recbot does not use it (stop it with: systemctl disable --now $svc)"
  fi
done
echo "[recbot] installed: ${missing[*]}"
