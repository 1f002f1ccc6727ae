#!/usr/bin/env python3
"""Fleet and rules of bench/alerts (stdlib only).

    fleet.py hosts  --exporter H:P --targets FILE --sentinel URL --token JWT --hosts N [--prefix bench]
                    --servers-out FILE
        N synthetic hosts in the fixture exporter (values as bench/ws/fleet.py
        sets them), one file_sd file listing all N as Prometheus targets (job
        "fixture", instance "<prefix>-<i>:9100", path /hosts/<name>/metrics), and
        N Sentinel servers; writes {"<instance>": server_id} to --servers-out.
    fleet.py wait   --prometheus URL --hosts N [--timeout 180]
        Until every host answers the rule queries: up == 1 and a
        rate(...[1m]) (two scrapes) for all N.
    fleet.py rules  --sentinel URL --token JWT --servers FILE --templates FILE --first A --count K
        Creates rules A..K-1 through POST /api/v1/alerts/rules/ (8 at a time).
    fleet.py files  --servers FILE --templates FILE --count K --queries-out FILE --vmalert-out FILE
                    --concurrency C
        The same K rules rendered for the raw load generator (one query per
        line, $instance/$job filled in) and as a vmalert rules file (one group
        of K alerting rules, "(query) > threshold", concurrency C).
    fleet.py sink   --port-file FILE
        A notifier that accepts every POST (vmalert needs -notifier.url even
        when nothing fires); listens on a free loopback port written to FILE.

Rule j (0-based) watches host h = j mod N with metric m = (h + j div N) mod M,
where the M templates are the summary's queries (`up` first, then the
catalogue's nine, from bench/metrics/catalogue_queries.py with $instance and
$job left in): K = N gives every host one rule and spreads the ten metrics over
the hosts; K = 10 N gives every host all ten. Every rule is "query > 1e12"
(nothing fires: the steady state of a healthy fleet), channel "none",
eval_interval_sec 86400 (bench/alerts/run.sh makes rules due itself).
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

THRESHOLD = 1e12
_local = threading.local()


def request(base, method, path, body=None, headers=None, timeout=30):
    """One request on this thread's keep-alive connection to `base`."""
    u = urllib.parse.urlsplit(base if "://" in base else "http://" + base)
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    data = json.dumps(body).encode() if body is not None else None
    h = dict(headers or {})
    if data is not None:
        h["Content-Type"] = "application/json"
    for attempt in (0, 1):
        conn = conns.get(u.netloc)
        if conn is None:
            conn = conns[u.netloc] = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            break
        except (http.client.HTTPException, OSError):
            conn.close()
            conns.pop(u.netloc, None)
            if attempt:
                raise
    if r.status >= 400:
        raise RuntimeError("%s %s%s: %d %s" % (method, base, path, r.status, raw[:300]))
    return json.loads(raw) if raw.strip().startswith((b"{", b"[")) else raw


def host_name(prefix, i):
    return "%s-%d" % (prefix, i)


def rule_for(j, hosts, metrics):
    h = j % hosts
    return h, (h + j // hosts) % metrics


def load_templates(path):
    with open(path) as f:
        out = [line.rstrip("\n") for line in f if line.strip()]
    if not out:
        sys.exit("fleet.py: no templates in %s" % path)
    return out


def load_servers(path):
    with open(path) as f:
        servers = json.load(f)  # {"<instance>": id}, in host order
    return list(servers.items())


def render(template, instance, job="fixture"):
    # Plain values: nothing in them needs quoting (Sentinel escapes them the same way).
    return template.replace("$instance", instance).replace("$job", job)


def run_parallel(fn, items, workers=8):
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def cmd_hosts(a):
    auth = {"Authorization": "Bearer " + a.token}

    def put_host(i):
        request(a.exporter, "PUT", "/hosts/" + host_name(a.prefix, i), {
            "cpus": 2, "cpu_busy_percent": 10 + i % 80,
            "mem_total_bytes": 8e9, "mem_available_bytes": 2e9 + (i % 500) * 1e7,
            "fs_size_bytes": 100e9, "fs_avail_bytes": 40e9 + (i % 500) * 1e8,
            "load1": 0.5 + (i % 100) / 100, "load5": 0.4, "load15": 0.3,
            "rx_bytes_per_sec": 1000 * i, "tx_bytes_per_sec": 500 * i,
            "uptime_seconds": 86400 + i,
        })

    run_parallel(put_host, range(1, a.hosts + 1))
    groups = [{"targets": [a.exporter],
               "labels": {"__metrics_path__": "/hosts/%s/metrics" % host_name(a.prefix, i),
                          "instance": host_name(a.prefix, i) + ":9100", "job": "fixture"}}
              for i in range(1, a.hosts + 1)]
    tmp = os.path.join(os.path.dirname(a.targets), "." + os.path.basename(a.targets) + ".tmp")
    with open(tmp, "w") as f:
        json.dump(groups, f)
    os.rename(tmp, a.targets)

    def add_server(i):
        instance = host_name(a.prefix, i) + ":9100"
        s = request(a.sentinel, "POST", "/api/v1/servers/",
                    {"name": host_name(a.prefix, i), "job_name": "fixture", "instance": instance}, auth)
        return instance, s["id"]

    servers = dict(run_parallel(add_server, range(1, a.hosts + 1)))
    with open(a.servers_out, "w") as f:
        json.dump(servers, f)


def prom_scalar(prom, expr):
    r = request(prom, "GET", "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    res = r["data"]["result"]
    return float(res[0]["value"][1]) if res else 0.0


def cmd_wait(a):
    exprs = ['count(up{job="fixture"} == 1)',
             'count(count by (instance) (rate(node_cpu_seconds_total{job="fixture",mode="idle"}[1m])))',
             'count(count by (instance) (rate(node_network_receive_bytes_total{job="fixture"}[1m])))']
    deadline = time.time() + a.timeout
    while True:
        have = [prom_scalar(a.prometheus, e) for e in exprs]
        if min(have) >= a.hosts:
            return
        if time.time() > deadline:
            sys.exit("fleet.py: after %.0f s Prometheus has %s of %d hosts (up, cpu rate, network rate)"
                     % (a.timeout, [int(x) for x in have], a.hosts))
        time.sleep(1)


def cmd_rules(a):
    auth = {"Authorization": "Bearer " + a.token}
    templates = load_templates(a.templates)
    servers = load_servers(a.servers)

    def add_rule(j):
        h, m = rule_for(j, len(servers), len(templates))
        instance, server_id = servers[h]
        request(a.sentinel, "POST", "/api/v1/alerts/rules/", {
            "name": "bench-%d" % j, "server_id": server_id, "metric_name": "m%d" % m,
            "promql": templates[m], "threshold": THRESHOLD, "comparison": ">",
            "channel": "none", "eval_interval_sec": 86400,
        }, auth)

    run_parallel(add_rule, range(a.first, a.count))


def cmd_files(a):
    templates = load_templates(a.templates)
    servers = load_servers(a.servers)
    queries = []
    for j in range(a.count):
        h, m = rule_for(j, len(servers), len(templates))
        queries.append(render(templates[m], servers[h][0]))
    with open(a.queries_out, "w") as f:
        f.write("".join(q + "\n" for q in queries))
    # JSON strings are valid YAML scalars: no YAML quoting rules to get wrong.
    # No group interval: measure.py sets -evaluationInterval to fit its cycles.
    lines = ["groups:", "  - name: bench", "    concurrency: %d" % a.concurrency, "    rules:"]
    for j, q in enumerate(queries):
        lines.append("      - alert: %s" % json.dumps("bench-%d" % j))
        lines.append("        expr: %s" % json.dumps("(%s) > %g" % (q, THRESHOLD)))
    with open(a.vmalert_out, "w") as f:
        f.write("\n".join(lines) + "\n")


def cmd_sink(a):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Sink(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PUT = do_POST

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("hosts")
    p.add_argument("--exporter", required=True)
    p.add_argument("--targets", required=True)
    p.add_argument("--sentinel", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--hosts", type=int, required=True)
    p.add_argument("--prefix", default="bench")
    p.add_argument("--servers-out", required=True)
    p = sub.add_parser("wait")
    p.add_argument("--prometheus", required=True)
    p.add_argument("--hosts", type=int, required=True)
    p.add_argument("--timeout", type=float, default=180)
    p = sub.add_parser("rules")
    p.add_argument("--sentinel", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--servers", required=True)
    p.add_argument("--templates", required=True)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--count", type=int, required=True)
    p = sub.add_parser("files")
    p.add_argument("--servers", required=True)
    p.add_argument("--templates", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--queries-out", required=True)
    p.add_argument("--vmalert-out", required=True)
    p.add_argument("--concurrency", type=int, required=True)
    p = sub.add_parser("sink")
    p.add_argument("--port-file", required=True)
    a = ap.parse_args()
    {"sink": cmd_sink, "hosts": cmd_hosts, "wait": cmd_wait, "rules": cmd_rules, "files": cmd_files}[a.cmd](a)


if __name__ == "__main__":
    main()
