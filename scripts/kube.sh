#!/usr/bin/env bash
# A single-node Kubernetes (v1.34) on 127.0.0.1 for binderhub-ts's tests: etcd, the
# control plane and a kubelet with its own private containerd, all state in
# <stack>/kube/ (or $BINDERHUB_TS_KUBE_DIR). The Docker engine's containerd is not
# touched. Only hostNetwork pods run (no pod network, no kube-proxy, no cluster DNS).
#
#   bash scripts/kube.sh up       build what is missing, start everything, import images
#   bash scripts/kube.sh down     stop everything this script started (by PID)
#   bash scripts/kube.sh status   one line per component
#   bash scripts/kube.sh tools    only build helm and k8s-validate (the chart tests need them)
#   bash scripts/kube.sh packages install the Debian packages the cluster needs
#   bash scripts/kube.sh build    build the binaries, helm and k8s-validate (no cluster started)
#
# kubectl: KUBECONFIG=<kube dir>/admin.kubeconfig <kube dir>/bin/kubectl ...
# See docs/local-stack.md ("Kubernetes") and docs/kubernetes.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${BINDERHUB_TS_STACK_DIR:-$ROOT/.stack}"
KUBE="${BINDERHUB_TS_KUBE_DIR:-$STACK/kube}"
HERE="$ROOT/scripts/kube"
BIN="$KUBE/bin"
PKI="$KUBE/pki"
LOGS="$KUBE/logs"
RUN="$KUBE/run"

K8S_VERSION=v1.34.4
STAGING_VERSION=v0.34.4
# containerd's sockets must stay under the 108-byte unix socket limit
CTR_STATE="/run/binderhub-ts-kube-$(printf '%s' "$KUBE" | md5sum | cut -c1-8)"
CTR_SOCK="$CTR_STATE/containerd.sock"
NODE_NAME="$(hostname)"
APISERVER=https://127.0.0.1:6443
export KUBECONFIG="$KUBE/admin.kubeconfig"

# images the tests and the chart use; pods run them with imagePullPolicy: Never
PAUSE_IMAGE=registry.k8s.io/pause:3.10
BUILD_IMAGE=binderhub-ts/repo2docker:2024.7.0
BASE_IMAGE=binderhub-ts/jupyter-base:1
APP_IMAGE=binderhub-ts/binderhub-ts:dev

T0=$SECONDS
log() { printf '[kube] %s\n' "$*"; }
die() {
  printf '[kube] ERROR: %s\n' "$*" >&2
  exit 1
}
elapsed() { printf '%ds' $((SECONDS - T0)); }

# shellcheck source=kube/lib.sh
. "$HERE/lib.sh"
# shellcheck source=kube/build.sh
. "$HERE/build.sh"
# shellcheck source=kube/pki.sh
. "$HERE/pki.sh"
# shellcheck source=kube/control-plane.sh
. "$HERE/control-plane.sh"
# shellcheck source=kube/node.sh
. "$HERE/node.sh"
# shellcheck source=kube/images.sh
. "$HERE/images.sh"
# shellcheck source=kube/crds.sh
. "$HERE/crds.sh"

cmd_up() {
  mkdir -p "$KUBE" "$BIN" "$LOGS" "$RUN"
  log "bringing up a single-node Kubernetes $K8S_VERSION in $KUBE"
  ensure_kube_packages
  ensure_kube_binaries
  ensure_helm_tools
  ensure_pki
  start_etcd
  start_apiserver
  start_controllers
  start_containerd
  start_kubelet
  wait_node_ready
  ensure_crds
  ensure_images
  log "ready in $(elapsed): KUBECONFIG=$KUBECONFIG, kubectl at $BIN/kubectl"
}

cmd_down() {
  mkdir -p "$RUN"
  log "stopping the cluster"
  # each takes a second or two to stop: the independent ones together
  stop_pid kubelet 15 &
  stop_pid kube-scheduler 10 &
  stop_pid kube-controller-manager 10 &
  wait
  stop_pid kube-apiserver 15
  stop_pid etcd 15 &
  stop_containerd
  wait
  log "stopped"
}

cmd_status() {
  local ok=0 c
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet; do
    if running "$c"; then printf '[kube] %-24s up    pid %s\n' "$c" "$(pid_of "$c")"; else
      printf '[kube] %-24s down\n' "$c"
      ok=1
    fi
  done
  if node_ready; then log "node $NODE_NAME Ready"; else
    log "node $NODE_NAME not Ready"
    ok=1
  fi
  return $ok
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  tools)
    mkdir -p "$LOGS"
    ensure_helm_tools
    ;;
  packages)
    mkdir -p "$LOGS"
    ensure_kube_packages
    ;;
  build)
    mkdir -p "$BIN" "$LOGS"
    ensure_kube_binaries
    ensure_helm_tools
    log "build done in $(elapsed)"
    ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
