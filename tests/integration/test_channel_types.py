"""Every channel type (product.md §9) speaks its real protocol, checked through the channel's "send test"
button (POST /api/v1/alerts/channels/{id}/test: one alert formatted as alerts are and sent now; 200 when
the target took it, 502 with its answer when not, "retry" for a temporary failure) against a local
stand-in for the service:

* slack, discord, ntfy, pagerduty, webhook: the recording webhook receiver (tests/fakes), answering as the
  service does (statuses, bodies, Retry-After);
* telegram: the fake Bot API (tests/fakes/fake_telegram.py), which checks chat ids and Telegram's HTML;
* email: a real SMTP server, aiosmtpd (tests/fakes/smtp_receiver.py), with Python's email parser reading
  the MIME structure;
* alertmanager: a real Alertmanager from Debian's package (scripts/test-env's alertmanager service), read
  back through its own API.

Every secret setting carries MARK; no API answer and no line of Sentinel's log (at debug level) may
contain it, whatever the target answered, including a target that echoes the secret path alone
and a secret short enough to be part of Sentinel's own words.
"""
import base64
import datetime
import email.utils
import http.client
import json
import os
import secrets
import sys
import time
import unittest
import urllib.parse

import harness
from harness import Sentinel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from fake_telegram import FakeTelegram  # noqa: E402
from smtp_receiver import SmtpReceiver  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402

BASE = "/api/v1/alerts/channels/"
PUBLIC_URL = "https://sentinel.example.com"
TEST_RULE = "Sentinel test notification"
# Every secret value in this module contains MARK, so one search finds any leak.
MARK = "SECRET" + secrets.token_hex(8)
UNREACHABLE = "127.0.0.1:1"  # nothing listens there: connection refused

S = None
HOOK = None
TG = None
SMTP = None
SMTP_USER = "sentinel-smtp"
SMTP_PASSWORD = MARK + "-smtp"
SMTP_ERROR = None
AM_URL = None
EDITOR = None
ANSWERS = []  # (method, path, Response) of every API call this module made


def setUpModule():
    global S, HOOK, TG, SMTP, SMTP_ERROR, AM_URL, EDITOR
    HOOK = WebhookReceiver().start()
    TG = FakeTelegram(token="123456:" + MARK + "-tg").start()
    try:
        # AUTH is offered; a channel without credentials simply does not log in.
        SMTP = SmtpReceiver(username=SMTP_USER, password=SMTP_PASSWORD).start()
    except RuntimeError as e:
        SMTP_ERROR = str(e)
    AM_URL = harness.test_env("ALERTMANAGER_URL")
    # debug: the most the log ever says, where a leaked secret would show up.
    S = Sentinel({"PUBLIC_URL": PUBLIC_URL, "LOG_LEVEL": "debug"}).start()
    S.create_user("editor@example.com", "editor-password", role="editor")
    EDITOR = S.login("editor@example.com", "editor-password")


def tearDownModule():
    try:
        S.stop()
        # After the process is gone the log is complete: nothing it wrote may hold a secret.
        with open(S.log_path, encoding="utf-8", errors="replace") as f:
            log = f.read()
        if MARK in log:
            line = next(line for line in log.splitlines() if MARK in line)
            raise AssertionError("a secret is in Sentinel's log: %s" % line[:500])
    finally:
        S.close()
        HOOK.stop()
        TG.stop()
        if SMTP:
            SMTP.close()


def api(method, path, body=None):
    r = S.request(method, path, body, token=EDITOR)
    ANSWERS.append((method, path, r))
    return r


def unique(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(4))


def create_channel(type_, settings, name=None):
    r = api("POST", BASE, {"name": name or unique(type_), "type": type_, "settings": settings})
    assert r.status == 201, r
    return r.json()


def press(channel):
    """The test button of `channel` (a channel as the API answered it)."""
    return api("POST", "%s%d/test" % (BASE, channel["id"]))


def fingerprint(labels):
    """Alertmanager's fingerprint of a label set (model.LabelSet.Fingerprint): FNV-1a 64 over the
    names in order, each name and value followed by a 0xFF byte, as 16 hex digits."""
    h = 14695981039346656037
    for name in sorted(labels):
        for chunk in (name.encode(), b"\xff", labels[name].encode(), b"\xff"):
            for byte in chunk:
                h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def http_get(base, path):
    """(status, body text) of GET base+path."""
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class ChannelCase(unittest.TestCase):
    """Resets the stand-ins before each test; after it, none of the answers it got nor the log so far
    may hold a secret."""

    def setUp(self):
        HOOK.reset()
        TG.reset()
        if SMTP:
            SMTP.clear()
        self._answers_from = len(ANSWERS)

    def tearDown(self):
        for method, path, r in ANSWERS[self._answers_from:]:
            self.assertNotIn(MARK, r.body, "%s %s answered a secret: %r" % (method, path, r))
        self.assertNotIn(MARK, S.read_log(), "a secret is in Sentinel's log")

    def assertDelivered(self, r, channel):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"channel_id": channel["id"], "status": "delivered"})

    def assertNotDelivered(self, r, status, retry_after=None):
        """502 with `status` ("retry" | "failed"), a detail, and retry_after_sec only when given."""
        self.assertEqual(r.status, 502, r)
        body = r.json()
        self.assertEqual(body["status"], status, r)
        self.assertIsInstance(body["detail"], str)
        self.assertTrue(body["detail"].strip(), r)
        if retry_after is None:
            self.assertNotIn("retry_after_sec", body, r)
        else:
            self.assertEqual(body["retry_after_sec"], retry_after, r)
        return body["detail"]

    def only_request(self):
        """The one request the receiver got (the test button answers after the send: no waiting)."""
        reqs = HOOK.requests()
        self.assertEqual(len(reqs), 1, [(q["method"], q["path"]) for q in reqs])
        self.assertEqual(reqs[0]["method"], "POST")
        return reqs[0]


class HttpFailures:
    """The answers every HTTP channel must classify alike; a subclass sets make_channel()."""

    def make_channel(self):
        raise NotImplementedError

    def test_429_with_retry_after_is_retry_with_the_wait(self):
        ch = self.make_channel()
        HOOK.configure(fail_next=1, fail_status=429, retry_after=7)
        detail = self.assertNotDelivered(press(ch), "retry", retry_after=7)
        self.assertIn("429", detail)
        self.only_request()

    def test_500_is_retry(self):
        ch = self.make_channel()
        HOOK.configure(fail_next=1, fail_status=500)
        detail = self.assertNotDelivered(press(ch), "retry")
        self.assertIn("500", detail)
        self.only_request()

    def test_400_is_failed_with_the_targets_words(self):
        ch = self.make_channel()
        HOOK.configure(status=400, response_body=self.bad_request_body)
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertIn("400", detail)
        self.assertIn(self.bad_request_words, detail)
        self.only_request()


class TestSlack(HttpFailures, ChannelCase):
    bad_request_body = "invalid_payload"  # what an incoming webhook answers, as plain text
    bad_request_words = "invalid_payload"

    def make_channel(self):
        self.path = "/services/T0SENT/B0SENT/" + MARK
        return create_channel("slack", {"webhook_url": HOOK.url + self.path})

    def test_block_kit_message(self):
        ch = self.make_channel()
        self.assertDelivered(press(ch), ch)
        req = self.only_request()
        self.assertEqual(req["path"], self.path)
        self.assertTrue(req["headers"].get("Content-Type", "").startswith("application/json"), req["headers"])
        body = req["json"]
        self.assertIsNotNone(body, req["json_error"])
        self.assertIn(TEST_RULE, body["text"])  # the notification's fallback text
        blocks = body["blocks"]
        self.assertLessEqual(len(blocks), 50)  # Slack's limit per message
        for b in blocks:
            self.assertIn(b["type"], {"header", "section", "context", "divider"}, b)
        header = blocks[0]
        self.assertEqual(header["type"], "header")
        self.assertEqual(header["text"]["type"], "plain_text")
        self.assertIn("[FIRING:1] " + TEST_RULE, header["text"]["text"])
        self.assertLessEqual(len(header["text"]["text"]), 150)
        sections = [b for b in blocks if b["type"] == "section"]
        self.assertTrue(sections)
        for s in sections:
            self.assertEqual(s["text"]["type"], "mrkdwn")
            self.assertLessEqual(len(s["text"]["text"]), 3000)
        self.assertTrue(any(ch["name"] in s["text"]["text"] or "1 alert" in s["text"]["text"] for s in sections))
        contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
        self.assertIn("<%s/events|" % PUBLIC_URL, " ".join(contexts))

    def test_429_with_an_http_date_retry_after(self):
        # Retry-After may be an HTTP-date (RFC 9110 10.2.3): the wait is the time until then.
        ch = self.make_channel()
        HOOK.configure(fail_next=1, fail_status=429, retry_after=email.utils.formatdate(time.time() + 30, usegmt=True))
        r = press(ch)
        self.assertEqual((r.status, r.json()["status"]), (502, "retry"), r)
        self.assertGreaterEqual(r.json().get("retry_after_sec", 0), 25, r)
        self.assertLessEqual(r.json()["retry_after_sec"], 31, r)


class TestDiscord(HttpFailures, ChannelCase):
    bad_request_body = json.dumps({"message": "Invalid Form Body", "code": 50035,
                                   "errors": {"embeds": {"0": {"description": {"_errors": []}}}}})
    bad_request_words = "Invalid Form Body"

    def make_channel(self):
        self.path = "/api/webhooks/1234567890/" + MARK
        return create_channel("discord", {"webhook_url": HOOK.url + self.path})

    def test_content_and_an_embed(self):
        ch = self.make_channel()
        HOOK.configure(status=204, response_body="")  # Discord: 204 No Content without ?wait=true
        self.assertDelivered(press(ch), ch)
        req = self.only_request()
        self.assertEqual(req["path"], self.path)
        body = req["json"]
        self.assertIsNotNone(body, req["json_error"])
        self.assertIn(TEST_RULE, body["content"])
        self.assertLessEqual(len(body["content"]), 2000)
        self.assertEqual(body["allowed_mentions"], {"parse": []})  # no @everyone from an alert's text
        self.assertEqual(len(body["embeds"]), 1)
        embed = body["embeds"][0]
        self.assertIn("[FIRING:1] " + TEST_RULE, embed["title"])
        self.assertLessEqual(len(embed["title"]), 256)
        self.assertTrue(embed["description"])
        self.assertLessEqual(len(embed["description"]), 4096)
        self.assertIsInstance(embed["color"], int)
        self.assertTrue(embed["footer"]["text"])
        self.assertEqual(embed["url"], PUBLIC_URL + "/events")
        parse_time(embed["timestamp"])

    def test_429_with_the_wait_in_the_body_is_retry(self):
        # Discord's rate limit answer carries the wait as JSON seconds (a fraction rounds up).
        ch = self.make_channel()
        HOOK.configure(status=429, response_body=json.dumps(
            {"message": "You are being rate limited.", "retry_after": 1.5, "global": False}))
        detail = self.assertNotDelivered(press(ch), "retry", retry_after=2)
        self.assertIn("rate limited", detail)


class TestNtfy(HttpFailures, ChannelCase):
    bad_request_body = json.dumps({"code": 40013, "http": 400, "error": "invalid request: priority invalid"})
    bad_request_words = "priority invalid"

    def make_channel(self, token=True):
        self.topic = unique("sentinel-alerts")
        settings = {"url": HOOK.url + "/" + self.topic}
        if token:
            settings["token"] = "tk_" + MARK
        return create_channel("ntfy", settings)

    def test_headers_and_plain_text_body(self):
        ch = self.make_channel()
        HOOK.configure(response_body=json.dumps({"id": "abc", "event": "message", "topic": self.topic}))
        self.assertDelivered(press(ch), ch)
        req = self.only_request()
        self.assertEqual(req["path"], "/" + self.topic)
        h = req["headers"]
        self.assertEqual(h.get("Authorization"), "Bearer tk_" + MARK)
        self.assertEqual(h.get("Title"), "[FIRING:1] " + TEST_RULE)
        self.assertEqual(h.get("Priority"), "3")  # info; critical would be 5
        self.assertEqual(h.get("Tags"), "rotating_light,info")
        self.assertEqual(h.get("Click"), PUBLIC_URL + "/events")
        self.assertTrue(h.get("Content-Type", "").startswith("text/plain"), h)
        self.assertIsNone(req["json"])  # the message is the body itself, not JSON
        self.assertIn("1 alert firing", req["body"])
        self.assertLessEqual(len(req["body"].encode()), 4096)

    def test_without_a_token_no_authorization(self):
        ch = self.make_channel(token=False)
        self.assertDelivered(press(ch), ch)
        self.assertNotIn("Authorization", self.only_request()["headers"])


class TestPagerDuty(HttpFailures, ChannelCase):
    bad_request_body = json.dumps({"status": "invalid event", "message": "Event object is invalid",
                                   "errors": ["Length of 'routing_key' is incorrect (should be 32 characters)"]})
    bad_request_words = "Event object is invalid"

    def make_channel(self, name=None):
        self.routing_key = "R" + MARK
        return create_channel("pagerduty", {"routing_key": self.routing_key, "api_url": HOOK.url + "/v2/enqueue"},
                              name=name)

    def test_events_v2_trigger(self):
        ch = self.make_channel()
        HOOK.configure(status=202, response_body=json.dumps(
            {"status": "success", "message": "Event processed", "dedup_key": "x"}))
        self.assertDelivered(press(ch), ch)
        req = self.only_request()
        self.assertEqual(req["path"], "/v2/enqueue")
        ev = req["json"]
        self.assertIsNotNone(ev, req["json_error"])
        self.assertEqual(ev["routing_key"], self.routing_key)
        self.assertEqual(ev["event_action"], "trigger")
        # The alert's series fingerprint, so trigger and resolve of one alert meet.
        series = fingerprint({"channel": ch["name"], "test": "true"})
        self.assertRegex(ev["dedup_key"], r"^sentinel:\d+:%s$" % series)
        self.assertLessEqual(len(ev["dedup_key"]), 255)
        p = ev["payload"]
        self.assertIn(ch["name"], p["summary"])
        self.assertLessEqual(len(p["summary"].encode()), 1024)
        self.assertEqual(p["severity"], "info")
        self.assertIn(p["severity"], {"critical", "error", "warning", "info"})
        self.assertEqual(p["source"], "sentinel")
        parse_time(p["timestamp"])
        self.assertEqual(p["group"], TEST_RULE)
        self.assertIsInstance(p["custom_details"], dict)
        self.assertEqual(ev["client"], "Sentinel")
        self.assertEqual(ev["client_url"], PUBLIC_URL)

    def test_the_same_test_alert_keeps_its_dedup_key(self):
        ch = self.make_channel()
        HOOK.configure(status=202)
        self.assertDelivered(press(ch), ch)
        self.assertDelivered(press(ch), ch)
        keys = [q["json"]["dedup_key"] for q in HOOK.requests()]
        self.assertEqual(len(keys), 2)
        self.assertEqual(keys[0], keys[1])

    def test_429_without_retry_after_is_retry(self):
        # PagerDuty's own throttling answer: 429, no Retry-After.
        ch = self.make_channel()
        HOOK.configure(status=429, response_body=json.dumps({"status": "throttle event", "message":
                                                             "Requests for this service are arriving too quickly."}))
        detail = self.assertNotDelivered(press(ch), "retry")
        self.assertIn("arriving too quickly", detail)


class TestWebhook(HttpFailures, ChannelCase):
    bad_request_body = json.dumps({"error": "unknown receiver"})
    bad_request_words = "unknown receiver"

    def make_channel(self, **auth):
        self.path = "/hook/" + MARK
        settings = {"url": HOOK.url + self.path + "?token=" + MARK}
        settings.update(auth or {"bearer_token": "B" + MARK})
        return create_channel("webhook", settings)

    def check_alertmanager_v4(self, payload, ch):
        self.assertEqual(payload["version"], "4")
        self.assertEqual(payload["status"], "firing")
        self.assertIsInstance(payload["receiver"], str)
        self.assertEqual(payload["externalURL"], PUBLIC_URL)
        self.assertIsInstance(payload["groupKey"], str)
        self.assertEqual(payload["truncatedAlerts"], 0)
        self.assertEqual(payload["groupLabels"], {"alertname": TEST_RULE})
        self.assertEqual(len(payload["alerts"]), 1)
        alert = payload["alerts"][0]
        self.assertEqual(alert["status"], "firing")
        labels = alert["labels"]
        self.assertEqual(labels["alertname"], TEST_RULE)
        self.assertEqual(labels["severity"], "info")
        self.assertEqual(labels["channel"], ch["name"])
        self.assertEqual(labels["test"], "true")
        self.assertTrue(alert["annotations"]["summary"])
        parse_time(alert["startsAt"])
        self.assertEqual(alert["endsAt"], "0001-01-01T00:00:00Z")  # Go's zero time while firing
        self.assertIn("generatorURL", alert)
        self.assertEqual(alert["fingerprint"], fingerprint(labels))
        for k, v in payload["commonLabels"].items():
            self.assertEqual(labels[k], v)

    def test_alertmanager_v4_payload_with_a_bearer_token(self):
        ch = self.make_channel()
        self.assertDelivered(press(ch), ch)
        req = self.only_request()
        self.assertEqual(req["path"], self.path)
        self.assertEqual(req["query"], "token=" + MARK)
        self.assertEqual(req["headers"].get("Authorization"), "Bearer B" + MARK)
        self.assertTrue(req["headers"].get("Content-Type", "").startswith("application/json"))
        self.check_alertmanager_v4(req["json"], ch)

    def test_basic_auth(self):
        ch = self.make_channel(username="alertmanager", password="P" + MARK)
        self.assertDelivered(press(ch), ch)
        req = self.only_request()
        expected = "Basic " + base64.b64encode(("alertmanager:P" + MARK).encode()).decode()
        self.assertEqual(req["headers"].get("Authorization"), expected)
        self.check_alertmanager_v4(req["json"], ch)

    def test_a_receiver_refusing_the_credentials_is_failed(self):
        ch = self.make_channel()
        HOOK.configure(require_headers={"Authorization": "Bearer something-else"})
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertIn("401", detail)

    def test_secrets_kept_through_an_edit_are_the_ones_sent(self):
        # The console's edit: the channel as fetched ("***" for each secret) sent back with a new name.
        ch = self.make_channel()
        fetched = api("GET", "%s%d" % (BASE, ch["id"])).json()
        self.assertEqual(fetched["settings"], {"url": "***", "bearer_token": "***"})
        edited = api("PATCH", "%s%d" % (BASE, ch["id"]),
                     {"name": fetched["name"] + "-renamed", "type": "webhook", "settings": fetched["settings"]})
        self.assertEqual(edited.status, 200, edited)
        self.assertDelivered(press(ch), ch)
        req = self.only_request()
        self.assertEqual((req["path"], req["query"]), (self.path, "token=" + MARK))
        self.assertEqual(req["headers"].get("Authorization"), "Bearer B" + MARK)
        self.assertEqual(req["json"]["alerts"][0]["labels"]["channel"], fetched["name"] + "-renamed")

    def test_a_receiver_that_never_answers_is_retry_after_the_timeout(self):
        # Every request has a timeout (10 s for the test button): a hung receiver is a temporary failure.
        ch = self.make_channel()
        HOOK.configure(delay_seconds=11)
        started = time.monotonic()
        detail = self.assertNotDelivered(press(ch), "retry")
        self.assertLess(time.monotonic() - started, 11, "the answer waited for the receiver")
        self.assertRegex(detail.lower(), r"timed out|timeout")
        HOOK.wait_for_requests(1, timeout=5)  # the receiver records it once its delay is over
        self.only_request()

    def test_a_refusal_that_echoes_the_secret_path_does_not_show_it(self):
        # A receiver that echoes the path of the request it refuses (Express's default 404,
        # "Cannot POST /hook/<secret>") while the URL has a query: the path alone is a secret
        # too (notify/outbound_request.cpp url_secrets()). Its own secret, not MARK, so that
        # the module-wide checks stay meaningful for every other test.
        secret = "hookpath" + secrets.token_hex(8)
        ch = create_channel("webhook", {"url": HOOK.url + "/hook/" + secret + "?source=sentinel"})
        HOOK.configure(status=404, response_body=(
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
            '</head>\n<body>\n<pre>Cannot POST /hook/%s</pre>\n</body>\n</html>\n' % secret))
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertIn("404", detail)
        self.assertNotIn(secret, detail)

    def test_a_short_secret_is_not_cut_out_of_sentinels_own_words(self):
        # Only the target's words are searched for secrets (notify/http_answer.cpp result()):
        # bearer token "b" must not turn "webhook" into "we<redacted>hook", which would both
        # garble the detail and give the token away by the gap.
        ch = create_channel("webhook", {"url": "http://%s/hook" % UNREACHABLE, "bearer_token": "b"})
        detail = self.assertNotDelivered(press(ch), "retry")
        self.assertTrue(detail.startswith("webhook (%s): " % UNREACHABLE), detail)
        self.assertNotIn("<redacted>", detail)


class TestTelegram(ChannelCase):
    CHAT = -1001234567890

    def make_channel(self, token=None, chat=None):
        return create_channel("telegram", {"bot_token": token or TG.token, "chat_id": chat or self.CHAT,
                                           "message_thread_id": 7, "api_url": TG.url})

    def test_send_message_with_telegram_html(self):
        ch = self.make_channel()
        self.assertDelivered(press(ch), ch)
        msgs = TG.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(len(TG.requests()), 1)
        m = msgs[0]
        self.assertEqual(m["token"], TG.token)
        self.assertEqual(m["chat_id"], self.CHAT)
        self.assertEqual(m["message_thread_id"], 7)
        self.assertEqual(m["parse_mode"], "HTML")  # and the fake parsed it as Telegram does
        self.assertIn(TEST_RULE, m["plain_text"])
        self.assertIn(ch["name"], m["plain_text"])
        self.assertEqual(TG.requests()[0]["path"], "/bot%s/sendMessage" % TG.token)

    def test_429_is_retry_with_telegrams_retry_after(self):
        ch = self.make_channel()
        TG.configure(fail_next=1, fail_status=429, retry_after=3)
        detail = self.assertNotDelivered(press(ch), "retry", retry_after=3)
        self.assertIn("Too Many Requests", detail)

    def test_a_server_error_is_retry(self):
        ch = self.make_channel()
        TG.configure(fail_next=1, fail_status=502)
        detail = self.assertNotDelivered(press(ch), "retry")
        self.assertIn("Bad Gateway", detail)

    def test_an_unknown_chat_is_failed(self):
        ch = self.make_channel(chat=-1009999)
        TG.configure(bad_chats=[-1009999])
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertIn("chat not found", detail)

    def test_a_wrong_token_is_failed_and_not_shown(self):
        ch = self.make_channel(token="654321:" + MARK + "-wrong")
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertIn("Unauthorized", detail)
        self.assertEqual(TG.messages(), [])


class TestEmail(ChannelCase):
    @classmethod
    def setUpClass(cls):
        if SMTP is None:
            raise unittest.SkipTest(SMTP_ERROR)

    def make_channel(self, **extra):
        settings = {"smtp_host": "127.0.0.1", "smtp_port": SMTP.port, "security": "none",
                    "from": "sentinel@example.com", "to": ["ops@example.com", "oncall@example.com"]}
        settings.update(extra)
        return create_channel("email", settings)

    def test_one_message_to_both_recipients_with_text_and_html(self):
        ch = self.make_channel()
        self.assertDelivered(press(ch), ch)
        msgs = SMTP.messages()
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["mail_from"], "sentinel@example.com")
        self.assertEqual(m["rcpt_tos"], ["ops@example.com", "oncall@example.com"])
        self.assertIsNone(m["login"])
        self.assertEqual(m["from"], "sentinel@example.com")
        self.assertEqual(m["to"], "ops@example.com, oncall@example.com")
        self.assertEqual(m["subject"], "[FIRING:1] " + TEST_RULE)
        self.assertEqual(m["type"], "multipart/alternative")
        self.assertEqual(m["defects"], [])
        self.assertEqual([p["type"] for p in m["parts"]], ["text/plain", "text/html"])
        text, html = m["parts"][0]["text"], m["parts"][1]["text"]
        self.assertIn(TEST_RULE, text)
        self.assertIn(ch["name"], text)
        self.assertIn(TEST_RULE, html)
        self.assertIn("<html", html.lower())
        headers = m["content"].split("\r\n\r\n", 1)[0]
        self.assertRegex(headers, r"(?m)^Date: ")
        self.assertRegex(headers, r"(?m)^Message-ID: <[^>]+>")
        self.assertRegex(headers, r"(?m)^MIME-Version: 1\.0")

    def test_logs_in_with_the_stored_credentials(self):
        ch = self.make_channel(username=SMTP_USER, password=SMTP_PASSWORD)
        self.assertDelivered(press(ch), ch)
        msgs = SMTP.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["login"], SMTP_USER)
        self.assertEqual([a["success"] for a in msgs[0]["auth"]], [True])

    def test_a_refused_recipient_does_not_stop_the_other(self):
        ch = self.make_channel(to=["unknown-user@example.com", "ops@example.com"])
        self.assertDelivered(press(ch), ch)
        msgs = SMTP.messages()
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0]["rcpt_tos"], ["ops@example.com"])
        self.assertEqual(msgs[0]["to"], "unknown-user@example.com, ops@example.com")

    def test_every_recipient_refused_is_failed_with_the_servers_reply(self):
        ch = self.make_channel(to=["unknown-a@example.com", "unknown-b@example.com"])
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertIn("550", detail)
        self.assertEqual(SMTP.messages(), [])

    def test_greylisting_is_retry(self):
        ch = self.make_channel(to=["greylist@example.com"])
        detail = self.assertNotDelivered(press(ch), "retry")
        self.assertIn("450", detail)
        self.assertEqual(SMTP.messages(), [])

    def test_starttls_not_offered_is_failed_and_no_password_goes_in_clear(self):
        # security "starttls" means STARTTLS or nothing: this server offers none (no certificate).
        ch = self.make_channel(security="starttls", username=SMTP_USER, password=SMTP_PASSWORD)
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertIn("127.0.0.1", detail)
        self.assertEqual(SMTP.messages(), [])
        self.assertEqual(SMTP.auth_attempts(), [])

    def test_a_refused_login_is_failed_without_the_password(self):
        ch = self.make_channel(username=SMTP_USER, password="wrong-" + MARK)
        detail = self.assertNotDelivered(press(ch), "failed")
        self.assertEqual(SMTP.messages(), [])
        self.assertTrue(SMTP.auth_attempts())
        self.assertFalse(any(a["success"] for a in SMTP.auth_attempts()))
        self.assertIn("127.0.0.1", detail)


class TestAlertmanager(ChannelCase):
    @classmethod
    def setUpClass(cls):
        if not AM_URL:
            raise unittest.SkipTest("needs scripts/test-env's alertmanager (SENTINEL_TEST_ALERTMANAGER_URL): "
                                    "run through ctest")

    def alerts_of(self, ch):
        """What the Alertmanager holds for this channel's test alert (GET /api/v2/alerts, filtered)."""
        q = urllib.parse.urlencode({"filter": 'channel="%s"' % ch["name"]})
        status, raw = http_get(AM_URL, "/api/v2/alerts?" + q)
        self.assertEqual(status, 200, raw)
        return json.loads(raw)

    def check_test_alert(self, alerts, ch):
        self.assertEqual(len(alerts), 1, alerts)
        a = alerts[0]
        labels = a["labels"]
        self.assertEqual(labels["alertname"], TEST_RULE)
        self.assertEqual(labels["severity"], "info")
        self.assertEqual(labels["channel"], ch["name"])
        self.assertEqual(labels["test"], "true")
        self.assertEqual(labels["server"], "sentinel")
        self.assertEqual(a["status"]["state"], "active")
        self.assertEqual(a["fingerprint"], fingerprint(labels))
        self.assertTrue(a["annotations"]["summary"])
        # Firing: endsAt is Sentinel's resend timeout ahead, so the alert stays active until then.
        self.assertGreater(parse_time(a["endsAt"]), datetime.datetime.now(datetime.timezone.utc))
        self.assertLessEqual(parse_time(a["startsAt"]), datetime.datetime.now(datetime.timezone.utc))
        self.assertEqual(a["receivers"], [{"name": "null"}])

    def test_the_alert_reaches_a_real_alertmanager(self):
        ch = create_channel("alertmanager", {"urls": [AM_URL]})
        self.assertDelivered(press(ch), ch)
        self.check_test_alert(self.alerts_of(ch), ch)

    def test_one_unreachable_url_of_two_is_retry_and_the_other_still_gets_it(self):
        ch = create_channel("alertmanager", {"urls": [AM_URL + "/api/v2/alerts/", "http://%s" % UNREACHABLE]})
        detail = self.assertNotDelivered(press(ch), "retry")
        self.assertIn(UNREACHABLE, detail)
        self.assertIn("1 of 2", detail)
        self.check_test_alert(self.alerts_of(ch), ch)


class TestUnreachable(ChannelCase):
    """Nothing listens at the target: 502 "retry" (the outbox would try again), a detail that names the
    host and the failure, and none of the secrets in the URL or settings."""

    def check(self, type_, settings, host=UNREACHABLE):
        ch = create_channel(type_, settings)
        r = press(ch)
        detail = self.assertNotDelivered(r, "retry")
        self.assertIn(host, detail)
        self.assertRegex(detail.lower(), r"connect|refused")
        return detail

    def test_webhook(self):
        self.check("webhook", {"url": "http://%s/hook/%s?k=%s" % (UNREACHABLE, MARK, MARK), "bearer_token": MARK})

    def test_slack(self):
        self.check("slack", {"webhook_url": "http://%s/services/T0/B0/%s" % (UNREACHABLE, MARK)})

    def test_discord(self):
        self.check("discord", {"webhook_url": "http://%s/api/webhooks/1/%s" % (UNREACHABLE, MARK)})

    def test_pagerduty(self):
        self.check("pagerduty", {"routing_key": MARK, "api_url": "http://%s/v2/enqueue" % UNREACHABLE})

    def test_telegram(self):
        self.check("telegram", {"bot_token": "123:" + MARK, "chat_id": 1, "api_url": "http://" + UNREACHABLE})

    def test_ntfy(self):
        self.check("ntfy", {"url": "http://%s/topic" % UNREACHABLE, "token": MARK})

    def test_alertmanager(self):
        self.check("alertmanager", {"urls": ["http://" + UNREACHABLE]})

    def test_email(self):
        self.check("email", {"smtp_host": "127.0.0.1", "smtp_port": 1, "security": "none", "username": "u",
                             "password": MARK, "from": "sentinel@example.com", "to": ["ops@example.com"]},
                   host="127.0.0.1")


class TestSecretsStayHidden(ChannelCase):
    def test_channels_read_back_masked(self):
        create_channel("webhook", {"url": HOOK.url + "/hook/" + MARK, "username": "u", "password": MARK})
        create_channel("telegram", {"bot_token": "1:" + MARK, "chat_id": 1, "api_url": TG.url})
        r = api("GET", BASE)
        self.assertEqual(r.status, 200, r)
        listed = r.json()
        self.assertTrue(listed)
        for ch in listed:
            one = api("GET", "%s%d" % (BASE, ch["id"]))
            self.assertEqual(one.status, 200, one)
        # tearDown checks every answer above (and every earlier one of this test) for MARK.


if __name__ == "__main__":
    unittest.main()
