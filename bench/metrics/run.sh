#!/usr/bin/env bash
# bench/metrics: GET /api/v1/metrics/servers/{id}/summary (one Prometheus
# instant query joining the catalogue's 10 expressions) against a real
# Prometheus on loopback (scripts/test-env: fixture_exporter + prometheus)
# scraping SERVERS synthetic hosts. In one run:
#   1. summary_probe (bench/metrics/summary_probe.cpp), Sentinel with
#      METRICS_CACHE_TTL_SEC=0, ROUNDS rounds of: each of the 10 catalogue
#      queries sent straight to Prometheus alone (per-query median, slowest
#      median: the reference); the 10 at once; the combined query Sentinel
#      sends, alone; one summary through Sentinel; GET /api/v1/servers/{id}
#      (Sentinel's fixed cost without Prometheus). Target: summary <= 1.2 x
#      the slowest single catalogue query.
#   2. wrk, one connection, no cache: single-request latency.
#   3. wrk, THREADS threads x CONNECTIONS connections, cycling through the
#      servers, METRICS_CACHE_TTL_SEC=0 and then 1 (fresh process each).
#   bench/metrics/run.sh
# Env: SERVERS (5), DURATION (10s), CONNECTIONS (32), THREADS (2), ROUNDS (300),
#      SENTINEL_BIN (default build/src/app/sentinel, else BENCH_BUILD_DIR's),
#      BENCH_BUILD_DIR (build-bench: where summary_probe is built when missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
servers=${SERVERS:-5}
duration=${DURATION:-10s}
conns=${CONNECTIONS:-32}
threads=${THREADS:-2}
rounds=${ROUNDS:-300}
command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps all" >&2; exit 1; }
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)
probe=$(bench_tool summary_probe)

work=$(mktemp -d)
chmod 755 "$work"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -f "$work/env/env" ] && "$root/scripts/test-env" stop "$work/env" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
calc() { python3 -c "print($1)"; }

"$root/scripts/test-env" start "$work/env" fixture_exporter prometheus >/dev/null
prom_url=$(grep '^SENTINEL_TEST_PROMETHEUS_URL=' "$work/env/env" | cut -d= -f2-)
prom_port=${prom_url##*:}
port=$(free_port)
mkdir -p "$work/db"

start_sentinel() {  # start_sentinel <METRICS_CACHE_TTL_SEC>
  (cd "$work/db" && exec env -i PATH="$PATH" PORT="$port" DATABASE_URL="sqlite:///$work/db/sentinel.db" \
      SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 LOG_LEVEL=warning \
      FIRST_SUPERUSER_EMAIL=bench@example.com FIRST_SUPERUSER_PASSWORD=bench-password \
      PROMETHEUS_URL="$prom_url" METRICS_CACHE_TTL_SEC="$1" "$bin" serve >>"$work/sentinel.log" 2>&1) &
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

# Prometheus's own count of instant queries answered.
prom_queries() {
  curl -fsS "$prom_url/metrics" |
    awk '/^prometheus_http_requests_total\{/ && /handler="\/api\/v1\/query"/ {s += $NF} END {printf "%d\n", s}'
}

# wrk → "req/s p50 p99 prometheus-queries/s"
run_wrk() {
  local out q0 q1 t0 t1
  q0=$(prom_queries); t0=$(date +%s.%N)
  out=$(wrk "$@" --latency 2>&1)
  t1=$(date +%s.%N); q1=$(prom_queries)
  if echo "$out" | grep -q 'Non-2xx'; then echo "$out" | grep 'Non-2xx' >&2; fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $p50 $p99 $(calc "round(($q1 - $q0) / ($t1 - $t0))")"
}

start_sentinel 0
token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/login" \
        -d 'username=bench@example.com&password=bench-password' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ids=$(python3 "$root/bench/ws/fleet.py" --env "$work/env" --sentinel "http://127.0.0.1:$port" --token "$token" \
        --count "$servers")
first_id=${ids%%,*}
# rate(...[1m]) needs two samples, and the fleet has just appeared: let it age a little.
sleep 3
python3 "$here/catalogue_queries.py" "$root/src/prometheus/query_catalogue.cpp" bench-1:9100 fixture > "$work/queries.txt"
python3 "$here/catalogue_queries.py" --combined "$root/src/prometheus/query_catalogue.cpp" bench-1:9100 fixture \
  > "$work/combined.txt"
per_summary=$(wc -l < "$work/queries.txt")

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$servers servers; Prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}'); wrk $threads threads x $conns connections, $duration"

"$probe" --prometheus-port "$prom_port" --queries "$work/queries.txt" --combined "$work/combined.txt" --sentinel-port "$port" \
  --summary-path "/api/v1/metrics/servers/$first_id/summary" --server-path "/api/v1/servers/$first_id" \
  --token "$token" --rounds "$rounds" > "$work/probe.out"
val() { awk -v k="$1" '$1 == k {print $2}' "$work/probe.out"; }
echo
echo "raw Prometheus, each query alone ($rounds rounds, keep-alive; median / p90 ms):"
i=0
while IFS= read -r q; do
  printf '  %2d  %7s %7s  %s\n' "$i" "$(val "query_${i}_median_ms")" "$(val "query_${i}_p90_ms")" "${q:0:90}"
  i=$((i + 1))
done < "$work/queries.txt"
echo "slowest query: #$(val slowest_query), median $(val slowest_query_median_ms) ms"
echo "all $per_summary at once, straight to Prometheus: median $(val all_concurrent_median_ms) ms, p90 $(val all_concurrent_p90_ms) ms"
echo "the combined query (what a summary sends), straight to Prometheus: median $(val combined_median_ms) ms," \
  "p90 $(val combined_p90_ms) ms ($(val ratio_combined_to_slowest) x the slowest single query)"
echo "summary through Sentinel (1 connection, no cache): median $(val summary_median_ms) ms, p90 $(val summary_p90_ms) ms"
echo "GET /api/v1/servers/{id} on that connection (HTTP, token, server lookup; no Prometheus):" \
  "median $(val server_get_median_ms) ms, p90 $(val server_get_p90_ms) ms"
echo "ratio summary / slowest single query: $(val ratio_summary_to_slowest) (target <= 1.2);" \
  "summary / all $per_summary at once: $(val ratio_summary_to_concurrent);" \
  "summary / the combined query: $(val ratio_summary_to_combined)"

single=$(TOKEN=$token IDS=$first_id run_wrk -t1 -c1 -d"$duration" -s "$here/summary.lua" "http://127.0.0.1:$port")
nocache=$(TOKEN=$token IDS=$ids run_wrk -t"$threads" -c"$conns" -d"$duration" -s "$here/summary.lua" "http://127.0.0.1:$port")
stop_sentinel
start_sentinel 1
cached=$(TOKEN=$token IDS=$ids run_wrk -t"$threads" -c"$conns" -d"$duration" -s "$here/summary.lua" "http://127.0.0.1:$port")
stop_sentinel

echo
printf '%-44s %10s %9s %9s %12s\n' "summary endpoint (wrk)" "req/s" "p50" "p99" "prom q/s"
printf '%-44s %10s %9s %9s %12s\n' "1 connection, METRICS_CACHE_TTL_SEC=0" $single
printf '%-44s %10s %9s %9s %12s\n' "$conns connections, METRICS_CACHE_TTL_SEC=0" $nocache
printf '%-44s %10s %9s %9s %12s\n' "$conns connections, METRICS_CACHE_TTL_SEC=1" $cached
echo "(prom q/s: instant queries Prometheus answered per second during that run, its own counter;" \
  "1 per uncached summary)"
r=$(val ratio_summary_to_slowest)
rc=$(val ratio_summary_to_concurrent)
echo "target summary <= 1.2 x slowest single query: $(calc "'met' if $r <= 1.2 else 'NOT met'") ($r x);" \
  "summary / all $per_summary queries at once straight to Prometheus: $rc x;" \
  "summary / the combined query: $(val ratio_summary_to_combined) x"
