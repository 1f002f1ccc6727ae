#!/usr/bin/env python3
"""Registers a fleet of synthetic hosts for the benchmarks (stdlib only).

    fleet.py --env DIR --sentinel http://127.0.0.1:PORT --token JWT --count N [--prefix bench]

DIR is a `scripts/test-env start DIR fixture_exporter prometheus` folder. For
host i (1..N) it PUTs values to the fixture exporter, writes a file_sd target
file into DIR/prometheus/targets (as tests/integration/fixtures.py does: job
"fixture", instance "<prefix>-<i>:9100"), registers a Sentinel server with
that job and instance, then waits until Prometheus has scraped every host
(up == 1 and node_load1 present). Prints the server ids, comma-separated.
"""
import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse


def env_file(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                out[k] = v
    return out


def request(base, method, path, body=None, headers=None, timeout=10):
    u = urllib.parse.urlsplit(base if "://" in base else "http://" + base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        h = dict(headers or {})
        if data is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        raw = r.read()
        if r.status >= 400:
            raise RuntimeError("%s %s%s: %d %s" % (method, base, path, r.status, raw[:300]))
        return json.loads(raw) if raw.strip().startswith((b"{", b"[")) else raw
    finally:
        conn.close()


def prom_scalar(prom, expr):
    r = request(prom, "GET", "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    res = r["data"]["result"]
    return float(res[0]["value"][1]) if res else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", required=True)
    ap.add_argument("--sentinel", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--prefix", default="bench")
    ap.add_argument("--timeout", type=float, default=90)
    a = ap.parse_args()

    env = env_file(os.path.join(a.env, "env"))
    exporter = env["SENTINEL_TEST_FIXTURE_EXPORTER"]
    prom = env["SENTINEL_TEST_PROMETHEUS_URL"]
    targets = env["SENTINEL_TEST_FIXTURE_TARGETS_DIR"]
    auth = {"Authorization": "Bearer " + a.token}

    ids = []
    for i in range(1, a.count + 1):
        name = "%s-%d" % (a.prefix, i)
        instance = name + ":9100"
        request(exporter, "PUT", "/hosts/" + name, {
            "cpus": 2, "cpu_busy_percent": 10 + i % 80,
            "mem_total_bytes": 8e9, "mem_available_bytes": 2e9 + i * 1e7,
            "fs_size_bytes": 100e9, "fs_avail_bytes": 40e9 + i * 1e8,
            "load1": 0.5 + i / 100, "load5": 0.4, "load15": 0.3,
            "rx_bytes_per_sec": 1000 * i, "tx_bytes_per_sec": 500 * i,
            "uptime_seconds": 86400 + i,
        })
        labels = {"__metrics_path__": "/hosts/%s/metrics" % name, "instance": instance, "job": "fixture"}
        tmp = os.path.join(targets, ".%s.json.tmp" % name)
        with open(tmp, "w") as f:
            json.dump([{"targets": [exporter], "labels": labels}], f)
        os.rename(tmp, os.path.join(targets, "%s.json" % name))
        server = request(a.sentinel, "POST", "/api/v1/servers/",
                         {"name": name, "job_name": "fixture", "instance": instance}, auth)
        ids.append(server["id"])

    sel = 'job="fixture",instance=~"%s-[0-9]+:9100"' % a.prefix
    deadline = time.time() + a.timeout
    while True:
        up = prom_scalar(prom, "count(up{%s} == 1)" % sel)
        load = prom_scalar(prom, "count(node_load1{%s})" % sel)
        if up >= a.count and load >= a.count:
            break
        if time.time() > deadline:
            sys.exit("fleet.py: only %d of %d hosts scraped after %.0f s" % (min(up, load), a.count, a.timeout))
        time.sleep(0.5)
    print(",".join(str(i) for i in ids))


if __name__ == "__main__":
    main()
