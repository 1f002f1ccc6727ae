# shellcheck shell=bash disable=SC2154,SC2034  # sourced by run.sh, whose variables these are
# Sourced by bench/fleet/run.sh for `run.sh storm [sqlite|postgresql|both]`:
# a notification storm on 3 channels (storm.py has the details). Uses run.sh's
# stack and helpers: $root $here $work $hosts $exporter $prom_url $storm_dbs,
# q, wait_file, start_sentinel, login, reset_peak, check_alive,
# start_pg_sentinel, stop_pg_sentinel, and the SQLite Sentinel ($pid, $port,
# $token) that registered the fleet.

storm_types=${STORM_CHANNELS:-"slack ntfy"}
storm_group_wait=${STORM_GROUP_WAIT:-5}
storm_group_interval=${STORM_GROUP_INTERVAL:-10}
storm_count=${STORMS:-$(q 1 3)}
storm_quiet=${STORM_QUIET:-3}
storm_pg_explain=${STORM_PG_EXPLAIN:-}  # ms: PostgreSQL logs slower statements with their plans (a diagnosis, not for figures)
# STORM_PG_ANALYZE=1: ANALYZE notification_outbox once a phase's rows are queued (a what-if, not for figures)
storm_receivers=()  # NAME=TYPE=URL=PID, for storm.py run --receiver
storm_channels=()   # --channel TYPE=URL, for storm.py setup

# One recording receiver per channel (tests/fakes/webhook_receiver.py):
# "env-webhook" for WEBHOOK_URL (sets $webhook_url), then one per stored type.
storm_start_receivers() {
  local name type url p
  for name in env-webhook $storm_types; do
    type=$name
    [ "$name" = env-webhook ] && type=webhook
    python3 "$root/tests/fakes/webhook_receiver.py" --port 0 --port-file "$work/receiver-$name.port" >/dev/null &
    p=$!
    extra_pids+=("$p")
    wait_file "$work/receiver-$name.port" "receiver $name"
    url="http://127.0.0.1:$(cat "$work/receiver-$name.port")"
    storm_receivers+=("$name=$type=$url=$p")
    if [ "$name" = env-webhook ]; then webhook_url="$url/alertmanager"; else storm_channels+=(--channel "$type=$url"); fi
  done
}

if [ -n "$storm_pg_explain" ]; then
  # Called by start_pg_sentinel before Sentinel connects (session_preload_libraries
  # is read by each new session): statements slower than STORM_PG_EXPLAIN ms are
  # logged with their EXPLAIN ANALYZE (auto_explain), lock waits over 20 ms too
  # (log_lock_waits, deadlock_timeout), and storm.py prints them.
  pg_started_hook() {
    local su=${pg_url/sentinel:sentinel@/postgres@}
    su=${su%/sentinel}/postgres
    psql "$su" -X -q -v ON_ERROR_STOP=1 \
      -c "LOAD 'auto_explain'" -c "ALTER SYSTEM SET log_min_duration_statement = $storm_pg_explain" \
      -c "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" \
      -c "ALTER SYSTEM SET auto_explain.log_min_duration = $storm_pg_explain" \
      -c "ALTER SYSTEM SET auto_explain.log_analyze = on" \
      -c "ALTER SYSTEM SET auto_explain.log_buffers = on" \
      -c "ALTER SYSTEM SET log_lock_waits = on" -c "ALTER SYSTEM SET deadlock_timeout = '20ms'" \
      -c "SELECT pg_reload_conf()" >/dev/null
  }
fi

storm_wants() { [ "$storm_dbs" = both ] || [ "$storm_dbs" = "$1" ]; }

# storm_on LABEL DIR DATABASE_URL PID PORT TOKEN
storm_on() {
  local label=$1 dir=$2 db=$3 spid=$4 sport=$5 stoken=$6 r args=()
  for r in "${storm_receivers[@]}"; do args+=(--receiver "$r"); done
  if [ -n "$storm_pg_explain" ] && [ "${db%%:*}" = postgresql ]; then args+=(--pg-log "$work/env/postgres/server.log"); fi
  if [ "${STORM_PG_ANALYZE:-0}" = 1 ]; then args+=(--pg-analyze); fi
  python3 "$here/storm.py" setup --sentinel "http://127.0.0.1:$sport" --token "$stoken" "${storm_channels[@]}" \
    --out "$dir/storm-setup.json"
  reset_peak "$spid"
  python3 "$here/storm.py" run --label "$label" --sentinel "http://127.0.0.1:$sport" --sentinel-pid "$spid" \
    --db "$db" --token "$stoken" --setup "$dir/storm-setup.json" --exporter "$exporter" --prometheus "$prom_url" \
    --hosts "$hosts" "${args[@]}" --storms "$storm_count" --group-wait "$storm_group_wait" --quiet "$storm_quiet" \
    --json-out "$work/storm-$label.json"
  check_alive "$spid" "$dir" "in the storm ($label)"
}

storm_main() {
  echo
  echo "--- notification storm: $hosts hosts fire at once on $(( $(wc -w <<<"$storm_types") + 1 )) channels" \
    "(WEBHOOK_URL, $storm_types), GROUP_WAIT_SEC=$storm_group_wait GROUP_INTERVAL_SEC=$storm_group_interval," \
    "$storm_count storm(s), on $storm_dbs"
  if storm_wants sqlite; then
    storm_on SQLite "$work/sqlite" "sqlite:///$work/sqlite/sentinel.db" "$pid" "$port" "$token"
  fi
  # The SQLite Sentinel only registered the fleet otherwise: it stops before PostgreSQL's run.
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  if storm_wants postgresql; then
    start_pg_sentinel
    storm_on PostgreSQL "$work/pg" "$pg_url" "$pid_pg" "$port_pg" "$token_pg"
    stop_pg_sentinel
  fi
  echo
  echo "load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$here/storm.py" report "$work/storm-SQLite.json" "$work/storm-PostgreSQL.json"
}
