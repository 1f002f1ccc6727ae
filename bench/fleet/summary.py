#!/usr/bin/env python3
"""bench/fleet part 3: GET /api/v1/metrics/servers/summary (every active
server's summary) against GET /api/v1/metrics/servers/{id}/summary (one), on
a Sentinel started with METRICS_CACHE_TTL_SEC=0 (every call asks Prometheus).

    summary.py --sentinel URL --token JWT --prometheus-url URL --servers FILE
               [--calls 50] [--block 5] [--fewer 100] --json-out FILE

Calls go one at a time on one keep-alive connection each, in blocks of
--block calls of one kind, the kinds alternating block by block (so both see
the same moments of this shared machine); latency = request written to last
byte of the answer read. Prometheus's own
prometheus_http_requests_total{handler="/api/v1/query"} is read before and
after each block: queries per call. Then --fewer servers only: all the
others PATCHed is_active=false, the fleet call timed again (same blocks, and
its queries per call), and every server made active again. The fleet answer
is checked: one entry per active server, each with the single summary's keys
and, for a sample of servers, the same metric keys as their single summary.
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(root, "bench", "alerts"))
import fleet  # noqa: E402  bench/alerts/fleet.py

FLEET = "/api/v1/metrics/servers/summary"


class Client:
    def __init__(self, url, token):
        u = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {"Authorization": "Bearer " + token}

    def get(self, path):
        t0 = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        body = r.read()
        return time.perf_counter() - t0, r.status, body


def prom_queries(prom_url):
    u = urllib.parse.urlsplit(prom_url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("prometheus_http_requests_total{") and 'handler="/api/v1/query"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))] if xs else float("nan")


class RawProm:
    """A query straight to Prometheus as Sentinel sends it (POST form with
    time and timeout, no compression), on its own keep-alive connection."""

    def __init__(self, url, query):
        u = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.query = query

    def get(self, _path=None):
        body = urllib.parse.urlencode({"query": self.query, "time": "%.3f" % time.time(), "timeout": "10s"})
        t0 = time.perf_counter()
        self.conn.request("POST", "/api/v1/query", body=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "identity"})
        r = self.conn.getresponse()
        data = r.read()
        return time.perf_counter() - t0, r.status, data


def measure(client, prom_url, kinds, calls, block):
    """kinds: {name: [path, ...]} (paths used in turn) or {name: (other client, [path])};
    per kind: latencies, queries per call, bytes."""
    out = {k: {"seconds": [], "queries": 0.0, "calls": 0, "bytes": 0, "statuses": set()} for k in kinds}
    i = {k: 0 for k in kinds}
    names = list(kinds)
    while min(out[k]["calls"] for k in names) < calls:
        for k in names:
            q0 = prom_queries(prom_url)
            for _ in range(block):
                c, paths = kinds[k] if isinstance(kinds[k], tuple) else (client, kinds[k])
                secs, status, body = c.get(paths[i[k] % len(paths)])
                i[k] += 1
                out[k]["seconds"].append(secs)
                out[k]["bytes"] = len(body)
                out[k]["statuses"].add(status)
                out[k]["calls"] += 1
            out[k]["queries"] += prom_queries(prom_url) - q0
        names.reverse()
    for k in names:
        o = out[k]
        o["statuses"] = sorted(o["statuses"])
        o["median"] = statistics.median(o["seconds"])
        o["p90"] = pct(o["seconds"], 0.9)
        o["queries_per_call"] = o["queries"] / o["calls"]
    return out


def set_active(sentinel, token, ids, active):
    auth = {"Authorization": "Bearer " + token}
    fleet.run_parallel(lambda i: fleet.request(sentinel, "PATCH", "/api/v1/servers/%d" % i, {"is_active": active}, auth),
                       ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentinel", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--prometheus-url", required=True)
    ap.add_argument("--servers", required=True)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--block", type=int, default=5)
    ap.add_argument("--fewer", type=int, default=100)
    ap.add_argument("--catalogue", required=True, help="src/prometheus/query_catalogue.cpp (for the raw queries)")
    ap.add_argument("--json-out", required=True)
    a = ap.parse_args()
    servers = list(json.load(open(a.servers)).values())
    client = Client(a.sentinel, a.token)

    secs, status, body = client.get(FLEET)
    if status != 200:
        print("fleet summary: GET %s answered %d (%s): endpoint not available in this build; part 3 skipped"
              % (FLEET, status, body[:120].decode(errors="replace")), flush=True)
        with open(a.json_out, "w") as f:
            json.dump({"available": False, "status": status}, f)
        return
    listed = json.loads(body)
    single_paths = ["/api/v1/metrics/servers/%d/summary" % s for s in servers]
    # Shape: one entry per active server, each shaped as the single summary.
    problems = []
    if not isinstance(listed, list):
        problems.append("not a JSON array")
        listed = []
    by_id = {e.get("server_id"): e for e in listed if isinstance(e, dict)}
    if len(listed) != len(servers) or set(by_id) != set(servers):
        problems.append("%d entries for %d active servers (%d of them known)"
                        % (len(listed), len(servers), len(set(by_id) & set(servers))))
    for sid in servers[:: max(1, len(servers) // 10)]:
        _, st, b = client.get("/api/v1/metrics/servers/%d/summary" % sid)
        one = json.loads(b)
        mine = by_id.get(sid)
        if st != 200 or mine is None:
            problems.append("server %d: single %d, in the fleet list: %s" % (sid, st, mine is not None))
            continue
        if set(one) != set(mine) or set(one.get("metrics") or {}) != set(mine.get("metrics") or {}):
            problems.append("server %d: keys %s / metrics %s in the fleet list, %s / %s alone"
                            % (sid, sorted(mine), sorted(mine.get("metrics") or {}), sorted(one),
                               sorted(one.get("metrics") or {})))
        elif one.get("up") != mine.get("up") or one.get("instance") != mine.get("instance"):
            problems.append("server %d: up/instance differ (%s/%s alone, %s/%s listed)"
                            % (sid, one.get("up"), one.get("instance"), mine.get("up"), mine.get("instance")))
    nulls = sum(1 for e in listed for v in (e.get("metrics") or {}).values() if v is None)
    down = sum(1 for e in listed if not e.get("up"))
    print("fleet summary: %d entries, %d bytes, %d null metrics, %d down; shape %s"
          % (len(listed), len(body), nulls, down, "OK" if not problems else "PROBLEMS: " + "; ".join(problems[:5])),
          flush=True)

    for _ in range(3):  # warm-up
        client.get(FLEET)
        client.get(single_paths[0])
    # The same work straight to Prometheus: the fleet summary's one query and a
    # single summary's one query (bench/metrics/catalogue_queries.py --combined).
    sys.path.insert(0, here)
    import rules
    first = next(iter(json.load(open(a.servers))))
    combined = subprocess.run([sys.executable, os.path.join(root, "bench", "metrics", "catalogue_queries.py"),
                               "--combined", a.catalogue, first, "fixture"],
                              check=True, capture_output=True, text=True).stdout.strip()
    raw_fleet = RawProm(a.prometheus_url, rules.fleet_summary_query(a.catalogue, "fixture"))
    raw_single = RawProm(a.prometheus_url, combined)
    for c in (raw_fleet, raw_single):
        secs, st, b = c.get()
        res = json.loads(b)["data"]["result"] if st == 200 else []
        if st != 200 or not res:
            sys.exit("summary.py: the raw query answered %d with %d series: %s" % (st, len(res), b[:200]))
    full = measure(client, a.prometheus_url, {"fleet": [FLEET], "single": single_paths,
                                              "raw_fleet": (raw_fleet, [None]), "raw_single": (raw_single, [None])},
                   a.calls, a.block)
    print("%d servers, no cache: fleet call median %.2f ms (p90 %.2f), %d bytes, %.2f Prometheus queries per call |"
          " single summary median %.2f ms (p90 %.2f), %.2f queries per call | fleet / single %.2f x"
          % (len(servers), 1e3 * full["fleet"]["median"], 1e3 * full["fleet"]["p90"], full["fleet"]["bytes"],
             full["fleet"]["queries_per_call"], 1e3 * full["single"]["median"], 1e3 * full["single"]["p90"],
             full["single"]["queries_per_call"], full["fleet"]["median"] / full["single"]["median"]), flush=True)
    print("straight to Prometheus (no Sentinel): the fleet query median %.2f ms (p90 %.2f), %d bytes | a single"
          " summary's query %.2f ms (p90 %.2f) | ratio %.1f x"
          % (1e3 * full["raw_fleet"]["median"], 1e3 * full["raw_fleet"]["p90"], full["raw_fleet"]["bytes"],
             1e3 * full["raw_single"]["median"], 1e3 * full["raw_single"]["p90"],
             full["raw_fleet"]["median"] / full["raw_single"]["median"]), flush=True)

    fewer = None
    if 0 < a.fewer < len(servers):
        rest = servers[a.fewer:]
        set_active(a.sentinel, a.token, rest, False)
        try:
            _, st, b = client.get(FLEET)
            n = len(json.loads(b)) if st == 200 else -1
            fewer = measure(client, a.prometheus_url, {"fleet": [FLEET], "single": single_paths[:a.fewer]},
                            a.calls, a.block)
            fewer["entries"] = n
        finally:
            set_active(a.sentinel, a.token, rest, True)
        print("%d active servers (the other %d is_active=false): fleet call median %.2f ms, %d entries, %d bytes,"
              " %.2f Prometheus queries per call | single %.2f ms"
              % (a.fewer, len(rest), 1e3 * fewer["fleet"]["median"], fewer["entries"], fewer["fleet"]["bytes"],
                 fewer["fleet"]["queries_per_call"], 1e3 * fewer["single"]["median"]), flush=True)

    def strip(d):
        return {k: {kk: vv for kk, vv in v.items() if kk != "seconds"} if isinstance(v, dict) else v
                for k, v in d.items()}

    with open(a.json_out, "w") as f:
        json.dump({"available": True, "servers": len(servers), "entries": len(listed), "problems": problems,
                   "full": strip(full), "fewer": strip(fewer) if fewer else None, "fewer_count": a.fewer,
                   "ratio": full["fleet"]["median"] / full["single"]["median"]}, f, indent=1)


if __name__ == "__main__":
    main()
