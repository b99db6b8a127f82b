#!/usr/bin/env bash
# Installs helm into <stack dir>/bin (<repo>/.stack or $BINDERHUB_TS_STACK_DIR) from the Go module proxy (go install), once.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${BINDERHUB_TS_STACK_DIR:-$ROOT/.stack}/bin"
HELM="$BIN/helm"

# helm's release builds also stamp the Kubernetes version it targets (the default of
# `helm template`'s .Capabilities.KubeVersion); take it from its client-go requirement.
installed_ok() {
  [[ -x "$HELM" ]] && "$HELM" version --short 2>/dev/null | grep -q "^${HELM_VERSION}" &&
    [[ "$("$HELM" template x "$ROOT/scripts/helm-kube-version-probe" 2>/dev/null | tr -dc '0-9\n' | grep -v '^$')" != "20" ]]
}

if installed_ok; then
  echo "install-helm: helm ${HELM_VERSION} already at $HELM"
  exit 0
fi

command -v go >/dev/null || { echo "install-helm: go is not installed (needed to build helm)" >&2; exit 1; }
mkdir -p "$BIN"
gomod="$(cd /tmp && go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
k8s_minor="$(awk '$1 == "k8s.io/client-go" { split($2, v, "."); print v[2] }' "$gomod")"
[[ -n "$k8s_minor" ]] || { echo "install-helm: cannot find helm's client-go version in $gomod" >&2; exit 1; }
echo "install-helm: building helm ${HELM_VERSION} with $(go version | awk '{print $3}') (first build takes a few minutes)..."
start=$(date +%s)
# -ldflags set the version helm reports (its release builds do the same).
GOBIN="$BIN" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install -v \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${k8s_minor} \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${k8s_minor}" \
  "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" 2>&1 \
  | awk '{ n++; if (n % 100 == 0) { printf "install-helm: %d packages compiled...\n", n; fflush() } }'
"$HELM" version --short
echo "install-helm: targets Kubernetes 1.${k8s_minor}"
echo "install-helm: done in $(( $(date +%s) - start ))s -> $HELM"
