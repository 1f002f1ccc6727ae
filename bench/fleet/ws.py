#!/usr/bin/env python3
"""bench/fleet part 4: WS /ws/fleet fan-out with bench/ws/ws_load.cpp (--path).

    ws.py --load BUILD/bench/ws_load --sentinel URL --sentinel-pid PID --token JWT
          --prometheus-url URL --prometheus-pid PID [--clients 200] [--modes "full delta"]
          [--window 10] [--settle 3] [--interval 1] --json-out FILE

For each mode (full: /ws/fleet, delta: /ws/fleet?delta=1), CLIENTS clients
in one ws_load process (one thread); once all are connected and SETTLE
seconds have passed (the first, full frame of each is before the window), a
WINDOW-second measurement (ws_load's SIGUSR1/SIGUSR2 protocol):
  * lag = receipt of the whole frame - its "polled_at" (p50/p90/p99/max over
    every frame of every client);
  * frames received / expected (clients x window / interval), error frames
    (no polled_at: {"type":"error"}), connections lost, frames marked delta;
  * bytes per client per second (payload bytes received / clients / window),
    the largest frame;
  * Sentinel CPU (utime+stime of all threads, % of one core) and VmRSS
    (before the clients, at the end of the window, and its peak since the
    script reset it before the clients: /proc/PID/clear_refs 5);
  * Prometheus's /api/v1/query requests per second (its own counter) and
    Sentinel's sentinel_ws_polls_total per second: one poll per period for
    all the clients.
A first WebSocket handshake checks that /ws/fleet exists (101); if not,
part 4 is reported as not available.
"""
import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, here)
from measure import Http, cpu_ns, metric_sums, status_kb  # noqa: E402  bench/fleet/measure.py (bench/alerts' helpers)


def handshake_status(url, path):
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, u.netloc, key)).encode())
    head = b""
    while b"\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    s.close()
    parts = head.split(b"\r\n", 1)[0].split()
    return int(parts[1]) if len(parts) > 1 else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--load", required=True)
    ap.add_argument("--sentinel", required=True)
    ap.add_argument("--sentinel-pid", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--prometheus-url", required=True)
    ap.add_argument("--prometheus-pid", type=int, required=True)
    ap.add_argument("--clients", default="200", help="client counts, e.g. \"20 200\" (each run in every mode)")
    ap.add_argument("--modes", default="full delta")
    ap.add_argument("--window", type=float, default=10)
    ap.add_argument("--settle", type=float, default=3)
    ap.add_argument("--interval", type=float, default=1)
    ap.add_argument("--parallel", type=int, default=64)
    ap.add_argument("--json-out", required=True)
    a = ap.parse_args()
    pid, ppid = a.sentinel_pid, a.prometheus_pid
    port = urllib.parse.urlsplit(a.sentinel).port
    sen, prom = Http(a.sentinel), Http(a.prometheus_url)

    status = handshake_status(a.sentinel, "/ws/fleet?token=" + a.token)
    if status != 101:
        print("/ws/fleet: handshake answered %d: endpoint not available in this build; part 4 skipped" % status,
              flush=True)
        with open(a.json_out, "w") as f:
            json.dump({"available": False, "status": status}, f)
        return

    results = {}
    runs = [(int(n), mode) for n in a.clients.split() for mode in a.modes.split()]
    for clients, mode in runs:
        name = mode if len(a.clients.split()) == 1 else "%s-%d" % (mode, clients)
        path = "/ws/fleet?delta=1" if mode == "delta" else "/ws/fleet"
        time.sleep(2)  # the previous clients' sessions closed
        rss0 = status_kb(pid, "VmRSS")
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5\n")  # VmHWM := VmRSS: the peak from here on
        out_path = a.json_out + "." + name + ".out"
        err_path = a.json_out + "." + name + ".err"
        with open(out_path, "w") as out, open(err_path, "w") as err:
            proc = subprocess.Popen([a.load, "--port", str(port), "--token", a.token, "--path", path,
                                     "--clients", str(clients), "--parallel", str(a.parallel)],
                                    stdout=out, stderr=err)
        try:
            deadline = time.monotonic() + 120
            while True:
                text = open(out_path).read()
                if text.startswith("connected"):
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("ws_load (%s) did not connect: %s" % (mode, open(err_path).read()[-500:]))
                time.sleep(0.1)
            f = text.split()
            connected, failed, ramp = int(f[1]), int(f[3]), float(f[5])
            if failed:
                raise RuntimeError("%d of %d clients failed to connect (%s): %s"
                                   % (failed, clients, mode, open(err_path).read()[-500:]))
            time.sleep(a.settle)
            wanted = ("sentinel_ws_fleet_polls_total", "sentinel_ws_fleet_poll_failures_total")
            s0, p0 = cpu_ns(pid), cpu_ns(ppid)
            q0 = metric_sums(prom.get("/metrics"), ('prometheus_http_requests_total|handler="/api/v1/query"',))
            m0 = metric_sums(sen.get("/metrics"), wanted)
            t0 = time.monotonic()
            proc.send_signal(signal.SIGUSR1)
            time.sleep(a.window)
            proc.send_signal(signal.SIGUSR2)
            t1 = time.monotonic()
            s1, p1 = cpu_ns(pid), cpu_ns(ppid)
            rss1, hwm = status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")
            q1 = metric_sums(prom.get("/metrics"), ('prometheus_http_requests_total|handler="/api/v1/query"',))
            m1 = metric_sums(sen.get("/metrics"), wanted)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        vals = {}
        for line in open(out_path).read().splitlines()[1:]:
            k, _, v = line.partition(" ")
            vals[k] = float(v)
        dt = t1 - t0
        win = vals["window_seconds"]
        expected = clients * win / a.interval
        r = {
            "path": path, "clients": clients, "connected": connected, "ramp_seconds": ramp,
            "window_seconds": win, "frames": vals["frames"], "expected": expected,
            "error_frames": vals["error_frames"], "closed": vals["closed"], "delta_frames": vals["delta_frames"],
            "per_client_min": vals["frames_per_client_min"], "per_client_max": vals["frames_per_client_max"],
            "lag_p50_ms": vals["lag_p50_ms"], "lag_p90_ms": vals["lag_p90_ms"], "lag_p99_ms": vals["lag_p99_ms"],
            "lag_max_ms": vals["lag_max_ms"], "lag_min_ms": vals["lag_min_ms"],
            "bytes_per_client_per_s": vals["bytes"] / clients / win, "frame_bytes_max": vals["frame_bytes_max"],
            "bytes_per_frame": vals["bytes"] / max(1.0, vals["frames"] + vals["error_frames"]),
            "load_cpu_pct": 100 * vals["cpu_seconds"] / win,
            "sentinel_cpu_pct": 100 * (s1 - s0) / 1e9 / dt, "prometheus_cpu_pct": 100 * (p1 - p0) / 1e9 / dt,
            "rss_before_kb": rss0, "rss_kb": rss1, "hwm_kb": hwm,
            "prom_queries_per_s": (list(q1.values())[0] - list(q0.values())[0]) / dt,
            "polls_per_s": (m1["sentinel_ws_fleet_polls_total"] - m0["sentinel_ws_fleet_polls_total"]) / dt,
            "poll_failures": m1["sentinel_ws_fleet_poll_failures_total"] - m0["sentinel_ws_fleet_poll_failures_total"],
        }
        r["closed_before_window"] = vals.get("closed_before_window", 0)
        if r["closed_before_window"]:
            raise RuntimeError("%d of %d connections were closed before the window (%s): %s"
                               % (r["closed_before_window"], clients, mode, open(err_path).read()[-500:]))
        results[name] = r
        print("/ws/fleet %s (%s): %d clients (connected in %.2f s); lag p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms;"
              " frames %d / %d expected (%d..%d per client; %d delta, %d error frames, %d connections lost);"
              " %.0f bytes per client per s (largest frame %d bytes); Sentinel CPU %.1f %% of a core,"
              " RSS %d -> %d MiB (peak %d); Prometheus %.2f queries/s, %.1f %% CPU; %.2f polls/s; load client %.1f %%"
              % (name, path, clients, ramp, r["lag_p50_ms"], r["lag_p90_ms"], r["lag_p99_ms"], r["lag_max_ms"],
                 r["frames"], expected, r["per_client_min"], r["per_client_max"], r["delta_frames"], r["error_frames"], r["closed"], r["bytes_per_client_per_s"],
                 r["frame_bytes_max"], r["sentinel_cpu_pct"], rss0 // 1024, rss1 // 1024, hwm // 1024,
                 r["prom_queries_per_s"], r["prometheus_cpu_pct"], r["polls_per_s"], r["load_cpu_pct"]), flush=True)
    with open(a.json_out, "w") as f:
        json.dump({"available": True, "modes": results}, f, indent=1)


if __name__ == "__main__":
    main()
