"""The alert engine end to end (product.md §3 "Alert rules", "Alert events", silences; §5):
a real Sentinel (ALERT_CHECK_INTERVAL_SEC=1) evaluates rules against the real test
Prometheus scraping FixtureHost targets, records events, and delivers notifications to the
fake Telegram Bot API (tests/fakes/fake_telegram.py, which checks Telegram's HTML) and to a
webhook receiver (tests/fakes/webhook_receiver.py), both run in threads of this process.

Every test uses its own hosts and uniquely named rules, and deletes its rules when done, so
messages are told apart by rule name. Prometheus going down uses an isolated Prometheus
(scripts/test-env start <tmp> prometheus) and a second Sentinel reading it; the crash test
kills the shared Sentinel with SIGKILL and restarts it on the same database.
"""
import calendar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from alerting_support import EVENTS, RULES, AlertingView, kind_of, uniq
from fixtures import FixtureHost, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from fake_telegram import FakeTelegram  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TEST_ENV = os.path.join(REPO, "scripts", "test-env")
SILENCES = "/api/v1/alerts/silences/"
BOT_TOKEN = "987654:alerting-test-token"
CHAT_ID = -1001234567890
THREAD_ID = 42
ZERO_TIME = "0001-01-01T00:00:00Z"

S = None       # the Sentinel of most tests, on the shared test Prometheus
A = None       # AlertingView of S, TG and HOOK
T = None       # its admin token
TG = None      # FakeTelegram
HOOK = None    # WebhookReceiver
HOSTS = {}     # role -> FixtureHost (on the shared Prometheus)
SERVERS = {}   # role -> registered server (JSON)
# host roles, each used by one test; the value is node_load1 at the start (rules use > 2)
ROLES = {"repeat": 5.0, "hot": 5.0, "pending": 5.0, "muted": 5.0, "hook": 5.0, "hook_retry": 5.0, "ack": 5.0,
         "filter_a": 5.0, "filter_b": 5.0, "crash": 5.0,
         "fleet_low": 0.5, "fleet_high": 3.0, "fleet_mid": 1.0}
UNREGISTERED = "fleet_stray"  # in the fleet rule's query, never registered: alerts with server_id null
ISO = {}       # the isolated Prometheus (dir, url), its host, and the Sentinel reading it (sentinel, server)


def sentinel_env(prometheus_url=None):
    env = {
        "ALERT_CHECK_INTERVAL_SEC": "1",
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_CHAT_ID": str(CHAT_ID),
        "TELEGRAM_API_URL": TG.url,
        "TELEGRAM_MESSAGE_THREAD_ID": str(THREAD_ID),
        "TELEGRAM_SILENT_RESOLVED": "true",
        "WEBHOOK_URL": HOOK.url + "/hooks/sentinel",
        "LOG_LEVEL": "info",
    }
    if prometheus_url:
        env["PROMETHEUS_URL"] = prometheus_url
    return env


def setUpModule():
    if not harness.test_env("PROMETHEUS_URL") or not harness.test_env("FIXTURE_EXPORTER"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus and the fixture exporter): run through ctest")
    try:
        start_everything()
    except BaseException:
        tearDownModule()  # unittest does not call it when setUpModule fails: no stray Prometheus
        raise


def start_everything():
    global S, T, TG, HOOK, A
    # Targets first: Prometheus picks them up while the rest starts.
    ISO["dir"] = tempfile.mkdtemp(prefix="sentinel-alerting-prom-")
    subprocess.run([TEST_ENV, "start", ISO["dir"], "prometheus"], check=True, stdout=subprocess.DEVNULL)
    env = dict(line.strip().split("=", 1) for line in open(os.path.join(ISO["dir"], "env")) if "=" in line)
    ISO["url"] = env["SENTINEL_TEST_PROMETHEUS_URL"]
    ISO["host"] = FixtureHost(load1=5.0, targets_dir=env["SENTINEL_TEST_FIXTURE_TARGETS_DIR"], prometheus=ISO["url"])
    for role, load in ROLES.items():
        HOSTS[role] = FixtureHost(load1=load)
    HOSTS[UNREGISTERED] = FixtureHost(load1=4.0)
    TG = FakeTelegram(token=BOT_TOKEN).start()
    HOOK = WebhookReceiver().start()
    S = harness.Sentinel(sentinel_env()).start()
    A = AlertingView(S, TG, HOOK)
    T = S.admin_token
    for role in ROLES:
        SERVERS[role] = server(S, role)
    ISO["sentinel"] = harness.Sentinel(sentinel_env(ISO["url"])).start()
    ISO["server"] = server(ISO["sentinel"], "isolated", ISO["host"])
    for h in list(HOSTS.values()) + [ISO["host"]]:
        h.wait_until_scraped()


def tearDownModule():
    errors = []

    def attempt(step, *args):
        try:
            step(*args)
        except Exception as e:  # clean up the rest, then report the first failure
            errors.append(e)

    for h in list(HOSTS.values()) + [ISO.get("host")]:
        if h:
            attempt(h.remove)
    for sentinel in (ISO.get("sentinel"), S):
        if sentinel:
            if sentinel.proc and sentinel.proc.poll() is not None:
                sys.stderr.write("sentinel died (exit %s); its log:\n%s\n"
                                 % (sentinel.proc.returncode, sentinel.read_log()))
            attempt(sentinel.stop)
            attempt(sentinel.close)
    if ISO.get("dir"):
        attempt(subprocess.run, [TEST_ENV, "stop", ISO["dir"]])
        shutil.rmtree(ISO["dir"], ignore_errors=True)
    for fake in (TG, HOOK):
        if fake:
            attempt(fake.stop)
    if errors:
        raise errors[0]


# --- helpers ------------------------------------------------------------------------------


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def server(sentinel, role, host=None):
    host = host or HOSTS[role]
    r = sentinel.request("POST", "/api/v1/servers/", {"name": uniq("srv-" + role), "job_name": host.job,
                                                      "instance": host.instance}, token=sentinel.admin_token)
    assert r.status == 201, r
    return r.json()


def host_rule_promql():
    return 'node_load1{instance="$instance",job="$job"}'


def create_rule(testcase, name, server_id, promql=None, sentinel=None, **kw):
    """POSTs a rule (> 2 on node_load1 of its server, no repeats, Telegram) and deletes it
    when the test ends."""
    s = sentinel or S
    body = {"name": name, "server_id": server_id, "metric_name": "load1",
            "promql": promql or host_rule_promql(), "threshold": 2, "comparison": ">",
            "repeat_interval_sec": 0, "channel": "telegram"}
    body.update(kw)
    r = s.request("POST", RULES, body, token=s.admin_token)
    testcase.assertEqual(r.status, 201, r)
    rule = r.json()
    testcase.addCleanup(lambda: s.request("DELETE", RULES + "%d" % rule["id"], token=s.admin_token))
    return rule



# --- tests --------------------------------------------------------------------------------

class Telegram(unittest.TestCase):
    def test_firing_no_duplicate_then_repeat_then_resolved(self):
        host, srv = HOSTS["repeat"], SERVERS["repeat"]
        name = uniq("repeat")
        rule = create_rule(self, name, srv["id"], repeat_interval_sec=4, severity="critical",
                           description="load is high")
        first = A.wait_messages(name, "firing")[0]
        self.assertEqual(first["chat_id"], CHAT_ID)
        self.assertEqual(first["message_thread_id"], THREAD_ID)
        self.assertEqual(first["parse_mode"], "HTML")
        self.assertFalse(first["disable_notification"])
        self.assertEqual(first["token"], BOT_TOKEN)
        for part in (srv["name"], host.instance, "critical", "load is high", "5"):
            self.assertIn(part, first["plain_text"])

        ev = A.event_with(rule["id"], notification_status="sent")
        self.assertEqual((ev["status"], ev["rule_name"], ev["server_id"], ev["severity"]),
                         ("firing", name, srv["id"], "critical"))
        self.assertEqual((ev["value"], ev["threshold"], ev["comparison"]), (5.0, 2.0, ">"))
        self.assertEqual(ev["labels"].get("instance"), host.instance)
        self.assertIsNone(ev["resolved_at"])
        self.assertFalse(ev["acknowledged"])
        self.assertEqual(A.get_rule(rule["id"])["state"], "firing")
        self.assertEqual(A.get_rule(rule["id"])["last_value"], 5.0)

        # Nothing more inside the repeat window (evaluated every second meanwhile)...
        time.sleep(2)
        self.assertEqual(len(A.messages(name)), 1, A.messages(name))
        # ...then one repeat, for the same event.
        repeat = A.wait_messages(name, "repeat", timeout=10)[0]
        # Stored times are whole seconds: 4 s after the firing evaluation's second, not its instant.
        self.assertGreaterEqual(repeat["time"] - first["time"], 4 - 1.5)
        self.assertEqual(len(A.messages(name, "firing")), 1)
        self.assertEqual(len(A.rule_events(rule["id"])), 1)

        host.set(load1=0.5)
        resolved = A.wait_messages(name, "resolved")[0]
        self.assertTrue(resolved["disable_notification"])  # TELEGRAM_SILENT_RESOLVED
        self.assertEqual(resolved["message_thread_id"], THREAD_ID)
        ev = A.event_with(rule["id"], status="resolved", notification_status="sent")
        self.assertIsNotNone(ev["resolved_at"])
        self.assertGreaterEqual(parse_iso(ev["resolved_at"]), parse_iso(ev["started_at"]))
        A.rule_with(rule["id"], state="inactive", last_value=0.5)
        self.assertEqual([kind_of(m) for m in A.messages(name)][-1], "resolved")

    def test_for_sec_keeps_the_rule_pending_first(self):
        name = uniq("pending")
        created = time.time()
        rule = create_rule(self, name, SERVERS["pending"]["id"], for_sec=4)
        A.rule_with(rule["id"], state="pending", timeout=10)
        self.assertEqual(A.messages(name), [])
        self.assertEqual(A.rule_events(rule["id"]), [])
        first = A.wait_messages(name, "firing", timeout=15)[0]
        # for_sec counts from the first evaluation, which is after the rule was created.
        self.assertGreaterEqual(first["time"] - created, 4 - 1.2)
        ev = A.event_with(rule["id"], status="firing")
        self.assertEqual(ev["server_id"], SERVERS["pending"]["id"])
        self.assertEqual(A.get_rule(rule["id"])["state"], "firing")

    def test_silence_records_a_suppressed_event_and_sends_nothing(self):
        srv = SERVERS["muted"]
        r = S.request("POST", SILENCES, {"server_id": srv["id"], "ends_at": iso(time.time() + 600),
                                         "comment": "maintenance"}, token=T)
        self.assertEqual(r.status, 201, r)
        silence = r.json()
        self.addCleanup(lambda: S.request("DELETE", SILENCES + "%d" % silence["id"], token=T))
        name = uniq("silenced")
        rule = create_rule(self, name, srv["id"])
        ev = A.event_with(rule["id"], status="firing")
        self.assertEqual(ev["notification_status"], "suppressed")
        self.assertEqual(A.get_rule(rule["id"])["state"], "firing")
        time.sleep(2)
        self.assertEqual(A.telegram_requests(name), [])
        self.assertEqual(A.rule_events(rule["id"])[0]["notification_status"], "suppressed")

    def test_429_retry_after_is_honoured_then_delivered(self):
        retried = S.self_metric("sentinel_notifications_total", channel="telegram", result="retried")
        name = uniq("throttled")
        TG.configure(fail_next=1, fail_match=name[-8:], fail_status=429, retry_after=2)
        self.addCleanup(lambda: TG.configure(fail_next=None, fail_match=None, fail_status=None, retry_after=None))
        rule = create_rule(self, name, SERVERS["hot"]["id"])
        msg = A.wait_messages(name, "firing")[0]
        reqs = A.telegram_requests(name)
        self.assertEqual([r["status"] for r in reqs], [429, 200], reqs)
        self.assertEqual(reqs[0]["response"]["parameters"], {"retry_after": 2})
        # Telegram asked for 2 s: the retry must not come sooner.
        self.assertGreaterEqual(msg["time"] - reqs[0]["time"], 2 - 0.05)
        A.event_with(rule["id"], notification_status="sent")
        self.assertGreaterEqual(
            S.self_metric("sentinel_notifications_total", channel="telegram", result="retried"), retried + 1)

    def test_html_in_user_values_arrives_escaped(self):
        name = uniq('<b>Load & "quotes"</b> <script>x</script> 1<2')
        desc = "<i>unclosed & <a href='x'>"
        rule = create_rule(self, name, SERVERS["hot"]["id"], description=desc)
        msg = A.wait_messages(name, "firing")[0]
        self.assertEqual([r["status"] for r in A.telegram_requests(name)], [200])  # the fake parsed the HTML
        self.assertIn(name, msg["plain_text"])
        self.assertIn(desc, msg["plain_text"])
        self.assertIn("&lt;script&gt;", msg["text"])
        self.assertIn("&amp;", msg["text"])
        self.assertNotIn("<script>", msg["text"])
        # The only markup is Sentinel's own: no entity covers the rule name's would-be tags.
        self.assertTrue(all(e["type"] in ("bold", "italic", "code", "pre") for e in msg["entities"]), msg)
        ev = A.event_with(rule["id"], notification_status="sent")
        self.assertEqual(ev["rule_name"], name)

    def test_ack_stops_repeats(self):
        name = uniq("acked")
        rule = create_rule(self, name, SERVERS["ack"]["id"], repeat_interval_sec=2)
        A.wait_messages(name, "firing")
        ev = A.event_with(rule["id"], status="firing")
        r = S.request("POST", EVENTS + "%d/ack" % ev["id"], token=T)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json()["acknowledged"])
        acked_at = time.time()
        time.sleep(5)  # 2.5 repeat intervals
        late = [m for m in A.messages(name, "repeat") if m["time"] > acked_at + 1]
        self.assertEqual(late, [])
        self.assertTrue(A.event_with(rule["id"], status="firing")["acknowledged"])
        self.assertEqual(A.get_rule(rule["id"])["state"], "firing")


class Fleet(unittest.TestCase):
    def test_fleet_rule_fires_only_for_the_host_above_threshold(self):
        roles = ["fleet_low", "fleet_high", "fleet_mid", UNREGISTERED]
        instances = "|".join(HOSTS[r].instance for r in roles)
        name = uniq("fleet")
        rule = create_rule(self, name, None, promql='node_load1{job="fixture",instance=~"%s"}' % instances,
                           threshold=2)
        self.assertIsNone(rule["server_id"])

        def two_events():
            evs = A.rule_events(rule["id"])
            return len(evs) >= 2 and evs
        evs = wait_for(two_events, 20, "two fleet events")
        by_instance = {e["labels"]["instance"]: e for e in evs}
        self.assertEqual(set(by_instance), {HOSTS["fleet_high"].instance, HOSTS[UNREGISTERED].instance})
        high = by_instance[HOSTS["fleet_high"].instance]
        self.assertEqual((high["server_id"], high["value"], high["status"]),
                         (SERVERS["fleet_high"]["id"], 3.0, "firing"))
        stray = by_instance[HOSTS[UNREGISTERED].instance]
        self.assertIsNone(stray["server_id"])
        self.assertEqual(stray["value"], 4.0)
        # Both fired in one evaluation: one message for the group (product.md §9).
        msgs = A.wait_messages(name, "firing", count=1)
        self.assertEqual(len(msgs), 1, msgs)
        self.assertIn("2 alerts", msgs[0]["plain_text"])
        texts = "\n".join(m["plain_text"] for m in msgs)
        self.assertIn(SERVERS["fleet_high"]["name"], texts)
        self.assertIn(HOSTS[UNREGISTERED].instance, texts)
        for quiet in ("fleet_low", "fleet_mid"):
            self.assertNotIn(SERVERS[quiet]["name"], texts)
            self.assertNotIn(HOSTS[quiet].instance, texts)
        # The worst series is the rule's value; nothing else fires later.
        A.rule_with(rule["id"], state="firing", last_value=4.0)
        time.sleep(2)
        self.assertEqual(len(A.rule_events(rule["id"])), 2)
        self.assertEqual(len(A.messages(name)), 1)
        # server_id filters the fleet rule's events too.
        self.assertEqual([e["id"] for e in A.events(server_id=SERVERS["fleet_high"]["id"])], [high["id"]])


class Webhook(unittest.TestCase):
    def test_alertmanager_v4_payload_firing_then_resolved(self):
        host, srv = HOSTS["hook"], SERVERS["hook"]
        name = uniq("hooked")
        rule = create_rule(self, name, srv["id"], channel="webhook", severity="info", description="via hook")
        req = wait_for(lambda: A.hook_requests(name), 20, "the firing webhook")[0]
        self.assertEqual(req["method"], "POST")
        self.assertEqual(req["path"], "/hooks/sentinel")
        self.assertTrue(req["headers"].get("Content-Type", "").startswith("application/json"), req["headers"])
        body = req["json"]
        self.assertEqual((body["version"], body["status"]), ("4", "firing"))
        self.assertEqual(len(body["alerts"]), 1)
        alert = body["alerts"][0]
        self.assertEqual(alert["status"], "firing")
        labels = alert["labels"]
        self.assertEqual((labels["alertname"], labels["severity"], labels["instance"]),
                         (name, "info", host.instance))
        self.assertEqual(labels.get("server_id"), str(srv["id"]))
        self.assertEqual(alert["endsAt"], ZERO_TIME)
        self.assertRegex(alert["startsAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertRegex(alert["fingerprint"], r"^[0-9a-f]{16}$")
        self.assertEqual(alert["annotations"].get("description"), "via hook")
        self.assertEqual(body["groupLabels"], {"alertname": name})
        self.assertEqual(A.messages(name), [])  # webhook only
        ev = A.event_with(rule["id"], notification_status="sent")
        self.assertEqual(alert["startsAt"], ev["started_at"])

        host.set(load1=0.5)

        def resolved():
            return [r for r in A.hook_requests(name) if r["json"]["status"] == "resolved"]
        done = wait_for(resolved, 20, "the resolved webhook")[0]["json"]
        ra = done["alerts"][0]
        self.assertEqual((done["version"], ra["status"]), ("4", "resolved"))
        self.assertEqual((ra["fingerprint"], ra["startsAt"]), (alert["fingerprint"], alert["startsAt"]))
        self.assertNotEqual(ra["endsAt"], ZERO_TIME)
        self.assertGreaterEqual(parse_iso(ra["endsAt"]), parse_iso(ra["startsAt"]))
        ev = A.event_with(rule["id"], status="resolved", notification_status="sent")
        self.assertEqual(ra["endsAt"], ev["resolved_at"])
        self.assertEqual([r["json"]["status"] for r in A.hook_requests(name)], ["firing", "resolved"])

    def test_resolved_never_overtakes_a_firing_being_retried(self):
        """The firing webhook fails once (503, Retry-After: 2) and the alert resolves meanwhile:
        the receiver must still see firing, then resolved (else it keeps the alert open)."""
        host, srv = HOSTS["hook_retry"], SERVERS["hook_retry"]
        HOOK.configure(fail_next=1, fail_status=503, retry_after=2)
        self.addCleanup(lambda: HOOK.configure(fail_next=None, fail_status=None, retry_after=None))
        name = uniq("hook-retry")
        rule = create_rule(self, name, srv["id"], channel="webhook")
        first = wait_for(lambda: A.hook_requests(name), 20, "the first (failing) webhook")[0]
        self.assertEqual((first["status"], first["json"]["status"]), (503, "firing"))
        host.set(load1=0.5)
        A.event_with(rule["id"], status="resolved")

        def delivered():
            ok = [r["json"]["status"] for r in A.hook_requests(name) if r["status"] == 200]
            return len(ok) >= 2 and ok
        self.assertEqual(wait_for(delivered, 20, "both webhooks delivered"), ["firing", "resolved"])
        A.event_with(rule["id"], status="resolved", notification_status="sent")


class EventsApi(unittest.TestCase):
    def test_filters_with_real_events(self):
        a, b = SERVERS["filter_a"], SERVERS["filter_b"]
        ra = create_rule(self, uniq("filter-a"), a["id"])
        rb = create_rule(self, uniq("filter-b"), b["id"])
        ea = A.event_with(ra["id"], status="firing")
        A.event_with(rb["id"], status="firing")
        HOSTS["filter_b"].set(load1=0.5)
        eb = A.event_with(rb["id"], status="resolved")

        self.assertEqual([e["id"] for e in A.events(rule_id=ra["id"])], [ea["id"]])
        self.assertEqual([e["id"] for e in A.events(server_id=b["id"])], [eb["id"]])
        self.assertEqual(A.events(status="firing", rule_id=rb["id"]), [])
        self.assertEqual([e["id"] for e in A.events(status="resolved", rule_id=rb["id"])], [eb["id"]])
        self.assertEqual([e["id"] for e in A.events(status="firing", server_id=a["id"])], [ea["id"]])
        self.assertEqual(A.events(status="resolved", server_id=a["id"]), [])
        firing = A.events(status="firing", limit=1000)
        self.assertIn(ea["id"], [e["id"] for e in firing])
        self.assertTrue(all(e["status"] == "firing" for e in firing))
        resolved = A.events(status="resolved", limit=1000)
        self.assertIn(eb["id"], [e["id"] for e in resolved])
        self.assertTrue(all(e["status"] == "resolved" for e in resolved))
        # newest first
        ids = [e["id"] for e in A.events(limit=1000)]
        self.assertEqual(ids, sorted(ids, reverse=True))
        r = S.request("GET", EVENTS + "%d" % eb["id"], token=T)
        self.assertEqual((r.status, r.json()["status"], r.json()["rule_id"]), (200, "resolved", rb["id"]))
        bad = S.request("GET", EVENTS + "?status=pending", token=T)
        self.assertEqual(bad.status, 422, bad)

    def test_self_metrics_move(self):
        ok = S.self_metric("sentinel_rule_evaluations_total", result="ok")
        sent = S.self_metric("sentinel_notifications_total", channel="telegram", result="sent")
        name = uniq("metered")
        create_rule(self, name, SERVERS["hot"]["id"])
        A.wait_messages(name, "firing")
        wait_for(lambda: S.self_metric("sentinel_notifications_total", channel="telegram", result="sent") >= sent + 1,
                 10, "sentinel_notifications_total{channel=telegram,result=sent} to grow")
        wait_for(lambda: S.self_metric("sentinel_rule_evaluations_total", result="ok") >= ok + 2,
                 10, "sentinel_rule_evaluations_total{result=ok} to grow")
        self.assertGreater(S.self_metric("sentinel_rule_evaluation_duration_seconds_count"), 0)


class PrometheusDown(unittest.TestCase):
    """A Sentinel of its own reads an isolated Prometheus, which the test stops and restarts."""

    def service(self, action):
        subprocess.run([TEST_ENV, action, ISO["dir"], "prometheus"], check=True, stdout=subprocess.DEVNULL)

    def test_error_state_without_false_resolve_then_recovery(self):
        s = ISO["sentinel"]
        name = uniq("outage")
        rule = create_rule(self, name, ISO["server"]["id"], sentinel=s)
        A.wait_messages(name, "firing")
        ev = A.event_with(rule["id"], sentinel=s, status="firing", notification_status="sent")
        self.service("stop-service")
        try:
            failed = A.rule_with(rule["id"], sentinel=s, state="error")
            self.assertTrue(failed["last_error"], failed)
            self.assertIn("rometheus", failed["last_error"])
            self.assertEqual(failed["last_value"], 5.0)  # the last known value stays
            time.sleep(3)  # three failed evaluations
            self.assertEqual(A.get_rule(rule["id"], s)["state"], "error")
            self.assertEqual(A.messages(name, "resolved"), [])
            self.assertEqual(A.rule_events(rule["id"], s), [ev])
        finally:
            self.service("start-service")
        back = A.rule_with(rule["id"], sentinel=s, state="firing", timeout=30)
        self.assertIsNone(back["last_error"])
        time.sleep(1.5)
        # Still the one event, never resolved, never fired again.
        evs = A.rule_events(rule["id"], s)
        self.assertEqual([(e["id"], e["status"]) for e in evs], [(ev["id"], "firing")])
        self.assertEqual([kind_of(m) for m in A.messages(name)], ["firing"])


class CrashSafety(unittest.TestCase):
    def test_kill_9_with_deliveries_in_flight_loses_none(self):
        """Three firing notifications are in flight to a slow Telegram when the Sentinel is
        killed; the answers the dead process would have got are failures, so only the
        restarted process (same database) can deliver them, from the outbox."""
        delay = 3
        TG.configure(delay_seconds=delay)
        self.addCleanup(lambda: TG.configure(delay_seconds=None, fail_next=None, fail_match=None, fail_status=None))
        tag = uniq("crash")
        names = ["%s-%d" % (tag, i) for i in range(3)]
        rules = [create_rule(self, n, SERVERS["crash"]["id"]) for n in names]
        evs = [A.event_with(r["id"], status="firing", notification_status="pending") for r in rules]
        # The dispatcher, woken by the commit, has sent them: the fake sits on them.
        wait_for(lambda: TG.in_flight() >= len(names), delay, "three requests in flight")
        killed_at = time.time()
        S.kill()
        try:
            # What reaches Telegram from the dead process fails; new requests answer at once.
            TG.configure(fail_next=len(names), fail_match=tag, fail_status=500, delay_seconds=None)
            wait_for(lambda: TG.in_flight() == 0, delay + 5, "the dead process's requests to end")
            self.assertEqual([r["status"] for n in names for r in A.telegram_requests(n)], [500] * len(names))
            self.assertEqual([m for n in names for m in A.messages(n)], [])
            TG.configure(fail_next=None, fail_match=None, fail_status=None)
        finally:
            S.start()
        # SQLite: leases die with the process; PostgreSQL: they run out (request timeout + 5 s).
        delivered = wait_for(lambda: all(A.messages(n, "firing") for n in names) and [A.messages(n) for n in names],
                             45, "every firing notification after the restart")
        self.assertGreater(min(m["time"] for ms in delivered for m in ms), killed_at)
        for r, ev in zip(rules, evs):
            after = A.event_with(r["id"], status="firing", notification_status="sent")
            self.assertEqual(after["id"], ev["id"])  # the same event, not a new one


if __name__ == "__main__":
    unittest.main()
