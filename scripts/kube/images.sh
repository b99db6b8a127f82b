# Images for the cluster's pods, built with the Docker engine (no public registry is
# reachable) and imported into the private containerd; pods use imagePullPolicy: Never.
# Sourced by scripts/kube.sh.

HOST_CA=/etc/ssl/certs/ca-certificates.crt

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null; }
image_label() { docker image inspect -f "{{index .Config.Labels \"org.binderhub-ts.rev\"}}" "$1" 2>/dev/null; }

# docker_build <tag> <rev> <context dir> <docker build args...>: build unless the
# image carries this rev already (the rev hashes everything that goes into it)
docker_build() {
  local tag=$1 rev=$2 ctx=$3
  shift 3
  if [ "$(image_label "$tag")" = "$rev" ]; then return 0; fi
  log "images: building $tag (log: $LOGS/images.log)"
  if ! docker build --network host --label "org.binderhub-ts.rev=$rev" -t "$tag" "$@" "$ctx" \
    >>"$LOGS/images.log" 2>&1 </dev/null; then
    log_tail images 30
    die "docker build of $tag failed; see $LOGS/images.log"
  fi
}

# import <tag>: into the private containerd, unless that very image is there already
import_image() {
  local tag=$1 id stamp
  id="$(image_id "$tag")" || die "image $tag is missing from the Docker engine"
  stamp="$KUBE/images/$(printf '%s' "$tag" | tr '/:' '__').id"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$id" ] &&
    ctr_k8s images ls -q "name==docker.io/$tag" "name==$tag" 2>/dev/null | grep -q .; then
    return 0
  fi
  log "images: importing $tag into the cluster's containerd"
  mkdir -p "$KUBE/images"
  docker save "$tag" | ctr_k8s images import - >>"$LOGS/images.log" 2>&1 ||
    die "importing $tag failed; see $LOGS/images.log"
  echo "$id" >"$stamp"
}

pinned() { grep -E "^$1==" "$ROOT/scripts/stack/requirements.txt" || die "no $1 pin in scripts/stack/requirements.txt"; }

# the pod sandbox image: the static pause binary built with the binaries
build_pause_image() {
  local ctx=$1
  cp "$BIN/pause" "$ctx/pause"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
  docker_build "$PAUSE_IMAGE" "$(sha256sum <"$BIN/pause" | cut -c1-12)" "$ctx"
}

# build pods: git and repo2docker (the stack's pinned versions) on the stack's base image
build_builder_image() {
  local ctx=$1 r2d dpy rev
  cp "$HOST_CA" "$ctx/host-ca.crt"
  r2d="$(pinned jupyter-repo2docker)" dpy="$(pinned docker)"
  rev="$( (cat "$HERE/build-image.Dockerfile" && echo "$r2d $dpy $(image_id "$BASE_IMAGE")") | sha256sum | cut -c1-12)"
  docker_build "$BUILD_IMAGE" "$rev" "$ctx" -f "$HERE/build-image.Dockerfile" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "REPO2DOCKER_SPEC=$r2d" --build-arg "DOCKER_PY_SPEC=$dpy"
}

# binderhub-ts itself, from the project's Dockerfile, on a local stand-in for node:20
build_app_image() {
  local ctx=$1 node npm_dir rev
  cp "$HOST_CA" "$ctx/host-ca.crt"
  node="$(readlink -f "$(command -v node)")"
  npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
  cp "$node" "$ctx/node" && cp -r "$(cd "$npm_dir" && pwd)" "$ctx/npm"
  rev="$( (cat "$HERE/node-base.Dockerfile" && "$node" --version && image_id "$BASE_IMAGE") | sha256sum | cut -c1-12)"
  docker_build binderhub-ts/node:20 "$rev" "$ctx" -f "$HERE/node-base.Dockerfile" --build-arg "BASE_IMAGE=$BASE_IMAGE"
  # the content of every file the build context takes (tests and docs aside)
  rev="$( (cd "$ROOT" && git ls-files -z -co --exclude-standard -- . ':!test' ':!docs' |
    xargs -0 sha256sum 2>/dev/null; image_id binderhub-ts/node:20) | sha256sum | cut -c1-12)"
  docker_build "$APP_IMAGE" "$rev" "$ROOT" --build-arg NODE_IMAGE=binderhub-ts/node:20
}

ensure_images() {
  docker info >/dev/null 2>&1 || die "the Docker engine is not running (bash scripts/stack.sh up starts it)"
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "$BASE_IMAGE is missing (bash scripts/stack.sh up builds it)"
  local ctx="$KUBE/images/context" build
  for build in build_pause_image build_builder_image build_app_image; do
    rm -rf "$ctx" && mkdir -p "$ctx"
    "$build" "$ctx"
  done
  rm -rf "$ctx"
  import_image "$PAUSE_IMAGE"
  import_image "$BUILD_IMAGE"
  import_image "$APP_IMAGE"
  log "images: $PAUSE_IMAGE, $BUILD_IMAGE, $APP_IMAGE in the cluster ($(elapsed))"
}
