#!/usr/bin/env bash
# Installs helm into <repo>/.stack/bin from the Go module proxy (go install), once.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.stack/bin"
HELM="$BIN/helm"

if [[ -x "$HELM" ]] && "$HELM" version --short 2>/dev/null | grep -q "^${HELM_VERSION}"; then
  echo "install-helm: helm ${HELM_VERSION} already at $HELM"
  exit 0
fi

command -v go >/dev/null || { echo "install-helm: go is not installed (needed to build helm)" >&2; exit 1; }
mkdir -p "$BIN"
echo "install-helm: building helm ${HELM_VERSION} with $(go version | awk '{print $3}') (first build takes a few minutes)..."
start=$(date +%s)
# -ldflags set the version helm reports (its release builds do the same).
GOBIN="$BIN" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install -v \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" \
  "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" 2>&1 \
  | awk '{ n++; if (n % 100 == 0) { printf "install-helm: %d packages compiled...\n", n; fflush() } }'
"$HELM" version --short
echo "install-helm: done in $(( $(date +%s) - start ))s -> $HELM"
