"""Synthetic hosts and containers with known numbers, scraped by the test Prometheus.

Needs `scripts/test-env start` (the fixture_exporter and prometheus services);
addresses come from harness.test_env:
  SENTINEL_TEST_FIXTURE_EXPORTER       127.0.0.1:<port> of tests/fakes/fixture_exporter.py
  SENTINEL_TEST_FIXTURE_TARGETS_DIR    file_sd folder of Prometheus job "fixture"
  SENTINEL_TEST_CADVISOR_TARGETS_DIR   file_sd folder of Prometheus job "cadvisor"
  SENTINEL_TEST_PROMETHEUS_URL

    with FixtureHost(cpu_busy_percent=25, cpus=2, mem_total_bytes=8e9,
                     mem_available_bytes=2e9, load1=0.5) as host:
        host.wait_until_scraped()             # up == 1 and node_load1 present
        ...  # register a server with job_name=host.job, instance=host.instance
        host.set(cpu_busy_percent=90)         # merge; a None value removes that field
        host.wait_for_history(60)             # before exact rate(...[1m]) checks
        host.set(fail_status=503)             # exporter fails: up == 0 for this instance
        host.set(fail_status=None)            # and back

An isolated Prometheus (`scripts/test-env start <dir> prometheus`) scrapes the shared
exporter too when given targets_dir=<dir>/prometheus/targets and prometheus=<its URL>.

Field names and the series they produce are documented in
tests/fakes/fixture_exporter.py. Every object removes its target file on remove(), on
leaving the `with` block, or at interpreter exit (its exporter state goes once
Prometheus has dropped the target: see remove()).

The Prometheus is shared by every test module (ctest -j runs them in parallel):
scope queries to your own instances, never assume `up{job="fixture"}` is yours alone.

Timing: Prometheus re-reads the target folders every second and scrapes every
second, but its discovery and scrape managers apply target changes at most every
5 s (not configurable in 2.42): a new target has data after ~2.5-4 s here (up to
~11 s worst case), a removed one disappears after ~6 s. rate(x[W]) is exact only
once the series is W seconds old (wait_for_history); before that it reads low
(so a CPU busy percentage computed from idle reads HIGH at first).
"""
import atexit
import hashlib
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import weakref

from harness import test_env

DEAD_ADDRESS = "127.0.0.1:1"  # nothing listens there: connection refused, up == 0
_live = weakref.WeakSet()


class FixtureError(RuntimeError):
    pass


def _required(name):
    value = test_env(name)
    if not value:
        raise FixtureError("SENTINEL_TEST_%s not available: run through ctest or scripts/test-env start" % name)
    return value


def exporter_address():
    """host:port of the fixture exporter."""
    return _required("FIXTURE_EXPORTER")


def prometheus_url():
    return _required("PROMETHEUS_URL")


def _http(base, method, path, body=None, timeout=10):
    u = urllib.parse.urlsplit(base if "://" in base else "http://" + base)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def exporter_request(method, path, body=None):
    """Talks to the fixture exporter; returns the parsed JSON (raises FixtureError on >= 400)."""
    status, raw = _http(exporter_address(), method, path, body)
    if status >= 400:
        raise FixtureError("fixture exporter %s %s: %d %s" % (method, path, status, raw.decode(errors="replace")))
    return json.loads(raw) if raw.strip().startswith(b"{") else raw.decode()


def prometheus_query(expr, at=None, timeout=10, url=None):
    """GET /api/v1/query (of `url`, default the shared test Prometheus); returns the parsed
    JSON ({"status": "success", "data": {"resultType": ..., "result": [...]}})."""
    params = {"query": expr}
    if at is not None:
        params["time"] = "%.3f" % at
    status, raw = _http(url or prometheus_url(), "GET", "/api/v1/query?" + urllib.parse.urlencode(params),
                        timeout=timeout)
    try:
        return json.loads(raw)
    except ValueError:
        raise FixtureError("prometheus answered %d: %r" % (status, raw[:300]))


def prometheus_values(expr, at=None, url=None):
    """The instant vector of `expr` as [(labels dict, float value)] (scalars: [({}, v)])."""
    r = prometheus_query(expr, at, url=url)
    if r.get("status") != "success":
        raise FixtureError("query %r failed: %s" % (expr, r.get("error")))
    data = r["data"]
    if data["resultType"] in ("scalar", "string"):
        return [({}, float(data["result"][1]))]
    return [(s.get("metric", {}), float(s["value"][1])) for s in data["result"]]


def prometheus_value(expr, at=None, url=None):
    """The single value of `expr`, or None when it has no result (raises if several)."""
    vals = prometheus_values(expr, at, url)
    if not vals:
        return None
    if len(vals) > 1:
        raise FixtureError("query %r returned %d series: %r" % (expr, len(vals), vals))
    return vals[0][1]


def wait_for(predicate, timeout, what, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while True:
        try:
            last = predicate()
            if last:
                return last
        except (OSError, FixtureError) as e:
            last = e
        if time.time() >= deadline:
            raise AssertionError("timed out after %.0f s waiting for %s (last: %r)" % (timeout, what, last))
        time.sleep(interval)


def _sel(**labels):
    return ",".join('%s="%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"')) for k, v in labels.items())


class _Target:
    """A target file in one of Prometheus's file_sd folders."""

    targets_env = "FIXTURE_TARGETS_DIR"
    kind = "hosts"

    def __init__(self, name, job, address, metrics_path, targets_dir=None, prometheus=None):
        self.prometheus = prometheus  # URL of the Prometheus reading targets_dir (None: the shared one)
        self.name = name or "fx-" + secrets.token_hex(4)
        self.job = job
        self.instance = "%s:9100" % self.name
        self.address = address
        self.metrics_path = metrics_path
        self.created_at = None
        self.file = os.path.join(targets_dir or _required(self.targets_env),
                                 "%s-%s.json" % (self.name, secrets.token_hex(3)))
        self._removed = False
        _live.add(self)

    @property
    def selector(self):
        """PromQL label matchers for this target: instance="...",job="..."."""
        return _sel(instance=self.instance, job=self.job)

    def _write_target(self):
        labels = {"__metrics_path__": self.metrics_path, "instance": self.instance, "job": self.job}
        tmp = os.path.join(os.path.dirname(self.file), "." + os.path.basename(self.file) + ".tmp")
        with open(tmp, "w") as f:
            json.dump([{"targets": [self.address], "labels": labels}], f)
        os.rename(tmp, self.file)
        self.created_at = time.time()

    def _remove_file(self):
        try:
            os.unlink(self.file)
        except FileNotFoundError:
            pass

    def remove(self, wait=False):
        """Deletes the target file, then the exporter's state for it.

        Prometheus keeps scraping a removed target for up to ~6 s (its discovery is
        throttled to 5 s); were the exporter state deleted at once, those scrapes would
        get 404 and record up == 0. So the state is deleted only after the target is
        gone: with wait=True, remove() waits for that (~6 s); otherwise a background
        timer deletes it 15 s later."""
        if self._removed:
            return
        self._removed = True
        self._remove_file()
        if self.address == DEAD_ADDRESS:
            return
        if wait:
            try:
                self.wait_until_gone()
            finally:
                self._forget()
        else:
            timer = threading.Timer(15.0, self._forget)
            timer.daemon = True
            timer.start()

    def _forget(self):
        try:
            exporter_request("DELETE", "/%s/%s" % (self.kind, self.name))
        except (OSError, FixtureError):
            pass

    def up(self):
        """Prometheus's current `up` for this target (1.0, 0.0), or None when not (yet) known."""
        return prometheus_value("up{%s}" % self.selector, url=self.prometheus)

    def wait_until_up(self, timeout=30):
        wait_for(lambda: self.up() == 1.0, timeout, "up{%s} == 1" % self.selector)
        return self

    def wait_until_gone(self, timeout=30):
        """After remove(): waits until Prometheus no longer returns `up` for this target."""
        wait_for(lambda: self.up() is None, timeout, "up{%s} to disappear" % self.selector)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False

    def __repr__(self):
        return "<%s %s job=%s>" % (type(self).__name__, self.instance, self.job)


class FixtureHost(_Target):
    """A synthetic node_exporter host (see fixture_exporter.py for the fields)."""

    def __init__(self, name=None, job="fixture", *, targets_dir=None, prometheus=None, **values):
        super().__init__(name, job, exporter_address(), None, targets_dir, prometheus)
        self.metrics_path = "/hosts/%s/metrics" % self.name
        self.settings = exporter_request("PUT", "/hosts/" + self.name, values)
        self._write_target()

    def set(self, **values):
        """Merges `values` into the host's settings (None removes a field); returns the settings."""
        self.settings = exporter_request("PATCH", "/hosts/" + self.name, values)
        return self.settings

    def replace(self, **values):
        """Replaces all settings: fields not given become absent."""
        self.settings = exporter_request("PUT", "/hosts/" + self.name, values)
        return self.settings

    def get(self):
        return exporter_request("GET", "/hosts/" + self.name)

    def metrics_text(self):
        """What the exporter serves for this host right now (the exposition text)."""
        return exporter_request("GET", self.metrics_path)

    def wait_until_scraped(self, timeout=30, metric="node_load1"):
        """Waits until up == 1 and `metric` has a sample for this target. The default metric
        needs load1 among the values; pass another one, or None to wait for up only."""
        def ready():
            if self.up() != 1.0:
                return False
            return metric is None or bool(prometheus_values("%s{%s}" % (metric, self.selector),
                                                            url=self.prometheus))
        wait_for(ready, timeout, "%s scraped (up == 1, %s present)" % (self.instance, metric))
        return self

    def wait_for_history(self, seconds=60, timeout=None):
        """Waits until Prometheus holds `seconds` of samples for this target (so rate(x[seconds s])
        equals the configured rate); returns at once when it already does."""
        timeout = timeout if timeout is not None else seconds + 30

        def old_enough():
            v = prometheus_value("min_over_time(timestamp(up{%s})[%ds:1s])" % (self.selector, seconds + 5),
                                 url=self.prometheus)
            return v is not None and time.time() - v >= seconds + 1.5

        wait_for(old_enough, timeout, "%d s of history for %s" % (seconds, self.instance), interval=0.5)
        return self


class FixtureCadvisor(_Target):
    """A synthetic cAdvisor (job "cadvisor"): containers=[{"name", "image", "cpu_cores",
    "memory_working_set_bytes", "memory_limit_bytes", "rx_bytes_per_sec", "tx_bytes_per_sec"}]."""

    targets_env = "CADVISOR_TARGETS_DIR"
    kind = "cadvisor"

    def __init__(self, name=None, containers=None, job="cadvisor", *, targets_dir=None, prometheus=None):
        super().__init__(name, job, exporter_address(), None, targets_dir, prometheus)
        self.instance = "%s:8080" % self.name
        self.metrics_path = "/cadvisor/%s/metrics" % self.name
        self.settings = exporter_request("PUT", "/cadvisor/" + self.name, {"containers": list(containers or [])})
        self._write_target()

    def set(self, containers):
        """Replaces the container list."""
        self.settings = exporter_request("PUT", "/cadvisor/" + self.name, {"containers": list(containers)})
        return self.settings

    def get(self):
        return exporter_request("GET", "/cadvisor/" + self.name)

    def container_id(self, container_name):
        """The `id` label the exporter gives that container."""
        return "/docker/" + hashlib.sha256(("%s/%s" % (self.name, container_name)).encode()).hexdigest()

    def wait_until_scraped(self, timeout=30, metric="container_cpu_usage_seconds_total"):
        def ready():
            if self.up() != 1.0:
                return False
            return metric is None or bool(prometheus_values("%s{%s}" % (metric, self.selector),
                                                            url=self.prometheus))
        wait_for(ready, timeout, "%s scraped (up == 1, %s present)" % (self.instance, metric))
        return self


class DeadTarget(_Target):
    """A target in job `job` pointing at a closed port: Prometheus reports up == 0 for it."""

    def __init__(self, name=None, job="fixture", *, targets_dir=None, prometheus=None):
        super().__init__(name, job, DEAD_ADDRESS, "/metrics", targets_dir, prometheus)
        self._write_target()

    def wait_until_down(self, timeout=30):
        wait_for(lambda: self.up() == 0.0, timeout, "up{%s} == 0" % self.selector)
        return self


@atexit.register
def _cleanup():
    # Only the target files: deleting the exporter state now would make Prometheus record
    # up == 0 for these instances until it notices the files are gone (~6 s).
    for t in list(_live):
        if not t._removed:
            t._removed = True
            t._remove_file()


class ModulePrometheus:
    """A Prometheus of one test module only (Debian's binary, a free port, a temp dir holding its
    config, data and log; the shared test Prometheus is not touched). Subclasses write their config
    with write_config(text); `args` adds command-line flags (e.g. --web.enable-lifecycle)."""

    def __init__(self, prefix, config_text, args=()):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        with socket.socket() as sock:  # a free port (as harness.free_port)
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.config = os.path.join(self.dir, "prometheus.yml")
        self.write_config(config_text)
        self.log = open(os.path.join(self.dir, "log"), "wb")
        self.proc = subprocess.Popen(
            ["prometheus", "--config.file=" + self.config, "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port] + list(args),
            stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for(self.ready, 30, "the module's Prometheus to be ready")
        except BaseException:
            self.close()  # nobody else holds it yet: never leave a Prometheus behind
            raise

    def write_config(self, text):
        """Writes the config, checked by promtool first."""
        with open(self.config, "w") as f:
            f.write(text)
        check = subprocess.run(["promtool", "check", "config", self.config], capture_output=True, text=True,
                               timeout=60)
        assert check.returncode == 0, check.stdout + check.stderr

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("prometheus exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
        return _http(self.url, "GET", "/-/ready", timeout=2)[0] == 200

    def active_targets(self):
        status, raw = _http(self.url, "GET", "/api/v1/targets?state=active")
        assert status == 200, raw
        return json.loads(raw)["data"]["activeTargets"]

    def query(self, promql):
        status, raw = _http(self.url, "GET", "/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        assert status == 200, raw
        return json.loads(raw)["data"]["result"]

    def read_log(self):
        try:
            with open(os.path.join(self.dir, "log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

