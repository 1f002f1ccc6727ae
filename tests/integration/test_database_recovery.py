"""PostgreSQL going away and coming back: readiness says 503 quickly, API
calls fail with 503 (never 500, never a hang), and everything recovers
without restarting Sentinel."""
import os
import subprocess
import time
import unittest

from harness import DB_KIND, Sentinel

ENV_DIR = os.path.dirname(os.environ.get("SENTINEL_TEST_ENV_FILE", ""))
TEST_ENV = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "test-env")


@unittest.skipUnless(DB_KIND == "postgresql", "needs PostgreSQL")
class DatabaseRecovery(unittest.TestCase):
    def setUp(self):
        self.s = Sentinel().start()
        self.token = self.s.admin_token

    def tearDown(self):
        subprocess.run([TEST_ENV, "start-service", ENV_DIR, "postgres"], capture_output=True)
        self.s.stop()
        self.s.close()

    def test_outage_is_503_and_recovers(self):
        self.assertEqual(self.s.request("GET", "/api/v1/servers/", token=self.token).status, 200)
        subprocess.run([TEST_ENV, "stop-service", ENV_DIR, "postgres"], check=True, capture_output=True)
        started = time.time()
        r = self.s.request("GET", "/api/v1/health/readiness")
        self.assertEqual(r.status, 503, r)
        # Without a token readiness says only ok / fail (no token can be checked without the database).
        self.assertEqual(r.json()["checks"]["database"], "fail")
        self.assertLess(time.time() - started, 10)
        r = self.s.request("GET", "/api/v1/servers/", token=self.token)
        self.assertEqual(r.status, 503, r)
        self.assertIn("Database unavailable", r.json()["detail"])
        self.assertEqual(self.s.request("GET", "/api/v1/health/liveness").status, 200)

        subprocess.run([TEST_ENV, "start-service", ENV_DIR, "postgres"], check=True, capture_output=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.s.request("GET", "/api/v1/health/readiness").status == 200:
                break
            time.sleep(0.2)
        self.assertEqual(self.s.request("GET", "/api/v1/health/readiness").status, 200)
        r = self.s.request("POST", "/api/v1/servers/", {"name": "after-outage", "job_name": "node",
                                                        "instance": "h:1"}, token=self.token)
        self.assertEqual(r.status, 201, r)


if __name__ == "__main__":
    unittest.main()
