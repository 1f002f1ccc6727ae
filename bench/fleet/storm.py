#!/usr/bin/env python3
"""bench/fleet storm mode: a notification storm on three channels (stdlib only).

    storm.py setup   --sentinel URL --token JWT --channel TYPE=RECEIVER_URL [--channel ...] --out FILE
        Creates one stored channel per --channel (slack, ntfy or webhook,
        each pointing at its own recording receiver) and the storm rule: a
        fleet rule (server_id null) `max by (instance, job) (node_load1)`
        > 50, channel "webhook" (the environment's WEBHOOK_URL, a third
        receiver) plus the stored channels (channel_ids), repeat_interval_sec
        0, eval_interval_sec 86400 (the script makes it due itself), group
        wait and interval left to GROUP_WAIT_SEC / GROUP_INTERVAL_SEC.
        Writes {"rule": id, "channels": {"slack": id, ...}}.
    storm.py run     --label L --sentinel URL --sentinel-pid PID --db URL --token JWT --setup FILE
                     --exporter H:P --prometheus URL --hosts N [--prefix bench]
                     --receiver NAME=TYPE=URL=PID (one per channel) [--storms 1] [--group-wait 5]
                     [--quiet 3] [--timeout 120] --json-out FILE
        Per storm, a firing phase then a resolution phase. A phase:
          1. the receivers forget what they recorded (DELETE /_requests);
          2. the flip: every host's node_load1 PATCHed in the fixture exporter
             (100 to fire; its own value back to resolve), then Prometheus
             polled until all N hosts are above 50 (or none is): Prometheus
             scrapes the hosts at spread offsets over its interval, so the
             flip is made visible to the rule in ONE evaluation by parking
             the rule meanwhile (next_eval_at far away) and making it due
             only once Prometheus shows all N;
          3. trigger: next_eval_at = now - 1 on Sentinel's database; the
             claim (the scheduler's next poll, <= 250 ms) is the start of
             the storm ("eval");
          4. until: the evaluation recorded (GET /metrics), N events of the
             phase readable through the API, and every outbox row of the
             rule delivered (no row pending; N rows per channel of this
             phase's kind), polled every 50 ms; then --quiet seconds more,
             so that a late extra message would be counted;
          5. read back: every request each receiver recorded in the phase
             (arrival times, messages, alerts listed), the outbox rows (per
             channel: status, group_at = when the group was due, attempts),
             the events (count, distinct servers, first created_at /
             resolved_at), sentinel_notifications_total, CPU of Sentinel,
             of the receivers and of PostgreSQL from trigger to the end.
        The outbox is also polled (every 20 ms) for the moment the
        dispatcher's claim of the phase's rows has committed (a lease set,
        or a row done), which splits the dispatcher's share into "group due
        → claimed" (its 500 ms poll plus the claim query) and "claimed →
        delivered". On PostgreSQL, the outbox's statistics at the trigger
        (rows changed since the last ANALYZE) are printed too.
        Figures per channel: last delivery - eval (the claim), - the first
        event's created_at (whole seconds), - group due (group_at: the
        dispatcher's share), messages (target: one per channel per group of
        at most 1 000 alerts), alerts in them (webhook: the payload's alerts
        and their distinct instances; Slack and ntfy: the count in the title,
        and "listed" = series shown + "… and N more").
        Diagnoses (not for recorded figures): --pg-log FILE prints the
        statements PostgreSQL logged in each phase with a duration (run.sh
        STORM_PG_EXPLAIN=<ms> sets log_min_duration_statement, auto_explain
        with ANALYZE and log_lock_waits); --pg-analyze runs ANALYZE
        notification_outbox as soon as the phase's rows are queued
        (STORM_PG_ANALYZE=1).
    storm.py report  FILE...   the table of the runs' JSON files (one per database)
"""
import argparse
import json
import math
import os
import re
import sys
import time
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(root, "bench", "alerts"))
import fleet  # noqa: E402  bench/alerts/fleet.py: request, run_parallel, host_name, prom_scalar


def _fleet_measure():
    """bench/fleet/measure.py (bench/alerts has a measure.py too)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("fleet_measure", os.path.join(here, "measure.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


measure = _fleet_measure()  # Db, Sentinel, Events, cpu_ns, postgres_pids, others_cpu, median, status_kb

EXPR = "max by (instance, job) (node_load1)"
THRESHOLD = 50.0
HIGH = 100.0
RULE_NAME = "fleet-load-storm"
MAX_GROUP_ROWS = 1000  # OutboxRepository::max_group_rows
ENV_RECEIVER = "env-webhook"  # the receiver of WEBHOOK_URL (rule channel "webhook"); the others are stored channels
TITLE_RE = re.compile(r"\[(FIRING|RESOLVED):(\d+)\]")
MORE_RE = re.compile(r"and (\d+) more")
OFFSET = time.time() - time.monotonic()  # monotonic -> wall clock (the receivers record time.time())


def channel_settings(type_, url):
    if type_ == "slack":
        return {"webhook_url": url + "/services/T0BENCH/B0BENCH/stormBenchSecret"}
    if type_ == "ntfy":
        return {"url": url + "/sentinel-storm"}
    if type_ == "webhook":
        return {"url": url + "/stored-hook"}
    sys.exit("storm.py: channel type %r not supported here (slack, ntfy, webhook)" % type_)


def cmd_setup(a):
    auth = {"Authorization": "Bearer " + a.token}
    channels = {}
    for spec in a.channel:
        type_, url = spec.split("=", 1)
        r = fleet.request(a.sentinel, "POST", "/api/v1/alerts/channels/", {
            "name": "storm-" + type_, "type": type_, "settings": channel_settings(type_, url),
            "send_resolved": True}, auth)
        channels[type_] = r["id"]
    r = fleet.request(a.sentinel, "POST", "/api/v1/alerts/rules/", {
        "name": RULE_NAME, "server_id": None, "metric_name": "load1", "promql": EXPR, "threshold": THRESHOLD,
        "comparison": ">", "channel": "webhook", "channel_ids": sorted(channels.values()),
        "repeat_interval_sec": 0, "eval_interval_sec": 86400, "severity": "critical",
        "description": "1-minute load above 50 on every host at once (bench/fleet storm)",
    }, auth)
    if r.get("server_id") is not None:
        sys.exit("storm.py: the storm rule was stored with server_id %r, not as a fleet rule" % r["server_id"])
    with open(a.out, "w") as f:
        json.dump({"rule": r["id"], "channels": channels}, f)


class Receiver:
    """A tests/fakes/webhook_receiver.py subprocess, as NAME=TYPE=URL=PID."""

    def __init__(self, spec):
        self.name, self.type, rest = spec.split("=", 2)
        self.url, _, pid = rest.rpartition("=")
        self.pid = int(pid)

    def clear(self):
        fleet.request(self.url, "DELETE", "/_requests")

    def requests(self):
        return fleet.request(self.url, "GET", "/_requests", timeout=120)["requests"]


def describe(receiver, req):
    """(status word, alerts in the group, alerts listed or counted, instances) of one recorded message."""
    if receiver.type == "webhook":
        j = req.get("json") or {}
        alerts = j.get("alerts") or []
        instances = {al.get("labels", {}).get("instance") for al in alerts}
        return j.get("status"), len(alerts), len(alerts), instances
    if receiver.type == "slack":
        j = req.get("json") or {}
        m = TITLE_RE.search(j.get("text", ""))
        blocks = j.get("blocks") or []
        shown = max(0, sum(1 for b in blocks if b.get("type") == "section") - 1)  # the first is the summary
        more = 0
        for b in blocks:
            if b.get("type") == "context":
                for el in b.get("elements", []):
                    mm = MORE_RE.search(el.get("text", ""))
                    if mm:
                        more += int(mm.group(1))
        word, n = (m.group(1).lower(), int(m.group(2))) if m else (None, 0)
        return word, n, shown + more, set()
    if receiver.type == "ntfy":
        m = TITLE_RE.search(req.get("headers", {}).get("Title", ""))
        body = req.get("body", "")
        lines = body.split("\n")
        mm = MORE_RE.search(lines[-1]) if lines else None
        more = int(mm.group(1)) if mm else 0
        # head: the summary and the rule's one-line description, then one line per series
        shown = max(0, len(lines) - 2 - (1 if mm else 0))
        word, n = (m.group(1).lower(), int(m.group(2))) if m else (None, 0)
        return word, n, shown + more, set()
    return None, 0, 0, set()


def q1(db, sql):
    rows = db.execute(sql)
    return rows[0] if rows else []


def num(v):
    return None if v in (None, "", "None") else float(v)


def pg_cpu_ns(exclude):
    """CPU of PostgreSQL so far: every live postgres process but `exclude`
    (this script's own backend), plus what the postmaster's children that
    ended have used (its cutime + cstime: backends and autovacuum workers
    come and go)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in measure.postgres_pids():
        if pid == exclude:
            continue
        try:
            total += measure.cpu_ns(pid)
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rpartition(")")[2].split()
            with open("/proc/%d/comm" % int(fields[1])) as f:
                if f.read().strip() != "postgres":  # the postmaster: add its ended children
                    total += (int(fields[13]) + int(fields[14])) * 1_000_000_000 // tick
        except OSError:
            pass  # ended meanwhile
    return total


def flip(exporter, names, values):
    fleet.run_parallel(lambda n: fleet.request(exporter, "PATCH", "/hosts/" + n, {"load1": values[n]}), names,
                       workers=16)


def wait_prometheus(prom, expect, n, timeout):
    expr = 'count(node_load1{job="fixture"} > %g)' % THRESHOLD
    deadline = time.monotonic() + timeout
    while True:
        have = int(fleet.prom_scalar(prom, expr))
        if have == expect:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise RuntimeError("Prometheus shows %d of %d hosts above %g after %.0f s (expected %d)"
                               % (have, n, THRESHOLD, timeout, expect))
        time.sleep(0.2)


def phase(a, ctx, storm, kind):
    sen, db, rule, receivers = ctx["sen"], ctx["db"], ctx["rule"], ctx["receivers"]
    n, names = a.hosts, ctx["names"]
    firing = kind == "firing"
    event_status = "firing" if firing else "resolved"
    for r in receivers:
        r.clear()
    db.park()
    t_flip = time.monotonic()
    flip(a.exporter, names, {nm: HIGH for nm in names} if firing else ctx["orig"])
    t_flipped = time.monotonic()
    t_visible = wait_prometheus(a.prometheus, n if firing else 0, n, a.timeout)

    m0 = sen.metrics()
    c0, pg0 = measure.cpu_ns(sen.pid), pg_cpu_ns(ctx["harness_backend"]) if db.psql else 0
    rc0 = {r.name: measure.cpu_ns(r.pid) for r in receivers}
    log_at = os.path.getsize(a.pg_log) if a.pg_log else 0
    # The planner's view of the outbox as the storm starts: rows changed since
    # its statistics were last gathered (autovacuum's ANALYZE), and when that was.
    stats = None
    if db.psql:
        st = q1(db, "SELECT n_live_tup, n_mod_since_analyze, EXTRACT(EPOCH FROM now() - GREATEST("
                    "COALESCE(last_autoanalyze, 'epoch'), COALESCE(last_analyze, 'epoch')))::bigint "
                    "FROM pg_stat_user_tables WHERE relname = 'notification_outbox'")
        stats = {"live_rows": int(st[0]), "changed_since_analyze": int(st[1]), "analyzed_ago": int(st[2])}
    slot = db.due([rule])
    t_trigger = time.monotonic()
    since = int(t_trigger + OFFSET)  # rows and events of this phase are written at or after it (whole seconds)
    t_claim = sen.wait_claim([rule], slot, t_trigger, a.timeout)
    expected_rows = n * len(receivers)
    t_recorded = t_events = t_outbox = t_leased = None
    analyzed = False
    while True:
        now = time.monotonic()
        if t_recorded is None and sen.metrics()[measure.DONE] > m0[measure.DONE]:
            t_recorded = time.monotonic()
        if t_events is None and ctx["events"].at_least(event_status, n * (storm + 1) if not firing else n):
            t_events = time.monotonic()
        if t_outbox is None:
            pending, leased, done = (int(x) for x in q1(db, (
                "SELECT COUNT(CASE WHEN status = 'pending' THEN 1 END), "
                "COUNT(CASE WHEN status = 'pending' AND lease_expires_at IS NOT NULL THEN 1 END), "
                "COUNT(CASE WHEN status <> 'pending' THEN 1 END) "
                "FROM notification_outbox WHERE rule_id = %d AND kind = '%s' AND created_at >= %d")
                % (rule, kind, since)))
            if a.pg_analyze and db.psql and not analyzed and pending + done >= expected_rows:
                db.execute("ANALYZE notification_outbox")  # what-if: statistics that know the queued rows
                analyzed = True
            if t_leased is None and (leased > 0 or done > 0):
                t_leased = time.monotonic()  # the dispatcher's claim has committed (to within a poll)
            if pending == 0 and done >= expected_rows:
                t_outbox = time.monotonic()
        if t_recorded is not None and t_events is not None and t_outbox is not None:
            break
        if now > t_trigger + a.timeout:
            raise RuntimeError("storm %s: after %.0f s: evaluation recorded %s, events %s, outbox done %s"
                               % (kind, a.timeout, t_recorded, t_events, t_outbox))
        time.sleep(0.02)
    cpu = (measure.cpu_ns(sen.pid) - c0) / 1e9
    pg_s = (pg_cpu_ns(ctx["harness_backend"]) - pg0) / 1e9 if db.psql else None
    rcpu = {r.name: (measure.cpu_ns(r.pid) - rc0[r.name]) / 1e9 for r in receivers}
    slow = slow_statements(a.pg_log, log_at) if a.pg_log else []
    time.sleep(a.quiet)
    m1 = sen.metrics()

    # Outbox rows of this phase, per channel.
    rows = db.execute(
        "SELECT channel, status, COUNT(*), MIN(group_at), MAX(group_at), MIN(created_at), MAX(delivered_at), "
        "MAX(attempts) FROM notification_outbox WHERE rule_id = %d AND kind = '%s' AND created_at >= %d "
        "GROUP BY channel, status ORDER BY channel, status" % (rule, kind, since))
    outbox = [{"channel": r[0], "status": r[1], "rows": int(r[2]), "group_at_min": num(r[3]),
               "group_at_max": num(r[4]), "created_at": num(r[5]), "delivered_at_max": num(r[6]),
               "attempts_max": num(r[7])} for r in rows]
    if firing:
        ev = q1(db, "SELECT COUNT(*), COUNT(DISTINCT server_id), MIN(created_at), MAX(created_at) FROM alert_events "
                    "WHERE rule_id = %d AND created_at >= %d" % (rule, since))
    else:
        ev = q1(db, "SELECT COUNT(*), COUNT(DISTINCT server_id), MIN(resolved_at), MAX(resolved_at) FROM alert_events "
                    "WHERE rule_id = %d AND status = 'resolved' AND resolved_at >= %d" % (rule, since))
    still_firing = int(q1(db, "SELECT COUNT(*) FROM alert_events WHERE rule_id = %d AND status = 'firing'" % rule)[0])
    events = {"count": int(ev[0]), "distinct_servers": int(ev[1]), "first_at": num(ev[2]), "last_at": num(ev[3]),
              "still_firing": still_firing}

    def key_of(r):
        return "webhook" if r.name == ENV_RECEIVER else "#%d" % ctx["channels"][r.type]

    channels = {}
    for r in receivers:
        reqs = r.requests()
        msgs = []
        instances = set()
        for q in reqs:
            word, n_alerts, listed, inst = describe(r, q)
            instances |= inst
            msgs.append({"time": q["time"], "status": word, "alerts": n_alerts, "listed": listed,
                         "bytes": len(q.get("body", "").encode("utf-8")), "http_status": q.get("status")})
        mine = [o for o in outbox if o["channel"] == key_of(r)]
        group_at = min((o["group_at_min"] for o in mine if o["group_at_min"] is not None), default=None)
        times = sorted(m["time"] for m in msgs)
        last = times[-1] if times else None
        channels[r.name] = {
            "type": r.type, "messages": len(msgs),
            "messages_of_kind": sum(1 for m in msgs if m["status"] == event_status),
            "alerts": sum(m["alerts"] for m in msgs), "listed": sum(m["listed"] for m in msgs),
            "distinct_instances": len(instances - {None}) if r.type == "webhook" else None,
            "bytes": sum(m["bytes"] for m in msgs), "messages_detail": msgs,
            "group_at": group_at, "group_at_spread": (max(o["group_at_max"] for o in mine) - group_at) if mine else None,
            "rows_sent": sum(o["rows"] for o in mine if o["status"] == "sent"),
            "rows_other": sum(o["rows"] for o in mine if o["status"] != "sent"),
            "attempts_max": max((o["attempts_max"] or 0 for o in mine), default=None),
            "first_from_eval": times[0] - (t_claim + OFFSET) if times else None,
            "last_from_eval": last - (t_claim + OFFSET) if last else None,
            "last_from_trigger": last - (t_trigger + OFFSET) if last else None,
            "last_from_event": last - events["first_at"] if last and events["first_at"] is not None else None,
            "first_from_due": times[0] - group_at if times and group_at is not None else None,
            "last_from_due": last - group_at if last and group_at is not None else None,
            "last_from_claimed": last - (t_leased + OFFSET) if last and t_leased is not None else None,
            "receiver_cpu": rcpu[r.name],
        }
    notified = {k: m1[k] - m0[k] for k in (measure.NOTIFIED,)}
    rel = lambda t: None if t is None else t - t_claim  # noqa: E731
    due_wall = min((c["group_at"] for c in channels.values() if c["group_at"] is not None), default=None)
    return {
        "kind": kind, "storm": storm + 1,
        "flip_seconds": t_flipped - t_flip, "visible_after_flip": t_visible - t_flip,
        "claim_after_trigger": t_claim - t_trigger, "recorded": rel(t_recorded), "events_readable": rel(t_events),
        "outbox_done": rel(t_outbox), "leased": rel(t_leased),
        "due_from_eval": None if due_wall is None else due_wall - (t_claim + OFFSET),
        "claimed_from_due": None if due_wall is None or t_leased is None else t_leased + OFFSET - due_wall,
        "events": events, "outbox": outbox, "channels": channels,
        "notifications_sent": notified[measure.NOTIFIED],
        "outbox_stats": stats, "analyzed_after_insert": analyzed, "slow_statements": slow,
        "sentinel_cpu": cpu, "postgres_cpu": pg_s, "receivers_cpu": sum(rcpu.values()), "errors": m1[measure.ERRORS] - m0[measure.ERRORS],
    }


LOG_ENTRY_RE = re.compile(r"^\d{4}-\d\d-\d\d \S+ \S+ \[\d+\] ")
DURATION_RE = re.compile(r"(?:duration: | after )([\d.]+) ms")  # a statement, or a lock wait (log_lock_waits)


def slow_statements(path, offset):
    """PostgreSQL's log entries with a duration (log_min_duration_statement,
    auto_explain, log_lock_waits) written since `offset`, slowest first: [(ms, text)]."""
    with open(path, errors="replace") as f:
        f.seek(offset)
        text = f.read()
    entries, cur = [], []
    for line in text.splitlines():
        if LOG_ENTRY_RE.match(line) and cur:
            entries.append(cur)
            cur = []
        cur.append(line)
    if cur:
        entries.append(cur)
    out = []
    for e in entries:
        m = DURATION_RE.search(e[0])
        if m:
            out.append((float(m.group(1)), "\n".join(e)))
    return sorted(out, key=lambda x: -x[0])


def fmt(x, f="%.3f"):
    return "-" if x is None else f % x


def print_phase(label, p, n, group_wait):
    ev = p["events"]
    print("%s storm %d %s: flip %.1f s (PATCH of %d hosts), all visible in Prometheus %.1f s after it; "
          "claim %.3f s after the trigger; evaluation recorded %s s after the claim, %d %s events (%d servers) "
          "readable at %s s; group due at %s s (GROUP_WAIT_SEC %d), its rows claimed by the dispatcher at %s s"
          " (%s s after due), all delivered and marked sent at %s s"
          % (label, p["storm"], p["kind"], p["flip_seconds"], n, p["visible_after_flip"], p["claim_after_trigger"],
             fmt(p["recorded"]), ev["count"], "firing" if p["kind"] == "firing" else "resolved",
             ev["distinct_servers"], fmt(p["events_readable"]), fmt(p["due_from_eval"]), group_wait,
             fmt(p["leased"]), fmt(p["claimed_from_due"]), fmt(p["outbox_done"])), flush=True)
    for name, c in p["channels"].items():
        print("  %-8s messages %d (%d %s), alerts %d (listed %d%s), %d KB; last delivery: %s s after the claim, "
              "%s s after the first event's time, %s s after group due (first %s s), %s s after the claim of its rows; "
              "rows sent %d, other %d, attempts <= %s; receiver CPU %.3f s"
              % (name + ":", c["messages"], c["messages_of_kind"], p["kind"], c["alerts"], c["listed"],
                 ", %d distinct instances" % c["distinct_instances"] if c["distinct_instances"] is not None else "",
                 c["bytes"] // 1024, fmt(c["last_from_eval"]), fmt(c["last_from_event"]), fmt(c["last_from_due"]),
                 fmt(c["first_from_due"]), fmt(c["last_from_claimed"]), c["rows_sent"], c["rows_other"], fmt(c["attempts_max"], "%.0f"),
                 c["receiver_cpu"]), flush=True)
    print("  CPU from trigger to the last row marked sent: Sentinel %.3f s, %sreceivers %.3f s;"
          " sentinel_notifications_total{result=\"sent\"} +%d; evaluation errors %d"
          % (p["sentinel_cpu"], "" if p["postgres_cpu"] is None else "PostgreSQL %.3f s (without this script's "
             "session), " % p["postgres_cpu"], p["receivers_cpu"], p["notifications_sent"], p["errors"]), flush=True)
    if p["outbox_stats"]:
        st = p["outbox_stats"]
        print("  notification_outbox at the trigger: %d live rows, %d changed since its last ANALYZE (%s)%s"
              % (st["live_rows"], st["changed_since_analyze"],
                 "%d s before" % st["analyzed_ago"] if st["analyzed_ago"] < 10 ** 8 else "never",
                 "; ANALYZE run by this script once the rows were queued (STORM_PG_ANALYZE)"
                 if p["analyzed_after_insert"] else ""))
    if p["slow_statements"]:
        by_text = {}
        plans = []
        waits = []
        for ms, text in p["slow_statements"]:
            head = text.splitlines()[0]
            if head.rstrip().endswith("plan:"):
                plans.append((ms, text))
                continue
            if "still waiting for" in head or "acquired" in head:
                waits.append((ms, text))
                continue
            what = re.sub(r"^.*?duration: [\d.]+ ms\s+", "", head)
            what = re.sub(r"^(execute|statement|bind|parse) [^:]*: ", "", what)[:110]
            n_, total, most = by_text.get(what, (0, 0.0, 0.0))
            by_text[what] = (n_ + 1, total + ms, max(most, ms))
        print("  PostgreSQL statements over STORM_PG_EXPLAIN ms in this phase (count, total, slowest; statement):")
        for what, (n_, total, most) in sorted(by_text.items(), key=lambda kv: -kv[1][1])[:12]:
            print("    %3d  %8.1f ms  %8.1f ms  %s" % (n_, total, most, what))
        # the two slowest plans, and the dispatcher's claims (FOR UPDATE ... SKIP LOCKED) whatever their time
        shown = plans[:2] + [pl for pl in plans[2:] if "SKIP LOCKED" in pl[1]][:2]
        for ms, text in shown:
            lines = [ln for ln in text.splitlines()[1:] if "Query Text" not in ln]
            print("    plan of the %.1f ms one:" % ms)
            print("    " + "\n    ".join(line[:200] for line in lines[:30]) + ("\n    [...]" if len(lines) > 30 else ""))
        if waits:
            print("    lock waits logged (log_lock_waits): %d, longest %.1f ms: %s"
                  % (len(waits), waits[0][0], " | ".join(ln.strip()[:200] for ln in waits[0][1].splitlines()[:4])))


def cmd_run(a):
    db = measure.Db(a.db)
    sen = measure.Sentinel(a.sentinel, a.sentinel_pid, db, a.token)
    setup = json.load(open(a.setup))
    rule = setup["rule"]
    receivers = [Receiver(s) for s in a.receiver]
    names = [fleet.host_name(a.prefix, i) for i in range(1, a.hosts + 1)]
    orig = dict(zip(names, fleet.run_parallel(
        lambda nm: fleet.request(a.exporter, "GET", "/hosts/" + nm)["load1"], names, workers=16)))
    if max(orig.values()) > THRESHOLD:
        sys.exit("storm.py: a host's load1 is already above %g" % THRESHOLD)
    harness_backend = int(db.execute("SELECT pg_backend_pid()")[0][0]) if db.psql else None
    ctx = {"harness_backend": harness_backend, "sen": sen, "db": db, "rule": rule, "receivers": receivers, "names": names, "orig": orig,
           "channels": setup["channels"], "events": measure.Events(sen, rule)}
    storms = []
    try:
        for i in range(a.storms):
            out = {}
            for kind in ("firing", "resolved"):
                p = phase(a, ctx, i, kind)
                print_phase(a.label, p, a.hosts, a.group_wait)
                out[kind] = p
            storms.append(out)
    finally:
        flip(a.exporter, names, orig)  # leave the fleet quiet whatever happened
        db.close()
    summary = {"label": a.label, "hosts": a.hosts, "storms": len(storms), "group_wait": a.group_wait,
               "channels": [r.name for r in receivers],
               "rss_kb": measure.status_kb(a.sentinel_pid, "VmRSS"), "hwm_kb": measure.status_kb(a.sentinel_pid, "VmHWM")}
    with open(a.json_out, "w") as f:
        json.dump({"summary": summary, "storms": storms}, f, indent=1)


def cmd_report(a):
    runs = [json.load(open(p)) for p in a.files if os.path.exists(p)]
    if not runs:
        return
    med = measure.median
    print()
    print("=== notification storm: %d hosts fire at once on %d channels, then resolve (median of %d storm(s);"
          " times from the evaluation's claim) ==="
          % (runs[0]["summary"]["hosts"], len(runs[0]["summary"]["channels"]), runs[0]["summary"]["storms"]))
    head = "| figure | " + " | ".join("%s %s" % (r["summary"]["label"], k) for r in runs for k in ("firing", "resolved")) + " |"
    print(head)
    print("|---|" + "---:|" * (2 * len(runs)))

    def row(title, fn, each=False):
        cells = []
        for r in runs:
            for k in ("firing", "resolved"):
                vals = [fn(s[k]) for s in r["storms"]]
                vals = [v for v in vals if v is not None]
                if each:
                    cells.append(" / ".join(fmt(v, "%.2f") for v in vals) or "-")
                elif vals and isinstance(vals[0], str):
                    cells.append(vals[0] if len(set(vals)) == 1 else " / ".join(vals))
                else:
                    cells.append(fmt(med(vals)) if vals else "-")
        print("| %s | %s |" % (title, " | ".join(cells)))

    n = runs[0]["summary"]["hosts"]
    per_channel = math.ceil(n / MAX_GROUP_ROWS)
    row("events recorded (distinct servers)", lambda p: "%d (%d)" % (p["events"]["count"], p["events"]["distinct_servers"]))
    row("evaluation recorded, s", lambda p: p["recorded"])
    row("events readable through the API, s", lambda p: p["events_readable"])
    row("group due (group_at), s", lambda p: p["due_from_eval"])
    for name in runs[0]["summary"]["channels"]:
        row("%s: messages (target %d)" % (name, per_channel), lambda p, nm=name: "%d" % p["channels"][nm]["messages"])
        row("%s: alerts in them" % name, lambda p, nm=name: "%d (listed %d)" % (p["channels"][nm]["alerts"],
                                                                                  p["channels"][nm]["listed"]))
        row("%s: last delivery, s" % name, lambda p, nm=name: p["channels"][nm]["last_from_eval"])
        row("%s: group due → last delivery, s" % name, lambda p, nm=name: p["channels"][nm]["last_from_due"])
    row("last delivery of all, s", lambda p: max(c["last_from_eval"] for c in p["channels"].values()
                                                 if c["last_from_eval"] is not None))
    row("first event time → last delivery, s (whole-second event time)",
        lambda p: max(c["last_from_event"] for c in p["channels"].values() if c["last_from_event"] is not None))
    row("group due → last delivery (dispatcher), s",
        lambda p: max(c["last_from_due"] for c in p["channels"].values() if c["last_from_due"] is not None))
    row("… of which group due → rows claimed (its 500 ms poll + the claim), s", lambda p: p["claimed_from_due"])
    row("… the same, each storm", lambda p: p["claimed_from_due"], each=True)
    row("… of which rows claimed → last delivery (build, send), s",
        lambda p: max(c["last_from_claimed"] for c in p["channels"].values() if c["last_from_claimed"] is not None))
    row("all rows marked sent, s", lambda p: p["outbox_done"])
    row("Sentinel CPU (trigger → all marked sent), s", lambda p: p["sentinel_cpu"])
    row("PostgreSQL CPU (all but this script's session), s", lambda p: p["postgres_cpu"])
    row("receivers' CPU, s", lambda p: p["receivers_cpu"])
    ok = all(c["messages"] == per_channel and c["messages_of_kind"] == per_channel and c["alerts"] == n
             and c["rows_sent"] == n and c["rows_other"] == 0
             for r in runs for s in r["storms"] for p in s.values() for c in p["channels"].values())
    ev_ok = all(s["firing"]["events"]["count"] == n and s["firing"]["events"]["distinct_servers"] == n
                and s["resolved"]["events"]["count"] == n and s["resolved"]["events"]["still_firing"] == 0
                for r in runs for s in r["storms"])
    print("checks: %s messages per channel per phase, %d alerts in them, every outbox row sent: %s; "
          "%d events fired and resolved: %s" % (per_channel, n, "ok" if ok else "NOT MET", n, "ok" if ev_ok else "NOT MET"))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--sentinel", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--channel", action="append", default=[], help="TYPE=RECEIVER_URL")
    p.add_argument("--out", required=True)
    p = sub.add_parser("run")
    p.add_argument("--label", required=True)
    p.add_argument("--sentinel", required=True)
    p.add_argument("--sentinel-pid", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--setup", required=True)
    p.add_argument("--exporter", required=True)
    p.add_argument("--prometheus", required=True)
    p.add_argument("--hosts", type=int, required=True)
    p.add_argument("--prefix", default="bench")
    p.add_argument("--receiver", action="append", default=[], help="NAME=TYPE=URL=PID")
    p.add_argument("--storms", type=int, default=1)
    p.add_argument("--group-wait", type=int, default=5)
    p.add_argument("--quiet", type=float, default=3.0)
    p.add_argument("--pg-analyze", action="store_true",
                   help="ANALYZE notification_outbox once the phase's rows are queued (STORM_PG_ANALYZE, a what-if)")
    p.add_argument("--pg-log", help="PostgreSQL's server log: print its slow statements (STORM_PG_EXPLAIN)")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--json-out", required=True)
    p = sub.add_parser("report")
    p.add_argument("files", nargs="+")
    a = ap.parse_args()
    {"setup": cmd_setup, "run": cmd_run, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
