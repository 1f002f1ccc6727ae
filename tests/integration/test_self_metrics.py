"""Sentinel's own monitoring (product.md §3 "Health and self-monitoring", issue 5 item 3):
GET /metrics in every role, accepted by `promtool check metrics`, with the series the
Grafana dashboard reads (names fixed: see README "Self-monitoring"), and JSON logs whose
access lines carry the X-Request-ID as a field of their own.

One Sentinel (role all, LOG_FORMAT=json, ALERT_CHECK_INTERVAL_SEC=1, the shared test
Prometheus, a webhook URL where nothing listens) gets traffic, alert rules in known states
and a /ws/events client; an api and a worker process (each on a fresh database of its own)
show that every role serves /metrics. Rules are fleet rules on vector(...) so that no
scrape target is needed.
"""
import json
import os
import re
import shutil
import subprocess
import time
import unittest

import harness
from fixtures import wait_for
from ws_client import WsClient

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RULES = "/api/v1/alerts/rules/"
PROMTOOL = shutil.which("promtool")
RULE_STATES = ("inactive", "pending", "firing", "error", "paused")

S = None          # the role "all" Sentinel
STARTED = None    # time.time() just before it started


class RoleSentinel(harness.Sentinel):
    """harness.Sentinel run as `sentinel serve --role ROLE` (on a database of its own)."""

    def __init__(self, role, extra_env=None):
        super().__init__(extra_env)
        self.role = role

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([harness.BIN, "serve", "--role", self.role], cwd=self.workdir, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self._live(), 30, "%s process to answer liveness" % self.role, interval=0.05)
        return self

    def _live(self):
        if self.proc.poll() is not None:
            raise AssertionError("sentinel exited with %s:\n%s" % (self.proc.returncode, self.read_log()))
        try:
            return self.request("GET", "/api/v1/health/liveness").status == 200
        except OSError:
            return False


def setUpModule():
    global S, STARTED
    if not harness.test_env("PROMETHEUS_URL"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus): run through ctest")
    if not PROMTOOL:
        raise unittest.SkipTest("promtool not installed (Debian package prometheus, scripts/install-deps)")
    STARTED = time.time()
    S = harness.Sentinel({"LOG_FORMAT": "json", "LOG_LEVEL": "info", "ALERT_CHECK_INTERVAL_SEC": "1",
                          "WEBHOOK_URL": "http://127.0.0.1:1/hook"}).start()


def tearDownModule():
    if S:
        try:
            S.stop()
        finally:
            S.close()


# --- helpers ----------------------------------------------------------------------------
def scrape(sentinel):
    r = sentinel.request("GET", "/metrics")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/plain; version=0.0.4"), r.header("Content-Type")
    return r.body


def samples(page, name, **labels):
    """{frozenset(labels.items()): value} of `name`'s samples whose labels include `labels`."""
    return {frozenset(l.items()): v for (n, l), v in harness.parse_metrics_text(page)
            if n == name and all(l.get(k) == want for k, want in labels.items())}


def value(page, name, **labels):
    found = samples(page, name, **labels)
    assert len(found) == 1, "%s%r: %d samples in\n%s" % (name, labels, len(found), page)
    return next(iter(found.values()))


def types(page):
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", page, re.M))


def promtool_check(page):
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=page, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def log_lines(sentinel):
    """Every line of the process's log, parsed: each must be one JSON object."""
    with open(sentinel.log_path, "rb") as f:
        raw = f.read().decode("utf-8")  # strict: the log must be valid UTF-8
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def rule_counts_known(page):
    """The page when its sentinel_rules samples are numbers (NaN until the database was read)."""
    found = samples(page, "sentinel_rules")
    return found and all(v == v for v in found.values()) and page


def create_rule(testcase, name, promql, threshold, **kw):
    body = {"name": name, "server_id": None, "metric_name": "self_metrics_test", "promql": promql,
            "threshold": threshold, "comparison": ">", "repeat_interval_sec": 0, "channel": "webhook"}
    body.update(kw)
    r = S.request("POST", RULES, body, token=S.admin_token)
    testcase.assertEqual(r.status, 201, r)
    return r.json()


# --- tests ------------------------------------------------------------------------------
class TrafficAndPage(unittest.TestCase):
    def test_requests_are_counted_and_the_page_passes_promtool(self):
        token = S.admin_token
        self.assertEqual(S.request("GET", "/api/v1/servers/", token=token).status, 200)
        # Under /api/: any other path is the web console's (200).
        self.assertEqual(S.request("GET", "/api/no/such/route").status, 404)
        self.assertEqual(S.request("POST", RULES, {"name": "x"}, token=token).status, 422)
        page = scrape(S)
        code, out = promtool_check(page)
        self.assertEqual(code, 0, out)
        self.assertGreaterEqual(value(page, "sentinel_http_requests_total", method="GET", route="unmatched",
                                      status="404"), 1)
        self.assertGreaterEqual(value(page, "sentinel_http_requests_total", method="POST", route=RULES,
                                      status="422"), 1)
        self.assertGreaterEqual(value(page, "sentinel_http_request_duration_seconds_count", route=RULES), 1)

    def test_build_info(self):
        page = scrape(S)
        info = samples(page, "sentinel_build_info")
        self.assertEqual(len(info), 1, page)
        labels, v = next(iter(info.items()))
        labels = dict(labels)
        self.assertEqual(v, 1)
        self.assertEqual(types(page)["sentinel_build_info"], "gauge")
        self.assertEqual(labels["role"], "all")
        version = S.cli("version").stdout.split()
        self.assertEqual(labels["version"], version[-1])
        # The commit the binary was built from: this checkout's history has it (HEAD may
        # have moved on since the build). "unknown" only for a build outside git.
        rev = labels["revision"]
        self.assertRegex(rev, r"^([0-9a-f]{12}|unknown)$")
        if rev != "unknown" and os.path.isdir(os.path.join(REPO, ".git")):
            self.assertEqual(subprocess.run(["git", "-C", REPO, "cat-file", "-e", rev + "^{commit}"]).returncode, 0,
                             "revision %s is not a commit of this repository" % rev)

    def test_process_metrics(self):
        page = scrape(S)
        t = types(page)
        self.assertEqual(t["process_cpu_seconds_total"], "counter")
        for g in ("process_resident_memory_bytes", "process_virtual_memory_bytes", "process_start_time_seconds",
                  "process_open_fds", "process_max_fds"):
            self.assertEqual(t[g], "gauge", g)
        rss = value(page, "process_resident_memory_bytes")
        self.assertGreater(rss, 1 << 20)
        self.assertLess(rss, 1 << 30)
        self.assertGreaterEqual(value(page, "process_virtual_memory_bytes"), rss)
        self.assertGreaterEqual(value(page, "process_cpu_seconds_total"), 0)
        started = value(page, "process_start_time_seconds")
        self.assertGreaterEqual(started, STARTED - 2)
        self.assertLessEqual(started, time.time() + 1)
        fds = value(page, "process_open_fds")
        self.assertGreaterEqual(fds, 4)  # stdio and the listening socket at least
        self.assertGreaterEqual(value(page, "process_max_fds"), fds)

    def test_db_pool(self):
        S.request("GET", "/api/v1/servers/", token=S.admin_token)  # at least one connection opened
        page = scrape(S)
        size = value(page, "sentinel_db_pool_size")
        in_use = value(page, "sentinel_db_pool_connections", state="in_use")
        idle = value(page, "sentinel_db_pool_connections", state="idle")
        self.assertGreaterEqual(size, 1)
        self.assertGreaterEqual(in_use, 0)
        self.assertGreaterEqual(idle, 1)
        self.assertLessEqual(in_use + idle, size)

    def test_ws_event_clients(self):
        self.assertEqual(value(scrape(S), "sentinel_ws_event_clients"), 0)
        ws = WsClient.connect("127.0.0.1", S.port, "/ws/events?token=" + S.admin_token)
        try:
            wait_for(lambda: value(scrape(S), "sentinel_ws_event_clients") == 1, 5, "sentinel_ws_event_clients == 1")
        finally:
            ws.close(1000)
        wait_for(lambda: value(scrape(S), "sentinel_ws_event_clients") == 0, 5, "sentinel_ws_event_clients == 0")


class RulesOutboxAndEngine(unittest.TestCase):
    def test_rules_by_state_outbox_and_engine_series(self):
        create_rule(self, "self-firing", "vector(5)", 1)                  # fires at once
        create_rule(self, "self-pending", "vector(5)", 1, for_sec=3600)  # pending for an hour
        create_rule(self, "self-inactive", "vector(0)", 1)                # never above
        create_rule(self, "self-paused", "vector(5)", 1, is_active=False)
        want = {"inactive": 1, "pending": 1, "firing": 1, "error": 0, "paused": 1}

        seen = []

        def states():
            page = scrape(S)
            seen.append({dict(l)["state"]: v for l, v in samples(page, "sentinel_rules").items()})
            return page if seen[-1] == want else None

        # Counts are cached for 5 s: within ~7 s of the first evaluation.
        try:
            page = wait_for(states, 15, "sentinel_rules == %r" % want, interval=0.5)
        except AssertionError as e:
            raise AssertionError("%s; last seen %r" % (e, seen[-1:])) from None
        self.assertEqual(types(page)["sentinel_rules"], "gauge")

        # The firing rule's webhook notification cannot be delivered (nothing listens):
        # retried, so it waits in the outbox.
        def backlog():
            page = scrape(S)
            return value(page, "sentinel_outbox_depth", channel="webhook") >= 1 and page

        page = wait_for(backlog, 15, "sentinel_outbox_depth{channel=webhook} >= 1", interval=0.5)
        self.assertEqual(value(page, "sentinel_outbox_depth", channel="telegram"), 0)
        wait_for(lambda: value(scrape(S), "sentinel_notifications_total", channel="webhook", result="retried") >= 1,
                 10, "a retried webhook delivery to be counted")

        # "inactive" is also a new rule's state before its first evaluation, so the
        # states above can show before all three active rules were evaluated (one may
        # come at the scheduler's next 250 ms poll).
        def evaluated():
            page = scrape(S)
            return value(page, "sentinel_rule_evaluations_total", result="ok") >= 3 and page

        page = wait_for(evaluated, 10, "three evaluations to be counted")
        code, out = promtool_check(page)
        self.assertEqual(code, 0, out)
        t = types(page)
        self.assertEqual(t["sentinel_rule_evaluations_total"], "counter")
        self.assertEqual(t["sentinel_rule_evaluations_skipped_total"], "counter")
        self.assertEqual(t["sentinel_rule_evaluation_duration_seconds"], "histogram")
        self.assertEqual(t["sentinel_notifications_total"], "counter")
        self.assertEqual(t["sentinel_prometheus_query_duration_seconds"], "histogram")
        self.assertGreaterEqual(value(page, "sentinel_rule_evaluations_total", result="ok"), 3)
        self.assertEqual(value(page, "sentinel_rule_evaluations_total", result="error"), 0)
        self.assertGreaterEqual(value(page, "sentinel_rule_evaluation_duration_seconds_count"), 3)
        self.assertGreaterEqual(value(page, "sentinel_rule_evaluations_skipped_total"), 0)
        self.assertGreaterEqual(value(page, "sentinel_prometheus_query_duration_seconds_count", endpoint="query"), 3)
        self.assertGreaterEqual(value(page, "sentinel_prometheus_queries_total", endpoint="query", result="success"),
                                3)
        # Every channel x result exists from the start, at 0 when nothing happened.
        for channel in ("telegram", "webhook"):
            for result in ("sent", "retried", "failed"):
                samples_found = samples(page, "sentinel_notifications_total", channel=channel, result=result)
                self.assertEqual(len(samples_found), 1, (channel, result))
        self.assertEqual(value(page, "sentinel_notifications_total", channel="telegram", result="sent"), 0)


class JsonLogs(unittest.TestCase):
    def test_access_line_fields_and_request_id(self):
        given = "trace-%d.abc" % os.getpid()
        r = S.request("GET", "/api/v1/health/liveness", headers={"X-Request-ID": given})
        self.assertEqual(r.header("X-Request-ID"), given)
        generated = S.request("GET", "/api/no/such/page").header("X-Request-ID")
        self.assertRegex(generated, r"^[0-9a-f]{16}$")
        replaced = S.request("GET", "/api/v1/health/liveness", headers={"X-Request-ID": "x" * 200})
        self.assertRegex(replaced.header("X-Request-ID"), r"^[0-9a-f]{16}$")  # too long: not trusted

        def line_for(request_id):
            found = [l for l in log_lines(S) if l.get("request_id") == request_id]
            return found[0] if found else None

        line = wait_for(lambda: line_for(given), 5, "the access line of request %s" % given, interval=0.1)
        self.assertEqual(line["method"], "GET")
        self.assertEqual(line["route"], "/api/v1/health/liveness")
        self.assertEqual(line["status"], 200)
        self.assertIsInstance(line["duration_ms"], (int, float))
        self.assertGreaterEqual(line["duration_ms"], 0)
        self.assertEqual(line["level"], "info")
        self.assertIn(given, line["msg"])
        self.assertRegex(line["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        missing = wait_for(lambda: line_for(generated), 5, "the access line of request %s" % generated, interval=0.1)
        self.assertEqual((missing["route"], missing["status"]), ("unmatched", 404))

    def test_hostile_path_keeps_the_log_valid(self):
        # Percent-decoded into quotes, a newline and an invalid UTF-8 byte.
        r = S.request("GET", "/api/nope%22%0A%FF%5C")
        self.assertEqual(r.status, 404)
        rid = r.header("X-Request-ID")
        line = wait_for(lambda: [l for l in log_lines(S) if l.get("request_id") == rid], 5, "the hostile line")[0]
        self.assertEqual(line["path"], '/api/nope"\n\ufffd\\')


class EveryRole(unittest.TestCase):
    def test_api_and_worker_serve_metrics(self):
        for role in ("api", "worker"):
            with self.subTest(role=role):
                s = RoleSentinel(role)
                try:
                    s.start()
                    page = wait_for(lambda: rule_counts_known(scrape(s)), 10, "the %s process's rule counts" % role,
                                    interval=0.2)
                    code, out = promtool_check(page)
                    self.assertEqual(code, 0, out)
                    info = [dict(l) for l in samples(page, "sentinel_build_info")]
                    self.assertEqual([i["role"] for i in info], [role])
                    self.assertEqual({dict(l)["state"]: v for l, v in samples(page, "sentinel_rules").items()},
                                     {st: 0 for st in RULE_STATES})
                    self.assertGreater(value(page, "process_resident_memory_bytes"), 0)
                    self.assertGreaterEqual(value(page, "sentinel_db_pool_size"), 1)
                    engine = "sentinel_rule_evaluations_total" in types(page)
                    self.assertEqual(engine, role == "worker", "the alert engine's series only where it runs")
                finally:
                    s.stop()
                    s.close()


if __name__ == "__main__":
    unittest.main()
