#!/usr/bin/env python3
"""bench/abuse: what a login flood and idle connections cost everyone else (stdlib only).

    abuse.py --url URL --token T --server-id N --sentinel-pid P --db SQLITE --prometheus-pid Q --rules K

Five phases in turn, Q A Q A Q, in one run, each --rounds alert rounds long:
  quiet   nothing but the probe and the alert rounds;
  attack  the same, while an attacker process keeps IDLE (2000) kept-alive idle connections
          open from 127.0.1.1..8 (250 each: under MAX_CONNECTIONS_PER_CLIENT) and sends
          RATE (200) wrong logins per second, spread over 50 client addresses (127.0.0.2..51,
          4/s each, on one kept-alive connection per address, reconnecting when closed).
Measured in both: the p50/p99 of authenticated GET /api/v1/servers/{id}, sent by a probe
process at PROBE_RATE (200/s) over 4 kept-alive connections (a fixed rate, not a saturating
load: the question is how long a normal request waits, not how many fit); and the alert round:
K rules made due at once, timed from the first query to the K-th finished evaluation
(bench/alerts/measure.py's Sentinel.round). Also: the owner's own logins from 127.0.0.1 during
the attack, what the flood was answered, and the connections Sentinel counted.
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "alerts"))
from measure import Sentinel as AlertEngine, metric_sums  # noqa: E402


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


async def http_call(reader, writer, request):
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, head, body


# --- probe: authenticated GETs at a fixed rate ---------------------------------------------

def probe_main(host, port, path, token, rate, stop_file, out):
    async def run():
        request = ("GET %s HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\n\r\n" % (path, token)).encode()
        latencies, errors = [], 0
        conns = 4
        interval = conns / rate

        async def one():
            nonlocal errors
            reader, writer = await asyncio.open_connection(host, port)
            next_at = time.monotonic() + random.random() * interval
            while not os.path.exists(stop_file):
                delay = next_at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += interval
                t0 = time.perf_counter()
                try:
                    status, _, _ = await http_call(reader, writer, request)
                except (OSError, asyncio.IncompleteReadError):
                    errors += 1
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
            writer.close()

        await asyncio.gather(*(one() for _ in range(conns)))
        return latencies, errors

    latencies, errors = asyncio.run(run())
    out.put({"n": len(latencies), "errors": errors, "latencies": latencies})


# --- attacker: idle connections and a login flood -----------------------------------------

def attacker_main(host, port, idle, rate, addresses, stop_file, ready, out):
    # A real attacker's CPU is not on the server's cores; here it is, so it runs at nice 10:
    # it still sends every request (it needs ~15 % of a core), but its own scheduling does
    # not count against Sentinel.
    os.nice(10)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def run():
        stats = {"idle_open": 0, "idle_reconnects": 0, "idle_failed": 0, "logins": 0, "status": {},
                 "refused_connections": 0, "latency_429": [], "latency_401": []}
        keepalive = b"GET /api/v1/health/liveness HTTP/1.1\r\nHost: bench\r\n\r\n"

        async def hold(source):
            # A kept-alive connection that went idle after one request; reopened when closed
            # (idle timeout, eviction), as an attacker holding sockets would.
            first = True
            while not os.path.exists(stop_file):
                try:
                    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
                    await http_call(reader, writer, keepalive)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    stats["idle_failed"] += 1
                    await asyncio.sleep(0.5)
                    continue
                stats["idle_open"] += 1
                if not first:
                    stats["idle_reconnects"] += 1
                first = False
                try:
                    await reader.read(1)  # returns at end of stream: closed by the server (cancelled at the end)
                except OSError:
                    pass
                finally:
                    stats["idle_open"] -= 1
                    writer.close()

        async def flood(source, per_second):
            interval = 1.0 / per_second
            next_at = time.monotonic() + random.random() * interval
            reader = writer = None
            n = 0
            while not os.path.exists(stop_file):
                delay = next_at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += interval
                n += 1
                email = "admin@example.com" if n % 2 else "user%d@example.com" % random.randrange(10 ** 6)
                form = urllib.parse.urlencode({"username": email, "password": "wrong-%d" % random.randrange(10 ** 9)})
                req = ("POST /api/v1/auth/login HTTP/1.1\r\nHost: bench\r\nContent-Type: "
                       "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s" % (len(form), form)).encode()
                t0 = time.perf_counter()
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
                    status, _, _ = await http_call(reader, writer, req)
                except (OSError, asyncio.IncompleteReadError):
                    stats["refused_connections"] += 1
                    writer = None
                    continue
                stats["logins"] += 1
                stats["status"][status] = stats["status"].get(status, 0) + 1
                if status in (401, 429):
                    stats["latency_%d" % status].append(time.perf_counter() - t0)

        idle_tasks = []
        per_address = idle // 8
        for i in range(idle):
            idle_tasks.append(asyncio.create_task(hold("127.0.1.%d" % (1 + i // per_address))))
            if i % 100 == 99:
                await asyncio.sleep(0.05)
        deadline = time.monotonic() + 60
        while stats["idle_open"] < idle and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        flood_tasks = [asyncio.create_task(flood(a, rate / len(addresses))) for a in addresses]
        ready.set()
        held = []

        async def sample():
            while not os.path.exists(stop_file):
                held.append(stats["idle_open"])
                await asyncio.sleep(0.5)

        await asyncio.gather(sample(), *flood_tasks)
        for t in idle_tasks:
            t.cancel()
        await asyncio.gather(*idle_tasks, return_exceptions=True)
        stats["idle_open_min"], stats["idle_open_max"] = min(held), max(held)
        stats["cpu_seconds"] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        for k in ("latency_429", "latency_401"):
            xs = stats.pop(k)
            stats[k + "_p50"] = percentile(xs, 0.5)
            stats[k + "_p99"] = percentile(xs, 0.99)
        return stats

    out.put(asyncio.run(run()))


# --- orchestration ------------------------------------------------------------------------

def owner_login(url, email, password):
    data = urllib.parse.urlencode({"username": email, "password": password}).encode()
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/api/v1/auth/login", data=data), timeout=30) as r:
            return r.status, time.perf_counter() - t0
    except urllib.error.HTTPError as e:
        return e.code, time.perf_counter() - t0


def merge(phases):
    """One phase of a kind: rounds and probe latencies pooled."""
    lat = [x for p in phases for x in p["probe"]["latencies"]]
    out = {"rounds": [x for p in phases for x in p["rounds"]], "connections_max": max(p["connections_max"] for p in phases),
           "probe": {"n": len(lat), "errors": sum(p["probe"]["errors"] for p in phases), "p50": percentile(lat, 0.5),
                     "p99": percentile(lat, 0.99), "max": max(lat)}}
    out["round_median"] = statistics.median(out["rounds"])
    if phases[0]["attack"]:
        out["owner_logins"] = [x for p in phases for x in p["owner_logins"]]
        atts = [p["attacker"] for p in phases]
        att = {k: sum(x[k] for x in atts) for k in ("idle_reconnects", "idle_failed", "logins", "refused_connections",
                                                     "cpu_seconds")}
        att["idle_open_min"] = min(x["idle_open_min"] for x in atts)
        att["idle_open_max"] = max(x["idle_open_max"] for x in atts)
        att["status"] = {}
        for x in atts:
            for k, v in x["status"].items():
                att["status"][k] = att["status"].get(k, 0) + v
        for k in ("latency_429_p50", "latency_429_p99", "latency_401_p50", "latency_401_p99"):
            att[k] = max(x[k] for x in atts)
        out["attacker"] = att
    return out


def phase(name, a, engine, attack):
    stop_file = "%s/stop-%s" % (a.workdir, name)
    host, port = urllib.parse.urlparse(a.url).hostname, urllib.parse.urlparse(a.url).port
    ctx = multiprocessing.get_context("fork")
    attacker = attacker_out = None
    if attack:
        attacker_out, ready = ctx.Queue(), ctx.Event()
        attacker = ctx.Process(target=attacker_main, args=(host, port, a.idle, a.rate,
                                                           ["127.0.0.%d" % i for i in range(2, 52)],
                                                           stop_file, ready, attacker_out))
        attacker.start()
        if not ready.wait(90):
            raise RuntimeError("the attacker did not get its idle connections open in 90 s")
        time.sleep(2)  # the flood under way
    probe_out = ctx.Queue()
    probe = ctx.Process(target=probe_main, args=(host, port, "/api/v1/servers/%d" % a.server_id, a.token,
                                                 a.probe_rate, stop_file, probe_out))
    probe.start()
    time.sleep(1)
    rounds, owner = [], []
    connections = []
    for i in range(a.rounds):
        r = engine.round(a.rules, timeout=120)
        rounds.append(r["seconds"])
        m = metric_sums(engine.http.get("/metrics"), ("sentinel_http_connections",))
        connections.append(m["sentinel_http_connections"])
        if attack:
            owner.append(owner_login(a.url, a.owner_email, a.owner_password))
        time.sleep(0.5)
    open(stop_file, "w").close()
    probe.join(30)
    result = {"phase": name, "attack": attack, "rounds": rounds, "latencies": None, "round_median": statistics.median(rounds), "probe": probe_out.get(timeout=30),
              "connections_max": max(connections)}
    if attack:
        attacker.join(60)
        result["attacker"] = attacker_out.get(timeout=30)
        result["owner_logins"] = owner
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--server-id", type=int, required=True)
    ap.add_argument("--sentinel-pid", type=int, required=True)
    ap.add_argument("--prometheus-pid", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--rules", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=5, help="alert rounds per phase")
    ap.add_argument("--idle", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--probe-rate", type=float, default=200)
    ap.add_argument("--owner-email", default="admin@example.com")
    ap.add_argument("--owner-password", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--json-out")
    a = ap.parse_args()
    engine = AlertEngine(a.url, a.sentinel_pid, a.db, a.prometheus_pid)
    engine.round(a.rules, timeout=120)  # warm-up
    # Quiet and attack phases alternate (Q A Q A Q), so that a drift in what else the machine
    # does weighs on both alike; each figure is taken over all phases of its kind.
    phases = [phase("%s%d" % ("attack" if i % 2 else "quiet", i), a, engine, attack=bool(i % 2)) for i in range(5)]
    quiet = merge([p for p in phases if not p["attack"]])
    attack = merge([p for p in phases if p["attack"]])
    after = phases[-1]
    m = metric_sums(engine.http.get("/metrics"), ('sentinel_http_connections_refused_total|reason="per_client"',
                                                  'sentinel_http_connections_refused_total|reason="max_connections"',
                                                  "sentinel_http_connections_evicted_total"))
    if a.json_out:
        json.dump({"phases": [{k: v for k, v in p.items() if k != "probe"} for p in phases], "metrics": m},
                  open(a.json_out, "w"), indent=1)
    after = merge([after])

    ms = lambda s: "%.2f ms" % (s * 1000)  # noqa: E731
    print("%-44s %14s %14s %14s" % ("", "quiet (3)", "attack (2)", "last quiet"))
    for label, f in (("GET /servers/{id} p50", lambda r: ms(r["probe"]["p50"])),
                     ("GET /servers/{id} p99", lambda r: ms(r["probe"]["p99"])),
                     ("GET /servers/{id} max", lambda r: ms(r["probe"]["max"])),
                     ("GET requests (errors)", lambda r: "%d (%d)" % (r["probe"]["n"], r["probe"]["errors"])),
                     ("alert round, median (s)", lambda r: "%.3f" % r["round_median"]),
                     ("alert rounds (s)", lambda r: " ".join("%.2f" % x for x in r["rounds"])),
                     ("connections counted by Sentinel (max)", lambda r: "%d" % r["connections_max"])):
        print("%-44s %14s %14s %14s" % (label, f(quiet), f(attack), f(after)))
    att = attack["attacker"]
    print("attacker: %d..%d idle connections held throughout (%d reopened, %d failed opens); %d logins answered %s;"
          " %d flood connections closed" % (att["idle_open_min"], att["idle_open_max"], att["idle_reconnects"],
                                            att["idle_failed"], att["logins"], json.dumps(att["status"], sort_keys=True),
                                            att["refused_connections"]))
    print("attacker's own CPU (Python, same cores): %.1f s over the attack phase" % att["cpu_seconds"])
    print("attacker: 429 answered in p50 %s / p99 %s; 401 in p50 %s / p99 %s (worst phase)"
          % (ms(att["latency_429_p50"]), ms(att["latency_429_p99"]), ms(att["latency_401_p50"]), ms(att["latency_401_p99"])))
    print("owner's logins from 127.0.0.1 during the attack: %s" % ", ".join("%d in %s" % (s, ms(t)) for s, t in attack["owner_logins"]))
    print("sentinel counters: %s" % json.dumps(m))
    p99_ratio = attack["probe"]["p99"] / quiet["probe"]["p99"]
    round_ratio = attack["round_median"] / quiet["round_median"]
    ok = lambda c: "met" if c else "NOT met"  # noqa: E731
    print("targets: GET p99 under attack < 2 x quiet: %s (%.2f x); alert round (median) under attack < 1.2 x quiet:"
          " %s (%.2f x)"
          % (ok(p99_ratio < 2), p99_ratio, ok(round_ratio < 1.2), round_ratio))


if __name__ == "__main__":
    main()
