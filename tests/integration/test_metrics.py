"""Metrics read from Prometheus (product.md §3 "Metrics"): summary arithmetic on synthetic
hosts with known numbers, range queries, containers (cAdvisor) and ad-hoc PromQL.

The fixture hosts are scraped by the shared test Prometheus (tests/fakes/fixture_exporter.py);
every query here is scoped to this module's own instances. Rates (CPU, network, container
CPU) are only exact once Prometheus holds 60 s of samples, so the hosts are created once in
setUpModule and the class that checks rates (SummaryRates, last in alphabetical order) waits
for that history while the other classes have already run.
"""
import calendar
import math
import re
import time
import unittest
import urllib.parse

import harness
from fixtures import DeadTarget, FixtureCadvisor, FixtureHost, prometheus_query, prometheus_value, wait_for

S = None
T = None
HOSTS = {}    # role -> FixtureHost / DeadTarget / FixtureCadvisor
SERVERS = {}  # role -> registered server (JSON)
SCRAPED_AT = None  # every host had samples by then
CREATED = {}

SUMMARY_KEYS = {"cpu_usage_percent", "memory_usage_percent", "disk_usage_percent", "load1", "load5", "load15",
                "network_receive_bytes_per_second", "network_transmit_bytes_per_second", "uptime_seconds"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

FULL = dict(cpus=4, cpu_busy_percent=30, mem_total_bytes=8e9, mem_available_bytes=2e9,
            fs_size_bytes=80e9, fs_avail_bytes=30e9, load1=0.5, load5=0.25, load15=0.125,
            rx_bytes_per_sec=1000, tx_bytes_per_sec=2500, uptime_seconds=86400)
# Only a load average and a MemTotal without MemAvailable: everything else must be null.
SPARSE = dict(load1=1.5, mem_total_bytes=4e9)
CONTAINERS = [
    {"name": "web", "image": "nginx:1.25", "cpu_cores": 0.5, "memory_working_set_bytes": 1e8,
     "memory_limit_bytes": 0, "rx_bytes_per_sec": 1000, "tx_bytes_per_sec": 2000},
    {"name": "db", "image": "postgres:16", "cpu_cores": 1.25, "memory_working_set_bytes": 2.5e8,
     "memory_limit_bytes": 5e8, "rx_bytes_per_sec": 300, "tx_bytes_per_sec": 400},
    {"name": "sidecar", "image": "busybox:1", "memory_working_set_bytes": 4e6},  # no cpu, no limit, no network
]
HOSTILE_JOB = 'fixture"} or vector(42) or up{job="x'


def register(name, job_name, instance, **kw):
    body = {"name": name, "job_name": job_name, "instance": instance}
    body.update(kw)
    r = S.request("POST", "/api/v1/servers/", body, token=T)
    assert r.status == 201, r
    return r.json()


def get(path, **params):
    if params:
        path += "?" + urllib.parse.urlencode(params)
    return S.request("GET", path, token=T)


def summary(server_id):
    r = get("/api/v1/metrics/servers/%d/summary" % server_id)
    assert r.status == 200, r
    return r.json()


def setUpModule():
    global S, T, SCRAPED_AT
    prom = harness.test_env("PROMETHEUS_URL")
    if not prom or not harness.test_env("FIXTURE_EXPORTER"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus and the fixture exporter): run through ctest")
    HOSTS["full"] = FixtureHost(**FULL)
    CREATED["full"] = time.time()
    HOSTS["sparse"] = FixtureHost(**SPARSE)
    HOSTS["flaky"] = FixtureHost(load1=2.0)
    HOSTS["dead"] = DeadTarget()
    HOSTS["cadvisor"] = FixtureCadvisor(containers=CONTAINERS)
    S = harness.Sentinel({"PROMETHEUS_URL": prom}).start()
    T = S.admin_token
    full = HOSTS["full"]
    SERVERS["full"] = register("full", full.job, full.instance, cadvisor_instance=HOSTS["cadvisor"].instance)
    SERVERS["sparse"] = register("sparse", HOSTS["sparse"].job, HOSTS["sparse"].instance)
    SERVERS["flaky"] = register("flaky", HOSTS["flaky"].job, HOSTS["flaky"].instance)
    SERVERS["dead"] = register("dead", HOSTS["dead"].job, HOSTS["dead"].instance)
    full.wait_until_scraped()
    HOSTS["sparse"].wait_until_scraped()
    HOSTS["flaky"].wait_until_scraped()
    HOSTS["cadvisor"].wait_until_scraped(metric="container_memory_working_set_bytes")
    HOSTS["dead"].wait_until_down()
    SCRAPED_AT = time.time()


def tearDownModule():
    for h in HOSTS.values():
        h.remove()
    if S:
        S.stop()
        S.close()


class AdhocQuery(unittest.TestCase):
    def test_data_is_prometheus_data_unchanged(self):
        # At the last scrape: a busy machine can make a scrape fail and the series stale "now".
        at = "%.3f" % prometheus_value("timestamp(node_load1{%s})" % HOSTS["full"].selector)
        expr = '{__name__=~"node_load1|node_load5",%s}' % HOSTS["full"].selector
        r = get("/api/v1/metrics/query", query=expr, time=at)
        self.assertEqual(r.status, 200, r)
        direct = prometheus_query(expr, at=float(at))
        self.assertEqual(direct["status"], "success")
        self.assertEqual(r.json(), direct["data"])
        values = sorted(s["value"][1] for s in r.json()["result"])
        self.assertEqual(values, ["0.25", "0.5"])  # Prometheus's strings, not re-encoded numbers

    def test_time_parameter_unix_and_rfc3339(self):
        r = get("/api/v1/metrics/query", query="time()", time="1700000000.5")
        self.assertEqual((r.status, r.json()), (200, {"resultType": "scalar", "result": [1700000000.5, "1700000000.5"]}))
        r = get("/api/v1/metrics/query", query="time()", time="2023-11-14T22:13:20Z")
        self.assertEqual((r.status, r.json()["result"]), (200, [1700000000, "1700000000"]))
        r = get("/api/v1/metrics/query", query="time()", time="yesterday")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["query", "time"])

    def test_bad_promql_is_422_with_prometheus_message(self):
        for expr in ("sum(", "node_load1{", "rate(node_load1)"):
            with self.subTest(expr=expr):
                direct = prometheus_query(expr)
                self.assertEqual(direct["errorType"], "bad_data", direct)
                r = get("/api/v1/metrics/query", query=expr)
                self.assertEqual(r.status, 422, r)
                detail = r.json()["detail"]
                self.assertEqual(len(detail), 1, detail)
                self.assertEqual(detail[0]["loc"], ["query", "query"])
                self.assertIn(direct["error"], detail[0]["msg"])

    def test_missing_query_is_422(self):
        for params in ({}, {"query": ""}):
            r = get("/api/v1/metrics/query", **params)
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json()["detail"][0]["loc"], ["query", "query"])

    def test_every_metrics_route_needs_a_token(self):
        sid = SERVERS["full"]["id"]
        for path in ("/api/v1/metrics/servers/%d/summary" % sid, "/api/v1/metrics/servers/%d/range?metric=load1" % sid,
                     "/api/v1/metrics/servers/%d/containers" % sid, "/api/v1/metrics/query?query=up"):
            for token in (None, "not-a-jwt"):
                with self.subTest(path=path, token=token):
                    r = S.request("GET", path, token=token)
                    self.assertEqual(r.status, 401, r)
                    self.assertEqual(r.json(), {"detail": "Could not validate credentials"})
                    self.assertEqual(r.header("WWW-Authenticate"), "Bearer")


class Containers(unittest.TestCase):
    def test_containers_from_cadvisor(self):
        r = get("/api/v1/metrics/servers/%d/containers" % SERVERS["full"]["id"])
        self.assertEqual(r.status, 200, r)
        rows = r.json()
        # The cgroup-hierarchy entries (name="", id="/" and "/system.slice") are not containers.
        self.assertEqual(sorted(c["name"] for c in rows), ["db", "sidecar", "web"], rows)
        by_name = {c["name"]: c for c in rows}
        keys = {"name", "image", "cpu_usage_percent", "memory_usage_bytes", "memory_limit_bytes",
                "network_receive_bytes_per_second", "network_transmit_bytes_per_second"}
        for c in rows:
            self.assertEqual(set(c), keys)
        self.assertEqual(by_name["web"]["image"], "nginx:1.25")
        self.assertEqual(by_name["db"]["image"], "postgres:16")
        # The working set, not container_memory_usage_bytes (1.5x, includes reclaimable cache).
        self.assertEqual(by_name["web"]["memory_usage_bytes"], 1e8)
        self.assertEqual(by_name["db"]["memory_usage_bytes"], 2.5e8)
        self.assertEqual(by_name["sidecar"]["memory_usage_bytes"], 4e6)
        # 0 means "no limit" for cAdvisor: null, not 0.
        self.assertIsNone(by_name["web"]["memory_limit_bytes"])
        self.assertEqual(by_name["db"]["memory_limit_bytes"], 5e8)
        self.assertIsNone(by_name["sidecar"]["memory_limit_bytes"])
        # No CPU or network series for the sidecar at all.
        for k in ("cpu_usage_percent", "network_receive_bytes_per_second", "network_transmit_bytes_per_second"):
            self.assertIsNone(by_name["sidecar"][k])

    def test_no_cadvisor_instance_is_404(self):
        r = get("/api/v1/metrics/servers/%d/containers" % SERVERS["sparse"]["id"])
        self.assertEqual(r.status, 404, r)
        self.assertIn("cadvisor_instance", r.json()["detail"])

    def test_cadvisor_without_data_is_empty_list(self):
        s = register("no-cadvisor-data", "fixture", HOSTS["sparse"].instance, cadvisor_instance="fx-nowhere:8080")
        r = get("/api/v1/metrics/servers/%d/containers" % s["id"])
        self.assertEqual((r.status, r.json()), (200, []))

    def test_unknown_server_is_404(self):
        r = get("/api/v1/metrics/servers/999999/containers")
        self.assertEqual((r.status, r.json()), (404, {"detail": "Server not found"}))


class HostileLabels(unittest.TestCase):
    """A server's job_name/instance are label values: quoted, they can never change the query."""

    def assert_no_data(self, server):
        s = summary(server["id"])
        self.assertEqual(s["job_name"], server["job_name"])
        self.assertFalse(s["up"], s)
        self.assertEqual(s["metrics"], dict.fromkeys(SUMMARY_KEYS), s)  # no 42 anywhere, no real data either
        r = get("/api/v1/metrics/servers/%d/range" % server["id"], metric="load1", start=str(SCRAPED_AT - 5),
                end=str(time.time()), step="1")
        self.assertEqual((r.status, r.json()["points"]), (200, []), r)

    def test_job_name_breaking_out_of_the_string(self):
        full = HOSTS["full"]
        for i, job in enumerate([HOSTILE_JOB, "fixture\\", 'fixture\\"} or vector(42) or up{job=\\"x',
                                 "fixture'} or vector(42) or up{job='x", "fixture`} or vector(42)",
                                 "fixture\n} or vector(42)", "$instance", "fixture.*"]):
            with self.subTest(job=job):
                r = S.request("POST", "/api/v1/servers/", {"name": "hostile-job-%d" % i, "job_name": job,
                                                           "instance": full.instance}, token=T)
                if r.status == 422:  # refused as a job name: as safe as it gets
                    self.assertEqual(r.json()["detail"][0]["loc"], ["body", "job_name"])
                    continue
                self.assertEqual(r.status, 201, r)
                self.assertEqual(r.json()["job_name"], job)
                self.assert_no_data(r.json())

    def test_hostile_instance(self):
        full = HOSTS["full"]
        # The instance must be host:port; characters that could close a quoted label value are refused.
        for i, inst in enumerate(['fx"} or vector(42) or up{x="y:9100', "fx\\:9100"]):
            r = S.request("POST", "/api/v1/servers/", {"name": "hostile-inst-%d" % i, "job_name": "fixture",
                                                       "instance": inst}, token=T)
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json()["detail"][0]["loc"], ["body", "instance"])
        # Accepted values are still taken literally: a regex-looking instance matches nothing.
        pattern = full.instance.replace("-", ".")  # "fx.abcd1234:9100" would match as a regex
        s = register("regex-inst", "fixture", pattern)
        self.assert_no_data(s)
        s = register("quote-inst", "fixture", "fx')or(vector(42)):9100")
        self.assert_no_data(s)

    def test_queries_still_work_afterwards(self):
        self.assertEqual(summary(SERVERS["full"]["id"])["metrics"]["load1"], 0.5)
        r = get("/api/v1/metrics/query", query="node_load1{%s}" % HOSTS["full"].selector)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([s["value"][1] for s in r.json()["result"]], ["0.5"])


class Range(unittest.TestCase):
    def points(self, server, **params):
        r = get("/api/v1/metrics/servers/%d/range" % server["id"], **params)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_points_are_the_real_values(self):
        start = "%.3f" % SCRAPED_AT
        end = "%.3f" % time.time()
        for metric, value in (("load1", 0.5), ("memory_usage_percent", 75.0), ("disk_usage_percent", 62.5)):
            with self.subTest(metric=metric):
                body = self.points(SERVERS["full"], metric=metric, start=start, end=end, step="1")
                self.assertEqual((body["metric"], body["step"]), (metric, 1.0))
                pts = body["points"]
                # No gap: every step since the host was scraped has the value.
                self.assertEqual(len(pts), math.floor(float(end) - float(start) + 1e-6) + 1, pts)
                for k, (ts, v) in enumerate(pts):
                    self.assertAlmostEqual(ts, float(start) + k, delta=0.002)
                    self.assertEqual(v, value)

    def test_defaults_last_hour_at_most_300_points(self):
        before = time.time()
        body = self.points(SERVERS["full"], metric="load5")
        after = time.time()
        # ceil(3600 / 299) = 13 s: the smallest whole-second step giving <= 300 points.
        self.assertEqual((body["metric"], body["step"]), ("load5", 13.0))
        pts = body["points"]
        self.assertLessEqual(len(pts), 300)
        for (a, _), (b, _) in zip(pts, pts[1:]):
            self.assertAlmostEqual(b - a, 13.0, delta=0.002)
        for ts, v in pts:
            self.assertGreaterEqual(ts, before - 3600 - 1)
            self.assertLessEqual(ts, after + 1)
            self.assertEqual(v, 0.25)
        # The host is older than one step by now: the newest points hold its value.
        wait_for(lambda: self.points(SERVERS["full"], metric="load5")["points"], 30, "a default-range point")

    def test_step_as_duration_and_rfc3339_times(self):
        body = self.points(SERVERS["full"], metric="load15", start="2030-01-01T00:00:00Z",
                           end="2030-01-01T01:00:00Z", step="1m")
        self.assertEqual(body["step"], 60.0)
        self.assertEqual(body["points"], [])  # the future holds no samples

    def test_metric_without_data_gives_no_points(self):
        body = self.points(SERVERS["sparse"], metric="cpu_usage_percent", start="%.3f" % SCRAPED_AT, step="1")
        self.assertEqual(body["points"], [])
        body = self.points(SERVERS["sparse"], metric="load1", start="%.3f" % SCRAPED_AT, step="1")
        self.assertTrue(body["points"])
        self.assertEqual({v for _, v in body["points"]}, {1.5})

    def test_point_limit(self):
        now = int(time.time())
        body = self.points(SERVERS["full"], metric="load1", start=str(now - 10999), end=str(now), step="1")
        self.assertEqual(body["step"], 1.0)  # exactly 11 000 points: allowed
        r = get("/api/v1/metrics/servers/%d/range" % SERVERS["full"]["id"], metric="load1", start=str(now - 11000),
                end=str(now), step="1")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["query", "step"])

    def test_bad_parameters_are_422(self):
        sid = SERVERS["full"]["id"]
        now = time.time()
        cases = [
            ({"metric": "bogus"}, ["query", "metric"]),
            ({}, ["query", "metric"]),
            ({"metric": "load1", "start": str(now), "end": str(now)}, ["query", "end"]),
            ({"metric": "load1", "start": str(now), "end": str(now - 60)}, ["query", "end"]),
            ({"metric": "load1", "step": "0"}, ["query", "step"]),
            ({"metric": "load1", "step": "-5"}, ["query", "step"]),
            ({"metric": "load1", "step": "abc"}, ["query", "step"]),
            ({"metric": "load1", "start": "noon"}, ["query", "start"]),
        ]
        for params, loc in cases:
            with self.subTest(params=params):
                r = get("/api/v1/metrics/servers/%d/range" % sid, **params)
                self.assertEqual(r.status, 422, r)
                self.assertIn(loc, [d["loc"] for d in r.json()["detail"]])

    def test_unknown_server_is_404(self):
        r = get("/api/v1/metrics/servers/999999/range", metric="load1")
        self.assertEqual((r.status, r.json()), (404, {"detail": "Server not found"}))


class Summary(unittest.TestCase):
    def test_full_host_arithmetic(self):
        before = time.time()
        s = summary(SERVERS["full"]["id"])
        after = time.time()
        full = HOSTS["full"]
        self.assertEqual(set(s), {"server_id", "instance", "job_name", "timestamp", "up", "metrics"})
        self.assertEqual((s["server_id"], s["instance"], s["job_name"], s["up"]),
                         (SERVERS["full"]["id"], full.instance, "fixture", True))
        self.assertRegex(s["timestamp"], ISO_UTC)
        ts = calendar.timegm(time.strptime(s["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
        self.assertLessEqual(abs(ts - before), 2 + (after - before))
        m = s["metrics"]
        self.assertEqual(set(m), SUMMARY_KEYS)
        # MemAvailable, not MemFree (exported as available / 2, which would give 87.5).
        self.assertEqual(m["memory_usage_percent"], 100 * (1 - 2e9 / 8e9))
        # avail (not free) of "/" only: not /boot (90 % used), not the rootfs twin (size 1), not tmpfs.
        self.assertEqual(m["disk_usage_percent"], 100 * (1 - 30e9 / 80e9))
        self.assertEqual((m["load1"], m["load5"], m["load15"]), (0.5, 0.25, 0.125))
        # boot time = creation - 86400, so uptime = 86400 + the host's age.
        self.assertAlmostEqual(m["uptime_seconds"], 86400 + (after - CREATED["full"]),
                               delta=2 + (after - before))
        # Rates exist as soon as there are two samples; their values are checked in SummaryRates.
        wait_for(lambda: summary(SERVERS["full"]["id"])["metrics"]["network_receive_bytes_per_second"] is not None,
                 10, "a network rate")

    def test_missing_series_are_null(self):
        s = summary(SERVERS["sparse"]["id"])
        self.assertTrue(s["up"])
        expected = dict.fromkeys(SUMMARY_KEYS)
        expected["load1"] = 1.5
        self.assertEqual(s["metrics"], expected)

    def test_dead_target_is_up_false_not_an_error(self):
        s = summary(SERVERS["dead"]["id"])
        self.assertEqual((s["server_id"], s["instance"], s["up"]), (SERVERS["dead"]["id"], HOSTS["dead"].instance, False))
        self.assertEqual(s["metrics"], dict.fromkeys(SUMMARY_KEYS))

    def test_host_that_stops_answering_then_recovers(self):
        flaky = HOSTS["flaky"]
        sid = SERVERS["flaky"]["id"]
        self.assertEqual(summary(sid)["metrics"]["load1"], 2.0)
        flaky.set(fail_status=503)
        try:
            wait_for(lambda: flaky.up() == 0.0, 20, "the failing host to be down")
            # Staleness: a failed scrape ends the target's series at once.
            s = wait_for(lambda: (lambda s: s if s["metrics"]["load1"] is None else None)(summary(sid)), 10,
                         "load1 to go stale")
            self.assertFalse(s["up"])
        finally:
            flaky.set(fail_status=None)
        wait_for(lambda: summary(sid)["up"] and summary(sid)["metrics"]["load1"] == 2.0, 20, "the host back")

    def test_unregistered_and_unknown(self):
        r = get("/api/v1/metrics/servers/999999/summary")
        self.assertEqual((r.status, r.json()), (404, {"detail": "Server not found"}))

    def test_servers_sharing_a_target_keep_their_own_id(self):
        # Summaries are cached per (job, instance); the id must still be the caller's.
        twin = register("full-twin", "fixture", HOSTS["full"].instance)
        a = summary(SERVERS["full"]["id"])
        b = summary(twin["id"])
        self.assertEqual((a["server_id"], b["server_id"]), (SERVERS["full"]["id"], twin["id"]))
        self.assertEqual(b["metrics"]["load1"], 0.5)

    def test_summary_is_cached_briefly(self):
        # METRICS_CACHE_TTL_SEC defaults to 1: a second summary right after the first asks Prometheus nothing.
        sid = SERVERS["sparse"]["id"]
        for _ in range(5):
            time.sleep(1.1)  # whatever an earlier test cached has expired
            before = S.self_metric("sentinel_prometheus_queries_total", endpoint="query")
            t0 = time.monotonic()
            first = summary(sid)
            middle = S.self_metric("sentinel_prometheus_queries_total", endpoint="query")
            second = summary(sid)
            elapsed = time.monotonic() - t0
            after = S.self_metric("sentinel_prometheus_queries_total", endpoint="query")
            if elapsed < 0.8:
                break
        else:
            self.skipTest("the machine is too slow to make two requests within the 1 s cache TTL")
        self.assertEqual(middle - before, 1)  # one query: up and the nine metrics (query_catalogue summary_query)
        self.assertEqual(after, middle)
        self.assertEqual(first, second)


class SummaryRates(unittest.TestCase):
    """Rates over [1m] are exact once Prometheus holds a minute of samples (see the module docstring)."""

    @classmethod
    def setUpClass(cls):
        HOSTS["full"].wait_for_history(60)
        # FixtureHost.wait_for_history only needs .selector and .prometheus: it works for the cAdvisor too.
        FixtureHost.wait_for_history(HOSTS["cadvisor"], 60)

    def test_cpu_and_network(self):
        m = summary(SERVERS["full"]["id"])["metrics"]
        # Idle time of all 4 CPUs, averaged: 100 * (1 - 0.70) = 30.
        self.assertAlmostEqual(m["cpu_usage_percent"], 30.0, delta=1.0)
        # eth0 only: lo (1e9 B/s), veth1234 (2e9) and docker0 (4e9) carry no external traffic.
        self.assertAlmostEqual(m["network_receive_bytes_per_second"], 1000, delta=20)
        self.assertAlmostEqual(m["network_transmit_bytes_per_second"], 2500, delta=50)

    def test_container_cpu_and_network(self):
        rows = get("/api/v1/metrics/servers/%d/containers" % SERVERS["full"]["id"]).json()
        by_name = {c["name"]: c for c in rows}
        self.assertEqual(set(by_name), {"web", "db", "sidecar"})
        self.assertAlmostEqual(by_name["web"]["cpu_usage_percent"], 50.0, delta=1.0)
        self.assertAlmostEqual(by_name["db"]["cpu_usage_percent"], 125.0, delta=2.0)
        self.assertAlmostEqual(by_name["web"]["network_receive_bytes_per_second"], 1000, delta=20)
        self.assertAlmostEqual(by_name["web"]["network_transmit_bytes_per_second"], 2000, delta=40)
        self.assertAlmostEqual(by_name["db"]["network_receive_bytes_per_second"], 300, delta=6)
        self.assertAlmostEqual(by_name["db"]["network_transmit_bytes_per_second"], 400, delta=8)

    def test_cpu_range_points(self):
        # Every point's [1m] window must lie inside the host's history: a window reaching back
        # before the first scrape extrapolates a smaller increase (and a higher CPU figure).
        HOSTS["full"].wait_for_history(60 + 11)
        end = time.time()
        r = get("/api/v1/metrics/servers/%d/range" % SERVERS["full"]["id"], metric="cpu_usage_percent",
                start="%.3f" % (end - 10), end="%.3f" % end, step="1")
        pts = r.json()["points"]
        self.assertEqual(len(pts), 11, pts)
        for _, v in pts:
            self.assertAlmostEqual(v, 30.0, delta=1.0)


if __name__ == "__main__":
    unittest.main()
