"""A minimal RFC 6455 WebSocket client for tests (stdlib only).

    ws = WsClient.connect("127.0.0.1", port, "/ws/metrics?token=...", subprotocols=["v1"])
    ws.status, ws.headers["sec-websocket-protocol"], ws.selected_subprotocol
    kind, payload = ws.recv(timeout=5)        # ("text", str) | ("binary", bytes)
    ws.recv_json(timeout=5)                   # a text message parsed as JSON
    ws.send_text('{"subscribe": [1]}'); ws.ping(b"x", wait=5)
    ws.close(1000)                            # -> the server's (code, reason) or None

recv() answers pings automatically (set `ws.auto_pong = False` to play a dead
peer), reassembles fragmented messages, and returns ("close", code, reason)
when the server closes (1005: close frame without a code; 1006: the TCP
connection ended without a close frame). It raises TimeoutError when nothing
complete arrived in time (a partly received frame is kept for the next call).

A non-101 handshake answer raises WsHandshakeError with .status, .headers and
.body. Frames from the server that break the RFC (masked, RSV bits, bad UTF-8,
bad control frames) raise WsProtocolError.

Slow clients: WsClient.connect(..., rcvbuf=4096) shrinks the receive buffer
before connecting; connect_stalled() returns such a client that the test simply
never reads from. ws.pending_bytes() tells how much the kernel holds unread, and
ws.drain(timeout) reads everything to find out whether the server gave up on it.
"""
import base64
import collections
import fcntl
import hashlib
import json
import os
import select
import socket
import struct
import termios
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_HANDSHAKE = 65536


class WsError(Exception):
    pass


class WsHandshakeError(WsError):
    """The server did not switch protocols (or its 101 answer was wrong)."""

    def __init__(self, message, status=None, headers=None, body=b""):
        super().__init__("%s (status %s): %r" % (message, status, body[:300]))
        self.status = status
        self.headers = headers or {}
        self.body = body

    def json(self):
        return json.loads(self.body)


class WsProtocolError(WsError):
    pass


class WsClosed(WsError):
    """recv()/send on a connection that is already closed."""


def accept_key(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def mask_payload(payload, key):
    n = len(payload)
    if not n:
        return b""
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(k, "little")).to_bytes(n, "little")


def encode_frame(opcode, payload, fin=True, mask=True, rsv=0):
    head = bytearray([(0x80 if fin else 0) | (rsv << 4) | opcode])
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        head.append(mbit | n)
    elif n < 65536:
        head.append(mbit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(mbit | 127)
        head += struct.pack("!Q", n)
    if mask:
        key = os.urandom(4)
        return bytes(head) + key + mask_payload(payload, key)
    return bytes(head) + payload


class WsClient:
    def __init__(self, sock, timeout):
        self.sock = sock
        self.timeout = timeout
        self.status = None
        self.reason = None
        self.headers = {}        # lower-case name -> value (repeated headers joined with ", ")
        self.raw_headers = []    # [(name, value)] as received
        self.selected_subprotocol = None
        self.auto_pong = True
        self.pings_received = []  # payloads of the server's pings, in order
        self.pongs_received = []  # payloads of pongs the server sent
        self.close_sent = None    # (code, reason) we sent
        self.close_received = None  # (code, reason) the server sent / 1006
        self._buf = bytearray()
        self._frag_op = None
        self._frag = []
        self._pending = collections.deque()

    # --- connecting ---------------------------------------------------------
    @classmethod
    def connect(cls, host, port, path="/", subprotocols=None, headers=None, timeout=10, rcvbuf=None,
                auto_pong=True):
        """Opens a TCP connection and performs the Upgrade handshake.

        headers: dict or [(name, value)]; a name given here replaces the default one
        (Host, Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version), so
        broken handshakes can be tested. rcvbuf: SO_RCVBUF in bytes, set before connect."""
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(timeout)
            sock.connect((host, port))
            ws = cls(sock, timeout)
            ws.auto_pong = auto_pong
            ws._handshake(host, port, path, subprotocols, headers)
            return ws
        except BaseException:
            sock.close()
            raise

    def _handshake(self, host, port, path, subprotocols, headers):
        key = base64.b64encode(os.urandom(16)).decode()
        hdrs = [("Host", "%s:%d" % (host, port)), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")]
        if subprotocols:
            hdrs.append(("Sec-WebSocket-Protocol", ", ".join(subprotocols)))
        extra = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        names = {k.lower() for k, _ in extra}
        hdrs = [(k, v) for k, v in hdrs if k.lower() not in names] + extra
        for k, v in hdrs:
            if k.lower() == "sec-websocket-key":
                key = v
        req = "GET %s HTTP/1.1\r\n%s\r\n" % (path, "".join("%s: %s\r\n" % kv for kv in hdrs))
        self.sock.sendall(req.encode("latin-1"))

        deadline = time.monotonic() + self.timeout
        while b"\r\n\r\n" not in self._buf:
            if len(self._buf) > MAX_HANDSHAKE:
                raise WsHandshakeError("response headers too long")
            if not self._fill(deadline):
                raise WsHandshakeError("connection closed during the handshake", body=bytes(self._buf))
        end = self._buf.index(b"\r\n\r\n")
        head = bytes(self._buf[:end]).decode("latin-1")
        del self._buf[:end + 4]
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise WsHandshakeError("bad status line %r" % lines[0])
        self.status = int(parts[1])
        self.reason = parts[2] if len(parts) > 2 else ""
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                self.raw_headers.append((k.strip(), v.strip()))
                lk = k.strip().lower()
                self.headers[lk] = self.headers[lk] + ", " + v.strip() if lk in self.headers else v.strip()

        if self.status != 101:
            body = self._read_http_body(deadline)
            raise WsHandshakeError("server refused the upgrade", self.status, self.headers, body)
        if self.headers.get("upgrade", "").lower() != "websocket":
            raise WsHandshakeError("101 without Upgrade: websocket", 101, self.headers)
        if "upgrade" not in [t.strip().lower() for t in self.headers.get("connection", "").split(",")]:
            raise WsHandshakeError("101 without Connection: Upgrade", 101, self.headers)
        if self.headers.get("sec-websocket-accept") != accept_key(key):
            raise WsHandshakeError("bad Sec-WebSocket-Accept %r" % self.headers.get("sec-websocket-accept"),
                                   101, self.headers)
        proto = self.headers.get("sec-websocket-protocol")
        if proto is not None and proto not in (subprotocols or []):
            raise WsHandshakeError("server selected subprotocol %r that was not offered" % proto, 101, self.headers)
        self.selected_subprotocol = proto
        if self.headers.get("sec-websocket-extensions"):
            raise WsHandshakeError("server enabled extensions that were not offered", 101, self.headers)

    def _read_http_body(self, deadline):
        length = self.headers.get("content-length")
        try:
            if length is not None:
                n = int(length)
                while len(self._buf) < n and self._fill(deadline):
                    pass
                return bytes(self._buf[:n])
            if "chunked" in self.headers.get("transfer-encoding", "").lower():
                out = bytearray()
                while True:
                    while b"\r\n" not in self._buf:
                        if not self._fill(deadline):
                            return bytes(out)
                    i = self._buf.index(b"\r\n")
                    size = int(bytes(self._buf[:i]).split(b";")[0], 16)
                    while len(self._buf) < i + 2 + size + 2:
                        if not self._fill(deadline):
                            return bytes(out + self._buf[i + 2:])
                    out += self._buf[i + 2:i + 2 + size]
                    del self._buf[:i + 2 + size + 2]
                    if size == 0:
                        return bytes(out)
            while self._fill(deadline):
                pass
        except (TimeoutError, socket.timeout):
            pass
        return bytes(self._buf)

    # --- low level ------------------------------------------------------------
    def _fill(self, deadline):
        """Reads more bytes into the buffer; False on EOF; TimeoutError past the deadline."""
        if deadline is None:
            self.sock.settimeout(None)
        else:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("websocket: nothing received in time")
            self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("websocket: nothing received in time")
        except ConnectionResetError:
            return False
        if not data:
            return False
        self._buf += data
        return True

    def _parse_frame(self):
        """One complete frame from the buffer as (fin, rsv, opcode, payload), or None."""
        b = self._buf
        if len(b) < 2:
            return None
        fin, rsv, opcode = b[0] >> 7, (b[0] >> 4) & 7, b[0] & 0x0F
        masked, n = b[1] >> 7, b[1] & 0x7F
        pos = 2
        if n == 126:
            if len(b) < 4:
                return None
            n = struct.unpack_from("!H", b, 2)[0]
            pos = 4
        elif n == 127:
            if len(b) < 10:
                return None
            n = struct.unpack_from("!Q", b, 2)[0]
            pos = 10
        if masked:
            pos += 4
        if len(b) < pos + n:
            return None
        payload = bytes(b[pos:pos + n])
        if masked:
            payload = mask_payload(payload, bytes(b[pos - 4:pos]))
        del b[:pos + n]
        if masked:
            raise WsProtocolError("server sent a masked frame")
        if rsv:
            raise WsProtocolError("server set RSV bits %d without an extension" % rsv)
        if opcode >= 0x8:
            if not fin:
                raise WsProtocolError("fragmented control frame")
            if n > 125:
                raise WsProtocolError("control frame payload of %d bytes" % n)
        if opcode not in (OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG):
            raise WsProtocolError("reserved opcode %#x" % opcode)
        return fin, rsv, opcode, payload

    def send_frame(self, opcode, payload=b"", fin=True, mask=True, rsv=0):
        """Sends one raw frame (mask=False or rsv!=0 break the RFC on purpose)."""
        if self.sock is None:
            raise WsClosed("connection closed")
        if isinstance(payload, str):
            payload = payload.encode()
        self.sock.settimeout(self.timeout)
        self.sock.sendall(encode_frame(opcode, payload, fin=fin, mask=mask, rsv=rsv))

    # --- API -------------------------------------------------------------------
    def send_text(self, text):
        self.send_frame(OP_TEXT, text.encode("utf-8"))

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def send_binary(self, data):
        self.send_frame(OP_BINARY, bytes(data))

    def ping(self, payload=b"", wait=None):
        """Sends a ping; with wait=<seconds>, also waits for the matching pong (messages
        arriving meanwhile are kept for recv()). Returns the round-trip time or None."""
        payload = payload.encode() if isinstance(payload, str) else bytes(payload)
        start = time.monotonic()
        self.send_frame(OP_PING, payload)
        if wait is None:
            return None
        deadline = start + wait
        seen = len(self.pongs_received)
        while True:
            if payload in self.pongs_received[seen:]:
                return time.monotonic() - start
            msg = self._next_message(deadline)
            if msg is not None:
                self._pending.append(msg)
                if msg[0] == "close":
                    raise WsClosed("closed while waiting for a pong: %r" % (msg,))

    def recv(self, timeout=None):
        """The next message: ("text", str), ("binary", bytes) or ("close", code, reason)."""
        if self._pending:
            return self._pending.popleft()
        if self.sock is None:
            raise WsClosed("connection closed: %r" % (self.close_received,))
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            msg = self._next_message(deadline)
            if msg is not None:
                return msg

    def recv_text(self, timeout=None):
        msg = self.recv(timeout)
        if msg[0] != "text":
            raise AssertionError("expected a text message, got %r" % (msg,))
        return msg[1]

    def recv_json(self, timeout=None):
        return json.loads(self.recv_text(timeout))

    def _next_message(self, deadline):
        """Processes one frame (reading as needed); returns a message or None (control frame)."""
        while True:
            frame = self._parse_frame()
            if frame is not None:
                break
            if not self._fill(deadline):
                self.close_received = self.close_received or (1006, "")
                self._shutdown()
                return ("close", 1006, "")
        fin, _, opcode, payload = frame
        if opcode == OP_PING:
            self.pings_received.append(payload)
            if self.auto_pong and self.close_sent is None:
                try:
                    self.send_frame(OP_PONG, payload)
                except OSError:
                    pass
            return None
        if opcode == OP_PONG:
            self.pongs_received.append(payload)
            return None
        if opcode == OP_CLOSE:
            if len(payload) == 1:
                raise WsProtocolError("close frame with a 1-byte payload")
            code = struct.unpack("!H", payload[:2])[0] if payload else 1005
            try:
                reason = payload[2:].decode("utf-8")
            except UnicodeDecodeError:
                raise WsProtocolError("close reason is not UTF-8")
            self.close_received = (code, reason)
            if self.close_sent is None:
                try:
                    self.send_frame(OP_CLOSE, payload[:2])
                    self.close_sent = (code, "")
                except OSError:
                    pass
            self._shutdown()
            return ("close", code, reason)
        if opcode == OP_CONT:
            if self._frag_op is None:
                raise WsProtocolError("continuation frame without a message")
            self._frag.append(payload)
        else:
            if self._frag_op is not None:
                raise WsProtocolError("new data frame inside a fragmented message")
            self._frag_op, self._frag = opcode, [payload]
        if not fin:
            return None
        data, op = b"".join(self._frag), self._frag_op
        self._frag_op, self._frag = None, []
        if op == OP_TEXT:
            try:
                return ("text", data.decode("utf-8"))
            except UnicodeDecodeError:
                raise WsProtocolError("text message is not valid UTF-8")
        return ("binary", data)

    def close(self, code=1000, reason="", timeout=5):
        """Sends a close frame, waits for the server's (discarding messages) and closes the
        socket. Returns the server's (code, reason), or None if it did not answer in time."""
        if self.sock is None:
            return self.close_received
        if self.close_sent is None:
            payload = struct.pack("!H", code) + reason.encode("utf-8") if code is not None else b""
            try:
                self.send_frame(OP_CLOSE, payload)
                self.close_sent = (code, reason)
            except OSError:
                self._shutdown()
                return self.close_received
        deadline = time.monotonic() + timeout
        try:
            while self.sock is not None:
                msg = self._next_message(deadline)
                if msg is not None and msg[0] == "close":
                    break
        except (TimeoutError, OSError, WsProtocolError):
            pass
        self._shutdown()
        return self.close_received if self.close_received != (1006, "") else None

    def abort(self):
        """Drops the TCP connection without a close frame."""
        self._shutdown()

    def _shutdown(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    @property
    def closed(self):
        return self.sock is None

    def pending_bytes(self):
        """Bytes received by the kernel but not read yet (FIONREAD)."""
        if self.sock is None:
            return 0
        return struct.unpack("i", fcntl.ioctl(self.sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]

    def drain(self, timeout=5):
        """Reads and counts messages until the connection closes or `timeout` passes.
        Returns (number of data messages, ("close", code, reason) or None)."""
        count = 0
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._pending:
                    msg = self._pending.popleft()
                elif self.sock is not None:
                    msg = self._next_message(deadline)
                else:
                    return count, ("close",) + self.close_received if self.close_received else None
            except TimeoutError:
                return count, None
            if msg is None:
                continue
            if msg[0] == "close":
                return count, msg
            count += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.sock is not None:
            try:
                self.close(timeout=1)
            except OSError:
                self.abort()
        return False


def connect_stalled(host, port, path="/", rcvbuf=4096, **kwargs):
    """A client that completes the handshake and then never reads (slow-consumer tests):
    a tiny receive buffer, no automatic pongs (nothing is read, so none could be sent)."""
    return WsClient.connect(host, port, path, rcvbuf=rcvbuf, auto_pong=False, **kwargs)


def flood_pings_until_blocked(ws, quiet=1.0, max_bytes=256 << 20):
    """Sends ping frames (125-byte payload) on a client that never reads, until the
    server stops reading them: it must answer every ping with a pong, and once the pongs
    fill the client's tiny receive window and the server's send buffer, its writes to
    this client block, so it stops reading, and our sends block after filling the
    buffers in between. The connection is then stalled the way a client that stops reading
    stalls it, within a second instead of minutes of 400-byte frames.
    Stops on a frame boundary; returns the number of bytes sent."""
    frame = encode_frame(OP_PING, b"p" * 125)
    batch = frame * 512
    sock = ws.sock
    sock.setblocking(False)
    sent = 0
    try:
        while sent < max_bytes:
            if not select.select([], [sock], [], quiet)[1]:
                return sent  # nothing could be sent for `quiet` seconds: the server stopped reading
            try:
                n = sock.send(batch)
            except BlockingIOError:
                continue
            sent += n
            rest = batch[n:n + (-n) % len(frame)]  # the rest of a frame sent in part
            deadline = time.monotonic() + 5
            while rest:
                if not select.select([], [sock], [], max(0.0, deadline - time.monotonic()))[1]:
                    raise AssertionError("could not finish a ping frame")
                try:
                    k = sock.send(rest)
                except BlockingIOError:
                    continue
                rest = rest[k:]
                sent += k
        raise AssertionError("the server read %d bytes of pings without ever blocking: does it answer "
                             "pings?" % sent)
    finally:
        sock.setblocking(True)
