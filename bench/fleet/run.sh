#!/usr/bin/env bash
# bench/fleet: 1 000 servers watched as a fleet (product.md §3 "Fleet rules",
# §8 fleet endpoints). HOSTS (1000) synthetic hosts in one fixture exporter
# (scripts/test-env), scraped every SCRAPE_INTERVAL (15s) by the script's own
# Prometheus, each registered as a Sentinel server (bench/alerts/fleet.py), and
# a Release Sentinel on SQLite (METRICS_CACHE_TTL_SEC=0, WS_METRICS_INTERVAL_SEC=1,
# WEBHOOK_URL a local sink, WS_MAX_PER_USER above CLIENTS: the clients are one
# user). In one run:
#   1. the summary's ten expressions as ten FLEET rules (server_id null, each
#      aggregating `by (instance, job)` over all hosts, > 1e12, channel none),
#      evaluated by Sentinel, by Prometheus itself (the same ten rules as a
#      rule group in the Prometheus that holds the data) and by vmalert, in
#      interleaved windows (bench/fleet/measure.py rounds). Targets: Sentinel's
#      round < 0.5 s; its CPU per round below Prometheus's in-process CPU for
#      the same rules; Sentinel RSS <= 40 MiB.
#   2. a firing storm: one fleet rule `max by (instance, job) (up)` whose
#      threshold is PATCHed to 0, so all HOSTS series fire in one evaluation;
#      time until HOSTS firing events can be read through the API, then the
#      resolution storm (threshold back). On SQLite, and on PostgreSQL
#      (scripts/test-env) with POSTGRES=1 (default). Target: within one
#      quiet round + 1 s. With STORM_CHANNEL=webhook, also until the HOSTS
#      notifications are delivered (outbox rows sent; one grouped message,
#      GROUP_WAIT_SEC=0 and GROUP_INTERVAL_SEC=1 in this mode).
#   3. GET /api/v1/metrics/servers/summary (all servers) against one
#      GET /api/v1/metrics/servers/{id}/summary, uncached, and Prometheus's
#      queries per call with HOSTS and with FEWER (100) active servers.
#      Target: fleet call <= 2 x the single call; queries per call independent
#      of the number of servers.
#   4. WS /ws/fleet: CLIENTS ("20 200": 20 for reference, then 200) clients
#      (bench/ws/ws_load.cpp --path) at WS_METRICS_INTERVAL_SEC=1, full frames
#      and ?delta=1: p99 lag from "polled_at" to receipt, bytes per client per
#      second, Sentinel CPU and RSS. Target (the largest count): p99 < 100 ms.
# Parts 3 and 4 report "not available" when the build has no such endpoint.
#   bench/fleet/run.sh            (about 8 minutes; QUICK=1: about 5)
# Storm mode, instead of the parts (bench/fleet/storm.sh, storm.py):
#   bench/fleet/run.sh storm [sqlite|postgresql|both]      (default both; about 3 minutes each)
#   a notification storm: the same fleet and stack, one fleet rule
#   `max by (instance, job) (node_load1)` > 50 on 3 channels (WEBHOOK_URL and
#   STORM_CHANNELS, stored channels, each its own recording receiver,
#   tests/fakes/webhook_receiver.py), Sentinel with GROUP_WAIT_SEC=STORM_GROUP_WAIT
#   (5) and GROUP_INTERVAL_SEC=STORM_GROUP_INTERVAL (10); every host's load
#   flipped above 50 in the fixture exporter, then back: time to the last
#   delivery per channel, messages (target: one per channel per group) and
#   alerts in them, events, outbox rows. Env: STORM_CHANNELS ("slack ntfy";
#   slack, ntfy, webhook), STORM_GROUP_WAIT, STORM_GROUP_INTERVAL, STORMS (3;
#   QUICK=1: 1), STORM_QUIET (3 s), HOSTS, SCRAPE_INTERVAL, SENTINEL_BIN;
#   diagnoses on PostgreSQL: STORM_PG_EXPLAIN=<ms>, STORM_PG_ANALYZE=1 (storm.py).
# Env: HOSTS, SCRAPE_INTERVAL, PARTS ("1 2 3 4"), CYCLES (3), WINDOW (10 s),
#      ROUNDS (3 timed rounds per cycle), STORMS (2), STORM_CHANNEL (webhook|none),
#      POSTGRES (1), CALLS (50 per kind), FEWER (100), CLIENTS ("20 200"),
#      WS_MODES ("full delta"), WS_WINDOW (10), WS_SETTLE (3), CONCURRENCY (16),
#      QUICK=1 (CYCLES=1 WINDOW=6 ROUNDS=2 STORMS=1 CALLS=20 WS_WINDOW=5),
#      SENTINEL_BIN, BENCH_BUILD_DIR (build-bench: ws_load, and Sentinel when
#      there is no build/).
set -euo pipefail
mode=parts
storm_dbs=""
if [ "${1:-}" = storm ]; then
  mode=storm
  storm_dbs=${2:-both}
  case $storm_dbs in sqlite | postgresql | both) ;; *) echo "usage: $0 [storm [sqlite|postgresql|both]]" >&2; exit 2 ;; esac
fi  # other arguments are ignored, as before: bench/run passes its own to every run.sh
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
quick=${QUICK:-0}
q() { if [ "$quick" = 1 ]; then echo "$1"; else echo "$2"; fi; }
hosts=${HOSTS:-1000}
scrape=${SCRAPE_INTERVAL:-15s}
parts=${PARTS:-"1 2 3 4"}
[ "$mode" = storm ] && parts=""
cycles=${CYCLES:-$(q 1 3)}
window=${WINDOW:-$(q 6 10)}
rounds=${ROUNDS:-$(q 2 3)}
storms=${STORMS:-$(q 1 2)}
storm_channel=${STORM_CHANNEL:-webhook}
postgres=${POSTGRES:-1}
calls=${CALLS:-$(q 20 50)}
fewer=${FEWER:-100}
clients=${CLIENTS:-"20 200"}
ws_modes=${WS_MODES:-"full delta"}
ws_window=${WS_WINDOW:-$(q 5 10)}
ws_settle=${WS_SETTLE:-3}
concurrency=${CONCURRENCY:-16}
# All the WebSocket clients log in as one user: past WS_MAX_PER_USER (64 by
# default) Sentinel closes the new ones with 4429.
ws_cap=64
for n in $clients; do [ $((n + 16)) -gt "$ws_cap" ] && ws_cap=$((n + 16)); done
has_part() { case " $parts " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
tools="prometheus python3 curl"
[ "$mode" = parts ] && tools="vmalert $tools"
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps bench" >&2; exit 1; }
done
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)
has_part 4 && load=$(bench_tool ws_load)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d)
chmod 755 "$work"
pid=""; pid_pg=""; prom_pid=""; sink_pid=""
extra_pids=()  # storm mode: the recording receivers
cleanup() {
  for p in "${extra_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$pid_pg" ] && kill "$pid_pg" 2>/dev/null && wait "$pid_pg" 2>/dev/null || true
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null || true
  [ -f "$work/env/env" ] && "$root/scripts/test-env" stop "$work/env" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_file() { for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "$2 did not start" >&2; exit 1; }
reset_peak() { echo 5 > "/proc/$1/clear_refs"; }  # VmHWM := VmRSS (root, or the process's owner)

# The fixture exporter from scripts/test-env; our own Prometheus (15 s scrapes,
# as bench/alerts; rule files loaded from rules/*.yml on POST /-/reload).
"$root/scripts/test-env" start "$work/env" fixture_exporter >/dev/null
exporter=$(grep '^SENTINEL_TEST_FIXTURE_EXPORTER=' "$work/env/env" | cut -d= -f2-)
mkdir -p "$work/prometheus/data" "$work/prometheus/rules"
echo '[]' > "$work/prometheus/targets.json"
cat > "$work/prometheus/prometheus.yml" <<YAML
global:
  scrape_interval: $scrape
  scrape_timeout: ${SCRAPE_TIMEOUT:-10s}
rule_files: ['$work/prometheus/rules/*.yml']
scrape_configs:
  - job_name: fixture
    file_sd_configs:
      - files: ['$work/prometheus/targets.json']
        refresh_interval: 5s
YAML
prom_port=$(free_port)
prom_url="http://127.0.0.1:$prom_port"
prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address="127.0.0.1:$prom_port" --web.enable-lifecycle >"$work/prometheus/log" 2>&1 &
prom_pid=$!
for _ in $(seq 1 200); do curl -fsS "$prom_url/-/ready" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fsS "$prom_url/-/ready" >/dev/null || { echo "prometheus did not start:" >&2; tail "$work/prometheus/log" >&2; exit 1; }

# Extra environment of every Sentinel (storm mode: grouping, and WEBHOOK_URL a receiver).
sentinel_env=()
if [ "$mode" = storm ]; then
  # shellcheck source=bench/fleet/storm.sh
  . "$here/storm.sh"
  storm_start_receivers  # sets webhook_url
  sentinel_env=(GROUP_WAIT_SEC="$storm_group_wait" GROUP_INTERVAL_SEC="$storm_group_interval"
                PUBLIC_URL=https://sentinel.example.com)
else
  python3 "$root/bench/alerts/fleet.py" sink --port-file "$work/sink.port" &
  sink_pid=$!
  wait_file "$work/sink.port" "notifier sink"
  sink_url="http://127.0.0.1:$(cat "$work/sink.port")"
  webhook_url="$sink_url/webhook"
  # Part 2 times the delivery of the storms' notifications, not grouping's waits.
  sentinel_env=(GROUP_WAIT_SEC=0 GROUP_INTERVAL_SEC=1)
fi

# start_sentinel DIR DATABASE_URL: Sentinel in DIR (port in DIR/port, log
# DIR/sentinel.log), pid in $started_pid.
start_sentinel() {
  local dir=$1 db=$2 sport
  mkdir -p "$dir"
  sport=$(free_port)
  echo "$sport" > "$dir/port"
  (cd "$dir" && exec env -i PATH="$PATH" PORT="$sport" DATABASE_URL="$db" \
      SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 LOG_LEVEL=warning \
      FIRST_SUPERUSER_EMAIL=bench@example.com FIRST_SUPERUSER_PASSWORD=bench-password \
      PROMETHEUS_URL="$prom_url" PROMETHEUS_MAX_CONCURRENCY="$concurrency" WEBHOOK_URL="$webhook_url" \
      METRICS_CACHE_TTL_SEC=0 WS_METRICS_INTERVAL_SEC=1 WS_MAX_PER_USER="$ws_cap" "${sentinel_env[@]}" \
      "$bin" serve >>"$dir/sentinel.log" 2>&1) &
  started_pid=$!
  for _ in $(seq 1 1000); do
    curl -fsS "http://127.0.0.1:$sport/api/v1/health/liveness" >/dev/null 2>&1 && return 0
    kill -0 "$started_pid" 2>/dev/null || { echo "sentinel exited:" >&2; tail -n 20 "$dir/sentinel.log" >&2; exit 1; }
    sleep 0.01
  done
  echo "sentinel did not start" >&2; exit 1
}
login() {
  curl -fsS -X POST "http://127.0.0.1:$1/api/v1/auth/login" -d 'username=bench@example.com&password=bench-password' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
check_alive() {  # check_alive PID DIR WHEN
  kill -0 "$1" 2>/dev/null && return 0
  echo "sentinel exited $3:" >&2; tail -n 20 "$2/sentinel.log" >&2; exit 1
}
# start_pg_sentinel: a second Sentinel on a real PostgreSQL (scripts/test-env),
# the same hosts registered there; sets pg_url, pid_pg, port_pg, token_pg.
start_pg_sentinel() {
  "$root/scripts/test-env" start "$work/env" postgres >/dev/null
  pg_url=$(grep '^SENTINEL_TEST_POSTGRES_URL=' "$work/env/env" | cut -d= -f2-)
  if declare -F pg_started_hook >/dev/null; then pg_started_hook; fi  # storm.sh: STORM_PG_EXPLAIN
  start_sentinel "$work/pg" "$pg_url"
  pid_pg=$started_pid
  port_pg=$(cat "$work/pg/port")
  token_pg=$(login "$port_pg")
  python3 "$here/rules.py" register --sentinel "http://127.0.0.1:$port_pg" --token "$token_pg" --hosts "$hosts" \
    --servers-out "$work/pg/servers.json"
}
stop_pg_sentinel() {
  kill "$pid_pg"; wait "$pid_pg" 2>/dev/null || true; pid_pg=""
  "$root/scripts/test-env" stop-service "$work/env" postgres >/dev/null 2>&1 || true
}

start_sentinel "$work/sqlite" "sqlite:///$work/sqlite/sentinel.db"
pid=$started_pid
port=$(cat "$work/sqlite/port")
url="http://127.0.0.1:$port"
token=$(login "$port")

echo "machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))," \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r);" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$hosts hosts scraped every $scrape by Prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}');" \
  "vmalert $(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || echo '?'); Sentinel $bin" \
  "(revision $(curl -fsS "$url/metrics" | sed -n 's/^sentinel_build_info{.*revision="\([^"]*\)".*/\1/p'), built" \
  "$(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'); tree HEAD $(cd "$root" && git log -1 --format=%h 2>/dev/null || echo '?'))"
t0=$(date +%s)
python3 "$root/bench/alerts/fleet.py" hosts --exporter "$exporter" --targets "$work/prometheus/targets.json" \
  --sentinel "$url" --token "$token" --hosts "$hosts" --servers-out "$work/servers.json"
python3 "$root/bench/alerts/fleet.py" wait --prometheus "$prom_url" --hosts "$hosts"
echo "fleet ready in $(( $(date +%s) - t0 )) s (Prometheus has two scrapes of every host)"

if [ "$mode" = storm ]; then
  storm_main
  exit 0
fi

python3 "$here/rules.py" exprs --catalogue "$root/src/prometheus/query_catalogue.cpp" --out "$work/exprs.txt"
python3 "$here/rules.py" create --sentinel "$url" --token "$token" --exprs "$work/exprs.txt" --out "$work/rules.json"
python3 "$here/rules.py" files --exprs "$work/exprs.txt" --prometheus-out "$work/fleet-rules.yml" \
  --vmalert-out "$work/vmalert.yml" --interval 1s --concurrency "$concurrency"
echo "the ten fleet rules (each answered with $hosts series; Sentinel: > 1e12, channel none):"
sed 's/^/  /' "$work/exprs.txt"

if has_part 1; then
  echo
  echo "--- 1. fleet rules: Sentinel vs Prometheus in-process vs vmalert ($cycles cycles of ${window} s windows," \
    "$rounds timed Sentinel rounds per cycle)"
  reset_peak "$pid"
  vm_port=$(free_port)
  python3 "$here/measure.py" rounds --sentinel "$url" --sentinel-pid "$pid" --db "sqlite:///$work/sqlite/sentinel.db" \
    --rules "$work/rules.json" --prometheus-url "$prom_url" --prometheus-pid "$prom_pid" \
    --prometheus-rules "$work/fleet-rules.yml" --prometheus-rules-dir "$work/prometheus/rules" \
    --vmalert "vmalert -rule=$work/vmalert.yml -datasource.url=$prom_url -notifier.url=$sink_url -httpListenAddr=127.0.0.1:$vm_port -loggerLevel=WARN" \
    --vmalert-url "http://127.0.0.1:$vm_port" --vmalert-log "$work/vmalert.log" \
    --cycles "$cycles" --window "$window" --rounds "$rounds" --json-out "$work/part1.json" \
    || { echo "part 1 failed; vmalert log:" >&2; tail -n 20 "$work/vmalert.log" >&2; check_alive "$pid" "$work/sqlite" "in part 1"; exit 1; }
  check_alive "$pid" "$work/sqlite" "in part 1"
fi

if has_part 2; then
  echo
  echo "--- 2. firing storm: $hosts series of one fleet rule fire at once, then resolve ($storms storms," \
    "channel $storm_channel)"
  python3 "$here/rules.py" storm --sentinel "$url" --token "$token" --channel "$storm_channel" --out "$work/storm.json"
  reset_peak "$pid"
  python3 "$here/measure.py" storm --label SQLite --sentinel "$url" --sentinel-pid "$pid" \
    --db "sqlite:///$work/sqlite/sentinel.db" --token "$token" --rule "$work/storm.json" --rules "$work/rules.json" \
    --hosts "$hosts" --storms "$storms" --rounds "$rounds" --channel "$storm_channel" --sink-pid "$sink_pid" --json-out "$work/part2-sqlite.json"
  check_alive "$pid" "$work/sqlite" "in part 2"
  if [ "$postgres" = 1 ]; then
    # A second Sentinel on a real PostgreSQL; the SQLite one idles meanwhile.
    start_pg_sentinel
    python3 "$here/rules.py" create --sentinel "http://127.0.0.1:$port_pg" --token "$token_pg" \
      --exprs "$work/exprs.txt" --out "$work/pg/rules.json"
    python3 "$here/rules.py" storm --sentinel "http://127.0.0.1:$port_pg" --token "$token_pg" \
      --channel "$storm_channel" --out "$work/pg/storm.json"
    reset_peak "$pid_pg"
    python3 "$here/measure.py" storm --label PostgreSQL --sentinel "http://127.0.0.1:$port_pg" --sentinel-pid "$pid_pg" \
      --db "$pg_url" --token "$token_pg" --rule "$work/pg/storm.json" --rules "$work/pg/rules.json" \
      --hosts "$hosts" --storms "$storms" --rounds "$rounds" --channel "$storm_channel" --sink-pid "$sink_pid" --json-out "$work/part2-pg.json"
    check_alive "$pid_pg" "$work/pg" "in part 2 (PostgreSQL)"
    stop_pg_sentinel
  fi
fi

if has_part 3; then
  echo
  echo "--- 3. fleet summary vs one summary (METRICS_CACHE_TTL_SEC=0: every call asks Prometheus; $calls calls each)"
  python3 "$here/summary.py" --sentinel "$url" --token "$token" --prometheus-url "$prom_url" \
    --servers "$work/servers.json" --calls "$calls" --fewer "$fewer" --catalogue "$root/src/prometheus/query_catalogue.cpp" \
    --json-out "$work/part3.json"
  check_alive "$pid" "$work/sqlite" "in part 3"
fi

if has_part 4; then
  echo
  echo "--- 4. /ws/fleet: $clients clients (one run each) x $hosts servers, WS_METRICS_INTERVAL_SEC=1 (${ws_window} s window after" \
    "${ws_settle} s)"
  python3 "$here/ws.py" --load "$load" --sentinel "$url" --sentinel-pid "$pid" --token "$token" \
    --prometheus-url "$prom_url" --prometheus-pid "$prom_pid" --clients "$clients" --modes "$ws_modes" \
    --window "$ws_window" --settle "$ws_settle" --interval 1 --json-out "$work/part4.json"
  check_alive "$pid" "$work/sqlite" "in part 4"
fi

echo
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/report.py" "$work" "$hosts"
