#!/usr/bin/env python3
"""A webhook receiver for tests (stdlib only): records what it is sent and answers as told.

Stands in for a user's Alertmanager-compatible webhook endpoint; Sentinel is
pointed at it with WEBHOOK_URL=http://127.0.0.1:<port>/<any path>.

    webhook_receiver.py --port P [--host 127.0.0.1] [--port-file FILE] [--verbose]

`--port 0` picks a free port. The chosen port is printed on stdout (one line)
and, with --port-file, written to FILE (atomically, once listening). Tests in
Python can instead run it in a thread:

    with WebhookReceiver() as hook:                   # hook.url + "/alerts" is a WEBHOOK_URL
        ...
        reqs = hook.wait_for_requests(1, timeout=10)
        reqs[0]["json"]["alerts"][0]["labels"]["alertname"]
        hook.configure(fail_next=2, fail_status=503, retry_after=1)

Webhook side: POST or PUT to any path not starting with "/_" is recorded and
answered with the configured status (default 200, body "ok"). Other methods on
those paths answer 405.

Control endpoints (JSON):

  GET    /healthz                      200 "ok"
  GET    /_requests[?wait=S&count=N]   {"requests": [...]}: recorded requests, oldest first; with
                                       wait, blocks up to S seconds until at least N exist
  DELETE /_requests                    forget them (config is kept)
  GET    /_config                      current settings
  POST   /_config                      merge settings (null resets a key to its default):
      status          answer to every request (default 200)
      response_body   its body (default "ok")
      fail_next       the next N requests get fail_status instead (counts down to 0)
      fail_status     default 503
      retry_after     when set, failures carry "Retry-After: <retry_after>"
      delay_seconds   answer after this delay (default 0)
      require_headers {"Name": "value", ...}: a request missing one is answered 401
                      (and recorded, with "status": 401)
  POST   /_reset                       default settings and no requests

A recorded request: {"method", "path", "query", "headers" ({name: value}, names as
sent), "body" (text, undecodable bytes replaced), "json" (parsed body, or null when
it is not JSON), "json_error" (why not, or null), "status" (the answer given), "time"}.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULTS = {
    "status": 200,
    "response_body": "ok",
    "fail_next": 0,
    "fail_status": 503,
    "retry_after": None,
    "delay_seconds": 0.0,
    "require_headers": {},
}
MAX_BODY = 16 * 1024 * 1024


class BadRequest(Exception):
    pass


class State:
    def __init__(self):
        self.lock = threading.Condition()
        self.config = dict(DEFAULTS)
        self.requests = []

    def configure(self, changes):
        if not isinstance(changes, dict):
            raise BadRequest("expected a JSON object")
        unknown = set(changes) - set(DEFAULTS)
        if unknown:
            raise BadRequest("unknown settings %s (known: %s)" % (sorted(unknown), sorted(DEFAULTS)))
        with self.lock:
            for k, v in changes.items():
                self.config[k] = DEFAULTS[k] if v is None else v
            return dict(self.config)

    def reset(self):
        with self.lock:
            self.config = dict(DEFAULTS)
            self.requests.clear()
            self.lock.notify_all()

    def clear(self):
        with self.lock:
            self.requests.clear()

    def wait(self, count, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            return [dict(r) for r in self.requests]

    def answer_for(self, headers):
        """(status, extra headers, body) for the next request, counting down fail_next."""
        with self.lock:
            cfg = self.config
            for name, value in (cfg.get("require_headers") or {}).items():
                if headers.get(name) != value:
                    return 401, {}, "missing or wrong %s" % name
            if int(cfg.get("fail_next") or 0) > 0:
                cfg["fail_next"] = int(cfg["fail_next"]) - 1
                extra = {}
                if cfg.get("retry_after") is not None:
                    extra["Retry-After"] = str(cfg["retry_after"])
                return int(cfg.get("fail_status") or 503), extra, "failing on purpose (fail_next)"
            return int(cfg.get("status") or 200), {}, str(cfg.get("response_body") or "")

    def record(self, entry):
        with self.lock:
            self.requests.append(entry)
            self.lock.notify_all()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "webhook-receiver/1"
    timeout = 120
    verbose = False

    def log_message(self, fmt_, *args):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt_ % args))

    def reply(self, status, body, content_type="application/json", extra=None):
        if not isinstance(body, bytes):
            body = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.close_connection = True
            raise BadRequest("body over %d bytes" % MAX_BODY)
        return self.rfile.read(n) if n > 0 else b""

    @property
    def state(self):
        return self.server.state

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    do_HEAD = do_GET

    def dispatch(self):
        try:
            raw = self.read_body()
        except BadRequest as e:
            return self.reply(413, {"error": str(e)})
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/healthz":
            return self.reply(200, b"ok\n", "text/plain")
        if url.path.startswith("/_"):
            return self.control(url, raw)
        return self.hook(url, raw)

    def control(self, url, raw):
        st = self.state
        query = urllib.parse.parse_qs(url.query)
        try:
            if url.path == "/_requests" and self.command in ("GET", "HEAD"):
                wait = float(query.get("wait", ["0"])[0] or 0)
                count = int(query.get("count", ["1"])[0] or 1)
                return self.reply(200, {"requests": st.wait(count, min(wait, 60.0))})
            if url.path == "/_requests" and self.command == "DELETE":
                st.clear()
                return self.reply(200, {"deleted": True})
            if url.path == "/_config" and self.command == "GET":
                with st.lock:
                    config = dict(st.config)
                return self.reply(200, config)
            if url.path == "/_config" and self.command == "POST":
                return self.reply(200, st.configure(json.loads(raw or b"{}")))
            if url.path == "/_reset" and self.command == "POST":
                st.reset()
                return self.reply(200, {"reset": True})
        except (ValueError, BadRequest) as e:
            return self.reply(400, {"error": str(e)})
        return self.reply(404, {"error": "not found"})

    def hook(self, url, raw):
        st = self.state
        if self.command not in ("POST", "PUT"):
            return self.reply(405, {"error": "use POST"}, extra={"Allow": "POST, PUT"})
        with st.lock:
            delay = float(st.config.get("delay_seconds") or 0)
        if delay > 0:
            time.sleep(delay)
        headers = {k: v for k, v in self.headers.items()}
        status, extra, body = st.answer_for(headers)
        parsed, error = None, None
        try:
            parsed = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            error = str(e)
        st.record({
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": headers,
            "body": raw.decode("utf-8", "replace"),
            "json": parsed,
            "json_error": error,
            "status": status,
            "time": time.time(),
        })
        if self.verbose:
            sys.stderr.write("%s %s -> %d\n" % (self.command, url.path, status))
        return self.reply(status, body, "text/plain; charset=utf-8", extra)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, state):
        super().__init__(addr, Handler)
        self.state = state

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()

    def handle_error(self, request, client_address):
        if Handler.verbose:
            super().handle_error(request, client_address)


class WebhookReceiver:
    """The receiver in a background thread, for Python tests. `url` is its base URL."""

    def __init__(self, host="127.0.0.1", port=0, verbose=False):
        Handler.verbose = Handler.verbose or verbose
        self.state = State()
        self.server = Server((host, port), self.state)
        self.port = self.server.server_address[1]
        self.url = "http://%s:%d" % (host, self.port)
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="webhook-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self._thread:
            self._thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def requests(self):
        return self.state.wait(0, 0)

    def wait_for_requests(self, count, timeout=10.0):
        """At least `count` requests, waiting up to `timeout` s; fewer if time runs out."""
        return self.state.wait(count, timeout)

    def configure(self, **settings):
        return self.state.configure(settings)

    def clear(self):
        self.state.clear()

    def reset(self):
        self.state.reset()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    Handler.verbose = args.verbose
    srv = Server((args.host, args.port), State())
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print(port, flush=True)
    try:
        srv.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()
