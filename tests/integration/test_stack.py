"""`scripts/stack` (make stack) end to end: its own PostgreSQL, Redis, node_exporter and
Prometheus (scripts/test-env, in a temp STACK_DIR: the shared test servers are not
touched), two `--role api` and two `--role worker` processes, nginx in front.

- A second `start` finds it running and starts nothing; this machine is registered
  with the example rules, and the "Demo: always firing" rule's alert reaches Telegram.
- A server created through api-1 directly is read through api-2 and through nginx.
- A rule created through nginx fires once: one event, one Telegram message however
  many times the two workers evaluate it, and the event reaches /ws/events through
  nginx (WebSocket proxying; Redis carries it from the worker to the API processes).
- After `kill -9` of a worker, a rule changed to fire is delivered (webhook), once, by
  the survivor within interval + lease.
- Prometheus scrapes the four Sentinel processes (job "sentinel"), and this machine because
  it is registered: found through Sentinel's HTTP service discovery with the viewer API token
  the stack made, once (no static job besides).
- `stop` ends every recorded process and their children.

Telegram and the webhook are the test fakes, passed through TELEGRAM_* / WEBHOOK_URL.
"""
import http.client
import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

import harness
from ws_client import WsClient

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from fake_telegram import FakeTelegram  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
STACK = os.path.join(REPO, "scripts", "stack")
BOT_TOKEN = "555000:stack-test-token"
CHAT_ID = -1005550001
INTERVAL = 2                      # eval_interval_sec of the test's rules
LEASE = max(2 * INTERVAL, 10)     # storage/alert_engine_statements.hpp LeaseRules
RULES = "/api/v1/alerts/rules/"
UP = 'max(up{instance="$instance",job="$job"})'   # 1 while Prometheus scrapes this machine

DB_ONLY = "the scale-out stack runs on PostgreSQL (it starts its own); nothing to test on SQLite"


def log(msg):
    sys.stderr.write("[stack] %s\n" % msg)
    sys.stderr.flush()


def request(port, method, path, body=None, token=None, form=None):
    headers, data = {}, None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        return harness.Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes only once reaped, but it runs nothing.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, task)) as f:
                    kids = [int(x) for x in f.read().split()]
                out += kids
                todo += kids
        except OSError:
            pass
    return out


def wait_until(what, check, timeout, step=0.2):
    deadline = time.time() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.time() > deadline:
            raise AssertionError("%s: not within %.0f s" % (what, timeout))
        time.sleep(step)


@unittest.skipUnless(harness.DB_KIND == "postgresql", DB_ONLY)
class StackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = None
        cls.tg = FakeTelegram(token=BOT_TOKEN).start()
        cls.hook = WebhookReceiver().start()
        cls.stopped = False
        try:
            cls.dir = tempfile.mkdtemp(prefix="sentinel-stack-")
            os.chmod(cls.dir, 0o755)  # test-env runs PostgreSQL as user postgres when we are root
            cls.env = dict(os.environ)
            for k in [k for k in cls.env if k.startswith(("TELEGRAM_", "WEBHOOK_", "STACK_"))]:
                del cls.env[k]
            cls.env.update({
                "STACK_DIR": os.path.join(cls.dir, "stack"),
                "STACK_PORT": str(harness.free_port()),  # not 8000: a developer's make stack may be there
                "SENTINEL_BIN": os.path.abspath(harness.BIN),
                "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
                "TELEGRAM_CHAT_ID": str(CHAT_ID),
                "TELEGRAM_API_URL": cls.tg.url,
                "WEBHOOK_URL": cls.hook.url + "/hooks/stack",
                # Each notification at once (grouping is tested in test_notification_routing).
                "GROUP_WAIT_SEC": "0",
                "GROUP_INTERVAL_SEC": "1",
            })
            started = time.time()
            out = cls.stack("start", timeout=90)
            cls.start_output = out.stdout
            log("scripts/stack start took %.1f s" % (time.time() - started))
            cls.vars = cls.read_vars()
            cls.lb = int(cls.vars["STACK_PORT"])
            cls.api_ports = [int(p) for p in cls.vars["API_PORTS"].split()]
            cls.worker_ports = [int(p) for p in cls.vars["WORKER_PORTS"].split()]
            cls.pids = {k[4:].lower(): int(v) for k, v in cls.vars.items() if k.startswith("PID_")}
            with open(os.path.join(cls.env["STACK_DIR"], "admin-password")) as f:
                password = f.read().strip()
            r = request(cls.lb, "POST", "/api/v1/auth/login",
                        form={"username": "admin@example.com", "password": password})
            assert r.status == 200, r
            cls.token = r.json()["access_token"]
            cls.server_id = int(cls.vars["SERVER_ID"])
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.dir and not cls.stopped:
                cls.stack("stop", check=False)
        finally:
            cls.tg.stop()
            cls.hook.stop()
            if cls.dir:
                shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def stack(cls, *args, check=True, timeout=60):
        out = subprocess.run([STACK] + list(args), env=cls.env, capture_output=True, text=True, timeout=timeout)
        if check and out.returncode != 0:
            raise AssertionError("scripts/stack %s exited with %d:\n%s\n%s\n%s" % (
                " ".join(args), out.returncode, out.stdout, out.stderr, cls.logs()))
        return out

    @classmethod
    def read_vars(cls):
        out = {}
        with open(os.path.join(cls.env["STACK_DIR"], "stack.env")) as f:
            for line in f:
                if "=" in line:
                    k, v = line.strip().split("=", 1)
                    out[k] = shlex.split(v)[0] if v else ""
        return out

    @classmethod
    def logs(cls):
        out = []
        for name in ("api-1", "api-2", "worker-1", "worker-2"):
            try:
                with open(os.path.join(cls.env["STACK_DIR"], name, "sentinel.log"), errors="replace") as f:
                    out.append("--- %s ---\n%s" % (name, f.read()[-3000:]))
            except OSError:
                pass
        return "\n".join(out)

    def api(self, port, method, path, body=None):
        return request(port, method, path, body, token=self.token)

    def prometheus(self, path):
        u = urllib.parse.urlsplit(self.vars["PROMETHEUS_URL"])
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            conn.request("GET", path)
            return json.loads(conn.getresponse().read())["data"]
        finally:
            conn.close()

    def telegram_messages(self, needle):
        return [m for m in self.tg.messages() if needle in m["text"]]

    def create_rule(self, port, **fields):
        body = {"server_id": self.server_id, "metric_name": "up", "promql": UP, "comparison": ">",
                "eval_interval_sec": INTERVAL, "repeat_interval_sec": 0}
        body.update(fields)
        r = self.api(port, "POST", RULES, body)
        self.assertEqual(r.status, 201, r)
        return r.json()

    # --- tests, in name order ------------------------------------------------
    def test_1_start_is_idempotent_and_registers_this_machine(self):
        self.assertIn("http://127.0.0.1:%d" % self.lb, self.start_output)
        self.assertIn("admin@example.com", self.start_output)
        self.assertIn("scripts/ws-watch ws://127.0.0.1:%d/ws/metrics/%d" % (self.lb, self.server_id),
                      self.start_output)
        again = self.stack("start")
        self.assertIn("already running", again.stderr)
        self.assertEqual(self.read_vars(), self.vars, "a second start changed the stack")
        for name, pid in self.pids.items():
            self.assertTrue(alive(pid), "%s (pid %d) is not running" % (name, pid))
        self.assertEqual(self.stack("status").returncode, 0)

        server = self.api(self.lb, "GET", "/api/v1/servers/%d" % self.server_id)
        self.assertEqual(server.status, 200, server)
        self.assertEqual((server.json()["job_name"], server.json()["instance"]), ("node", self.vars["NODE_EXPORTER"]))
        rules = self.api(self.lb, "GET", RULES + "?server_id=%d" % self.server_id).json()
        self.assertEqual(sorted(r["name"] for r in rules),
                         ["Demo: always firing", "Disk / almost full", "High CPU", "High memory", "Node down"])
        self.assertTrue(all(r["channel"] == "telegram" for r in rules), rules)
        # Real metrics of this machine, through nginx.
        summary = self.api(self.lb, "GET", "/api/v1/metrics/servers/%d/summary" % self.server_id)
        self.assertEqual(summary.status, 200, summary)
        self.assertTrue(summary.json()["up"], summary)
        # Prometheus found it through Sentinel's HTTP service discovery (viewer token in a 0600
        # file), and scrapes it once: no static job besides.
        token_file = os.path.join(self.env["STACK_DIR"], "prometheus-sd.token")
        self.assertEqual(os.stat(token_file).st_mode & 0o777, 0o600)
        with open(token_file) as f:
            sd_token = f.read().strip()
        self.assertEqual(request(self.lb, "GET", "/api/v1/auth/me", token=sd_token).status, 200)
        sd = request(self.lb, "GET", "/api/v1/sd/targets", token=sd_token)
        self.assertEqual(sd.status, 200, sd)
        self.assertIn({"targets": [self.vars["NODE_EXPORTER"]],
                       "labels": {"job": "node", "sentinel_server": server.json()["name"],
                                  "sentinel_server_id": str(self.server_id)}}, sd.json())
        targets = [t for t in self.prometheus("/api/v1/targets?state=active")["activeTargets"]
                   if t["labels"]["instance"] == self.vars["NODE_EXPORTER"]]
        self.assertEqual([(t["scrapePool"], t["labels"]["job"], t["labels"].get("sentinel_server_id"), t["health"])
                          for t in targets], [("sentinel-servers", "node", str(self.server_id), "up")])

    def test_2_create_through_one_api_read_through_the_other_and_nginx(self):
        api_1, api_2 = self.api_ports
        name = "stack-srv-" + secrets.token_hex(3)
        r = self.api(api_1, "POST", "/api/v1/servers/",
                     {"name": name, "job_name": "node", "instance": "10.9.8.7:9100"})
        self.assertEqual(r.status, 201, r)
        created = r.json()
        for port in (api_2, self.lb):
            got = self.api(port, "GET", "/api/v1/servers/%d" % created["id"])
            self.assertEqual(got.status, 200, got)
            self.assertEqual(got.json(), created)
        r = self.api(api_2, "PATCH", "/api/v1/servers/%d" % created["id"], {"description": "via api-2"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.api(api_1, "GET", "/api/v1/servers/%d" % created["id"]).json()["description"],
                         "via api-2")
        # nginx spreads requests over both processes (one login's token is valid on either).
        def served(port):
            return sum(v for (n, labels), v in harness.parse_metrics_text(request(port, "GET", "/metrics").body)
                       if n == "sentinel_http_requests_total" and labels.get("route") == "/api/v1/servers/{server_id}"
                       and labels.get("method") == "GET" and labels.get("status") == "200")
        before = [served(p) for p in self.api_ports]
        for _ in range(10):
            self.assertEqual(self.api(self.lb, "GET", "/api/v1/servers/%d" % created["id"]).status, 200)
        share = [served(p) - b for p, b in zip(self.api_ports, before)]
        self.assertEqual(sum(share), 10, share)
        self.assertTrue(all(n >= 3 for n in share), "nginx did not spread 10 requests over both: %r" % share)
        self.assertEqual(self.api(self.lb, "DELETE", "/api/v1/servers/%d" % created["id"]).status, 204)

    def test_3_rule_through_nginx_fires_once_notified_once_and_reaches_ws_events(self):
        ws = WsClient.connect("127.0.0.1", self.lb, "/ws/events", subprotocols=["bearer", self.token])
        self.addCleanup(ws.abort)
        self.assertEqual(ws.status, 101)
        name = "stack-fire-" + secrets.token_hex(3)
        rule = self.create_rule(self.lb, name=name, threshold=0, channel="telegram")
        created = time.time()

        frame = None
        deadline = created + 20
        while frame is None:
            self.assertLess(time.time(), deadline, "no firing frame on /ws/events through nginx")
            try:
                kind, payload = ws.recv(timeout=1)[:2]
            except TimeoutError:
                continue
            self.assertEqual(kind, "text", payload)
            msg = json.loads(payload)
            if msg.get("type") == "alert_event" and msg["event"]["rule_id"] == rule["id"]:
                frame = msg["event"]
        self.assertEqual((frame["status"], frame["value"]), ("firing", 1.0))
        wait_until("Telegram message for %s" % name, lambda: self.telegram_messages(name), 15)
        fired_at = time.time()

        # A few more intervals with both workers evaluating it: still one event, one message.
        first_eval = self.api(self.lb, "GET", RULES + "%d" % rule["id"]).json()["last_evaluated_at"]
        time.sleep(3 * INTERVAL + 1)
        later = self.api(self.api_ports[1], "GET", RULES + "%d" % rule["id"]).json()
        self.assertEqual(later["state"], "firing")
        self.assertGreater(later["last_evaluated_at"], first_eval, "the rule is no longer evaluated")
        self.assertEqual(len(self.telegram_messages(name)), 1, self.telegram_messages(name))
        events = self.api(self.lb, "GET", "/api/v1/alerts/events/?rule_id=%d" % rule["id"]).json()
        self.assertEqual([(e["id"], e["status"], e["notification_status"]) for e in events],
                         [(frame["id"], "firing", "sent")])
        log("rule fired %.1f s after creation through nginx; one event, one Telegram message after %.1f s more"
            % (fired_at - created, time.time() - fired_at))

        # The demo rule of a fresh stack: its alert reached Telegram too (eval every 10 s).
        wait_until("the demo rule's Telegram message",
                   lambda: self.telegram_messages("Demo: always firing"), 15)
        # And Prometheus scrapes the Sentinel processes themselves.
        url = self.vars["PROMETHEUS_URL"] + "/api/v1/query?query=" + urllib.parse.quote('up{job="sentinel"} == 1')

        def scraped():
            u = urllib.parse.urlsplit(url)
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            conn.request("GET", u.path + "?" + u.query)
            result = json.loads(conn.getresponse().read())["data"]["result"]
            conn.close()
            return len(result) == len(self.api_ports) + len(self.worker_ports)
        wait_until("Prometheus scraping the Sentinel processes", scraped, 20, step=0.5)

    def test_4_worker_killed_the_other_delivers(self):
        name = "stack-takeover-" + secrets.token_hex(3)
        # Does not fire yet (up is 1): evaluated by whichever worker claims it.
        rule = self.create_rule(self.lb, name=name, threshold=1, channel="webhook")
        wait_until("first evaluation", lambda: self.api(self.lb, "GET", RULES + "%d" % rule["id"])
                   .json()["last_evaluated_at"], 10)
        victim, survivor = self.pids["worker_1"], self.worker_ports[1]
        before = harness.parse_metrics_text(request(survivor, "GET", "/metrics").body)
        os.kill(victim, signal.SIGKILL)
        killed = time.time()
        wait_until("worker-1 gone", lambda: not alive(victim), 5, step=0.05)
        status = self.stack("status", check=False)
        self.assertEqual(status.returncode, 1, status.stdout)
        self.assertRegex(status.stdout, r"worker-1 +pid %d +NOT running" % victim)

        r = self.api(self.api_ports[0], "PATCH", RULES + "%d" % rule["id"], {"threshold": 0})
        self.assertEqual(r.status, 200, r)

        def delivered():
            return [q for q in self.hook.requests()
                    if q["json"] and any(a["labels"].get("alertname") == name for a in q["json"]["alerts"])]
        got = wait_until("webhook for %s after the kill" % name, delivered, INTERVAL + LEASE + 10)
        took = time.time() - killed
        self.assertEqual(got[0]["json"]["status"], "firing")
        time.sleep(2 * INTERVAL)
        self.assertEqual(len(delivered()), 1, delivered())

        def evaluations(metrics):
            return sum(v for (n, labels), v in metrics if n == "sentinel_rule_evaluations_total")
        after = harness.parse_metrics_text(request(survivor, "GET", "/metrics").body)
        self.assertGreater(evaluations(after), evaluations(before))
        log("worker-1 (pid %d) killed; the rule changed to fire was delivered by webhook %.1f s later, once"
            % (victim, took))

    def test_5_stop_ends_every_recorded_process(self):
        # Children too: nginx's worker, PostgreSQL's backends.
        everything = {pid: name for name, pid in self.pids.items()}
        for name, pid in self.pids.items():
            for child in descendants(pid):
                everything[child] = name + " child"
        out = self.stack("stop")
        type(self).stopped = True
        self.assertIn("stopped", out.stderr)
        left = {pid: name for pid, name in everything.items() if alive(pid)}
        self.assertEqual(left, {}, "still running after stop")
        status = self.stack("status", check=False)
        self.assertEqual(status.returncode, 3, status.stdout)
        # Data is kept (stop --purge would delete it).
        self.assertTrue(os.path.isdir(os.path.join(self.env["STACK_DIR"], "services", "postgres", "data")))


if __name__ == "__main__":
    unittest.main()
