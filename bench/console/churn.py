#!/usr/bin/env python3
"""Keeps the synthetic fleet's values moving (stdlib only).

    churn.py --exporter H:P --hosts N --period SECONDS [--prefix bench] [--workers 4]

bench/alerts/fleet.py gives each fixture host fixed numbers, so once its
series are older than the [1m] rate window a live fleet only changes by
scrape-timing noise in the rates (CPU 30.998 % -> 31.002 %, which the console
shows as the same "31.0 %"). Like a real fleet, every host here gets new
values once per PERIOD (the scrape interval, so each scrape sees new numbers):
a random walk of cpu_busy_percent (±8 points, 1..99), mem_available_bytes
(±4 % of the 8 GB total), fs_avail_bytes (±0.5 % of 100 GB) and load1,
PATCHed to the fixture exporter, the hosts spread evenly over the period
(N / PERIOD PATCHes a second). Runs until killed; prints the PATCHes per
second it kept up on stderr when it falls behind.
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exporter", required=True)
    ap.add_argument("--hosts", type=int, required=True)
    ap.add_argument("--period", type=float, required=True)
    ap.add_argument("--prefix", default="bench")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    host, port = a.exporter.rsplit(":", 1)
    rng = random.Random(a.seed)
    # Start where bench/alerts/fleet.py put each host.
    state = {i: {"cpu": 10.0 + i % 80, "mem": 2e9 + (i % 500) * 1e7, "fs": 40e9 + (i % 500) * 1e8,
                 "load1": 0.5 + (i % 100) / 100} for i in range(1, a.hosts + 1)}
    step = a.period / a.hosts  # seconds between two PATCHes, all workers together

    def worker(w):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        t0 = time.monotonic()
        k = w  # the k-th PATCH overall; this worker does k = w, w + workers, ...
        lag_reported = 0.0
        while True:
            due = t0 + k * step
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            elif now - due > a.period and now - lag_reported > 30:
                print("churn.py: %.1f s behind" % (now - due), file=sys.stderr)
                lag_reported = now
            i = k % a.hosts + 1
            s = state[i]
            with lock:
                s["cpu"] = min(99.0, max(1.0, s["cpu"] + rng.uniform(-8, 8)))
                s["mem"] = min(7.5e9, max(0.5e9, s["mem"] + rng.uniform(-3.2e8, 3.2e8)))
                s["fs"] = min(95e9, max(5e9, s["fs"] + rng.uniform(-5e8, 5e8)))
                s["load1"] = max(0.0, s["load1"] + rng.uniform(-0.2, 0.2))
                body = json.dumps({"cpu_busy_percent": round(s["cpu"], 2), "mem_available_bytes": s["mem"],
                                   "fs_avail_bytes": s["fs"], "load1": round(s["load1"], 3)})
            for attempt in (0, 1):
                try:
                    conn.request("PATCH", "/hosts/%s-%d" % (a.prefix, i), body=body,
                                 headers={"Content-Type": "application/json"})
                    r = conn.getresponse()
                    r.read()
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    conn = http.client.HTTPConnection(host, int(port), timeout=10)
                    if attempt:
                        raise
            k += a.workers

    lock = threading.Lock()
    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
