"""Several `sentinel serve --role ...` processes on ONE PostgreSQL database (stdlib only).

    cluster = Cluster(extra_env={"REDIS_URL": ...})          # creates the database
    api_a = cluster.add("api"); w1 = cluster.add("worker", {"PROMETHEUS_URL": ...})
    cluster.start_all()        # all at once: migrations and the first superuser race on purpose
    api_a.request("GET", ...); w1.kill(); cluster.close()    # close() drops the database
    cluster.sql("SELECT id, next_eval_at FROM alert_rules")  # -> [["1", "1712345678"], ...]

Each process is a harness.Sentinel (request, login, admin_token, self_metric, read_log,
stop, cli) with its own port and working directory but the cluster's DATABASE_URL and
SECRET_KEY (a token from one API process is valid on the others).

RecordingPrometheus is a Prometheus stand-in for workers: it records every instant
query (the promql, the `time` Sentinel sent, when it arrived) and answers the queries
matching `local` itself with an empty vector; every other request goes to the real
Prometheus (`upstream`) unchanged. One per worker tells which worker evaluated what.
stall() holds the answers to `local` queries (recorded all the same) until release():
the worker's evaluations stay in flight, their rules leased.
"""
import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import harness


class Member(harness.Sentinel):
    """One process of a cluster: harness.Sentinel without a database of its own, with --role."""

    def __init__(self, cluster, role, name, extra_env=None):  # noqa: super().__init__ would create a database
        self.cluster = cluster
        self.role = role
        self.name = name
        self.workdir = tempfile.mkdtemp(prefix="sentinel-mp-%s-" % name)
        self.db = cluster.db
        self.port = harness.free_port()
        self.env = dict(cluster.env)
        self.env["PORT"] = str(self.port)
        self.env.update(extra_env or {})
        self.proc = None
        self.log_path = os.path.join(self.workdir, "sentinel.log")
        self._token = None

    def spawn(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([harness.BIN, "serve", "--role", self.role], cwd=self.workdir, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait_live(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s:\n%s" % (self.name, self.proc.returncode, self.read_log()))
            try:
                if self.request("GET", "/api/v1/health/liveness").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("%s did not start:\n%s" % (self.name, self.read_log()))

    def start(self):
        return self.spawn().wait_live()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def kill(self):
        """SIGKILL: a crash, no shutdown at all."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    def close(self):
        try:
            self.stop(expect_clean=False)
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)


class Cluster:
    def __init__(self, extra_env=None):
        if harness.DB_KIND != "postgresql":
            raise RuntimeError("a cluster needs PostgreSQL (SENTINEL_TEST_DB=postgresql)")
        self.db = harness.Database(None)  # a new PostgreSQL database (the argument is for SQLite)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOST": "127.0.0.1",
            "DATABASE_URL": self.db.url,
            "SECRET_KEY": "test-secret-" + secrets.token_hex(24),
            "FIRST_SUPERUSER_EMAIL": harness.ADMIN_EMAIL,
            "FIRST_SUPERUSER_PASSWORD": harness.ADMIN_PASSWORD,
            "PROMETHEUS_URL": harness.test_env("PROMETHEUS_URL") or "http://127.0.0.1:1",
            "LOG_LEVEL": "warning",
            # As harness.Sentinel: notifications at once unless a test groups them.
            "GROUP_WAIT_SEC": "0",
            "GROUP_INTERVAL_SEC": "1",
        }
        self.env.update(extra_env or {})
        self.members = []

    def add(self, role, extra_env=None, name=None):
        m = Member(self, role, name or "%s%d" % (role, 1 + sum(x.role == role for x in self.members)), extra_env)
        self.members.append(m)
        return m

    def start_all(self, timeout=30):
        """Starts every member at once (each migrates under PostgreSQL's advisory lock and
        races to create the first superuser) and waits until all answer liveness."""
        for m in self.members:
            m.spawn()
        for m in self.members:
            m.wait_live(timeout)

    def sql(self, query):
        """Rows of a query on the cluster's database, as lists of strings (psql -A -t)."""
        out = subprocess.run(["psql", self.db.url, "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-F", "\t",
                              "-c", query], check=True, capture_output=True, text=True)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def logs(self):
        return "\n".join("--- %s (%s, pid %s) ---\n%s" % (m.name, m.role, m.pid, m.read_log()) for m in self.members)

    def close(self):
        try:
            for m in self.members:
                try:
                    m.close()
                except Exception:  # noqa: keep closing the others
                    pass
        finally:
            self.db.drop()


class RecordingPrometheus:
    """See the module docstring. records: [(promql, time_param or None, received_at)]."""

    EMPTY = json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}}).encode()

    def __init__(self, upstream, local):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.local = re.compile(local)
        self.lock = threading.Lock()
        self.records = []
        self._stalled = False
        self._released = threading.Event()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: Sentinel's client reuses connections
            # Headers and body go out in two writes: without TCP_NODELAY the body waits for
            # the client's delayed ACK (40 ms a query), and the recorder, not Sentinel, would
            # set the pace.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _answer(self, status, body, ctype="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, method):
                received = time.time()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, qs = self.path.partition("?")
                if path == "/api/v1/query":
                    form = urllib.parse.parse_qs(qs)
                    if body:
                        form.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
                    promql = (form.get("query") or [""])[0]
                    at = form.get("time")
                    with owner.lock:
                        owner.records.append((promql, float(at[0]) if at else None, received))
                    if owner.local.fullmatch(promql):
                        if owner._stalled:
                            owner._released.wait(60)
                        return self._answer(200, owner.EMPTY)
                status, ctype, answer = owner._forward(method, self.path, body, self.headers.get("Content-Type"))
                self._answer(status, answer, ctype)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # A killed worker, or an answer released after its worker died: no trace.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _forward(self, method, path, body, ctype):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port or 80, timeout=15)
        try:
            headers = {"Content-Type": ctype} if ctype else {}
            conn.request(method, path, body=body or None, headers=headers)
            r = conn.getresponse()
            return r.status, r.getheader("Content-Type") or "application/json", r.read()
        except OSError as e:
            return 503, "text/plain", ("upstream: %s" % e).encode()
        finally:
            conn.close()

    def stall(self):
        self._released.clear()
        self._stalled = True

    def release(self):
        self._stalled = False
        self._released.set()

    def snapshot(self):
        with self.lock:
            return list(self.records)

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()
