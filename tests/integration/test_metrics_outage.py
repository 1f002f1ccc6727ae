"""Metrics when Prometheus is down, slow, or not Prometheus at all (product.md §3 "Metrics" and
the error list; README "Metrics from Prometheus" and readiness).

* A Prometheus of this module's own (scripts/test-env start <tmp> prometheus) is stopped and
  started again: summary, range, containers and ad-hoc queries answer 503 {"detail":
  "Prometheus unavailable: ..."} meanwhile, readiness stays 200 "degraded", and everything
  recovers by itself. The shared test Prometheus is never stopped.
* PROMETHEUS_TIMEOUT_SEC=1: a heavy query, and a datasource that accepts TCP but never answers,
  give 504 within about the timeout (queued queries included), never a hang.
* A local stand-in datasource (http.server) answering garbage, HTTP 500, an error envelope or
  401: 502/503 with a clear detail, never 500; and the Authorization header Sentinel sends for
  PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD and PROMETHEUS_BEARER_TOKEN.
"""
import base64
import concurrent.futures
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import harness
from fixtures import FixtureCadvisor, FixtureHost, exporter_request, wait_for

TEST_ENV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "test-env")
TIMEOUT_SEC = 1
# ~2 s of evaluation on the test machine for 30d, so 90d is well over the 1 s timeout. Prometheus
# 2.42 does not stop a subquery at its own `timeout` parameter: Sentinel's deadline must end it.
HEAVY_QUERY = "count_over_time(vector(1)[90d:1s])"

PROM = {}      # dir and url of the isolated Prometheus
S = None       # Sentinel reading the isolated Prometheus, PROMETHEUS_TIMEOUT_SEC=1
T = None
HOST = None
CADVISOR = None
SERVER = None
RULE = None
_cleanup = []  # callables run by cleanup(), last first


def test_env_cmd(*args):
    r = subprocess.run([TEST_ENV] + list(args), capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("scripts/test-env %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))
    return r.stdout


def read_env(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                out[k] = v
    return out


SENTINELS = []


def start_sentinel(extra_env):
    s = harness.Sentinel(extra_env)

    def stop():
        try:
            s.stop()  # exit 0 on SIGTERM, or an error
        finally:
            s.close()
    _cleanup.append(stop)
    SENTINELS.append(s)
    return s.start()


def eventually(check, timeout, what, interval=0.25):
    """Retries `check` (which asserts) until it passes; the last failure is re-raised."""
    deadline = time.time() + timeout
    while True:
        try:
            return check()
        except (AssertionError, OSError, ValueError, KeyError):
            if time.time() >= deadline:
                print("timed out after %.0f s waiting for %s" % (timeout, what))
                raise
        time.sleep(interval)


def setUpModule():
    global S, T, HOST, CADVISOR, SERVER, RULE
    if not harness.test_env("FIXTURE_EXPORTER"):
        raise unittest.SkipTest("needs scripts/test-env (the fixture exporter): run through ctest")
    unittest.addModuleCleanup(cleanup)  # runs even when setUpModule fails half-way
    d = tempfile.mkdtemp(prefix="sentinel-outage-prom-")
    PROM["dir"] = d
    _cleanup.append(lambda: shutil.rmtree(d, ignore_errors=True))
    _cleanup.append(lambda: test_env_cmd("stop", d))
    test_env_cmd("start", d, "prometheus")
    env = read_env(os.path.join(d, "env"))
    PROM["url"] = env["SENTINEL_TEST_PROMETHEUS_URL"]
    HOST = FixtureHost(load1=0.75, targets_dir=env["SENTINEL_TEST_FIXTURE_TARGETS_DIR"], prometheus=PROM["url"])
    CADVISOR = FixtureCadvisor(containers=[{"name": "web", "image": "nginx:1.25", "memory_working_set_bytes": 1e8}],
                               targets_dir=env["SENTINEL_TEST_CADVISOR_TARGETS_DIR"], prometheus=PROM["url"])
    S = start_sentinel({"PROMETHEUS_URL": PROM["url"], "PROMETHEUS_TIMEOUT_SEC": str(TIMEOUT_SEC)})
    T = S.admin_token
    r = S.request("POST", "/api/v1/servers/", {"name": "outage-host", "job_name": HOST.job, "instance": HOST.instance,
                                               "cadvisor_instance": CADVISOR.instance}, token=T)
    assert r.status == 201, r
    SERVER = r.json()
    r = S.request("POST", "/api/v1/alerts/rules/", {"name": "load", "server_id": SERVER["id"], "metric_name": "load1",
                                                    "promql": "node_load1{instance=$instance}", "threshold": 1,
                                                    "comparison": ">"}, token=T)
    assert r.status == 201, r
    RULE = r.json()
    HOST.wait_until_scraped()
    CADVISOR.wait_until_scraped(metric="container_memory_working_set_bytes")


def cleanup():
    # Sentinels, then the isolated Prometheus; once it is gone the exporter state can go at once.
    first_error = None
    while _cleanup:
        try:
            _cleanup.pop()()
        except Exception as e:  # noqa: BLE001 - keep cleaning up, report the first failure
            first_error = first_error or e
    for t, kind in ((HOST, "hosts"), (CADVISOR, "cadvisor")):
        if t is not None:
            t._removed = True  # its Prometheus is gone: nothing scrapes it any more
            t._remove_file()
            try:
                exporter_request("DELETE", "/%s/%s" % (kind, t.name))
            except Exception:  # noqa: BLE001
                pass
    if first_error:
        raise first_error


def metrics_paths(server_id):
    return {
        "summary": "/api/v1/metrics/servers/%d/summary" % server_id,
        "range": "/api/v1/metrics/servers/%d/range?metric=load1&step=1" % server_id,
        "containers": "/api/v1/metrics/servers/%d/containers" % server_id,
        "query": "/api/v1/metrics/query?" + urllib.parse.urlencode({"query": "up"}),
    }


def assert_prometheus_error(tc, r, status, prefix="Prometheus unavailable: "):
    tc.assertEqual(r.status, status, r)
    tc.assertNotIn("\ufffd", r.body, "the body is not valid UTF-8")  # harness decodes with errors="replace"
    tc.assertTrue((r.header("Content-Type") or "").startswith("application/json"), r.headers)
    body = r.json()
    tc.assertEqual(set(body), {"detail"}, body)
    tc.assertIsInstance(body["detail"], str)
    tc.assertTrue(body["detail"].startswith(prefix), body)
    tc.assertGreater(len(body["detail"]), len(prefix) + 5, body)  # says why, too
    return body["detail"]


def timed(s, method, path, token=None):
    t0 = time.monotonic()
    r = s.request(method, path, token=token)
    return r, time.monotonic() - t0


# --- a stand-in datasource --------------------------------------------------------------------

def vector_answer(value="1", query=""):
    """A vector of one series with `value`; for the summary's combined query (its parts tagged with
    label_replace(..., "sentinel_metric", "<key>", "", "")), one series per part, as Prometheus answers it."""
    keys = re.findall(r'"sentinel_metric", "(\w+)"', query) or [None]
    result = []
    for key in keys:
        labels = {"instance": "fake:9100"}
        if key:
            labels["sentinel_metric"] = key
        result.append({"metric": labels, "value": [time.time(), value]})
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


class FakePrometheus:
    """A tiny Prometheus stand-in: records every request (path, Authorization, form) and answers
    what `self.answer` says: (status, content type, body bytes). Default: a valid vector or
    matrix answer."""

    def __init__(self):
        self.requests = []
        self.answer = None
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                with fake.lock:
                    fake.requests.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                          "form": form})
                    answer = fake.answer
                if answer is None:
                    if self.path.endswith("/query_range"):
                        doc = {"status": "success", "data": {"resultType": "matrix", "result": [
                            {"metric": {}, "values": [[time.time(), "1"]]}]}}
                    else:
                        doc = vector_answer(query=(form.get("query") or [""])[0])
                    answer = (200, "application/json", json.dumps(doc).encode())
                status, ctype, body = answer
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self):
        with self.lock:
            out, self.requests = self.requests, []
        return out

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SilentListener:
    """Accepts TCP connections and never answers (nor reads, nor closes)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.conns = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        self.closed = True
        self.sock.close()
        for c in self.conns:
            c.close()


# --- tests --------------------------------------------------------------------------------------

class DatasourceAuth(unittest.TestCase):
    """PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD → Basic, PROMETHEUS_BEARER_TOKEN → Bearer."""

    def check_sent(self, extra_env, expected_authorization, prefix=""):
        fake = FakePrometheus()
        self.addCleanup(fake.close)
        env = {"PROMETHEUS_URL": fake.url + prefix}
        env.update(extra_env)
        s = start_sentinel(env)
        t = s.admin_token
        fake.take()
        r = s.request("GET", "/api/v1/metrics/query?query=up", token=t)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["resultType"], "vector")
        r = s.request("GET", "/api/v1/health/readiness", token=s.admin_token)
        self.assertEqual((r.status, r.json()["status"]), (200, "ok"), r)
        sent = fake.take()
        self.assertEqual(len(sent), 2, sent)
        self.assertEqual(sent[0]["path"], prefix.rstrip("/") + "/api/v1/query")
        self.assertEqual(sent[0]["form"]["query"], ["up"])
        for req in sent:
            self.assertEqual(req["authorization"], expected_authorization)
        return s, t, fake

    def test_basic_auth(self):
        user, password = "sentinel-ro", "s3cr:t@pa ss"
        s, t, fake = self.check_sent({"PROMETHEUS_USERNAME": user, "PROMETHEUS_PASSWORD": password},
                                     "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode())
        # Credentials refused by the datasource: 502 naming the settings, never echoing the secret.
        fake.answer = (401, "text/plain", b"Unauthorized")
        r = s.request("GET", "/api/v1/metrics/query?query=up", token=t)
        detail = assert_prometheus_error(self, r, 502)
        self.assertIn("PROMETHEUS_USERNAME", detail)
        self.assertNotIn(password, r.body)
        self.assertNotIn(password, s.request("GET", "/api/v1/health/readiness").body)

    def test_bearer_token(self):
        token = "glc_eyJvIjoiMSIsIm4iOiJzZW50aW5lbCJ9.tok-en_123"
        self.check_sent({"PROMETHEUS_BEARER_TOKEN": token}, "Bearer " + token)

    def test_no_credentials_no_header(self):
        self.check_sent({}, None)

    def test_url_with_a_path_prefix(self):
        # Mimir, Thanos behind a proxy, Grafana Cloud: the query API lives under a prefix.
        self.check_sent({}, None, prefix="/prometheus/")


class DatasourceGarbage(unittest.TestCase):
    """Something that is not a working Prometheus at PROMETHEUS_URL: a clear 502/503, never 500."""

    @classmethod
    def setUpClass(cls):
        cls.fake = FakePrometheus()
        cls.s = start_sentinel({"PROMETHEUS_URL": cls.fake.url, "METRICS_CACHE_TTL_SEC": "0"})
        cls.t = cls.s.admin_token
        r = cls.s.request("POST", "/api/v1/servers/", {"name": "garbage", "job_name": "node", "instance": "fake:9100",
                                                       "cadvisor_instance": "fake:8080"}, token=cls.t)
        assert r.status == 201, r
        cls.server = r.json()

    @classmethod
    def tearDownClass(cls):
        cls.fake.close()

    def check(self, answer, status, *fragments, routes=("summary", "range", "containers", "query"),
              prefix="Prometheus unavailable: "):
        self.fake.answer = answer
        for name, path in metrics_paths(self.server["id"]).items():
            if name not in routes:
                continue
            with self.subTest(answer=answer[:2], route=name):
                r = self.s.request("GET", path, token=self.t)
                detail = assert_prometheus_error(self, r, status, prefix)
                for f in fragments:
                    self.assertIn(f, detail)
        r = self.s.request("GET", "/api/v1/health/readiness", token=self.s.admin_token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "degraded", r)
        self.assertEqual(r.json()["checks"]["prometheus"], "unavailable", r)

    def test_html_page_with_200(self):
        self.check((200, "text/html", b"<html><body>Welcome to nginx!</body></html>"), 502,
                   "not a Prometheus API response", "Welcome to nginx!")

    def test_truncated_json(self):
        self.check((200, "application/json", b'{"status":"success","data":{"resultType":"vec'), 502, "not JSON")

    def test_success_envelope_with_a_broken_result(self):
        body = b'{"status":"success","data":{"resultType":"vector","result":"nope"}}'
        self.check((200, "application/json", body), 502, "malformed", routes=("summary", "range", "containers"))
        # The ad-hoc query hands back Prometheus's "data" unchanged (product.md §3): not re-validated.
        r = self.s.request("GET", metrics_paths(self.server["id"])["query"], token=self.t)
        self.assertEqual((r.status, r.json()), (200, {"resultType": "vector", "result": "nope"}))

    def test_http_500_from_a_proxy(self):
        self.check((500, "text/plain", b"upstream exploded"), 503, "HTTP 500", "upstream exploded")

    def test_prometheus_internal_error_envelope(self):
        body = json.dumps({"status": "error", "errorType": "internal", "error": "tsdb is on fire"}).encode()
        self.check((500, "application/json", body), 502, "tsdb is on fire")

    def test_prometheus_timeout_envelope_is_504(self):
        body = json.dumps({"status": "error", "errorType": "timeout",
                           "error": "query timed out in expression evaluation"}).encode()
        self.check((503, "application/json", body), 504, "query timed out in expression evaluation",
                   prefix="Prometheus query timed out: ")

    def test_binary_garbage_stays_valid_utf8(self):
        # 1 MiB of every byte value: the detail quotes the start of it, as valid UTF-8 (\xNN for bad bytes).
        body = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4096  # a "JPEG"
        self.check((200, "image/jpeg", body), 502, "not JSON", "\\xff\\xd8\\xff\\xe0\x00\x01", "\\x80")

    def test_rule_warning_header_cannot_be_split(self):
        # A proxy's multi-line error page ends up in the rule's "not validated" warning: its CR/LF
        # must not end the Warning header (and start others, or the body) in the response.
        page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\nX-Injected: yes\r\n\r\n<p>nginx</p></html>"
        self.fake.answer = (502, "text/html", page)
        conn = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=5)  # a split response would hang
        try:
            r = self.s.request("POST", "/api/v1/alerts/rules/", {"name": "split", "metric_name": "up", "promql": "up",
                                                                 "threshold": 0, "comparison": ">"},
                               token=self.t, conn=conn)
        finally:
            conn.close()
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.header("X-Injected"), r.headers)
        warning = r.json()["warnings"][0]
        self.assertTrue(warning.startswith("PromQL not validated: Prometheus unavailable: HTTP 502"), warning)
        self.assertIn("X-Injected: yes", warning)  # the JSON body keeps the text as it was
        header = r.header("Warning")
        self.assertTrue(header.startswith('299 - "PromQL not validated: Prometheus unavailable: HTTP 502'), header)
        self.assertTrue(header.endswith('</html>"'), header)
        self.assertIn("X-Injected: yes", header)

    def test_recovers_when_the_datasource_answers_again(self):
        self.fake.answer = (502, "text/plain", b"bad gateway")
        r = self.s.request("GET", metrics_paths(self.server["id"])["summary"], token=self.t)
        assert_prometheus_error(self, r, 503)
        self.fake.answer = None
        r = self.s.request("GET", metrics_paths(self.server["id"])["summary"], token=self.t)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["metrics"]["load1"], 1.0)
        self.assertEqual(self.s.request("GET", "/api/v1/health/readiness", token=self.s.admin_token).json()["status"], "ok")


class HungDatasource(unittest.TestCase):
    """A datasource that accepts the connection and never answers: 504 after about
    PROMETHEUS_TIMEOUT_SEC, also for queries queued behind PROMETHEUS_MAX_CONCURRENCY."""

    @classmethod
    def setUpClass(cls):
        cls.listener = SilentListener()
        cls.s = start_sentinel({"PROMETHEUS_URL": cls.listener.url, "PROMETHEUS_TIMEOUT_SEC": str(TIMEOUT_SEC),
                                "PROMETHEUS_MAX_CONCURRENCY": "2", "METRICS_CACHE_TTL_SEC": "0"})
        cls.t = cls.s.admin_token
        r = cls.s.request("POST", "/api/v1/servers/", {"name": "hung", "job_name": "node", "instance": "hung:9100",
                                                       "cadvisor_instance": "hung:8080"}, token=cls.t)
        assert r.status == 201, r
        cls.server = r.json()

    @classmethod
    def tearDownClass(cls):
        cls.listener.close()

    def test_every_route_times_out_with_504(self):
        paths = metrics_paths(self.server["id"])
        paths["rule test"] = None
        r = self.s.request("POST", "/api/v1/alerts/rules/", {"name": "hung", "server_id": None, "metric_name": "up",
                                                             "promql": "up == 0", "threshold": 0, "comparison": ">"},
                           token=self.t)
        # Not validated (timed out), saved anyway with a warning.
        self.assertEqual(r.status, 201, r)
        self.assertIn("timed out", r.json()["warnings"][0])
        rule_id = r.json()["id"]
        # Concurrently, more requests than PROMETHEUS_MAX_CONCURRENCY (2) and the summary's ten queries:
        # the deadline covers the wait for a slot, so each answers within about the timeout.
        jobs = [("GET", p) for p in paths.values() if p] + [("POST", "/api/v1/alerts/rules/%d/test" % rule_id)]
        jobs += [("GET", paths["query"])] * 4
        with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
            results = list(pool.map(lambda j: timed(self.s, j[0], j[1], self.t), jobs))
        for (method, path), (r, elapsed) in zip(jobs, results):
            with self.subTest(path=path):
                detail = assert_prometheus_error(self, r, 504, "Prometheus query timed out: ")
                self.assertIn("%d.000 s" % TIMEOUT_SEC, detail)
                self.assertGreaterEqual(elapsed, TIMEOUT_SEC * 0.9)
                self.assertLess(elapsed, TIMEOUT_SEC + 2.0)

    def test_readiness_is_degraded_within_its_own_deadline(self):
        r, elapsed = timed(self.s, "GET", "/api/v1/health/readiness", token=self.s.admin_token)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["status"], "degraded", body)
        self.assertEqual(body["checks"], {"database": "ok", "prometheus": "unavailable", "redis": "disabled"})
        self.assertIn("no answer", body["details"]["prometheus"])
        self.assertLess(elapsed, 4.0)


class PrometheusOutage(unittest.TestCase):
    """The isolated Prometheus stops and comes back: 503 meanwhile, recovery by itself."""

    def assert_all_ok(self):
        paths = metrics_paths(SERVER["id"])
        s = S.request("GET", paths["summary"], token=T)
        self.assertEqual(s.status, 200, s)
        self.assertTrue(s.json()["up"], s)
        self.assertEqual(s.json()["metrics"]["load1"], 0.75)
        r = S.request("GET", paths["range"], token=T)
        self.assertEqual(r.status, 200, r)
        self.assertIn(0.75, [v for _, v in r.json()["points"]])
        c = S.request("GET", paths["containers"], token=T)
        self.assertEqual((c.status, [x["name"] for x in c.json()]), (200, ["web"]), c)
        q = S.request("GET", paths["query"], token=T)
        self.assertEqual((q.status, q.json()["resultType"]), (200, "vector"), q)
        t = S.request("POST", "/api/v1/alerts/rules/%d/test" % RULE["id"], token=T)
        self.assertEqual(t.status, 200, t)
        self.assertEqual([x["value"] for x in t.json()["series"]], [0.75])
        h = S.request("GET", "/api/v1/health/readiness", token=S.admin_token)
        self.assertEqual((h.status, h.json()["status"], h.json()["checks"]),
                         (200, "ok", {"database": "ok", "prometheus": "ok", "redis": "disabled"}), h)

    def test_stop_and_start(self):
        self.assert_all_ok()
        test_env_cmd("stop-service", PROM["dir"], "prometheus")
        try:
            time.sleep(1.1)  # METRICS_CACHE_TTL_SEC (1 s): no summary from before the outage
            for name, path in metrics_paths(SERVER["id"]).items():
                with self.subTest(route=name):
                    r, elapsed = timed(S, "GET", path, T)
                    assert_prometheus_error(self, r, 503)
                    self.assertLess(elapsed, 2.0)  # connection refused: no need to wait for the timeout
            r = S.request("POST", "/api/v1/alerts/rules/%d/test" % RULE["id"], token=T)
            assert_prometheus_error(self, r, 503)
            # Rules are still saved, unvalidated (product.md: "saved anyway").
            r = S.request("PATCH", "/api/v1/alerts/rules/%d" % RULE["id"], {"promql": "node_load1{instance=$instance} * 1"},
                          token=T)
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.json()["warnings"][0].startswith("PromQL not validated: Prometheus unavailable: "), r)
            r = S.request("GET", "/api/v1/health/readiness", token=S.admin_token)
            self.assertEqual(r.status, 200, r)  # only Prometheus is down: degraded, still ready
            body = r.json()
            self.assertEqual((body["status"], body["checks"]), ("degraded", {"database": "ok", "prometheus": "unavailable", "redis": "disabled"}),
                             body)
            self.assertTrue(body["details"]["prometheus"])
            # The rest of the API is untouched.
            self.assertEqual(S.request("GET", "/api/v1/servers/%d" % SERVER["id"], token=T).status, 200)
            self.assertEqual(S.request("GET", "/api/v1/health/liveness").status, 200)
        finally:
            test_env_cmd("start-service", PROM["dir"], "prometheus")
        # Same address again: Sentinel reconnects on its own, without a restart.
        wait_for(lambda: S.request("GET", "/api/v1/health/readiness", token=S.admin_token).json()["status"] == "ok", 20, "readiness ok")
        wait_for(lambda: S.request("GET", metrics_paths(SERVER["id"])["summary"], token=T).status == 200, 20,
                 "summary 200")
        HOST.wait_until_scraped()
        CADVISOR.wait_until_scraped(metric="container_memory_working_set_bytes")
        eventually(self.assert_all_ok, 20, "every metrics route to recover")
        self.assertIsNone(S.proc.poll())


class QueryTimeout(unittest.TestCase):
    """A query Prometheus takes longer than PROMETHEUS_TIMEOUT_SEC to answer: 504, on time."""

    def test_heavy_adhoc_query_is_504(self):
        path = "/api/v1/metrics/query?" + urllib.parse.urlencode({"query": HEAVY_QUERY})
        r, elapsed = timed(S, "GET", path, T)
        detail = assert_prometheus_error(self, r, 504, "Prometheus query timed out: ")
        self.assertIn("1.000 s", detail)
        self.assertLess(elapsed, TIMEOUT_SEC + 2.0)
        # Sentinel still answers normally afterwards.
        r = S.request("GET", "/api/v1/metrics/query?query=1", token=T)
        self.assertEqual((r.status, r.json()["resultType"]), (200, "scalar"), r)


class ZzNever500(unittest.TestCase):
    """Runs last: no Sentinel of this module answered a single 500."""

    def test_no_500_anywhere(self):
        for s in SENTINELS:
            if s.proc.poll() is None:
                count = s.self_metric("sentinel_http_requests_total", status="500")
                if count:
                    self.fail("%d answers with status 500:\n%s" % (count, s.read_log()))


if __name__ == "__main__":
    unittest.main()
