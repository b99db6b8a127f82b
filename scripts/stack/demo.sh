#!/usr/bin/env bash
# The pre-build demo (`bash scripts/stack.sh demo`, docs/local-stack.md): a repository on
# the local git server whose post-receive hook asks binderhub-ts for a pre-build
# (POST /api/prebuilds); a push, the wait for that build, and the Binder link that then
# launches with no build. Run again: one more commit, one more pre-build.
#
# Settings (stack.sh passes the stack's):
#   BINDER_URL   the Binder (http://127.0.0.1:8585/)
#   TOKEN_FILE   a file holding PrebuildApi.token
#   GIT_ROOT     the folder the git server serves (`git daemon --base-path`)
#   GIT_URL      the git server's URL (git://127.0.0.1:9418)
#   WORK_DIR     where the demo's working copy lives
#   DEMO_REPO    repository name (demo); DEMO_TIMEOUT seconds to wait for the build (600)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${BINDER_URL:?}" "${TOKEN_FILE:?}" "${GIT_ROOT:?}" "${GIT_URL:?}" "${WORK_DIR:?}"
DEMO_REPO=${DEMO_REPO:-demo}
DEMO_TIMEOUT=${DEMO_TIMEOUT:-600}
BINDER_URL="${BINDER_URL%/}/"
BARE="$GIT_ROOT/$DEMO_REPO.git"
REPO_URL="$GIT_URL/$DEMO_REPO.git"
WORK="$WORK_DIR/$DEMO_REPO"

say() { printf '[demo] %s\n' "$*"; }
die() {
  printf '[demo] ERROR: %s\n' "$*" >&2
  exit 1
}
git_() { git -c user.name='binderhub-ts demo' -c user.email=demo@binderhub-ts.invalid "$@"; }
quote() { python3 -c 'import sys, urllib.parse as p; print(p.quote(sys.argv[1], safe=""))' "$1"; }

# the repository on the git server, with the hook that asks for pre-builds
make_repository() {
  if [ ! -d "$BARE" ]; then
    git init --quiet --bare --initial-branch=main "$BARE"
    say "made $REPO_URL (bare repository $BARE)"
  fi
  install -m 0755 "$HERE/post-receive-prebuild.sh" "$BARE/hooks/post-receive"
  git -C "$BARE" config binderhub.url "$BINDER_URL"
  git -C "$BARE" config binderhub.repourl "$REPO_URL"
  git -C "$BARE" config binderhub.tokenfile "$TOKEN_FILE"
}

# one more commit: a Dockerfile on the stack's base image and a notebook-less README
commit_and_push() {
  if [ ! -d "$WORK/.git" ]; then
    mkdir -p "$WORK_DIR"
    git clone --quiet "$REPO_URL" "$WORK" 2>/dev/null || git init --quiet --initial-branch=main "$WORK"
    git -C "$WORK" remote get-url origin >/dev/null 2>&1 || git -C "$WORK" remote add origin "$REPO_URL"
  fi
  printf 'FROM binderhub-ts/jupyter-base:1\n' >"$WORK/Dockerfile"
  printf '# binderhub-ts pre-build demo\n\nPushed %s.\n' "$(date -u +%FT%TZ)" >"$WORK/README.md"
  git_ -C "$WORK" add --all
  git_ -C "$WORK" commit --quiet -m "demo commit $(date -u +%FT%TZ)"
  say "pushing $(git -C "$WORK" rev-parse --short HEAD) to $REPO_URL main; the hook answers:"
  git_ -C "$WORK" push --quiet origin HEAD:main 2>&1 | sed 's/^/[demo]   /'
}

# the state of the build of <sha> in GET /api/builds (empty while it is not listed)
build_state() {
  curl -sf --max-time 10 "${BINDER_URL}api/builds?repo=$(quote "$REPO_URL")" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const b = JSON.parse(s).builds.find((x) => x.sha === process.argv[1]);
      process.stdout.write(b ? `${b.state}${b.error ? `: ${b.error}` : ""}` : "");
    });' "$1" || true
}

wait_for_build() {
  local sha=$1 state="" deadline=$((SECONDS + DEMO_TIMEOUT))
  while :; do
    state="$(build_state "$sha")"
    case "$state" in
      built) say "pre-build of ${sha:0:12}: built" && return 0 ;;
      failed*) die "pre-build of ${sha:0:12} $state" ;;
    esac
    ((SECONDS < deadline)) || die "pre-build of ${sha:0:12} not built within ${DEMO_TIMEOUT}s (state: ${state:-not listed})"
    sleep 2
  done
}

curl -sf --max-time 5 -o /dev/null "${BINDER_URL}versions" || die "no Binder answers at $BINDER_URL"
[ -s "$TOKEN_FILE" ] || die "no pre-build token in $TOKEN_FILE"
make_repository
commit_and_push
SHA="$(git -C "$WORK" rev-parse HEAD)"
say "waiting for the pre-build of ${SHA:0:12} (GET ${BINDER_URL}api/builds?repo=$REPO_URL)"
wait_for_build "$SHA"
say "Binder link (launches with no build): ${BINDER_URL}v2/git/$(quote "$REPO_URL")/main"
