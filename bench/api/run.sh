#!/usr/bin/env bash
# bench/api: REST throughput and latency with wrk on loopback, 100 servers
# stored, on SQLite and PostgreSQL, compared in the same run with
# /api/v1/health/liveness (the framework ceiling).
#   bench/api/run.sh [sqlite|postgresql|both]   (default both)
# Env: DURATION (default 10s), CONNECTIONS (64), THREADS (2), SENTINEL_BIN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${DURATION:-10s}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
which_db=${1:-both}
command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps all" >&2; exit 1; }
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)  # SENTINEL_BIN, else build/ (make build), else build-bench/

work=$(mktemp -d)
chmod 755 "$work"  # the postgres user must reach the test database folder
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -f "$work/env/env" ] && "$root/scripts/test-env" stop "$work/env" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# wrk → "req/s p50 p99"
run_wrk() {
  local out
  out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "$@" 2>&1)
  if echo "$out" | grep -q 'Non-2xx'; then echo "$out" | grep 'Non-2xx' >&2; fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $p50 $p99"
}

bench_one() {
  local db=$1 url
  local port; port=$(free_port)
  if [ "$db" = sqlite ]; then
    url="sqlite:///$work/sqlite/sentinel.db"
  else
    "$root/scripts/test-env" start "$work/env" postgres >/dev/null
    # shellcheck disable=SC1091
    url=$(grep '^SENTINEL_TEST_POSTGRES_URL=' "$work/env/env" | cut -d= -f2-)
  fi
  mkdir -p "$work/$db"
  local t0; t0=$(date +%s%N)
  (cd "$work/$db" && exec env -i PATH="$PATH" PORT="$port" DATABASE_URL="$url" \
      SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 LOG_LEVEL=warning \
      FIRST_SUPERUSER_EMAIL=bench@example.com FIRST_SUPERUSER_PASSWORD=bench-password "$bin" serve) &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/api/v1/health/liveness" >/dev/null 2>&1; do sleep 0.005; done
  local ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  sleep 1
  local idle_rss; idle_rss=$(rss_kb "$pid")

  local token
  token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/login" \
          -d 'username=bench@example.com&password=bench-password' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  for i in $(seq 1 100); do
    curl -fsS -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/servers/" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "{\"name\":\"host-$i\",\"job_name\":\"node\",\"instance\":\"10.0.0.$i:9100\"}"
  done

  local live get post
  live=$(run_wrk "http://127.0.0.1:$port/api/v1/health/liveness")
  get=$(run_wrk -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/servers/50")
  post=$(TOKEN=$token run_wrk -s "$here/post_server.lua" "http://127.0.0.1:$port/api/v1/servers/")
  local peak; peak=$(hwm_kb "$pid")

  local lrps; lrps=$(echo "$live" | cut -d' ' -f1)
  local grps; grps=$(echo "$get" | cut -d' ' -f1)
  printf '%-10s %-28s %10s %9s %9s\n' "database" "endpoint" "req/s" "p50" "p99"
  printf '%-10s %-28s %10s %9s %9s\n' "$db" "GET liveness" $live
  printf '%-10s %-28s %10s %9s %9s\n' "$db" "GET /servers/{id} (auth)" $get
  printf '%-10s %-28s %10s %9s %9s\n' "$db" "POST /servers/ (auth)" $post
  python3 -c "print(f'$db: authenticated GET / liveness = {float(\"$grps\")/float(\"$lrps\")*100:.0f} %')"
  echo "$db: start to ready ${ready_ms} ms (process start to first liveness answer), idle RSS $((idle_rss/1024)) MiB ($idle_rss KiB), peak RSS $((peak/1024)) MiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  if [ "$db" = postgresql ]; then "$root/scripts/test-env" stop "$work/env" >/dev/null; fi
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(date -u +%Y-%m-%d)"
echo "wrk: $threads threads, $conns connections, $duration per endpoint"
case "$which_db" in
  sqlite|postgresql) bench_one "$which_db" ;;
  both) bench_one sqlite; bench_one postgresql ;;
  *) echo "usage: $0 [sqlite|postgresql|both]" >&2; exit 2 ;;
esac
