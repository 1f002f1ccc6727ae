"""Alert-engine edge cases end to end, beside test_alerting.py (product.md §3 "Alert rules", §5):

- no_data_state: "alerting" fires when a host's series vanish (its exporter fails, so `up` == 0
  and the series go stale) and resolves when data returns below the threshold; a query that
  returns nothing at all from the start fires too (one series with labels {}), and that alert
  ends once data arrives; "keep_last" keeps a firing series firing while its data is gone;
  "ok" (the default) resolves it.
- recovery_threshold hysteresis: fire above 90, still firing at 85, resolved at 75, and 85 does
  not fire again.
- HTTPS_PROXY / NO_PROXY: Telegram and webhook requests go through a recording HTTP proxy run by
  this module (absolute-form request lines), and NO_PROXY=127.0.0.1 bypasses it.
- A message over Telegram's 4096 UTF-16 units is cut with "…" and its markup stays balanced (the
  fake Telegram parses it as Telegram does). The API refuses descriptions over 2000 characters
  (checked with 6000), so the message outgrows the limit through a 2000-character description
  (markup-like text, emoji, Cyrillic) plus a long rule name and server name.
- Telegram answering 400 "chat not found": the event is "failed" after one attempt, and the bot
  token is in no log and no API answer.
- A webhook answering 500 twice (with Retry-After: 1, to stay quick: without it the backoff is
  5 s, then 10 s), then 200: firing then resolved, in order; the event ends "sent".

A real Sentinel (ALERT_CHECK_INTERVAL_SEC=1) on the shared test Prometheus, scraping FixtureHost
targets; the fake Telegram, the webhook receiver and the proxy run in threads of this process.
Two more Sentinels (same fakes) differ only by HTTPS_PROXY / NO_PROXY.
"""
import calendar
import http.client
import os
import secrets
import sys
import threading
import time
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
from alerting_support import EVENTS, RULES, AlertingView, kind_of, uniq
from fixtures import FixtureHost, prometheus_value, wait_for

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from fake_telegram import FakeTelegram, utf16_len  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402

# Random, so that finding it anywhere is never a coincidence.
BOT_TOKEN = "424242:edge-" + secrets.token_hex(12)
CHAT_ID = -1009876543210
HOOK_PATH = "/hooks/edge"
ELLIPSIS = "\u2026"

S = None        # the Sentinel of most tests (no proxy)
A = None        # AlertingView of S, TG and HOOK
SP = None       # HTTPS_PROXY=<PROXY>
SN = None       # HTTPS_PROXY=<PROXY>, NO_PROXY=127.0.0.1
TG = None       # FakeTelegram
HOOK = None     # WebhookReceiver
PROXY = None    # RecordingProxy
HOSTS = {}      # role -> FixtureHost
SERVERS = {}    # (sentinel, role) -> registered server (JSON)
# Host roles, one test each (the rules use node_load1 > 2 unless said otherwise).
ROLES = {
    "nd_alerting": {"load1": 1.0},
    "nd_empty": {"load1": 1.0, "fail_status": 503},  # never scraped successfully: no node_load1 at all
    "nd_keep": {"load1": 5.0},
    "nd_ok": {"load1": 5.0},
    "hysteresis": {"load1": 95.0},
    "hot": {"load1": 5.0},       # stays above the threshold: proxy and 400 tests
    "long": {"load1": 5.0},
    "hook": {"load1": 5.0},
}
# The "long" server's name: 255 characters, mostly emoji (about 490 UTF-16 units); messages show it twice.
LONG_SERVER_NAME = ("srv-\u0421\u0435\u0440\u0432\u0435\u0440-" + "\U0001F5A5" * 255)[:255]

# Markup-like text, emoji (2 UTF-16 units each) and Cyrillic: 21 characters, 28 UTF-16 units.
DESCRIPTION_PIECE = ("\U0001F525\U0001F600<b>\U0001F4A5&amp;\U0001F525\U0001F600"
                     "\u0416\u0451 &<\u0448\U0001F4A5\U0001F600")


# --- a forward HTTP proxy -----------------------------------------------------------------

HOP_BY_HOP = {"connection", "proxy-connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length"}


class RecordingProxy:
    """A plain HTTP forward proxy (absolute-form requests to http:// URLs; no CONNECT) that
    records every request line and body, then forwards the request and relays the answer."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 60

            def log_message(self, *args):
                pass

            def do_CONNECT(self):
                proxy._record({"line": self.requestline, "body": "", "status": 405})
                self._answer(405, [], b"CONNECT not supported by this test proxy\n")

            def do_GET(self):
                self._forward()

            do_POST = do_PUT = do_DELETE = do_GET

            def _answer(self, status, headers, body):
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in HOP_BY_HOP and k.lower() not in ("server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n > 0 else b""
                entry = {"line": self.requestline, "body": body.decode("utf-8", "replace"),
                         "headers": dict(self.headers.items()), "time": time.time()}
                url = urllib.parse.urlsplit(self.path)
                if url.scheme != "http" or not url.hostname:
                    entry["status"] = 400
                    proxy._record(entry)
                    return self._answer(400, [], b"absolute-form http:// URL expected\n")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
                try:
                    conn.request(self.command, url.path + ("?" + url.query if url.query else ""),
                                 body=body if n > 0 else None, headers=headers)
                    r = conn.getresponse()
                    status, answer_headers, answer = r.status, r.getheaders(), r.read()
                except OSError as e:
                    status, answer_headers, answer = 502, [], ("upstream: %s\n" % e).encode()
                finally:
                    conn.close()
                entry["status"] = status
                proxy._record(entry)
                self._answer(status, answer_headers, answer)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = None

    def _record(self, entry):
        with self._lock:
            self._seen.append(entry)

    def seen(self):
        with self._lock:
            return list(self._seen)

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="recording-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self._thread:
            self._thread.join(5)


# --- module set-up ------------------------------------------------------------------------

def sentinel_env(**extra):
    env = {
        "ALERT_CHECK_INTERVAL_SEC": "1",
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_CHAT_ID": str(CHAT_ID),
        "TELEGRAM_API_URL": TG.url,
        "WEBHOOK_URL": HOOK.url + HOOK_PATH,
        # debug: the most the process ever writes, so a token leak at any level would show
        "LOG_LEVEL": "debug",
    }
    env.update(extra)
    return env


def setUpModule():
    if not harness.test_env("PROMETHEUS_URL") or not harness.test_env("FIXTURE_EXPORTER"):
        raise unittest.SkipTest("needs scripts/test-env (Prometheus and the fixture exporter): run through ctest")
    try:
        start_everything()
    except BaseException:
        tearDownModule()  # unittest does not call it when setUpModule fails
        raise


def start_everything():
    global S, SP, SN, TG, HOOK, PROXY, A
    # Targets first: Prometheus picks them up while the rest starts.
    for role, values in ROLES.items():
        HOSTS[role] = FixtureHost(**values)
    TG = FakeTelegram(token=BOT_TOKEN).start()
    HOOK = WebhookReceiver().start()
    PROXY = RecordingProxy().start()
    S = harness.Sentinel(sentinel_env()).start()
    A = AlertingView(S, TG, HOOK)
    SP = harness.Sentinel(sentinel_env(HTTPS_PROXY=PROXY.url)).start()
    SN = harness.Sentinel(sentinel_env(HTTPS_PROXY=PROXY.url, NO_PROXY="127.0.0.1")).start()
    for role in ROLES:
        SERVERS[(S, role)] = server(S, role, name=LONG_SERVER_NAME if role == "long" else None)
    for sentinel in (SP, SN):
        SERVERS[(sentinel, "hot")] = server(sentinel, "hot")
    for role, host in HOSTS.items():
        if ROLES[role].get("fail_status"):
            wait_for(lambda: host.up() == 0.0, 30, "up{%s} == 0" % host.selector)
        else:
            host.wait_until_scraped()


def tearDownModule():
    errors = []

    def attempt(step, *args):
        try:
            step(*args)
        except Exception as e:  # clean up the rest, then report the first failure
            errors.append(e)

    for h in HOSTS.values():
        attempt(h.remove)
    for sentinel in (SN, SP, S):
        if sentinel:
            if sentinel.proc and sentinel.proc.poll() is not None:
                sys.stderr.write("sentinel died (exit %s); its log:\n%s\n"
                                 % (sentinel.proc.returncode, sentinel.read_log()))
            attempt(sentinel.stop)
            attempt(sentinel.close)
    for fake in (TG, HOOK, PROXY):
        if fake:
            attempt(fake.stop)
    if errors:
        raise errors[0]


# --- helpers (as in test_alerting.py, with the Sentinel as a parameter) --------------------


def server(sentinel, role, name=None):
    host = HOSTS[role]
    r = sentinel.request("POST", "/api/v1/servers/", {"name": name or uniq("srv-" + role), "job_name": host.job,
                                                      "instance": host.instance}, token=sentinel.admin_token)
    assert r.status == 201, r
    return r.json()


def create_rule(testcase, name, role, sentinel=None, **kw):
    """POSTs a rule (node_load1 of the role's server > 2, no repeats, Telegram) and deletes it
    when the test ends."""
    s = sentinel or S
    body = {"name": name, "server_id": SERVERS[(s, role)]["id"], "metric_name": "load1",
            "promql": 'node_load1{instance="$instance",job="$job"}', "threshold": 2, "comparison": ">",
            "repeat_interval_sec": 0, "channel": "telegram"}
    body.update(kw)
    r = s.request("POST", RULES, body, token=s.admin_token)
    testcase.assertEqual(r.status, 201, r)
    rule = r.json()
    testcase.addCleanup(lambda: s.request("DELETE", RULES + "%d" % rule["id"], token=s.admin_token))
    return rule



def evaluations_after(rule_id, t, count, sentinel=None):
    """Waits until the rule has been evaluated `count` seconds (= evaluations) after time t."""
    def done():
        at = A.get_rule(rule_id, sentinel)["last_evaluated_at"]
        return at and calendar.timegm(time.strptime(at, "%Y-%m-%dT%H:%M:%SZ")) >= int(t) + count
    wait_for(done, count + 10, "%d evaluations of rule %d" % (count, rule_id))



def proxied(name):
    """Requests the proxy saw whose body names this rule."""
    return [r for r in PROXY.seen() if name[-8:] in r["body"]]


def read_log(sentinel):
    """The whole log (harness.Sentinel.read_log gives only its end)."""
    with open(sentinel.log_path, encoding="utf-8", errors="replace") as f:
        return f.read()


def load1(host):
    return prometheus_value("node_load1{%s}" % host.selector)


def go_dark(host):
    """The host's exporter fails: up == 0, and Prometheus marks its series stale at once."""
    host.set(fail_status=503)
    wait_for(lambda: load1(host) is None, 15, "node_load1 of %s to go stale" % host.instance)


# --- tests --------------------------------------------------------------------------------

class NoData(unittest.TestCase):
    def test_alerting_fires_when_the_host_vanishes_and_resolves_when_data_returns(self):
        host, srv = HOSTS["nd_alerting"], SERVERS[(S, "nd_alerting")]
        name = uniq("nd-alerting")
        rule = create_rule(self, name, "nd_alerting", no_data_state="alerting")
        self.assertEqual(rule["no_data_state"], "alerting")
        A.rule_with(evaluated=True, rule_id=rule["id"], state="inactive", last_value=1.0)  # evaluated: below the threshold
        self.assertEqual(A.rule_events(rule["id"]), [])

        go_dark(host)
        ev = A.event_with(rule["id"], status="firing")
        self.assertEqual((ev["server_id"], ev["labels"].get("instance")), (srv["id"], host.instance))
        self.assertIsNone(ev["value"])  # no data, not the last value seen
        self.assertIn("no data", ev["message"])
        self.assertNotIn("1 > 2", ev["message"])  # the last value (1) never met the condition
        msg = A.wait_messages(name, "firing")[0]
        self.assertIn("no data", msg["plain_text"])
        self.assertNotIn("1 > 2", msg["plain_text"])
        self.assertEqual(A.get_rule(rule["id"])["state"], "firing")

        host.set(fail_status=None)  # back, still at 1.0 < 2
        ev = A.event_with(rule["id"], status="resolved", notification_status="sent")
        self.assertEqual(ev["value"], 1.0)
        A.wait_messages(name, "resolved")
        A.rule_with(evaluated=True, rule_id=rule["id"], state="inactive", last_value=1.0)
        self.assertEqual([kind_of(m) for m in A.messages(name)], ["firing", "resolved"])

    def test_alerting_fires_on_an_empty_result_and_ends_once_data_arrives(self):
        host, srv = HOSTS["nd_empty"], SERVERS[(S, "nd_empty")]
        self.assertIsNone(load1(host))  # never scraped successfully
        name = uniq("nd-empty")
        rule = create_rule(self, name, "nd_empty", no_data_state="alerting")
        ev = A.event_with(rule["id"], status="firing")
        self.assertEqual(ev["labels"], {})
        self.assertEqual(ev["server_id"], srv["id"])
        self.assertIsNone(ev["value"])
        self.assertIn("no data", ev["message"])
        msg = A.wait_messages(name, "firing")[0]
        self.assertIn(srv["name"], msg["plain_text"])
        A.rule_with(evaluated=True, rule_id=rule["id"], state="firing")

        host.set(fail_status=None)  # data arrives, at 1.0 < 2
        wait_for(lambda: load1(host) == 1.0, 15, "node_load1 of %s" % host.instance)
        # The "no data at all" alert is over; the series that arrived is below the threshold.
        ev = A.event_with(rule["id"], status="resolved", notification_status="sent")
        self.assertEqual(ev["labels"], {})
        A.wait_messages(name, "resolved")
        A.rule_with(evaluated=True, rule_id=rule["id"], state="inactive", last_value=1.0)
        evaluations_after(rule["id"], time.time(), 2)
        self.assertEqual(len(A.rule_events(rule["id"])), 1)
        self.assertEqual([kind_of(m) for m in A.messages(name)], ["firing", "resolved"])

    def test_keep_last_keeps_firing_while_data_is_gone(self):
        host = HOSTS["nd_keep"]
        name = uniq("nd-keep")
        rule = create_rule(self, name, "nd_keep", no_data_state="keep_last")
        first = A.event_with(rule["id"], status="firing", notification_status="sent")
        A.wait_messages(name, "firing")

        go_dark(host)
        evaluations_after(rule["id"], time.time(), 3)  # three evaluations without data
        self.assertEqual(A.get_rule(rule["id"])["state"], "firing")
        self.assertEqual(A.rule_events(rule["id"]), [first])
        self.assertEqual([kind_of(m) for m in A.messages(name)], ["firing"])

        host.set(load1=1.0, fail_status=None)  # data returns, below the threshold
        ev = A.event_with(rule["id"], status="resolved", notification_status="sent")
        self.assertEqual((ev["id"], ev["value"]), (first["id"], 1.0))
        A.wait_messages(name, "resolved")
        A.rule_with(evaluated=True, rule_id=rule["id"], state="inactive", last_value=1.0)

    def test_ok_is_the_default_and_resolves_on_disappearance(self):
        host = HOSTS["nd_ok"]
        name = uniq("nd-ok")
        rule = create_rule(self, name, "nd_ok")
        self.assertEqual(rule["no_data_state"], "ok")
        first = A.event_with(rule["id"], status="firing", notification_status="sent")
        A.wait_messages(name, "firing")

        go_dark(host)
        ev = A.event_with(rule["id"], status="resolved", notification_status="sent")
        self.assertEqual(ev["id"], first["id"])
        self.assertEqual(ev["value"], 5.0)  # the last value seen stays
        A.wait_messages(name, "resolved")
        A.rule_with(evaluated=True, rule_id=rule["id"], state="inactive")
        evaluations_after(rule["id"], time.time(), 2)  # still gone: nothing more happens
        self.assertEqual([kind_of(m) for m in A.messages(name)], ["firing", "resolved"])
        self.assertEqual(len(A.rule_events(rule["id"])), 1)


class Hysteresis(unittest.TestCase):
    def test_recovery_threshold_keeps_firing_until_it_is_crossed(self):
        host = HOSTS["hysteresis"]
        name = uniq("hysteresis")
        rule = create_rule(self, name, "hysteresis", threshold=90, recovery_threshold=80)
        self.assertEqual(rule["recovery_threshold"], 80)
        first = A.event_with(rule["id"], status="firing", notification_status="sent")
        self.assertEqual(first["value"], 95.0)
        A.wait_messages(name, "firing")

        host.set(load1=85.0)  # below the threshold, above the recovery threshold
        A.rule_with(evaluated=True, rule_id=rule["id"], state="firing", last_value=85.0)
        evaluations_after(rule["id"], time.time(), 2)
        self.assertEqual(A.get_rule(rule["id"])["state"], "firing")
        self.assertEqual(A.rule_events(rule["id"])[0]["status"], "firing")
        self.assertEqual(A.messages(name, "resolved"), [])

        host.set(load1=75.0)  # past the recovery threshold
        ev = A.event_with(rule["id"], status="resolved", notification_status="sent")
        self.assertEqual((ev["id"], ev["value"]), (first["id"], 75.0))
        A.wait_messages(name, "resolved")

        host.set(load1=85.0)  # back above the recovery threshold: firing again needs > 90
        A.rule_with(evaluated=True, rule_id=rule["id"], state="inactive", last_value=85.0)
        evaluations_after(rule["id"], time.time(), 2)
        self.assertEqual(len(A.rule_events(rule["id"])), 1)
        self.assertEqual([kind_of(m) for m in A.messages(name)], ["firing", "resolved"])


class Proxy(unittest.TestCase):
    def test_https_proxy_carries_telegram_and_webhook_requests(self):
        name, hooked = uniq("via-proxy"), uniq("hook-via-proxy")
        create_rule(self, name, "hot", sentinel=SP)
        create_rule(self, hooked, "hot", sentinel=SP, channel="webhook")
        msg = A.wait_messages(name, "firing")[0]
        self.assertEqual(msg["token"], BOT_TOKEN)
        seen = wait_for(lambda: proxied(name), 5, "the proxy to record the sendMessage")
        self.assertEqual([(r["line"], r["status"]) for r in seen],
                         [("POST http://127.0.0.1:%d/bot%s/sendMessage HTTP/1.1" % (TG.port, BOT_TOKEN), 200)])
        self.assertEqual(len(A.telegram_requests(name)), 1)  # through the proxy only, not also directly

        wait_for(lambda: A.hook_requests(hooked), 20, "the webhook")
        seen = wait_for(lambda: proxied(hooked), 5, "the proxy to record the webhook")
        self.assertEqual([(r["line"], r["status"]) for r in seen],
                         [("POST http://127.0.0.1:%d%s HTTP/1.1" % (HOOK.port, HOOK_PATH), 200)])
        self.assertEqual(len(A.hook_requests(hooked)), 1)

    def test_no_proxy_bypasses_it(self):
        name, hooked = uniq("no-proxy"), uniq("hook-no-proxy")
        create_rule(self, name, "hot", sentinel=SN)
        create_rule(self, hooked, "hot", sentinel=SN, channel="webhook")
        A.wait_messages(name, "firing")
        wait_for(lambda: A.hook_requests(hooked), 20, "the webhook")
        self.assertEqual(proxied(name), [])
        self.assertEqual(proxied(hooked), [])
        self.assertEqual([r["status"] for r in A.telegram_requests(name)], [200])


class Telegram(unittest.TestCase):
    def test_a_message_over_the_limit_is_cut_with_its_markup_balanced(self):
        # The API keeps descriptions to 2000 characters...
        name = uniq("long")
        r = S.request("POST", RULES, {"name": name, "server_id": SERVERS[(S, "long")]["id"], "metric_name": "load1",
                                      "promql": 'node_load1{instance="$instance",job="$job"}', "threshold": 2,
                                      "comparison": ">", "description": "x" * 6000}, token=S.admin_token)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "description"])
        # ...so the message outgrows Telegram's limit through a long rule name, a long server name
        # and a description of 2000 characters of markup-like text, emoji (2 UTF-16 units) and Cyrillic.
        description = (DESCRIPTION_PIECE * 100)[:2000]
        name = (uniq("long") + " \u0422\u0440\u0435\u0432\u043e\u0433\u0430 " + "\U0001F6A8" * 255)[:255]
        self.assertGreater(2 * utf16_len(name) + 2 * utf16_len(LONG_SERVER_NAME) + utf16_len(description), 4096 + 500)
        rule = create_rule(self, name, "long", description=description)
        msg = A.wait_messages(name, "firing")[0]
        self.assertEqual([r["status"] for r in A.telegram_requests(name)], [200])  # the fake parsed its HTML
        plain = msg["plain_text"]
        self.assertLessEqual(utf16_len(plain), 4096)
        self.assertGreater(utf16_len(plain), 4096 - 10)  # cut at the limit, not far before it
        self.assertTrue(plain.endswith(ELLIPSIS), plain[-50:])
        # The cut falls in the description, the last line, which is in italics: "…" then "</i>".
        self.assertTrue(msg["text"].endswith(ELLIPSIS + "</i>"), msg["text"][-80:])
        last = max(msg["entities"], key=lambda e: e["offset"])
        self.assertEqual((last["type"], last["offset"] + last["length"]), ("italic", utf16_len(plain)))
        # What is kept of the description is a prefix of it: no entity, character or emoji broken.
        kept = plain[plain.index(description[:20]):-1]
        self.assertTrue(description.startswith(kept), kept[-40:])
        self.assertGreater(len(kept), 100)
        # Everything before it is whole.
        self.assertIn(name, plain.split("\n", 1)[0])
        self.assertIn(LONG_SERVER_NAME, plain)
        A.event_with(rule["id"], notification_status="sent")

    def test_chat_not_found_fails_at_once_and_the_token_stays_secret(self):
        failed = S.self_metric("sentinel_notifications_total", channel="telegram", result="failed")
        name = uniq("no-chat")
        # What Telegram answers for a chat the bot is not in (fail_status 400: "Bad Request: chat not found").
        TG.configure(fail_next=100, fail_match=name[-8:], fail_status=400)
        self.addCleanup(lambda: TG.configure(fail_next=None, fail_match=None, fail_status=None))
        rule = create_rule(self, name, "hot")
        ev = A.event_with(rule["id"], status="firing", notification_status="failed")
        reqs = A.telegram_requests(name)
        self.assertEqual([(r["status"], r["response"]["description"]) for r in reqs],
                         [(400, "Bad Request: chat not found")])
        wait_for(lambda: S.self_metric("sentinel_notifications_total", channel="telegram", result="failed")
                 >= failed + 1, 5, "sentinel_notifications_total{result=failed} to grow")
        time.sleep(1.5)  # "failed" is final: no second attempt
        self.assertEqual(len(A.telegram_requests(name)), 1)
        self.assertEqual(A.messages(name), [])
        self.assertEqual(A.rule_events(rule["id"])[0]["notification_status"], "failed")

        secrets_ = {BOT_TOKEN, BOT_TOKEN.split(":", 1)[1], urllib.parse.quote(BOT_TOKEN, safe="")}
        # Not in any log (every Sentinel of this module, at LOG_LEVEL=debug)...
        self.assertIn("chat not found", read_log(S))  # the failure is logged: this is the right log
        for sentinel in (S, SP, SN):
            text = read_log(sentinel)
            for secret in secrets_:
                self.assertNotIn(secret, text, sentinel.log_path)
        # ...nor in any API answer.
        for path in (EVENTS, EVENTS + "%d" % ev["id"], EVENTS + "?rule_id=%d" % rule["id"], RULES,
                     RULES + "%d" % rule["id"], "/api/v1/servers/", "/api/v1/auth/me", "/api/v1/users/",
                     "/api/v1/alerts/silences/", "/api/v1/health/readiness", "/api/v1/health/liveness",
                     "/metrics", "/openapi.json"):
            r = S.request("GET", path, token=S.admin_token)
            self.assertEqual(r.status, 200, (path, r))
            for secret in secrets_:
                self.assertNotIn(secret, r.body, path)
        r = S.request("POST", RULES + "%d/test" % rule["id"], token=S.admin_token)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(BOT_TOKEN, r.body)


class Webhook(unittest.TestCase):
    def test_500_twice_then_delivered_in_order(self):
        host = HOSTS["hook"]
        HOOK.configure(fail_next=2, fail_status=500, retry_after=1)
        self.addCleanup(lambda: HOOK.configure(fail_next=None, fail_status=None, retry_after=None))
        name = uniq("hook-500")
        rule = create_rule(self, name, "hook", channel="webhook")
        first = wait_for(lambda: A.hook_requests(name), 20, "the first (failing) webhook")[0]
        self.assertEqual((first["status"], first["json"]["status"]), (500, "firing"))
        host.set(load1=0.5)  # resolves while the firing notification is being retried
        A.event_with(rule["id"], status="resolved")

        def delivered():
            reqs = A.hook_requests(name)
            return len([r for r in reqs if r["status"] == 200]) >= 2 and reqs
        reqs = wait_for(delivered, 20, "both webhooks delivered")
        self.assertEqual([(r["status"], r["json"]["status"]) for r in reqs],
                         [(500, "firing"), (500, "firing"), (200, "firing"), (200, "resolved")])
        # Retried after Retry-After (1 s; stored times are whole seconds), not at once.
        self.assertGreaterEqual(reqs[1]["time"] - reqs[0]["time"], 1 - 0.05)
        self.assertGreaterEqual(reqs[2]["time"] - reqs[1]["time"], 1 - 0.05)
        self.assertEqual(reqs[2]["json"]["alerts"][0]["fingerprint"], reqs[3]["json"]["alerts"][0]["fingerprint"])
        A.event_with(rule["id"], status="resolved", notification_status="sent")


if __name__ == "__main__":
    unittest.main()
