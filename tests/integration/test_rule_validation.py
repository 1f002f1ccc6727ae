"""Alert rules checked by Prometheus (product.md §3 "Alert rules"; README "Alert rules are
checked by Prometheus"): POST/PATCH send the rule's PromQL, rendered for its server, to the
shared test Prometheus; bad PromQL and queries of the wrong result type are a 422 carrying
Prometheus's message; an unreachable Prometheus saves the rule with a warning; and
POST /api/v1/alerts/rules/{id}/test evaluates a rule now against FixtureHost data.

CRUD and the checks made without Prometheus (fields, $instance in a fleet rule, hysteresis)
are in test_resources.py.
"""
import calendar
import re
import time
import unittest
import urllib.parse

import harness
from fixtures import FixtureHost, prometheus_query

S = None          # reads the shared test Prometheus
T = None
DOWN = None       # PROMETHEUS_URL=http://127.0.0.1:1: nothing listens there
DOWN_T = None
HOSTS = {}        # role -> FixtureHost
SERVERS = {}      # role -> registered server (JSON), on S
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
RULES = "/api/v1/alerts/rules/"


def setUpModule():
    global S, T, DOWN, DOWN_T
    if not harness.test_env("PROMETHEUS_URL") or not harness.test_env("FIXTURE_EXPORTER"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus and the fixture exporter): run through ctest")
    unittest.addModuleCleanup(cleanup)  # runs even when setUpModule fails half-way
    # Scraped while the Sentinels start.
    HOSTS["calm"] = FixtureHost(load1=0.5)
    HOSTS["busy"] = FixtureHost(load1=3.0)
    HOSTS["stray"] = FixtureHost(load1=2.0)  # never registered
    S = harness.Sentinel()  # the shared test Prometheus, by default
    S.start()
    T = S.admin_token
    DOWN = harness.Sentinel({"PROMETHEUS_URL": "http://127.0.0.1:1"})
    DOWN.start()
    DOWN_T = DOWN.admin_token
    for role in ("calm", "busy"):
        SERVERS[role] = server(role, HOSTS[role].job, HOSTS[role].instance)
    SERVERS["web"] = server("web", "node", "10.0.0.5:9100")
    for h in HOSTS.values():
        h.wait_until_scraped()


def cleanup():
    for h in HOSTS.values():
        h.remove()
    for s in (S, DOWN):
        if s:
            try:
                s.stop()  # exit 0 on SIGTERM, or an error
            finally:
                s.close()


def server(name, job_name, instance, sentinel=None):
    s = sentinel or S
    r = s.request("POST", "/api/v1/servers/", {"name": name, "job_name": job_name, "instance": instance},
                  token=s.admin_token)
    assert r.status == 201, r
    return r.json()


def rule_body(promql, server_id=None, **kw):
    body = {"name": "rule", "server_id": server_id, "metric_name": "load1", "promql": promql, "threshold": 1,
            "comparison": ">"}
    body.update(kw)
    return body


def post_rule(promql, server_id=None, sentinel=None, **kw):
    s = sentinel or S
    return s.request("POST", RULES, rule_body(promql, server_id, **kw), token=s.admin_token)


def create_rule(promql, server_id=None, **kw):
    r = post_rule(promql, server_id, **kw)
    assert r.status == 201, r
    return r.json()


def get_rule(rule_id, sentinel=None):
    s = sentinel or S
    r = s.request("GET", RULES + "%d" % rule_id, token=s.admin_token)
    assert r.status == 200, r
    return r.json()


def run_test(rule_id, token=None):
    return S.request("POST", RULES + "%d/test" % rule_id, token=T if token is None else token)


def rule_names():
    return [x["name"] for x in S.request("GET", RULES + "?limit=1000", token=T).json()]


class Validation(unittest.TestCase):
    def assert_single_promql_error(self, r, error_type):
        self.assertEqual(r.status, 422, r)
        detail = r.json()["detail"]
        self.assertEqual(len(detail), 1, detail)
        self.assertEqual(detail[0]["loc"], ["body", "promql"])
        self.assertEqual(detail[0]["type"], error_type)
        self.assertIsNone(r.header("Warning"))
        return detail[0]["msg"]

    def test_bad_promql_is_422_with_prometheus_message(self):
        for i, expr in enumerate(("sum(", "node_load1{", "rate(node_load1)", "node_load1 +", "up{job=~\"(\"}")):
            with self.subTest(expr=expr):
                direct = prometheus_query(expr)
                self.assertEqual(direct["errorType"], "bad_data", direct)
                name = "bad-%d" % i
                msg = self.assert_single_promql_error(post_rule(expr, name=name), "promql_bad_data")
                self.assertIn(direct["error"], msg)
                self.assertNotIn(name, rule_names())  # nothing stored

    def test_bad_promql_of_a_server_rule_is_checked_as_rendered(self):
        calm = SERVERS["calm"]
        expr = 'sum(node_load1{instance="$instance"}'
        rendered = 'sum(node_load1{instance="%s"}' % calm["instance"]
        direct = prometheus_query(rendered)
        msg = self.assert_single_promql_error(post_rule(expr, calm["id"]), "promql_bad_data")
        self.assertIn(direct["error"], msg)

    def test_valid_rules_are_201_without_warnings(self):
        cases = [
            ("node_load1 > 0", None),                              # fleet, instant vector
            ('node_load1{instance="$instance"}', SERVERS["calm"]["id"]),
            ("scalar(sum(node_load1))", None),                     # a scalar is fine too
            ('node_load1{instance="nowhere:1"}', None),            # no data right now is not an error
        ]
        for expr, server_id in cases:
            with self.subTest(expr=expr):
                r = post_rule(expr, server_id)
                self.assertEqual(r.status, 201, r)
                self.assertNotIn("warnings", r.json())
                self.assertIsNone(r.header("Warning"))
                self.assertEqual(r.json()["promql"], expr)  # stored as written, not rendered

    def test_wrong_result_type_is_422(self):
        for expr, what in (("node_load1[5m]", "range vector"), ("vector(1)[5m:1m]", "range vector"),
                           ('"hello"', "string")):
            with self.subTest(expr=expr):
                msg = self.assert_single_promql_error(post_rule(expr), "promql_result_type")
                self.assertIn(what, msg)
                self.assertIn("instant vector or a scalar", msg)
                if what == "string":  # the hint about range selectors is for range vectors only
                    self.assertNotIn("range selector", msg)

    def test_execution_error_is_saved_with_a_warning(self):
        # Valid PromQL that fails on today's data (duplicate label sets): not the rule's fault for
        # ever, so it is saved, but the answer says it was not validated.
        expr = 'label_replace(vector(1) or label_replace(vector(2), "a", "b", "", ""), "a", "", "", "")'
        self.assertEqual(prometheus_query(expr)["errorType"], "execution")
        r = post_rule(expr)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(r.json()["warnings"]), 1, r)
        self.assertTrue(r.json()["warnings"][0].startswith("PromQL not validated: Prometheus could not execute it: "), r)
        self.assertIn("same labelset", r.json()["warnings"][0])
        self.assertTrue(r.header("Warning").startswith('299 - "PromQL not validated'), r.headers)


    def test_fleet_rule_cannot_use_braced_variables(self):
        # ${instance} is a variable as much as $instance: a fleet rule has no server to fill it
        # in, and sent as it is (a valid literal inside quotes) it would match nothing, for ever.
        for expr in ('up{instance="${instance}"}', 'up{job="${job}"}', "up{job=${job}}"):
            with self.subTest(expr=expr):
                r = post_rule(expr, name="braced")
                self.assertEqual(r.status, 422, r)
                self.assertEqual([e["loc"] for e in r.json()["detail"]], [["body", "promql"]])
                self.assertIn("fleet rule", r.json()["detail"][0]["msg"])
        self.assertNotIn("braced", rule_names())
        # For a server rule they are replaced like $instance.
        r = post_rule('up{instance="${instance}"} or vector(0)', SERVERS["web"]["id"])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(run_test(r.json()["id"]).json()["query"], 'up{instance="10.0.0.5:9100"} or vector(0)')
        # Patching a server rule into a fleet rule is checked the same way.
        r = S.request("PATCH", RULES + "%d" % r.json()["id"], {"server_id": None}, token=T)
        self.assertEqual(r.status, 422, r)


class Patch(unittest.TestCase):
    def test_bad_promql_is_422_and_the_rule_is_unchanged(self):
        rule = create_rule("node_load1 > 0", name="patch-me")
        for expr, error_type in (("sum(", "promql_bad_data"), ("node_load1[1m]", "promql_result_type")):
            with self.subTest(expr=expr):
                r = S.request("PATCH", RULES + "%d" % rule["id"], {"promql": expr, "threshold": 5}, token=T)
                self.assertEqual(r.status, 422, r)
                self.assertEqual([e["loc"] for e in r.json()["detail"]], [["body", "promql"]])
                self.assertEqual(r.json()["detail"][0]["type"], error_type)
                self.assertEqual(get_rule(rule["id"]), rule)  # nothing changed, the threshold neither

    def test_other_fields_and_a_valid_query_still_patch(self):
        rule = create_rule("node_load1 > 0", name="patch-ok")
        r = S.request("PATCH", RULES + "%d" % rule["id"], {"threshold": 2.5, "name": "patched"}, token=T)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["threshold"], r.json()["name"], r.json()["promql"]), (2.5, "patched", "node_load1 > 0"))
        self.assertNotIn("warnings", r.json())
        r = S.request("PATCH", RULES + "%d" % rule["id"], {"promql": "max(node_load1)"}, token=T)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["promql"], "max(node_load1)")
        self.assertNotIn("warnings", r.json())
        self.assertIsNone(r.header("Warning"))
        self.assertEqual(get_rule(rule["id"])["promql"], "max(node_load1)")

    def test_moving_a_rule_to_a_server_renders_it_for_that_server(self):
        rule = create_rule("node_load1", name="move-me")
        # A query valid only once $instance is replaced (a bare $instance is not PromQL).
        r = S.request("PATCH", RULES + "%d" % rule["id"],
                      {"server_id": SERVERS["calm"]["id"], "promql": 'label_replace(vector(1), "h", $instance, "", "")'},
                      token=T)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("warnings", r.json())
        # Back to a fleet rule with $instance still in it: refused before Prometheus is asked.
        r = S.request("PATCH", RULES + "%d" % rule["id"], {"server_id": None}, token=T)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(get_rule(rule["id"])["server_id"], SERVERS["calm"]["id"])


class RuleTest(unittest.TestCase):
    """POST /api/v1/alerts/rules/{id}/test: every series, its value and whether it would fire."""

    def evaluate(self, rule):
        before = time.time()
        r = run_test(rule["id"])
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(set(body), {"rule_id", "query", "evaluated_at", "threshold", "comparison", "would_fire",
                                     "series"})
        self.assertEqual((body["rule_id"], body["threshold"], body["comparison"]),
                         (rule["id"], rule["threshold"], rule["comparison"]))
        self.assertRegex(body["evaluated_at"], ISO_UTC)
        ts = calendar.timegm(time.strptime(body["evaluated_at"], "%Y-%m-%dT%H:%M:%SZ"))
        self.assertLessEqual(abs(ts - before), 3)
        for s in body["series"]:
            self.assertEqual(set(s), {"labels", "value", "would_fire", "server_id"})
        self.assertEqual(body["would_fire"], any(s["would_fire"] for s in body["series"]))
        return body

    def test_fleet_rule_firing_and_not_firing_series(self):
        sel = "|".join(HOSTS[k].instance for k in ("calm", "busy", "stray"))
        rule = create_rule('node_load1{job="fixture",instance=~"%s"}' % sel, threshold=1, comparison=">")
        body = self.evaluate(rule)
        self.assertEqual(body["query"], rule["promql"])
        by_instance = {s["labels"]["instance"]: s for s in body["series"]}
        self.assertEqual(set(by_instance), {HOSTS[k].instance for k in ("calm", "busy", "stray")}, body)
        calm, busy, stray = (by_instance[HOSTS[k].instance] for k in ("calm", "busy", "stray"))
        self.assertEqual(busy["labels"], {"__name__": "node_load1", "instance": HOSTS["busy"].instance, "job": "fixture"})
        self.assertEqual((busy["value"], busy["would_fire"], busy["server_id"]), (3.0, True, SERVERS["busy"]["id"]))
        self.assertEqual((calm["value"], calm["would_fire"], calm["server_id"]), (0.5, False, SERVERS["calm"]["id"]))
        # A series of an unregistered instance still counts, without a server.
        self.assertEqual((stray["value"], stray["would_fire"], stray["server_id"]), (2.0, True, None))
        self.assertTrue(body["would_fire"])

    def test_comparisons(self):
        calm = SERVERS["calm"]
        for comparison, threshold, fires in ((">", 1, False), ("<", 1, True), (">=", 0.5, True), ("<=", 0.25, False),
                                             ("==", 0.5, True), ("!=", 0.5, False)):
            with self.subTest(comparison=comparison, threshold=threshold):
                rule = create_rule('node_load1{instance="$instance"}', calm["id"], threshold=threshold,
                                   comparison=comparison)
                body = self.evaluate(rule)
                self.assertEqual(body["query"], 'node_load1{instance="%s"}' % calm["instance"])
                self.assertEqual([(s["value"], s["would_fire"], s["server_id"]) for s in body["series"]],
                                 [(0.5, fires, calm["id"])])
                self.assertEqual(body["would_fire"], fires)

    def test_scalar_and_empty_results(self):
        body = self.evaluate(create_rule("scalar(vector(42))", threshold=40, comparison=">"))
        self.assertEqual(body["series"], [{"labels": {}, "value": 42.0, "would_fire": True, "server_id": None}])
        body = self.evaluate(create_rule('node_load1{instance="nowhere:1"}'))
        self.assertEqual((body["series"], body["would_fire"]), ([], False))

    def test_records_nothing(self):
        rule = create_rule('node_load1{instance="$instance"}', SERVERS["busy"]["id"])
        self.assertTrue(self.evaluate(rule)["would_fire"])
        after = get_rule(rule["id"])
        self.assertEqual((after["state"], after["last_evaluated_at"], after["last_value"], after["last_error"]),
                         ("inactive", None, None, None))
        events = S.request("GET", "/api/v1/alerts/events/?rule_id=%d" % rule["id"], token=T)
        self.assertEqual((events.status, events.json()), (200, []))

    def test_unknown_rule_and_auth(self):
        r = run_test(999999)
        self.assertEqual((r.status, r.json()), (404, {"detail": "Alert rule not found"}))
        r = S.request("POST", RULES + "abc/test", token=T)
        self.assertEqual(r.status, 422, r)
        rule = create_rule("node_load1 > 0")
        for token in ("", "not-a-jwt"):
            with self.subTest(token=token):
                r = S.request("POST", RULES + "%d/test" % rule["id"], token=token or None)
                self.assertEqual((r.status, r.json()), (401, {"detail": "Could not validate credentials"}))
                self.assertEqual(r.header("WWW-Authenticate"), "Bearer")


class Templating(unittest.TestCase):
    """$instance/$job are replaced, safely quoted, before the query is validated."""

    def test_bare_variable_becomes_a_quoted_literal(self):
        web = SERVERS["web"]
        # Not PromQL as written: only the rendered query can pass Prometheus's parser.
        expr = 'label_replace(vector(1), "host", $instance, "", "")'
        self.assertEqual(prometheus_query(expr)["errorType"], "bad_data")
        r = post_rule(expr, web["id"])
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("warnings", r.json())
        body = run_test(r.json()["id"]).json()
        self.assertEqual(body["query"], 'label_replace(vector(1), "host", "10.0.0.5:9100", "", "")')
        self.assertEqual(body["series"], [{"labels": {"host": "10.0.0.5:9100"}, "value": 1.0, "would_fire": False,
                                           "server_id": web["id"]}])

    def test_regex_match_is_quoted_for_the_regex(self):
        web = SERVERS["web"]
        rule = create_rule('count(up{instance=~"$instance", job="$job"}) or vector(0)', web["id"])
        body = run_test(rule["id"]).json()
        self.assertEqual(body["query"], r'count(up{instance=~"10\\.0\\.0\\.5:9100", job="node"}) or vector(0)')

    def test_job_with_quotes_cannot_break_out(self):
        s = server("odd-job", 'no"de\\', "10.0.0.6:9100")
        r = post_rule('up{job="$job"} == 1 or vector(0)', s["id"])
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("warnings", r.json())
        body = run_test(r.json()["id"]).json()
        self.assertEqual(body["query"], r'up{job="no\"de\\"} == 1 or vector(0)')
        self.assertEqual([x["value"] for x in body["series"]], [0.0])


class Unreachable(unittest.TestCase):
    """PROMETHEUS_URL points at a closed port: rules are saved, unvalidated, with a warning."""

    def assert_not_validated(self, r, status):
        self.assertEqual(r.status, status, r)
        warnings = r.json()["warnings"]
        self.assertEqual(len(warnings), 1, warnings)
        self.assertTrue(warnings[0].startswith("PromQL not validated: Prometheus unavailable: "), warnings)
        quoted = warnings[0].replace("\\", "\\\\").replace('"', '\\"')
        self.assertEqual(r.header("Warning"), '299 - "%s"' % quoted)  # RFC 7234 warn-code 299, no agent
        return r.json()

    def test_create_is_saved_with_a_warning(self):
        s = server("down-host", "node", "10.0.0.7:9100", sentinel=DOWN)
        rule = self.assert_not_validated(post_rule('node_load1{instance="$instance"}', s["id"], sentinel=DOWN), 201)
        stored = get_rule(rule["id"], sentinel=DOWN)
        self.assertNotIn("warnings", stored)  # a property of that answer, not of the rule
        del rule["warnings"]
        self.assertEqual(stored, rule)
        # Even a query Prometheus would refuse: nobody can tell now.
        self.assert_not_validated(post_rule("sum(", sentinel=DOWN), 201)
        # Checks that need no Prometheus still apply.
        r = post_rule("$instance", sentinel=DOWN)
        self.assertEqual(r.status, 422, r)

    def test_patch(self):
        rule = self.assert_not_validated(post_rule("up", sentinel=DOWN), 201)
        path = RULES + "%d" % rule["id"]
        self.assert_not_validated(DOWN.request("PATCH", path, {"promql": "up == 0"}, token=DOWN_T), 200)
        # No new query: nothing to validate, no warning.
        r = DOWN.request("PATCH", path, {"threshold": 7}, token=DOWN_T)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("warnings", r.json())
        self.assertIsNone(r.header("Warning"))
        self.assertEqual((r.json()["promql"], r.json()["threshold"]), ("up == 0", 7))

    def test_rule_test_is_503(self):
        rule = self.assert_not_validated(post_rule("up", sentinel=DOWN), 201)
        r = DOWN.request("POST", RULES + "%d/test" % rule["id"], token=DOWN_T)
        self.assertEqual(r.status, 503, r)
        self.assertTrue(r.json()["detail"].startswith("Prometheus unavailable: "), r)
        q = DOWN.request("GET", "/api/v1/metrics/query?" + urllib.parse.urlencode({"query": "up"}), token=DOWN_T)
        self.assertEqual(q.status, 503, q)


if __name__ == "__main__":
    unittest.main()
