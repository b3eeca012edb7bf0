#!/usr/bin/env bash
# The k8s lane: renders every kustomization (the default and each overlay) with kubectl and validates
# each object against the Kubernetes/KEDA JSON schemas. Never skips: a missing tool is installed or
# the lane fails.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v kubectl >/dev/null || { echo "[k8s-test] ERROR: kubectl (with kustomize) is required: install it from your Kubernetes distribution" >&2; exit 1; }
TOOLS=${RECBOT_K8S_TOOLS:-$HOME/.cache/recbot-k8s-tools}
PKGS=(kubernetes-models@5.1.0 @kubernetes-models/keda@2.0.0 yaml@2.8.1)
stamp="$TOOLS/.installed-$(printf '%s ' "${PKGS[@]}" | md5sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "[k8s-test] installing the schema validator into $TOOLS: ${PKGS[*]}"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error "${PKGS[@]}" \
    || { echo "[k8s-test] ERROR: could not install ${PKGS[*]}" >&2; exit 1; }
  touch "$stamp"
fi
for k in k8s k8s/overlays/*/; do
  echo "[k8s-test] $k"
  kubectl kustomize "$k" | K8S_TOOLS="$TOOLS" node scripts/k8s-validate.mjs
  kubectl kustomize "$k" | grep -q '^kind: ScaledObject' || { echo "[k8s-test] ERROR: no KEDA ScaledObject in $k" >&2; exit 1; }
done
