#!/usr/bin/env bash
# Builds scripts/k8s-validate (offline manifest validator) into <stack dir>/bin (<repo>/.stack or $BINDERHUB_TS_STACK_DIR) with
# modules from the Go module proxy. Idempotent: rebuilds only when its sources change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/k8s-validate"
BIN="${BINDERHUB_TS_STACK_DIR:-$ROOT/.stack}/bin"
OUT="$BIN/k8s-validate"
STAMP="$BIN/.k8s-validate.sha256"

hash="$(cat "$SRC"/go.mod "$SRC"/go.sum "$SRC"/*.go | sha256sum | cut -d' ' -f1)"
if [[ -x "$OUT" && -f "$STAMP" && "$(cat "$STAMP")" == "$hash" ]]; then
  echo "install-k8s-validate: up to date at $OUT"
  exit 0
fi
command -v go >/dev/null || { echo "install-k8s-validate: go is not installed" >&2; exit 1; }
mkdir -p "$BIN"
echo "install-k8s-validate: building with $(go version | awk '{print $3}') (first build takes a minute or two)..."
start=$(date +%s)
(cd "$SRC" && GOFLAGS="${GOFLAGS:--buildvcs=false}" go build -v -o "$OUT" . 2>&1) \
  | awk '{ n++; if (n % 50 == 0) { printf "install-k8s-validate: %d packages compiled...\n", n; fflush() } }'
echo "$hash" > "$STAMP"
echo "install-k8s-validate: done in $(( $(date +%s) - start ))s -> $OUT"
