#!/usr/bin/env python3
"""What the console receives: /ws/fleet?delta=1 as the browser opens it (stdlib only).

    frames.py --sentinel HOST:PORT --token JWT --out FILE

One JSON line per frame, until killed: {"t": epoch seconds at receipt,
"delta": bool, "bytes": size, "rows": rows in the frame, "visible": rows whose
fleet-table cells change as the console shows them (CPU, memory, disk to
0.1 %, load1 to 0.01, up/down), "removed": n}. console.mjs summarises the
lines of its measurement windows.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
from ws_client import WsClient  # noqa: E402


def shown(s):
    m = s.get("metrics") or {}

    def r(k, d):
        v = m.get(k)
        return None if v is None else round(v, d)
    return (s.get("up"), r("cpu_usage_percent", 1), r("memory_usage_percent", 1), r("disk_usage_percent", 1),
            r("load1", 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentinel", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    host, port = a.sentinel.rsplit(":", 1)
    ws = WsClient.connect(host, int(port), "/ws/fleet?delta=1", subprotocols=["bearer", a.token], timeout=10)
    rows = {}
    with open(a.out, "w", buffering=1) as out:
        while True:
            try:
                msg = ws.recv(timeout=3600)
            except TimeoutError:
                continue
            t = time.time()
            if msg[0] == "close":
                print("frames.py: closed %s %s" % (msg[1], msg[2]), file=sys.stderr)
                return 1
            f = json.loads(msg[1])
            if f.get("type") != "fleet":
                out.write(json.dumps({"t": t, "type": f.get("type"), "bytes": len(msg[1])}) + "\n")
                continue
            visible = 0
            for s in f["servers"]:
                now = shown(s)
                if rows.get(s["server_id"]) != now:
                    visible += 1
                rows[s["server_id"]] = now
            for sid in f.get("removed") or []:
                rows.pop(sid, None)
            out.write(json.dumps({"t": t, "delta": bool(f.get("delta")), "bytes": len(msg[1]),
                                  "rows": len(f["servers"]), "visible": visible,
                                  "removed": len(f.get("removed") or [])}) + "\n")


if __name__ == "__main__":
    sys.exit(main())
