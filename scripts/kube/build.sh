# Installing and building the cluster's parts (sourced by scripts/kube.sh).

KUBE_COMMANDS=(kube-apiserver kubelet kube-scheduler kube-controller-manager kubectl)

# command -> Debian package
KUBE_PACKAGES=(
  "etcd:etcd-server"
  "containerd:containerd"
  "ctr:containerd"
  "runc:runc"
  "gcc:gcc"
  "openssl:openssl"
  "curl:curl"
  "iptables:iptables"
)

ensure_kube_packages() {
  local missing=() entry
  for entry in "${KUBE_PACKAGES[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  [ -x /usr/lib/cni/loopback ] || missing+=(containernetworking-plugins)
  command -v go >/dev/null 2>&1 || die "go is required to build Kubernetes (Go 1.24 or newer)"
  if ((${#missing[@]} == 0)); then
    log "packages: all present"
    return 0
  fi
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (sudo apt-get install -y ${missing[*]})"
  log "packages: installing ${missing[*]} (log: $LOGS/apt.log)"
  # keep package scripts from starting system services (etcd, containerd): we run our own
  local policy=/usr/sbin/policy-rc.d created=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created=1
  fi
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  } >>"$LOGS/apt.log" 2>&1 </dev/null || rc=$?
  [ "$created" = 1 ] && rm -f "$policy"
  if [ "$rc" != 0 ]; then
    log_tail apt 30
    die "apt-get install ${missing[*]} failed; see $LOGS/apt.log"
  fi
  log "packages: installed ($(elapsed))"
}

kube_binaries_stamp() { printf '%s %s pause\n' "$K8S_VERSION" "${KUBE_COMMANDS[*]}"; }

kube_binaries_present() {
  [ -f "$BIN/.built" ] && [ "$(cat "$BIN/.built")" = "$(kube_binaries_stamp)" ] || return 1
  local c
  for c in "${KUBE_COMMANDS[@]}" pause; do [ -x "$BIN/$c" ] || return 1; done
}

# k8s.io/kubernetes from the Go module proxy. `go install` refuses it (its go.mod
# replaces the k8s.io/* staging modules with local paths), so: download it, copy it,
# point each staging module at its published version, build the copy.
ensure_kube_binaries() {
  if kube_binaries_present; then
    log "binaries: $K8S_VERSION present in $BIN"
    return 0
  fi
  local src="$KUBE/build/src" dir start=$SECONDS
  log "binaries: downloading k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
  dir="$(cd /tmp && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download k8s.io/kubernetes@$K8S_VERSION failed"
  rm -rf "$KUBE/build" && mkdir -p "$KUBE/build"
  cp -r "$dir" "$src" && chmod -R u+w "$src"
  rm -f "$src"/go.work "$src"/go.work.sum
  # drop the replace block; each `k8s.io/<x> v0.0.0` requirement -> the published version
  sed -i -e '/^replace (/,/^)/d' -e "s#^\(\s*k8s\.io/[a-z0-9-]*\) v0\.0\.0\$#\1 $STAGING_VERSION#" "$src/go.mod"
  log "binaries: building ${KUBE_COMMANDS[*]} (about 5 minutes on 2 cores from a cold Go cache; log: $LOGS/go-build.log)"
  local pkg ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34 \
-X k8s.io/component-base/version.gitTreeState=clean \
-X k8s.io/component-base/version.buildDate=$(date -u +%FT%TZ)"
  local pkgs=()
  for pkg in "${KUBE_COMMANDS[@]}"; do pkgs+=("./cmd/$pkg"); done
  if ! (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -v -trimpath -ldflags "$ldflags" \
    -o "$BIN/" "${pkgs[@]}" 2>&1) | tee -a "$LOGS/go-build.log" |
    awk '{ n++; if (n % 250 == 0) { printf "[kube] binaries: %d packages compiled...\n", n; fflush() } }'; then
    die "go build failed; see $LOGS/go-build.log"
  fi
  for pkg in "${KUBE_COMMANDS[@]}"; do [ -x "$BIN/$pkg" ] || die "go build did not produce $BIN/$pkg; see $LOGS/go-build.log"; done
  # the pod sandbox's pause process, from the same source
  gcc -Os -static -o "$BIN/pause" "$src/build/pause/linux/pause.c" >>"$LOGS/go-build.log" 2>&1 ||
    die "gcc -static pause.c failed; see $LOGS/go-build.log"
  rm -rf "$KUBE/build"
  kube_binaries_stamp >"$BIN/.built"
  log "binaries: built in $((SECONDS - start))s ($("$BIN/kube-apiserver" --version))"
}

# helm and the offline manifest validator (test/kubernetes/chart.test.ts), built here
# so that no test waits for a Go build
ensure_helm_tools() {
  local s
  for s in install-helm.sh install-k8s-validate.sh; do
    bash "$ROOT/scripts/$s" 2>&1 | sed -u 's/^/[kube] /' || die "scripts/$s failed"
  done
}
