#!/usr/bin/env bash
# Prepares a checkout: system packages (only the missing ones), npm packages, and the build.
# Usage: scripts/setup.sh [--full]   (--full also installs the test world: chromium, ceph/radosgw, coturn, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

# Node.js 20 or newer (20 is past end of life but works; 22 and 24 are LTS). Stop early and clearly.
if ! command -v node >/dev/null 2>&1; then
  echo "[recbot] ERROR: Node.js is not installed. Install Node.js 22 or 24 (LTS), or 20." >&2; exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "[recbot] ERROR: recbot needs Node.js 20 or newer (tested: 20, 22, 24); this is Node.js $(node --version). Install a current LTS release." >&2
  exit 1
fi

if [ "${1:-}" = "--full" ]; then
  bash scripts/install-system-deps.sh
else
  bash scripts/install-system-deps.sh --minimal
fi

# npm packages at the locked versions when node_modules is missing or older than the lock file.
# (`npm install`, not `npm ci`: this npm omits other platforms' optional packages from the lock,
# which `npm ci` then rejects as out of sync; `npm install` installs the same locked versions.)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[recbot] npm install (locked versions)"
  npm install --no-audit --no-fund --loglevel=error
fi

echo "[recbot] building"
npx tsc -p tsconfig.build.json
# Static assets that tsc does not copy (the browser participant page, etc.).
if [ -d src/testworld/browser/page ]; then
  mkdir -p dist/testworld/browser && rm -rf dist/testworld/browser/page && cp -r src/testworld/browser/page dist/testworld/browser/page
fi
