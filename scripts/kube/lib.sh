# Process helpers of scripts/kube.sh (sourced): pid files in $RUN, logs in $LOGS.

pid_of() { [ -s "$RUN/$1.pid" ] && cat "$RUN/$1.pid"; }
running() {
  local pid
  pid="$(pid_of "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until <seconds> <command...>: poll every 0.3 s
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.3
  done
}

# start_bg <name> <command...>: detached, log appended to $LOGS/<name>.log, pid in $RUN
start_bg() {
  local name=$1
  shift
  printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOGS/$name.log"
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

log_tail() {
  [ -f "$LOGS/$1.log" ] || return 0
  printf '[kube] --- last lines of %s ---\n' "$LOGS/$1.log" >&2
  tail -n "${2:-25}" "$LOGS/$1.log" >&2
}

# stop_pid <name> [timeout]: SIGTERM, SIGKILL after timeout seconds
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
        log "$name (pid $pid) did not stop in ${timeout}s, killing it"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
    log "stopped $name (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

# started_or_die <name> <seconds> <what> <check...>: wait for a started component
started_or_die() {
  local name=$1 timeout=$2 what=$3
  shift 3
  if ! wait_until "$timeout" "$@"; then
    log_tail "$name" 30
    die "$name: $what within ${timeout}s; see $LOGS/$name.log"
  fi
}
