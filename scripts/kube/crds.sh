# Custom resource definitions the chart's options need: the Gateway API's HTTPRoute,
# from the sigs.k8s.io/gateway-api Go module the manifest validator already uses
# (scripts/k8s-validate/go.mod pins the version). Sourced by scripts/kube.sh.

ensure_crds() {
  local version dir crd
  version="$(awk '$1 == "sigs.k8s.io/gateway-api" { print $2 }' "$ROOT/scripts/k8s-validate/go.mod")"
  [ -n "$version" ] || die "no sigs.k8s.io/gateway-api requirement in scripts/k8s-validate/go.mod"
  dir="$(cd /tmp && go mod download -json "sigs.k8s.io/gateway-api@$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  crd="$dir/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml"
  [ -f "$crd" ] || die "go mod download sigs.k8s.io/gateway-api@$version gave no $crd"
  "$BIN/kubectl" apply --server-side --force-conflicts -f "$crd" >>"$LOGS/crds.log" 2>&1 ||
    die "applying the HTTPRoute CRD failed; see $LOGS/crds.log"
  wait_until 60 crd_established httproutes.gateway.networking.k8s.io ||
    die "the HTTPRoute CRD was not established within 60s; see $LOGS/crds.log"
  log "CRDs: HTTPRoute (gateway-api $version) established"
}

crd_established() {
  [ "$("$BIN/kubectl" get crd "$1" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}')" = True ]
}
