"""GET /api/v1/sd/targets: the inventory as Prometheus's HTTP service discovery (product.md §10).

- Shape: a JSON array (Content-Type application/json) of {"targets": [instance], "labels": {"job",
  "sentinel_server", "sentinel_server_id"}}, every label a string with a plain label name; one group
  per active server and one more (job "cadvisor") for its cadvisor_instance; inactive servers are
  left out; servers sharing an exporter give one target, named after the lowest id.
- Access: a viewer API token is enough; no token, a malformed one or a revoked one → 401.
- End to end: a second Prometheus of our own (Debian's `prometheus` binary, a free port, a temp
  dir; the shared test Prometheus is not touched) whose only scrape config is http_sd_configs
  pointing at this module's Sentinel, with a viewer API token in a credentials_file, refresh 2 s.
  A server registered through the API, at the test node_exporter, is scraped (health up, with its
  sentinel_* labels on the series); deactivated or deleted, it leaves Prometheus's targets.

Prometheus 2.42 applies discovered target changes at most every 5 s (fixtures.py), so "within one
refresh" is checked as within refresh + that + a scrape, with slack for a loaded machine.
"""
import os
import re
import shutil
import sys
import tempfile
import time
import unittest

import harness
from fixtures import ModulePrometheus, _http, prometheus_values, wait_for
from harness import Sentinel

SD = "/api/v1/sd/targets"
REFRESH = 2           # refresh_interval of the test Prometheus's http_sd_configs
APPLY = 5             # Prometheus 2.42's discovery manager applies updates at most this often
DEADLINE = 4 * (REFRESH + APPLY)
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
CLOSED = "127.0.0.1:9"  # nothing listens (discard): a target that is down, never slow

S = None
TOKENS = {}


def log(msg):
    sys.stderr.write("[http_sd] %s\n" % msg)
    sys.stderr.flush()


class OwnPrometheus(ModulePrometheus):
    """A Prometheus of this module only, whose one job discovers its targets from Sentinel."""

    def __init__(self, sentinel_port, token):
        self.token_dir = tempfile.mkdtemp(prefix="sentinel-sd-token-")
        self.token_file = os.path.join(self.token_dir, "sentinel-sd.token")
        with open(self.token_file, "w") as f:
            f.write(token + "\n")  # Prometheus trims the trailing newline, as `echo > file` leaves one
        os.chmod(self.token_file, 0o600)
        super().__init__("sentinel-sd-prom-", """global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sentinel-sd
    http_sd_configs:
      - url: http://127.0.0.1:%d%s
        refresh_interval: %ds
        authorization:
          type: Bearer
          credentials_file: %s
""" % (sentinel_port, SD, REFRESH, self.token_file))

    def targets_of(self, server_id):
        return [t for t in self.active_targets() if t["labels"].get("sentinel_server_id") == str(server_id)]

    def close(self):
        super().close()
        shutil.rmtree(self.token_dir, ignore_errors=True)


def setUpModule():
    global S
    S = Sentinel().start()
    S.create_user("viewer@example.com", "viewer-password", role="viewer")
    S.create_user("editor@example.com", "editor-password", role="editor")
    TOKENS["editor"] = S.login("editor@example.com", "editor-password")
    viewer_jwt = S.login("viewer@example.com", "viewer-password")
    r = S.request("POST", "/api/v1/auth/tokens", {"name": "prometheus-sd"}, token=viewer_jwt)
    assert r.status == 201, r
    assert r.json()["role"] == "viewer", r
    TOKENS["viewer_api"] = r.json()["token"]
    TOKENS["viewer_jwt"] = viewer_jwt


def tearDownModule():
    S.stop()
    S.close()


def create_server(**fields):
    r = S.request("POST", "/api/v1/servers/", fields, token=TOKENS["editor"])
    assert r.status == 201, r
    return r.json()


def delete_server(server_id):
    r = S.request("DELETE", "/api/v1/servers/%d" % server_id, token=TOKENS["editor"])
    assert r.status in (204, 404), r


def sd(token):
    return S.request("GET", SD, token=token)


class Shape(unittest.TestCase):
    def setUp(self):
        self.ids = []

    def tearDown(self):
        for i in self.ids:
            delete_server(i)

    def server(self, **fields):
        s = create_server(**fields)
        self.ids.append(s["id"])
        return s

    def groups_of(self, body, ids):
        return [g for g in body if int(g["labels"]["sentinel_server_id"]) in ids]

    def test_one_group_per_target_with_string_labels(self):
        web = self.server(name='sd "web" 1 ü', job_name="node", instance=CLOSED, cadvisor_instance="127.0.0.1:19")
        db = self.server(name="sd-db", job_name="mysqld", instance="127.0.0.1:29")
        off = self.server(name="sd-off", job_name="node", instance="127.0.0.1:39", is_active=False)

        r = sd(TOKENS["viewer_api"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        body = r.json()
        self.assertIsInstance(body, list)
        for group in body:
            self.assertEqual(set(group), {"targets", "labels"}, group)
            self.assertEqual(len(group["targets"]), 1, group)
            self.assertEqual(set(group["labels"]), {"job", "sentinel_server", "sentinel_server_id"}, group)
            for name, value in group["labels"].items():
                self.assertRegex(name, LABEL_NAME)
                self.assertFalse(name.startswith("__"), name)
                self.assertIsInstance(value, str, (name, value))

        mine = self.groups_of(body, {web["id"], db["id"], off["id"]})
        self.assertEqual(mine, [
            {"targets": [CLOSED],
             "labels": {"job": "node", "sentinel_server": 'sd "web" 1 ü', "sentinel_server_id": str(web["id"])}},
            {"targets": ["127.0.0.1:19"],
             "labels": {"job": "cadvisor", "sentinel_server": 'sd "web" 1 ü', "sentinel_server_id": str(web["id"])}},
            {"targets": ["127.0.0.1:29"],
             "labels": {"job": "mysqld", "sentinel_server": "sd-db", "sentinel_server_id": str(db["id"])}},
        ])

        # PATCH is reflected at once: the inactive one joins, the cAdvisor leaves.
        S.request("PATCH", "/api/v1/servers/%d" % off["id"], {"is_active": True}, token=TOKENS["editor"])
        S.request("PATCH", "/api/v1/servers/%d" % web["id"], {"cadvisor_instance": None}, token=TOKENS["editor"])
        mine = self.groups_of(sd(TOKENS["viewer_api"]).json(), {web["id"], db["id"], off["id"]})
        self.assertEqual([(g["targets"][0], g["labels"]["job"]) for g in mine],
                         [(CLOSED, "node"), ("127.0.0.1:29", "mysqld"), ("127.0.0.1:39", "node")])

    def test_servers_sharing_an_exporter_give_one_target(self):
        first = self.server(name="sd-shared-a", job_name="node", instance="127.0.0.1:49")
        second = self.server(name="sd-shared-b", job_name="node", instance="127.0.0.1:49")
        other_job = self.server(name="sd-shared-c", job_name="blackbox", instance="127.0.0.1:49")
        body = sd(TOKENS["viewer_api"]).json()
        groups = [g for g in body if g["targets"] == ["127.0.0.1:49"]]
        self.assertEqual([(g["labels"]["job"], g["labels"]["sentinel_server_id"]) for g in groups],
                         [("node", str(first["id"])), ("blackbox", str(other_job["id"]))])
        # The first one deactivated, the second names the target.
        S.request("PATCH", "/api/v1/servers/%d" % first["id"], {"is_active": False}, token=TOKENS["editor"])
        groups = [g for g in sd(TOKENS["viewer_api"]).json() if g["targets"] == ["127.0.0.1:49"]]
        self.assertEqual([(g["labels"]["job"], g["labels"]["sentinel_server"]) for g in groups],
                         [("node", "sd-shared-b"), ("blackbox", "sd-shared-c")])
        self.assertNotEqual(second["id"], first["id"])

    def test_any_authenticated_role_any_query_string(self):
        for token in (TOKENS["viewer_api"], TOKENS["viewer_jwt"], TOKENS["editor"], S.admin_token):
            r = S.request("GET", SD + "?ignored=1", token=token)
            self.assertEqual(r.status, 200, r)
        self.assertEqual(S.request("POST", SD, {}, token=S.admin_token).status, 405)


class Access(unittest.TestCase):
    def assert_401(self, r):
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json(), {"detail": "Could not validate credentials"})
        self.assertEqual(r.header("WWW-Authenticate"), "Bearer")

    def test_no_token_or_a_bad_one(self):
        self.assert_401(S.request("GET", SD))
        self.assert_401(sd("snt_" + "x" * 43))
        self.assert_401(S.request("GET", SD, headers={"Authorization": "Basic dXNlcjpwYXNz"}))

    def test_a_revoked_token(self):
        r = S.request("POST", "/api/v1/auth/tokens", {"name": "revoked-sd"}, token=TOKENS["viewer_jwt"])
        self.assertEqual(r.status, 201, r)
        token = r.json()
        self.assertEqual(sd(token["token"]).status, 200)
        r = S.request("DELETE", "/api/v1/auth/tokens/%d" % token["id"], token=TOKENS["viewer_jwt"])
        self.assertEqual(r.status, 204, r)
        time.sleep(1.0)  # revoked everywhere within 1 s (product.md §7)
        self.assert_401(sd(token["token"]))


@unittest.skipUnless(shutil.which("prometheus") and shutil.which("promtool"), "Debian's prometheus not installed")
class PrometheusDiscovers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = harness.test_env("NODE_EXPORTER")
        if not cls.node:
            raise unittest.SkipTest("no node_exporter in the test environment")
        cls.prom = OwnPrometheus(S.port, TOKENS["viewer_api"])

    @classmethod
    def tearDownClass(cls):
        cls.prom.close()

    def wait_targets(self, server_id, want, what):
        """Waits until the active targets of the server are `want` ({(job, instance): health}); returns
        the seconds it took."""
        start = time.time()

        def check():
            got = {(t["labels"]["job"], t["labels"]["instance"]): t["health"] for t in self.prom.targets_of(server_id)}
            return got == want
        try:
            wait_for(check, DEADLINE, what, interval=0.25)
        except AssertionError:
            raise AssertionError("%s: active targets %r\n--- prometheus log ---\n%s"
                                 % (what, self.prom.active_targets(), self.prom.read_log()))
        return time.time() - start

    def test_a_registered_server_is_scraped_until_deactivated_or_deleted(self):
        server = create_server(name="sd-node", job_name="node", instance=self.node,
                               cadvisor_instance=self.node, description="the test node_exporter")
        sid = server["id"]
        self.addCleanup(delete_server, sid)
        both_up = {("node", self.node): "up", ("cadvisor", self.node): "up"}
        took = self.wait_targets(sid, both_up, "the new server scraped (health up)")
        log("registered server scraped after %.1f s (refresh %d s)" % (took, REFRESH))

        [target] = [t for t in self.prom.targets_of(sid) if t["labels"]["job"] == "node"]
        self.assertEqual(target["scrapePool"], "sentinel-sd")
        self.assertEqual(target["scrapeUrl"], "http://%s/metrics" % self.node)
        self.assertEqual(target["labels"]["sentinel_server"], "sd-node")
        # The labels are on the scraped series: what Sentinel's own queries (instance, job) find.
        sel = 'up{job="node",instance="%s",sentinel_server_id="%d"}' % (self.node, sid)
        values = wait_for(lambda: prometheus_values(sel, url=self.prom.url), 10, sel)
        self.assertEqual([(v[0]["sentinel_server"], v[1]) for v in values], [("sd-node", 1.0)])

        r = S.request("PATCH", "/api/v1/servers/%d" % sid, {"is_active": False}, token=TOKENS["editor"])
        self.assertEqual(r.status, 200, r)
        took = self.wait_targets(sid, {}, "the deactivated server gone from the targets")
        log("deactivated server left the targets after %.1f s" % took)

        r = S.request("PATCH", "/api/v1/servers/%d" % sid, {"is_active": True, "cadvisor_instance": None},
                      token=TOKENS["editor"])
        self.assertEqual(r.status, 200, r)
        self.wait_targets(sid, {("node", self.node): "up"}, "the reactivated server back, without its cAdvisor")

        delete_server(sid)
        took = self.wait_targets(sid, {}, "the deleted server gone from the targets")
        log("deleted server left the targets after %.1f s" % took)

    def test_a_server_whose_exporter_is_down_is_a_down_target(self):
        server = create_server(name="sd-down", job_name="node", instance=CLOSED)
        self.addCleanup(delete_server, server["id"])
        self.wait_targets(server["id"], {("node", CLOSED): "down"}, "the unreachable exporter as a down target")


if __name__ == "__main__":
    unittest.main()
