#!/usr/bin/env python3
"""bench/fleet parts 1 and 2 (stdlib only; helpers from bench/alerts/measure.py).

    measure.py rounds --sentinel URL --sentinel-pid PID --db sqlite:///FILE|postgresql://...
                      --rules FILE --prometheus-url URL --prometheus-pid PID
                      --prometheus-rules FILE --prometheus-rules-dir DIR
                      --vmalert "vmalert -rule=... -httpListenAddr=H:P ..." --vmalert-url URL --vmalert-log FILE
                      [--cycles 3] [--window 10] [--rounds 3] --json-out FILE
    measure.py storm  --sentinel URL --sentinel-pid PID --db ... --token JWT --rule FILE
                      --rules FILE --hosts N [--storms 2] [--rounds 3] [--channel none|webhook] --json-out FILE

`rounds` (part 1): the ten fleet rules (--rules: {"key": id}) evaluated by
Sentinel, by Prometheus itself (a rule group loaded into the Prometheus that
holds the data) and by vmalert. Each cycle has five windows of --window
seconds, in an order that rotates from cycle to cycle:
  * idle: nothing evaluates the rules (Prometheus only scrapes);
  * Prometheus: the group of --prometheus-rules copied into the rule_files
    directory and Prometheus reloaded (POST /-/reload), evaluated every 1 s;
    wall time per evaluation = its prometheus_rule_group_duration_seconds
    _sum/_count over the window (and the median of the
    prometheus_rule_group_last_duration_seconds samples); its CPU per
    evaluation = (Prometheus CPU in this window - in the idle window, per
    second) x window / evaluations (prometheus_rule_group_iterations_total);
  * vmalert: started with -evaluationInterval=1s, measured from its second
    iteration: vmalert_iteration_duration_seconds, its CPU per iteration, and
    Prometheus's extra CPU per iteration (answering its ten queries);
  * Sentinel: all ten rules made due at once (UPDATE alert_rules SET
    next_eval_at on its database) every second of the window, nothing polled
    in between: Sentinel's CPU per round = (its CPU in this window - in the
    idle window) / rounds, and Prometheus's extra CPU per round likewise;
    checked afterwards: exactly 10 x rounds evaluations, no errors;
  * Sentinel timed rounds (--rounds, not a fixed window): from the claim
    (the database polled every ms until the scheduler's next poll, <= 250 ms
    after the trigger, has leased the rules and moved their next_eval_at on;
    the queries go out right after it) to the tenth evaluation recorded
    (sentinel_rule_evaluation_duration_seconds_count, GET /metrics every 5 ms
    from the claim on), and from the trigger (includes that poll's wait).
    Not from the first query answered, as bench/alerts times its thousands
    of rules: here the ten queries run at once and are answered together.
Prometheus runs a full Go GC before every window (bench/alerts/measure.py
collect_garbage), and is read (GET /metrics) once a second in every window.

`storm` (part 2): the storm rule (--rule: {"storm": id}, `max by (instance,
job) (up)`, quiet at > 1e12) gets threshold 0 through PATCH, is made due,
and the time is taken from its claim (as above) until N firing events of
it can be read back through GET
/api/v1/alerts/events/?status=firing&rule_id=ID&skip=N-1&limit=1 (polled
every 10 ms); then every event is listed (limit 1000) and checked (N
events, N distinct non-null server ids). With channel webhook, also the time
until the N notifications are delivered (the rule's outbox rows marked sent,
read from the database: they go out grouped, as one message, and run.sh
starts Sentinel with GROUP_WAIT_SEC=0 and GROUP_INTERVAL_SEC=1 so that each
group is due at once).
Then threshold 1e12 again, due, and the time until N events are resolved
(status=resolved). --storms such pairs; before them, --rounds timed quiet
rounds of the ten fleet rules on the same database ("one round").
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(root, "bench", "alerts"))
import fleet  # noqa: E402  bench/alerts/fleet.py


def _alerts_measure():
    """bench/alerts/measure.py (a module of the same file name as this one)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("alerts_measure", os.path.join(root, "bench", "alerts", "measure.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_am = _alerts_measure()
Http, VmAlert, collect_garbage, cpu_ns = _am.Http, _am.VmAlert, _am.collect_garbage, _am.cpu_ns
metric_sums, status_kb = _am.metric_sums, _am.status_kb

DONE = "sentinel_rule_evaluation_duration_seconds_count"
QUERIES = "sentinel_prometheus_queries_total"
ERRORS = 'sentinel_rule_evaluations_total|result="error"'
NOTIFIED = 'sentinel_notifications_total|result="sent"'
PROM_ITER = "prometheus_rule_group_iterations_total"
PROM_MISSED = "prometheus_rule_group_iterations_missed_total"
PROM_FAILED = "prometheus_rule_evaluation_failures_total"
PROM_DUR_SUM = "prometheus_rule_group_duration_seconds_sum"
PROM_DUR_COUNT = "prometheus_rule_group_duration_seconds_count"
PROM_LAST = "prometheus_rule_group_last_duration_seconds"
PROM_QUERIES = 'prometheus_http_requests_total|handler="/api/v1/query"'


def median(xs):
    return statistics.median(xs) if xs else float("nan")


class Db:
    """Sentinel's database, written behind its back as bench/alerts does."""

    def __init__(self, url):
        self.url = url
        if url.startswith("sqlite:///"):
            self.path = url[len("sqlite://"):]
            self.psql = None
            self.reader = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # WAL: never blocks Sentinel
        else:
            self.path = None
            # One psql session for the whole run: a statement, then a marker line.
            self.psql = subprocess.Popen(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def execute(self, sql):
        """Runs one statement (auto-commit); returns the rows of its output as lists of strings."""
        if self.psql is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                return [[str(v) for v in row] for row in con.execute(sql).fetchall()]
            finally:
                con.close()
        self.psql.stdin.write(sql.rstrip().rstrip(";") + ";\n\\echo __done__\n")
        self.psql.stdin.flush()
        rows = []
        for line in self.psql.stdout:
            line = line.rstrip("\n")
            if line == "__done__":
                return rows
            if line:
                rows.append(line.split("|"))
        raise RuntimeError("psql exited (%s)" % self.psql.wait())

    def park(self):
        """Every rule a day and more away: none comes due on its own."""
        self.execute("UPDATE alert_rules SET next_eval_at = %d" % (int(time.time()) + 864000))

    def due(self, ids):
        """Makes `ids` due now; returns the next_eval_at written (the claim moves it on)."""
        slot = int(time.time()) - 1
        self.execute("UPDATE alert_rules SET next_eval_at = %d WHERE id IN (%s)" % (slot, ",".join(str(i) for i in ids)))
        return slot

    def claimed(self, ids, slot):
        """How many of `ids` a scheduler has claimed since due() wrote `slot`
        (a claim leases the rule and moves next_eval_at past now)."""
        sql = ("SELECT COUNT(*) FROM alert_rules WHERE id IN (%s) AND next_eval_at <> %d"
               % (",".join(str(i) for i in ids), slot))
        if self.psql is None:
            return self.reader.execute(sql).fetchone()[0]
        return int(self.execute(sql)[0][0])

    def close(self):
        if self.psql is None:
            self.reader.close()
        if self.psql:
            self.psql.stdin.close()
            self.psql.wait()


class Sentinel:
    def __init__(self, url, pid, db, token=None):
        self.url, self.http, self.pid, self.db = url, Http(url), pid, db
        self.auth = {"Authorization": "Bearer " + token} if token else {}

    def metrics(self):
        return metric_sums(self.http.get("/metrics"), (DONE, QUERIES, ERRORS, NOTIFIED))

    def wait_claim(self, ids, slot, t_trigger, timeout):
        """Polls the database every ms until the scheduler has claimed one of
        `ids` (its next poll, <= 250 ms after the trigger); returns that moment."""
        while self.db.claimed(ids, slot) == 0:
            if time.monotonic() > t_trigger + timeout:
                raise RuntimeError("Sentinel claimed none of rules %s within %.0f s" % (ids, timeout))
            time.sleep(0.001)
        return time.monotonic()

    def timed_round(self, ids, timeout=60.0):
        """Makes `ids` due at once; seconds from their claim (the round's
        start: the database is polled every ms until it happens) and from the
        trigger to len(ids) more evaluations recorded (GET /metrics every 5 ms
        from the claim on)."""
        k = len(ids)
        m0 = self.metrics()
        c0 = cpu_ns(self.pid)
        slot = self.db.due(ids)
        t_trigger = time.monotonic()
        t_claim = self.wait_claim(ids, slot, t_trigger, timeout)
        t_first = None
        while True:
            m = self.metrics()
            now = time.monotonic()
            if t_first is None and (m[QUERIES] > m0[QUERIES] or m[DONE] > m0[DONE]):
                t_first = now
            if m[DONE] >= m0[DONE] + k:
                break
            if now > t_trigger + timeout:
                raise RuntimeError("Sentinel recorded %d of %d evaluations in %.0f s" % (m[DONE] - m0[DONE], k, timeout))
            time.sleep(0.005)
        return {"seconds": now - t_claim, "from_trigger": now - t_trigger, "first_answer": t_first - t_claim,
                "cpu_polled": (cpu_ns(self.pid) - c0) / 1e9, "evaluations": m[DONE] - m0[DONE],
                "errors": m[ERRORS] - m0[ERRORS], "queries": m[QUERIES] - m0[QUERIES]}


def prom_metrics(prom_http):
    return metric_sums(prom_http.get("/metrics"), (PROM_ITER, PROM_MISSED, PROM_FAILED, PROM_DUR_SUM, PROM_DUR_COUNT,
                                                   PROM_LAST, PROM_QUERIES))


def prom_reload(prom_url):
    req = urllib.request.Request(prom_url + "/-/reload", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        r.read()


def window(seconds, prom_http, pids, during=None):
    """CPU (s) of each pid over `seconds`, Prometheus read once a second;
    `during(i)` is called at the start of each second i (it may take part of it)."""
    c0 = {p: cpu_ns(p) for p in pids}
    m0 = prom_metrics(prom_http)
    t0 = time.monotonic()
    lasts = []
    i = 0
    while True:
        tick = t0 + i
        now = time.monotonic()
        if now < tick:
            time.sleep(tick - now)
        if i >= seconds:
            break
        if during:
            during(i)
        m = prom_metrics(prom_http)
        lasts.append(m[PROM_LAST])
        i += 1
    t1 = time.monotonic()
    c1 = {p: cpu_ns(p) for p in pids}
    m1 = prom_metrics(prom_http)
    return {"seconds": t1 - t0, "cpu": {p: (c1[p] - c0[p]) / 1e9 for p in pids},
            "prom": {k: m1[k] - m0[k] for k in m1}, "prom_last": lasts}


def cmd_rounds(a):
    db = Db(a.db)
    rules = json.load(open(a.rules))
    ids = sorted(rules.values())
    k = len(ids)
    sen = Sentinel(a.sentinel, a.sentinel_pid, db)
    prom_http = Http(a.prometheus_url)
    log = open(a.vmalert_log, "ab")
    vm = VmAlert(a.vmalert, a.vmalert_url, a.prometheus_pid, log)
    P, S = a.prometheus_pid, a.sentinel_pid
    active = [f for f in os.listdir(a.prometheus_rules_dir) if f.endswith(".yml")]
    if active:
        raise RuntimeError("rule files already loaded in %s: %s" % (a.prometheus_rules_dir, active))
    db.park()
    # Warm-up: a Sentinel round, a Prometheus evaluation.
    w = sen.timed_round(ids)
    print("warm-up: Sentinel round %.3f s (%.3f from trigger), %d evaluations, %d errors"
          % (w["seconds"], w["from_trigger"], w["evaluations"], w["errors"]), flush=True)

    cycles = []
    order = ["idle", "prometheus", "sentinel", "vmalert"]
    for c in range(a.cycles):
        kinds = order[c % len(order):] + order[:c % len(order)]
        cyc = {}
        for kind in kinds:
            if kind == "idle":
                collect_garbage(a.prometheus_url)
                cyc["idle"] = window(a.window, prom_http, [P, S])
            elif kind == "prometheus":
                dst = os.path.join(a.prometheus_rules_dir, "fleet.yml")
                shutil.copy(a.prometheus_rules, dst)
                prom_reload(a.prometheus_url)
                # From its first evaluation on (the group starts at an offset within its interval).
                deadline = time.monotonic() + 30
                while prom_metrics(prom_http)[PROM_ITER] < 1:
                    if time.monotonic() > deadline:
                        raise RuntimeError("Prometheus did not evaluate the rule group within 30 s")
                    time.sleep(0.1)
                collect_garbage(a.prometheus_url)
                cyc["prometheus"] = window(a.window, prom_http, [P, S])
                os.unlink(dst)
                prom_reload(a.prometheus_url)
            elif kind == "vmalert":
                vm.start(1)
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if vm.metrics()[vm.DUR_COUNT] >= 1:
                            break
                    except (OSError, RuntimeError):
                        pass
                    if vm.proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("vmalert: no iteration within 30 s (see its log)")
                    time.sleep(0.05)
                collect_garbage(a.prometheus_url)
                v0 = vm.metrics()
                r = window(a.window, prom_http, [P, S, vm.pid])
                v1 = vm.metrics()
                r["vm"] = {key: v1[key] - v0[key] for key in v1}
                r["vm_rss_kb"] = status_kb(vm.pid, "VmRSS")
                vm.stop()
                cyc["vmalert"] = r
            elif kind == "sentinel":
                collect_garbage(a.prometheus_url)
                m0 = sen.metrics()
                rounds = []

                def trigger(i):
                    db.due(ids)
                    rounds.append(i)

                r = window(a.window, prom_http, [P, S], trigger)
                m1 = sen.metrics()
                r["rounds"] = len(rounds)
                r["evaluations"] = m1[DONE] - m0[DONE]
                r["errors"] = m1[ERRORS] - m0[ERRORS]
                if r["evaluations"] != k * len(rounds):
                    # The last round may still be running: give it a second, then count again.
                    time.sleep(1)
                    m1 = sen.metrics()
                    r["evaluations"] = m1[DONE] - m0[DONE]
                    r["late"] = True
                cyc["sentinel"] = r
        timed = []
        for _ in range(a.rounds):
            collect_garbage(a.prometheus_url)
            timed.append(sen.timed_round(ids))
        cyc["timed"] = timed

        idle = cyc["idle"]
        rate = lambda win, pid: win["cpu"][pid] / win["seconds"]  # noqa: E731
        pw, vw, sw = cyc["prometheus"], cyc["vmalert"], cyc["sentinel"]
        iters = pw["prom"][PROM_ITER]
        cyc["summary"] = s = {
            "prom_evaluations": iters,
            "prom_wall": pw["prom"][PROM_DUR_SUM] / max(1.0, pw["prom"][PROM_DUR_COUNT]),
            "prom_wall_last_median": median([x for x in pw["prom_last"] if x > 0]),
            "prom_cpu": (rate(pw, P) - rate(idle, P)) * pw["seconds"] / max(1.0, iters),
            "prom_failures": pw["prom"][PROM_FAILED], "prom_missed": pw["prom"][PROM_MISSED],
            "vm_iterations": vw["vm"][vm.DUR_COUNT],
            "vm_wall": vw["vm"][vm.DUR_SUM] / max(1.0, vw["vm"][vm.DUR_COUNT]),
            "vm_cpu": vw["cpu"][vm.pid] / max(1.0, vw["vm"][vm.DUR_COUNT]),
            "vm_prom_cpu": (rate(vw, P) - rate(idle, P)) * vw["seconds"] / max(1.0, vw["vm"][vm.DUR_COUNT]),
            "vm_errors": vw["vm"][vm.EXEC_ERR], "vm_rss_kb": vw["vm_rss_kb"],
            "vm_queries": vw["prom"][PROM_QUERIES] / max(1.0, vw["vm"][vm.DUR_COUNT]),
            "sen_rounds": sw["rounds"], "sen_evaluations": sw["evaluations"], "sen_errors": sw["errors"],
            "sen_cpu": (rate(sw, S) - rate(idle, S)) * sw["seconds"] / max(1, sw["rounds"]),
            "sen_prom_cpu": (rate(sw, P) - rate(idle, P)) * sw["seconds"] / max(1, sw["rounds"]),
            "sen_queries": sw["prom"][PROM_QUERIES] / max(1, sw["rounds"]),
            "sen_idle_cpu_per_s": rate(idle, S), "prom_idle_cpu_per_s": rate(idle, P),
            "sen_seconds": median([t["seconds"] for t in timed]),
            "sen_from_trigger": median([t["from_trigger"] for t in timed]),
            "timed_errors": sum(t["errors"] for t in timed),
        }
        cycles.append(cyc)
        print("cycle %d (%s): Prometheus %d evaluations, %.1f ms wall (last %.1f), %.1f ms CPU each |"
              " vmalert %d iterations, %.1f ms wall, %.1f ms CPU (+%.1f ms Prometheus) each |"
              " Sentinel %d rounds (%d evaluations, %d errors), %.1f ms CPU (+%.1f ms Prometheus) each;"
              " timed rounds %s s (from trigger %s)"
              % (c + 1, " ".join(kinds), iters, 1e3 * s["prom_wall"], 1e3 * s["prom_wall_last_median"],
                 1e3 * s["prom_cpu"], s["vm_iterations"], 1e3 * s["vm_wall"], 1e3 * s["vm_cpu"],
                 1e3 * s["vm_prom_cpu"], s["sen_rounds"], s["sen_evaluations"], s["sen_errors"], 1e3 * s["sen_cpu"],
                 1e3 * s["sen_prom_cpu"], "/".join("%.3f" % t["seconds"] for t in timed),
                 "/".join("%.3f" % t["from_trigger"] for t in timed)), flush=True)
    db.close()
    keys = cycles[0]["summary"].keys()
    summary = {key: median([c["summary"][key] for c in cycles]) for key in keys}
    summary.update({
        "cycles": len(cycles), "window": a.window, "rules": k,
        "sen_round_all": [t["seconds"] for c in cycles for t in c["timed"]],
        "sen_round_from_trigger_all": [t["from_trigger"] for c in cycles for t in c["timed"]],
        "sen_seconds": median([t["seconds"] for c in cycles for t in c["timed"]]),
        "sen_from_trigger": median([t["from_trigger"] for c in cycles for t in c["timed"]]),
        "sen_errors": sum(c["summary"]["sen_errors"] + c["summary"]["timed_errors"] for c in cycles),
        "sen_evaluations_ok": all(c["summary"]["sen_evaluations"] == k * c["summary"]["sen_rounds"] for c in cycles),
        "sen_rss_kb": status_kb(a.sentinel_pid, "VmRSS"), "sen_hwm_kb": status_kb(a.sentinel_pid, "VmHWM"),
        "load_average": open("/proc/loadavg").read().split()[:3],
    })
    with open(a.json_out, "w") as f:
        json.dump({"summary": summary, "cycles": cycles}, f, indent=1)


class Events:
    """Counts a rule's events through the API."""

    def __init__(self, sentinel, rule_id):
        self.s, self.rule_id = sentinel, rule_id

    def at_least(self, status, n):
        q = urllib.parse.urlencode({"status": status, "rule_id": self.rule_id, "skip": n - 1, "limit": 1})
        return len(fleet.request(self.s.url, "GET", "/api/v1/alerts/events/?" + q, headers=self.s.auth)) == 1

    def listing(self, status, limit=1000):
        q = urllib.parse.urlencode({"status": status, "rule_id": self.rule_id, "limit": limit})
        return fleet.request(self.s.url, "GET", "/api/v1/alerts/events/?" + q, headers=self.s.auth)


def postgres_pids():
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/comm" % p) as f:
                    if f.read().strip() == "postgres":
                        out.append(int(p))
            except OSError:
                pass
    return out


def others_cpu(pids):
    total = 0
    for p in pids:
        try:
            total += cpu_ns(p)
        except OSError:
            pass  # a backend that ended
    return total


def storm_step(sen, events, rule_id, threshold, status, n, target_count, notify, timeout, others=()):
    """PATCH the threshold, make the rule due; times until `target_count`
    events of `status` exist (and the evaluation is recorded; with `notify`,
    until their notifications are delivered). `others`: pids whose CPU over
    the step is reported too (the webhook sink, PostgreSQL)."""
    fleet.request(sen.url, "PATCH", "/api/v1/alerts/rules/%d" % rule_id, {"threshold": threshold}, sen.auth)
    sen.db.park()
    # Delivered notifications are counted as the rule's outbox rows marked sent:
    # since grouped delivery, sentinel_notifications_total counts messages (one
    # for the whole storm), not notifications.
    sent_rows = ("SELECT COUNT(*) FROM notification_outbox WHERE rule_id = %d AND status = 'sent'" % rule_id)
    sent0 = int(sen.db.execute(sent_rows)[0][0]) if notify else 0
    m0 = sen.metrics()
    c0, o0 = cpu_ns(sen.pid), others_cpu(others)
    slot = sen.db.due([rule_id])
    t_trigger = time.monotonic()
    t_claim = sen.wait_claim([rule_id], slot, t_trigger, timeout)
    t_first = t_recorded = t_events = t_notified = None
    cpu_written = None  # Sentinel's CPU once the events are readable and the evaluation recorded
    while True:
        now = time.monotonic()
        if cpu_written is None and t_events is not None and t_recorded is not None:
            cpu_written = (cpu_ns(sen.pid) - c0) / 1e9
        if t_first is None or t_recorded is None or (notify and t_notified is None):
            m = sen.metrics()
            now = time.monotonic()
            if t_first is None and (m[QUERIES] > m0[QUERIES] or m[DONE] > m0[DONE]):
                t_first = now
            if t_recorded is None and m[DONE] > m0[DONE]:
                t_recorded = now
            if notify and t_notified is None and int(sen.db.execute(sent_rows)[0][0]) >= sent0 + n:
                t_notified = time.monotonic()
        if t_events is None and events.at_least(status, target_count):
            t_events = time.monotonic()
        if t_events is not None and t_recorded is not None and (not notify or t_notified is not None):
            break
        if now > t_trigger + timeout:
            raise RuntimeError("storm (%s): after %.0f s: first query %s, evaluation recorded %s, %d %s events %s,"
                               " notifications %s" % (status, timeout, t_first, t_recorded, target_count, status,
                                                      t_events, t_notified))
        time.sleep(0.01)
    cpu, others_s = (cpu_ns(sen.pid) - c0) / 1e9, (others_cpu(others) - o0) / 1e9
    if cpu_written is None:
        cpu_written = cpu
    m = sen.metrics()
    rel = lambda t: None if t is None else t - t_claim  # noqa: E731
    return {"events_seconds": rel(t_events), "events_from_trigger": t_events - t_trigger,
            "recorded_seconds": rel(t_recorded), "notified_seconds": rel(t_notified), "first_answer": rel(t_first),
            "claim_after_trigger": t_claim - t_trigger, "cpu": cpu, "cpu_written": cpu_written, "others_cpu": others_s,
            "errors": m[ERRORS] - m0[ERRORS]}


def cmd_storm(a):
    db = Db(a.db)
    sen = Sentinel(a.sentinel, a.sentinel_pid, db, a.token)
    rule_id = json.load(open(a.rule))["storm"]
    ids = sorted(json.load(open(a.rules)).values())
    n = a.hosts
    events = Events(sen, rule_id)
    notify = a.channel != "none"
    db.park()
    quiet = [sen.timed_round(ids) for _ in range(a.rounds + 1)][1:]  # the first is a warm-up
    round_s = median([q["seconds"] for q in quiet])
    print("%s: quiet round of the %d fleet rules %s s (median %.3f)"
          % (a.label, len(ids), "/".join("%.3f" % q["seconds"] for q in quiet), round_s), flush=True)
    storms = []
    others = ([a.sink_pid] if a.sink_pid else []) + (postgres_pids() if db.psql else [])
    for i in range(a.storms):
        fire = storm_step(sen, events, rule_id, 0, "firing", n, n, notify, a.timeout, others)
        listed = events.listing("firing")
        servers = {e.get("server_id") for e in listed}
        fire["listed"] = len(listed)
        fire["distinct_servers"] = len(servers - {None})
        fire["null_server"] = sum(1 for e in listed if e.get("server_id") is None)
        resolve = storm_step(sen, events, rule_id, fleet.THRESHOLD, "resolved", n, n * (i + 1), notify, a.timeout,
                             others)
        still = events.listing("firing")
        resolve["still_firing"] = len(still)
        storms.append({"fire": fire, "resolve": resolve})
        fmt = lambda x: "-" if x is None else "%.3f" % x  # noqa: E731
        print("%s storm %d: %d firing events readable %s s after the claim (%s from trigger; evaluation"
              " recorded at %s, Sentinel CPU %.3f s until then, %.3f s%s; CPU of the sink%s %.3f s); listed %d, %d distinct servers, %d without server | resolved: %s s"
              " (evaluation %s, CPU %.3f s until then, %.3f s%s; sink%s %.3f s), %d still firing"
              % (a.label, i + 1, n, fmt(fire["events_seconds"]), fmt(fire["events_from_trigger"]),
                 fmt(fire["recorded_seconds"]), fire["cpu_written"], fire["cpu"],
                 ", notifications delivered at %s s" % fmt(fire["notified_seconds"]) if notify else "",
                 " and PostgreSQL" if db.psql else "", fire["others_cpu"],
                 fire["listed"], fire["distinct_servers"], fire["null_server"], fmt(resolve["events_seconds"]),
                 fmt(resolve["recorded_seconds"]), resolve["cpu_written"], resolve["cpu"],
                 ", notifications delivered at %s s" % fmt(resolve["notified_seconds"]) if notify else "",
                 " and PostgreSQL" if db.psql else "", resolve["others_cpu"], resolve["still_firing"]), flush=True)
    db.close()
    med = lambda part, key: median([s[part][key] for s in storms if s[part][key] is not None])  # noqa: E731
    summary = {
        "label": a.label, "hosts": n, "storms": len(storms), "channel": a.channel, "round_seconds": round_s,
        "quiet_rounds": [q["seconds"] for q in quiet],
        "fire_seconds": med("fire", "events_seconds"), "fire_from_trigger": med("fire", "events_from_trigger"),
        "fire_recorded": med("fire", "recorded_seconds"), "fire_cpu": med("fire", "cpu"),
        "fire_cpu_written": med("fire", "cpu_written"), "resolve_cpu_written": med("resolve", "cpu_written"),
        "fire_notified": med("fire", "notified_seconds") if notify else None,
        "resolve_seconds": med("resolve", "events_seconds"), "resolve_from_trigger": med("resolve", "events_from_trigger"),
        "resolve_recorded": med("resolve", "recorded_seconds"), "resolve_cpu": med("resolve", "cpu"),
        "resolve_notified": med("resolve", "notified_seconds") if notify else None,
        "fire_others_cpu": med("fire", "others_cpu"), "resolve_others_cpu": med("resolve", "others_cpu"),
        "fire_all": [s["fire"]["events_seconds"] for s in storms],
        "resolve_all": [s["resolve"]["events_seconds"] for s in storms],
        "checks_ok": all(s["fire"]["listed"] == n and s["fire"]["distinct_servers"] == n
                         and s["resolve"]["still_firing"] == 0 for s in storms),
        "errors": sum(s["fire"]["errors"] + s["resolve"]["errors"] for s in storms),
        "rss_kb": status_kb(a.sentinel_pid, "VmRSS"), "hwm_kb": status_kb(a.sentinel_pid, "VmHWM"),
    }
    with open(a.json_out, "w") as f:
        json.dump({"summary": summary, "storms": storms, "quiet": quiet}, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("rounds")
    p.add_argument("--sentinel", required=True)
    p.add_argument("--sentinel-pid", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--prometheus-url", required=True)
    p.add_argument("--prometheus-pid", type=int, required=True)
    p.add_argument("--prometheus-rules", required=True)
    p.add_argument("--prometheus-rules-dir", required=True)
    p.add_argument("--vmalert", required=True)
    p.add_argument("--vmalert-url", required=True)
    p.add_argument("--vmalert-log", required=True)
    p.add_argument("--cycles", type=int, default=3)
    p.add_argument("--window", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json-out", required=True)
    p = sub.add_parser("storm")
    p.add_argument("--label", default="SQLite")
    p.add_argument("--sentinel", required=True)
    p.add_argument("--sentinel-pid", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--rule", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--hosts", type=int, required=True)
    p.add_argument("--storms", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--channel", default="none")
    p.add_argument("--sink-pid", type=int, help="the webhook sink: its CPU over each step is reported")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--json-out", required=True)
    a = ap.parse_args()
    {"rounds": cmd_rounds, "storm": cmd_storm}[a.cmd](a)


if __name__ == "__main__":
    main()
