"""What REDIS_URL shares between API processes besides alert events (product.md §1): login
rate limits and metric snapshots. Two `--role api` processes on one PostgreSQL database and
a Redis of this module's own (scripts/test-env start <tmp> redis), which is stopped and
started again mid-test:

1. login failures counted through one process make the other answer 429 with Retry-After;
2. a summary fetched through one process is served by the other without a Prometheus query
   (its own sentinel_prometheus_queries_total does not move), and is the same snapshot;
3. Redis stopped: logins and summaries still work on both (no 500), each process limits
   with its own counts; Redis back on the same port: both are shared again, by themselves.

Skipped on SQLite (several processes need one shared database).
"""
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import unittest

import cluster
import harness
from fixtures import FixtureHost, wait_for
from ws_client import WsClient

TEST_ENV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "test-env")
DB_ONLY = "sharing between API processes needs PostgreSQL (several processes on one database)"
FAILURES_PER_ACCOUNT = 5   # auth::login_failures_per_account
REDIS_RETRY_PAUSE = 1.0    # redis::ClientOptions::retry_pause: how soon a process tries Redis again

REDIS = {}    # dir, url
CLUSTER = None
API = []      # the two API processes
HOSTS = []
_cleanup = []


def test_env_cmd(*args):
    r = subprocess.run([TEST_ENV] + list(args), capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("scripts/test-env %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))


def setUpModule():
    global CLUSTER
    if harness.DB_KIND != "postgresql":
        raise unittest.SkipTest(DB_ONLY)
    if not harness.test_env("FIXTURE_EXPORTER") or not harness.test_env("PROMETHEUS_URL"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus and the fixture exporter): run through ctest")
    unittest.addModuleCleanup(cleanup)
    d = tempfile.mkdtemp(prefix="sentinel-redis-sharing-")
    REDIS["dir"] = d
    _cleanup.append(lambda: shutil.rmtree(d, ignore_errors=True))
    _cleanup.append(lambda: test_env_cmd("stop", d))
    test_env_cmd("start", d, "redis")
    with open(os.path.join(d, "env")) as f:
        REDIS["url"] = dict(line.strip().split("=", 1) for line in f if "=" in line)["SENTINEL_TEST_REDIS_URL"]
    # Three targets: one per phase, so that no process has its snapshot in its own cache yet.
    for load in (0.5, 1.5, 2.5):
        HOSTS.append(FixtureHost(load1=load))
    _cleanup.append(lambda: [h.remove() for h in HOSTS])
    # A TTL long enough that "served from the cache" cannot be luck.
    CLUSTER = cluster.Cluster({"REDIS_URL": REDIS["url"], "METRICS_CACHE_TTL_SEC": "60",
                               "WS_METRICS_INTERVAL_SEC": "2"})
    _cleanup.append(CLUSTER.close)
    API.extend([CLUSTER.add("api"), CLUSTER.add("api")])
    CLUSTER.start_all()
    for h in HOSTS:
        h.wait_until_scraped()


def cleanup():
    while _cleanup:
        try:
            _cleanup.pop()()
        except Exception as e:  # noqa: BLE001 - keep cleaning up
            print("cleanup: %s" % e)


def failed_login(api, email):
    return api.request("POST", "/api/v1/auth/login", form={"username": email, "password": "wrong-password-1"})


def exhaust(api, email):
    """FAILURES_PER_ACCOUNT wrong passwords for `email` through `api` (each a 401)."""
    for _ in range(FAILURES_PER_ACCOUNT):
        r = failed_login(api, email)
        assert r.status == 401, r


def assert_limited(test, r):
    test.assertEqual(r.status, 429, r)
    retry = int(r.header("Retry-After"))
    test.assertTrue(1 <= retry <= 15 * 60, retry)


def register(api, host):
    r = api.request("POST", "/api/v1/servers/", {"name": "shared-" + secrets.token_hex(3), "job_name": host.job,
                                                 "instance": host.instance}, token=api.admin_token)
    assert r.status == 201, r
    return r.json()["id"]


def queries(api):
    return api.self_metric("sentinel_prometheus_queries_total", endpoint="query")


def snapshot_stored(instance):
    """True once Redis holds a summary snapshot of `instance` (written in the background after a fetch)."""
    out = subprocess.run(["redis-cli", "-u", REDIS["url"], "--scan", "--pattern", "sentinel:summary:*"],
                         capture_output=True, text=True, timeout=10).stdout
    return any(key.endswith(instance) for key in out.split())


def summary(api, server_id):
    r = api.request("GET", "/api/v1/metrics/servers/%d/summary" % server_id, token=api.admin_token)
    assert r.status == 200, r
    return r.json()


@unittest.skipUnless(harness.DB_KIND == "postgresql", DB_ONLY)
class RedisSharing(unittest.TestCase):
    # Methods run in name order: the last one stops and restarts Redis.

    def check_login_limit_shared(self, first, second):
        email = "guess-%s@example.com" % secrets.token_hex(4)
        exhaust(first, email)
        assert_limited(self, failed_login(first, email))
        # The other process saw none of these failures itself.
        assert_limited(self, failed_login(second, email))
        # Even the right password of a real account is refused once its failures are shared.
        user = "user-%s@example.com" % secrets.token_hex(4)
        first.create_user(user, "user-password-1")
        exhaust(second, user)
        r = first.request("POST", "/api/v1/auth/login", form={"username": user, "password": "user-password-1"})
        assert_limited(self, r)

    def check_summary_shared(self, first, second, host):
        server_id = register(first, host)
        a0, b0 = queries(first), queries(second)
        fetched = summary(first, server_id)
        self.assertTrue(fetched["up"], fetched)
        self.assertEqual(fetched["metrics"]["load1"], host.settings["load1"])
        self.assertEqual(queries(first), a0 + 1)  # one query for the whole summary
        wait_for(lambda: snapshot_stored(host.instance), 5, "the snapshot of %s in Redis" % host.instance)
        served = summary(second, server_id)
        self.assertEqual(queries(second), b0, "the second process asked Prometheus itself")
        self.assertEqual(served, fetched)  # the same snapshot: same timestamp, same values

    def test_1_login_failures_are_counted_across_processes(self):
        self.check_login_limit_shared(API[0], API[1])

    def test_2_a_summary_fetched_by_one_process_is_served_by_the_other(self):
        self.check_summary_shared(API[0], API[1], HOSTS[0])

    def test_2b_fleet_clients_of_both_processes_share_one_poll_per_period(self):
        period = 2.0
        register(API[0], HOSTS[0])
        clients = []
        try:
            for api in API:
                for _ in range(3):
                    ws = WsClient.connect("127.0.0.1", api.port, "/ws/fleet?token=" + api.admin_token, timeout=10)
                    clients.append((api, ws))
                    self.assertEqual(ws.recv_json(timeout=10)["type"], "fleet")
            # From the next period on, both pollers tick together and share one fleet query.
            time.sleep(period)
            before = sum(queries(api) for api in API)
            frames = {}
            t0 = time.time()
            while time.time() - t0 < 3 * period:
                for api, ws in clients:
                    f = ws.recv_json(timeout=2 * period)
                    if f["type"] == "fleet" and f["servers"]:
                        frames.setdefault(api.port, []).append(f["servers"][0]["timestamp"])
            asked = sum(queries(api) for api in API) - before
            self.assertLessEqual(asked, 4, "3 periods, 2 processes: about one fleet query per period, not two")
            # The same answer (same evaluation time) reached the clients of both processes.
            self.assertTrue(set(frames[API[0].port]) & set(frames[API[1].port]), frames)
        finally:
            for _, ws in clients:
                ws.close()

    def test_3_redis_stopped_then_back(self):
        test_env_cmd("stop-service", REDIS["dir"], "redis")
        try:
            for api in API:
                r = api.request("POST", "/api/v1/auth/login",
                                form={"username": harness.ADMIN_EMAIL, "password": harness.ADMIN_PASSWORD})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(failed_login(api, "nobody-%s@example.com" % secrets.token_hex(4)).status, 401)
            # Each process limits with its own counts meanwhile.
            email = "offline-%s@example.com" % secrets.token_hex(4)
            exhaust(API[0], email)
            assert_limited(self, failed_login(API[0], email))
            self.assertEqual(failed_login(API[1], email).status, 401)
            # A summary nobody has cached: straight from Prometheus, no error.
            server_id = register(API[1], HOSTS[1])
            before = queries(API[1])
            s = summary(API[1], server_id)
            self.assertEqual(s["metrics"]["load1"], HOSTS[1].settings["load1"])
            self.assertEqual(queries(API[1]), before + 1)
            self.assertEqual(summary(API[0], server_id)["metrics"]["load1"], HOSTS[1].settings["load1"])
        finally:
            test_env_cmd("start-service", REDIS["dir"], "redis")
        # Each process tries Redis again after its pause; nothing else is needed.
        time.sleep(REDIS_RETRY_PAUSE + 0.2)
        self.check_login_limit_shared(API[1], API[0])
        self.check_summary_shared(API[1], API[0], HOSTS[2])
        for api in API:
            log = api.read_log()
            self.assertNotIn("critical", log)
            self.assertEqual(log.count("does not answer"), 1, log)  # the outage, reported once
