# etcd and the control plane (sourced by scripts/kube.sh). All on 127.0.0.1:
# etcd 2379 (peer 2380, metrics 2381), apiserver 6443, controller-manager 10257,
# scheduler 10259.

etcd_up() { curl -sf --max-time 2 http://127.0.0.1:2379/health | grep -q '"health":"true"'; }
apiserver_up() {
  [ "$(curl -s --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "$APISERVER/readyz")" = ok ]
}
secure_healthz() { [ "$(curl -sk --max-time 2 "https://127.0.0.1:$1/healthz")" = ok ]; }

# refuse to start over a port something else holds
port_free_or_die() {
  local p
  for p in "$@"; do
    port_open "$p" && die "port $p is in use by something this script did not start"
  done
  return 0
}

start_etcd() {
  if running etcd && etcd_up; then
    log "etcd: running (pid $(pid_of etcd))"
    return 0
  fi
  stop_pid etcd 5
  port_free_or_die 2379 2380 2381
  mkdir -p "$KUBE/etcd" && chmod 700 "$KUBE/etcd"
  log "etcd: starting on 127.0.0.1:2379 (data $KUBE/etcd)"
  start_bg etcd etcd --name binderhub-ts --data-dir "$KUBE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster binderhub-ts=http://127.0.0.1:2380 \
    --listen-metrics-urls http://127.0.0.1:2381 --quota-backend-bytes 2147483648
  started_or_die etcd 30 "no healthy answer on http://127.0.0.1:2379/health" etcd_up
}

start_apiserver() {
  if running kube-apiserver && apiserver_up; then
    log "kube-apiserver: running (pid $(pid_of kube-apiserver))"
    return 0
  fi
  stop_pid kube-apiserver 10
  port_free_or_die 6443
  log "kube-apiserver: starting on $APISERVER (authorization Node,RBAC)"
  start_bg kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=127.0.0.1 --secure-port=6443 \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=Hostname \
    --endpoint-reconciler-type=none \
    --allow-privileged=true --profiling=false
  started_or_die kube-apiserver 60 "/readyz did not answer ok" apiserver_up
}

start_controllers() {
  local c
  for c in kube-controller-manager kube-scheduler; do
    if running "$c"; then
      log "$c: running (pid $(pid_of "$c"))"
      continue
    fi
    if [ "$c" = kube-controller-manager ]; then
      port_free_or_die 10257
      log "$c: starting (127.0.0.1:10257)"
      start_bg "$c" "$BIN/kube-controller-manager" \
        --kubeconfig="$KUBE/controller-manager.kubeconfig" \
        --authentication-kubeconfig="$KUBE/controller-manager.kubeconfig" \
        --authorization-kubeconfig="$KUBE/controller-manager.kubeconfig" \
        --bind-address=127.0.0.1 --leader-elect=false \
        --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
        --use-service-account-credentials=true \
        --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key"
    else
      port_free_or_die 10259
      log "$c: starting (127.0.0.1:10259)"
      start_bg "$c" "$BIN/kube-scheduler" \
        --kubeconfig="$KUBE/scheduler.kubeconfig" \
        --authentication-kubeconfig="$KUBE/scheduler.kubeconfig" \
        --authorization-kubeconfig="$KUBE/scheduler.kubeconfig" \
        --bind-address=127.0.0.1 --leader-elect=false
    fi
  done
  started_or_die kube-controller-manager 60 "https://127.0.0.1:10257/healthz did not answer ok" secure_healthz 10257
  started_or_die kube-scheduler 60 "https://127.0.0.1:10259/healthz did not answer ok" secure_healthz 10259
}
