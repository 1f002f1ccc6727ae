"""Starts a real `sentinel serve` and talks HTTP to it (stdlib only).

Environment (set by CTest, see CMakeLists.txt):
  SENTINEL_BIN            the binary under test
  SENTINEL_TEST_DB        sqlite | postgresql
  SENTINEL_TEST_ENV_FILE  addresses of the servers scripts/test-env started
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

BIN = os.environ.get("SENTINEL_BIN", "build/src/app/sentinel")
DB_KIND = os.environ.get("SENTINEL_TEST_DB", "sqlite")
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-1"


def test_env(name):
    key = "SENTINEL_TEST_" + name
    if os.environ.get(key):
        return os.environ[key]
    path = os.environ.get("SENTINEL_TEST_ENV_FILE")
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.startswith(key + "="):
                    return line.strip().split("=", 1)[1]
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql):
    r = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("psql %r failed (%d): %s" % (sql, r.returncode, r.stderr.strip()))


class Database:
    """A fresh database for one Sentinel: a SQLite file or a new PostgreSQL database."""

    def __init__(self, workdir):
        self.kind = DB_KIND
        if self.kind == "sqlite":
            self.path = os.path.join(workdir, "sentinel.db")
            self.url = "sqlite:///" + self.path
        else:
            base = test_env("POSTGRES_URL")
            if not base:
                raise RuntimeError("SENTINEL_TEST_POSTGRES_URL not available: run through ctest")
            self.base = base
            self.name = "it_" + secrets.token_hex(6)
            psql(base, "CREATE DATABASE " + self.name)
            self.url = base.rsplit("/", 1)[0] + "/" + self.name

    def drop(self):
        if self.kind != "postgresql":
            return
        # Seen once under ASan with two suites sharing the two cores: the drop failed
        # right after the Sentinel using the database exited. Tried again a few times
        # before the teardown fails, and the error (psql's stderr) is in the message.
        for attempt in range(3):
            try:
                psql(self.base, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
                return
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(1)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Sentinel:
    def __init__(self, extra_env=None):
        self.workdir = tempfile.mkdtemp(prefix="sentinel-it-")
        self.db = Database(self.workdir)
        self.port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": self.db.url,
            "SECRET_KEY": "test-secret-" + secrets.token_hex(24),
            "FIRST_SUPERUSER_EMAIL": ADMIN_EMAIL,
            "FIRST_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
            # The shared test Prometheus; a test about an unreachable datasource overrides it.
            "PROMETHEUS_URL": test_env("PROMETHEUS_URL") or "http://127.0.0.1:1",
            "LOG_LEVEL": "warning",
            # Notifications at once, one group per evaluation: tests about
            # grouping (product.md §9) set their own waits.
            "GROUP_WAIT_SEC": "0",
            "GROUP_INTERVAL_SEC": "1",
        }
        self.env.update(extra_env or {})
        self.proc = None
        self.log_path = os.path.join(self.workdir, "sentinel.log")
        self._token = None

    @property
    def secret(self):
        return self.env["SECRET_KEY"]

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([BIN, "serve"], cwd=self.workdir, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sentinel exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
            try:
                if self.request("GET", "/api/v1/health/liveness").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("sentinel did not start:\n" + self.read_log())

    def stop(self, expect_clean=True):
        code = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("sentinel did not stop within 15 s of SIGTERM")
        elif self.proc:
            code = self.proc.returncode
        if getattr(self, "log", None):
            self.log.close()
        if expect_clean and code not in (0, None):
            raise AssertionError("sentinel exited with %s:\n%s" % (code, self.read_log()))
        return code

    def kill(self):
        """A crash: SIGKILL, no shutdown at all. start() again runs a new process on the same
        database, port, secret and working directory (a restart after the crash)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    def close(self):
        try:
            self.stop(expect_clean=False)
        finally:
            self.db.drop()
            shutil.rmtree(self.workdir, ignore_errors=True)

    def read_log(self):
        try:
            return open(self.log_path, encoding="utf-8", errors="replace").read()[-8000:]
        except OSError:
            return ""

    def cli(self, *args, stdin=None, extra_env=None):
        env = dict(self.env)
        env.update(extra_env or {})
        return subprocess.run([BIN] + list(args), cwd=self.workdir, env=env, input=stdin,
                              capture_output=True, text=True, timeout=60)

    # --- HTTP ------------------------------------------------------------
    def request(self, method, path, body=None, token=None, headers=None, raw=None, form=None, conn=None):
        hdrs = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if token:
            hdrs["Authorization"] = "Bearer " + token
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read().decode("utf-8", errors="replace"))
        finally:
            if own:
                c.close()

    def login(self, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
        r = self.request("POST", "/api/v1/auth/login", form={"username": email, "password": password})
        if r.status != 200:
            raise AssertionError("login failed: %r" % r)
        return r.json()["access_token"]

    @property
    def admin_token(self):
        if not self._token:
            self._token = self.login()
        return self._token

    def create_user(self, email, password="user-password-1", superuser=False, role=None):
        body = {"email": email, "password": password, "is_superuser": superuser}
        if role:
            body["role"] = role
        r = self.request("POST", "/api/v1/users/", body, token=self.admin_token)
        assert r.status == 201, r
        return r.json()

    def self_metric(self, name, **labels):
        """Sum of the samples of `name` in GET /metrics whose labels include `labels` (0.0 when none)."""
        r = self.request("GET", "/metrics")
        assert r.status == 200, r
        total = 0.0
        for series, value in parse_metrics_text(r.body):
            if series[0] == name and all(series[1].get(k) == v for k, v in labels.items()):
                total += value
        return total


def parse_metrics_text(text):
    """Prometheus text exposition -> [((name, {label: value}), float)]; comments are skipped."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "{" in line:
            name, rest = line.split("{", 1)
            body, value = rest.rsplit("}", 1)
            labels = {k: v.encode("latin-1", "backslashreplace").decode("unicode_escape")
                      for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', body)}
        else:
            name, value = line.split(None, 1)
            labels = {}
        out.append(((name.strip(), labels), float(value.split()[0])))
    return out


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(secret, claims, alg="HS256"):
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signing_input = (header + "." + payload).encode()
    if alg == "none":
        return header + "." + payload + "."
    sig = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return header + "." + payload + "." + b64url(sig)
