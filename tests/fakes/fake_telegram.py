#!/usr/bin/env python3
"""A fake Telegram Bot API for tests (stdlib only), speaking the real protocol.

The test environment cannot reach api.telegram.org; Sentinel is pointed at this
server with TELEGRAM_API_URL=http://127.0.0.1:<port> instead.

    fake_telegram.py --port P [--host 127.0.0.1] [--token T] [--chat-id ID ...]
                     [--port-file FILE] [--verbose]

`--port 0` picks a free port. The chosen port is printed on stdout (one line)
and, with --port-file, written to FILE (atomically, once listening). Tests in
Python can instead run it in a thread:

    with FakeTelegram(token="123:abc") as tg:          # tg.url is TELEGRAM_API_URL
        ...                                            # start Sentinel against tg.url
        msgs = tg.wait_for_messages(1, timeout=10)
        tg.configure(fail_next=2, fail_status=429, retry_after=1)

Bot API (what Sentinel uses; answers as Telegram gives them):

  POST|GET /bot<token>/sendMessage   parameters as JSON, form-urlencoded body, or query string
      chat_id (required), text (required), parse_mode ("HTML" is validated; "Markdown",
      "MarkdownV2" are accepted unchecked), message_thread_id, disable_notification,
      disable_web_page_preview, link_preview_options, reply_markup (ignored)
      → 200 {"ok": true, "result": {"message_id", "from", "chat", "date", "text", "entities", ...}}
  POST|GET /bot<token>/getMe         → 200 {"ok": true, "result": {bot user}}
  Errors, always {"ok": false, "error_code": N, "description": "..."} with HTTP status N:
      wrong token                    401 "Unauthorized"
      malformed path, unknown method 404 "Not Found"
      unknown / bad chat             400 "Bad Request: chat not found"
      missing chat_id                400 "Bad Request: chat_id is empty"
      empty text                     400 "Bad Request: message text is empty"
      text over max_length           400 "Bad Request: message is too long"
      invalid HTML                   400 "Bad Request: can't parse entities: <why> at byte offset N"
      invalid UTF-8 / lone surrogate 400 "Bad Request: strings must be encoded in UTF-8"
      configured failures            429 "Too Many Requests: retry after N" with
                                     "parameters": {"retry_after": N}; or any fail_status

  HTML is checked as Telegram checks it: only Telegram's tags (b strong i em u ins
  s strike del span tg-spoiler a code pre blockquote tg-emoji), properly nested and
  closed, <span> only with class="tg-spoiler", and the message length counted on the
  text after entity parsing, in UTF-16 code units (an emoji outside the BMP counts 2).
  Stricter than Telegram on purpose: a '&' must start &lt; &gt; &amp; &quot; or a
  numeric entity (Telegram would show a stray '&' as is), so escaping bugs surface.

Control endpoints (JSON; not part of the Bot API):

  GET    /healthz                      200 "ok"
  GET    /_messages[?wait=S&count=N]   {"messages": [...]}: accepted messages, oldest first; with
                                       wait, blocks up to S seconds until at least N exist
  GET    /_requests[?wait=S&count=N]   {"requests": [...]}: every Bot API request with its answer
  GET    /_in_flight                   {"in_flight": N}: Bot API requests received and not yet
                                       answered (e.g. held by delay_seconds)
  DELETE /_messages                    forget messages and requests (config is kept)
  GET    /_config                      current settings
  POST   /_config                      merge settings (null resets a key to its default):
      token           the bot token expected in the path (default "123456:TEST-token")
      chats           list of known chat ids; null (default) accepts every chat
      bad_chats       list of chat ids answered "chat not found"
      fail_next       the next N sendMessage requests fail (counts down to 0)
      fail_match      only sendMessage requests whose text contains this string fail and count
                      down fail_next (default null: every request)
      fail_status     their status: 429 (default, with retry_after), 400, 403, 500, 502, ...
      retry_after     seconds in the 429 answer (default 1)
      fail_description  description for failures (default: Telegram's wording for the status)
      delay_seconds   answer every Bot API request after this delay (default 0)
      max_length      text limit in UTF-16 units after entity parsing (default 4096)
      validate_html   false to accept any text with parse_mode HTML (default true)
  POST   /_reset                       default settings and no messages

A recorded message: {"message_id", "chat_id", "message_thread_id", "text" (as sent),
"plain_text" (after entity parsing), "entities", "parse_mode", "disable_notification",
"disable_web_page_preview", "link_preview_options", "params" (everything received),
"content_type", "token", "time"}. A recorded request adds "method", "path", "status"
and "response".
"""
import argparse
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_TOKEN = "123456:TEST-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "Sentinel Test Bot", "username": "sentinel_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
DEFAULTS = {
    "token": DEFAULT_TOKEN,
    "chats": None,
    "bad_chats": [],
    "fail_next": 0,
    "fail_match": None,
    "fail_status": 429,
    "retry_after": 1,
    "fail_description": None,
    "delay_seconds": 0.0,
    "max_length": 4096,
    "validate_html": True,
}
STATUS_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was kicked from the supergroup chat",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# Telegram's HTML tags and the entity type each makes.
TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
        "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
        "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
        "tg-emoji": "custom_emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_RE = re.compile(r"&(?:([a-zA-Z]+)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
ATTR_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_:-]*")
PATH_RE = re.compile(r"^/bot([^/]*)/([A-Za-z]+)$")


class ApiError(Exception):
    def __init__(self, status, description, parameters=None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class ParseError(Exception):
    pass


def utf16_len(s):
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in s)


def byte_offset(text, i):
    return len(text[:i].encode("utf-8", "surrogatepass"))


def decode_entity(text, i):
    """(character, end index) for the entity at text[i] == '&', or raise ParseError."""
    m = ENTITY_RE.match(text, i)
    if not m:
        raise ParseError("Unsupported HTML entity at byte offset %d" % byte_offset(text, i))
    name, dec, hexa = m.groups()
    if name is not None:
        if name not in NAMED_ENTITIES:
            raise ParseError("Unsupported HTML entity \"&%s;\" at byte offset %d" % (name, byte_offset(text, i)))
        return NAMED_ENTITIES[name], m.end()
    cp = int(dec) if dec is not None else int(hexa, 16)
    if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        raise ParseError("Invalid character reference at byte offset %d" % byte_offset(text, i))
    return chr(cp), m.end()


def parse_attributes(text, i, tag_start):
    """Attributes of a start tag from text[i] up to '>': (dict, index after '>')."""
    attrs = {}
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            raise ParseError("Unclosed start tag at byte offset %d" % byte_offset(text, tag_start))
        if text[i] == ">":
            return attrs, i + 1
        if text[i] == "/" and text.startswith("/>", i):
            raise ParseError("Unsupported self-closing tag at byte offset %d" % byte_offset(text, tag_start))
        m = ATTR_NAME_RE.match(text, i)
        if not m:
            raise ParseError("Expected equal sign in declaration of an attribute of the tag at byte offset %d"
                             % byte_offset(text, tag_start))
        name = m.group(0).lower()
        i = m.end()
        value = ""
        if i < n and text[i] == "=":
            i += 1
            if i < n and text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end < 0:
                    raise ParseError("Unclosed start tag at byte offset %d" % byte_offset(text, tag_start))
                raw = text[i + 1:end]
                i = end + 1
            else:
                j = i
                while j < n and text[j] not in " \t\r\n>":
                    j += 1
                raw = text[i:j]
                i = j
            parts, k = [], 0
            while k < len(raw):
                if raw[k] == "&":
                    ch, k2 = decode_entity(raw, k)
                    parts.append(ch)
                    k = k2
                else:
                    parts.append(raw[k])
                    k += 1
            value = "".join(parts)
        attrs[name] = value


def parse_html(text):
    """Telegram's HTML parse mode: (plain text, entities) or ParseError(why)."""
    out = []
    units = 0
    stack = []  # (tag name, UTF-16 offset where it starts, attributes)
    entities = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "<":
            start = i
            if text.startswith("</", i):
                m = NAME_RE.match(text, i + 2)
                j = m.end() if m else i + 2
                while j < n and text[j] in " \t\r\n":
                    j += 1
                if not m or j >= n or text[j] != ">":
                    raise ParseError("Unclosed end tag at byte offset %d" % byte_offset(text, start))
                name = m.group(0).lower()
                if not stack:
                    raise ParseError("Unexpected end tag at byte offset %d" % byte_offset(text, start))
                top, offset, attrs = stack.pop()
                if top != name:
                    raise ParseError("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\""
                                     % (byte_offset(text, start), top, name))
                if units > offset:
                    entity = {"type": TAGS[top], "offset": offset, "length": units - offset}
                    if top == "a":
                        entity["url"] = attrs.get("href", "")
                    entities.append(entity)
                i = j + 1
                continue
            m = NAME_RE.match(text, i + 1)
            if not m:
                raise ParseError("Unsupported start tag \"\" at byte offset %d" % byte_offset(text, start))
            name = m.group(0).lower()
            if name not in TAGS:
                raise ParseError("Unsupported start tag \"%s\" at byte offset %d" % (name, byte_offset(text, start)))
            attrs, i = parse_attributes(text, m.end(), start)
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise ParseError("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d"
                                 % byte_offset(text, start))
            stack.append((name, units, attrs))
        elif c == "&":
            ch, i = decode_entity(text, i)
            out.append(ch)
            units += utf16_len(ch)
        else:
            out.append(c)
            units += utf16_len(c)
            i += 1
    if stack:
        raise ParseError("Can't find end tag corresponding to start tag \"%s\"" % stack[-1][0])
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def as_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return False


def as_int(v, what):
    if isinstance(v, bool):
        raise ApiError(400, "Bad Request: invalid %s specified" % what)
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"-?[0-9]{1,19}", v.strip()):
        return int(v.strip())
    raise ApiError(400, "Bad Request: invalid %s specified" % what)


def check_utf8(v):
    """Raise when a received string holds a lone surrogate (JSON "\\ud83d")."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(400, "Bad Request: strings must be encoded in UTF-8")
    elif isinstance(v, dict):
        for k, x in v.items():
            check_utf8(k)
            check_utf8(x)
    elif isinstance(v, list):
        for x in v:
            check_utf8(x)


class State:
    def __init__(self, token=DEFAULT_TOKEN, chats=None):
        self.lock = threading.Condition()
        self.config = dict(DEFAULTS)
        self.config["token"] = token
        self.config["chats"] = list(chats) if chats else None
        self.initial = dict(self.config)
        self.messages = []
        self.requests = []
        self.next_message_id = 1
        self.in_flight = 0

    def configure(self, changes):
        if not isinstance(changes, dict):
            raise ApiError(400, "expected a JSON object")
        unknown = set(changes) - set(DEFAULTS)
        if unknown:
            raise ApiError(400, "unknown settings %s (known: %s)" % (sorted(unknown), sorted(DEFAULTS)))
        with self.lock:
            for k, v in changes.items():
                self.config[k] = self.initial[k] if v is None else v
            return dict(self.config)

    def reset(self):
        with self.lock:
            self.config = dict(self.initial)
            self.messages.clear()
            self.requests.clear()
            self.lock.notify_all()

    def clear(self):
        with self.lock:
            self.messages.clear()
            self.requests.clear()

    def wait(self, attr, count, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(getattr(self, attr)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            return [dict(x) for x in getattr(self, attr)]

    def record_request(self, entry):
        with self.lock:
            self.requests.append(entry)
            self.lock.notify_all()

    # --- Bot API ---------------------------------------------------------------

    def take_failure(self, text):
        """The configured failure for this request, if one is due: (status, description, parameters)."""
        with self.lock:
            cfg = self.config
            if int(cfg.get("fail_next") or 0) <= 0:
                return None
            if cfg.get("fail_match") is not None and str(cfg["fail_match"]) not in str(text):
                return None
            cfg["fail_next"] = int(cfg["fail_next"]) - 1
            status = int(cfg.get("fail_status") or 429)
            if status == 429:
                after = int(cfg.get("retry_after") or 1)
                return 429, cfg.get("fail_description") or "Too Many Requests: retry after %d" % after, \
                    {"retry_after": after}
            return status, cfg.get("fail_description") or STATUS_DESCRIPTIONS.get(status, "Error %d" % status), None

    def send_message(self, token, params, content_type):
        with self.lock:
            cfg = dict(self.config)
        check_utf8(params)
        if "chat_id" not in params or params["chat_id"] in ("", None):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = params["chat_id"]
        if isinstance(chat_id, str) and re.fullmatch(r"-?[0-9]+", chat_id.strip()):
            chat_id = int(chat_id.strip())
        if isinstance(chat_id, bool) or not isinstance(chat_id, (int, str)):
            raise ApiError(400, "Bad Request: chat not found")
        key = str(chat_id)
        if key in {str(c) for c in cfg.get("bad_chats") or []}:
            raise ApiError(400, "Bad Request: chat not found")
        if cfg.get("chats") is not None and key not in {str(c) for c in cfg["chats"]}:
            raise ApiError(400, "Bad Request: chat not found")
        failure = self.take_failure(params.get("text"))
        if failure:
            raise ApiError(*failure)

        text = params.get("text")
        if not isinstance(text, str):
            text = "" if text is None else json.dumps(text)
        parse_mode = params.get("parse_mode") or ""
        if not isinstance(parse_mode, str) or parse_mode.lower() not in ("", "html", "markdown", "markdownv2"):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        plain, entities = text, []
        if parse_mode.lower() == "html" and cfg.get("validate_html", True):
            try:
                plain, entities = parse_html(text)
            except ParseError as e:
                raise ApiError(400, "Bad Request: can't parse entities: %s" % e)
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > int(cfg.get("max_length") or 4096):  # untrimmed: stricter than Telegram
            raise ApiError(400, "Bad Request: message is too long")
        thread = params.get("message_thread_id")
        thread = as_int(thread, "message thread id") if thread not in (None, "") else None

        with self.lock:
            message_id = self.next_message_id
            self.next_message_id += 1
        now = int(time.time())
        chat = {"id": chat_id}
        if isinstance(chat_id, str):
            chat.update(type="channel", username=chat_id.lstrip("@"), title=chat_id.lstrip("@"))
        elif chat_id < 0:
            chat.update(type="supergroup" if str(chat_id).startswith("-100") else "group", title="Test chat")
        else:
            chat.update(type="private", first_name="Test user")
        result = {"message_id": message_id, "from": BOT, "chat": chat, "date": now, "text": plain}
        if entities:
            result["entities"] = entities
        if thread is not None:
            result["message_thread_id"] = thread
            result["is_topic_message"] = True
        record = {
            "message_id": message_id,
            "chat_id": chat_id,
            "message_thread_id": thread,
            "text": text,
            "plain_text": plain,
            "entities": entities,
            "parse_mode": parse_mode or None,
            "disable_notification": as_bool(params.get("disable_notification", False)),
            "disable_web_page_preview": as_bool(params.get("disable_web_page_preview", False)),
            "link_preview_options": params.get("link_preview_options"),
            "params": params,
            "content_type": content_type,
            "token": token,
            "time": time.time(),
        }
        with self.lock:
            self.messages.append(record)
            self.lock.notify_all()
        return result


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-telegram/1"
    timeout = 120
    verbose = False

    def log_message(self, fmt_, *args):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt_ % args))

    def reply(self, status, body, content_type="application/json"):
        if not isinstance(body, bytes):
            # ASCII escapes: a recorded lone surrogate ("\ud83d") stays valid JSON.
            body = json.dumps(body).encode("ascii")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    @property
    def state(self):
        return self.server.state

    def split(self):
        url = urllib.parse.urlsplit(self.path)
        return url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True)

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    do_HEAD = do_GET

    def dispatch(self):
        raw = self.read_body()  # always drain the body, so keep-alive stays in sync
        path, query = self.split()
        if path == "/healthz":
            return self.reply(200, b"ok\n", "text/plain")
        if path.startswith("/_"):
            return self.control(path, query, raw)
        return self.bot_api(path, query, raw)

    def control(self, path, query, raw):
        st = self.state
        try:
            if path in ("/_messages", "/_requests") and self.command in ("GET", "HEAD"):
                attr = path[2:]
                wait = float(query.get("wait", ["0"])[0] or 0)
                count = int(query.get("count", ["1"])[0] or 1)
                return self.reply(200, {attr: st.wait(attr, count, min(wait, 60.0))})
            if path == "/_in_flight" and self.command in ("GET", "HEAD"):
                with st.lock:
                    return self.reply(200, {"in_flight": st.in_flight})
            if path == "/_messages" and self.command == "DELETE":
                st.clear()
                return self.reply(200, {"deleted": True})
            if path == "/_config" and self.command == "GET":
                with st.lock:
                    config = dict(st.config)
                return self.reply(200, config)
            if path == "/_config" and self.command == "POST":
                return self.reply(200, st.configure(json.loads(raw or b"{}")))
            if path == "/_reset" and self.command == "POST":
                st.reset()
                return self.reply(200, {"reset": True})
        except (ValueError, ApiError) as e:
            return self.reply(400, {"error": str(e)})
        return self.reply(404, {"error": "not found"})

    def params(self, query, raw):
        """Bot API parameters from the query string and the body (JSON or form)."""
        params = {k: v[-1] for k, v in query.items()}
        if not raw:
            return params, None
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "Bad Request: strings must be encoded in UTF-8")
        if ctype == "application/json":
            try:
                body = json.loads(text)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON encoded request")
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON encoded request")
            params.update(body)
        elif ctype == "application/x-www-form-urlencoded":
            try:
                form = urllib.parse.parse_qs(text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise ApiError(400, "Bad Request: strings must be encoded in UTF-8")
            params.update({k: v[-1] for k, v in form.items()})
        else:
            raise ApiError(400, "Bad Request: unsupported Content-Type %r" % ctype)
        return params, ctype

    def bot_api(self, path, query, raw):
        st = self.state
        m = PATH_RE.match(path)
        with st.lock:
            delay = float(st.config.get("delay_seconds") or 0)
            expected = st.config.get("token")
            st.in_flight += 1
        try:
            return self.answer_bot_api(path, query, raw, m, delay, expected)
        finally:
            with st.lock:
                st.in_flight -= 1

    def answer_bot_api(self, path, query, raw, m, delay, expected):
        st = self.state
        token = m.group(1) if m else None
        method = m.group(2) if m else None
        if delay > 0:
            time.sleep(delay)
        entry = {"method": method, "path": path, "token": token, "time": time.time()}
        try:
            if not m or not token:
                raise ApiError(404, "Not Found")
            if token != expected:
                raise ApiError(401, "Unauthorized")
            params, ctype = self.params(query, raw)
            entry["params"] = params
            lname = method.lower()
            if lname == "getme":
                status, body = 200, {"ok": True, "result": BOT}
            elif lname == "sendmessage":
                status, body = 200, {"ok": True, "result": st.send_message(token, params, ctype)}
            else:
                raise ApiError(404, "Not Found")
        except ApiError as e:
            status = e.status
            body = {"ok": False, "error_code": e.status, "description": e.description}
            if e.parameters:
                body["parameters"] = e.parameters
        entry.update(status=status, response=body)
        st.record_request(entry)
        if self.verbose:
            sys.stderr.write("%s %s -> %d\n" % (self.command, method, status))
        return self.reply(status, body)


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


class FakeTelegram:
    """The fake in a background thread, for Python tests.

    `url` is what TELEGRAM_API_URL should be; the methods below read and steer
    the same state the control endpoints do.
    """

    def __init__(self, host="127.0.0.1", port=0, token=DEFAULT_TOKEN, chats=None, verbose=False):
        Handler.verbose = Handler.verbose or verbose
        self.state = State(token, chats)
        self.server = Server((host, port), self.state)
        self.host = host
        self.port = self.server.server_address[1]
        self.url = "http://%s:%d" % (host, self.port)
        self.token = token
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="fake-telegram", daemon=True)
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

    def messages(self):
        return self.state.wait("messages", 0, 0)

    def requests(self):
        return self.state.wait("requests", 0, 0)

    def wait_for_messages(self, count, timeout=10.0):
        """At least `count` messages, waiting up to `timeout` s; fewer if time runs out."""
        return self.state.wait("messages", count, timeout)

    def wait_for_requests(self, count, timeout=10.0):
        return self.state.wait("requests", count, timeout)

    def in_flight(self):
        """Bot API requests received and not yet answered."""
        with self.state.lock:
            return self.state.in_flight

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
    ap.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token expected in /bot<token>/...")
    ap.add_argument("--chat-id", action="append", help="a known chat (repeatable); default: any chat")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    Handler.verbose = args.verbose
    srv = Server((args.host, args.port), State(args.token, args.chat_id))
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
