"""Prometheus rule files in and out (product.md §10; README "Prometheus rule files").

- Same outcome as Prometheus: a rule file written the way people write them (a `>` threshold,
  a reversed `1 < x`, a `bool` comparison, an `and on(...)` expression, `absent()`, a recording
  rule, templates) is loaded by a Prometheus of this module's own (Debian's binary: its
  `rule_files`, evaluation every second, scraping this module's fixture hosts), and imported into a
  Sentinel that queries that same Prometheus. The series firing in Prometheus (ALERTS) and the
  events firing in Sentinel are the same, rule by rule.
- The import report: split conditions, rules left whole (every series fires), the recording rule
  skipped; importing again changes nothing; a dry run writes nothing; templates rendered into the
  event's message; severity and labels mapped.
- Export: `promtool check rules` accepts it; export → import into an empty Sentinel → export is
  byte-identical; the helper-written fixture files (tests/fixtures/rule_files) import too.
- Bad input: malformed YAML (422 with the line), unknown fields and template errors (422 naming the
  rule), PromQL Prometheus rejects (422, nothing written; `partial=true` takes the rest), a file
  over 1 MiB (413), a form-encoded body (415), a viewer (403 to import, 200 to export),
  Prometheus down (503, nothing written).
- `sentinel rules import FILE --dry-run` prints the report and writes nothing.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

import harness
from fixtures import FixtureHost, ModulePrometheus, wait_for

JOB = "rulefiles"
IMPORT = "/api/v1/alerts/rules/import"
EXPORT = "/api/v1/alerts/rules/export"
YAML = {"Content-Type": "application/yaml"}
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "rule_files")

# Each rule names what Prometheus fires for it with the hosts below (hot: load 3, cold: load 0.2).
RULE_FILE = """# Host rules in the usual style.
groups:
  - name: host
    interval: 1s
    rules:
      - alert: HighLoad
        expr: node_load1{job="rulefiles"} > 1
        for: 0s
        labels:
          severity: page
          team: ops
        annotations:
          summary: "{{ $labels.instance }} load is {{ $value | humanize }}"
          description: "VALUE = {{ $value }}\\n LABELS = {{ $labels }}"
          runbook_url: https://runbooks.example/{{ $labels.job }}
      - alert: LoadReversed
        expr: 1 < node_load1{job="rulefiles"}
      - alert: LoadBool
        expr: node_load1{job="rulefiles"} < bool 1
        labels:
          severity: info
      - alert: HotAndUp
        expr: node_load1{job="rulefiles"} > 1 and on(instance) up{job="rulefiles"} == 1
        for: 1s
      - alert: ExporterAbsent
        expr: absent(node_load1{job="rulefiles", instance="nowhere:9100"})
        labels:
          severity: warning
      - alert: NeverFires
        expr: node_load1{job="rulefiles"} > 1000
  - name: recorded
    interval: 1s
    rules:
      - record: job:node_load1:max
        expr: max by (job) (node_load1{job="rulefiles"})
"""

S = None          # queries OWN (this module's Prometheus)
T = None
OWN = None
HOSTS = {}


def log(msg):
    sys.stderr.write("[rule_files] %s\n" % msg)
    sys.stderr.flush()


class OwnPrometheus(ModulePrometheus):
    """A Prometheus of this module only, evaluating the given rule files itself (rule_files), scraping
    the fixture hosts the shared test Prometheus scrapes (the same file_sd directory) and the real
    node_exporter."""

    def __init__(self, rule_file_texts):
        self.rule_dir = tempfile.mkdtemp(prefix="sentinel-rules-")
        rule_files = []
        for i, text in enumerate(rule_file_texts):
            rule_files.append(os.path.join(self.rule_dir, "rules-%d.yml" % i))
            with open(rule_files[-1], "w") as f:
                f.write(text)
        super().__init__("sentinel-rules-prom-", """global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: %s
scrape_configs:
  - job_name: fixture
    file_sd_configs:
      - files: ['%s/*.json']
        refresh_interval: 1s
  - job_name: node
    static_configs:
      - targets: ['%s']
""" % (json.dumps(rule_files), harness.test_env("FIXTURE_TARGETS_DIR"), harness.test_env("NODE_EXPORTER")))

    def remove(self):
        self.close()
        shutil.rmtree(self.rule_dir, ignore_errors=True)


def setUpModule():
    global S, T, OWN
    if not harness.test_env("PROMETHEUS_URL") or not harness.test_env("FIXTURE_TARGETS_DIR"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus and the fixture exporter): run through ctest")
    unittest.addModuleCleanup(cleanup)
    OWN = OwnPrometheus([RULE_FILE])
    # Fixed names: the rule file's expected outcome names them.
    HOSTS["hot"] = FixtureHost("rf-hot", job=JOB, prometheus=OWN.url, load1=3.0)
    HOSTS["cold"] = FixtureHost("rf-cold", job=JOB, prometheus=OWN.url, load1=0.2)
    S = harness.Sentinel({"PROMETHEUS_URL": OWN.url, "ALERT_CHECK_INTERVAL_SEC": "1"})
    S.start()
    T = S.admin_token
    for h in HOSTS.values():
        h.wait_until_scraped()


def cleanup():
    for h in HOSTS.values():
        h.remove()
    if S:
        try:
            S.stop()
        finally:
            S.close()
    if OWN:
        OWN.remove()


def import_file(text, token=None, query="", sentinel=None, headers=YAML):
    return (sentinel or S).request("POST", IMPORT + query, raw=text, token=token or T, headers=headers)


def rules_by_name(sentinel=None, token=None):
    r = (sentinel or S).request("GET", "/api/v1/alerts/rules/?limit=1000", token=token or T)
    assert r.status == 200, r
    return {x["name"]: x for x in r.json()}


def promtool_check(text):
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(text)
    try:
        return subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)


class T1_Import(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = import_file(RULE_FILE)
        assert r.status == 200, r
        cls.report = r.json()

    def test_report_names_every_rule_with_what_was_done(self):
        by_name = {e["name"]: e for e in self.report["rules"]}
        self.assertEqual(self.report["counts"],
                         {"created": 6, "updated": 0, "unchanged": 0, "skipped": 1, "failed": 0})
        self.assertTrue(self.report["written"])
        self.assertEqual(by_name["job:node_load1:max"]["action"], "skipped")
        self.assertIn("recording rule", by_name["job:node_load1:max"]["reason"])
        high = by_name["HighLoad"]
        self.assertEqual((high["action"], high["promql"], high["comparison"], high["threshold"]),
                         ("created", 'node_load1{job="rulefiles"}', ">", 1))
        self.assertEqual(high["line"], 6)
        self.assertTrue(any("page" in n for n in high["notes"]), high["notes"])
        rev = by_name["LoadReversed"]
        self.assertEqual((rev["promql"], rev["comparison"], rev["threshold"]), ('node_load1{job="rulefiles"}', ">", 1))
        # bool, and/on and absent() are left whole: they fire for every series they return.
        for name in ("LoadBool", "HotAndUp", "ExporterAbsent"):
            self.assertIsNone(by_name[name]["comparison"], name)
            self.assertIsNone(by_name[name]["threshold"], name)

    def test_rules_are_stored_with_the_files_fields(self):
        rules = rules_by_name()
        high = rules["HighLoad"]
        self.assertEqual(high["severity"], "critical")
        self.assertEqual(high["labels"], {"team": "ops"})
        self.assertEqual(high["annotations"], {"runbook_url": "https://runbooks.example/{{ $labels.job }}"})
        self.assertEqual(high["summary"], "{{ $labels.instance }} load is {{ $value | humanize }}")
        self.assertEqual(high["rule_group"], "host")
        self.assertEqual(high["eval_interval_sec"], 1)
        self.assertIsNone(high["server_id"])
        self.assertEqual(rules["HotAndUp"]["for_sec"], 1)
        self.assertEqual(rules["LoadBool"]["severity"], "info")

    def test_importing_again_changes_nothing(self):
        before = rules_by_name()
        r = import_file(RULE_FILE)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["counts"], {"created": 0, "updated": 0, "unchanged": 6, "skipped": 1, "failed": 0})
        after = rules_by_name()
        self.assertEqual({k: v["updated_at"] for k, v in before.items()}, {k: v["updated_at"] for k, v in after.items()})

    def test_a_dry_run_writes_nothing(self):
        changed = RULE_FILE.replace("> 1000", "> 2000").replace("alert: ExporterAbsent", "alert: ExporterGone")
        r = import_file(changed, query="?dry_run=true")
        self.assertEqual(r.status, 200, r)
        report = r.json()
        self.assertFalse(report["written"])
        by_name = {e["name"]: e for e in report["rules"]}
        self.assertEqual(by_name["NeverFires"]["action"], "updated")
        self.assertEqual(by_name["ExporterGone"]["action"], "created")
        self.assertIsNone(by_name["ExporterGone"]["rule_id"])
        rules = rules_by_name()
        self.assertNotIn("ExporterGone", rules)
        self.assertEqual(rules["NeverFires"]["threshold"], 1000)

    def test_sentinel_fires_the_same_series_as_prometheus(self):
        # Prometheus's own evaluation of the file: its ALERTS series, firing.
        def prometheus_firing():
            return {(a["metric"]["alertname"], a["metric"].get("instance", ""))
                    for a in OWN.query('ALERTS{alertstate="firing"}')}

        def sentinel_firing():
            r = S.request("GET", "/api/v1/alerts/events/?status=firing&limit=1000", token=T)
            assert r.status == 200, r
            return {(e["rule_name"], e["labels"].get("instance", "")) for e in r.json()}

        expected = {("HighLoad", "rf-hot:9100"), ("LoadReversed", "rf-hot:9100"), ("HotAndUp", "rf-hot:9100"),
                    ("LoadBool", "rf-hot:9100"), ("LoadBool", "rf-cold:9100"), ("ExporterAbsent", "nowhere:9100")}
        wait_for(lambda: prometheus_firing() == expected, 60, "Prometheus to fire %s" % sorted(expected))
        wait_for(lambda: sentinel_firing() == expected, 60, "Sentinel to fire %s" % sorted(expected))
        self.assertEqual(sentinel_firing(), prometheus_firing())

    def test_templates_are_rendered_into_the_event(self):
        def event():
            r = S.request("GET", "/api/v1/alerts/events/?status=firing&limit=1000", token=T)
            return next((e for e in r.json() if e["rule_name"] == "HighLoad"), None)
        wait_for(lambda: event() is not None, 60, "HighLoad to fire")
        e = event()
        self.assertEqual(e["message"], "%s load is 3" % HOSTS["hot"].instance)
        self.assertEqual(e["severity"], "critical")
        self.assertEqual(e["comparison"], ">")
        self.assertEqual(e["threshold"], 1)


class T2_Export(unittest.TestCase):
    def test_promtool_accepts_the_export_and_it_round_trips(self):
        r = S.request("GET", EXPORT, token=T)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("application/yaml"), r.header("Content-Type"))
        first = r.body
        check = promtool_check(first)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr + first)
        self.assertIn("HighLoad", first)
        # Into an empty Sentinel (same Prometheus), then out again: byte-identical.
        empty = harness.Sentinel({"PROMETHEUS_URL": OWN.url})
        empty.start()
        try:
            r = import_file(first, token=empty.admin_token, sentinel=empty)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["counts"]["failed"], 0)
            again = empty.request("GET", EXPORT, token=empty.admin_token)
            self.assertEqual(again.status, 200)
            self.assertEqual(again.body, first)
        finally:
            empty.stop()
            empty.close()

    def test_a_viewer_exports_but_cannot_import(self):
        S.create_user("rf-viewer@example.com", password="viewer-password-1", role="viewer")
        token = S.login("rf-viewer@example.com", "viewer-password-1")
        self.assertEqual(S.request("GET", EXPORT, token=token).status, 200)
        self.assertEqual(import_file(RULE_FILE, token=token).status, 403)
        self.assertEqual(S.request("GET", EXPORT).status, 401)

    def test_the_fixture_files_import_and_promtool_accepts_them(self):
        files = sorted(glob.glob(os.path.join(FIXTURES, "*.yml")))
        self.assertGreaterEqual(len(files), 5, FIXTURES)
        for path in files:
            with open(path) as f:
                text = f.read()
            if not path.endswith("vmalert.yml"):  # vmalert's own group options: Prometheus refuses them
                check = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True,
                                       timeout=60)
                self.assertEqual(check.returncode, 0, path + check.stdout + check.stderr)
            r = import_file(text, query="?dry_run=true")
            self.assertEqual(r.status, 200, "%s: %s" % (path, r.body[:2000]))
            self.assertEqual(r.json()["counts"]["failed"], 0, path)


class T3_BadInput(unittest.TestCase):
    def assert_nothing_written(self, before):
        self.assertEqual(set(rules_by_name()), before)

    def test_malformed_yaml_is_a_422_with_its_line(self):
        before = set(rules_by_name())
        r = import_file("groups:\n  - name: x\n    rules: [\n      - alert: A\n")
        self.assertEqual(r.status, 422, r)
        msg = json.dumps(r.json()["detail"])
        self.assertRegex(msg, r"line \d+")
        self.assert_nothing_written(before)

    def test_unknown_fields_and_template_errors_name_the_rule(self):
        before = set(rules_by_name())
        text = """groups:
  - name: bad
    rules:
      - alert: Fine
        expr: up == 0
      - alert: Typo
        expr: up == 0
        anotations: {summary: x}
      - alert: BadTemplate
        expr: up == 0
        annotations:
          summary: "{{ humanise $value }}"
"""
        r = import_file(text)
        self.assertEqual(r.status, 422, r)
        detail = r.json()["detail"]
        msgs = [d["msg"] for d in detail]
        self.assertEqual(len(detail), 2, msgs)
        self.assertIn("Typo", msgs[0])
        self.assertIn("anotations", msgs[0])
        self.assertIn("BadTemplate", msgs[1])
        self.assertIn("humanise", msgs[1])
        self.assertRegex(msgs[1], r"line 1[12]")
        self.assertEqual(r.json()["report"]["counts"]["failed"], 2)
        self.assertFalse(r.json()["report"]["written"])
        self.assert_nothing_written(before)

    def test_promql_prometheus_rejects_fails_the_rule_and_partial_takes_the_rest(self):
        before = set(rules_by_name())
        text = """groups:
  - name: promql
    rules:
      - alert: GoodOne
        expr: up{job="rulefiles"} == 0
      - alert: Unparsable
        expr: sum(rate(node_load1[5m]) > 1
"""
        r = import_file(text)
        self.assertEqual(r.status, 422, r)
        self.assertIn("Unparsable", r.json()["detail"][0]["msg"])
        self.assertEqual(r.json()["detail"][0]["loc"][-1], "expr")
        self.assert_nothing_written(before)
        r = import_file(text, query="?partial=true")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["counts"]["created"], 1)
        self.assertEqual(r.json()["counts"]["failed"], 1)
        self.assertIn("GoodOne", rules_by_name())

    def test_limits_and_content_type(self):
        huge = "groups:\n" + "#" * (1024 * 1024 + 10) + "\n"
        self.assertEqual(import_file(huge).status, 413)
        r = import_file(RULE_FILE, headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 415, r)
        self.assertIn("application/yaml", r.json()["detail"])
        self.assertEqual(import_file(RULE_FILE, query="?dry_run=maybe").status, 422)

    def test_prometheus_down_is_a_503_and_nothing_is_written(self):
        down = harness.Sentinel({"PROMETHEUS_URL": "http://127.0.0.1:1"})
        down.start()
        try:
            r = import_file(RULE_FILE, token=down.admin_token, sentinel=down)
            self.assertEqual(r.status, 503, r)
            self.assertIn("Prometheus unavailable", r.json()["detail"])
            self.assertEqual(rules_by_name(sentinel=down, token=down.admin_token), {})
        finally:
            down.stop()
            down.close()


class T4_Cli(unittest.TestCase):
    def test_cli_dry_run_prints_the_report_and_writes_nothing(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write(RULE_FILE.replace("name: host", "name: host-cli"))
        try:
            before = set(rules_by_name())
            r = S.cli("rules", "import", f.name, "--dry-run")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("6 created, 0 updated, 0 unchanged, 1 skipped, 0 failed (dry run", r.stdout)
            self.assertIn("host-cli / HighLoad: created", r.stdout)
            self.assertEqual(set(rules_by_name()), before)
            r = S.cli("rules", "import", f.name)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            groups = {x["rule_group"] for x in rules_by_name().values()}
            self.assertIn("host-cli", groups)
        finally:
            os.unlink(f.name)


class T5_SameOutcomeAsPrometheusForTheFixtureFiles(unittest.TestCase):
    """The rule files written in the styles people use (tests/fixtures/rule_files: node_exporter host
    rules, blackbox probes, multi-window burn rates, absent() and bool, recording rules feeding alerts),
    loaded by a Prometheus of their own that scrapes the real node_exporter, and imported into a
    Sentinel querying that Prometheus: for every alert, the series whose condition holds now
    (POST /rules/{id}/test, would_fire) are the series Prometheus has in ALERTS (pending or firing)."""

    @classmethod
    def setUpClass(cls):
        paths = [p for p in sorted(glob.glob(os.path.join(FIXTURES, "*.yml"))) if not p.endswith("vmalert.yml")]
        cls.texts = []
        for p in paths:
            with open(p) as f:
                # Every group evaluated each second, so both sides see fresh results at once (a 5m group's
                # first evaluation could be minutes away); the same text goes to both.
                cls.texts.append(re.sub(r"(?m)^(\s+)interval: \S+$", r"\1interval: 1s", f.read()))
        cls.prometheus = OwnPrometheus(cls.texts)
        cls.sentinel = harness.Sentinel({"PROMETHEUS_URL": cls.prometheus.url})
        cls.sentinel.start()
        cls.token = cls.sentinel.admin_token
        wait_for(lambda: bool(cls.prometheus.query('up{job="node"} == 1')), 30, "node_exporter scraped")
        for text in cls.texts:
            r = import_file(text, token=cls.token, sentinel=cls.sentinel)
            assert r.status == 200 and r.json()["counts"]["failed"] == 0, r

    @classmethod
    def tearDownClass(cls):
        cls.sentinel.stop()
        cls.sentinel.close()
        cls.prometheus.remove()

    def sentinel_holding(self, rules):
        out = set()
        for rule in rules:
            r = self.sentinel.request("POST", "/api/v1/alerts/rules/%d/test" % rule["id"], token=self.token)
            self.assertEqual(r.status, 200, r)
            ignored = set(rule["labels"]) | {"__name__", "severity"}
            for s in r.json()["series"]:
                if s["would_fire"]:
                    out.add((rule["name"], frozenset((k, v) for k, v in s["labels"].items() if k not in ignored)))
        return out

    def prometheus_active(self, rules):
        ignored_by_name = {}
        for rule in rules:
            ignored_by_name.setdefault(rule["name"], set()).update(set(rule["labels"]) | {"severity"})
        out = set()
        for a in self.prometheus.query("ALERTS"):
            name = a["metric"]["alertname"]
            ignored = ignored_by_name.get(name, set()) | {"alertname", "alertstate", "__name__"}
            out.add((name, frozenset((k, v) for k, v in a["metric"].items() if k not in ignored)))
        return out

    def test_every_alert_holds_for_the_same_series_in_both(self):
        rules = [r for r in rules_by_name_list(self.sentinel, self.token)]
        self.assertGreaterEqual(len(rules), 20)
        # Prometheus evaluates every 1 s; retry until both agree (values move between the two reads).
        state = {}

        def agree():
            state["sentinel"], state["prometheus"] = self.sentinel_holding(rules), self.prometheus_active(rules)
            return state["sentinel"] == state["prometheus"]
        try:
            wait_for(agree, 40, "Sentinel and Prometheus to agree")
        finally:
            log("holding in both: %s" % sorted(n for n, _ in state.get("sentinel", set())))
        self.assertEqual(state["sentinel"], state["prometheus"])
        # Not vacuous: some alert holds (NodeExporterAbsent-style and up-based rules do here).
        self.assertTrue(state["sentinel"])


def rules_by_name_list(sentinel, token):
    r = sentinel.request("GET", "/api/v1/alerts/rules/?limit=1000", token=token)
    assert r.status == 200, r
    return r.json()


if __name__ == "__main__":
    unittest.main()
