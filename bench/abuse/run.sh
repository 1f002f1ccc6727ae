#!/usr/bin/env bash
# bench/abuse: does a login flood plus idle connections hurt anyone else?
# Sentinel (Release, SQLite in a temp dir, defaults: LOGIN_HASH_CONCURRENCY 2,
# MAX_CONNECTIONS_PER_CLIENT 256) reads a Prometheus from scripts/test-env
# scraping the fixture exporter; RULES (2000) fleet rules are stored. Then
# bench/abuse/abuse.py measures, in one run, quiet and attack phases in turn
# (Q A Q A Q; attack: IDLE = 2000 kept-alive idle connections from
# 127.0.1.1..8 and RATE = 200 wrong logins per second from 127.0.0.2..51):
#   * authenticated GET /api/v1/servers/{id}: p50/p99 at a fixed 200 req/s;
#   * an alert round: RULES rules made due at once, first query to last
#     evaluation (as bench/alerts measures a round); ROUNDS (5) per phase.
# Targets (product.md §7): under attack the GET p99 < 2 x quiet, the alert
# round < 1.2 x quiet.
#   bench/abuse/run.sh
# Env: RULES, ROUNDS, IDLE, RATE, SENTINEL_BIN (else build/ or build-bench/),
#      SENTINEL_ENV: more settings for Sentinel ("LOGIN_HASH_CONCURRENCY=1").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
rules=${RULES:-2000}
rounds=${ROUNDS:-5}
idle=${IDLE:-2000}
rate=${RATE:-200}
for tool in prometheus python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps all" >&2; exit 1; }
done
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)

work=$(mktemp -d)
chmod 755 "$work"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -f "$work/env/env" ] && "$root/scripts/test-env" stop "$work/env" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# The client side holds IDLE connections plus the flood's and the probe's.
ulimit -n "$(ulimit -Hn)"

"$root/scripts/test-env" start "$work/env" fixture_exporter prometheus >/dev/null
envval() { grep "^$1=" "$work/env/env" | cut -d= -f2-; }
prom_url=$(envval SENTINEL_TEST_PROMETHEUS_URL)
exporter=$(envval SENTINEL_TEST_FIXTURE_EXPORTER)
targets=$(envval SENTINEL_TEST_FIXTURE_TARGETS_DIR)
prom_pid=$(cat "$work/env/prometheus/pid")
echo "[{\"targets\": [\"$exporter\"]}]" > "$targets/abuse.json"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/db"
(cd "$work/db" && exec env -i PATH="$PATH" PORT="$port" DATABASE_URL="sqlite:///$work/db/sentinel.db" \
    SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 LOG_LEVEL=error \
    FIRST_SUPERUSER_EMAIL=admin@example.com FIRST_SUPERUSER_PASSWORD=bench-password \
    PROMETHEUS_URL="$prom_url" ${SENTINEL_ENV:-} "$bin" serve >>"$work/db/sentinel.log" 2>&1) &
pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 500); do curl -fsS "$url/api/v1/health/liveness" >/dev/null 2>&1 && break; sleep 0.02; done
curl -fsS "$url/api/v1/health/liveness" >/dev/null || { echo "sentinel did not start:" >&2; tail "$work/db/sentinel.log" >&2; exit 1; }
token=$(curl -fsS -X POST "$url/api/v1/auth/login" -d 'username=admin@example.com&password=bench-password' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# One server to GET, and RULES fleet rules (one cheap query each, never firing).
python3 - "$url" "$token" "$rules" "$work/server_id" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
url, token, rules, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)
server = post("/api/v1/servers/", {"name": "abuse-1", "job_name": "fixture", "instance": "127.0.0.1:1"})
open(out, "w").write(str(server["id"]))
def rule(j):
    post("/api/v1/alerts/rules/", {"name": "abuse-%d" % j, "server_id": None, "metric_name": "custom",
                                   "promql": "count(up) + %d" % j, "threshold": 1e12, "comparison": ">",
                                   "channel": "none", "eval_interval_sec": 86400})
with ThreadPoolExecutor(8) as ex:
    list(ex.map(rule, range(rules)))
PY

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Sentinel on SQLite ($bin); $rules fleet rules; $idle idle connections and $rate wrong logins/s from 50 addresses under attack"
python3 "$here/abuse.py" --url "$url" --token "$token" --server-id "$(cat "$work/server_id")" \
  --sentinel-pid "$pid" --prometheus-pid "$prom_pid" --db "$work/db/sentinel.db" --rules "$rules" --rounds "$rounds" \
  --idle "$idle" --rate "$rate" --owner-password bench-password --workdir "$work" --json-out "$work/abuse.json"
kill -0 "$pid" 2>/dev/null || { echo "sentinel exited during the run:" >&2; tail -n 20 "$work/db/sentinel.log" >&2; exit 1; }
echo "Sentinel RSS after: $(awk '/VmRSS/ {print int($2/1024) " MiB"}' /proc/$pid/status), peak $(awk '/VmHWM/ {print int($2/1024) " MiB"}' /proc/$pid/status)"
