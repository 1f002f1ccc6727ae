#!/usr/bin/env bash
# bench/stack: the scale-out stack of scripts/stack (PostgreSQL, Redis, Prometheus,
# node_exporter, nginx in front of the API processes), in a temp STACK_DIR, measured
# twice on the same data: with 1 API + 1 worker process, then with 2 + 2.
#   * API: wrk (THREADS, CONNECTIONS, DURATION) on GET /api/v1/servers/{id} with a
#     bearer token, through nginx and, for reference, straight to api-1;
#   * alert engine: RULES (10 000) rules on this machine's server (the ten summary
#     queries, never firing, bench/stack/measure.py rules); ROUNDS (3) rounds where every
#     rule is made due at once: round time, evaluations per worker, exactly once;
#   * memory: VmRSS and VmHWM (peak) of every Sentinel process at idle, then the peak
#     under that load (VmHWM reset after the login, /proc/PID/clear_refs).
# Targets (issue "Deployment and operations"): with 2 workers every rule evaluated exactly
# once per round and neither worker above 60 % of the rules; no Sentinel process above
# 64 MB RSS.
#   bench/stack/run.sh
# Env: RULES, ROUNDS, DURATION (10s), CONNECTIONS (64), THREADS (2), SENTINEL_BIN.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rules=${RULES:-10000}
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
conns=${CONNECTIONS:-64}
threads=${THREADS:-2}
for tool in wrk nginx prometheus psql python3 curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: scripts/install-deps all" >&2; exit 1; }
done
# shellcheck disable=SC2034 # read by build_tools.sh
build_dir=${BENCH_BUILD_DIR:-$root/build-bench}
# shellcheck source=bench/build_tools.sh
. "$root/bench/build_tools.sh"
bin=$(sentinel_bin)  # SENTINEL_BIN, else build/ (make build), else build-bench/

work=$(mktemp -d)
chmod 755 "$work"  # the postgres user must reach the stack's database folder
export STACK_DIR=$work/stack SENTINEL_BIN=$bin LOG_LEVEL=warning
unset STACK_PORT TELEGRAM_BOT_TOKEN TELEGRAM_CHAT_ID WEBHOOK_URL
cleanup() {
  "$root/scripts/stack" stop --purge >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

var() { grep "^$1=" "$STACK_DIR/stack.env" | cut -d= -f2- | tr -d "'"; }
results=$work/results
mkdir -p "$results"

# wrk → "req/s p50 p99"
run_wrk() {
  local out rps p50 p99
  out=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency "$@" 2>&1)
  if echo "$out" | grep -q 'Non-2xx'; then echo "$out" | grep 'Non-2xx' >&2; fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $p50 $p99"
}

sentinel_procs() {  # NAME=PID of every Sentinel process
  local n
  for n in $(seq 1 "$(var STACK_APIS)"); do echo "api-$n=$(var "PID_API_$n")"; done
  for n in $(seq 1 "$(var STACK_WORKERS)"); do echo "worker-$n=$(var "PID_WORKER_$n")"; done
}

phase() {  # phase <apis> <workers>
  local n=$1 w=$2 tag="${1}api-${2}worker"
  STACK_APIS=$n STACK_WORKERS=$w "$root/scripts/stack" start >/dev/null
  local url server_id db
  url=$(var STACK_URL); server_id=$(var SERVER_ID); db=$(var DATABASE_URL)
  local api1; api1=$(var API_PORTS | cut -d' ' -f1)
  sleep 3
  # shellcheck disable=SC2046
  python3 "$here/measure.py" rss $(sentinel_procs) > "$results/$tag-idle.json"

  local token
  token=$(curl -fsS -X POST "$url/api/v1/auth/login" \
          -d "username=admin@example.com&password=$(cat "$STACK_DIR/admin-password")" \
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  # Peaks from here on are the load's, not the logins' Argon2id (64 MiB by design, bench/api).
  # shellcheck disable=SC2046
  python3 "$here/measure.py" rss --reset $(sentinel_procs) > /dev/null
  if [ "$n" = 1 ]; then
    # The example rules of scripts/stack pause: only the bench rules are evaluated.
    for id in $(curl -fsS "$url/api/v1/alerts/rules/?server_id=$server_id&limit=1000" -H "Authorization: Bearer $token" \
                | python3 -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin) if not r["name"].startswith("bench-")))'); do
      curl -fsS -o /dev/null -X PATCH "$url/api/v1/alerts/rules/$id" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d '{"is_active": false}'
    done
    local t0; t0=$(date +%s)
    python3 "$here/measure.py" rules --url "$url" --token "$token" --server-id "$server_id" --count "$rules"
    echo "$rules rules created through nginx in $(( $(date +%s) - t0 )) s" >&2
  fi

  echo "--- $n API process(es), $w worker(s)" >&2
  local lb direct
  lb=$(run_wrk -H "Authorization: Bearer $token" "$url/api/v1/servers/$server_id")
  direct=$(run_wrk -H "Authorization: Bearer $token" "http://127.0.0.1:$api1/api/v1/servers/$server_id")
  echo "$lb" > "$results/$tag-wrk-nginx"
  echo "$direct" > "$results/$tag-wrk-direct"
  echo "  GET /servers/{id} through nginx: $lb; direct to api-1: $direct (req/s p50 p99)" >&2

  local specs=() i
  for i in $(seq 1 "$w"); do
    specs+=("worker-$i=$(var WORKER_PORTS | cut -d' ' -f"$i"):$(var "PID_WORKER_$i")")
  done
  python3 "$here/measure.py" rounds --db "$db" --workers "${specs[@]}" --k "$rules" --rounds "$rounds" \
    --json-out "$results/$tag-rounds.json" >/dev/null
  # shellcheck disable=SC2046
  python3 "$here/measure.py" rss $(sentinel_procs) > "$results/$tag-load.json"
  "$root/scripts/stack" stop >/dev/null
}

echo "machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -n 1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Sentinel $bin; wrk $threads threads, $conns connections, $duration; $rules rules, $rounds rounds"
phase 1 1
phase 2 2
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" <<'PY'
import json, os, sys
d = sys.argv[1]
def load(name):
    return json.load(open(os.path.join(d, name)))
def wrk(name):
    return open(os.path.join(d, name)).read().split()
print()
print("%-34s %12s %10s %10s" % ("GET /api/v1/servers/{id} (auth)", "req/s", "p50", "p99"))
for tag, label in (("1api-1worker", "1 API"), ("2api-2worker", "2 API")):
    for via in ("nginx", "direct"):
        rps, p50, p99 = wrk("%s-wrk-%s" % (tag, via))
        print("%-34s %12s %10s %10s" % ("%s, %s" % (label, "through nginx" if via == "nginx" else "direct to api-1"),
                                        rps, p50, p99))
print()
ok = lambda c: "met" if c else "NOT met"
for tag in ("1api-1worker", "2api-2worker"):
    r = load("%s-rounds.json" % tag)
    shares = {}
    for rnd in r["rounds"]:
        for w, s in rnd["share"].items():
            shares.setdefault(w, []).append(s)
    print("%d worker(s), %d rules: round median %.3f s (rounds %s), worker CPU per round %.2f s, "
          "every rule exactly once per round: %s; shares %s; errors %d, skipped %d"
          % (r["workers"], r["k"], r["median_seconds"], ", ".join("%.3f" % x["seconds"] for x in r["rounds"]),
             r["median_cpu_total"], ok(r["all_exactly_once"]),
             ", ".join("%s %s" % (w, "/".join("%.1f %%" % (100 * s) for s in v)) for w, v in shares.items()),
             sum(x["errors"] for x in r["rounds"]), sum(x["skipped"] for x in r["rounds"])))
r2 = load("2api-2worker-rounds.json")
print("target, 2 workers: exactly once %s; neither worker above 60 %%: %s (max %.1f %%)"
      % (ok(r2["all_exactly_once"]), ok(r2["max_share"] <= 0.60), 100 * r2["max_share"]))
print()
print("%-12s %-10s %14s %14s %18s" % ("stack", "process", "idle RSS MiB", "idle peak MiB", "peak under load MiB"))
worst = 0
for tag in ("1api-1worker", "2api-2worker"):
    idle, busy = load("%s-idle.json" % tag), load("%s-load.json" % tag)
    for name in idle:
        worst = max(worst, busy[name]["hwm_kb"], idle[name]["hwm_kb"])
        print("%-12s %-10s %14.1f %14.1f %18.1f" % (tag, name, idle[name]["rss_kb"] / 1024, idle[name]["hwm_kb"] / 1024,
                                                  busy[name]["hwm_kb"] / 1024))
load_worst = max(load("%s-load.json" % t)[n]["hwm_kb"] for t in ("1api-1worker", "2api-2worker")
                 for n in load("%s-load.json" % t))
print("target: no Sentinel process above 64 MB (61.0 MiB): under load %s (max %.1f MiB); "
      "counting the peak since start (login's Argon2id) %s (max %.1f MiB)"
      % (ok(load_worst <= 64e6 / 1024), load_worst / 1024, ok(worst <= 64e6 / 1024), worst / 1024))
PY
