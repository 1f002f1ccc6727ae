#!/usr/bin/env bash
# bench/console: the web console (web/, embedded in Sentinel, GET /) in
# headless Chromium with a fleet of HOSTS (1000) servers. The fleet is the
# one of bench/alerts: HOSTS synthetic hosts in one fixture exporter
# (scripts/test-env), scraped every SCRAPE_INTERVAL (15s) by the script's own
# Prometheus, each registered as a Sentinel server through the API
# (bench/alerts/fleet.py). The exporter's numbers are fixed per host, so a
# live fleet would only change by rate noise the console does not show:
# bench/console/churn.py gives every host new values once per scrape interval
# (CHURN=0: leave them fixed). Sentinel: Release build, SQLite in a temp dir,
# WS_METRICS_INTERVAL_SEC=1. Debian's /usr/bin/chromium is driven by
# bench/console/console.mjs with tests/e2e's playwright-core; the session is
# signed in by putting a token (POST /api/v1/auth/login) in sessionStorage
# ("sentinel.token", web/src/lib/session.ts) before the console's scripts run.
#   1. first load of /servers in a fresh context: bytes received per response
#      (DevTools Network.loadingFinished encodedDataLength, headers + body as
#      on the wire, with the browser's own Accept-Encoding).
#      Target: JS + CSS <= 150 KiB gzipped.
#   2. time from navigation start to every row showing values: the fleet
#      table holds HOSTS rows (in the page, or announced by aria-rowcount when
#      only the rows near the viewport are in the page), each row in the page
#      has a percentage in its CPU cell (not the "—" placeholder) and its
#      server's name, and those rows reach the bottom of the viewport, seen
#      in a requestAnimationFrame callback; the time is that of the first task
#      after the frame's layout and paint. RUNS (7) loads each: (a) fresh
#      context (empty cache), no other /ws/fleet client, so the page's first
#      frame waits for Sentinel's first fleet poll, as the first viewer's
#      does; (b) fresh context while frames.py is connected (the latest frame
#      is sent at once); (c) the same tab again (cached assets), frames.py
#      connected. Then jumps to the middle and the end of the table.
#      Target: median < 1.5 s.
#   3. one page left open, WS_METRICS_INTERVAL_SEC=1: main-thread time per
#      live update over WINDOW (60 s): DevTools Performance.getMetrics
#      TaskDuration (and Script/Layout/RecalcStyle) deltas / the /ws/fleet
#      frames the page received, in wall time (the verdict) and, through a
#      second session, thread CPU time; long tasks (PerformanceObserver
#      'longtask');
#      then a TRACE_WINDOW (15 s) Chrome trace for the distribution per
#      update. bench/console/frames.py, a second /ws/fleet?delta=1 client,
#      counts the rows each update carries. Target: < 50 ms per update, no
#      long task > 100 ms.
#   4. the same page's JS heap (Performance.getMetrics JSHeapUsedSize after
#      HeapProfiler.collectGarbage) 1 min after its values showed and every
#      minute until DURATION (600 s). Target: growth <= 20 %.
#   bench/console/run.sh          (about 16 minutes; QUICK=1: about 6)
# Env: HOSTS, SCRAPE_INTERVAL, CHURN (1), RUNS (7), WINDOW (60), TRACE_WINDOW
#      (15), DURATION (600 s of live updates), PARTS ("1 2 3": 3 is parts 3
#      and 4), QUICK=1 (RUNS=5 WINDOW=30 TRACE_WINDOW=10 DURATION=120; not for
#      recorded results), SENTINEL_BIN, BENCH_BUILD_DIR (build-bench: Sentinel
#      when there is no build/), E2E_NODE_MODULES (playwright-core: default
#      tests/e2e/node_modules, else the build trees' copies), CHROMIUM
#      (/usr/bin/chromium), NODE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
quick=${QUICK:-0}
q() { if [ "$quick" = 1 ]; then echo "$1"; else echo "$2"; fi; }
hosts=${HOSTS:-1000}
scrape=${SCRAPE_INTERVAL:-15s}
churn=${CHURN:-1}
runs=${RUNS:-$(q 5 7)}
window=${WINDOW:-$(q 30 60)}
trace_window=${TRACE_WINDOW:-$(q 10 15)}
duration=${DURATION:-$(q 120 600)}
parts=${PARTS:-"1 2 3"}
node=${NODE:-node}
chromium=${CHROMIUM:-/usr/bin/chromium}
for tool in prometheus python3 curl "$node"; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps all" >&2; exit 1; }
done
[ -x "$chromium" ] || { echo "$chromium missing: scripts/install-deps installs Debian's chromium" >&2; exit 1; }
modules=${E2E_NODE_MODULES:-}
if [ -z "$modules" ]; then
  for m in "$root/tests/e2e/node_modules" "$root"/build*/tests/e2e/node_modules; do
    [ -d "$m/playwright-core" ] && { modules=$m; break; }
  done
fi
[ -n "$modules" ] && [ -d "$modules/playwright-core" ] ||
  { echo "playwright-core not found: (cd tests/e2e && npm ci), or set E2E_NODE_MODULES" >&2; exit 1; }
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)
# The console is compiled into the binary: say so when web/ changed after it.
newer=$(find "$root/web/src" "$root/web/build.mjs" -newer "$bin" -type f 2>/dev/null | head -n 3)
[ -z "$newer" ] || echo "warning: $bin is older than $(echo "$newer" | tr '\n' ' ')(the console measured is the embedded one)" >&2

work=$(mktemp -d)
chmod 755 "$work"
pid=""; prom_pid=""; churn_pid=""
cleanup() {
  [ -n "$churn_pid" ] && kill "$churn_pid" 2>/dev/null && wait "$churn_pid" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null || true
  [ -f "$work/env/env" ] && "$root/scripts/test-env" stop "$work/env" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The fixture exporter from scripts/test-env; our own Prometheus (15 s scrapes,
# as bench/alerts: 1000 targets at 1 s would be more than 2 cores afford).
"$root/scripts/test-env" start "$work/env" fixture_exporter >/dev/null
exporter=$(grep '^SENTINEL_TEST_FIXTURE_EXPORTER=' "$work/env/env" | cut -d= -f2-)
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

# Sentinel on SQLite in the temp dir; live values every second.
mkdir -p "$work/db"
port=$(free_port)
url="http://127.0.0.1:$port"
(cd "$work/db" && exec env -i PATH="$PATH" PORT="$port" DATABASE_URL="sqlite:///$work/db/sentinel.db" \
    SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 LOG_LEVEL=warning \
    FIRST_SUPERUSER_EMAIL=bench@example.com FIRST_SUPERUSER_PASSWORD=bench-password \
    PROMETHEUS_URL="$prom_url" WS_METRICS_INTERVAL_SEC=1 "$bin" serve >>"$work/db/sentinel.log" 2>&1) &
pid=$!
for _ in $(seq 1 1000); do
  curl -fsS "$url/api/v1/health/liveness" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "sentinel exited:" >&2; tail -n 20 "$work/db/sentinel.log" >&2; exit 1; }
  sleep 0.01
done
curl -fsS "$url/api/v1/health/liveness" >/dev/null || { echo "sentinel did not start" >&2; exit 1; }
token=$(curl -fsS -X POST "$url/api/v1/auth/login" -d 'username=bench@example.com&password=bench-password' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r);" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); uptime:$(uptime | sed 's/.*load average/ load average/')"
echo "$hosts hosts scraped every $scrape by Prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}');" \
  "$("$chromium" --version 2>/dev/null | head -n 1); node $("$node" --version);" \
  "playwright-core $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$modules/playwright-core/package.json")"
echo "Sentinel $bin (revision $(curl -fsS "$url/metrics" | sed -n 's/^sentinel_build_info{.*revision="\([^"]*\)".*/\1/p'), built" \
  "$(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'); tree HEAD $(cd "$root" && git log -1 --format=%h 2>/dev/null || echo '?'))"
t0=$(date +%s)
python3 "$root/bench/alerts/fleet.py" hosts --exporter "$exporter" --targets "$work/prometheus/targets.json" \
  --sentinel "$url" --token "$token" --hosts "$hosts" --servers-out "$work/servers.json"
python3 "$root/bench/alerts/fleet.py" wait --prometheus "$prom_url" --hosts "$hosts"
echo "fleet ready in $(( $(date +%s) - t0 )) s (Prometheus has two scrapes of every host)"
if [ "$churn" = 1 ]; then
  period=$(python3 -c 'import re,sys; v,u=re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)",sys.argv[1]).groups(); print(float(v)*{"ms":.001,"s":1,"m":60}[u])' "$scrape")
  python3 "$here/churn.py" --exporter "$exporter" --hosts "$hosts" --period "$period" &
  churn_pid=$!
  echo "churn.py: every host gets new CPU, memory, disk and load values once per ${scrape} (as its scrape comes)"
else
  echo "CHURN=0: every host keeps its values; updates only carry rate noise"
fi
echo

SENTINEL_URL="$url" TOKEN="$token" HOSTS="$hosts" RUNS="$runs" WINDOW="$window" TRACE_WINDOW="$trace_window" \
  DURATION="$duration" PARTS="$parts" E2E_NODE_MODULES="$modules" CHROMIUM="$chromium" \
  FRAMES_PY="$here/frames.py" FRAMES="$work/frames.jsonl" OUT="$work/console.json" \
  "$node" "$here/console.mjs"
kill -0 "$pid" 2>/dev/null || { echo "sentinel exited during the run:" >&2; tail -n 20 "$work/db/sentinel.log" >&2; exit 1; }

echo
echo "uptime at the end:$(uptime | sed 's/.*load average/ load average/')"
