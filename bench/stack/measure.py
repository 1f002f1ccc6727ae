#!/usr/bin/env python3
"""Helpers of bench/stack/run.sh (stdlib only; psql for the database).

    measure.py rules  --url URL --token T --server-id N --count K
        K rules named bench-00000.. on server N, through URL (8 connections): each one of
        the ten queries of a server summary, `> 1e12` (never fires, the steady state of a
        healthy host), channel none, eval_interval_sec 86400. Skips those that exist.
    measure.py rounds --db URL --workers NAME=PORT:PID ... --k K --rounds R [--json-out F]
        R evaluation rounds of the K bench rules on the workers (see below).
    measure.py rss    NAME=PID ...  [--reset]
        VmRSS and VmHWM (peak) of each process, in KiB, as JSON; --reset then sets each
        peak back to the current RSS (/proc/PID/clear_refs 5), so the next reading is the
        peak of what happened in between.

A round: every bench rule parked an interval away (UPDATE next_eval_at = now + 86400,
then the workers idle), then made due at once (UPDATE next_eval_at = now - 1, one
statement); from that UPDATE's commit, each worker's GET /metrics is polled every 20 ms
until the evaluations (sentinel_rule_evaluations_total, ok + error, summed over the
workers) have grown by K: that is the round time (it includes the wait for the
scheduler's next 250 ms poll). 1.5 s later, checked:
  * exactly once: the evaluations grew by exactly K (no more), and all K rules have
    last_evaluated_at >= the round's slot (each at least once, so each exactly once);
  * the share of each worker (its growth / K);
  * slots skipped (sentinel_rule_evaluations_skipped_total), errors;
  * CPU of each worker (utime + stime from /proc/PID/stat) over the round.
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

# The ten queries of a server's summary (src/prometheus/query_catalogue.cpp), templated.
QUERIES = [
    'max(up{instance="$instance",job="$job"})',
    '100 * (1 - avg(rate(node_cpu_seconds_total{instance="$instance",job="$job",mode="idle"}[1m])))',
    '100 * (1 - max(node_memory_MemAvailable_bytes{instance="$instance",job="$job"}) '
    '/ max(node_memory_MemTotal_bytes{instance="$instance",job="$job"}))',
    '100 * (1 - max(node_filesystem_avail_bytes{instance="$instance",job="$job",mountpoint="/",fstype!="rootfs"}) '
    '/ max(node_filesystem_size_bytes{instance="$instance",job="$job",mountpoint="/",fstype!="rootfs"}))',
    'max(node_load1{instance="$instance",job="$job"})',
    'max(node_load5{instance="$instance",job="$job"})',
    'max(node_load15{instance="$instance",job="$job"})',
    'sum(rate(node_network_receive_bytes_total{instance="$instance",job="$job",device!~"lo|veth.*|docker.*"}[1m]))',
    'sum(rate(node_network_transmit_bytes_total{instance="$instance",job="$job",device!~"lo|veth.*|docker.*"}[1m]))',
    'max(time() - node_boot_time_seconds{instance="$instance",job="$job"})',
]
PARK = 86400
CLK_TCK = os.sysconf("SC_CLK_TCK")


def http_call(host, port, method, path, body=None, token=None, conn=None):
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    own = conn is None
    c = conn or http.client.HTTPConnection(host, port, timeout=30)
    try:
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        if own:
            c.close()


def psql(db, sql):
    out = subprocess.run(["psql", db, "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


# --- rules --------------------------------------------------------------------------
def create_rules(a):
    u = urllib.parse.urlsplit(a.url)
    existing = set()
    skip = 0
    while True:
        status, body = http_call(u.hostname, u.port, "GET", "/api/v1/alerts/rules/?limit=1000&skip=%d" % skip,
                                 token=a.token)
        assert status == 200, (status, body[:300])
        page = json.loads(body)
        existing.update(r["name"] for r in page)
        if len(page) < 1000:
            break
        skip += 1000
    todo = [j for j in range(a.count) if "bench-%05d" % j not in existing]
    errors = []

    def worker(k):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            for j in todo[k::8]:
                status, body = http_call(u.hostname, u.port, "POST", "/api/v1/alerts/rules/", {
                    "name": "bench-%05d" % j, "server_id": a.server_id, "metric_name": "bench",
                    "promql": QUERIES[j % len(QUERIES)], "comparison": ">", "threshold": 1e12,
                    "channel": "none", "eval_interval_sec": PARK}, token=a.token, conn=conn)
                if status != 201:
                    errors.append((j, status, body[:200]))
                    return
        except Exception as e:  # noqa: reported below
            errors.append((k, repr(e)))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit("creating rules failed: %r" % errors[:3])
    print("%d rules created (%d existed)" % (len(todo), a.count - len(todo)), file=sys.stderr)


# --- rounds -------------------------------------------------------------------------
class Worker:
    def __init__(self, spec):
        self.name, rest = spec.split("=", 1)
        port, pid = rest.split(":")
        self.port, self.pid = int(port), int(pid)
        self.conn = None

    def metrics(self):
        """(evaluations ok + error, errors, skipped)"""
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                status, body = http_call(None, None, "GET", "/metrics", conn=self.conn)
                break
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    raise
        assert status == 200, status
        ok = err = skipped = 0.0
        for line in body.splitlines():
            if line.startswith("sentinel_rule_evaluations_total{"):
                value = float(line.rsplit(" ", 1)[1])
                if 'result="ok"' in line:
                    ok += value
                else:
                    err += value
            elif line.startswith("sentinel_rule_evaluations_skipped_total"):
                skipped += float(line.rsplit(" ", 1)[1])
        return ok + err, err, skipped

    def cpu(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK


def totals(workers):
    return [w.metrics() for w in workers]


def wait_idle(workers, quiet=1.0, timeout=120):
    """Until no worker's evaluation count moves for `quiet` seconds."""
    last, since, deadline = None, time.time(), time.time() + timeout
    while time.time() < deadline:
        now = [t[0] for t in totals(workers)]
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return
        time.sleep(0.1)
    raise SystemExit("workers did not go idle")


def one_round(db, workers, k):
    psql(db, "UPDATE alert_rules SET next_eval_at = %d WHERE name LIKE 'bench-%%'" % (int(time.time()) + PARK))
    wait_idle(workers)
    time.sleep(max(0.0, 1.05 - (time.time() % 1)))  # a fresh second: this round's slot is after the last one's
    before = totals(workers)
    cpu0 = [w.cpu() for w in workers]
    slot = int(time.time()) - 1
    psql(db, "UPDATE alert_rules SET next_eval_at = %d WHERE name LIKE 'bench-%%'" % slot)
    t0 = time.time()
    first = None
    while True:
        now = totals(workers)
        done = sum(n[0] - b[0] for n, b in zip(now, before))
        if first is None and done > 0:
            first = time.time() - t0
        if done >= k:
            seconds = time.time() - t0
            break
        if time.time() - t0 > 300:
            raise SystemExit("round not finished after 300 s: %d of %d evaluations" % (done, k))
        time.sleep(0.02)
    cpu1 = [w.cpu() for w in workers]
    time.sleep(1.5)
    after = totals(workers)
    per_worker = [a[0] - b[0] for a, b in zip(after, before)]
    evaluated = int(psql(db, "SELECT count(*) FROM alert_rules WHERE name LIKE 'bench-%%' "
                             "AND last_evaluated_at >= %d" % slot))
    return {
        "seconds": seconds,
        "first_evaluation_after": first,
        "evaluations": sum(per_worker),
        "per_worker": {w.name: n for w, n in zip(workers, per_worker)},
        "share": {w.name: n / k for w, n in zip(workers, per_worker)},
        "rules_evaluated": evaluated,
        "exactly_once": sum(per_worker) == k and evaluated == k,
        "errors": sum(a[1] - b[1] for a, b in zip(after, before)),
        "skipped": sum(a[2] - b[2] for a, b in zip(after, before)),
        "cpu": {w.name: c1 - c0 for w, c0, c1 in zip(workers, cpu0, cpu1)},
    }


def rounds(a):
    workers = [Worker(s) for s in a.workers]
    out = []
    for i in range(a.rounds):
        r = one_round(a.db, workers, a.k)
        out.append(r)
        print("  round %d: %.3f s (first evaluation after %.3f s), %d evaluations of %d rules, %d rules "
              "evaluated, by worker %s, errors %d, skipped %d, CPU %s"
              % (i + 1, r["seconds"], r["first_evaluation_after"], r["evaluations"], a.k, r["rules_evaluated"],
                 " ".join("%s=%d (%.1f %%)" % (n, r["per_worker"][n], 100 * r["share"][n]) for n in r["per_worker"]),
                 r["errors"], r["skipped"], " ".join("%s=%.2fs" % kv for kv in r["cpu"].items())), file=sys.stderr)
    psql(a.db, "UPDATE alert_rules SET next_eval_at = %d WHERE name LIKE 'bench-%%'" % (int(time.time()) + PARK))
    summary = {
        "k": a.k, "workers": len(workers), "rounds": out,
        "median_seconds": statistics.median(r["seconds"] for r in out),
        "max_share": max(max(r["share"].values()) for r in out),
        "all_exactly_once": all(r["exactly_once"] for r in out),
        "median_cpu_total": statistics.median(sum(r["cpu"].values()) for r in out),
    }
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(summary, f)
    print(json.dumps({k: v for k, v in summary.items() if k != "rounds"}))


# --- rss ----------------------------------------------------------------------------
def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rss(a):
    out = {}
    for spec in a.procs:
        name, pid = spec.split("=")
        pid = int(pid)
        out[name] = {"rss_kb": status_kb(pid, "VmRSS"), "hwm_kb": status_kb(pid, "VmHWM")}
        if a.reset:
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rules")
    r.add_argument("--url", required=True)
    r.add_argument("--token", required=True)
    r.add_argument("--server-id", type=int, required=True)
    r.add_argument("--count", type=int, required=True)
    r = sub.add_parser("rounds")
    r.add_argument("--db", required=True)
    r.add_argument("--workers", nargs="+", required=True)
    r.add_argument("--k", type=int, required=True)
    r.add_argument("--rounds", type=int, default=3)
    r.add_argument("--json-out")
    r = sub.add_parser("rss")
    r.add_argument("procs", nargs="+")
    r.add_argument("--reset", action="store_true")
    a = p.parse_args()
    {"rules": create_rules, "rounds": rounds, "rss": rss}[a.cmd](a)


if __name__ == "__main__":
    main()
