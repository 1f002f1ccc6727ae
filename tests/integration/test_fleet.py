"""The fleet view (product.md §8): GET /api/v1/metrics/servers/summary, WS /ws/fleet (full and
?delta=1), POST /api/v1/alerts/rules/preview, and fleet rules naming servers registered a moment
before their evaluation, or after their event opened (§3 "Fleet rules").

Fixture hosts (tests/fakes/fixture_exporter.py) are scraped by the shared test Prometheus; every
query and rule here is scoped to this module's own instances."""
import json
import time
import unittest
import urllib.parse

import harness
from alerting_support import AlertingView, uniq
from fixtures import DeadTarget, FixtureHost, wait_for
from ws_client import WsClient, connect_stalled, flood_pings_until_blocked

S = None
T = None
HOSTS = {}
SERVERS = {}
FLEET = "/api/v1/metrics/servers/summary"
PREVIEW = "/api/v1/alerts/rules/preview"
STABLE = ("memory_usage_percent", "disk_usage_percent", "load1", "load5", "load15")


def register(name, host, **kw):
    body = {"name": name, "job_name": host.job, "instance": host.instance}
    body.update(kw)
    r = S.request("POST", "/api/v1/servers/", body, token=T)
    assert r.status == 201, r
    return r.json()


def setUpModule():
    global S, T
    if not harness.test_env("PROMETHEUS_URL") or not harness.test_env("FIXTURE_EXPORTER"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus and the fixture exporter): run through ctest")
    # An uptime: it grows every second, yet a delta does not resend the row for that alone.
    HOSTS["a"] = FixtureHost(load1=0.5, load5=0.25, load15=0.125, mem_total_bytes=8e9, mem_available_bytes=2e9,
                             fs_size_bytes=80e9, fs_avail_bytes=30e9, uptime_seconds=86400)
    HOSTS["b"] = FixtureHost(load1=1.5, mem_total_bytes=4e9, mem_available_bytes=3e9)
    HOSTS["dead"] = DeadTarget()
    # Cache off: every fleet call asks Prometheus (the query count below is per call).
    S = harness.Sentinel({"WS_METRICS_INTERVAL_SEC": "1", "METRICS_CACHE_TTL_SEC": "0",
                          "ALERT_CHECK_INTERVAL_SEC": "1"}).start()
    T = S.admin_token
    for role in ("a", "b", "dead"):
        SERVERS[role] = register(uniq(role), HOSTS[role])
    HOSTS["a"].wait_until_scraped()
    HOSTS["b"].wait_until_scraped()
    HOSTS["dead"].wait_until_down()


def tearDownModule():
    if S:
        S.close()
    for h in HOSTS.values():
        h.remove()


def fleet(**params):
    r = S.request("GET", FLEET + ("?" + urllib.parse.urlencode(params) if params else ""), token=T)
    assert r.status == 200, r
    return r.json()


def single(server_id):
    r = S.request("GET", "/api/v1/metrics/servers/%d/summary" % server_id, token=T)
    assert r.status == 200, r
    return r.json()


class FleetSummary(unittest.TestCase):
    def test_each_row_is_the_single_summary_of_its_server(self):
        rows = {row["server_id"]: row for row in fleet()}
        for role in ("a", "b", "dead"):
            server = SERVERS[role]
            row, one = rows[server["id"]], single(server["id"])
            self.assertEqual(set(row), set(one))
            for key in ("instance", "job_name", "up"):
                self.assertEqual(row[key], one[key], (role, key))
            self.assertEqual(set(row["metrics"]), set(one["metrics"]))
            for key in STABLE:
                if one["metrics"][key] is None:
                    self.assertIsNone(row["metrics"][key], (role, key))
                else:
                    self.assertAlmostEqual(row["metrics"][key], one["metrics"][key], places=6, msg=(role, key))
        self.assertEqual(rows[SERVERS["a"]["id"]]["metrics"]["load1"], 0.5)
        self.assertAlmostEqual(rows[SERVERS["a"]["id"]]["metrics"]["memory_usage_percent"], 75.0)
        self.assertAlmostEqual(rows[SERVERS["b"]["id"]]["metrics"]["memory_usage_percent"], 25.0)
        self.assertIs(rows[SERVERS["dead"]["id"]]["up"], False)

    def test_a_target_prometheus_does_not_scrape_is_down_with_no_data(self):
        # The right instance under the wrong job is another target, as for the single summary.
        ghost = register(uniq("wrong-job"), HOSTS["a"], job_name="not-" + HOSTS["a"].job)
        try:
            row = {r["server_id"]: r for r in fleet()}[ghost["id"]]
            self.assertIs(row["up"], False)
            self.assertEqual(set(row["metrics"].values()), {None})
            self.assertEqual(single(ghost["id"])["metrics"], row["metrics"])
        finally:
            S.request("DELETE", "/api/v1/servers/%d" % ghost["id"], token=T)

    def test_one_query_whatever_the_number_of_servers(self):
        def queries_per_call():
            before = S.self_metric("sentinel_prometheus_queries_total", endpoint="query")
            fleet()
            return S.self_metric("sentinel_prometheus_queries_total", endpoint="query") - before
        few = queries_per_call()
        extra = [register(uniq("extra"), DeadTarget()) for _ in range(12)]
        try:
            self.assertEqual(len(fleet()), 3 + len(extra))
            many = queries_per_call()
        finally:
            for s in extra:
                S.request("DELETE", "/api/v1/servers/%d" % s["id"], token=T)
        # The alert engine may query meanwhile; the fleet call itself is one query.
        self.assertLessEqual(few, 1 + 1)
        self.assertLessEqual(many, few + 1)

    def test_is_active_filter(self):
        quiet = register(uniq("inactive"), HOSTS["b"], is_active=False)
        try:
            self.assertNotIn(quiet["id"], [r["server_id"] for r in fleet()])
            inactive = fleet(is_active="false")
            self.assertEqual([r["server_id"] for r in inactive], [quiet["id"]])
            self.assertIs(inactive[0]["up"], True)
        finally:
            S.request("DELETE", "/api/v1/servers/%d" % quiet["id"], token=T)

    def test_bad_filter_and_no_token(self):
        r = S.request("GET", FLEET + "?is_active=maybe", token=T)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["query", "is_active"])
        self.assertEqual(S.request("GET", FLEET).status, 401)

    def test_a_viewer_may_read_it(self):
        S.create_user("fleet-viewer@example.com", role="viewer")
        viewer = S.login("fleet-viewer@example.com", "user-password-1")
        r = S.request("GET", FLEET, token=viewer)
        self.assertEqual(r.status, 200, r)


class FleetWebSocket(unittest.TestCase):
    def setUp(self):
        self.clients = []

    def tearDown(self):
        for ws in self.clients:
            try:
                ws.close()
            except Exception:
                ws.abort()

    def connect(self, path="/ws/fleet", token=None, **kw):
        sep = "&" if "?" in path else "?"
        ws = WsClient.connect("127.0.0.1", S.port, path + sep + "token=" + (token or T), timeout=10, **kw)
        self.clients.append(ws)
        return ws

    def frame(self, ws, timeout=5):
        while True:
            msg = ws.recv_json(timeout=timeout)
            if msg.get("type") != "error":
                return msg

    def test_full_frames_list_every_active_server(self):
        ws = self.connect()
        first = self.frame(ws)
        self.assertEqual(first["type"], "fleet")
        self.assertNotIn("delta", first)
        ids = {row["server_id"] for row in first["servers"]}
        self.assertTrue({SERVERS[r]["id"] for r in ("a", "b", "dead")} <= ids)
        self.assertLess(abs(first["polled_at"] - time.time()), 30)
        second = self.frame(ws)
        self.assertEqual({row["server_id"] for row in second["servers"]}, ids)
        self.assertGreater(second["polled_at"], first["polled_at"])

    def test_delta_mode_sends_only_changes_and_removals(self):
        ws = self.connect("/ws/fleet?delta=1")
        first = self.frame(ws)
        self.assertNotIn("delta", first)
        self.assertIn(SERVERS["a"]["id"], [r["server_id"] for r in first["servers"]])
        # Static hosts (one with a growing uptime): after the first poll, deltas are (nearly) empty.
        quiet = [self.frame(ws) for _ in range(3)]
        for d in quiet:
            self.assertIs(d["delta"], True)
            self.assertEqual(d["removed"], [])
        self.assertTrue(any(not d["servers"] for d in quiet), quiet)

        host = FixtureHost(load1=1.0)
        try:
            server = register(uniq("fleet-ws"), host)
            host.wait_until_scraped()

            def row_of(d):
                return {r["server_id"]: r for r in d["servers"]}.get(server["id"])
            wait_for(lambda: (row_of(self.frame(ws)) or {}).get("up") is True, 15, "the new server in a delta")
            host.set(load1=7.0)
            changed = wait_for(lambda: row_of(self.frame(ws)), 15, "the changed server in a delta")
            self.assertEqual(changed["metrics"]["load1"], 7.0)
            # Only what changed: not the other, static hosts.
            S.request("PATCH", "/api/v1/servers/%d" % server["id"], {"is_active": False}, token=T)
            wait_for(lambda: server["id"] in self.frame(ws)["removed"], 10, "the deactivated server removed")
        finally:
            host.remove()
            S.request("DELETE", "/api/v1/servers/%d" % server["id"], token=T)

    def test_one_poll_per_period_for_every_client(self):
        for _ in range(6):
            self.frame(self.connect(), timeout=10)
        before = S.self_metric("sentinel_ws_fleet_polls_total")
        time.sleep(4)
        polls = S.self_metric("sentinel_ws_fleet_polls_total") - before
        self.assertGreaterEqual(polls, 2)
        self.assertLessEqual(polls, 6, "one poll per 1 s period, not one per client")

    def test_a_delta_client_that_falls_behind_gets_the_full_list_again(self):
        stalled = connect_stalled("127.0.0.1", S.port, "/ws/fleet?delta=1&token=" + T)
        self.clients.append(stalled)
        flood_pings_until_blocked(stalled)
        time.sleep(6)  # six 1 s periods: more deltas than its queue holds (4)
        frames = []
        deadline = time.time() + 15
        while time.time() < deadline and not any("delta" not in f for f in frames[1:]):
            msg = stalled.recv(timeout=max(0.1, deadline - time.time()))
            if msg[0] == "text":
                frames.append(json.loads(msg[1]))
        kinds = ["delta" if f.get("delta") else f["type"] for f in frames]
        self.assertEqual(kinds[0], "fleet", kinds)
        # After the first (full) frame: a full list again, in place of the deltas it could not take.
        self.assertIn("fleet", kinds[1:], kinds)
        resync = frames[1 + kinds[1:].index("fleet")]
        self.assertTrue({SERVERS[r]["id"] for r in ("a", "b", "dead")} <= {r["server_id"] for r in resync["servers"]})

    def test_per_user_cap(self):
        capped = harness.Sentinel({"WS_MAX_PER_USER": "2", "WS_METRICS_INTERVAL_SEC": "1"}).start()
        try:
            tok = capped.admin_token
            open_ = [WsClient.connect("127.0.0.1", capped.port, "/ws/fleet?token=" + tok, timeout=10) for _ in range(2)]
            self.clients.extend(open_)
            for ws in open_:  # registered (the check runs after the handshake)
                self.assertEqual(ws.recv_json(timeout=5)["type"], "fleet")
            third = WsClient.connect("127.0.0.1", capped.port, "/ws/fleet?token=" + tok, timeout=10)
            self.clients.append(third)
            self.assertEqual(third.recv(timeout=5)[:2], ("close", 4429))
        finally:
            capped.close()

    def test_auth_close_codes(self):
        ws = WsClient.connect("127.0.0.1", S.port, "/ws/fleet", timeout=10)
        self.clients.append(ws)
        self.assertEqual(ws.recv(timeout=5)[:2], ("close", 4401))
        ws = self.connect(token="not-a-token")
        self.assertEqual(ws.recv(timeout=5)[:2], ("close", 4401))

    def test_prometheus_down_is_an_error_frame_then_the_stream_goes_on(self):
        down = harness.Sentinel({"PROMETHEUS_URL": "http://127.0.0.1:1", "WS_METRICS_INTERVAL_SEC": "1"}).start()
        try:
            tok = down.admin_token
            r = down.request("POST", "/api/v1/servers/", {"name": "x", "job_name": "node", "instance": "h:9100"},
                             token=tok)
            self.assertEqual(r.status, 201, r)
            r = down.request("GET", FLEET, token=tok)
            self.assertIn(r.status, (502, 503), r)
            self.assertIn("Prometheus", r.json()["detail"])
            ws = WsClient.connect("127.0.0.1", down.port, "/ws/fleet?token=" + tok, timeout=10)
            self.clients.append(ws)
            first, second = ws.recv_json(timeout=5), ws.recv_json(timeout=5)
            for f in (first, second):
                self.assertEqual(f["type"], "error")
                self.assertIn("Prometheus", f["detail"])
        finally:
            down.close()


class Preview(unittest.TestCase):
    def rule(self, **kw):
        body = {"name": uniq("preview"), "server_id": None, "metric_name": "load1",
                "promql": 'max by (instance) (node_load1{instance=~"%s|%s"})'
                          % (HOSTS["a"].instance, HOSTS["b"].instance),
                "threshold": 1.0, "comparison": ">"}
        body.update(kw)
        return body

    def test_every_series_with_its_server_and_verdict(self):
        r = S.request("POST", PREVIEW, self.rule(), token=T)
        self.assertEqual(r.status, 200, r)
        out = r.json()
        self.assertIsNone(out["rule_id"])
        self.assertIs(out["would_fire"], True)
        by_instance = {s["labels"]["instance"]: s for s in out["series"]}
        self.assertEqual(by_instance[HOSTS["a"].instance]["server_id"], SERVERS["a"]["id"])
        self.assertIs(by_instance[HOSTS["a"].instance]["would_fire"], False)
        self.assertEqual(by_instance[HOSTS["b"].instance]["value"], 1.5)
        self.assertIs(by_instance[HOSTS["b"].instance]["would_fire"], True)

    def test_a_server_rule_renders_its_instance(self):
        body = self.rule(server_id=SERVERS["a"]["id"], promql='node_load1{instance="$instance"}',
                         comparison="<", threshold=1)
        out = S.request("POST", PREVIEW, body, token=T).json()
        self.assertIn(HOSTS["a"].instance, out["query"])
        self.assertEqual([s["would_fire"] for s in out["series"]], [True])

    def test_records_nothing(self):
        before = S.request("GET", "/api/v1/alerts/rules/", token=T).json()
        body = self.rule()
        self.assertEqual(S.request("POST", PREVIEW, body, token=T).status, 200)
        self.assertEqual(S.request("GET", "/api/v1/alerts/rules/", token=T).json(), before)
        events = S.request("GET", "/api/v1/alerts/events/", token=T).json()
        self.assertNotIn(body["name"], [e["rule_name"] for e in events])

    def test_validated_as_a_create(self):
        r = S.request("POST", PREVIEW, self.rule(comparison="=>", threshold="high", name=""), token=T)
        self.assertEqual(r.status, 422, r)
        locs = {tuple(d["loc"]) for d in r.json()["detail"]}
        self.assertTrue({("body", "comparison"), ("body", "threshold"), ("body", "name")} <= locs, locs)
        r = S.request("POST", PREVIEW, self.rule(server_id=999999), token=T)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "server_id"])
        r = S.request("POST", PREVIEW, self.rule(promql="rate(node_load1[1m]"), token=T)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "promql"])
        r = S.request("POST", PREVIEW, self.rule(promql='up{instance="$instance"}'), token=T)
        self.assertEqual(r.status, 422, r)

    def test_viewers_may_not(self):
        S.create_user("preview-viewer@example.com", role="viewer")
        viewer = S.login("preview-viewer@example.com", "user-password-1")
        self.assertEqual(S.request("POST", PREVIEW, self.rule(), token=viewer).status, 403)


class FleetRuleServers(unittest.TestCase):
    """An event of a fleet rule names its server whenever the server was registered before the
    evaluation began; an open event whose server is registered later gains it."""

    def setUp(self):
        self.view = AlertingView(S)
        self.cleanup = []

    def tearDown(self):
        for f in reversed(self.cleanup):
            f()

    def host(self, **values):
        h = FixtureHost(**values)
        self.cleanup.append(h.remove)
        return h

    def fleet_rule(self, *hosts):
        body = {"name": uniq("fleet-map"), "server_id": None, "metric_name": "load1",
                "promql": 'max by (instance) (node_load1{instance=~"%s"})' % "|".join(h.instance for h in hosts),
                "threshold": 1.0, "comparison": ">", "eval_interval_sec": 1, "channel": "none"}
        r = S.request("POST", "/api/v1/alerts/rules/", body, token=T)
        self.assertEqual(r.status, 201, r)
        rule = r.json()
        self.cleanup.append(lambda: S.request("DELETE", "/api/v1/alerts/rules/%d" % rule["id"], token=T))
        return rule

    def test_an_open_event_gains_the_server_registered_later(self):
        h = self.host(load1=5.0)
        h.wait_until_scraped()
        rule = self.fleet_rule(h)
        event = self.view.event_with(rule["id"], status="firing")
        self.assertIsNone(event["server_id"])
        server = register(uniq("late"), h)
        self.cleanup.append(lambda: S.request("DELETE", "/api/v1/servers/%d" % server["id"], token=T))
        self.view.event_with(rule["id"], timeout=10, status="firing", server_id=server["id"])

    def test_a_server_registered_just_before_is_named_from_the_first_event(self):
        # A fleet rule evaluating every second keeps the engine's server snapshot young.
        busy = self.host(load1=5.0)
        busy.wait_until_scraped()
        self.fleet_rule(busy)
        for attempt in range(3):
            h = self.host(load1=5.0)
            h.wait_until_scraped()
            server = register(uniq("fresh"), h)
            self.cleanup.append(lambda sid=server["id"]: S.request("DELETE", "/api/v1/servers/%d" % sid, token=T))
            rule = self.fleet_rule(h)
            event = self.view.event_with(rule["id"], status="firing")
            self.assertEqual(event["server_id"], server["id"], "attempt %d" % attempt)

    def test_a_rule_for_a_server_registered_just_before_runs_at_once(self):
        busy = self.host(load1=5.0)
        busy.wait_until_scraped()
        self.fleet_rule(busy)  # keeps the engine's server snapshot young
        h = self.host(load1=5.0)
        h.wait_until_scraped()
        server = register(uniq("new"), h)
        self.cleanup.append(lambda: S.request("DELETE", "/api/v1/servers/%d" % server["id"], token=T))
        r = S.request("POST", "/api/v1/alerts/rules/", {
            "name": uniq("server-rule"), "server_id": server["id"], "metric_name": "load1",
            "promql": 'node_load1{instance="$instance"}', "threshold": 1, "comparison": ">",
            "eval_interval_sec": 1, "channel": "none"}, token=T)
        self.assertEqual(r.status, 201, r)
        rule = r.json()
        self.cleanup.append(lambda: S.request("DELETE", "/api/v1/alerts/rules/%d" % rule["id"], token=T))
        first = self.view.rule_with(rule["id"], evaluated=True)
        self.assertIsNone(first["last_error"], first)
        self.view.event_with(rule["id"], status="firing", server_id=server["id"])


if __name__ == "__main__":
    unittest.main()
