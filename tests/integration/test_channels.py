"""Notification channels as data (product.md §9): CRUD by role, 422s that name the setting, secrets that
never come back (API, audit log, log output, database file), rules' channel_ids, and moving the secrets
to a new SECRET_KEY with `sentinel channels rekey`."""
import json
import os
import secrets
import subprocess
import unittest

import harness
from harness import Sentinel

S = None
TOKENS = {}
# Every secret value sent in this module contains MARK, so one search finds any leak.
MARK = "SECRET" + secrets.token_hex(8)
BASE = "/api/v1/alerts/channels/"


def setUpModule():
    global S
    # debug: the most the log ever says, where a leaked secret would show up.
    S = Sentinel({"LOG_LEVEL": "debug"}).start()
    for role in ("viewer", "editor"):
        S.create_user("%s@example.com" % role, "%s-password" % role, role=role)
        TOKENS[role] = S.login("%s@example.com" % role, "%s-password" % role)
    TOKENS["admin"] = S.admin_token


def tearDownModule():
    S.stop()
    S.close()


def examples(tag):
    """One channel of each type, every secret carrying MARK."""
    return [
        {"name": "tg-" + tag, "type": "telegram", "default_for_severities": ["critical"],
         "settings": {"bot_token": "123456:" + MARK + "-tg", "chat_id": -1001234567890, "message_thread_id": 7}},
        {"name": "wh-" + tag, "type": "webhook",
         "settings": {"url": "https://hooks.example.com/" + MARK + "/x?k=" + MARK, "bearer_token": MARK + "-b"}},
        {"name": "wh-basic-" + tag, "type": "webhook",
         "settings": {"url": "https://hooks.example.com/" + MARK, "username": "alice", "password": MARK + "-pw"}},
        {"name": "slack-" + tag, "type": "slack",
         "settings": {"webhook_url": "https://hooks.slack.com/services/T0/B0/" + MARK}},
        {"name": "discord-" + tag, "type": "discord",
         "settings": {"webhook_url": "https://discord.com/api/webhooks/1/" + MARK}},
        {"name": "email-" + tag, "type": "email", "send_resolved": False,
         "settings": {"smtp_host": "smtp.example.com", "smtp_port": 587, "security": "starttls",
                      "username": "sentinel", "password": MARK + "-smtp", "from": "sentinel@example.com",
                      "to": ["ops@example.com", "oncall@example.com"]}},
        {"name": "pd-" + tag, "type": "pagerduty", "default_for_severities": ["warning", "critical"],
         "settings": {"routing_key": MARK + "-rk"}},
        {"name": "am-" + tag, "type": "alertmanager", "settings": {"urls": ["http://am-1:9093", "http://am-2:9093"]}},
        {"name": "ntfy-" + tag, "type": "ntfy", "settings": {"url": "https://ntfy.sh/sentinel-alerts",
                                                             "token": MARK + "-ntfy"}},
    ]


SECRET_KEYS = {"telegram": {"bot_token"}, "webhook": {"url", "bearer_token", "password"},
               "slack": {"webhook_url"}, "discord": {"webhook_url"}, "email": {"password"},
               "pagerduty": {"routing_key"}, "alertmanager": set(), "ntfy": {"token"}}


def create(body, token=None, expect=201):
    r = S.request("POST", BASE, body, token=token or TOKENS["editor"])
    assert r.status == expect, r
    return r.json()


def locs(r):
    assert r.status == 422, r
    return [e["loc"] for e in r.json()["detail"]]


def rule_body(**kw):
    body = {"name": "cpu", "server_id": None, "metric_name": "cpu", "promql": "up", "threshold": 0.5,
            "comparison": "<", "channel": "none"}
    body.update(kw)
    return body


def stored_text(sentinel):
    """Everything the database holds about channels (and the audit log), as text or bytes."""
    if harness.DB_KIND == "sqlite":
        out = b""
        for suffix in ("", "-wal", "-shm"):
            path = sentinel.db.path + suffix
            if os.path.exists(path):
                with open(path, "rb") as f:
                    out += f.read()
        return out.decode("latin-1")
    r = subprocess.run(["psql", sentinel.db.url, "-At", "-c",
                        "SELECT string_agg(settings || ' ' || secrets, E'\\n') FROM notification_channels UNION ALL "
                        "SELECT string_agg(changes, E'\\n') FROM audit_log"],
                       capture_output=True, text=True, check=True)
    return r.stdout


class Crud(unittest.TestCase):
    def test_every_type_round_trips_with_its_secrets_masked(self):
        answers = []
        for body in examples("crud"):
            c = create(body)
            answers.append(json.dumps(c))
            self.assertEqual(set(c), {"id", "name", "type", "settings", "send_resolved", "default_for_severities",
                                      "created_at", "updated_at"})
            self.assertEqual(c["send_resolved"], body.get("send_resolved", True))
            self.assertEqual(c["default_for_severities"], body.get("default_for_severities", []))
            for key, value in body["settings"].items():
                if key in SECRET_KEYS[body["type"]]:
                    self.assertEqual(c["settings"][key], "***", (body["type"], key))
                elif key == "chat_id":
                    self.assertEqual(c["settings"][key], str(value))
                else:
                    self.assertEqual(c["settings"][key], value, (body["type"], key))
            got = S.request("GET", BASE + str(c["id"]), token=TOKENS["viewer"])
            self.assertEqual(got.status, 200, got)
            self.assertEqual(got.json(), c)
            answers.append(got.body)
        listed = S.request("GET", BASE + "?limit=1000", token=TOKENS["viewer"])
        self.assertEqual(listed.status, 200)
        answers.append(listed.body)
        only = S.request("GET", BASE + "?type=pagerduty", token=TOKENS["viewer"]).json()
        self.assertTrue(only and all(c["type"] == "pagerduty" for c in only))
        self.assertEqual(S.request("GET", BASE + "?type=sms", token=TOKENS["viewer"]).status, 422)
        for text in answers:
            self.assertNotIn(MARK, text)

    def test_roles(self):
        body = examples("roles")[6]
        self.assertEqual(S.request("POST", BASE, body).status, 401)
        self.assertEqual(S.request("POST", BASE, body, token=TOKENS["viewer"]).status, 403)
        c = create(body, TOKENS["editor"])
        path = BASE + str(c["id"])
        self.assertEqual(S.request("GET", BASE, token=TOKENS["viewer"]).status, 200)
        self.assertEqual(S.request("GET", path, token=TOKENS["viewer"]).status, 200)
        self.assertEqual(S.request("PATCH", path, {"name": "x"}, token=TOKENS["viewer"]).status, 403)
        self.assertEqual(S.request("DELETE", path, token=TOKENS["viewer"]).status, 403)
        self.assertEqual(S.request("PATCH", path, {"name": "pd-renamed"}, token=TOKENS["editor"]).json()["name"],
                         "pd-renamed")
        self.assertEqual(S.request("DELETE", path, token=TOKENS["admin"]).status, 204)
        self.assertEqual(S.request("GET", path, token=TOKENS["viewer"]).json(), {"detail": "Channel not found"})
        self.assertEqual(S.request("DELETE", path, token=TOKENS["editor"]).status, 404)
        self.assertEqual(S.request("PATCH", path, {"name": "y"}, token=TOKENS["editor"]).status, 404)

    def test_duplicate_name_is_409(self):
        body = examples("dup")[3]
        create(body)
        r = S.request("POST", BASE, body, token=TOKENS["editor"])
        self.assertEqual((r.status, r.json()), (409, {"detail": "Channel with this name already exists"}))

    def test_patch_keeps_omitted_and_placeholder_secrets_and_a_new_type_needs_all_settings(self):
        c = create(examples("patch")[0])
        path = BASE + str(c["id"])
        r = S.request("PATCH", path, {"settings": {"chat_id": "@ops", "bot_token": "***"}}, token=TOKENS["editor"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["settings"], {"bot_token": "***", "chat_id": "@ops", "message_thread_id": 7})
        r = S.request("PATCH", path, {"settings": {"message_thread_id": None}, "send_resolved": False},
                      token=TOKENS["editor"])
        self.assertEqual(r.json()["settings"], {"bot_token": "***", "chat_id": "@ops"})
        self.assertFalse(r.json()["send_resolved"])
        # GET → PATCH round trip: the object as fetched is accepted back unchanged.
        fetched = S.request("GET", path, token=TOKENS["editor"]).json()
        r = S.request("PATCH", path, fetched, token=TOKENS["editor"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["settings"], fetched["settings"])

        r = S.request("PATCH", path, {"type": "slack"}, token=TOKENS["editor"])
        self.assertEqual(locs(r), [["body", "settings"]])
        r = S.request("PATCH", path, {"type": "slack", "settings": {"webhook_url": "***"}}, token=TOKENS["editor"])
        self.assertEqual(locs(r), [["body", "settings", "webhook_url"]])
        r = S.request("PATCH", path, {"type": "slack", "settings": {"webhook_url": "https://hooks.slack.com/" + MARK}},
                      token=TOKENS["editor"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["settings"], {"webhook_url": "***"})
        self.assertNotIn(MARK, r.body)

    def test_body_limits(self):
        huge = dict(examples("huge")[6], name="x" * (2 * 1024 * 1024))
        self.assertEqual(S.request("POST", BASE, huge, token=TOKENS["editor"]).status, 413)
        many = dict(examples("many")[7])
        many["settings"] = {"urls": ["http://am-%d:9093" % i for i in range(101)]}
        self.assertEqual(locs(S.request("POST", BASE, many, token=TOKENS["editor"])), [["body", "settings", "urls"]])


class Validation(unittest.TestCase):
    def post(self, body):
        return S.request("POST", BASE, body, token=TOKENS["editor"])

    def test_missing_unknown_and_malformed_settings_are_named(self):
        self.assertEqual(locs(self.post({"name": "v1", "type": "webhook", "settings": {}})),
                         [["body", "settings", "url"]])
        self.assertEqual(locs(self.post({"name": "v2", "type": "slack",
                                         "settings": {"webhook_url": "https://h/x", "channel": "#ops"}})),
                         [["body", "settings", "channel"]])
        self.assertEqual(locs(self.post({"name": "v3", "type": "slack", "settings": {"webhook_url": "ftp://h/x"}})),
                         [["body", "settings", "webhook_url"]])
        self.assertEqual(locs(self.post({"name": "v4", "type": "ntfy", "settings": {"url": "https://u:p@ntfy.sh/t"}})),
                         [["body", "settings", "url"]])
        r = self.post({"name": "v5", "type": "email", "settings": {
            "smtp_host": "smtp.example.com", "smtp_port": 0, "security": "ssl", "from": "nobody",
            "to": ["ops@example.com", "not an address"]}})
        self.assertEqual(locs(r), [["body", "settings", "smtp_port"], ["body", "settings", "security"],
                                   ["body", "settings", "from"], ["body", "settings", "to", "1"]])
        self.assertEqual(locs(self.post({"name": "v6", "type": "sms", "settings": {}})), [["body", "type"]])
        self.assertEqual(locs(self.post({"name": "v7", "type": "slack"})), [["body", "settings"]])
        self.assertEqual(locs(self.post({"name": "", "type": "pagerduty", "settings": {"routing_key": "k"},
                                         "default_for_severities": ["page"], "extra": 1})),
                         [["body", "name"], ["body", "default_for_severities", "0"], ["body", "extra"]])
        self.assertEqual(locs(self.post({"name": "v8", "type": "pagerduty", "settings": {"routing_key": "***"}})),
                         [["body", "settings", "routing_key"]])
        self.assertEqual(locs(self.post({"name": "v9", "type": "webhook", "settings": {
            "url": "https://h/x", "bearer_token": "t", "username": "u", "password": "p"}})),
                         [["body", "settings", "bearer_token"]])
        r = S.request("POST", BASE, raw="{not json", token=TOKENS["editor"], headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 422)


class RulesAndChannels(unittest.TestCase):
    def test_channel_ids_must_exist_and_a_channel_in_use_is_not_deleted(self):
        c = create(examples("rules")[6])
        r = S.request("POST", "/api/v1/alerts/rules/", rule_body(name="missing", channel_ids=[999999]),
                      token=TOKENS["editor"])
        self.assertEqual(locs(r), [["body", "channel_ids"]])
        self.assertIn("999999", r.json()["detail"][0]["msg"])
        r = S.request("POST", "/api/v1/alerts/rules/", rule_body(name="High CPU", channel_ids=[c["id"], c["id"]],
                                                                 group_wait_sec=0, group_interval_sec=60),
                      token=TOKENS["editor"])
        self.assertEqual(r.status, 201, r)
        rule = r.json()
        self.assertEqual((rule["channel_ids"], rule["group_wait_sec"], rule["group_interval_sec"]), ([c["id"]], 0, 60))

        r = S.request("DELETE", BASE + str(c["id"]), token=TOKENS["editor"])
        self.assertEqual((r.status, r.json()), (409, {"detail": "channel is used by rules: High CPU (#%d)" % rule["id"]}))

        rule_path = "/api/v1/alerts/rules/%d" % rule["id"]
        r = S.request("PATCH", rule_path, {"channel_ids": [c["id"], 999998]}, token=TOKENS["editor"])
        self.assertEqual(locs(r), [["body", "channel_ids"]])
        r = S.request("PATCH", rule_path, {"group_wait_sec": 3601, "group_interval_sec": 0}, token=TOKENS["editor"])
        self.assertEqual(locs(r), [["body", "group_wait_sec"], ["body", "group_interval_sec"]])
        r = S.request("PATCH", rule_path, {"description": "unchanged channels"}, token=TOKENS["editor"])
        self.assertEqual(r.json()["channel_ids"], [c["id"]], "PATCH without channel_ids keeps them")
        r = S.request("PATCH", rule_path, {"channel_ids": [], "group_wait_sec": None}, token=TOKENS["editor"])
        self.assertEqual((r.json()["channel_ids"], r.json()["group_wait_sec"]), ([], None))
        self.assertEqual(S.request("DELETE", BASE + str(c["id"]), token=TOKENS["editor"]).status, 204)

        r = S.request("POST", "/api/v1/alerts/rules/preview", rule_body(channel_ids=[c["id"]]), token=TOKENS["editor"])
        self.assertEqual(locs(r), [["body", "channel_ids"]])

    def test_existing_clients_that_omit_the_new_fields_keep_working(self):
        r = S.request("POST", "/api/v1/alerts/rules/", rule_body(name="old client"), token=TOKENS["editor"])
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json()["channel_ids"], r.json()["group_wait_sec"], r.json()["group_interval_sec"]),
                         ([], None, None))


class SecretsStayInside(unittest.TestCase):
    def test_audit_log_masks_secrets(self):
        c = create(examples("audit")[6])
        S.request("PATCH", BASE + str(c["id"]), {"settings": {"routing_key": MARK + "-rotated"}, "name": "pd-audit-2"},
                  token=TOKENS["editor"])
        S.request("DELETE", BASE + str(c["id"]), token=TOKENS["editor"])
        entries = S.request("GET", "/api/v1/audit/?target_type=channel&target_id=%d" % c["id"],
                            token=TOKENS["admin"]).json()
        self.assertEqual([e["action"] for e in entries], ["channel.delete", "channel.update", "channel.create"])
        self.assertEqual(entries[1]["changes"]["settings.routing_key"], ["***", "***"])
        self.assertEqual(entries[1]["changes"]["name"], ["pd-audit", "pd-audit-2"])
        self.assertEqual(entries[2]["changes"]["settings"][1]["routing_key"], "***")
        everything = S.request("GET", "/api/v1/audit/?limit=1000", token=TOKENS["admin"])
        self.assertNotIn(MARK, everything.body)

    def test_not_in_answers_nor_the_log_nor_in_clear_in_the_database(self):
        # Every kind of write that carries a secret: creates of each type, a secret replaced, a type
        # changed, and refused bodies (a 422 never echoes what was sent).
        created = [create(body) for body in examples("stored")]
        answers = []
        r = S.request("PATCH", BASE + str(created[0]["id"]), {"settings": {"bot_token": "9:" + MARK}},
                      token=TOKENS["editor"])
        answers.append(r.body)
        r = S.request("PATCH", BASE + str(created[3]["id"]),
                      {"type": "discord", "settings": {"webhook_url": "https://discord.com/api/webhooks/2/" + MARK}},
                      token=TOKENS["editor"])
        answers.append(r.body)
        for bad in ({"name": "bad-1", "type": "slack", "settings": {"webhook_url": "ftp://" + MARK}},
                    {"name": "bad-2", "type": "webhook", "settings": {"url": "https://h/" + MARK, "bearer_token": MARK,
                                                                      "username": "u", "password": MARK}},
                    {"name": "bad-3", "type": "telegram", "settings": {"bot_token": MARK + "\r\nX: 1", "chat_id": 1}}):
            r = S.request("POST", BASE, bad, token=TOKENS["editor"])
            self.assertEqual(r.status, 422, r)
            answers.append(r.body)
        answers.append(S.request("GET", BASE + "?limit=1000", token=TOKENS["viewer"]).body)
        for text in answers:
            self.assertNotIn(MARK, text)

        with open(S.log_path, encoding="utf-8", errors="replace") as f:
            log = f.read()
        self.assertNotIn(MARK, log)
        stored = stored_text(S)
        self.assertIn("v1:", stored, "the sealed secrets are there")
        self.assertNotIn(MARK, stored)


class Rekey(unittest.TestCase):
    """A Sentinel of its own: its SECRET_KEY changes."""

    def test_rekey_moves_the_secrets_and_the_old_key_no_longer_opens_them(self):
        old_key, new_key = "old-" + secrets.token_hex(24), "new-" + secrets.token_hex(24)
        s = Sentinel({"SECRET_KEY": old_key}).start()
        try:
            token = s.admin_token
            ids = []
            for body in examples("rekey")[:3]:
                r = s.request("POST", BASE, body, token=token)
                self.assertEqual(r.status, 201, r)
                ids.append(r.json()["id"])
            key_file = os.path.join(s.workdir, "old.key")
            with open(key_file, "w") as f:
                f.write(old_key + "\n")

            r = s.cli("channels", "rekey", "--old-secret-key-file", key_file, extra_env={"SECRET_KEY": new_key})
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("re-encrypted the secrets of 3 channel(s)", r.stdout)
            # Again: nothing left to do.
            r = s.cli("channels", "rekey", "--old-secret-key-file", key_file, extra_env={"SECRET_KEY": new_key})
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("3 already used it", r.stdout)
            # The old key opens nothing any more: a move from it to a third key is refused, changing nothing.
            r = s.cli("channels", "rekey", "--old-secret-key-file", key_file,
                      extra_env={"SECRET_KEY": "third-" + secrets.token_hex(24)})
            self.assertEqual(r.returncode, 1)
            self.assertIn("neither", r.stderr)
            # The process still on the old key cannot keep a secret it cannot open: 409, nothing lost.
            r = s.request("PATCH", BASE + str(ids[0]), {"name": "renamed"}, token=token)
            self.assertEqual(r.status, 409, r)
            self.assertIn("rekey", r.json()["detail"])
            missing = s.cli("channels", "rekey", "--old-secret-key-file", key_file + ".nope",
                            extra_env={"SECRET_KEY": new_key})
            self.assertEqual(missing.returncode, 2)

            s.stop()
            s.env["SECRET_KEY"] = new_key
            s._token = None
            s.start()
            token = s.admin_token
            r = s.request("PATCH", BASE + str(ids[0]), {"name": "renamed"}, token=token)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["settings"]["bot_token"], "***")
            entries = s.request("GET", "/api/v1/audit/?action=channel.rekey", token=token).json()
            self.assertEqual(len(entries), 3)
            self.assertEqual({e["via"] for e in entries}, {"cli"})
            self.assertNotIn(MARK, stored_text(s))
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
