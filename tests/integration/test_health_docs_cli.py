"""Health, API documentation, the command line and process lifecycle."""
import json
import os
import re
import signal
import subprocess
import time
import unittest

from harness import BIN, Sentinel

S = None


def setUpModule():
    global S
    S = Sentinel().start()


def tearDownModule():
    S.stop()
    S.close()


class Health(unittest.TestCase):
    def test_liveness(self):
        r = S.request("GET", "/api/v1/health/liveness")
        self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))

    def test_readiness_checks_database(self):
        r = S.request("GET", "/api/v1/health/readiness")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "ok")
        self.assertEqual(r.json()["checks"]["database"], "ok")


class Docs(unittest.TestCase):
    def test_openapi_is_complete_json(self):
        r = S.request("GET", "/openapi.json")
        self.assertEqual(r.status, 200)
        doc = r.json()
        self.assertTrue(doc["openapi"].startswith("3.1"))
        paths = {p.rstrip("/") for p in doc["paths"]}
        for p in ("/api/v1/auth/login", "/api/v1/auth/me", "/api/v1/users", "/api/v1/users/{user_id}",
                  "/api/v1/servers", "/api/v1/servers/{server_id}", "/api/v1/alerts/rules",
                  "/api/v1/alerts/rules/{rule_id}", "/api/v1/alerts/events", "/api/v1/alerts/events/{event_id}",
                  "/api/v1/alerts/events/{event_id}/ack", "/api/v1/alerts/silences",
                  "/api/v1/alerts/silences/{silence_id}", "/api/v1/health/liveness", "/api/v1/health/readiness"):
            self.assertIn(p, paths)
        self.assertIn("bearer", json.dumps(doc["components"]["securitySchemes"]).lower())

    def test_docs_page_uses_only_local_assets(self):
        r = S.request("GET", "/docs")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertNotRegex(r.body, r"(src|href)=\"https?://")
        for asset in re.findall(r"(?:src|href)=\"(/docs/[^\"]+)\"", r.body):
            a = S.request("GET", asset)
            self.assertEqual(a.status, 200, asset)
            self.assertGreater(len(a.body), 100, asset)


class Cli(unittest.TestCase):
    def test_version(self):
        r = S.cli("version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^sentinel \d+\.\d+\.\d+")

    def test_check_config_masks_secrets(self):
        r = S.cli("check-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("SECRET_KEY=****", r.stdout)
        self.assertNotIn(S.secret, r.stdout + r.stderr)
        self.assertIn("PORT=%d" % S.port, r.stdout)

    def test_bad_value_stops_with_one_line_naming_the_variable(self):
        for name, value in (("PORT", "abc"), ("SECRET_KEY", "short"), ("DATABASE_URL", "mysql://x/y"),
                            ("ALERT_CHECK_INTERVAL_SEC", "-1")):
            for cmd in (["check-config"], ["serve"]):
                started = time.time()
                r = S.cli(*cmd, extra_env={name: value})
                self.assertNotEqual(r.returncode, 0, (cmd, name))
                self.assertLess(time.time() - started, 5)
                lines = [l for l in (r.stderr + r.stdout).splitlines() if l.strip()]
                self.assertEqual(len(lines), 1, lines)
                self.assertIn(name, lines[0])

    def test_user_commands(self):
        r = S.cli("user", "create", "--email", "cli@example.com", "--password-stdin", stdin="cli-password-1\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(S.request("POST", "/api/v1/auth/login",
                                   form={"username": "cli@example.com", "password": "cli-password-1"}).status, 200)
        r = S.cli("user", "create", "--email", "cli@example.com", "--password-stdin", stdin="cli-password-1\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cli@example.com", S.cli("user", "list").stdout)
        r = S.cli("user", "set-password", "--email", "cli@example.com", "--password-stdin", stdin="cli-password-2\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(S.request("POST", "/api/v1/auth/login",
                                   form={"username": "cli@example.com", "password": "cli-password-2"}).status, 200)
        self.assertEqual(S.cli("user", "deactivate", "--email", "cli@example.com").returncode, 0)
        self.assertEqual(S.request("POST", "/api/v1/auth/login",
                                   form={"username": "cli@example.com", "password": "cli-password-2"}).status, 403)
        self.assertNotEqual(S.cli("user", "create", "--email", "weak@example.com", "--password-stdin",
                                  stdin="short\n").returncode, 0)

    def test_migrate(self):
        r = S.cli("migrate")
        self.assertEqual(r.returncode, 0, r.stderr)


class Lifecycle(unittest.TestCase):
    def test_sigterm_exits_zero_quickly(self):
        other = Sentinel().start()
        try:
            started = time.time()
            self.assertEqual(other.stop(), 0)
            self.assertLess(time.time() - started, 5)
        finally:
            other.close()

    def test_zero_configuration_start_creates_data_dir_and_secret(self):
        other = Sentinel()
        for k in ("SECRET_KEY", "DATABASE_URL"):
            other.env.pop(k)
        try:
            other.start()
            self.assertTrue(os.path.exists(os.path.join(other.workdir, "data", "sentinel.db")))
            key = os.path.join(other.workdir, "data", "secret.key")
            self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        finally:
            other.stop()
            other.close()


if __name__ == "__main__":
    unittest.main()
