"""Notifications routed and grouped (product.md §9) end to end: a real Sentinel evaluates a fleet
rule against the real test Prometheus, whose fixture host exports 300 series that fire at once.

- One message per target for the whole burst (the environment webhook, a Slack channel and an
  ntfy channel, each a recording receiver), listing the series, and one for their resolution.
- GET /alerts/events/{id} shows each notification's target and status, a channel's deliveries
  are listed, and /metrics counts messages by channel type and result.
- A lone alert waits at most its rule's group_wait_sec; a target answering 429 with Retry-After
  and then 5xx is retried, the event keeps one notification per target.
- A rule naming no channel goes to the channels that are default for its severity.
- Real alerts through the other types: a real Alertmanager (Debian's) shows the group's alerts
  active, then none once resolved; a real SMTP server (aiosmtpd) gets one email per group;
  PagerDuty gets a trigger then a resolve per alert with the same dedup_key.
- A kill -9 while a group waits loses nothing and sends it once.
- Secrets (the Slack webhook path, the ntfy token) are in no answer, log or /metrics.
"""
import calendar
import json
import os
import sys
import time
import unittest
import urllib.parse
import urllib.request

import harness
from harness import Sentinel
from fixtures import FixtureHost, prometheus_value, wait_for
from alerting_support import uniq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from webhook_receiver import WebhookReceiver  # noqa: E402
from smtp_receiver import SmtpReceiver  # noqa: E402
from fake_telegram import FakeTelegram  # noqa: E402

RULES = "/api/v1/alerts/rules/"
EVENTS = "/api/v1/alerts/events/"
CHANNELS = "/api/v1/alerts/channels/"
SERIES = 300
SLACK_SECRET = "T000/B000/slackPathSecret9d2c"
NTFY_TOKEN = "tk_ntfyTokenSecret41aa"

S = None
HOOK = None      # WEBHOOK_URL (environment channel)
SLACK = None     # a stored slack channel
NTFY = None      # a stored ntfy channel
DISCORD = None   # a stored discord channel
TG = None        # the Bot API behind a stored telegram channel
HOST = None


def setUpModule():
    global S, HOOK, SLACK, NTFY, DISCORD, TG, HOST
    HOOK = WebhookReceiver().start()
    SLACK = WebhookReceiver().start()
    NTFY = WebhookReceiver().start()
    DISCORD = WebhookReceiver().start()
    TG = FakeTelegram(token="987654:tgTokenSecret5e1f").start()
    HOST = FixtureHost(extra={"storm_level": [{"labels": {"shard": "s%03d" % i}, "value": 0}
                                              for i in range(SERIES)]})
    HOST.wait_until_up()
    S = Sentinel({"ALERT_CHECK_INTERVAL_SEC": "1", "WEBHOOK_URL": HOOK.url + "/hook",
                  "PUBLIC_URL": "https://sentinel.example.com",
                  "GROUP_WAIT_SEC": "3", "GROUP_INTERVAL_SEC": "4"}).start()


def tearDownModule():
    S.stop()
    S.close()
    for r in (HOOK, SLACK, NTFY, DISCORD, TG):
        r.stop()
    HOST.remove()


def channel(name, type_, settings, **extra):
    body = {"name": name, "type": type_, "settings": settings}
    body.update(extra)
    r = S.request("POST", CHANNELS, body, token=S.admin_token)
    assert r.status == 201, r
    return r.json()["id"]


def set_storm(value, count=SERIES):
    """The first `count` series at `value`, the rest at 0; returns once Prometheus has scraped it
    (a rule made before that would see the previous values)."""
    HOST.set(extra={"storm_level": [{"labels": {"shard": "s%03d" % i}, "value": value if i < count else 0}
                                    for i in range(SERIES)]})
    firing = count if value > 0.5 else 0
    wait_for(lambda: (prometheus_value('count(storm_level{instance="%s"} > 0.5)' % HOST.instance) or 0) == firing,
             30, "Prometheus to see %d series above 0.5" % firing)


def create_rule(testcase, name, **kw):
    body = {"name": name, "server_id": None, "metric_name": "storm",
            "promql": 'storm_level{instance="%s"}' % HOST.instance, "threshold": 0.5, "comparison": ">",
            "repeat_interval_sec": 0, "eval_interval_sec": 1, "channel": "webhook"}
    body.update(kw)
    r = S.request("POST", RULES, body, token=S.admin_token)
    testcase.assertEqual(r.status, 201, r)
    rule = r.json()
    testcase.addCleanup(lambda: S.request("DELETE", RULES + "%d" % rule["id"], token=S.admin_token))
    return rule


def about(receiver, rule_name):
    """Requests (Telegram: messages) that name the rule (in the body; ntfy's is in its Title header)."""
    if receiver is TG:
        return [m for m in TG.messages() if rule_name in m["plain_text"]]
    return [r for r in receiver.requests() if rule_name in r["body"] or rule_name in r["headers"].get("Title", "")]


def rule_events(rule_id, **query):
    qs = "&".join("%s=%s" % kv for kv in dict(query, rule_id=rule_id, limit=1000).items())
    r = S.request("GET", EVENTS + "?" + qs, token=S.admin_token)
    assert r.status == 200, r
    return r.json()


class Grouping(unittest.TestCase):
    def test_a_burst_of_300_series_is_one_message_per_target_and_its_resolution_another(self):
        name = uniq("Storm")
        slack = channel(uniq("slack"), "slack", {"webhook_url": SLACK.url + "/services/" + SLACK_SECRET})
        ntfy = channel(uniq("ntfy"), "ntfy", {"url": NTFY.url + "/alerts", "token": NTFY_TOKEN})
        discord = channel(uniq("discord"), "discord", {"webhook_url": DISCORD.url + "/api/webhooks/1/dSecret"})
        telegram = channel(uniq("tg"), "telegram", {"bot_token": TG.token, "chat_id": "-100123", "api_url": TG.url})
        rule = create_rule(self, name, channel_ids=[slack, ntfy, discord, telegram], group_wait_sec=3,
                           group_interval_sec=4)
        self.addCleanup(set_storm, 0)
        set_storm(1)

        wait_for(lambda: len(rule_events(rule["id"], status="firing")) == SERIES, 60, "300 firing events")
        targets = (HOOK, SLACK, NTFY, DISCORD, TG)
        for receiver in targets:
            wait_for(lambda: about(receiver, name), 30, "the group's message")
        time.sleep(3)  # anything else (it must not come) would have come by now
        for receiver in (DISCORD, TG):
            self.assertEqual(len(about(receiver, name)), 1, "one message for the whole burst")
        self.assertIn("300 alerts", about(TG, name)[0]["plain_text"])
        hook, slack_msgs, ntfy_msgs = about(HOOK, name), about(SLACK, name), about(NTFY, name)
        self.assertEqual(len(hook), 1, "one webhook call for the whole burst")
        self.assertEqual(len(slack_msgs), 1, "one Slack message for the whole burst")
        self.assertEqual(len(ntfy_msgs), 1, "one ntfy message for the whole burst")
        self.assertEqual(len(hook[0]["json"]["alerts"]), SERIES, "the webhook payload lists every series")
        self.assertEqual(hook[0]["json"]["status"], "firing")
        self.assertEqual(hook[0]["json"]["externalURL"], "https://sentinel.example.com")
        self.assertIn("300", slack_msgs[0]["body"], "the Slack message counts the alerts")
        self.assertIn("more", slack_msgs[0]["body"], "series past Slack's limit are counted, not dropped")
        self.assertIn("https://sentinel.example.com/events", slack_msgs[0]["body"], "it links back")
        self.assertEqual(ntfy_msgs[0]["headers"].get("Authorization"), "Bearer " + NTFY_TOKEN)

        # Where each notification went, per event.
        event = rule_events(rule["id"])[0]
        r = S.request("GET", EVENTS + "%d" % event["id"], token=S.admin_token)
        self.assertEqual(r.status, 200, r)
        notes = r.json()["notifications"]
        self.assertEqual(sorted((n["type"], n["channel_id"], n["kind"], n["status"]) for n in notes),
                         [("discord", discord, "firing", "sent"), ("ntfy", ntfy, "firing", "sent"),
                          ("slack", slack, "firing", "sent"), ("telegram", telegram, "firing", "sent"),
                          ("webhook", None, "firing", "sent")])
        for n in notes:
            self.assertEqual(n["attempts"], 1)
            self.assertIsNotNone(n["sent_at"])
        r = S.request("GET", CHANNELS + "%d/deliveries?limit=5" % slack, token=S.admin_token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json()), 5)
        self.assertEqual({d["rule_name"] for d in r.json()}, {name})
        self.assertEqual(S.request("GET", CHANNELS + "%d/deliveries?limit=0" % slack, token=S.admin_token).status,
                         422)
        self.assertEqual(S.request("GET", CHANNELS + "999999/deliveries", token=S.admin_token).status, 404)

        # All resolve at once: one resolved message per target.
        set_storm(0)
        wait_for(lambda: not rule_events(rule["id"], status="firing"), 60, "every event resolved")
        for receiver in targets:
            wait_for(lambda: len(about(receiver, name)) >= 2, 30, "the resolution's message")
        time.sleep(3)
        for receiver in targets:
            self.assertEqual(len(about(receiver, name)), 2, "one message for the whole resolution")
        resolved = about(HOOK, name)[1]["json"]
        self.assertEqual(resolved["status"], "resolved")
        self.assertEqual(len(resolved["alerts"]), SERIES)

        self.assertGreaterEqual(S.self_metric("sentinel_notifications_total", channel="slack", result="sent"), 2)
        self.assertGreaterEqual(S.self_metric("sentinel_notifications_total", channel="ntfy", result="sent"), 2)
        self.assertGreaterEqual(S.self_metric("sentinel_notifications_total", channel="webhook", result="sent"), 2)

    def test_a_lone_alert_waits_its_group_wait_and_no_longer(self):
        name = uniq("Lone")
        rule = create_rule(self, name, group_wait_sec=2, group_interval_sec=60)
        self.addCleanup(set_storm, 0)
        set_storm(1, count=1)
        event = wait_for(lambda: rule_events(rule["id"]) and rule_events(rule["id"])[0], 30, "the event")
        fired_at = time.time()
        msg = wait_for(lambda: about(HOOK, name), 20, "the webhook call")[0]
        self.assertLess(msg["time"] - fired_at, 2 + 2.5, "delivered within group_wait (+ the dispatcher's poll)")
        created = calendar.timegm(time.strptime(event["created_at"], "%Y-%m-%dT%H:%M:%SZ"))
        self.assertGreaterEqual(msg["time"] - created, 1.0, "not before its group_wait (whole seconds)")
        self.assertEqual(len(msg["json"]["alerts"]), 1)
        self.assertEqual(msg["json"]["alerts"][0]["labels"]["shard"], "s000")
        self.assertTrue(event)


class Retries(unittest.TestCase):
    def test_429_then_5xx_is_retried_and_recorded_on_the_event(self):
        name = uniq("Flaky")
        flaky = WebhookReceiver().start()
        self.addCleanup(flaky.stop)
        flaky.configure(fail_next=2, fail_status=429, retry_after=1)
        cid = channel(uniq("discord"), "discord", {"webhook_url": flaky.url + "/api/webhooks/1/x"})
        rule = create_rule(self, name, channel="none", channel_ids=[cid], group_wait_sec=0)
        self.addCleanup(set_storm, 0)
        set_storm(1, count=1)
        event = wait_for(lambda: rule_events(rule["id"]) and rule_events(rule["id"])[0], 30, "the event")

        def delivered():
            notes = S.request("GET", EVENTS + "%d" % event["id"], token=S.admin_token).json()["notifications"]
            return notes and notes[0]["status"] == "sent" and notes[0]
        note = wait_for(delivered, 30, "the notification delivered after its retries")
        self.assertEqual(note["attempts"], 3, note)
        self.assertEqual(note["channel_id"], cid)
        self.assertEqual([r["status"] for r in flaky.requests()], [429, 429, 200])
        gaps = [b["time"] - a["time"] for a, b in zip(flaky.requests(), flaky.requests()[1:])]
        self.assertTrue(all(g >= 1.0 for g in gaps), "Retry-After honoured: %r" % gaps)
        self.assertGreaterEqual(S.self_metric("sentinel_notifications_total", channel="discord", result="retried"), 2)


class Defaults(unittest.TestCase):
    def test_a_rule_naming_no_channel_goes_to_the_defaults_for_its_severity(self):
        name = uniq("Defaulted")
        pager = WebhookReceiver().start()
        self.addCleanup(pager.stop)
        cid = channel(uniq("critical-hook"), "webhook", {"url": pager.url + "/critical"},
                      default_for_severities=["critical"])
        self.addCleanup(lambda: S.request("DELETE", CHANNELS + "%d" % cid, token=S.admin_token))
        # "telegram" is every rule's default channel; this Sentinel has no Telegram configured.
        create_rule(self, name, channel="telegram", severity="critical", group_wait_sec=0)
        self.addCleanup(set_storm, 0)
        set_storm(1, count=1)
        msg = wait_for(lambda: about(pager, name), 30, "the default channel's message")[0]
        self.assertEqual(msg["path"], "/critical")
        self.assertEqual(msg["json"]["alerts"][0]["labels"]["severity"], "critical")


def alertmanager_alerts(alertname):
    """The alerts a real Alertmanager holds for `alertname` (GET /api/v2/alerts: active ones only;
    an alert whose endsAt has passed is resolved and no longer listed)."""
    q = urllib.parse.urlencode({"filter": 'alertname="%s"' % alertname})
    with urllib.request.urlopen(harness.test_env("ALERTMANAGER_URL") + "/api/v2/alerts?" + q, timeout=10) as r:
        return json.loads(r.read())


class OtherTypes(unittest.TestCase):
    def test_a_real_alertmanager_shows_the_group_active_then_resolved(self):
        if not harness.test_env("ALERTMANAGER_URL"):
            self.skipTest("needs scripts/test-env's alertmanager: run through ctest")
        name = uniq("ToAlertmanager")
        cid = channel(uniq("am"), "alertmanager", {"urls": [harness.test_env("ALERTMANAGER_URL")]})
        create_rule(self, name, channel="none", channel_ids=[cid], group_wait_sec=0)
        self.addCleanup(set_storm, 0)
        set_storm(1, count=3)
        alerts = wait_for(lambda: len(alertmanager_alerts(name)) == 3 and alertmanager_alerts(name), 30,
                          "three active alerts in Alertmanager")
        self.assertEqual({a["status"]["state"] for a in alerts}, {"active"})
        self.assertEqual(sorted(a["labels"]["shard"] for a in alerts), ["s000", "s001", "s002"])
        for a in alerts:
            self.assertTrue(a["generatorURL"].startswith("https://sentinel.example.com/"), a["generatorURL"])
        set_storm(0)
        wait_for(lambda: alertmanager_alerts(name) == [], 30, "the alerts resolved in Alertmanager")

    def test_an_email_per_group_through_a_real_smtp_server(self):
        try:
            smtp = SmtpReceiver().start()
        except RuntimeError as e:
            self.skipTest(str(e))
        self.addCleanup(smtp.stop)
        name = uniq("ByEmail")
        cid = channel(uniq("mail"), "email", {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "security": "none",
                                              "from": "sentinel@example.com", "to": ["ops@example.com"]})
        create_rule(self, name, channel="none", channel_ids=[cid], group_wait_sec=1, group_interval_sec=2)
        self.addCleanup(set_storm, 0)
        set_storm(1, count=4)
        msgs = wait_for(lambda: smtp.messages(), 30, "the email")
        time.sleep(2)
        msgs = smtp.messages()
        self.assertEqual(len(msgs), 1, [m["subject"] for m in msgs])
        self.assertEqual(msgs[0]["subject"], "[FIRING:4] " + name)
        self.assertEqual(msgs[0]["rcpt_tos"], ["ops@example.com"])
        self.assertIn("https://sentinel.example.com/events", msgs[0]["parts"][0]["text"])
        set_storm(0)
        resolved = wait_for(lambda: len(smtp.messages()) >= 2 and smtp.messages()[1], 30, "the resolution's email")
        self.assertEqual(resolved["subject"], "[RESOLVED:4] " + name)

    def test_pagerduty_triggers_then_resolves_each_alert_by_its_dedup_key(self):
        pd = WebhookReceiver().start()
        self.addCleanup(pd.stop)
        pd.configure(status=202, response_body='{"status":"success","message":"Event processed"}')
        name = uniq("Paged")
        cid = channel(uniq("pd"), "pagerduty", {"routing_key": "R0UT1NGKEY0123456789012345678901",
                                                "api_url": pd.url + "/v2/enqueue"})
        create_rule(self, name, channel="none", channel_ids=[cid], group_wait_sec=0, severity="critical")
        self.addCleanup(set_storm, 0)
        set_storm(1, count=2)
        triggers = wait_for(lambda: len(about(pd, name)) >= 2 and about(pd, name), 30, "two trigger events")
        self.assertEqual([t["json"]["event_action"] for t in triggers], ["trigger", "trigger"])
        self.assertEqual({t["json"]["payload"]["severity"] for t in triggers}, {"critical"})
        keys = {t["json"]["dedup_key"] for t in triggers}
        self.assertEqual(len(keys), 2, "one PagerDuty alert per series")
        set_storm(0)
        # A resolve carries routing_key, event_action and dedup_key only.
        def resolves():
            out = [r["json"] for r in pd.requests() if r["json"]["event_action"] == "resolve"
                   and r["json"]["dedup_key"] in keys]
            return len(out) >= 2 and out
        resolves = wait_for(resolves, 30, "two resolve events")
        self.assertEqual([e["event_action"] for e in resolves], ["resolve", "resolve"])
        self.assertEqual({e["dedup_key"] for e in resolves}, keys, "each resolves its own alert")


class Crash(unittest.TestCase):
    def test_kill_9_while_a_group_waits_loses_nothing_and_sends_it_once(self):
        """The burst is recorded (events and outbox rows in one transaction) and its group waits
        group_wait_sec when the process is killed; the restarted one sends the group, once."""
        name = uniq("Crashed")
        cid = channel(uniq("crash-slack"), "slack", {"webhook_url": SLACK.url + "/services/" + SLACK_SECRET})
        rule = create_rule(self, name, channel="none", channel_ids=[cid], group_wait_sec=6, group_interval_sec=60)
        self.addCleanup(set_storm, 0)
        set_storm(1, count=50)
        wait_for(lambda: len(rule_events(rule["id"])) == 50, 30, "50 events recorded")
        S.kill()
        self.assertEqual(about(SLACK, name), [], "killed before the group's time")
        S.start()
        msg = wait_for(lambda: about(SLACK, name), 30, "the group after the restart")
        time.sleep(4)
        self.assertEqual(len(about(SLACK, name)), 1, "sent once")
        self.assertIn("50 alerts", msg[0]["body"])
        firing = rule_events(rule["id"])
        self.assertEqual(len(firing), 50, "no event recorded twice")
        self.assertEqual({e["notification_status"] for e in firing}, {"sent"})


class Secrets(unittest.TestCase):
    def test_secrets_are_in_no_answer_log_or_metric(self):
        cid = channel(uniq("secret-slack"), "slack", {"webhook_url": SLACK.url + "/services/" + SLACK_SECRET})
        for path in (CHANNELS, CHANNELS + "%d" % cid, CHANNELS + "%d/deliveries" % cid, "/metrics"):
            body = S.request("GET", path, token=S.admin_token).body
            self.assertNotIn("slackPathSecret9d2c", body, path)
            self.assertNotIn(NTFY_TOKEN, body, path)
        with open(S.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        self.assertNotIn("slackPathSecret9d2c", log)
        self.assertNotIn(NTFY_TOKEN, log)


if __name__ == "__main__":
    unittest.main()
