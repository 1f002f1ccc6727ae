#!/usr/bin/env python3
"""A/B mode of bench/alerts/run.sh (COMPARE_BIN): two Sentinel binaries, A and
B, each on its own copy of the same SQLite database, and the raw client, in
the same cycles. A cycle runs one round of each, in an order that rotates
from cycle to cycle, with a full Go GC in Prometheus before each round; no
vmalert. Rounds are measured as in measure.py (its Sentinel and Raw).

Across runs on this shared machine the ratio to raw moves by +-0.1 x; within
a run, A and B see the same machine. Prints each cycle and the medians of
the paired ratios (B/A below 1: B is faster).

    compare.py --k K --rounds R --prometheus-pid PID --prometheus-url URL
               --a URL --a-pid PID --a-db FILE --b URL --b-pid PID --b-db FILE --raw "query_load ..."
"""
import argparse
import sqlite3
import statistics
import time

from measure import Raw, Sentinel, collect_garbage


def park(db):
    """No rule comes due on its own during the cycles."""
    con = sqlite3.connect(db, timeout=30)
    with con:
        con.execute("UPDATE alert_rules SET next_eval_at = ?", (int(time.time()) + 864000,))
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--prometheus-pid", type=int, required=True)
    ap.add_argument("--prometheus-url", required=True)
    for who in ("a", "b"):
        ap.add_argument("--" + who, required=True)
        ap.add_argument("--%s-pid" % who, type=int, required=True)
        ap.add_argument("--%s-db" % who, required=True)
    ap.add_argument("--raw", required=True)
    a = ap.parse_args()
    k, timeout = a.k, max(60.0, a.k / 20.0)
    park(a.a_db)
    park(a.b_db)
    contenders = {
        "raw": Raw(a.raw, a.prometheus_pid),
        "A": Sentinel(a.a, a.a_pid, a.a_db, a.prometheus_pid),
        "B": Sentinel(a.b, a.b_pid, a.b_db, a.prometheus_pid),
    }

    def run(name):
        collect_garbage(a.prometheus_url)
        c = contenders[name]
        return c.round() if name == "raw" else c.round(k, timeout)

    try:
        for name in contenders:  # warm-up
            run(name)
        orders = [("raw", "A", "B"), ("A", "B", "raw"), ("B", "raw", "A"),
                  ("raw", "B", "A"), ("B", "A", "raw"), ("A", "raw", "B")]
        cycles = []
        for i in range(a.rounds):
            r = {name: run(name) for name in orders[i % len(orders)]}
            cycles.append(r)
            print("K=%d cycle %d: raw %.3f s | A %.3f s, CPU %.3f s | B %.3f s, CPU %.3f s | A/raw %.2f B/raw %.2f"
                  " B/A %.3f | Prometheus CPU raw/A/B %.2f/%.2f/%.2f s | errors A/B %d/%d"
                  % (k, i + 1, r["raw"]["seconds"], r["A"]["seconds"], r["A"]["cpu"], r["B"]["seconds"],
                     r["B"]["cpu"], r["A"]["seconds"] / r["raw"]["seconds"], r["B"]["seconds"] / r["raw"]["seconds"],
                     r["B"]["seconds"] / r["A"]["seconds"], r["raw"]["prometheus_cpu"], r["A"]["prometheus_cpu"],
                     r["B"]["prometheus_cpu"], r["A"]["errors"], r["B"]["errors"]), flush=True)
    finally:
        contenders["raw"].close()

    def med(f):
        return statistics.median(f(c) for c in cycles)

    print("K=%d medians of %d cycles: raw %.3f s; A %.3f s (%.2f x raw), CPU %.3f s; B %.3f s (%.2f x raw),"
          " CPU %.3f s; B/A time %.3f, CPU %.3f; Prometheus CPU raw/A/B %.2f/%.2f/%.2f s"
          % (k, len(cycles), med(lambda c: c["raw"]["seconds"]),
             med(lambda c: c["A"]["seconds"]), med(lambda c: c["A"]["seconds"] / c["raw"]["seconds"]),
             med(lambda c: c["A"]["cpu"]),
             med(lambda c: c["B"]["seconds"]), med(lambda c: c["B"]["seconds"] / c["raw"]["seconds"]),
             med(lambda c: c["B"]["cpu"]),
             med(lambda c: c["B"]["seconds"] / c["A"]["seconds"]), med(lambda c: c["B"]["cpu"] / c["A"]["cpu"]),
             med(lambda c: c["raw"]["prometheus_cpu"]), med(lambda c: c["A"]["prometheus_cpu"]),
             med(lambda c: c["B"]["prometheus_cpu"])), flush=True)


if __name__ == "__main__":
    main()
