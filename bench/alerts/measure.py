#!/usr/bin/env python3
"""One K of bench/alerts/run.sh: Sentinel, the raw limit and vmalert, each
evaluating the same K rules, in interleaved rounds (stdlib only).

    measure.py --k K --rounds R --sentinel URL --sentinel-pid PID --db SQLITE_FILE
               --raw "query_load --port P --queries FILE --concurrency C"
               [--raw-gzip "query_load ... --accept-encoding gzip"]
               --vmalert "vmalert -rule=FILE -datasource.url=... -notifier.url=... -httpListenAddr=H:P"
               --vmalert-url http://H:P --vmalert-log FILE --prometheus-pid PID --json-out FILE

A cycle is: one vmalert iteration (vmalert runs on its own -evaluationInterval,
chosen so that an interval holds one round of each; Sentinel and the raw
client are idle meanwhile), then, while vmalert waits for its next tick, one
raw round and one Sentinel round (their order alternates from cycle to
cycle) and, with --raw-gzip, one raw round asking for gzip. A cycle where
vmalert used CPU during the others (an overlap) is dropped. A warm-up round
of each comes first (vmalert's: the first iteration after it starts, which
comes after a random part of its interval).

  Sentinel round: UPDATE alert_rules SET next_eval_at = now - 1 on Sentinel's
    SQLite file (every rule due at once), then GET /metrics every 2 ms until
    the first query, every 25 ms after it, then (from the pace so far) once
    ~5 ms before the expected end and every 2 ms after that:
    seconds = from its first query answered (sentinel_prometheus_queries_total
    moves) to K more evaluations finished
    (sentinel_rule_evaluation_duration_seconds_count, counted after the
    evaluation's transaction); "from trigger" also includes the wait for the
    scheduler's next 250 ms poll. Errors: sentinel_rule_evaluations_total
    {result="error"}.
  Raw round: query_load sends the K rendered queries at the same concurrency
    and times them itself.
  vmalert iteration: vmalert_iteration_duration_seconds (_sum/_count delta,
    exactly one new iteration) from its /metrics, read after the iteration.
CPU: utime+stime of every thread (/proc/PID/task/*/schedstat, ns), for the
process measured and for Prometheus, over each round; for vmalert from an
idle moment before the iteration to the first idle moment after it (busy ->
idle: no CPU for 150 ms). Prometheus's CPU includes its scraping (measured
alone for 2 s first). RSS: VmRSS after the rounds (VmHWM too).
Prints one line per cycle and the medians; --json-out gets everything.
"""
import argparse
import http.client
import json
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def cpu_ns(pid):
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # the thread ended meanwhile
    return total


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Http:
    """One keep-alive connection."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.conn = None

    def get(self, path):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                body = r.read()
                if r.status != 200:
                    raise RuntimeError("GET %s: %d" % (path, r.status))
                return body.decode()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


def metric_sums(text, wanted):
    """{name or name{filter}: sum over matching series} for the names in `wanted`
    (a key "name|label=\"v\"" sums the series of `name` holding that label)."""
    out = {k: 0.0 for k in wanted}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        series, _, value = line.rpartition(" ")
        name = series.split("{", 1)[0]
        for k in wanted:
            base, _, flt = k.partition("|")
            if name == base and (not flt or flt in series):
                out[k] += float(value)
    return out


class Sentinel:
    DONE = "sentinel_rule_evaluation_duration_seconds_count"
    QUERIES = "sentinel_prometheus_queries_total"
    ERRORS = 'sentinel_rule_evaluations_total|result="error"'
    SKIPPED = "sentinel_rule_evaluations_skipped_total"

    def __init__(self, url, pid, db, prometheus_pid):
        self.http = Http(url)
        self.pid, self.db, self.prom_pid = pid, db, prometheus_pid

    def metrics(self):
        return metric_sums(self.http.get("/metrics"), (self.DONE, self.QUERIES, self.ERRORS, self.SKIPPED))

    def round(self, k, timeout):
        m0 = self.metrics()
        c0, p0 = cpu_ns(self.pid), cpu_ns(self.prom_pid)
        con = sqlite3.connect(self.db, timeout=30, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        n = con.execute("UPDATE alert_rules SET next_eval_at = ? WHERE is_active = 1", (int(time.time()) - 1,)).rowcount
        con.execute("COMMIT")
        con.close()
        if n != k:
            raise RuntimeError("%d active rules in %s, expected %d" % (n, self.db, k))
        t_trigger = time.monotonic()
        deadline = t_trigger + timeout
        t_first = None
        while True:
            m = self.metrics()
            now = time.monotonic()
            if t_first is None and (m[self.QUERIES] > m0[self.QUERIES] or m[self.DONE] > m0[self.DONE]):
                t_first = now
            if m[self.DONE] >= m0[self.DONE] + k:
                break
            if now > deadline:
                raise RuntimeError("Sentinel finished %d of %d evaluations in %.0f s"
                                   % (m[self.DONE] - m0[self.DONE], k, timeout))
            # Until the first query, every 2 ms (the start is timed from it). Then every 25 ms:
            # this loop and the /metrics it reads (~0.3 ms of Sentinel's CPU, more of Python's)
            # run on the same 2 cores as the round, and at 2-5 ms they took a visible share of
            # them (the raw client times itself, unpolled). Near the end, once the rest should
            # take less than 60 ms at the pace so far, sleep until ~5 ms before it should be
            # done, then poll every 2 ms: the end is seen within ~2 ms (at 25 ms throughout it
            # was late by 12 ms on average: against Sentinel, never for it).
            done = m[self.DONE] - m0[self.DONE]
            rest = (k - done) * (now - t_first) / done if t_first is not None and done > 0 else None
            if t_first is None:
                time.sleep(0.002)
            elif rest is None or rest > 0.06:
                time.sleep(0.025)
            else:
                time.sleep(max(0.002, rest - 0.005))
        c1, p1 = cpu_ns(self.pid), cpu_ns(self.prom_pid)
        return {"seconds": now - t_first, "from_trigger": now - t_trigger, "cpu": (c1 - c0) / 1e9,
                "prometheus_cpu": (p1 - p0) / 1e9, "errors": m[self.ERRORS] - m0[self.ERRORS],
                "skipped": m[self.SKIPPED] - m0[self.SKIPPED], "evaluations": m[self.DONE] - m0[self.DONE],
                "queries": m[self.QUERIES] - m0[self.QUERIES]}


class Raw:
    def __init__(self, cmd, prometheus_pid):
        self.proc = subprocess.Popen(shlex.split(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.prom_pid = prometheus_pid

    def round(self):
        p0 = cpu_ns(self.prom_pid)
        self.proc.stdin.write("round\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("query_load exited (%s)" % self.proc.wait())
        p1 = cpu_ns(self.prom_pid)
        f = line.split()
        r = dict(zip(f[0::2], (float(x) for x in f[1::2])))
        return {"seconds": r["seconds"], "cpu": r["cpu_seconds"], "prometheus_cpu": (p1 - p0) / 1e9,
                "errors": r["errors"], "empty": r["empty"], "queries": r["queries"]}

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait()


class VmAlert:
    DUR_SUM = "vmalert_iteration_duration_seconds_sum"
    DUR_COUNT = "vmalert_iteration_duration_seconds_count"
    EXEC = "vmalert_execution_total"
    EXEC_ERR = "vmalert_execution_errors_total"
    MISSED = "vmalert_iteration_missed_total"
    FIRED = "vmalert_alerts_fired_total"

    def __init__(self, cmd, url, prometheus_pid, log):
        self.cmd, self.http, self.prom_pid, self.log = cmd, Http(url), prometheus_pid, log
        self.proc = None

    def start(self, interval):
        self.proc = subprocess.Popen(shlex.split(self.cmd) + ["-evaluationInterval=%ds" % interval],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        self.proc = None

    def metrics(self):
        return metric_sums(self.http.get("/metrics"),
                           (self.DUR_SUM, self.DUR_COUNT, self.EXEC, self.EXEC_ERR, self.MISSED, self.FIRED))

    def wait_iteration(self, timeout, count=None):
        """Waits until vmalert has been busy (> 20 ms of CPU) and then idle for
        150 ms; with `count`, instead until it is idle and its metrics show that
        many iterations (start-up is busy too, and may run into the first
        iteration). Returns (cpu_ns, prometheus cpu_ns) at that idle moment."""
        deadline = time.monotonic() + timeout
        last = cpu_ns(self.pid)
        busy_ns = 0
        idle_since = checked = time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("vmalert exited (%s): see its log" % self.proc.returncode)
            time.sleep(0.01)
            now_ns = cpu_ns(self.pid)
            now = time.monotonic()
            if now_ns - last > 1_000_000:  # more than 1 ms in 10 ms: working
                busy_ns += now_ns - last
                idle_since = now
            last = now_ns
            if now - idle_since >= 0.15:
                if count is None and busy_ns > 20_000_000:
                    return now_ns, cpu_ns(self.prom_pid)
                if count is not None and now - checked >= 0.5:
                    checked = now
                    if self.metrics()[self.DUR_COUNT] >= count:
                        return cpu_ns(self.pid), cpu_ns(self.prom_pid)
            if now > deadline:
                raise RuntimeError("vmalert: no complete iteration within %.0f s" % timeout)


def collect_garbage(prometheus_url):
    """Makes Prometheus run a full Go GC now (net/http/pprof's heap?gc=1
    does before it writes the profile) and returns when it is done. A round
    otherwise pays for the garbage the rounds before it left: measured at
    K = 1 000, whichever of the raw and Sentinel rounds came second in a
    cycle found Prometheus using ~0.14 s more CPU, as much as the round."""
    with urllib.request.urlopen(prometheus_url + "/debug/pprof/heap?gc=1", timeout=60) as r:
        r.read()


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sentinel", required=True)
    ap.add_argument("--sentinel-pid", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--raw-gzip", help="the same raw client asking for gzip (as vmalert does), for comparison")
    ap.add_argument("--vmalert", required=True)
    ap.add_argument("--vmalert-url", required=True)
    ap.add_argument("--vmalert-log", required=True)
    ap.add_argument("--prometheus-pid", type=int, required=True)
    ap.add_argument("--prometheus-url", help="collect Prometheus's garbage before each measured round")
    ap.add_argument("--json-out", required=True)
    a = ap.parse_args()
    k = a.k

    sentinel = Sentinel(a.sentinel, a.sentinel_pid, a.db, a.prometheus_pid)
    raw = Raw(a.raw, a.prometheus_pid)
    gz = Raw(a.raw_gzip, a.prometheus_pid) if a.raw_gzip else None
    log = open(a.vmalert_log, "ab")
    vm = VmAlert(a.vmalert, a.vmalert_url, a.prometheus_pid, log)
    timeout = max(60.0, k / 20.0)
    settle = (lambda: collect_garbage(a.prometheus_url)) if a.prometheus_url else (lambda: None)
    # Rules created for this K got first slots spread over their interval:
    # none may come due on its own during the rounds.
    con = sqlite3.connect(a.db, timeout=30)
    with con:
        con.execute("UPDATE alert_rules SET next_eval_at = ?", (int(time.time()) + 864000,))
    con.close()
    # Prometheus's own background CPU (scraping the fleet), per second.
    p0, t0 = cpu_ns(a.prometheus_pid), time.monotonic()
    time.sleep(2)
    prom_idle = (cpu_ns(a.prometheus_pid) - p0) / 1e9 / (time.monotonic() - t0)
    try:
        # Warm-up: connections, caches, SQLite pages; not counted.
        w_raw = raw.round()
        w_sen = sentinel.round(k, timeout)
        w_gz = gz.round()["seconds"] if gz else 0.0
        # vmalert waits a random part of its interval before a group's first
        # iteration, then ticks every interval: the interval must hold one
        # iteration of each. Guess from the raw round (vmalert asks Prometheus
        # for gzip, which costs Prometheus several times the query), then
        # restart with a longer one if its first iteration says so.
        others = w_raw["seconds"] + w_sen["from_trigger"] + w_gz
        interval = int(1.5 * (8 * w_raw["seconds"] + others) + 3)
        for attempt in range(3):
            vm.start(interval)
            vm.wait_iteration(interval + timeout, count=1)  # the first, warm-up iteration
            m_prev = vm.metrics()
            w_vm = m_prev[vm.DUR_SUM] / max(1.0, m_prev[vm.DUR_COUNT])
            need = int(1.5 * (w_vm + others) + 3)
            if need <= interval:
                break
            vm.stop()
            interval = need
        print("K=%d warm-up: raw %.3f s, Sentinel %.3f s (%.3f s from trigger), vmalert %.3f s;"
              " vmalert -evaluationInterval=%ds" % (k, w_raw["seconds"], w_sen["seconds"], w_sen["from_trigger"],
                                                   w_vm, interval), flush=True)
        vm_c0, vm_p0 = cpu_ns(vm.pid), cpu_ns(a.prometheus_pid)
        cycles, dropped = [], 0
        i = 0
        while len(cycles) < a.rounds:
            if i > a.rounds + 5:
                raise RuntimeError("too many dropped cycles (%d): the machine is too loaded for interval %d s"
                                   % (dropped, interval))
            i += 1
            # vmalert's next iteration (it starts on its own ticker).
            vm_c1, vm_p1 = vm.wait_iteration(interval + timeout)
            m = vm.metrics()
            n_iter = m[vm.DUR_COUNT] - m_prev[vm.DUR_COUNT]
            v = {"seconds": (m[vm.DUR_SUM] - m_prev[vm.DUR_SUM]) / max(1.0, n_iter), "cpu": (vm_c1 - vm_c0) / 1e9,
                 "prometheus_cpu": (vm_p1 - vm_p0) / 1e9, "iterations": n_iter,
                 "executions": m[vm.EXEC] - m_prev[vm.EXEC], "errors": m[vm.EXEC_ERR] - m_prev[vm.EXEC_ERR],
                 "missed": m[vm.MISSED] - m_prev[vm.MISSED], "fired": m[vm.FIRED] - m_prev[vm.FIRED]}
            m_prev = m
            # The other two while vmalert waits; it must stay idle meanwhile.
            idle0 = cpu_ns(vm.pid)
            if i % 2:
                settle()
                r = raw.round()
                settle()
                s = sentinel.round(k, timeout)
            else:
                settle()
                s = sentinel.round(k, timeout)
                settle()
                r = raw.round()
            settle()
            g = gz.round() if gz else None
            overlap_ms = (cpu_ns(vm.pid) - idle0) / 1e6
            vm_c0, vm_p0 = cpu_ns(vm.pid), cpu_ns(a.prometheus_pid)
            ok = n_iter == 1 and v["executions"] == k and overlap_ms < 20
            line = ("K=%d cycle %d: raw %.3f s | Sentinel %.3f s (%.3f from trigger), CPU %.3f s, %d errors"
                    " | vmalert %.3f s, CPU %.3f s, %d errors | Prometheus CPU raw/Sentinel/vmalert"
                    " %.2f/%.2f/%.2f s" % (k, i, r["seconds"], s["seconds"], s["from_trigger"], s["cpu"],
                                          s["errors"], v["seconds"], v["cpu"], v["errors"], r["prometheus_cpu"],
                                          s["prometheus_cpu"], v["prometheus_cpu"]))
            if not ok:
                dropped += 1
                print(line + "  -- dropped (vmalert iterations %d, executions %d, CPU during the others %.0f ms)"
                      % (n_iter, v["executions"], overlap_ms), flush=True)
                continue
            print(line, flush=True)
            cycles.append({"raw": r, "sentinel": s, "vmalert": v, "raw_gzip": g})
        rss = {"sentinel_rss_kb": status_kb(a.sentinel_pid, "VmRSS"),
               "sentinel_hwm_kb": status_kb(a.sentinel_pid, "VmHWM"),
               "vmalert_rss_kb": status_kb(vm.pid, "VmRSS"), "vmalert_hwm_kb": status_kb(vm.pid, "VmHWM")}
    finally:
        vm.stop()
        raw.close()
        if gz:
            gz.close()

    def med(who, key):
        return median([c[who][key] for c in cycles])

    summary = {
        "k": k, "rounds": len(cycles), "dropped": dropped, "vmalert_interval": interval,
        "raw_seconds": med("raw", "seconds"),
        "raw_gzip_seconds": med("raw_gzip", "seconds") if gz else None,
        "raw_gzip_prometheus_cpu": med("raw_gzip", "prometheus_cpu") if gz else None, "raw_cpu": med("raw", "cpu"),
        "raw_prometheus_cpu": med("raw", "prometheus_cpu"),
        "sentinel_seconds": med("sentinel", "seconds"), "sentinel_from_trigger": med("sentinel", "from_trigger"),
        "sentinel_cpu": med("sentinel", "cpu"), "sentinel_prometheus_cpu": med("sentinel", "prometheus_cpu"),
        "vmalert_seconds": med("vmalert", "seconds"), "vmalert_cpu": med("vmalert", "cpu"),
        "vmalert_prometheus_cpu": med("vmalert", "prometheus_cpu"),
        "sentinel_over_raw": median([c["sentinel"]["seconds"] / c["raw"]["seconds"] for c in cycles]),
        "sentinel_errors": sum(c["sentinel"]["errors"] for c in cycles),
        "vmalert_errors": sum(c["vmalert"]["errors"] for c in cycles),
        "raw_errors": sum(c["raw"]["errors"] for c in cycles), "raw_empty": sum(c["raw"]["empty"] for c in cycles),
        "prometheus_idle_cpu_per_second": prom_idle,
        "load_average": open("/proc/loadavg").read().split()[:3],
    }
    summary.update(rss)
    with open(a.json_out, "w") as f:
        json.dump({"summary": summary, "cycles": cycles}, f, indent=1)
    s = summary
    print("K=%d medians of %d cycles (%d dropped): raw %.3f s; Sentinel %.3f s (%.3f s from trigger), CPU %.3f s,"
          " RSS %d MiB; vmalert %.3f s, CPU %.3f s, RSS %d MiB; Sentinel/raw %.2f (paired median)"
          % (k, s["rounds"], dropped, s["raw_seconds"], s["sentinel_seconds"], s["sentinel_from_trigger"],
             s["sentinel_cpu"], s["sentinel_rss_kb"] // 1024, s["vmalert_seconds"], s["vmalert_cpu"],
             s["vmalert_rss_kb"] // 1024, s["sentinel_over_raw"]), flush=True)
    if s["sentinel_errors"] or s["vmalert_errors"] or s["raw_errors"] or s["raw_empty"]:
        print("K=%d WARNING: errors: Sentinel %d, vmalert %d, raw %d (+%d empty answers)"
              % (k, s["sentinel_errors"], s["vmalert_errors"], s["raw_errors"], s["raw_empty"]), file=sys.stderr)


if __name__ == "__main__":
    main()
