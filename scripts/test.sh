#!/usr/bin/env bash
# The whole test suite: installs what it needs, then lint, typecheck, unit, integration and e2e lanes.
# Every lane runs even when an earlier one failed (one run shows every failure); each lane's wall time
# and result are printed at the end, and the exit status is non-zero if any lane failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --full

declare -a TIMES=()
FAILED=()
lane() {
  local name=$1; shift
  local t0=$(date +%s)
  local result=ok
  echo "=== lane: $name ==="
  "$@" || { result=FAILED; FAILED+=("$name"); }
  TIMES+=("$name $(( $(date +%s) - t0 ))s $result")
}

lane lint npx eslint src test
lane typecheck npx tsc --noEmit -p tsconfig.json
# Renders every kustomization and validates it against the Kubernetes/KEDA schemas (installs or fails).
lane k8s bash scripts/k8s-test.sh
lane unit npx jest --selectProjects unit --ci
# --forceExit: a handle leaked by one file (e.g. a client reconnecting to a stopped Redis) must not hang CI
# after every test passed; find such leaks with --detectOpenHandles.
lane integration npx jest --selectProjects integration --ci --runInBand --forceExit
if compgen -G "test/e2e/*.test.ts" >/dev/null; then
  lane e2e npx jest --selectProjects e2e --ci --runInBand --forceExit
fi
# Builds docker/Dockerfile with podman (base from debootstrap, cached) and records a call inside the image.
lane image bash scripts/image-test.sh
echo "=== lane wall times ==="
printf '  %s\n' "${TIMES[@]}"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "=== failed lanes: ${FAILED[*]} ==="
  exit 1
fi
