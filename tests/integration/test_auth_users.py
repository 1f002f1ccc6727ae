"""Auth and user management over real HTTP (product.md §3 "Auth")."""
import time
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, Sentinel, make_jwt

S = None


def setUpModule():
    global S
    S = Sentinel().start()


def tearDownModule():
    S.stop()
    S.close()


class Login(unittest.TestCase):
    def test_form_login_returns_bearer_token(self):
        r = S.request("POST", "/api/v1/auth/login", form={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["token_type"], "bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertEqual(body["access_token"].count("."), 2)

    def test_json_login_is_accepted(self):
        r = S.request("POST", "/api/v1/auth/login", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200, r)

    def test_wrong_password_and_unknown_email_get_the_same_401(self):
        a = S.request("POST", "/api/v1/auth/login", form={"username": ADMIN_EMAIL, "password": "nope-nope"})
        b = S.request("POST", "/api/v1/auth/login", form={"username": "ghost@example.com", "password": "nope-nope"})
        for r in (a, b):
            self.assertEqual(r.status, 401, r)
            self.assertEqual(r.json(), {"detail": "Incorrect email or password"})
            self.assertEqual(r.header("WWW-Authenticate"), "Bearer")

    def test_missing_fields_are_422(self):
        r = S.request("POST", "/api/v1/auth/login", form={"username": ADMIN_EMAIL})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["detail"][0]["loc"], ["body", "password"])

    def test_repeated_failures_for_one_account_are_rate_limited(self):
        S.create_user("victim@example.com", "victim-password")
        for _ in range(5):
            r = S.request("POST", "/api/v1/auth/login", form={"username": "victim@example.com", "password": "bad-guess"})
            self.assertEqual(r.status, 401)
        r = S.request("POST", "/api/v1/auth/login", form={"username": "victim@example.com", "password": "victim-password"})
        self.assertEqual(r.status, 429, r)
        self.assertGreater(int(r.header("Retry-After")), 0)

    def test_inactive_user_gets_403(self):
        user = S.create_user("sleepy@example.com", "sleepy-password")
        S.request("PATCH", "/api/v1/users/%d" % user["id"], {"is_active": False}, token=S.admin_token)
        r = S.request("POST", "/api/v1/auth/login", form={"username": "sleepy@example.com", "password": "sleepy-password"})
        self.assertEqual(r.status, 403, r)


class Tokens(unittest.TestCase):
    def test_me(self):
        r = S.request("GET", "/api/v1/auth/me", token=S.admin_token)
        self.assertEqual(r.status, 200)
        me = r.json()
        self.assertEqual(set(me), {"id", "email", "is_active", "is_superuser", "role", "created_at"})
        self.assertEqual(me["role"], "admin")
        self.assertEqual(me["email"], ADMIN_EMAIL)
        self.assertTrue(me["is_superuser"])
        self.assertTrue(me["created_at"].endswith("Z"))

    def assert_rejected(self, token=None, header=None):
        headers = {"Authorization": header} if header else None
        r = S.request("GET", "/api/v1/auth/me", token=token, headers=headers)
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json(), {"detail": "Could not validate credentials"})
        self.assertEqual(r.header("WWW-Authenticate"), "Bearer")

    def test_missing_and_garbage_tokens(self):
        self.assert_rejected()
        for h in ("Bearer", "Bearer garbage", "Basic YWRtaW46YWRtaW4=", "Bearer a.b.c", "Bearer " + "x" * 9000):
            self.assert_rejected(header=h)

    def test_forged_tokens(self):
        now = int(time.time())
        good = {"sub": "1", "iat": now, "exp": now + 600, "ver": 0}
        self.assert_rejected(make_jwt("wrong-secret-wrong-secret-wrong-secret", good))
        self.assert_rejected(make_jwt(S.secret, good, alg="none"))
        self.assert_rejected(make_jwt(S.secret, dict(good, exp=now - 10)))
        self.assert_rejected(make_jwt(S.secret, dict(good, sub="99999")))
        self.assert_rejected(make_jwt(S.secret, dict(good, sub="not-a-number")))
        # The same claims correctly signed are accepted: the checks above
        # fail for the reason they test.
        self.assertEqual(S.request("GET", "/api/v1/auth/me", token=make_jwt(S.secret, good)).status, 200)

    def test_password_change_and_deactivation_revoke_tokens(self):
        user = S.create_user("rotate@example.com", "first-password")
        token = S.login("rotate@example.com", "first-password")
        self.assertEqual(S.request("GET", "/api/v1/auth/me", token=token).status, 200)
        S.request("PATCH", "/api/v1/users/%d" % user["id"], {"password": "second-password"}, token=S.admin_token)
        self.assert_rejected(token)
        token = S.login("rotate@example.com", "second-password")
        S.request("PATCH", "/api/v1/users/%d" % user["id"], {"is_active": False}, token=S.admin_token)
        self.assert_rejected(token)


class Users(unittest.TestCase):
    def test_crud_and_conflict(self):
        r = S.request("POST", "/api/v1/users/", {"email": "Ops@Example.com", "password": "ops-password"},
                      token=S.admin_token)
        self.assertEqual(r.status, 201, r)
        user = r.json()
        self.assertEqual(user["email"], "ops@example.com")
        self.assertNotIn("password", user)
        self.assertNotIn("password_hash", user)
        dup = S.request("POST", "/api/v1/users/", {"email": "ops@example.com", "password": "ops-password"},
                        token=S.admin_token)
        self.assertEqual(dup.status, 409, dup)
        got = S.request("GET", "/api/v1/users/%d" % user["id"], token=S.admin_token)
        self.assertEqual(got.json(), user)
        patched = S.request("PATCH", "/api/v1/users/%d" % user["id"], {"is_superuser": True}, token=S.admin_token)
        self.assertTrue(patched.json()["is_superuser"])
        self.assertIn(user["id"], [u["id"] for u in S.request("GET", "/api/v1/users/", token=S.admin_token).json()])
        self.assertEqual(S.request("DELETE", "/api/v1/users/%d" % user["id"], token=S.admin_token).status, 204)
        self.assertEqual(S.request("GET", "/api/v1/users/%d" % user["id"], token=S.admin_token).status, 404)

    def test_normal_user_cannot_manage_users(self):
        S.create_user("plain@example.com", "plain-password")
        token = S.login("plain@example.com", "plain-password")
        for method, path, body in (("GET", "/api/v1/users/", None),
                                   ("POST", "/api/v1/users/", {"email": "x@example.com", "password": "some-password"}),
                                   ("GET", "/api/v1/users/1", None), ("DELETE", "/api/v1/users/1", None)):
            r = S.request(method, path, body, token=token)
            self.assertEqual(r.status, 403, (method, path, r))
            self.assertIsInstance(r.json()["detail"], str)

    def test_validation(self):
        r = S.request("POST", "/api/v1/users/", {"email": "not-an-email", "password": "short"}, token=S.admin_token)
        self.assertEqual(r.status, 422)
        self.assertEqual([e["loc"] for e in r.json()["detail"]], [["body", "email"], ["body", "password"]])

    def test_superuser_cannot_delete_self(self):
        me = S.request("GET", "/api/v1/auth/me", token=S.admin_token).json()
        self.assertEqual(S.request("DELETE", "/api/v1/users/%d" % me["id"], token=S.admin_token).status, 403)


if __name__ == "__main__":
    unittest.main()
