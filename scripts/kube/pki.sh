# Certificates and kubeconfigs of the local cluster (sourced by scripts/kube.sh).
# One CA; EC P-256 keys; everything valid for 10 years; made once.

# issue <name> <CN> <O or ''> <server|client> [subjectAltName]
issue() {
  local name=$1 cn=$2 org=$3 usage=$4 san=${5:-} subj ext="$PKI/$1.ext"
  subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org$subj"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ "$usage" = server ]; then echo "extendedKeyUsage=serverAuth"; else echo "extendedKeyUsage=clientAuth"; fi
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

# kubeconfig <file> <user cert name>
kubeconfig() {
  local b64="base64 -w0"
  (umask 077 && cat >"$1" <<KC)
apiVersion: v1
kind: Config
clusters:
  - name: binderhub-ts
    cluster:
      server: $APISERVER
      certificate-authority-data: $($b64 <"$PKI/ca.crt")
users:
  - name: $2
    user:
      client-certificate-data: $($b64 <"$PKI/$2.crt")
      client-key-data: $($b64 <"$PKI/$2.key")
contexts:
  - name: binderhub-ts
    context: {cluster: binderhub-ts, user: $2, namespace: default}
current-context: binderhub-ts
KC
}

ensure_pki() {
  if [ -s "$PKI/ca.crt" ] && [ -s "$KUBE/admin.kubeconfig" ] && [ -s "$PKI/kubelet-server.crt" ]; then
    log "certificates: present ($PKI)"
    return 0
  fi
  rm -rf "$PKI" && mkdir -p "$PKI" && chmod 700 "$PKI"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=binderhub-ts-local-ca" -days 3650 \
    -sha256 -out "$PKI/ca.crt" 2>/dev/null
  local hosts="DNS:localhost,DNS:$NODE_NAME,IP:127.0.0.1"
  issue apiserver kube-apiserver '' server \
    "$hosts,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue apiserver-kubelet-client kube-apiserver-kubelet-client system:masters client
  issue admin kubernetes-admin system:masters client
  issue controller-manager system:kube-controller-manager '' client
  issue scheduler system:kube-scheduler '' client
  issue kubelet "system:node:$NODE_NAME" system:nodes client
  issue kubelet-server "$NODE_NAME" '' server "$hosts"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null
  openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  kubeconfig "$KUBE/controller-manager.kubeconfig" controller-manager
  kubeconfig "$KUBE/scheduler.kubeconfig" scheduler
  kubeconfig "$KUBE/kubelet.kubeconfig" kubelet
  kubeconfig "$KUBE/admin.kubeconfig" admin
  log "certificates: made ($PKI; admin kubeconfig $KUBE/admin.kubeconfig)"
}
