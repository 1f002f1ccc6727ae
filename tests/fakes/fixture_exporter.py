#!/usr/bin/env python3
"""A fake node_exporter / cAdvisor serving numbers a test chooses (stdlib only).

Tests set values over HTTP; Prometheus scrapes each synthetic host as its own
target, so Sentinel's PromQL can be checked against known arithmetic.

    fixture_exporter.py --port P [--host 127.0.0.1] [--port-file FILE] [--verbose]

`--port 0` picks a free port. The chosen port is printed on stdout (one line)
and, with --port-file, written to FILE (atomically, once listening).

Protocol (JSON bodies; errors are 4xx with {"error": "..."}):

  GET  /healthz                 200 "ok"
  GET  /hosts                   {"hosts": [names]}
  DELETE /hosts                 remove every host and cAdvisor target
  PUT  /hosts/<name>            create or REPLACE the host's settings (omitted = absent)
  PATCH /hosts/<name>           create or MERGE (POST does the same): given keys replace, null deletes a key;
                                "extra" merges per metric name (null deletes that metric)
  GET  /hosts/<name>            the current settings (404 if unknown)
  DELETE /hosts/<name>          remove it; its /metrics then answers 404
  GET  /hosts/<name>/metrics    node_exporter-shaped text exposition (format 0.0.4)

  Host settings (all optional; a field left out means its series are absent):
    cpus               number of CPUs (default 2; only used with cpu_busy_percent)
    cpu_busy_percent   node_cpu_seconds_total{cpu="N",mode="idle|user|system"}: per cpu, idle
                       grows at (1 - busy/100) s/s, user at 0.75*busy/100, system at 0.25*busy/100,
                       so 100 * (1 - avg(rate(...{mode="idle"}[1m]))) == busy
    mem_total_bytes    node_memory_MemTotal_bytes
    mem_available_bytes node_memory_MemAvailable_bytes (also node_memory_MemFree_bytes =
                       available / 2, so a query using MemFree instead gives another number)
    fs_size_bytes, fs_avail_bytes
                       node_filesystem_{size,avail}_bytes{device="/dev/sda1",fstype="ext4",
                       mountpoint="/"} (and node_filesystem_free_bytes when both are set).
                       Decoys emitted alongside, which filters must exclude:
                         {device="/dev/sda2",fstype="ext4",mountpoint="/boot"}  512 MiB, 90 % used
                         {device="rootfs",fstype="rootfs",mountpoint="/"}       size 1, avail 1e15
                         {device="tmpfs",fstype="tmpfs",mountpoint="/run"}      2e9, 1 % used
    load1, load5, load15  node_load1 / node_load5 / node_load15
    rx_bytes_per_sec, tx_bytes_per_sec
                       node_network_{receive,transmit}_bytes_total{device="eth0"} growing at that
                       rate. Decoys at huge rates: lo 1e9, veth1234 2e9, docker0 4e9 B/s.
    uptime_seconds     node_boot_time_seconds = (time of the PUT/PATCH) - uptime_seconds, and
                       node_time_seconds = now at each scrape
    extra              {"metric_name": V, ...} where V is a number (or "NaN", "+Inf", "-Inf"),
                       {"labels": {...}, "value": v}, {"labels": {...}, "rate": r} (a counter
                       growing at r/s), or a list of such objects (several series). Untyped.
                       Labels "instance"/"job" would become exported_* in Prometheus.
    fail_status        not a metric: /metrics answers with this HTTP status (e.g. 503), so
                       Prometheus reports up == 0 for this very target; remove it to recover
    delay_seconds      not a metric: /metrics answers after this delay (> 1 s: a scrape
                       timeout in the test Prometheus, so up == 0)

  PUT  /cadvisor/<name>         {"containers": [{"name": "web", "image": "nginx:1.25",
                                  "cpu_cores": 0.5, "memory_working_set_bytes": 1e8,
                                  "memory_limit_bytes": 0, "rx_bytes_per_sec": 1000,
                                  "tx_bytes_per_sec": 2000}, ...]}   (replaces the list)
  GET / DELETE /cadvisor/<name>, GET /cadvisor/<name>/metrics, GET /cadvisor

  cAdvisor series per container (labels id="/docker/<64 hex, stable per target+name>",
  image, name; a field left out means that series is absent):
    container_cpu_usage_seconds_total{cpu="total"}  grows at cpu_cores s/s
    container_memory_working_set_bytes              memory_working_set_bytes
    container_memory_usage_bytes                    1.5 * memory_working_set_bytes
    container_spec_memory_limit_bytes               memory_limit_bytes (0 = unlimited)
    container_network_{receive,transmit}_bytes_total{interface="eth0"}
  The body may also hold fail_status and delay_seconds, as for hosts.
  Plus, always, the cgroup-hierarchy entries cAdvisor emits with name="" and image=""
  (id="/" and id="/system.slice") with huge numbers, which queries must exclude.

Counters are computed at scrape time as base + rate * (now - t0). When a rate
changes (or its field is removed, which freezes it) the counter is re-based at
its current value, so it never goes backwards while the host exists. Removing
a host forgets its counters.

Note for tests: Prometheus's rate(x[W]) equals the configured rate only once the
series has about W seconds of samples; before that it extrapolates at most half a
scrape interval past the first sample and so reads low, about rate * (age + 1s) / W.
"""
import argparse
import hashlib
import json
import math
import os
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
METRIC_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

HOST_NUMBERS = ("cpu_busy_percent", "mem_total_bytes", "mem_available_bytes", "fs_size_bytes",
                "fs_avail_bytes", "load1", "load5", "load15", "rx_bytes_per_sec",
                "tx_bytes_per_sec", "uptime_seconds")
CONTROL_FIELDS = {"fail_status", "delay_seconds"}
HOST_FIELDS = set(HOST_NUMBERS) | {"cpus", "extra"} | CONTROL_FIELDS
CONTAINER_NUMBERS = ("cpu_cores", "memory_working_set_bytes", "memory_limit_bytes",
                     "rx_bytes_per_sec", "tx_bytes_per_sec")
CONTAINER_FIELDS = set(CONTAINER_NUMBERS) | {"name", "image"}

NET_DECOYS = (("lo", 1e9), ("veth1234", 2e9), ("docker0", 4e9))
FS_DECOYS = (  # (labels, size, avail)
    ('device="/dev/sda2",fstype="ext4",mountpoint="/boot"', 536870912.0, 53687091.0),
    ('device="rootfs",fstype="rootfs",mountpoint="/"', 1.0, 1e15),
    ('device="tmpfs",fstype="tmpfs",mountpoint="/run"', 2e9, 1.98e9),
)
CGROUP_DECOYS = (  # (id, cpu cores, working set, limit, net rate)
    ("/", 64.0, 5e11, 0.0, 1e10),
    ("/system.slice", 16.0, 1e11, 0.0, 5e9),
)


class BadRequest(Exception):
    pass


def fmt(v):
    if v != v:
        return "NaN"
    if v == math.inf:
        return "+Inf"
    if v == -math.inf:
        return "-Inf"
    return repr(float(v))


def esc(v):
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(field, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise BadRequest("%s: expected a number, got %r" % (field, v))
    if isinstance(v, str):
        if v not in ("NaN", "+Inf", "-Inf", "Inf"):
            raise BadRequest("%s: expected a number, got %r" % (field, v))
        return float(v)
    return float(v)


def finite(field, v, minimum=None, maximum=None):
    f = number(field, v)
    if not math.isfinite(f):
        raise BadRequest("%s: must be finite" % field)
    if minimum is not None and f < minimum:
        raise BadRequest("%s: must be >= %s" % (field, minimum))
    if maximum is not None and f > maximum:
        raise BadRequest("%s: must be <= %s" % (field, maximum))
    return f


class Plan:
    """Exposition text as a list of static byte strings and dynamic counters."""

    def __init__(self):
        self.segments = []
        self._static = []

    def text(self, s):
        self._static.append(s)

    def sample(self, series, value):
        self._static.append("%s %s\n" % (series, fmt(value)))

    def counter(self, series, state):  # state = (base, rate, t0)
        self._static.append(series + " ")
        self._flush()
        self.segments.append(state)
        self._static.append("\n")

    def _flush(self):
        if self._static:
            self.segments.append("".join(self._static).encode())
            self._static = []

    def done(self):
        self._flush()
        return tuple(self.segments)


def render(segments, now):
    out = []
    for seg in segments:
        if seg.__class__ is bytes:
            out.append(seg)
        else:
            out.append(repr(seg[0] + seg[1] * (now - seg[2])).encode())
    return b"".join(out)


class Target:
    """One scrape target: settings, counter states and the precomputed plan."""

    def __init__(self, name):
        self.name = name
        self.settings = {}
        self.counters = {}  # key -> (base, rate, t0)
        self.plan = ()
        self.boot_time = None
        self.fail_status = None
        self.delay = 0.0

    def controls(self):
        self.fail_status = self.settings.get("fail_status")
        self.delay = float(self.settings.get("delay_seconds") or 0.0)

    def counter(self, key, rate, now):
        """The counter state for `key` running at `rate`, re-based if the rate changed."""
        old = self.counters.get(key)
        if old is not None and old[1] == rate:
            return old
        base = 0.0 if old is None else old[0] + old[1] * (now - old[2])
        state = (base, rate, now)
        self.counters[key] = state
        return state

    def freeze_unused(self, used, now):
        for key, old in list(self.counters.items()):
            if key not in used and old[1] != 0.0:
                self.counters[key] = (old[0] + old[1] * (now - old[2]), 0.0, now)


# --- node_exporter ---------------------------------------------------------

def validate_extra(extra):
    if not isinstance(extra, dict):
        raise BadRequest("extra: expected an object")
    out = {}
    for metric, spec in extra.items():
        if not METRIC_RE.match(metric):
            raise BadRequest("extra: bad metric name %r" % metric)
        if spec is None:
            out[metric] = None
            continue
        specs = spec if isinstance(spec, list) else [spec]
        norm = []
        for s in specs:
            if isinstance(s, dict):
                unknown = set(s) - {"labels", "value", "rate"}
                if unknown:
                    raise BadRequest("extra.%s: unknown keys %s" % (metric, sorted(unknown)))
                labels = s.get("labels") or {}
                if not isinstance(labels, dict):
                    raise BadRequest("extra.%s.labels: expected an object" % metric)
                for k, v in labels.items():
                    if not LABEL_RE.match(k) or k.startswith("__"):
                        raise BadRequest("extra.%s: bad label name %r" % (metric, k))
                    if not isinstance(v, str):
                        raise BadRequest("extra.%s: label %s must be a string" % (metric, k))
                if ("value" in s) == ("rate" in s):
                    raise BadRequest("extra.%s: give exactly one of value, rate" % metric)
                item = {"labels": dict(labels)}
                if "value" in s:
                    number("extra.%s.value" % metric, s["value"])
                    item["value"] = s["value"]
                else:
                    item["rate"] = finite("extra.%s.rate" % metric, s["rate"], minimum=0)
                norm.append(item)
            else:
                number("extra." + metric, s)
                norm.append({"labels": {}, "value": s})
        out[metric] = norm if isinstance(spec, list) else norm[0]
    return out


def validate_control(k, v):
    if k == "fail_status":
        if isinstance(v, bool) or not isinstance(v, int) or not 400 <= v <= 599:
            raise BadRequest("fail_status: expected an HTTP status 400..599")
    else:
        finite(k, v, 0, 60)
    return v


def validate_host(body):
    if not isinstance(body, dict):
        raise BadRequest("expected a JSON object")
    unknown = set(body) - HOST_FIELDS
    if unknown:
        raise BadRequest("unknown fields %s (known: %s)" % (sorted(unknown), sorted(HOST_FIELDS)))
    out = {}
    for k, v in body.items():
        if v is None:
            out[k] = None
        elif k == "cpus":
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1024:
                raise BadRequest("cpus: expected an integer 1..1024")
            out[k] = v
        elif k == "extra":
            out[k] = validate_extra(v)
        elif k in CONTROL_FIELDS:
            out[k] = validate_control(k, v)
        elif k == "cpu_busy_percent":
            finite(k, v, 0, 100)
            out[k] = v
        elif k in ("rx_bytes_per_sec", "tx_bytes_per_sec", "uptime_seconds"):
            finite(k, v, minimum=0)
            out[k] = v
        else:
            number(k, v)
            out[k] = v
    return out


def series(name, labels):
    return "%s{%s}" % (name, labels) if labels else name


def label_str(labels):
    return ",".join('%s="%s"' % (k, esc(v)) for k, v in sorted(labels.items()))


def build_host_plan(t, now):
    s = t.settings
    p = Plan()
    used = set()

    def num(k):
        return float(number(k, s[k]))

    if s.get("cpu_busy_percent") is not None:
        busy = num("cpu_busy_percent") / 100.0
        rates = (("idle", 1.0 - busy), ("system", busy * 0.25), ("user", busy * 0.75))
        p.text("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
               "# TYPE node_cpu_seconds_total counter\n")
        for cpu in range(int(s.get("cpus") or 2)):
            for mode, rate in rates:
                key = ("cpu", cpu, mode)
                used.add(key)
                p.counter('node_cpu_seconds_total{cpu="%d",mode="%s"}' % (cpu, mode),
                          t.counter(key, rate, now))
    for k in ("load1", "load5", "load15"):
        if s.get(k) is not None:
            p.text("# HELP node_%s %s load average.\n# TYPE node_%s gauge\n" % (k, k[4:] + "m", k))
            p.sample("node_" + k, num(k))
    if s.get("mem_total_bytes") is not None:
        p.text("# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
               "# TYPE node_memory_MemTotal_bytes gauge\n")
        p.sample("node_memory_MemTotal_bytes", num("mem_total_bytes"))
    if s.get("mem_available_bytes") is not None:
        avail = num("mem_available_bytes")
        p.text("# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.\n"
               "# TYPE node_memory_MemAvailable_bytes gauge\n")
        p.sample("node_memory_MemAvailable_bytes", avail)
        p.text("# HELP node_memory_MemFree_bytes Memory information field MemFree_bytes.\n"
               "# TYPE node_memory_MemFree_bytes gauge\n")
        p.sample("node_memory_MemFree_bytes", avail / 2)
    size = num("fs_size_bytes") if s.get("fs_size_bytes") is not None else None
    avail = num("fs_avail_bytes") if s.get("fs_avail_bytes") is not None else None
    root = 'device="/dev/sda1",fstype="ext4",mountpoint="/"'
    fs = [(root, size, avail)] + [(lab, sz if size is not None else None, av if avail is not None else None)
                                  for lab, sz, av in FS_DECOYS]
    if size is not None and avail is not None:
        p.text("# HELP node_filesystem_free_bytes Filesystem free space in bytes.\n"
               "# TYPE node_filesystem_free_bytes gauge\n")
        for lab, sz, av in fs:
            p.sample(series("node_filesystem_free_bytes", lab), min(sz, av + 0.05 * sz) if sz >= av else av)
    if avail is not None:
        p.text("# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\n"
               "# TYPE node_filesystem_avail_bytes gauge\n")
        for lab, sz, av in fs:
            p.sample(series("node_filesystem_avail_bytes", lab), av)
    if size is not None:
        p.text("# HELP node_filesystem_size_bytes Filesystem size in bytes.\n"
               "# TYPE node_filesystem_size_bytes gauge\n")
        for lab, sz, av in fs:
            p.sample(series("node_filesystem_size_bytes", lab), sz)
    for field, direction in (("rx_bytes_per_sec", "receive"), ("tx_bytes_per_sec", "transmit")):
        if s.get(field) is None:
            continue
        name = "node_network_%s_bytes_total" % direction
        p.text("# HELP %s Network device statistic %s_bytes.\n# TYPE %s counter\n" % (name, direction, name))
        for dev, rate in (("eth0", num(field)),) + NET_DECOYS:
            key = ("net", direction, dev)
            used.add(key)
            p.counter('%s{device="%s"}' % (name, dev), t.counter(key, rate, now))
    if s.get("uptime_seconds") is not None:
        p.text("# HELP node_boot_time_seconds Node boot time, in unixtime.\n"
               "# TYPE node_boot_time_seconds gauge\n")
        p.sample("node_boot_time_seconds", t.boot_time)
        p.text("# HELP node_time_seconds System time in seconds since epoch (1970).\n"
               "# TYPE node_time_seconds gauge\n")
        p.counter("node_time_seconds", (0.0, 1.0, 0.0))  # == now at scrape time
    for metric in sorted(s.get("extra") or {}):
        spec = s["extra"][metric]
        for i, item in enumerate(spec if isinstance(spec, list) else [spec]):
            ser = series(metric, label_str(item["labels"]))
            if "rate" in item:
                key = ("extra", metric, label_str(item["labels"]))
                used.add(key)
                p.counter(ser, t.counter(key, float(item["rate"]), now))
            else:
                p.sample(ser, number(metric, item["value"]))
    t.freeze_unused(used, now)
    t.plan = p.done()


# --- cAdvisor --------------------------------------------------------------

def validate_cadvisor(body):
    if not isinstance(body, dict):
        raise BadRequest("expected a JSON object")
    unknown = set(body) - {"containers"} - CONTROL_FIELDS
    if unknown:
        raise BadRequest("unknown fields %s (known: %s)" % (sorted(unknown), sorted(CONTROL_FIELDS | {"containers"})))
    controls = {k: validate_control(k, body[k]) for k in CONTROL_FIELDS if body.get(k) is not None}
    containers = body.get("containers") or []
    if not isinstance(containers, list):
        raise BadRequest("containers: expected a list")
    seen = set()
    out = []
    for i, c in enumerate(containers):
        if not isinstance(c, dict):
            raise BadRequest("containers[%d]: expected an object" % i)
        unknown = set(c) - CONTAINER_FIELDS
        if unknown:
            raise BadRequest("containers[%d]: unknown fields %s (known: %s)"
                             % (i, sorted(unknown), sorted(CONTAINER_FIELDS)))
        name = c.get("name")
        if not isinstance(name, str) or not name:
            raise BadRequest("containers[%d].name: required string" % i)
        if name in seen:
            raise BadRequest("containers[%d].name: duplicate %r" % (i, name))
        seen.add(name)
        if not isinstance(c.get("image", ""), str):
            raise BadRequest("containers[%d].image: expected a string" % i)
        for k in CONTAINER_NUMBERS:
            if c.get(k) is not None:
                finite("containers[%d].%s" % (i, k), c[k], minimum=0)
        out.append({k: v for k, v in c.items() if v is not None})
    return dict(controls, containers=out)


def container_id(target, name):
    return "/docker/" + hashlib.sha256(("%s/%s" % (target, name)).encode()).hexdigest()


def build_cadvisor_plan(t, now):
    p = Plan()
    used = set()
    rows = []  # (labels, cpu, ws, limit, rx, tx)
    for cid, cpu, ws, limit, net in CGROUP_DECOYS:
        rows.append(('id="%s",image="",name=""' % cid, cpu, ws, limit, net, net))
    for c in t.settings.get("containers", []):
        lab = 'id="%s",image="%s",name="%s"' % (container_id(t.name, c["name"]), esc(c.get("image", "")),
                                                esc(c["name"]))
        g = lambda k: float(c[k]) if c.get(k) is not None else None  # noqa: E731
        rows.append((lab, g("cpu_cores"), g("memory_working_set_bytes"), g("memory_limit_bytes"),
                     g("rx_bytes_per_sec"), g("tx_bytes_per_sec")))

    def family(name, typ, help_, idx, fn):
        present = [r for r in rows if r[idx] is not None]
        if not present:
            return
        p.text("# HELP %s %s\n# TYPE %s %s\n" % (name, help_, name, typ))
        for r in present:
            fn(r)

    def cpu(r):
        key = ("cpu", r[0])
        used.add(key)
        p.counter("container_cpu_usage_seconds_total{cpu=\"total\",%s}" % r[0], t.counter(key, r[1], now))

    def net(direction, idx):
        def f(r):
            key = ("net", direction, r[0])
            used.add(key)
            p.counter('container_network_%s_bytes_total{%s,interface="eth0"}' % (direction, r[0]),
                      t.counter(key, r[idx], now))
        return f

    family("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.", 1, cpu)
    family("container_memory_usage_bytes", "gauge", "Current memory usage in bytes, including all memory "
           "regardless of when it was accessed", 2, lambda r: p.sample(
               "container_memory_usage_bytes{%s}" % r[0], r[2] * 1.5))
    family("container_memory_working_set_bytes", "gauge", "Current working set in bytes.", 2,
           lambda r: p.sample("container_memory_working_set_bytes{%s}" % r[0], r[2]))
    family("container_network_receive_bytes_total", "counter", "Cumulative count of bytes received", 4,
           net("receive", 4))
    family("container_network_transmit_bytes_total", "counter", "Cumulative count of bytes transmitted", 5,
           net("transmit", 5))
    family("container_spec_memory_limit_bytes", "gauge", "Memory limit for the container.", 3,
           lambda r: p.sample("container_spec_memory_limit_bytes{%s}" % r[0], r[3]))
    t.freeze_unused(used, now)
    t.plan = p.done()


# --- state and HTTP ----------------------------------------------------------

class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.hosts = {}
        self.cadvisors = {}

    def put_host(self, name, body, merge):
        new = validate_host(body)
        now = time.time()
        with self.lock:
            t = self.hosts.get(name)
            if t is None:
                t = self.hosts[name] = Target(name)
            if merge:
                settings = dict(t.settings)
                for k, v in new.items():
                    if k == "extra" and v is not None:
                        extra = dict(settings.get("extra") or {})
                        for m, spec in v.items():
                            if spec is None:
                                extra.pop(m, None)
                            else:
                                extra[m] = spec
                        settings["extra"] = extra
                    elif v is None:
                        settings.pop(k, None)
                    else:
                        settings[k] = v
            else:
                settings = {k: v for k, v in new.items() if v is not None}
            if "uptime_seconds" in new and settings.get("uptime_seconds") is not None:
                t.boot_time = now - float(settings["uptime_seconds"])
            if settings.get("uptime_seconds") is None:
                t.boot_time = None
            t.settings = settings
            t.controls()
            build_host_plan(t, now)
            return dict(settings)

    def put_cadvisor(self, name, body):
        new = validate_cadvisor(body)
        now = time.time()
        with self.lock:
            t = self.cadvisors.get(name)
            if t is None:
                t = self.cadvisors[name] = Target(name)
            t.settings = new
            t.controls()
            build_cadvisor_plan(t, now)
            return new


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fixture-exporter/1"
    timeout = 120  # idle keep-alive connections end eventually
    verbose = False

    def log_message(self, fmt_, *args):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt_ % args))

    def reply(self, status, body, content_type=b"application/json"):
        if not isinstance(body, bytes):
            body = (json.dumps(body) + "\n").encode()
        reason = self.responses.get(status, ("",))[0].encode()
        head = b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (
            status, reason, content_type, len(body))
        if self.close_connection:
            head += b"Connection: close\r\n"
        self.wfile.write(head + b"\r\n" + (body if self.command != "HEAD" else b""))
        if self.verbose:
            self.log_request(status, len(body))

    def read_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError as e:
            raise BadRequest("bad JSON: %s" % e)

    def route(self):
        path = self.path.split("?", 1)[0]
        parts = [x for x in path.split("/") if x]
        return parts

    def do_GET(self):
        parts = self.route()
        st = self.server.state
        n = len(parts)
        if n == 3 and parts[2] == "metrics" and parts[0] in ("hosts", "cadvisor"):
            with st.lock:
                t = (st.hosts if parts[0] == "hosts" else st.cadvisors).get(parts[1])
                plan = t.plan if t is not None else None
                fail, delay = (t.fail_status, t.delay) if t is not None else (None, 0.0)
            if plan is None:
                return self.reply(404, b"no such target\n", b"text/plain")
            if delay:
                time.sleep(delay)
            if fail:
                return self.reply(fail, b"failing on purpose (fail_status)\n", b"text/plain")
            return self.reply(200, render(plan, time.time()), CONTENT_TYPE)
        if parts == ["healthz"]:
            return self.reply(200, b"ok\n", b"text/plain")
        if n == 1 and parts[0] in ("hosts", "cadvisor"):
            with st.lock:
                names = sorted(st.hosts if parts[0] == "hosts" else st.cadvisors)
            return self.reply(200, {parts[0]: names})
        if n == 2 and parts[0] in ("hosts", "cadvisor"):
            with st.lock:
                t = (st.hosts if parts[0] == "hosts" else st.cadvisors).get(parts[1])
                settings = json.loads(json.dumps(t.settings)) if t is not None else None
            if settings is None:
                return self.reply(404, {"error": "no such target"})
            return self.reply(200, settings)
        return self.reply(404, {"error": "not found"})

    do_HEAD = do_GET

    def _put(self, merge):
        parts = self.route()
        try:
            body = self.read_json()
            if len(parts) != 2 or parts[0] not in ("hosts", "cadvisor"):
                return self.reply(404, {"error": "not found"})
            if not NAME_RE.match(parts[1]):
                raise BadRequest("bad target name %r" % parts[1])
            if parts[0] == "hosts":
                return self.reply(200, self.server.state.put_host(parts[1], body, merge))
            return self.reply(200, self.server.state.put_cadvisor(parts[1], body))
        except BadRequest as e:
            return self.reply(400, {"error": str(e)})

    def do_PUT(self):
        self._put(merge=False)

    def do_PATCH(self):
        self._put(merge=True)

    def do_POST(self):
        self._put(merge=True)

    def do_DELETE(self):
        parts = self.route()
        st = self.server.state
        if parts == ["hosts"] or parts == ["cadvisor"]:
            with st.lock:
                st.hosts.clear()
                st.cadvisors.clear()
            return self.reply(200, {"deleted": "all"})
        if len(parts) == 2 and parts[0] in ("hosts", "cadvisor"):
            with st.lock:
                gone = (st.hosts if parts[0] == "hosts" else st.cadvisors).pop(parts[1], None)
            if gone is None:
                return self.reply(404, {"error": "no such target"})
            return self.reply(200, {"deleted": parts[1]})
        return self.reply(404, {"error": "not found"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr):
        super().__init__(addr, Handler)
        self.state = State()

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()

    def handle_error(self, request, client_address):
        if Handler.verbose:
            super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    Handler.verbose = args.verbose
    srv = Server((args.host, args.port))
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print(port, flush=True)
    try:
        srv.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()
