#!/usr/bin/env bash
# bench/alerts: the alert engine's full evaluation round against a real
# Prometheus on loopback scraping HOSTS (1000) synthetic hosts (one fixture
# exporter process, scripts/test-env; SCRAPE_INTERVAL 15s), with K threshold
# rules (one per host x metric: KS="1000 10000"), compared in one run with
#   * the raw limit: the same K rendered queries sent straight to Prometheus by
#     bench/alerts/query_load.cpp at the same concurrency (CONCURRENCY = 16 =
#     Sentinel's PROMETHEUS_MAX_CONCURRENCY);
#   * vmalert (Debian's victoria-metrics, `scripts/install-deps bench`) with the
#     same K rules in one group of concurrency CONCURRENCY, same Prometheus.
# Sentinel runs on SQLite in a temp dir. A Sentinel round makes every rule due
# at once (UPDATE alert_rules SET next_eval_at on its SQLite file) and ends when
# K more evaluations have finished (GET /metrics); rounds of the three are
# interleaved (bench/alerts/measure.py says how), ROUNDS (5) kept per K after a
# warm-up; medians reported. CPU per round from /proc (all threads), RSS VmRSS.
# Targets (issue "Alert engine"): Sentinel's round <= 1.25 x the raw limit;
# less time and less CPU per round than vmalert.
#   bench/alerts/run.sh
# Env: HOSTS, KS, ROUNDS, CONCURRENCY, SCRAPE_INTERVAL, SENTINEL_BIN,
#      BENCH_BUILD_DIR (build-bench: where query_load is built when missing),
#      COMPARE_BIN: A/B mode, no vmalert: a second Sentinel binary (B, on a
#      copy of A's database) measured in the same cycles as SENTINEL_BIN (A)
#      and the raw client (bench/alerts/compare.py); for changes smaller than
#      this machine's run-to-run noise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
hosts=${HOSTS:-1000}
ks=${KS:-"1000 10000"}
rounds=${ROUNDS:-5}
concurrency=${CONCURRENCY:-16}
scrape=${SCRAPE_INTERVAL:-15s}
for tool in vmalert prometheus python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps bench" >&2; exit 1; }
done
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)
load=$(bench_tool query_load)

work=$(mktemp -d)
chmod 755 "$work"
pid=""; prom_pid=""; sink_pid=""; pid_b=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$pid_b" ] && kill "$pid_b" 2>/dev/null && wait "$pid_b" 2>/dev/null || true
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null && wait "$sink_pid" 2>/dev/null || true
  [ -f "$work/env/env" ] && "$root/scripts/test-env" stop "$work/env" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_file() { for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "$2 did not start" >&2; exit 1; }

# The fixture exporter from scripts/test-env; our own Prometheus, since
# test-env's scrapes every second (1000 targets at 15 s is what 2 cores afford).
"$root/scripts/test-env" start "$work/env" fixture_exporter >/dev/null
exporter=$(grep '^SENTINEL_TEST_FIXTURE_EXPORTER=' "$work/env/env" | cut -d= -f2-)
exporter_pid=$(cat "$work/env/fixture_exporter/pid")
mkdir -p "$work/prometheus/data"
echo '[]' > "$work/prometheus/targets.json"
cat > "$work/prometheus/prometheus.yml" <<YAML
global:
  scrape_interval: $scrape
  scrape_timeout: 10s
scrape_configs:
  - job_name: fixture
    file_sd_configs:
      - files: ['$work/prometheus/targets.json']
        refresh_interval: 5s
YAML
prom_port=$(free_port)
prom_url="http://127.0.0.1:$prom_port"
prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus/log" 2>&1 &
prom_pid=$!
for _ in $(seq 1 200); do curl -fsS "$prom_url/-/ready" >/dev/null 2>&1 && break; sleep 0.05; done
curl -fsS "$prom_url/-/ready" >/dev/null || { echo "prometheus did not start:" >&2; tail "$work/prometheus/log" >&2; exit 1; }

python3 "$here/fleet.py" sink --port-file "$work/sink.port" &
sink_pid=$!
wait_file "$work/sink.port" "notifier sink"

# start_sentinel BIN DIR: Sentinel on SQLite in DIR (DIR/sentinel.db), port
# in DIR/port, pid in $started_pid.
start_sentinel() {
  local sbin=$1 dir=$2 sport
  sport=$(free_port)
  echo "$sport" > "$dir/port"
  (cd "$dir" && exec env -i PATH="$PATH" PORT="$sport" DATABASE_URL="sqlite:///$dir/sentinel.db" \
      SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 LOG_LEVEL=warning \
      FIRST_SUPERUSER_EMAIL=bench@example.com FIRST_SUPERUSER_PASSWORD=bench-password \
      PROMETHEUS_URL="$prom_url" PROMETHEUS_MAX_CONCURRENCY="$concurrency" "$sbin" serve >>"$dir/sentinel.log" 2>&1) &
  started_pid=$!
  for _ in $(seq 1 1000); do
    curl -fsS "http://127.0.0.1:$sport/api/v1/health/liveness" >/dev/null 2>&1 && return 0
    kill -0 "$started_pid" 2>/dev/null || { echo "sentinel ($sbin) exited:" >&2; tail -n 20 "$dir/sentinel.log" >&2; exit 1; }
    sleep 0.01
  done
  echo "sentinel ($sbin) did not start" >&2; exit 1
}
mkdir -p "$work/db"
start_sentinel "$bin" "$work/db"
pid=$started_pid
port=$(cat "$work/db/port")
check_alive() {
  kill -0 "$pid" 2>/dev/null && return 0
  local rc=0; wait "$pid" || rc=$?; pid=""
  echo "sentinel exited ($rc) $1:" >&2; tail -n 20 "$work/db/sentinel.log" >&2; exit 1
}
token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/login" \
        -d 'username=bench@example.com&password=bench-password' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$hosts hosts scraped every $scrape by Prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}');" \
  "vmalert $(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || echo '?'); concurrency $concurrency;" \
  "Sentinel on SQLite ($bin)"
t0=$(date +%s)
python3 "$here/fleet.py" hosts --exporter "$exporter" --targets "$work/prometheus/targets.json" \
  --sentinel "http://127.0.0.1:$port" --token "$token" --hosts "$hosts" --servers-out "$work/servers.json"
python3 "$here/fleet.py" wait --prometheus "$prom_url" --hosts "$hosts"
echo "fleet ready in $(( $(date +%s) - t0 )) s (Prometheus has two scrapes of every host)"
python3 "$root/bench/metrics/catalogue_queries.py" "$root/src/prometheus/query_catalogue.cpp" '$instance' '$job' \
  > "$work/templates.txt"

have=0
for k in $ks; do
  t0=$(date +%s)
  python3 "$here/fleet.py" rules --sentinel "http://127.0.0.1:$port" --token "$token" --servers "$work/servers.json" \
    --templates "$work/templates.txt" --first "$have" --count "$k"
  have=$k
  python3 "$here/fleet.py" files --servers "$work/servers.json" --templates "$work/templates.txt" --count "$k" \
    --queries-out "$work/queries-$k.txt" --vmalert-out "$work/vmalert-$k.yml" --concurrency "$concurrency"
  echo
  echo "--- K = $k rules ($(( $(date +%s) - t0 )) s to create them through the API)"
  if [ -n "${COMPARE_BIN:-}" ]; then
    # B: a second Sentinel on a copy of A's database (the same servers and
    # rules), measured in the same cycles as A and the raw client.
    [ -n "$pid_b" ] && { kill "$pid_b"; wait "$pid_b" 2>/dev/null || true; pid_b=""; }
    rm -rf "$work/db-b" && mkdir -p "$work/db-b"
    python3 -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[2]); sqlite3.connect(sys.argv[1]).backup(d); d.close()' \
      "$work/db/sentinel.db" "$work/db-b/sentinel.db"
    start_sentinel "$COMPARE_BIN" "$work/db-b"
    pid_b=$started_pid
    python3 "$here/compare.py" --k "$k" --rounds "$rounds" --prometheus-pid "$prom_pid" --prometheus-url "$prom_url" \
      --a "http://127.0.0.1:$port" --a-pid "$pid" --a-db "$work/db/sentinel.db" \
      --b "http://127.0.0.1:$(cat "$work/db-b/port")" --b-pid "$pid_b" --b-db "$work/db-b/sentinel.db" \
      --raw "$load --port $prom_port --queries $work/queries-$k.txt --concurrency $concurrency"
    check_alive "during K=$k"
    continue
  fi
  vm_port=$(free_port)
  python3 "$here/measure.py" --k "$k" --rounds "$rounds" --sentinel "http://127.0.0.1:$port" --sentinel-pid "$pid" \
    --db "$work/db/sentinel.db" --prometheus-pid "$prom_pid" --prometheus-url "$prom_url" \
    --raw "$load --port $prom_port --queries $work/queries-$k.txt --concurrency $concurrency" \
    --raw-gzip "$load --port $prom_port --queries $work/queries-$k.txt --concurrency $concurrency --accept-encoding gzip" \
    --vmalert "vmalert -rule=$work/vmalert-$k.yml -datasource.url=$prom_url -notifier.url=http://127.0.0.1:$(cat "$work/sink.port") -httpListenAddr=127.0.0.1:$vm_port -loggerLevel=WARN" \
    --vmalert-url "http://127.0.0.1:$vm_port" --vmalert-log "$work/vmalert-$k.log" --json-out "$work/k$k.json" \
    || { echo "measurement failed; vmalert log:" >&2; tail -n 20 "$work/vmalert-$k.log" >&2; check_alive "during K=$k"; exit 1; }
  check_alive "during K=$k"
done

[ -n "${COMPARE_BIN:-}" ] && exit 0
echo
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg); fixture exporter CPU so far $(python3 -c "import os; print(round(sum(int(open('/proc/$exporter_pid/task/%s/schedstat' % t).read().split()[0]) for t in os.listdir('/proc/$exporter_pid/task')) / 1e9, 1))") s"
python3 - "$work" $ks <<'PY'
import json, sys
work, ks = sys.argv[1], sys.argv[2:]
rows = [json.load(open("%s/k%s.json" % (work, k)))["summary"] for k in ks]
print("%-46s" % "median per round" + "".join("%16s" % ("K=%s" % r["k"]) for r in rows))
def line(label, fmt, f):
    print("%-46s" % label + "".join("%16s" % (fmt % f(r)) for r in rows))
line("raw limit: time (s)", "%.3f", lambda r: r["raw_seconds"])
line("raw, asking for gzip like vmalert: time (s)", "%.3f", lambda r: r["raw_gzip_seconds"])
line("Sentinel: time (s), first query to last", "%.3f", lambda r: r["sentinel_seconds"])
line("Sentinel: time from trigger (s, +poll wait)", "%.3f", lambda r: r["sentinel_from_trigger"])
line("vmalert: time (s)", "%.3f", lambda r: r["vmalert_seconds"])
line("Sentinel / raw (paired median)", "%.2f", lambda r: r["sentinel_over_raw"])
line("Sentinel / vmalert time", "%.2f", lambda r: r["sentinel_seconds"] / r["vmalert_seconds"])
line("CPU s: raw client", "%.3f", lambda r: r["raw_cpu"])
line("CPU s: Sentinel", "%.3f", lambda r: r["sentinel_cpu"])
line("CPU s: vmalert", "%.3f", lambda r: r["vmalert_cpu"])
line("Prometheus CPU s: raw / Sentinel / vmalert", "%s",
     lambda r: "%.2f/%.2f/%.2f" % (r["raw_prometheus_cpu"], r["sentinel_prometheus_cpu"], r["vmalert_prometheus_cpu"]))
line("Prometheus CPU s: raw asking for gzip", "%.2f", lambda r: r["raw_gzip_prometheus_cpu"])
line("  (Prometheus CPU s/s when idle: scraping)", "%.3f", lambda r: r["prometheus_idle_cpu_per_second"])
line("RSS MiB: Sentinel (peak)", "%s", lambda r: "%d (%d)" % (r["sentinel_rss_kb"] // 1024, r["sentinel_hwm_kb"] // 1024))
line("RSS MiB: vmalert (peak)", "%s", lambda r: "%d (%d)" % (r["vmalert_rss_kb"] // 1024, r["vmalert_hwm_kb"] // 1024))
line("cycles kept (dropped)", "%s", lambda r: "%d (%d)" % (r["rounds"], r["dropped"]))
line("errors: Sentinel / vmalert / raw", "%s",
     lambda r: "%d/%d/%d" % (r["sentinel_errors"], r["vmalert_errors"], r["raw_errors"]))
for r in rows:
    ok = lambda c: "met" if c else "NOT met"
    print("K=%d targets: Sentinel <= 1.25 x raw: %s (%.2f x); faster than vmalert: %s (%.3f vs %.3f s);"
          " less CPU than vmalert: %s (%.3f vs %.3f s)"
          % (r["k"], ok(r["sentinel_over_raw"] <= 1.25), r["sentinel_over_raw"],
             ok(r["sentinel_seconds"] < r["vmalert_seconds"]), r["sentinel_seconds"], r["vmalert_seconds"],
             ok(r["sentinel_cpu"] < r["vmalert_cpu"]), r["sentinel_cpu"], r["vmalert_cpu"]))
PY
