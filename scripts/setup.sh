#!/usr/bin/env bash
# Prepares a checkout: system packages (only the missing ones), npm packages, and the build.
# Usage: scripts/setup.sh [--full]   (--full also installs the test world: chromium, ceph/radosgw, coturn, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

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
