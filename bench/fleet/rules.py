#!/usr/bin/env python3
"""Fleet rules of bench/fleet (stdlib only; HTTP through bench/alerts/fleet.py).

    rules.py exprs    --catalogue src/prometheus/query_catalogue.cpp --out FILE
        The summary's ten expressions (`up` and the catalogue's nine, as
        bench/metrics/catalogue_queries.py extracts them) in fleet form, one
        "key<TAB>expr" per line: the selector instance="$instance",job="$job"
        removed and every aggregation avg(/max(/sum( made `... by (instance,
        job) (`, so each yields one series per scraped host, e.g.
          100 * (1 - avg by (instance, job) (rate(node_cpu_seconds_total{mode="idle"}[1m])))
    rules.py create   --sentinel URL --token JWT --exprs FILE --out FILE
        One Sentinel fleet rule per expression ("server_id": null, "> 1e12",
        channel "none", eval_interval_sec 86400: bench/fleet makes rules due
        itself); writes {"key": rule_id, ...}.
    rules.py storm    --sentinel URL --token JWT --channel none|webhook --out FILE
        The storm rule: `max by (instance, job) (up)` > 1e12 (quiet until its
        threshold is lowered to 0); writes {"storm": rule_id}.
    rules.py files    --exprs FILE --prometheus-out FILE --vmalert-out FILE --interval 1s --concurrency C
        The same ten rules as one Prometheus rule group (evaluated every
        --interval) and one vmalert group (concurrency C), each alert
        "(expr) > 1e12".
    rules.py register --sentinel URL --token JWT --hosts N [--prefix bench] --servers-out FILE
        Registers the N hosts of bench/alerts/fleet.py `hosts` (already served
        by the exporter and scraped) as servers of another Sentinel (a second
        database); writes {"<instance>": server_id}.
"""
import argparse
import json
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(root, "bench", "alerts"))
import fleet  # noqa: E402  bench/alerts/fleet.py: request, run_parallel, host_name, THRESHOLD

THRESHOLD = fleet.THRESHOLD
STORM_EXPR = "max by (instance, job) (up)"


def fleet_form(template):
    q = template.replace('instance="$instance",job="$job",', "").replace('{instance="$instance",job="$job"}', "")
    q = re.sub(r"(?<![\w])(avg|max|sum)\(", r"\1 by (instance, job) (", q)
    if "$" in q:
        sys.exit("rules.py: a template variable is left in %r (the catalogue's selector changed?)" % q)
    return q


def catalogue(path):
    """[(key, template)]: the summary's ten expressions with $instance and $job left in."""
    out = subprocess.run([sys.executable, os.path.join(root, "bench", "metrics", "catalogue_queries.py"),
                          path, "$instance", "$job"], check=True, capture_output=True, text=True).stdout
    templates = [line for line in out.splitlines() if line.strip()]
    src = open(path).read().split("constexpr ContainerQueries")[0]
    keys = ["up"] + re.findall(r'\{"(\w+)",\s*R"\(', src.partition("constexpr std::string_view up")[0])
    if len(keys) != len(templates) or len(keys) != 10:
        sys.exit("rules.py: %d keys for %d expressions in %s" % (len(keys), len(templates), path))
    return list(zip(keys, templates))


def fleet_summary_query(path, job):
    """The one query of a fleet summary as src/prometheus/query_catalogue.cpp
    fleet_summary_query() builds it (for one job name, a plain value): each
    expression with the selector made job=~"<job>" and its aggregations
    `by (instance, job)`, tagged with label_replace, joined with `or`."""
    parts = []
    for key, t in catalogue(path):
        q = t.replace('instance="$instance",job="$job"', 'job=~"%s"' % job)
        q = re.sub(r"(?<![\w])(avg|max|sum)\(", r"\1 by (instance, job) (", q)
        parts.append('label_replace(%s, "sentinel_metric", "%s", "", "")' % (q, key))
    return " or ".join(parts)


def cmd_exprs(a):
    with open(a.out, "w") as f:
        for k, t in catalogue(a.catalogue):
            f.write("%s\t%s\n" % (k, fleet_form(t)))


def load_exprs(path):
    with open(path) as f:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in f if line.strip()]


def cmd_create(a):
    auth = {"Authorization": "Bearer " + a.token}

    def add(item):
        key, expr = item
        r = fleet.request(a.sentinel, "POST", "/api/v1/alerts/rules/", {
            "name": "fleet-" + key, "server_id": None, "metric_name": key, "promql": expr,
            "threshold": THRESHOLD, "comparison": ">", "channel": "none", "eval_interval_sec": 86400,
        }, auth)
        if r.get("server_id") is not None:
            raise RuntimeError("rule %s was stored with server_id %r, not as a fleet rule" % (key, r["server_id"]))
        return key, r["id"]

    ids = dict(fleet.run_parallel(add, load_exprs(a.exprs)))
    with open(a.out, "w") as f:
        json.dump(ids, f)


def cmd_storm(a):
    auth = {"Authorization": "Bearer " + a.token}
    r = fleet.request(a.sentinel, "POST", "/api/v1/alerts/rules/", {
        "name": "fleet-storm", "server_id": None, "metric_name": "up", "promql": STORM_EXPR,
        "threshold": THRESHOLD, "comparison": ">", "channel": a.channel, "eval_interval_sec": 86400,
        "repeat_interval_sec": 0,
    }, auth)
    with open(a.out, "w") as f:
        json.dump({"storm": r["id"]}, f)


def cmd_files(a):
    exprs = load_exprs(a.exprs)

    def rules(indent):
        out = []
        for key, expr in exprs:
            # JSON strings are valid YAML scalars (as bench/alerts/fleet.py writes them).
            out.append("%s- alert: %s" % (indent, json.dumps("fleet-" + key)))
            out.append("%s  expr: %s" % (indent, json.dumps("(%s) > %g" % (expr, THRESHOLD))))
        return out

    with open(a.prometheus_out, "w") as f:
        f.write("\n".join(["groups:", "  - name: fleet", "    interval: %s" % a.interval, "    rules:"]
                          + rules("      ")) + "\n")
    # No interval: bench/fleet starts vmalert with -evaluationInterval.
    with open(a.vmalert_out, "w") as f:
        f.write("\n".join(["groups:", "  - name: fleet", "    concurrency: %d" % a.concurrency, "    rules:"]
                          + rules("      ")) + "\n")


def cmd_register(a):
    auth = {"Authorization": "Bearer " + a.token}

    def add(i):
        instance = fleet.host_name(a.prefix, i) + ":9100"
        s = fleet.request(a.sentinel, "POST", "/api/v1/servers/",
                          {"name": fleet.host_name(a.prefix, i), "job_name": "fixture", "instance": instance}, auth)
        return instance, s["id"]

    servers = dict(fleet.run_parallel(add, range(1, a.hosts + 1)))
    with open(a.servers_out, "w") as f:
        json.dump(servers, f)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("exprs")
    p.add_argument("--catalogue", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("create")
    p.add_argument("--sentinel", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--exprs", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("storm")
    p.add_argument("--sentinel", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--channel", default="none")
    p.add_argument("--out", required=True)
    p = sub.add_parser("files")
    p.add_argument("--exprs", required=True)
    p.add_argument("--prometheus-out", required=True)
    p.add_argument("--vmalert-out", required=True)
    p.add_argument("--interval", default="1s")
    p.add_argument("--concurrency", type=int, default=16)
    p = sub.add_parser("register")
    p.add_argument("--sentinel", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--hosts", type=int, required=True)
    p.add_argument("--prefix", default="bench")
    p.add_argument("--servers-out", required=True)
    a = ap.parse_args()
    {"exprs": cmd_exprs, "create": cmd_create, "storm": cmd_storm, "files": cmd_files,
     "register": cmd_register}[a.cmd](a)


if __name__ == "__main__":
    main()
