#!/usr/bin/env bash
# bench/ws: /ws/metrics fan-out. N WebSocket clients (bench/ws/ws_load.cpp:
# one thread, one io_context) spread over SERVERS synthetic hosts scraped by
# a real Prometheus on loopback (scripts/test-env: fixture_exporter +
# prometheus), WS_METRICS_INTERVAL_SEC=INTERVAL (default 5 s, Sentinel's own
# default). For each client count, a fresh Sentinel process; after every
# client is connected and SETTLE seconds have passed, a WINDOW-second
# measurement of:
#   * queries/s reaching Prometheus (its own prometheus_http_requests_total
#     {handler="/api/v1/query"}) and sent by Sentinel
#     (sentinel_prometheus_queries_total{endpoint="query"}): must be
#     SERVERS x queries per summary (1) / INTERVAL, whatever N (one poller
#     per server: sentinel_ws_pollers == SERVERS, sentinel_ws_polls_total
#     grows by SERVERS / INTERVAL per second);
#   * lag = frame receipt time - "polled_at", p50/p99/max over every frame;
#   * frames received / expected (N x WINDOW / interval);
#   * Sentinel RSS per connection = (VmRSS with N clients - VmRSS before) / N;
#   * CPU (utime+stime, % of one core) of Sentinel, Prometheus, the exporter
#     and the load client.
#   bench/ws/run.sh
# All clients are one user: WS_MAX_PER_USER and the connection caps are raised above
# the largest CLIENTS (the defaults, 64 per user and 256 per address, would refuse them).
# Env: CLIENTS (default 5000; several, e.g. "500 5000", run one after the
#      other), SERVERS (50), INTERVAL (5 s), WINDOW (20 s: a multiple of
#      INTERVAL), SETTLE (6 s), PARALLEL (64 connections being opened at once),
#      SENTINEL_BIN (default build/src/app/sentinel, else BENCH_BUILD_DIR's),
#      BENCH_BUILD_DIR (build-bench: where ws_load is built when missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
client_counts=${CLIENTS:-5000}
servers=${SERVERS:-50}
interval=${INTERVAL:-5}
window=${WINDOW:-20}
settle=${SETTLE:-6}
parallel=${PARALLEL:-64}
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)
load=$(bench_tool ws_load)
per_summary=$(python3 "$root/bench/metrics/catalogue_queries.py" --combined "$root/src/prometheus/query_catalogue.cpp" x x | wc -l)

max_clients=0
for n in $client_counts; do [ "$n" -gt "$max_clients" ] && max_clients=$n; done
# Sentinel and the client each hold one descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((max_clients + 200)) ]; then
  echo "ulimit -n is $(ulimit -n): need at least $((max_clients + 200)) (raise the hard limit)" >&2; exit 1
fi

work=$(mktemp -d)
chmod 755 "$work"
pid=""; load_pid=""
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null && wait "$load_pid" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -f "$work/env/env" ] && "$root/scripts/test-env" stop "$work/env" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }  # utime + stime
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }
clk_tck=$(getconf CLK_TCK)

"$root/scripts/test-env" start "$work/env" fixture_exporter prometheus >/dev/null
prom_url=$(grep '^SENTINEL_TEST_PROMETHEUS_URL=' "$work/env/env" | cut -d= -f2-)
prom_pid=$(cat "$work/env/prometheus/pid")
exporter_pid=$(cat "$work/env/fixture_exporter/pid")
port=$(free_port)
mkdir -p "$work/db"

start_sentinel() {
  (cd "$work/db" && exec env -i PATH="$PATH" PORT="$port" DATABASE_URL="sqlite:///$work/db/sentinel.db" \
      SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 LOG_LEVEL=warning \
      FIRST_SUPERUSER_EMAIL=bench@example.com FIRST_SUPERUSER_PASSWORD=bench-password \
      PROMETHEUS_URL="$prom_url" WS_METRICS_INTERVAL_SEC=$interval \
      WS_MAX_PER_USER=$((max_clients + 16)) MAX_CONNECTIONS=$((max_clients + 256)) MAX_CONNECTIONS_PER_CLIENT=$((max_clients + 256)) \
      "$bin" serve >>"$work/sentinel.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 1000); do
    curl -fsS "http://127.0.0.1:$port/api/v1/health/liveness" >/dev/null 2>&1 && return 0
    sleep 0.01
  done
  echo "sentinel did not start:" >&2; tail -n 20 "$work/sentinel.log" >&2; exit 1
}
# Sentinel still running? Else its last words, and stop.
check_alive() {
  kill -0 "$pid" 2>/dev/null && return 0
  local rc=0; wait "$pid" || rc=$?; pid=""
  echo "sentinel exited ($rc) $1:" >&2; tail -n 20 "$work/sentinel.log" >&2; exit 1
}
stop_sentinel() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# Prometheus's own count of instant queries answered, and Sentinel's.
prom_queries() {
  curl -fsS "$prom_url/metrics" |
    awk '/^prometheus_http_requests_total\{/ && /handler="\/api\/v1\/query"/ {s += $NF} END {printf "%d\n", s}'
}
sentinel_metric() {  # sentinel_metric <name> [label filter [-v excluded label]]: sum over matching series
  curl -fsS "http://127.0.0.1:$port/metrics" |
    awk -v n="$1" -v f="${2:-}" -v x="${4:-}" '($1 == n || index($1, n "{") == 1) && (f == "" || index($1, f)) &&
      (x == "" || !index($1, x)) {s += $NF} END {printf "%d\n", s}'
}

# Fleet: SERVERS fixture hosts scraped by Prometheus and registered in Sentinel.
start_sentinel
token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/login" \
        -d 'username=bench@example.com&password=bench-password' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ids=$(python3 "$here/fleet.py" --env "$work/env" --sentinel "http://127.0.0.1:$port" --token "$token" --count "$servers")
stop_sentinel

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$servers servers, WS_METRICS_INTERVAL_SEC=$interval, $per_summary queries per summary;" \
  "window ${window}s after all clients connected + ${settle}s"
expected_qps=$(calc "round($servers * $per_summary / $interval, 1)")
expected_polls=$(calc "round($servers / $interval, 1)")
results=()
for n in $client_counts; do
  start_sentinel  # a fresh process per client count: a clean RSS baseline
  sleep 2
  rss0=$(rss_kb "$pid")
  "$load" --port "$port" --token "$token" --servers "$ids" --clients "$n" --parallel "$parallel" \
    >"$work/load.out" 2>"$work/load.err" &
  load_pid=$!
  until grep -q '^connected' "$work/load.out" 2>/dev/null; do
    kill -0 "$load_pid" 2>/dev/null || { cat "$work/load.err" >&2; exit 1; }
    sleep 0.1
  done
  read -r _ connected _ failed _ ramp < <(grep '^connected' "$work/load.out")
  [ "$failed" -eq 0 ] || { echo "$failed of $n clients failed to connect:" >&2; cat "$work/load.err" >&2; exit 1; }
  sleep "$settle"
  check_alive "with $n clients connected"
  ws_clients=$(sentinel_metric sentinel_ws_clients); ws_pollers=$(sentinel_metric sentinel_ws_pollers)

  t0=$(now); s0=$(cpu_ticks "$pid"); p0=$(cpu_ticks "$prom_pid"); e0=$(cpu_ticks "$exporter_pid")
  pq0=$(prom_queries); sq0=$(sentinel_metric sentinel_prometheus_queries_total 'endpoint="query"')
  polls0=$(sentinel_metric sentinel_ws_polls_total)
  kill -USR1 "$load_pid"
  sleep "$window"
  kill -USR2 "$load_pid"
  check_alive "during the window"
  t1=$(now); s1=$(cpu_ticks "$pid"); p1=$(cpu_ticks "$prom_pid"); e1=$(cpu_ticks "$exporter_pid")
  rss1=$(rss_kb "$pid")
  pq1=$(prom_queries); sq1=$(sentinel_metric sentinel_prometheus_queries_total 'endpoint="query"')
  polls1=$(sentinel_metric sentinel_ws_polls_total)
  failed_q=$(sentinel_metric sentinel_prometheus_queries_total 'endpoint="query"' -v 'result="success"')
  wait "$load_pid" || true; load_pid=""
  val() { awk -v k="$1" '$1 == k {print $2}' "$work/load.out"; }

  dt=$(calc "$t1 - $t0")
  prom_qps=$(calc "round(($pq1 - $pq0) / $dt, 1)")
  sent_qps=$(calc "round(($sq1 - $sq0) / $dt, 1)")
  polls_ps=$(calc "round(($polls1 - $polls0) / $dt, 2)")
  cpu() { calc "round(($2 - $1) / $clk_tck / $dt * 100, 1)"; }
  s_cpu=$(cpu "$s0" "$s1"); p_cpu=$(cpu "$p0" "$p1"); e_cpu=$(cpu "$e0" "$e1")
  c_cpu=$(calc "round($(val cpu_seconds) / $(val window_seconds) * 100, 1)")
  expected=$(calc "int($n * $(val window_seconds) / $interval)")
  per_conn=$(calc "round(($rss1 - $rss0) / $n, 2)")
  echo
  echo "--- $n clients ($connected connected in ${ramp}s; Sentinel reports $ws_clients clients, $ws_pollers pollers)"
  echo "Prometheus queries/s: $prom_qps (Prometheus's counter), $sent_qps (Sentinel's counter);" \
    "expected $expected_qps ($servers servers x $per_summary / ${interval}s); polls/s $polls_ps (expected $expected_polls);" \
    "failed queries since start: $failed_q"
  echo "lag polled_at -> receipt: p50 $(val lag_p50_ms) ms, p90 $(val lag_p90_ms) ms, p99 $(val lag_p99_ms) ms, max $(val lag_max_ms) ms (min $(val lag_min_ms) ms)"
  echo "frames: $(val frames) received / $expected expected ($(calc "round(100 * $(val frames) / $expected, 2)") %), per client $(val frames_per_client_min)..$(val frames_per_client_max), error frames $(val error_frames), connections lost $(val closed)"
  echo "Sentinel RSS: $((rss0 / 1024)) MiB before, $((rss1 / 1024)) MiB with clients: $per_conn KiB per connection"
  echo "CPU (% of one core): Sentinel $s_cpu, Prometheus $p_cpu, fixture exporter $e_cpu, load client $c_cpu"
  results+=("$(printf '%7s %8s %9s %9s %7s %8s %8s %8s %8s %10s %9s %9s %9s' "$n" "$ws_pollers" "$prom_qps" "$sent_qps" \
    "$polls_ps" "$(val lag_p50_ms)" "$(val lag_p99_ms)" "$(val lag_max_ms)" \
    "$(calc "round(100 * $(val frames) / $expected, 1)")" "$per_conn" "$s_cpu" "$p_cpu" "$c_cpu")")
  last_per_conn=$per_conn; last_qps=$prom_qps; last_sent=$sent_qps; last_pollers=$ws_pollers
  stop_sentinel
done

echo
printf '%7s %8s %9s %9s %7s %8s %8s %8s %8s %10s %9s %9s %9s\n' clients pollers "prom q/s" "sent q/s" "polls/s" \
  "p50 ms" "p99 ms" "max ms" "frames%" "KiB/conn" "sent CPU%" "prom CPU%" "load CPU%"
printf '%s\n' "${results[@]}"
# One poller per server: the query rate is the fleet's, not the clients' (within 5 %: a poll
# in flight at either end of the window counts in one of them).
echo "targets ($max_clients clients):" \
  "queries/s = $servers x $per_summary / ${interval}s = $expected_qps:" \
  "$(calc "'met' if $last_pollers == $servers and abs($last_qps - $expected_qps) <= 0.05 * $expected_qps and abs($last_sent - $expected_qps) <= 0.05 * $expected_qps else 'NOT met'")" \
  "($last_qps at Prometheus, $last_sent sent, $last_pollers pollers);" \
  "RSS per connection <= 32 KiB: $(calc "'met' if $last_per_conn <= 32 else 'NOT met'") ($last_per_conn KiB)"
