#!/usr/bin/env python3
"""A real SMTP server for tests: aiosmtpd's Controller (Debian's python3-aiosmtpd,
in scripts/install-deps' test packages) on a free loopback port, recording every
message it accepts as one JSON line.

    smtp_receiver.py --out FILE.jsonl --port-file FILE [--username U --password P]

Recipients are refused as a mail server refuses them: a local part starting
"unknown" gets 550 5.1.1 (no such user: permanent), one starting "greylist" gets
450 4.7.1 (greylisted: try again later); every other is accepted.

Without --username it offers no AUTH. With it, AUTH PLAIN and LOGIN are offered
over the clear connection (a loopback test server has no certificate) and only
that pair is accepted (535 otherwise); every attempt is recorded in the message's
"auth" field (and attempts of sessions that never sent a message, in
FILE.auth.jsonl).

A recorded message: {"mail_from", "rcpt_tos", "content" (as received), "peer",
"auth" ([{"mechanism", "login", "success"}] of its session), "login" (the
authenticated user or null), and what Python's own email parser reads in it:
"subject" and "from", "to" (decoded), "type", "parts" ([{"type", "charset", "text"}],
the leaves), "defects"}.

Runs under any Python that can import aiosmtpd; tests start it with the first
of (their own interpreter, /usr/bin/python3) that can (SmtpReceiver below), so
a test interpreter without Debian's packages (a pyenv one) still gets a real
SMTP server. SIGTERM stops it, and so does its parent's end.

    with SmtpReceiver() as smtp:            # smtp.host, smtp.port
        ...
        messages = smtp.wait_for_messages(1)
"""
import argparse
import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def _record_line(path, record):
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


def serve(args):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    attempts = {}  # id(session) -> [attempt]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = False
        login = None
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            ok = auth_data.login == args.username.encode() and auth_data.password == args.password.encode()
        entry = {"mechanism": mechanism, "login": login, "success": ok}
        attempts.setdefault(id(session), []).append(entry)
        _record_line(args.out + ".auth.jsonl", entry)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            local = address.split("@", 1)[0].lower()
            if local.startswith("unknown"):
                return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
            if local.startswith("greylist"):
                return "450 4.7.1 <%s>: Recipient address rejected: Greylisted, try again later" % address
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 OK"

        async def handle_DATA(self, server, session, envelope):
            content = envelope.content
            if isinstance(content, bytes):
                content = content.decode("utf-8", "replace")
            parsed = email.message_from_string(content, policy=email.policy.default)
            parts = []
            for p in parsed.walk():
                if p.is_multipart():
                    continue
                parts.append({"type": p.get_content_type(), "charset": p.get_content_charset(),
                              "text": p.get_content()})
            login = getattr(session, "auth_data", None)
            login = login.login.decode("utf-8", "replace") if isinstance(login, LoginPassword) else None
            _record_line(args.out, {
                "mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "content": content,
                "peer": list(session.peer) if session.peer else None,
                "auth": attempts.get(id(session), []),
                "login": login if session.authenticated else None,
                "subject": str(parsed["subject"]), "from": str(parsed["from"]), "to": str(parsed["to"]),
                "type": parsed.get_content_type(), "parts": parts,
                "defects": [type(d).__name__ for p in parsed.walk() for d in p.defects],
            })
            return "250 2.0.0 OK: queued"

    kwargs = {}
    if args.username:
        kwargs.update(authenticator=authenticator, auth_require_tls=False)
    else:
        # AUTH not offered at all: EHLO lists no AUTH line.
        kwargs.update(auth_exclude_mechanism=["PLAIN", "LOGIN"])
    controller = Controller(Handler(), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % args.port)
    os.replace(tmp, args.port_file)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    parent = os.getppid()
    # A test process that dies without stopping it (SIGKILL, a ctest timeout) leaves it orphaned: then it stops too.
    while not done.wait(0.5):
        if os.getppid() != parent:
            break
    controller.stop()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python_with_aiosmtpd():
    """An interpreter that can import aiosmtpd, or None."""
    for py in (sys.executable, "/usr/bin/python3"):
        if py and os.path.exists(py) and subprocess.run([py, "-c", "import aiosmtpd"],
                                                        capture_output=True).returncode == 0:
            return py
    return None


class SmtpReceiver:
    """The server as a child process. host/port to point a client at; messages() reads what it got."""

    def __init__(self, username=None, password=None):
        self.python = python_with_aiosmtpd()
        if not self.python:
            raise RuntimeError("no Python here imports aiosmtpd (scripts/install-deps test installs python3-aiosmtpd)")
        self.dir = tempfile.mkdtemp(prefix="smtp-receiver-")
        self.out = os.path.join(self.dir, "messages.jsonl")
        self.port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "log")
        self.username, self.password = username, password
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None

    def start(self):
        self.port = _free_port()
        cmd = [self.python, os.path.abspath(__file__), "--out", self.out, "--port-file", self.port_file,
               "--port", str(self.port)]
        if self.username:
            cmd += ["--username", self.username, "--password", self.password or ""]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("smtp_receiver did not start:\n" + open(self.log_path, errors="replace").read())
            time.sleep(0.05)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def close(self):
        self.stop()
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def _read(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def messages(self):
        return self._read(self.out)

    def auth_attempts(self):
        return self._read(self.out + ".auth.jsonl")

    def wait_for_messages(self, count, timeout=10.0):
        deadline = time.time() + timeout
        while True:
            got = self.messages()
            if len(got) >= count or time.time() > deadline:
                return got
            time.sleep(0.05)

    def clear(self):
        for path in (self.out, self.out + ".auth.jsonl"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--username")
    ap.add_argument("--password", default="")
    serve(ap.parse_args(argv))


if __name__ == "__main__":
    main()
