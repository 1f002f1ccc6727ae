"""POST /api/v1/alerts/channels/{id}/test (product.md §9): the channel's "send test" button sends a test
message now, with the stored settings (secrets included), through the same formatting as alerts, and
answers what the target said: 200 when it took the message, 502 with its answer when not (a temporary
failure as "retry"). Targets are the recording webhook receiver speaking each service's protocol."""
import os
import sys
import unittest

import harness
from harness import Sentinel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from webhook_receiver import WebhookReceiver  # noqa: E402

S = None
HOOK = None
TOKENS = {}
BASE = "/api/v1/alerts/channels/"


def setUpModule():
    global S, HOOK
    HOOK = WebhookReceiver().start()
    S = Sentinel({"PUBLIC_URL": "https://sentinel.example.com"}).start()
    for role in ("viewer", "editor"):
        S.create_user("%s@example.com" % role, "%s-password" % role, role=role)
        TOKENS[role] = S.login("%s@example.com" % role, "%s-password" % role)


def tearDownModule():
    S.stop()
    S.close()
    HOOK.stop()


def channel(name, type_, settings):
    r = S.request("POST", BASE, {"name": name, "type": type_, "settings": settings}, token=TOKENS["editor"])
    assert r.status == 201, r
    return r.json()["id"]


def test_button(channel_id, token=None):
    return S.request("POST", "%s%d/test" % (BASE, channel_id), token=token or TOKENS["editor"])


class TestButton(unittest.TestCase):
    def setUp(self):
        HOOK.reset()

    def test_webhook_gets_an_alertmanager_payload_with_its_bearer_token(self):
        cid = channel("wh", "webhook", {"url": HOOK.url + "/hook", "bearer_token": "tok-123"})
        r = test_button(cid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"channel_id": cid, "status": "delivered"})
        req = HOOK.wait_for_requests(1)[0]
        self.assertEqual(req["path"], "/hook")
        self.assertEqual(req["headers"].get("Authorization"), "Bearer tok-123")
        payload = req["json"]
        self.assertEqual(payload["version"], "4")
        self.assertEqual(payload["alerts"][0]["labels"]["alertname"], "Sentinel test notification")
        self.assertEqual(payload["externalURL"], "https://sentinel.example.com")

    def test_slack_gets_block_kit(self):
        cid = channel("slack", "slack", {"webhook_url": HOOK.url + "/services/T0/B0/x"})
        self.assertEqual(test_button(cid).status, 200)
        body = HOOK.wait_for_requests(1)[0]["json"]
        self.assertIn("blocks", body)
        self.assertIn("Sentinel test notification", body["text"])

    def test_pagerduty_triggers_with_the_routing_key(self):
        cid = channel("pd", "pagerduty", {"routing_key": "rk-1", "api_url": HOOK.url + "/v2/enqueue"})
        HOOK.configure(status=202, response_body='{"status":"success","dedup_key":"x"}')
        self.assertEqual(test_button(cid).status, 200)
        body = HOOK.wait_for_requests(1)[0]["json"]
        self.assertEqual((body["routing_key"], body["event_action"]), ("rk-1", "trigger"))

    def test_a_refusing_target_is_a_502_with_its_answer(self):
        cid = channel("wh-404", "webhook", {"url": HOOK.url + "/gone"})
        HOOK.configure(status=404, response_body="no such hook")
        r = test_button(cid)
        self.assertEqual(r.status, 502, r)
        self.assertEqual(r.json()["status"], "failed")
        self.assertIn("404", r.json()["detail"])

    def test_a_busy_target_is_a_502_retry_with_its_wait(self):
        cid = channel("wh-429", "webhook", {"url": HOOK.url + "/busy"})
        HOOK.configure(fail_next=1, fail_status=429, retry_after=7)
        r = test_button(cid)
        self.assertEqual(r.status, 502, r)
        self.assertEqual((r.json()["status"], r.json()["retry_after_sec"]), ("retry", 7))

    def test_an_unreachable_target_is_a_502_retry(self):
        cid = channel("wh-closed", "webhook", {"url": "http://127.0.0.1:%d/x" % harness.free_port()})
        r = test_button(cid)
        self.assertEqual(r.status, 502, r)
        self.assertEqual(r.json()["status"], "retry")

    def test_records_nothing(self):
        cid = channel("wh-quiet", "webhook", {"url": HOOK.url + "/quiet"})
        self.assertEqual(test_button(cid).status, 200)
        events = S.request("GET", "/api/v1/alerts/events/", token=TOKENS["editor"])
        self.assertEqual(events.json(), [])

    def test_roles_and_unknown_channels(self):
        cid = channel("wh-roles", "webhook", {"url": HOOK.url + "/roles"})
        self.assertEqual(test_button(cid, token=TOKENS["viewer"]).status, 403)
        self.assertEqual(test_button(999999).status, 404)
        self.assertEqual(HOOK.requests(), [])


if __name__ == "__main__":
    unittest.main()
