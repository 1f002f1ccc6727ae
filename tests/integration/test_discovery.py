"""Servers from Prometheus (product.md §10): POST /api/v1/servers/discover and DISCOVERY_JOBS.

A Prometheus of this module (Debian's `prometheus`, a free port, a temp dir, --web.enable-lifecycle;
the shared test Prometheus is not touched) scrapes two static targets of job "disco": the test
node_exporter (its node_uname_info carries `nodename`) and the fixture exporter (no nodename).

- POST discover with dry_run writes nothing and lists both as "created" without ids; the real call
  registers both (the node_exporter named by its nodename, found with the one lookup query; the
  other by its instance), audited as server.create; a third call creates nothing: both "existing".
- 401 without a token, 403 for a viewer, 422 for a bad body or label name and for a job without
  active targets, 503 `Prometheus unavailable: ...` when Prometheus cannot be reached.
- DISCOVERY_JOBS=disco:nodename with DISCOVERY_INTERVAL_SEC=1 on a second Prometheus: both targets
  registered by the sync; the fixture target removed from that Prometheus's config (file rewritten,
  POST /-/reload) → its server is marked inactive within a few intervals and never deleted (audited
  via "discovery"); the target put back → the server is active again (the sync deactivated it).
"""
import json
import unittest

import harness
from fixtures import ModulePrometheus, _http, prometheus_values, wait_for
from harness import Sentinel

DISCOVER = "/api/v1/servers/discover"
JOB = "disco"
CLOSED = "http://127.0.0.1:9"  # nothing listens (discard)

PROM = None
S = None
TOKENS = {}


def node_exporter():
    return harness.test_env("NODE_EXPORTER")


def fixture_exporter():
    return harness.test_env("FIXTURE_EXPORTER")


class OwnPrometheus(ModulePrometheus):
    """A Prometheus of this module only, scraping static targets of job "disco"; reloadable."""

    def __init__(self, targets):
        super().__init__("sentinel-disco-prom-", self.config_text(targets), ["--web.enable-lifecycle"])

    @staticmethod
    def config_text(targets):
        return """global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: %s
    static_configs:
      - targets: %s
""" % (JOB, json.dumps(targets))

    def reload(self, targets):
        self.write_config(self.config_text(targets))
        status, raw = _http(self.url, "POST", "/-/reload")
        assert status == 200, raw
        wait_for(lambda: sorted(self.instances()) == sorted(targets), 30, "Prometheus to apply %r" % targets)

    def instances(self):
        return [t["labels"]["instance"] for t in self.active_targets() if t["labels"].get("job") == JOB]

    def nodename(self):
        """The node_exporter's nodename once Prometheus has scraped it."""
        def found():
            rows = prometheus_values('node_uname_info{job="%s", instance="%s"}' % (JOB, node_exporter()),
                                     url=self.url)
            return rows[0][0].get("nodename") if rows else None
        return wait_for(found, 30, "node_uname_info of the node_exporter")


def setUpModule():
    global PROM, S
    PROM = OwnPrometheus([node_exporter(), fixture_exporter()])
    S = Sentinel({"PROMETHEUS_URL": PROM.url}).start()
    S.create_user("viewer@example.com", "viewer-password", role="viewer")
    S.create_user("editor@example.com", "editor-password", role="editor")
    TOKENS["viewer"] = S.login("viewer@example.com", "viewer-password")
    TOKENS["editor"] = S.login("editor@example.com", "editor-password")
    TOKENS["admin"] = S.admin_token


def tearDownModule():
    try:
        if S:
            S.stop()
            S.close()
    finally:
        if PROM:
            PROM.close()


def servers(sentinel, token):
    r = sentinel.request("GET", "/api/v1/servers/?limit=1000", token=token)
    assert r.status == 200, r
    return {s["instance"]: s for s in r.json() if s["job_name"] == JOB}


class Discover(unittest.TestCase):
    def test_dry_run_then_register_then_idempotent(self):
        nodename = PROM.nodename()
        body = {"job": JOB, "name_label": "nodename"}
        dry = S.request("POST", DISCOVER, dict(body, dry_run=True), token=TOKENS["editor"])
        self.assertEqual(dry.status, 200, dry)
        d = dry.json()
        self.assertEqual((d["job"], d["name_label"], d["dry_run"], d["targets"]), (JOB, "nodename", True, 2), d)
        self.assertEqual(d["existing"], [])
        self.assertEqual(d["skipped"], [])
        by_instance = {c["instance"]: c for c in d["created"]}
        self.assertEqual(set(by_instance), {node_exporter(), fixture_exporter()})
        self.assertEqual(by_instance[node_exporter()]["name"], nodename)
        self.assertEqual(by_instance[fixture_exporter()]["name"], fixture_exporter())
        for c in d["created"]:
            self.assertNotIn("id", c)
            self.assertEqual(c["job_name"], JOB)
            self.assertTrue(c["is_active"])
        self.assertEqual(servers(S, TOKENS["editor"]), {}, "a dry run writes nothing")

        real = S.request("POST", DISCOVER, body, token=TOKENS["editor"])
        self.assertEqual(real.status, 200, real)
        r = real.json()
        self.assertFalse(r["dry_run"])
        self.assertEqual(len(r["created"]), 2, r)
        stored = servers(S, TOKENS["editor"])
        self.assertEqual(stored[node_exporter()]["name"], nodename)
        self.assertEqual(stored[fixture_exporter()]["name"], fixture_exporter())
        for c in r["created"]:
            self.assertEqual(stored[c["instance"]], c, "the answer holds the stored Server")
        audit = S.request("GET", "/api/v1/audit/?action=server.create&target_type=server", token=TOKENS["admin"])
        self.assertEqual(audit.status, 200, audit)
        audited = {e["target_id"] for e in audit.json() if e["actor_email"] == "editor@example.com"}
        self.assertTrue({str(s["id"]) for s in stored.values()} <= audited, audit.json())

        again = S.request("POST", DISCOVER, body, token=TOKENS["editor"])
        self.assertEqual(again.status, 200, again)
        a = again.json()
        self.assertEqual(a["created"], [])
        self.assertEqual(sorted((e["id"], e["name"], e["instance"]) for e in a["existing"]),
                         sorted((s["id"], s["name"], s["instance"]) for s in stored.values()))
        self.assertEqual(servers(S, TOKENS["editor"]), stored, "idempotent: nothing new")

    def test_access_and_validation(self):
        self.assertEqual(S.request("POST", DISCOVER, {"job": JOB}).status, 401)
        viewer = S.request("POST", DISCOVER, {"job": JOB, "dry_run": True}, token=TOKENS["viewer"])
        self.assertEqual(viewer.status, 403, viewer)
        self.assertEqual(viewer.json(), {"detail": "Not enough privileges"})
        for body, field in (({}, "job"), ({"job": ""}, "job"), ({"job": JOB, "dry_run": "yes"}, "dry_run"),
                            ({"job": JOB, "name_label": "node-name"}, "name_label"),
                            ({"job": JOB, "name_label": 'x"} or vector(1) #'}, "name_label"),
                            ({"job": JOB, "extra": 1}, "extra")):
            r = S.request("POST", DISCOVER, body, token=TOKENS["editor"])
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(["body", field], [e["loc"] for e in r.json()["detail"]], (body, r))
        bad_json = S.request("POST", DISCOVER, raw=b"{nope", headers={"Content-Type": "application/json"},
                             token=TOKENS["editor"])
        self.assertEqual(bad_json.status, 422, bad_json)
        unknown = S.request("POST", DISCOVER, {"job": "no-such-job"}, token=TOKENS["editor"])
        self.assertEqual(unknown.status, 422, unknown)
        self.assertEqual(unknown.json()["detail"][0]["loc"], ["body", "job"])
        self.assertEqual(unknown.json()["detail"][0]["msg"], 'Prometheus has no active target of job "no-such-job"')

    def test_prometheus_down_is_503(self):
        down = Sentinel({"PROMETHEUS_URL": CLOSED}).start()
        try:
            r = down.request("POST", DISCOVER, {"job": JOB}, token=down.admin_token)
            self.assertEqual(r.status, 503, r)
            self.assertTrue(r.json()["detail"].startswith("Prometheus unavailable: "), r)
        finally:
            down.stop()
            down.close()


class DiscoveryJobs(unittest.TestCase):
    def test_sync_registers_then_deactivates_a_vanished_target_and_brings_it_back(self):
        both = [node_exporter(), fixture_exporter()]
        prom = OwnPrometheus(both)
        sync = None
        try:
            nodename = prom.nodename()
            sync = Sentinel({"PROMETHEUS_URL": prom.url, "DISCOVERY_JOBS": "%s:nodename" % JOB,
                             "DISCOVERY_INTERVAL_SEC": "1"}).start()
            token = sync.admin_token
            stored = wait_for(lambda: (lambda s: s if len(s) == 2 else None)(servers(sync, token)), 30,
                              "the sync to register both targets")
            self.assertEqual(stored[node_exporter()]["name"], nodename)
            self.assertTrue(all(s["is_active"] for s in stored.values()))
            gone = stored[fixture_exporter()]

            prom.reload([node_exporter()])
            wait_for(lambda: not servers(sync, token)[fixture_exporter()]["is_active"], 30,
                     "the vanished target's server to be marked inactive")
            now = servers(sync, token)
            self.assertEqual(set(now), set(both), "never deleted")
            self.assertTrue(now[node_exporter()]["is_active"])
            audit = sync.request("GET", "/api/v1/audit/?target_type=server&target_id=%d" % gone["id"], token=token)
            self.assertEqual(audit.status, 200, audit)
            latest = audit.json()[0]
            self.assertEqual((latest["action"], latest["via"], latest["changes"]),
                             ("server.update", "discovery", {"is_active": [True, False]}), latest)

            prom.reload(both)
            wait_for(lambda: servers(sync, token)[fixture_exporter()]["is_active"], 30,
                     "the returned target's server to be active again")
            self.assertEqual(len(servers(sync, token)), 2)
            self.assertGreater(sync.self_metric("sentinel_discovery_runs_total", result="ok"), 0)
            self.assertEqual(sync.self_metric("sentinel_discovery_server_changes_total", change="created"), 2)
        finally:
            if sync:
                sync.stop()
                sync.close()
            prom.close()

    def test_prometheus_down_is_retried_without_crashing(self):
        sync = Sentinel({"PROMETHEUS_URL": CLOSED, "DISCOVERY_JOBS": JOB, "DISCOVERY_INTERVAL_SEC": "1",
                         "LOG_LEVEL": "info"}).start()
        try:
            wait_for(lambda: sync.self_metric("sentinel_discovery_runs_total", result="error") >= 3, 30,
                     "three failed rounds")
            self.assertEqual(sync.request("GET", "/api/v1/health/liveness").status, 200)
            self.assertEqual(sync.read_log().count("discovery of job %s:" % JOB), 1, "logged once per streak")
        finally:
            sync.stop()
            sync.close()


if __name__ == "__main__":
    unittest.main()
