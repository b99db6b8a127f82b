#!/usr/bin/env bash
# binderhub-ts local stack: Redis, the Docker engine, a registry, JupyterHub
# (DockerSpawner + configurable-http-proxy), repo2docker and binderhub-ts
# itself, all on 127.0.0.1, all state in <repo>/.stack/.
#
#   bash scripts/stack.sh up            install what is missing, start everything
#   bash scripts/stack.sh up --auth     the same with hub login: users log in to JupyterHub,
#                                       binderhub-ts is its OAuth client (docs/authentication.md);
#                                       kept until `up --no-auth`
#   bash scripts/stack.sh down          stop everything this script started
#   bash scripts/stack.sh status        one line per service
#   bash scripts/stack.sh logs [svc] [-f]  tail the logs (redis, dockerd, registry,
#                                       jupyterhub, binderhub, base-image, ...)
#   bash scripts/stack.sh restart [svc] stop one service (or all), then up
#   bash scripts/stack.sh reset         down, then delete .stack/ entirely
#   bash scripts/stack.sh demo          a repository on a local git server whose pushes
#                                       pre-build through POST /api/prebuilds
#   bash scripts/stack.sh cors [origin|'*'|off]  pages on that origin may launch and run
#                                       kernels (thebe, Jupyter Book; docs/binder-buttons.md)
#
# See docs/local-stack.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${BINDERHUB_TS_STACK_DIR:-$ROOT/.stack}"
export BINDERHUB_TS_STACK_DIR="$STACK"
HERE="$ROOT/scripts/stack"
LOGS="$STACK/logs"
RUN="$STACK/run"
SECRETS="$STACK/secrets"
VENV="$STACK/venv"
CHP_DIR="$STACK/chp"

REDIS_PORT=${BINDERHUB_TS_REDIS_PORT:-6379}
REGISTRY_ADDR=127.0.0.1:5000
HUB_PORT=8000
HUB_API_PORT=8081
PROXY_API_PORT=8001
BINDER_PORT=8585
BASE_IMAGE=binderhub-ts/jupyter-base:1
GIT_PORT=9418
# /build requests per address and hour: plenty for one developer (upstream's default is 10)
LOCAL_RATE_LIMIT=600
DOCKER_SOCK=/var/run/docker.sock
export DOCKER_HOST="unix://$DOCKER_SOCK"

# ---------------------------------------------------------------- helpers --
T0=$SECONDS
REDIS_NOTE=""
log() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[stack] ERROR: %s\n' "$*" >&2
  # a background Kubernetes build must not outlive a failed `up` (a rerun rebuilds)
  [ -z "${KUBE_BUILD_PID:-}" ] || kill_tree "$KUBE_BUILD_PID"
  exit 1
}
kill_tree() {
  local child
  # children from /proc (procps may not be installed): field 4 of stat is the parent
  for child in $(awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true); do
    kill_tree "$child"
  done
  kill "$1" 2>/dev/null || true
}
elapsed() { printf '%ds' $((SECONDS - T0)); }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until <seconds> <description> <command...>: poll every 0.5 s
wait_until() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.5
  done
}

pid_of() { [ -s "$RUN/$1.pid" ] && cat "$RUN/$1.pid"; }
running() {
  local pid
  pid="$(pid_of "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# start_bg <name> <command...>: detached from this shell, logs appended to
# .stack/logs/<name>.log, pid in .stack/run/<name>.pid
start_bg() {
  local name=$1
  shift
  printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOGS/$name.log"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

log_tail() {
  local f="$LOGS/$1.log"
  [ -f "$f" ] || return 0
  printf '[stack] --- last lines of %s ---\n' "$f" >&2
  tail -n "${2:-25}" "$f" >&2
}

# stop_pid <name> [timeout]: SIGTERM the process in .stack/run/<name>.pid,
# SIGKILL after timeout seconds
stop_pid() {
  local name=$1 timeout=${2:-15} pid
  pid="$(pid_of "$name" 2>/dev/null)" || {
    rm -f "$RUN/$name.pid"
    return 0
  }
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        warn "$name (pid $pid) did not stop in ${timeout}s, killing it"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.3
    done
    log "stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

secret_file() {
  local f="$SECRETS/$1"
  if [ ! -s "$f" ]; then
    (umask 077 && random_hex "$2" >"$f")
    log "generated secret $f"
  fi
}

redis_password() { [ -s "$SECRETS/redis-password" ] && cat "$SECRETS/redis-password"; }
# redis_cli <args...>: with the stack's password when it has one (REDISCLI_AUTH keeps it out of ps)
redis_cli() {
  local pw
  pw="$(redis_password 2>/dev/null || true)"
  if [ -n "$pw" ]; then
    REDISCLI_AUTH="$pw" redis-cli -h 127.0.0.1 -p $REDIS_PORT "$@"
  else
    redis-cli -h 127.0.0.1 -p $REDIS_PORT "$@"
  fi
}
redis_ping() { [ "$(redis_cli ping 2>/dev/null)" = PONG ]; }
docker_up() { docker info >/dev/null 2>&1; }
registry_up() { curl -sf --max-time 3 -o /dev/null "http://$REGISTRY_ADDR/v2/"; }
hub_up() { curl -sf --max-time 3 -o /dev/null "http://127.0.0.1:$HUB_PORT/hub/api/"; }
binder_health() { curl -s --max-time 5 "http://127.0.0.1:$BINDER_PORT/health"; }
binder_up() {
  binder_health | node -e 'let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try { process.exit(JSON.parse(s).ok === true ? 0 : 1); } catch { process.exit(1); }
    });'
}

# --------------------------------------------------------------- packages --
# command -> Debian package providing it
REQUIRED_PACKAGES=(
  "redis-server:redis-server"
  "redis-cli:redis-tools"
  "dockerd:docker.io"
  "containerd:containerd"
  "runc:runc"
  "docker-registry:docker-registry"
  "mmdebstrap:mmdebstrap"
  "arch-test:arch-test"
  "git:git"
  "hg:mercurial"
  "openssl:openssl"
  "curl:curl"
  "chromium:chromium"
)

ensure_packages() {
  local missing=() entry cmd pkg
  for entry in "${REQUIRED_PACKAGES[@]}"; do
    cmd=${entry%%:*}
    pkg=${entry#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  command -v node >/dev/null 2>&1 || die "node (>= 20) is required and missing; install Node.js 20 first"
  command -v npm >/dev/null 2>&1 || die "npm is required and missing; install Node.js 20 (with npm) first"
  command -v python3 >/dev/null 2>&1 || missing+=(python3)

  if ((${#missing[@]} == 0)); then
    log "system packages: all present"
    return 0
  fi
  # de-duplicate
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})"
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get on this machine"

  log "system packages: installing ${missing[*]} (apt-get; log: $LOGS/apt.log)"
  # keep package scripts from starting system services (dockerd on
  # /var/lib/docker, redis on 6379 with the system config): we start our own
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q ||
      echo "[stack] apt-get update reported errors; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" fonts-liberation ca-certificates libdpkg-perl gpg
  } >>"$LOGS/apt.log" 2>&1 </dev/null || rc=$?
  [ "$created" = 1 ] && rm -f "$policy"
  if [ "$rc" != 0 ]; then
    log_tail apt 30
    die "apt-get install ${missing[*]} failed (exit $rc); see $LOGS/apt.log"
  fi
  for entry in "${REQUIRED_PACKAGES[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || die "${entry%%:*} still missing after installing ${entry#*:}"
  done
  log "system packages: installed ($(elapsed))"
}

ensure_node_modules() {
  # Reinstall when the lock file's content changed since the last install (not its
  # date: a checkout or a worktree sharing node_modules must not trigger npm ci).
  local want have
  want=$(sha256sum "$ROOT/package-lock.json" | cut -c1-64)
  have=$(cat "$ROOT/node_modules/.bhts-lock-sha256" 2>/dev/null || true)
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$want" != "$have" ]; then
    log "node modules: npm ci (log: $LOGS/npm.log)"
    (cd "$ROOT" && npm ci --no-audit --no-fund) >>"$LOGS/npm.log" 2>&1 </dev/null ||
      {
        log_tail npm 30
        die "npm ci failed; see $LOGS/npm.log"
      }
    printf '%s\n' "$want" >"$ROOT/node_modules/.bhts-lock-sha256"
    log "node modules: installed ($(elapsed))"
  else
    log "node modules: up to date"
  fi
}

# ------------------------------------------------------------------ redis --
# redis://[:password@]127.0.0.1:6379 — with the password when .stack/secrets/redis-password exists
redis_url() {
  local pw
  pw="$(redis_password 2>/dev/null || true)"
  printf 'redis://%s127.0.0.1:%s' "${pw:+:$pw@}" "$REDIS_PORT"
}

# the config file carries the password, so it is not on redis-server's command line
write_redis_config() {
  (umask 077 && cat >"$STACK/redis.conf.tmp" <<EOF
# generated by scripts/stack.sh
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize no
dir $STACK/redis
appendonly yes
appendfsync everysec
maxmemory-policy noeviction
save ""
requirepass $(redis_password)
EOF
  )
  mv "$STACK/redis.conf.tmp" "$STACK/redis.conf"
}

# a Redis that answers PING with no password at all (started before the stack had one)
redis_without_password() { [ "$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping 2>/dev/null)" = PONG ]; }

start_redis() {
  if redis_ping; then
    if running redis; then
      log "redis: running on 127.0.0.1:$REDIS_PORT (pid $(pid_of redis))"
    else
      log "redis: something already answers PING on 127.0.0.1:$REDIS_PORT, reusing it (its own settings apply)"
      REDIS_NOTE="(reused: not started by this script)"
    fi
    if redis_without_password; then
      warn "redis: it has no password (started before the stack made $SECRETS/redis-password); to turn it on: bash scripts/stack.sh restart redis"
      REDIS_NOTE="${REDIS_NOTE:-(no password: bash scripts/stack.sh restart redis turns it on)}"
    fi
    return 0
  fi
  if port_open $REDIS_PORT; then
    case "$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping 2>&1)" in
      *NOAUTH* | *WRONGPASS*) die "a Redis on port $REDIS_PORT wants a password other than $SECRETS/redis-password; stop it or put its password in that file" ;;
    esac
    die "port $REDIS_PORT is in use by something that is not Redis"
  fi
  mkdir -p "$STACK/redis"
  secret_file redis-password 32
  write_redis_config
  log "redis: starting on 127.0.0.1:$REDIS_PORT (password in $SECRETS/redis-password, AOF on, noeviction, dir $STACK/redis)"
  start_bg redis redis-server "$STACK/redis.conf"
  wait_until 20 redis redis_ping || {
    log_tail redis
    die "redis did not answer PING within 20s"
  }
}

# ----------------------------------------------------------------- docker --
dockerd_start() {
  local driver=$1 exec_root="$RUN/docker"
  # the containerd socket path must stay under the 108-byte unix socket limit
  if ((${#exec_root} > 60)); then exec_root="/run/binderhub-ts-$(printf '%s' "$STACK" | md5sum | cut -c1-8)"; fi
  mkdir -p "$STACK/docker" "$exec_root"
  start_bg dockerd dockerd \
    --data-root "$STACK/docker" \
    --exec-root "$exec_root" \
    --pidfile "$RUN/dockerd-daemon.pid" \
    --host "unix://$DOCKER_SOCK" \
    --storage-driver "$driver" \
    --bridge none --iptables=false --ip-masq=false --ip6tables=false \
    --log-driver json-file --log-opt max-size=10m --log-opt max-file=2
}

start_docker() {
  if docker_up; then
    if running dockerd; then
      log "docker: engine running (pid $(pid_of dockerd), storage $(docker info -f '{{.Driver}}'))"
    else
      log "docker: an engine already answers on $DOCKER_SOCK, reusing it (storage $(docker info -f '{{.Driver}}'))"
    fi
    return 0
  fi
  if [ -S "$DOCKER_SOCK" ] && ! running dockerd; then rm -f "$DOCKER_SOCK"; fi
  running dockerd && stop_pid dockerd 20
  local drivers driver
  if [ -s "$STACK/docker-storage-driver" ]; then
    drivers=$(cat "$STACK/docker-storage-driver")
  else
    drivers="overlay2 vfs"
  fi
  for driver in $drivers; do
    log "docker: starting dockerd (storage driver $driver, data $STACK/docker, socket $DOCKER_SOCK)"
    dockerd_start "$driver"
    if wait_until 60 docker docker_up && [ "$(docker info -f '{{.Driver}}' 2>/dev/null)" = "$driver" ]; then
      echo "$driver" >"$STACK/docker-storage-driver"
      log "docker: engine up ($(docker info -f '{{.ServerVersion}}'), storage $driver)"
      return 0
    fi
    warn "dockerd did not come up with storage driver $driver"
    log_tail dockerd 15
    stop_pid dockerd 20
  done
  die "the Docker engine did not start; see $LOGS/dockerd.log"
}

# --------------------------------------------------------------- registry --
start_registry() {
  if registry_up; then
    if running registry; then
      log "registry: running on $REGISTRY_ADDR (pid $(pid_of registry))"
    else
      log "registry: something already answers /v2/ on $REGISTRY_ADDR, reusing it"
    fi
    return 0
  fi
  port_open 5000 && die "port 5000 is in use by something that is not a Docker registry"
  mkdir -p "$STACK/registry"
  cat >"$STACK/registry.yml" <<EOF
# generated by scripts/stack.sh
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STACK/registry
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  log "registry: starting on $REGISTRY_ADDR (storage $STACK/registry, delete enabled)"
  start_bg registry docker-registry serve "$STACK/registry.yml"
  wait_until 20 registry registry_up || {
    log_tail registry
    die "the registry did not answer http://$REGISTRY_ADDR/v2/ within 20s"
  }
}

# ------------------------------------------------------------ python, chp --
ensure_venv() {
  local req="$HERE/requirements.txt" stamp="$VENV/.stack-requirements"
  if [ -x "$VENV/bin/jupyterhub" ] && [ -x "$VENV/bin/jupyter-repo2docker" ] &&
    [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
    log "python venv: up to date ($VENV)"
    return 0
  fi
  log "python venv: installing $(grep -Ev '^(#|$)' "$req" | tr '\n' ' ')into $VENV (log: $LOGS/pip.log)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" >>"$LOGS/pip.log" 2>&1 || die "python3 -m venv failed; see $LOGS/pip.log"
  "$VENV/bin/pip" install --disable-pip-version-check -q -r "$req" >>"$LOGS/pip.log" 2>&1 </dev/null || {
    log_tail pip 20
    die "pip install -r $req failed; see $LOGS/pip.log"
  }
  cp "$req" "$stamp"
  log "python venv: ready ($("$VENV/bin/jupyterhub" --version 2>/dev/null | head -1 | sed 's/^/jupyterhub /'), repo2docker $("$VENV/bin/jupyter-repo2docker" --version 2>/dev/null), $(elapsed))"
}

ensure_chp() {
  local bin="$CHP_DIR/node_modules/.bin/configurable-http-proxy"
  if [ -x "$bin" ]; then
    log "configurable-http-proxy: present ($CHP_DIR)"
    return 0
  fi
  log "configurable-http-proxy: npm install --prefix $CHP_DIR configurable-http-proxy@5"
  mkdir -p "$CHP_DIR"
  npm install --prefix "$CHP_DIR" --no-audit --no-fund --no-save configurable-http-proxy@5 >>"$LOGS/npm.log" 2>&1 </dev/null || {
    log_tail npm 20
    die "npm install configurable-http-proxy@5 failed; see $LOGS/npm.log"
  }
  [ -x "$bin" ] || die "configurable-http-proxy was installed but $bin is missing"
  log "configurable-http-proxy: installed ($("$bin" --version))"
}

# ------------------------------------------------------------- base image --
base_image_wanted_rev() { cat "$HERE/build-base-image.sh" "$HERE/requirements.txt" | sha256sum | cut -c1-12; }

ensure_base_image() {
  local rev have
  rev="$(base_image_wanted_rev)"
  have="$(docker image inspect -f '{{index .Config.Labels "org.binderhub-ts.builder-rev"}}' "$BASE_IMAGE" 2>/dev/null || true)"
  if [ -n "$have" ] && [ "$have" = "$rev" ]; then
    log "base image: $BASE_IMAGE present"
  else
    if [ -n "$have" ]; then log "base image: $BASE_IMAGE was made by an older builder ($have), rebuilding"; fi
    log "base image: building $BASE_IMAGE offline (mmdebstrap + pip; about 1-2 minutes; log: $LOGS/base-image.log)"
    if ! BASE_BUILDER_REV="$rev" bash "$HERE/build-base-image.sh" "$BASE_IMAGE" "$STACK/base-image" 2>&1 </dev/null |
      tee -a "$LOGS/base-image.log" | { grep --line-buffered '^\[stack\]' || true; }; then
      log_tail base-image 30
      die "building $BASE_IMAGE failed; see $LOGS/base-image.log"
    fi
    docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || die "$BASE_IMAGE is missing after the build; see $LOGS/base-image.log"
  fi
  # the engine can run it (storage driver, runtime) and the registry takes it
  if [ ! -f "$STACK/base-image.checked" ] || [ "$(cat "$STACK/base-image.checked")" != "$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE")" ]; then
    log "base image: checking that a container runs and that push/pull via $REGISTRY_ADDR works"
    docker run --rm --network none "$BASE_IMAGE" python3 -c 'import notebook, jupyter_server, jupyterhub.singleuser' >>"$LOGS/base-image.log" 2>&1 ||
      die "could not run a container from $BASE_IMAGE; see $LOGS/dockerd.log and $LOGS/base-image.log"
    local remote="$REGISTRY_ADDR/binderhub-ts/jupyter-base:1"
    docker tag "$BASE_IMAGE" "$remote"
    docker push "$remote" >>"$LOGS/base-image.log" 2>&1 || die "docker push $remote failed; see $LOGS/base-image.log"
    docker rmi "$remote" >/dev/null
    docker pull "$remote" >>"$LOGS/base-image.log" 2>&1 || die "docker pull $remote failed; see $LOGS/base-image.log"
    docker rmi "$remote" >/dev/null
    docker image inspect -f '{{.Id}}' "$BASE_IMAGE" >"$STACK/base-image.checked"
    log "base image: runs; pushed and pulled as $remote"
  fi
}

# ------------------------------------------------- pages on other origins --
# ONE setting lets pages on another origin (thebe, Jupyter Book, MyST, a Binder button
# that launches in place) use the stack: binderhub-ts gets it as BinderHub.cors_allow_origin
# (config.yaml), JupyterHub as BinderSpawner.cors_allow_origin, the notebook servers'
# allow_origin (jupyterhub_config.py reads the same file). Off unless set; see
# docs/binder-buttons.md.
CORS_FILE="$STACK/cors-allow-origin"
CORS_ORIGIN_RE='^(\*|https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?)$'

cors_allow_origin() { if [ -s "$CORS_FILE" ]; then head -n 1 "$CORS_FILE"; fi; }

# the line config.yaml's BinderHub block gets (nothing when off, so the file is unchanged)
binder_config_cors() {
  local origin
  origin="$(cors_allow_origin)"
  if [ -n "$origin" ]; then printf '\n  cors_allow_origin: "%s"' "$origin"; fi
}

# JupyterHub reads the setting when it starts: restart it when it runs with another value
restart_hub_if_cors_changed() {
  running jupyterhub || return 0
  [ "$(cat "$RUN/jupyterhub.cors" 2>/dev/null || true)" != "$(cors_allow_origin)" ] || return 0
  log "jupyterhub: the CORS setting changed; restarting it"
  stop_pid jupyterhub 30
  stop_pid chp 5
}

cors_summary() {
  local origin
  origin="$(cors_allow_origin)"
  printf '[stack]   other origins   %s\n' "${origin:+pages on $origin may launch and run kernels (bash scripts/stack.sh cors off)}${origin:-off (bash scripts/stack.sh cors <origin> lets a thebe/Jupyter Book page use the stack)}"
}

cmd_cors() {
  mkdir -p "$STACK" "$LOGS" "$RUN"
  if (($# == 0)); then
    cors_summary
    return 0
  fi
  case "$1" in
    off | none | "") rm -f "$CORS_FILE" ;;
    *)
      [[ "$1" =~ $CORS_ORIGIN_RE ]] ||
        die "cors: '$1' is not '*' or an origin such as https://books.example.org (scheme://host[:port], no path)"
      printf '%s\n' "$1" >"$CORS_FILE"
      ;;
  esac
  cors_summary
  if running jupyterhub || running binderhub; then
    cmd_up # restarts JupyterHub and binderhub-ts if they run with another value
  else
    log "the stack is not running; the setting applies at the next \`bash scripts/stack.sh up\`"
  fi
}

# -------------------------------------------------------------- auth mode --
# `up --auth` / `up --no-auth` (kept in .stack/auth-mode; plain `up` keeps it): hub login
# with the shared password in secrets/hub-user-password (any user name), binderhub-ts a
# hub OAuth service with BinderHub.auth_enabled, servers running jupyterhub-singleuser.
AUTH_FILE="$STACK/auth-mode"
NAMED_SERVER_LIMIT=2
export BINDERHUB_TS_NAMED_SERVER_LIMIT=$NAMED_SERVER_LIMIT
export BINDERHUB_TS_BINDER_URL="http://127.0.0.1:$BINDER_PORT/"
auth_mode() { if [ -s "$AUTH_FILE" ] && [ "$(head -n 1 "$AUTH_FILE")" = on ]; then echo on; else echo off; fi; }

set_auth_mode() {
  case "$1" in
    --auth) echo on >"$AUTH_FILE" ;;
    --no-auth) rm -f "$AUTH_FILE" ;;
    "") ;;
    *) die "up: unknown option '$1' (--auth or --no-auth)" ;;
  esac
}

restart_hub_if_auth_changed() {
  running jupyterhub || return 0
  [ "$(cat "$RUN/jupyterhub.auth" 2>/dev/null || echo off)" != "$(auth_mode)" ] || return 0
  log "jupyterhub: hub login turned $(auth_mode); restarting it"
  stop_pid jupyterhub 30
  stop_pid chp 5
}

# the lines config.yaml gets in auth mode (nothing otherwise)
binder_config_auth() {
  [ "$(auth_mode)" = on ] || return 0
  printf '\n  auth_enabled: true'
}
binder_config_launcher() {
  [ "$(auth_mode)" = on ] || return 0
  printf 'Launcher:\n  allow_named_servers: true\n  named_server_limit_per_user: %s\n' "$NAMED_SERVER_LIMIT"
}

auth_summary() {
  local s='.stack/secrets'
  [ "$STACK" = "$ROOT/.stack" ] || s="$SECRETS"
  if [ "$(auth_mode)" = on ]; then
    printf '[stack]   hub login       on: log in with any user name and the password in %s/hub-user-password; %s named servers per user (bash scripts/stack.sh up --no-auth turns it off)\n' "$s" "$NAMED_SERVER_LIMIT"
  else
    printf '[stack]   hub login       off: temporary users (bash scripts/stack.sh up --auth turns it on)\n'
  fi
}

# ------------------------------------------------------------- jupyterhub --
start_hub() {
  restart_hub_if_cors_changed
  restart_hub_if_auth_changed
  if hub_up; then
    if running jupyterhub; then
      log "jupyterhub: running on 127.0.0.1:$HUB_PORT (pid $(pid_of jupyterhub))"
    else
      log "jupyterhub: something already answers on 127.0.0.1:$HUB_PORT/hub/api/, reusing it"
    fi
    return 0
  fi
  running jupyterhub && stop_pid jupyterhub 20
  local p
  for p in $HUB_PORT $HUB_API_PORT $PROXY_API_PORT; do
    if port_open "$p"; then
      # a proxy left behind by a hub that was killed: its pid file is ours
      if [ "$p" != "$HUB_API_PORT" ] && running chp; then stop_pid chp 5; fi
      port_open "$p" && die "port $p is in use (JupyterHub needs $HUB_PORT, $HUB_API_PORT and $PROXY_API_PORT)"
    fi
  done
  mkdir -p "$STACK/hub"
  log "jupyterhub: starting (proxy 127.0.0.1:$HUB_PORT, hub API 127.0.0.1:$HUB_API_PORT, proxy API 127.0.0.1:$PROXY_API_PORT)"
  (cd "$STACK/hub" && start_bg jupyterhub "$VENV/bin/jupyterhub" -f "$HERE/jupyterhub_config.py")
  cors_allow_origin >"$RUN/jupyterhub.cors"
  auth_mode >"$RUN/jupyterhub.auth"
  wait_until 90 jupyterhub hub_up || {
    log_tail jupyterhub 40
    die "JupyterHub did not answer http://127.0.0.1:$HUB_PORT/hub/api/ within 90s"
  }
  local token code
  token="$(cat "$SECRETS/hub-api-token")"
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: token $token" "http://127.0.0.1:$HUB_PORT/hub/api/users")"
  [ "$code" = 200 ] || die "JupyterHub answers but GET /hub/api/users with the binder token gave HTTP $code"
  log "jupyterhub: up; the binder service token works"
}

# -------------------------------------------------------------- binderhub --
write_binder_config() {
  local token
  token="$(cat "$SECRETS/hub-api-token")"
  mkdir -p "$STACK/builds"
  cat >"$STACK/config.yaml.tmp" <<EOF
# generated by scripts/stack.sh: binderhub-ts configuration for the local stack
BinderHub:
  port: $BINDER_PORT
  bind_host: 127.0.0.1
  hub_url: http://127.0.0.1:$HUB_PORT/
  hub_api_token: $token
  use_registry: true
  image_prefix: $REGISTRY_ADDR/binder-
  enable_api_only_mode: false$(binder_config_cors)$(binder_config_auth)
DockerRegistry:
  url: http://$REGISTRY_ADDR
Redis:
  url: $(redis_url)
Runner:
  backend: docker
  concurrency: 2
DockerBuildExecutor:
  repo2docker_path: $VENV/bin/jupyter-repo2docker
GitRepoProvider:
  allowed_private_hosts: ['127.0.0.1']
EOF
  binder_config_launcher >>"$STACK/config.yaml.tmp"
  binder_config_product >>"$STACK/config.yaml.tmp"
  (umask 077 && mv "$STACK/config.yaml.tmp" "$STACK/config.yaml")
}

# ------------------------------------------- dashboard, webhooks, pre-builds --
# what makes the local stack show the whole product: the queue dashboard, the GitHub
# webhook, the pre-build API, and a rate limit for one developer (docs/local-stack.md)
ensure_product_secrets() {
  secret_file dashboard-admin-token 32
  secret_file dashboard-viewer-token 32
  secret_file github-webhook-secret 32
  secret_file prebuild-token 32
}

binder_config_product() {
  cat <<EOF
Dashboard:
  admin_token: $(cat "$SECRETS/dashboard-admin-token")
  viewer_token: $(cat "$SECRETS/dashboard-viewer-token")
GitHubWebhook:
  secret: $(cat "$SECRETS/github-webhook-secret")
PrebuildApi:
  token: $(cat "$SECRETS/prebuild-token")
RateLimiter:
  limit: $LOCAL_RATE_LIMIT
  period_seconds: 3600
EOF
}

product_summary() {
  local b="http://127.0.0.1:$BINDER_PORT" s='.stack/secrets'
  [ "$STACK" = "$ROOT/.stack" ] || s="$SECRETS"
  cat <<EOF
[stack]   queue dashboard $b/admin/queues  (basic auth: any user name, password $s/dashboard-admin-token; read-only: $s/dashboard-viewer-token)
[stack]                   curl -H "Authorization: Bearer \$(cat $s/dashboard-admin-token)" '$b/admin/queues/api/queues?activeQueue=builds'
[stack]   GitHub webhook  POST $b/hooks/github  (secret $s/github-webhook-secret); a signed ping:
[stack]                   body='{"zen":"hi","hook":{"events":["push"]}}'; sig=\$(printf %s "\$body" | openssl dgst -sha256 -hmac "\$(cat $s/github-webhook-secret)" -r | cut -d' ' -f1)
[stack]                   curl -H 'Content-Type: application/json' -H 'X-GitHub-Event: ping' -H "X-GitHub-Delivery: \$(date +%s%N)" -H "X-Hub-Signature-256: sha256=\$sig" -d "\$body" $b/hooks/github
[stack]   pre-build API   POST $b/api/prebuilds  (token $s/prebuild-token; {"provider": "git", "spec": "<url-encoded repo URL>/<branch>"})
[stack]   pre-build demo  bash scripts/stack.sh demo  (a local git server whose pushes pre-build through that API)
[stack]   rate limit      $LOCAL_RATE_LIMIT /build requests per address per hour (RateLimiter.limit; upstream's default is 10)
EOF
}

# ------------------------------------------------------------- git server --
# `git daemon` on 127.0.0.1:9418 serving .stack/git, pushes allowed (loopback only)
start_git_server() {
  if running git-server && port_open $GIT_PORT; then
    log "git server: running on git://127.0.0.1:$GIT_PORT/ (pid $(pid_of git-server))"
    return 0
  fi
  port_open $GIT_PORT && die "port $GIT_PORT is in use; the demo's git server needs it"
  mkdir -p "$STACK/git"
  log "git server: starting git daemon on git://127.0.0.1:$GIT_PORT/ (repositories in $STACK/git, pushes allowed)"
  start_bg git-server git daemon --reuseaddr --listen=127.0.0.1 --port=$GIT_PORT \
    --base-path="$STACK/git" --export-all --enable=receive-pack "$STACK/git"
  wait_until 10 git-server port_open $GIT_PORT || {
    log_tail git-server
    die "git daemon did not listen on 127.0.0.1:$GIT_PORT within 10s"
  }
}

cmd_demo() {
  mkdir -p "$LOGS" "$RUN"
  binder_up || die "binderhub-ts does not answer healthy on http://127.0.0.1:$BINDER_PORT: run bash scripts/stack.sh up first"
  [ -s "$SECRETS/prebuild-token" ] || die "no $SECRETS/prebuild-token: run bash scripts/stack.sh up first"
  start_git_server
  BINDER_URL="http://127.0.0.1:$BINDER_PORT/" TOKEN_FILE="$SECRETS/prebuild-token" \
    GIT_ROOT="$STACK/git" GIT_URL="git://127.0.0.1:$GIT_PORT" WORK_DIR="$STACK/demo" \
    bash "$HERE/demo.sh"
}

# dist/ (npm run build) is newer than every source file bin/binderhub-ts.js looks at
dist_fresh() {
  local built="$ROOT/dist/bin/binderhub-ts.js"
  [ -f "$built" ] && [ -z "$(find "$ROOT/api" "$ROOT/queue" "$ROOT/runners" "$ROOT/bin" \
    \( -name '*.ts' -o -name '*.css' \) -newer "$built" -print -quit)" ]
}

# Compiled JavaScript idles leaner than the sources through tsx (whose esbuild service
# stays alive, pinging the process every second, after it transformed a changed file).
# If the build fails, bin/binderhub-ts.js runs the sources through tsx instead.
ensure_compiled() {
  if dist_fresh; then
    log "binderhub-ts: compiled code in dist/ is up to date"
    return 0
  fi
  log "binderhub-ts: compiling (npm run build, about 15 s; log: $LOGS/build.log)"
  if (cd "$ROOT" && npm run build) >>"$LOGS/build.log" 2>&1 </dev/null && dist_fresh; then
    log "binderhub-ts: compiled to dist/ ($(elapsed))"
  else
    warn "npm run build failed (see $LOGS/build.log); running the TypeScript sources through tsx"
  fi
}

# What code a started binderhub-ts runs: the commit and any uncommitted change to it.
code_version() {
  {
    git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo no-git
    git -C "$ROOT" diff HEAD -- api queue runners bin package-lock.json 2>/dev/null | sha256sum
  } | tr '\n' ' '
}
start_binderhub() {
  local before
  before="$(cat "$STACK/config.yaml" 2>/dev/null || true)"
  write_binder_config
  if running binderhub && [ "$before" != "$(cat "$STACK/config.yaml")" ]; then
    log "binderhub-ts: $STACK/config.yaml changed; restarting it"
    stop_pid binderhub 15
  fi
  if running binderhub && [ "$(code_version)" != "$(cat "$RUN/binderhub.code" 2>/dev/null || true)" ]; then
    log "binderhub-ts: the code changed since it started; restarting it"
    stop_pid binderhub 15
  fi
  local cli="$ROOT/bin/binderhub-ts.js"
  [ -f "$cli" ] || die "binderhub-ts: $cli is missing (config written to $STACK/config.yaml)"
  if binder_up; then
    if running binderhub; then
      log "binderhub-ts: running on 127.0.0.1:$BINDER_PORT (pid $(pid_of binderhub))"
    else
      log "binderhub-ts: something already answers healthy on 127.0.0.1:$BINDER_PORT, reusing it"
    fi
    return 0
  fi
  if port_open $BINDER_PORT; then
    # its health may lag a restart of the hub or the registry
    log "binderhub-ts: 127.0.0.1:$BINDER_PORT is taken but not healthy yet; waiting up to 30s"
    if wait_until 30 binderhub binder_up; then
      log "binderhub-ts: healthy on 127.0.0.1:$BINDER_PORT$(running binderhub || echo ' (not started by this script, reusing it)')"
      return 0
    fi
    if ! running binderhub; then
      printf '[stack] health: %s\n' "$(binder_health || echo '(no answer)')" >&2
      die "port $BINDER_PORT is in use by something that is not a healthy binderhub-ts"
    fi
    log "binderhub-ts: restarting the unhealthy app (pid $(pid_of binderhub))"
  fi
  running binderhub && stop_pid binderhub 15
  ensure_compiled
  log "binderhub-ts: starting node bin/binderhub-ts.js local --config $STACK/config.yaml ($(dist_fresh && echo 'compiled, dist/' || echo 'sources through tsx'))"
  code_version >"$RUN/binderhub.code"
  (cd "$ROOT" && start_bg binderhub node "$cli" local --config "$STACK/config.yaml")
  if ! wait_until 90 binderhub binder_up; then
    printf '[stack] health: %s\n' "$(binder_health || echo '(no answer)')" >&2
    log_tail binderhub 40
    die "binderhub-ts did not report \"ok\": true on http://127.0.0.1:$BINDER_PORT/health within 90s"
  fi
  log "binderhub-ts: healthy on http://127.0.0.1:$BINDER_PORT"
}

# ------------------------------------------------------------- kubernetes --
# A single-node cluster for the Kubernetes backend and the chart (scripts/kube.sh; its
# own ports 2379-2381, 6443, 10248, 10250, 10257, 10259). BINDERHUB_TS_KUBERNETES=off
# skips it (the real-cluster tests then skip, saying so; the chart's tools are built).
kube_enabled() { [ "${BINDERHUB_TS_KUBERNETES:-on}" != off ]; }
start_kubernetes() {
  if ! kube_enabled; then
    log "kubernetes: skipped (BINDERHUB_TS_KUBERNETES=off); building only helm and k8s-validate"
    bash "$ROOT/scripts/kube.sh" tools || die "building helm and k8s-validate failed"
    return 0
  fi
  if [ -n "$KUBE_BUILD_PID" ]; then
    log "kubernetes: waiting for the background build (log: $LOGS/kube-build.log)"
    wait "$KUBE_BUILD_PID" || die "building Kubernetes failed; see $LOGS/kube-build.log"
    KUBE_BUILD_PID=
  fi
  log "kubernetes: bash scripts/kube.sh up"
  bash "$ROOT/scripts/kube.sh" up || die "the local Kubernetes cluster did not come up; see $STACK/kube/logs/"
}
# The cold build (Kubernetes from the Go module proxy, several minutes of compiling on 2
# cores) needs nothing the rest of `up` makes, so it runs beside the Python venv, the
# base image and the hub instead of after them. Its [kube] lines are interleaved.
KUBE_BUILD_PID=
start_kubernetes_build() {
  kube_enabled || return 0
  bash "$ROOT/scripts/kube.sh" packages || die "installing the Kubernetes packages failed"
  log "kubernetes: building in the background while the rest comes up (log: $LOGS/kube-build.log)"
  (bash "$ROOT/scripts/kube.sh" build 2>&1 | tee "$LOGS/kube-build.log") </dev/null &
  KUBE_BUILD_PID=$!
}
stop_kubernetes() { bash "$ROOT/scripts/kube.sh" down || warn "scripts/kube.sh down failed"; }
kube_status() { kube_enabled && bash "$ROOT/scripts/kube.sh" status >/dev/null 2>&1; }
# ------------------------------------------------------------- kubernetes --

# ------------------------------------------------------------------- up ----
cmd_up() {
  mkdir -p "$STACK" "$LOGS" "$RUN" "$SECRETS"
  chmod 700 "$SECRETS"
  set_auth_mode "${1:-}"
  log "bringing up the local stack in $STACK"
  ensure_packages
  start_kubernetes_build
  ensure_node_modules
  secret_file hub-api-token 32
  secret_file proxy-auth-token 32
  secret_file cookie-secret 32
  secret_file hub-user-password 16
  ensure_product_secrets
  start_redis
  start_docker
  start_registry
  ensure_venv
  ensure_chp
  ensure_base_image
  start_hub
  start_binderhub
  start_kubernetes
  summary
}

summary() {
  cat <<EOF
[stack] ready in $(elapsed)
[stack]   Redis           redis://127.0.0.1:$REDIS_PORT        ${REDIS_NOTE:-(password: $SECRETS/redis-password; AOF, noeviction)}
[stack]   Docker engine   unix://$DOCKER_SOCK  (data $STACK/docker)
[stack]   Registry        http://$REGISTRY_ADDR/v2/        (images: $REGISTRY_ADDR/binder-*)
[stack]   JupyterHub      http://127.0.0.1:$HUB_PORT/  (hub API http://127.0.0.1:$HUB_PORT/hub/api/, hub 127.0.0.1:$HUB_API_PORT)
[stack]   hub API token   $SECRETS/hub-api-token  (service "binder")
[stack]   repo2docker     $VENV/bin/jupyter-repo2docker
[stack]   base image      $BASE_IMAGE  (test repositories: FROM $BASE_IMAGE)
[stack]   binderhub-ts    http://127.0.0.1:$BINDER_PORT/   (config $STACK/config.yaml, log $LOGS/binderhub.log)
[stack]   Kubernetes      https://127.0.0.1:6443  (KUBECONFIG=$STACK/kube/admin.kubeconfig; kubectl: $STACK/kube/bin/kubectl)
[stack]   Binder link     http://127.0.0.1:$BINDER_PORT/v2/git/http%3A%2F%2F127.0.0.1%3A<port>%2Frepo.git/HEAD
[stack]   build stream    curl -N -H 'Accept: text/event-stream' http://127.0.0.1:$BINDER_PORT/build/git/<url-encoded repo URL>/HEAD
EOF
  product_summary
  cors_summary
  auth_summary
  log "stop with: bash scripts/stack.sh down"
}

# ----------------------------------------------------------------- down ----
cmd_down() {
  mkdir -p "$RUN"
  log "stopping the local stack"
  stop_kubernetes
  stop_pid binderhub 15
  stop_pid git-server 5
  if running jupyterhub; then
    stop_pid jupyterhub 30
  fi
  stop_pid chp 5
  if docker_up; then
    local ids
    ids="$(docker ps -aq --filter label=org.binderhub-ts.stack=spawner 2>/dev/null || true)"
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      docker rm -f $ids >/dev/null 2>&1 || true
      log "removed $(echo "$ids" | wc -w) single-user container(s)"
    fi
  fi
  stop_pid registry 10
  if running dockerd; then
    stop_pid dockerd 30
    rm -f "$RUN/dockerd-daemon.pid"
  fi
  stop_pid redis 15
  log "stopped"
}

cmd_reset() {
  cmd_down
  log "deleting $STACK"
  # dockerd leaves nothing mounted once stopped; be safe anyway
  if command -v findmnt >/dev/null 2>&1; then
    findmnt -rn -o TARGET | grep -F "$STACK/" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  rm -rf "$STACK"
  log "reset done; next \`bash scripts/stack.sh up\` starts from scratch"
}

# --------------------------------------------------------------- status ----
cmd_status() {
  local ok=0
  line() {
    if "$2"; then printf '[stack] %-14s up    %s\n' "$1" "$3"; else
      printf '[stack] %-14s down  %s\n' "$1" "$3"
      ok=1
    fi
  }
  line redis redis_ping "redis://127.0.0.1:$REDIS_PORT"
  line docker docker_up "unix://$DOCKER_SOCK"
  line registry registry_up "http://$REGISTRY_ADDR/v2/"
  line jupyterhub hub_up "http://127.0.0.1:$HUB_PORT/hub/api/"
  line binderhub-ts binder_up "http://127.0.0.1:$BINDER_PORT/health"
  base_image_present() { docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; }
  line base-image base_image_present "$BASE_IMAGE"
  kube_enabled && line kubernetes kube_status "https://127.0.0.1:6443 (bash scripts/kube.sh status)"
  return $ok
}

cmd_logs() {
  local follow=() svc=""
  for a in "$@"; do
    case "$a" in
      -f | --follow) follow=(-F) ;;
      *) svc=$a ;;
    esac
  done
  if [ -z "$svc" ]; then
    local f
    for f in "$LOGS"/*.log; do
      [ -f "$f" ] || continue
      printf '==> %s <==\n' "$f"
      tail -n 20 "$f"
    done
    return 0
  fi
  case "$svc" in hub) svc=jupyterhub ;; binder | binderhub-ts) svc=binderhub ;; docker) svc=dockerd ;; esac
  [ -f "$LOGS/$svc.log" ] || die "no log $LOGS/$svc.log (have: $(ls "$LOGS" 2>/dev/null | sed 's/\.log$//' | tr '\n' ' '))"
  tail -n 100 "${follow[@]}" "$LOGS/$svc.log"
}

cmd_restart() {
  local svc=${1:-}
  case "$svc" in
    hub | jupyterhub) stop_pid jupyterhub 30 && stop_pid chp 5 ;;
    binder | binderhub | binderhub-ts) stop_pid binderhub 15 ;;
    registry) stop_pid registry 10 ;;
    redis) stop_pid redis 15 ;;
    docker | dockerd) stop_pid dockerd 30 ;;
    "") cmd_down ;;
    *) die "restart what? one of: redis docker registry jupyterhub binderhub (or nothing for all)" ;;
  esac
  cmd_up
}

# sourced (tests call the functions above): define, run nothing
[[ "${BASH_SOURCE[0]}" != "$0" ]] && return 0

case "${1:-}" in
  up)
    shift
    cmd_up "$@"
    ;;
  restart)
    shift
    cmd_restart "$@"
    ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs)
    shift
    cmd_logs "$@"
    ;;
  reset) cmd_reset ;;
  demo) cmd_demo ;;
  cors)
    shift
    cmd_cors "$@"
    ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
