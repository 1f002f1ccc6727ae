#!/usr/bin/env python3
"""End-to-end tests of the web console: a real `sentinel` (SQLite or the test
PostgreSQL), the test Prometheus and a fixture host with known numbers
(scripts/test-env), driven in Debian's Chromium by console.e2e.mjs
(playwright-core; no browser download).

    SENTINEL_BIN=build-web/src/app/sentinel SENTINEL_TEST_ENV_FILE=build-web/test-env/env \
      E2E_NODE_MODULES=build-web/tests/e2e/node_modules python3 tests/e2e/run_e2e.py [ARTIFACTS_DIR]

Screenshots (both themes) go to ARTIFACTS_DIR (default: ./e2e-artifacts).
A recording webhook receiver (tests/fakes/webhook_receiver.py, answering 200)
stands in for a channel's target: E2E_HOOK_URL is its base URL, and its
GET /_requests lists what it was sent.
With E2E_DEV_SERVER=1 the browser talks to web/dev-server.mjs (serving web/dist)
in front of each Sentinel: for working on the console with a Sentinel built
without it.
"""
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))

from fixtures import DEAD_ADDRESS, FixtureHost  # noqa: E402
from harness import ADMIN_EMAIL, ADMIN_PASSWORD, Sentinel  # noqa: E402
from webhook_receiver import WebhookReceiver  # noqa: E402

VIEWER_EMAIL = "viewer@example.com"
VIEWER_PASSWORD = "viewer-password-1"


def main():
    artifacts = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "e2e-artifacts")
    os.makedirs(artifacts, exist_ok=True)
    # Where the channels made in the browser send their test messages (a thread of this process).
    hook = WebhookReceiver().start()
    # Live values every second and rules evaluated every two, so changes show within seconds.
    live = Sentinel({"WS_METRICS_INTERVAL_SEC": "1", "ALERT_CHECK_INTERVAL_SEC": "2"}).start()
    # A Sentinel whose Prometheus cannot be reached: the console's "Prometheus unavailable" state.
    dark = Sentinel({"WS_METRICS_INTERVAL_SEC": "1", "PROMETHEUS_URL": "http://" + DEAD_ADDRESS}).start()
    try:
        live.create_user(VIEWER_EMAIL, VIEWER_PASSWORD, role="viewer")
        r = dark.request("POST", "/api/v1/servers/", {"name": "far-away", "job_name": "node", "instance": "far:9100"},
                         token=dark.admin_token)
        assert r.status == 201, r
        with FixtureHost(cpu_busy_percent=25, cpus=2, mem_total_bytes=8e9, mem_available_bytes=2e9,
                         load1=0.5, load5=0.4, load15=0.3) as host, \
                FixtureHost(job="fixture", fail_status=503) as down:
            host.wait_until_scraped()
            # A second server, registered before the browser opens: it is down.
            r = live.request("POST", "/api/v1/servers/",
                             {"name": "db-down", "job_name": down.job, "instance": down.instance},
                             token=live.admin_token)
            assert r.status == 201, r
            live_url, dark_url = console_url(live), console_url(dark)
            env = dict(os.environ,
                       SENTINEL_URL=live_url,
                       SENTINEL_DARK_URL=dark_url,
                       ADMIN_EMAIL=ADMIN_EMAIL, ADMIN_PASSWORD=ADMIN_PASSWORD,
                       VIEWER_EMAIL=VIEWER_EMAIL, VIEWER_PASSWORD=VIEWER_PASSWORD,
                       HOST_NAME=host.name, HOST_INSTANCE=host.instance, HOST_JOB=host.job,
                       FIXTURE_EXPORTER=os.environ.get("SENTINEL_TEST_FIXTURE_EXPORTER") or _exporter(),
                       E2E_HOOK_URL=hook.url,
                       E2E_ARTIFACTS=artifacts)
            env.setdefault("E2E_NODE_MODULES", os.path.join(HERE, "node_modules"))
            node = os.environ.get("NODE", "node")
            run = subprocess.run([node, "--test", os.path.join(HERE, "console.e2e.mjs")], env=env, timeout=600)
            return run.returncode
    finally:
        for p in DEV_SERVERS:
            p.terminate()
            p.wait()
        for s in (live, dark):
            s.stop(expect_clean=False)
            s.close()
        hook.stop()


DEV_SERVERS = []


def console_url(sentinel):
    """Where the browser opens the console: Sentinel itself, or a dev server in front of it."""
    if os.environ.get("E2E_DEV_SERVER") != "1":
        return "http://127.0.0.1:%d" % sentinel.port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = os.path.join(HERE, "..", "..", "web", "dev-server.mjs")
    DEV_SERVERS.append(subprocess.Popen([os.environ.get("NODE", "node"), script, "--port", str(port),
                                         "--api", "http://127.0.0.1:%d" % sentinel.port]))
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return "http://127.0.0.1:%d" % port


def _exporter():
    from fixtures import exporter_address
    return exporter_address()


if __name__ == "__main__":
    sys.exit(main())
