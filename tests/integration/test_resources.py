"""Servers, alert rules, events and silences (product.md §3)."""
import os
import sqlite3
import unittest

from harness import Sentinel

S = None
T = None

SERVER_KEYS = {"id", "name", "job_name", "instance", "is_active", "description", "cadvisor_instance",
               "created_at", "updated_at"}
RULE_KEYS = {"id", "name", "server_id", "metric_name", "promql", "threshold", "comparison",
             "repeat_interval_sec", "is_active", "channel", "for_sec", "recovery_threshold", "no_data_state",
             "severity", "description", "eval_interval_sec", "state", "last_evaluated_at", "last_value",
             "last_error", "created_at", "updated_at",
             # product.md §9
             "channel_ids", "group_wait_sec", "group_interval_sec",
             # product.md §10
             "summary", "labels", "annotations", "rule_group", "keep_firing_for_sec"}
EVENT_KEYS = {"id", "rule_id", "server_id", "rule_name", "status", "severity", "value", "threshold",
              "comparison", "labels", "message", "started_at", "resolved_at", "last_notified_at",
              "notification_status", "acknowledged", "created_at"}


def setUpModule():
    global S, T
    S = Sentinel().start()
    T = S.admin_token


def tearDownModule():
    S.stop()
    S.close()


def server(name, **kw):
    body = {"name": name, "job_name": "node", "instance": "10.0.0.1:9100"}
    body.update(kw)
    r = S.request("POST", "/api/v1/servers/", body, token=T)
    assert r.status == 201, r
    return r.json()


def rule_body(**kw):
    body = {"name": "High CPU", "metric_name": "cpu_usage_percent",
            "promql": '100 - avg(rate(node_cpu_seconds_total{instance="$instance",mode="idle"}[5m])) * 100',
            "threshold": 90, "comparison": ">"}
    body.update(kw)
    return body


class Servers(unittest.TestCase):
    def test_crud(self):
        s = server("crud-1", description="front", cadvisor_instance="10.0.0.1:8080")
        self.assertEqual(set(s), SERVER_KEYS)
        self.assertTrue(s["is_active"])
        self.assertEqual(s["cadvisor_instance"], "10.0.0.1:8080")
        self.assertEqual(S.request("GET", "/api/v1/servers/%d" % s["id"], token=T).json(), s)
        p = S.request("PATCH", "/api/v1/servers/%d" % s["id"], {"description": None, "is_active": False}, token=T)
        self.assertEqual(p.status, 200, p)
        self.assertIsNone(p.json()["description"])
        self.assertFalse(p.json()["is_active"])
        self.assertEqual(p.json()["name"], "crud-1")
        self.assertEqual(S.request("DELETE", "/api/v1/servers/%d" % s["id"], token=T).status, 204)
        r = S.request("GET", "/api/v1/servers/%d" % s["id"], token=T)
        self.assertEqual((r.status, r.json()), (404, {"detail": "Server not found"}))
        self.assertEqual(S.request("DELETE", "/api/v1/servers/%d" % s["id"], token=T).status, 404)
        self.assertEqual(S.request("PATCH", "/api/v1/servers/999999", {"is_active": True}, token=T).status, 404)

    def test_duplicate_name_is_409(self):
        server("dup-1")
        r = S.request("POST", "/api/v1/servers/", {"name": "dup-1", "job_name": "node", "instance": "h:1"}, token=T)
        self.assertEqual(r.status, 409, r)
        self.assertIsInstance(r.json()["detail"], str)

    def test_filter_and_paging(self):
        ids = [server("page-%d" % i, is_active=(i % 2 == 0))["id"] for i in range(6)]
        inactive = S.request("GET", "/api/v1/servers/?is_active=false&limit=1000", token=T).json()
        self.assertTrue(all(not s["is_active"] for s in inactive))
        self.assertTrue(set(ids[1::2]) <= {s["id"] for s in inactive})
        everything = S.request("GET", "/api/v1/servers/?limit=1000", token=T).json()
        self.assertEqual([s["id"] for s in everything], sorted(s["id"] for s in everything))
        page = S.request("GET", "/api/v1/servers/?skip=1&limit=2", token=T).json()
        self.assertEqual([s["id"] for s in page], [s["id"] for s in everything[1:3]])
        for q in ("limit=1001", "limit=0", "skip=-1", "limit=abc", "is_active=maybe"):
            r = S.request("GET", "/api/v1/servers/?" + q, token=T)
            self.assertEqual(r.status, 422, (q, r))
            self.assertEqual(r.json()["detail"][0]["loc"][0], "query")

    def test_no_trailing_slash_works_too(self):
        self.assertEqual(S.request("GET", "/api/v1/servers", token=T).status, 200)

    def test_requires_auth(self):
        self.assertEqual(S.request("GET", "/api/v1/servers/").status, 401)
        self.assertEqual(S.request("POST", "/api/v1/servers/", {"name": "x"}).status, 401)

    def test_deleting_a_server_deletes_its_rules(self):
        s = server("with-rules")
        rule = S.request("POST", "/api/v1/alerts/rules/", rule_body(server_id=s["id"]), token=T).json()
        S.request("DELETE", "/api/v1/servers/%d" % s["id"], token=T)
        self.assertEqual(S.request("GET", "/api/v1/alerts/rules/%d" % rule["id"], token=T).status, 404)


class Rules(unittest.TestCase):
    def test_every_series_rules_and_templates(self):
        # product.md §10: no threshold and no comparison = fires for every series the query returns.
        body = rule_body(server_id=None, promql="up == 0")
        del body["threshold"], body["comparison"]
        body.update(summary="{{ $labels.instance }} is down", labels={"team": "ops"},
                    annotations={"runbook_url": "https://wiki/{{ $labels.job }}"}, keep_firing_for_sec=60)
        r = S.request("POST", "/api/v1/alerts/rules/", body, token=T)
        self.assertEqual(r.status, 201, r)
        rule = r.json()
        self.assertIsNone(rule["threshold"])
        self.assertIsNone(rule["comparison"])
        self.assertEqual(rule["labels"], {"team": "ops"})
        self.assertEqual(rule["keep_firing_for_sec"], 60)
        self.assertIsNone(rule["rule_group"])
        # A threshold alone compares with ">"; a comparison alone, or hysteresis without a condition, is a 422.
        p = S.request("PATCH", "/api/v1/alerts/rules/%d" % rule["id"], {"threshold": 5}, token=T)
        self.assertEqual((p.status, p.json()["comparison"], p.json()["threshold"]), (200, ">", 5))
        p = S.request("PATCH", "/api/v1/alerts/rules/%d" % rule["id"], {"comparison": None}, token=T)
        self.assertEqual((p.status, p.json()["comparison"], p.json()["threshold"]), (200, None, None))
        for bad, field in (({"comparison": "<"}, "threshold"), ({"recovery_threshold": 1}, "recovery_threshold"),
                           ({"summary": "{{ humanise $value }}"}, "summary"),
                           ({"labels": {"severity": "page"}}, "labels"),
                           ({"labels": {"bad-name": "x"}}, "labels")):
            b = dict(body, **bad)
            r = S.request("POST", "/api/v1/alerts/rules/", b, token=T)
            self.assertEqual(r.status, 422, (bad, r))
            self.assertIn(field, r.json()["detail"][0]["loc"], (bad, r.json()))
        r = S.request("POST", "/api/v1/alerts/rules/", dict(body, summary="{{ humanise $value }}"), token=T)
        self.assertIn("line 1, column", r.json()["detail"][0]["msg"])

    def test_create_with_defaults(self):
        s = server("rule-host")
        r = S.request("POST", "/api/v1/alerts/rules/", rule_body(server_id=s["id"]), token=T)
        self.assertEqual(r.status, 201, r)
        rule = r.json()
        self.assertEqual(set(rule), RULE_KEYS)
        self.assertEqual(rule["severity"], "warning")
        self.assertEqual(rule["for_sec"], 0)
        self.assertEqual(rule["repeat_interval_sec"], 300)
        self.assertEqual(rule["no_data_state"], "ok")
        self.assertEqual(rule["state"], "inactive")
        self.assertIsNone(rule["eval_interval_sec"])
        self.assertEqual(rule["threshold"], 90)
        self.assertIn('"$instance"', rule["promql"])

    def test_every_field_round_trips_and_patch(self):
        body = rule_body(server_id=None, promql="up == 0", threshold=0.5, comparison="<", repeat_interval_sec=0,
                         channel="webhook", for_sec=120, recovery_threshold=0.75, no_data_state="alerting",
                         severity="critical", description="host down", eval_interval_sec=30, is_active=False)
        r = S.request("POST", "/api/v1/alerts/rules/", body, token=T)
        self.assertEqual(r.status, 201, r)
        rule = r.json()
        for k, v in body.items():
            self.assertEqual(rule[k], v, k)
        p = S.request("PATCH", "/api/v1/alerts/rules/%d" % rule["id"], {"threshold": 0.25, "recovery_threshold": None},
                      token=T)
        self.assertEqual(p.status, 200, p)
        self.assertEqual(p.json()["threshold"], 0.25)
        self.assertIsNone(p.json()["recovery_threshold"])
        self.assertEqual(p.json()["severity"], "critical")
        listed = S.request("GET", "/api/v1/alerts/rules/?is_active=false", token=T).json()
        self.assertIn(rule["id"], [x["id"] for x in listed])
        self.assertEqual(S.request("DELETE", "/api/v1/alerts/rules/%d" % rule["id"], token=T).status, 204)
        r = S.request("GET", "/api/v1/alerts/rules/%d" % rule["id"], token=T)
        self.assertEqual((r.status, r.json()), (404, {"detail": "Alert rule not found"}))

    def test_filter_by_server(self):
        a, b = server("filter-a"), server("filter-b")
        ra = S.request("POST", "/api/v1/alerts/rules/", rule_body(server_id=a["id"]), token=T).json()
        S.request("POST", "/api/v1/alerts/rules/", rule_body(server_id=b["id"]), token=T)
        got = S.request("GET", "/api/v1/alerts/rules/?server_id=%d" % a["id"], token=T).json()
        self.assertEqual([x["id"] for x in got], [ra["id"]])

    def test_every_bad_field_is_listed(self):
        r = S.request("POST", "/api/v1/alerts/rules/",
                      {"name": "", "metric_name": "m", "promql": "   ", "threshold": "high", "comparison": "=>",
                       "severity": "fatal", "for_sec": -1}, token=T)
        self.assertEqual(r.status, 422, r)
        locs = [tuple(e["loc"]) for e in r.json()["detail"]]
        for field in ("name", "promql", "threshold", "comparison", "severity", "for_sec"):
            self.assertIn(("body", field), locs)
        for e in r.json()["detail"]:
            self.assertEqual(set(e), {"loc", "msg", "type"})

    def test_reference_and_cross_field_checks(self):
        cases = [
            (rule_body(server_id=987654), "server_id"),
            (rule_body(server_id=None), "promql"),  # $instance in a fleet rule
            (rule_body(server_id=None, promql="up", recovery_threshold=95), "recovery_threshold"),
            (rule_body(server_id=None, promql="up", comparison="==", recovery_threshold=1), "recovery_threshold"),
            (rule_body(server_id=None, promql="up", channel="email"), "channel"),
            (rule_body(server_id=None, promql="up", no_data_state="panic"), "no_data_state"),
        ]
        for body, field in cases:
            r = S.request("POST", "/api/v1/alerts/rules/", body, token=T)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(["body", field], [e["loc"] for e in r.json()["detail"]], r)

    def test_patch_is_validated_against_the_merged_rule(self):
        rule = S.request("POST", "/api/v1/alerts/rules/",
                         rule_body(server_id=None, promql="up", threshold=90, recovery_threshold=80), token=T).json()
        r = S.request("PATCH", "/api/v1/alerts/rules/%d" % rule["id"], {"threshold": 70}, token=T)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(S.request("PATCH", "/api/v1/alerts/rules/999999", {"threshold": 1}, token=T).status, 404)


class EventsAndSilences(unittest.TestCase):
    def insert_event(self, **kw):
        if S.db.kind != "sqlite":
            self.skipTest("events are inserted straight into SQLite (no API creates them before the alert engine)")
        row = {"rule_id": 1, "server_id": 2, "rule_name": "High <CPU>", "status": "firing", "severity": "critical",
               "value": 97.5, "threshold": 90.0, "comparison": ">", "labels": '{"instance": "10.0.0.1:9100"}',
               "fingerprint": "abc", "message": "cpu high", "started_at": 1800000000, "notification_status": "sent",
               "created_at": 1800000000}
        row.update(kw)
        con = sqlite3.connect(S.db.path)
        cur = con.execute("INSERT INTO alert_events (%s) VALUES (%s)" % (", ".join(row), ", ".join("?" * len(row))),
                          list(row.values()))
        con.commit()
        con.close()
        return cur.lastrowid

    def test_unknown_event_is_404(self):
        self.assertEqual(S.request("GET", "/api/v1/alerts/events/999999", token=T).status, 404)
        r = S.request("POST", "/api/v1/alerts/events/999999/ack", token=T)
        self.assertEqual((r.status, r.json()), (404, {"detail": "Alert event not found"}))
        self.assertEqual(S.request("GET", "/api/v1/alerts/events/abc", token=T).status, 422)

    def test_list_get_filter_ack(self):
        first = self.insert_event(started_at=1800000000)
        second = self.insert_event(started_at=1800000100, status="resolved", resolved_at=1800000200, rule_id=5)
        events = S.request("GET", "/api/v1/alerts/events/", token=T).json()
        ids = [e["id"] for e in events]
        self.assertLess(ids.index(second), ids.index(first))  # newest first
        self.assertEqual(set(events[0]), EVENT_KEYS)
        e = S.request("GET", "/api/v1/alerts/events/%d" % first, token=T).json()
        self.assertEqual(set(e), EVENT_KEYS | {"notifications"})  # one event also says where it was sent
        self.assertEqual(e["notifications"], [])  # written by hand: no outbox row
        self.assertEqual(e["labels"], {"instance": "10.0.0.1:9100"})
        self.assertEqual(e["started_at"], "2027-01-15T08:00:00Z")
        self.assertEqual(e["rule_name"], "High <CPU>")
        resolved = S.request("GET", "/api/v1/alerts/events/?status=resolved&rule_id=5", token=T).json()
        self.assertEqual([x["id"] for x in resolved], [second])
        since = S.request("GET", "/api/v1/alerts/events/?since=2027-01-15T08:01:00Z", token=T).json()
        self.assertIn(second, [x["id"] for x in since])
        self.assertNotIn(first, [x["id"] for x in since])
        self.assertEqual(S.request("GET", "/api/v1/alerts/events/?status=open", token=T).status, 422)
        acked = S.request("POST", "/api/v1/alerts/events/%d/ack" % first, token=T)
        self.assertEqual(acked.status, 200, acked)
        self.assertTrue(acked.json()["acknowledged"])

    def test_silences(self):
        r = S.request("POST", "/api/v1/alerts/silences/", {"ends_at": "2099-01-01T00:00:00Z", "comment": "maintenance"},
                      token=T)
        self.assertEqual(r.status, 201, r)
        sil = r.json()
        self.assertEqual(set(sil), {"id", "server_id", "rule_id", "starts_at", "ends_at", "comment", "created_by",
                                    "created_at"})
        self.assertEqual(sil["ends_at"], "2099-01-01T00:00:00Z")
        self.assertIn(sil["id"], [x["id"] for x in S.request("GET", "/api/v1/alerts/silences/", token=T).json()])
        bad = S.request("POST", "/api/v1/alerts/silences/",
                        {"starts_at": "2099-01-02T00:00:00Z", "ends_at": "2099-01-01T00:00:00Z"}, token=T)
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(S.request("POST", "/api/v1/alerts/silences/", {"ends_at": "tomorrow"}, token=T).status, 422)
        self.assertEqual(S.request("POST", "/api/v1/alerts/silences/", {"ends_at": "2099-01-01T00:00:00Z",
                                                                        "server_id": 987654}, token=T).status, 422)
        self.assertEqual(S.request("DELETE", "/api/v1/alerts/silences/%d" % sil["id"], token=T).status, 204)
        self.assertEqual(S.request("DELETE", "/api/v1/alerts/silences/%d" % sil["id"], token=T).status, 404)


if __name__ == "__main__":
    unittest.main()
