"""Roles, API tokens, the audit log and sessions that end with their right (product.md §7).

The role matrix is generated from the route table itself (`sentinel routes`), so a new route is
checked for every role without anyone remembering to add it here."""
import json
import subprocess
import time
import unittest

import harness
from harness import BIN, Sentinel
from ws_client import WsClient

S = None
TOKENS = {}
RANK = {"public": 0, "viewer": 1, "editor": 2, "admin": 3}


def setUpModule():
    global S
    S = Sentinel().start()
    for role in ("viewer", "editor"):
        S.create_user("%s@example.com" % role, "%s-password" % role, role=role)
        TOKENS[role] = S.login("%s@example.com" % role, "%s-password" % role)
    TOKENS["admin"] = S.admin_token


def tearDownModule():
    S.stop()
    S.close()


def route_table():
    out = subprocess.run([BIN, "routes"], capture_output=True, text=True, timeout=30, check=True).stdout
    return json.loads(out)


def concrete(path):
    # Ids that exist nowhere: a call that is allowed then answers 404 or 422, never changes anything.
    return path.replace("{file}", "index.html").replace("{", "").replace("}", "").replace(
        "server_id", "999999").replace("rule_id", "999999").replace("event_id", "999999").replace(
        "silence_id", "999999").replace("user_id", "999999").replace("token_id", "999999").replace(
        "channel_id", "999999")


def wait_for_close(ws, timeout):
    """The close code the server sends within `timeout` (data frames are skipped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = ws.recv(timeout=max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            return None
        if msg[0] == "close":
            return msg[1]
    return None


def open_events(token, server=None):
    return WsClient.connect("127.0.0.1", (server or S).port, "/ws/events?token=" + token, timeout=10)


class RoleMatrix(unittest.TestCase):
    def test_every_route_enforces_its_role_for_every_role(self):
        rows = [r for r in route_table() if r["transport"] == "http" and r["path"] != "/api/v1/auth/login"]
        self.assertGreater(len(rows), 35)
        for row in rows:
            path = concrete(row["path"])
            body = {} if row["method"] in ("POST", "PATCH", "PUT") else None
            anonymous = S.request(row["method"], path, body)
            if row["role"] == "public":
                self.assertNotIn(anonymous.status, (401, 403, 500), (row, anonymous))
                continue
            self.assertEqual(anonymous.status, 401, (row, anonymous))
            for role in ("viewer", "editor", "admin"):
                r = S.request(row["method"], path, body, token=TOKENS[role])
                self.assertNotEqual(r.status, 500, (row, role, r))
                if RANK[role] < RANK[row["role"]]:
                    self.assertEqual(r.status, 403, (row, role, r))
                    self.assertEqual(r.json(), {"detail": "Not enough privileges"}, (row, role))
                else:
                    self.assertNotIn(r.status, (401, 403), (row, role, r))

    def test_websockets_are_in_the_table(self):
        ws_rows = {r["path"]: r["role"] for r in route_table() if r["transport"] == "websocket"}
        self.assertEqual(ws_rows, {"/ws/metrics/{server_id}": "viewer", "/ws/events": "viewer",
                                   "/ws/fleet": "viewer"})
        for path in ("/ws/events", "/ws/fleet"):
            r = S.request("GET", path)
            self.assertEqual(r.status, 426, r)

    def test_a_viewer_can_read_but_not_change_or_silence(self):
        server = S.request("POST", "/api/v1/servers/", {"name": "ro-1", "job_name": "node", "instance": "h:9100"},
                           token=TOKENS["editor"])
        self.assertEqual(server.status, 201, server)
        sid = server.json()["id"]
        self.assertEqual(S.request("GET", "/api/v1/servers/%d" % sid, token=TOKENS["viewer"]).status, 200)
        for method, path, body in (("DELETE", "/api/v1/servers/%d" % sid, None),
                                   ("PATCH", "/api/v1/servers/%d" % sid, {"name": "x"}),
                                   ("POST", "/api/v1/alerts/silences/", {"ends_at": "2099-01-01T00:00:00Z"})):
            self.assertEqual(S.request(method, path, body, token=TOKENS["viewer"]).status, 403)
        self.assertEqual(S.request("GET", "/api/v1/servers/%d" % sid, token=TOKENS["viewer"]).json()["name"], "ro-1")


class Users(unittest.TestCase):
    def test_role_and_is_superuser_agree(self):
        u = S.create_user("promo@example.com", "promo-password")
        self.assertEqual((u["role"], u["is_superuser"]), ("editor", False))
        admin = S.request("PATCH", "/api/v1/users/%d" % u["id"], {"is_superuser": True}, token=S.admin_token).json()
        self.assertEqual((admin["role"], admin["is_superuser"]), ("admin", True))
        viewer = S.request("PATCH", "/api/v1/users/%d" % u["id"], {"role": "viewer"}, token=S.admin_token).json()
        self.assertEqual((viewer["role"], viewer["is_superuser"]), ("viewer", False))
        bad = S.request("POST", "/api/v1/users/", {"email": "x@example.com", "password": "long-enough",
                                                   "role": "viewer", "is_superuser": True}, token=S.admin_token)
        self.assertEqual(bad.status, 422, bad)
        bad = S.request("POST", "/api/v1/users/", {"email": "y@example.com", "password": "long-enough",
                                                   "role": "root"}, token=S.admin_token)
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(bad.json()["detail"][0]["loc"], ["body", "role"])


class ApiTokens(unittest.TestCase):
    def create(self, token, **body):
        r = S.request("POST", "/api/v1/auth/tokens", dict({"name": "script"}, **body), token=token)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_lifecycle_secret_once_use_and_revoke(self):
        t = self.create(TOKENS["editor"], name="deploy")
        self.assertTrue(t["token"].startswith("snt_"))
        self.assertEqual(t["role"], "editor")
        listed = S.request("GET", "/api/v1/auth/tokens", token=TOKENS["editor"]).json()
        self.assertIn(t["id"], [x["id"] for x in listed])
        self.assertTrue(all("token" not in x for x in listed), "the secret is shown only once")
        r = S.request("POST", "/api/v1/servers/", {"name": "by-token", "job_name": "node", "instance": "t:9100"},
                      token=t["token"])
        self.assertEqual(r.status, 201, r)
        me = S.request("GET", "/api/v1/auth/me", token=t["token"]).json()
        self.assertEqual(me["email"], "editor@example.com")
        entry = S.request("GET", "/api/v1/audit/?action=server.create&target_id=%d" % r.json()["id"],
                          token=S.admin_token).json()[0]
        self.assertEqual((entry["via"], entry["token_id"], entry["actor_email"]), ("token", t["id"], "editor@example.com"))
        self.assertEqual(S.request("DELETE", "/api/v1/auth/tokens/%d" % t["id"], token=TOKENS["editor"]).status, 204)
        time.sleep(1.0)
        self.assertEqual(S.request("GET", "/api/v1/auth/me", token=t["token"]).status, 401)

    def test_role_is_at_most_the_owners(self):
        r = S.request("POST", "/api/v1/auth/tokens", {"name": "x", "role": "admin"}, token=TOKENS["editor"])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "role"])
        ro = self.create(S.admin_token, role="viewer")
        self.assertEqual(S.request("GET", "/api/v1/users/", token=ro["token"]).status, 403)
        self.assertEqual(S.request("GET", "/api/v1/servers/", token=ro["token"]).status, 200)

    def test_someone_elses_token_is_not_found_but_an_admin_may_revoke_it(self):
        t = self.create(TOKENS["viewer"])
        self.assertEqual(S.request("DELETE", "/api/v1/auth/tokens/%d" % t["id"], token=TOKENS["editor"]).status, 404)
        self.assertEqual(S.request("GET", "/api/v1/auth/tokens?user_id=1", token=TOKENS["viewer"]).status, 403)
        viewer_id = S.request("GET", "/api/v1/auth/me", token=TOKENS["viewer"]).json()["id"]
        theirs = S.request("GET", "/api/v1/auth/tokens?user_id=%d" % viewer_id, token=S.admin_token).json()
        self.assertIn(t["id"], [x["id"] for x in theirs])
        self.assertEqual(S.request("DELETE", "/api/v1/auth/tokens/%d" % t["id"], token=S.admin_token).status, 204)

    def test_expired_token_stops_working(self):
        past = S.request("POST", "/api/v1/auth/tokens", {"name": "x", "expires_at": "2001-01-01T00:00:00Z"},
                         token=TOKENS["viewer"])
        self.assertEqual(past.status, 422, past)
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
        t = self.create(TOKENS["viewer"], expires_at=soon)
        self.assertEqual(S.request("GET", "/api/v1/auth/me", token=t["token"]).status, 200)
        time.sleep(3.2)
        self.assertEqual(S.request("GET", "/api/v1/auth/me", token=t["token"]).status, 401)


class Audit(unittest.TestCase):
    def entries(self, **filters):
        q = "&".join("%s=%s" % kv for kv in filters.items())
        r = S.request("GET", "/api/v1/audit/?" + q, token=S.admin_token)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_changes_and_logins_are_recorded_and_a_failed_change_is_not(self):
        before = len(self.entries(action="server.create", limit=1000))
        ok = S.request("POST", "/api/v1/servers/", {"name": "audited", "job_name": "node", "instance": "a:9100"},
                       token=TOKENS["editor"])
        self.assertEqual(ok.status, 201)
        dup = S.request("POST", "/api/v1/servers/", {"name": "audited", "job_name": "node", "instance": "a:9100"},
                        token=TOKENS["editor"])
        self.assertEqual(dup.status, 409)
        self.assertEqual(len(self.entries(action="server.create", limit=1000)), before + 1)
        e = self.entries(action="server.create", target_id=ok.json()["id"])[0]
        self.assertEqual(e["actor_email"], "editor@example.com")
        self.assertEqual(e["via"], "password")
        self.assertEqual(e["target_type"], "server")
        self.assertEqual(e["changes"]["name"], [None, "audited"])
        self.assertTrue(e["request_id"])
        self.assertEqual(e["client_address"], "127.0.0.1")

        S.request("PATCH", "/api/v1/servers/%d" % ok.json()["id"], {"description": "eu"}, token=TOKENS["editor"])
        upd = self.entries(action="server.update", target_id=ok.json()["id"])[0]
        self.assertEqual(upd["changes"], {"description": [None, "eu"]})

        S.request("POST", "/api/v1/auth/login", form={"username": "viewer@example.com", "password": "wrong-one"})
        failed = self.entries(action="auth.login_failed")[0]
        self.assertEqual((failed["actor_email"], failed["actor_id"]), ("viewer@example.com", None))
        S.login("viewer@example.com", "viewer-password")
        self.assertEqual(self.entries(action="auth.login")[0]["actor_email"], "viewer@example.com")

    def test_password_changes_are_masked(self):
        u = S.create_user("masked@example.com", "first-password")
        S.request("PATCH", "/api/v1/users/%d" % u["id"], {"password": "second-password"}, token=S.admin_token)
        e = self.entries(action="user.update", target_id=u["id"])[0]
        self.assertEqual(e["changes"]["password"], ["***", "***"])
        self.assertNotIn("argon2", json.dumps(self.entries(limit=1000)))

    def test_cli_changes_are_recorded_as_cli(self):
        r = S.cli("user", "create", "--email", "fromcli@example.com", "--password-stdin", "--role", "viewer",
                  stdin="cli-password-1\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        e = self.entries(action="user.create")[0]
        self.assertEqual((e["via"], e["actor_email"]), ("cli", "cli"))
        self.assertEqual(e["changes"]["role"], [None, "viewer"])


class SessionsEndWithTheirRight(unittest.TestCase):
    """An open WebSocket is closed with 4401 within 5 s of its right ending."""

    def user_socket(self, email):
        S.create_user(email, "socket-password")
        token = S.login(email, "socket-password")
        ws = open_events(token)
        self.assertEqual(ws.status, 101)
        return ws, token, S.request("GET", "/api/v1/auth/me", token=token).json()["id"]

    def test_deactivation(self):
        ws, _, uid = self.user_socket("ws-deact@example.com")
        S.request("PATCH", "/api/v1/users/%d" % uid, {"is_active": False}, token=S.admin_token)
        self.assertEqual(wait_for_close(ws, 5.5), 4401)

    def test_password_change(self):
        ws, _, uid = self.user_socket("ws-pw@example.com")
        S.request("PATCH", "/api/v1/users/%d" % uid, {"password": "another-password"}, token=S.admin_token)
        self.assertEqual(wait_for_close(ws, 5.5), 4401)

    def test_deletion(self):
        ws, _, uid = self.user_socket("ws-del@example.com")
        S.request("DELETE", "/api/v1/users/%d" % uid, token=S.admin_token)
        self.assertEqual(wait_for_close(ws, 5.5), 4401)

    def test_api_token_revocation(self):
        t = S.request("POST", "/api/v1/auth/tokens", {"name": "ws"}, token=TOKENS["viewer"]).json()
        ws = open_events(t["token"])
        self.assertEqual(ws.status, 101)
        S.request("DELETE", "/api/v1/auth/tokens/%d" % t["id"], token=TOKENS["viewer"])
        self.assertEqual(wait_for_close(ws, 5.5), 4401)

    def test_a_valid_session_stays_open(self):
        ws, _, _ = self.user_socket("ws-stays@example.com")
        self.assertIsNone(wait_for_close(ws, 4.5))


@unittest.skipUnless(harness.DB_KIND == "postgresql", "several processes share one PostgreSQL database")
class SessionsEndAcrossProcesses(unittest.TestCase):
    """The change is made through one API process; the WebSocket is held by another (no Redis)."""

    def test_revocation_and_deactivation_made_elsewhere_close_within_5_s(self):
        import cluster
        c = cluster.Cluster()
        try:
            a, b = c.add("api"), c.add("api")
            c.start_all()
            r = b.request("POST", "/api/v1/users/", {"email": "far@example.com", "password": "far-password"},
                          token=b.admin_token)
            self.assertEqual(r.status, 201, r)
            uid = r.json()["id"]
            user_token = a.login("far@example.com", "far-password")
            t = b.request("POST", "/api/v1/auth/tokens", {"name": "far"}, token=user_token).json()
            by_token = open_events(t["token"], a)
            by_login = open_events(user_token, a)
            self.assertEqual(b.request("DELETE", "/api/v1/auth/tokens/%d" % t["id"], token=user_token).status, 204)
            self.assertEqual(wait_for_close(by_token, 5.5), 4401)
            b.request("PATCH", "/api/v1/users/%d" % uid, {"is_active": False}, token=b.admin_token)
            self.assertEqual(wait_for_close(by_login, 5.5), 4401)
        finally:
            c.close()


class PerUserWebSocketCap(unittest.TestCase):
    def test_past_ws_max_per_user_the_new_socket_closes_4429(self):
        other = Sentinel({"WS_MAX_PER_USER": "2"}).start()
        try:
            token = other.admin_token
            # The handshake (101) comes before the token check: which of three sockets opened
            # together is the third to be registered is up to the scheduler, so exactly one
            # of them is closed with 4429.
            sockets = [open_events(token, other) for _ in range(3)]
            codes = [wait_for_close(ws, 3) for ws in sockets]
            self.assertEqual(sorted(codes, key=str), [4429, None, None], codes)
            sockets[codes.index(4429)].abort()
            sockets[codes.index(None)].close()
            time.sleep(0.3)
            again = open_events(token, other)
            self.assertIsNone(wait_for_close(again, 1.5), "a slot freed by a close is usable again")
        finally:
            other.close()


class Readiness(unittest.TestCase):
    def test_quiet_without_a_token_and_redis_disabled(self):
        quiet = S.request("GET", "/api/v1/health/readiness").json()
        self.assertNotIn("details", quiet)
        self.assertEqual(quiet["checks"]["redis"], "disabled")
        for v in quiet["checks"].values():
            self.assertIn(v, ("ok", "fail", "disabled"))
        full = S.request("GET", "/api/v1/health/readiness", token=TOKENS["viewer"]).json()
        self.assertEqual(full["checks"]["redis"], "disabled")


if __name__ == "__main__":
    unittest.main()
