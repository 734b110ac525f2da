"""HTTP on 127.0.0.1: prepared requests, the load client, and ``fetch`` for checks.

The load client (``LoadConnection``) is a small HTTP/1.1 client rather than
``http.client``, which costs twice the CPU per request: on two cores every millisecond
the client spends is taken from the server under test. Requests are prepared once as
bytes (``request_bytes``) and sent as they are.
"""

from __future__ import annotations

import http.client
import socket

from bench.harness import HOST

REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Accept-Language": "ja,en;q=0.5",
    "User-Agent": "rpa-bench/1",
}
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def request_headers(cookie: str | None = None) -> dict[str, str]:
    return REQUEST_HEADERS if cookie is None else {**REQUEST_HEADERS, "Cookie": cookie}


def fetch(
    port: int,
    path: str,
    timeout: float = 30.0,
    cookie: str | None = None,
    *,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str = FORM_CONTENT_TYPE,
) -> tuple[int, dict[str, str], bytes]:
    """One request on 127.0.0.1 with http.client, no redirects followed (for checks, not
    load). Returns the status, the headers (lower-case names) and the body."""
    headers = dict(request_headers(cookie))
    if body is not None:
        headers["Content-Type"] = content_type
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def request_bytes(
    port: int,
    path: str,
    cookie: str | None = None,
    *,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str = FORM_CONTENT_TYPE,
) -> bytes:
    """A whole HTTP/1.1 request, ready for LoadConnection.get: the request line, Host, the
    REQUEST_HEADERS, the cookie and, with a body, its type and length."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in request_headers(cookie).items()]
    if body is not None:
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


class ProtocolError(Exception):
    """The server's answer could not be read as HTTP/1.1."""


class LoadConnection:
    """A small HTTP/1.1 client for the load: half the CPU of http.client per request,
    which leaves more of the machine's two cores to the server under test.

    Keeps the connection alive when the server allows it (gthread workers), reconnects
    when it does not (sync workers answer `Connection: close`); reads Content-Length,
    chunked and read-until-close bodies.
    """

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def get(self, request: bytes) -> int:
        """Send one prepared request (any method), read the whole answer, return its status."""
        reused = self.sock is not None
        try:
            return self._exchange(request)
        except (ConnectionError, ProtocolError):
            # The server may close an idle kept-alive connection: one fresh attempt.
            self.close()
            if not reused:
                raise
            return self._exchange(request)

    def _exchange(self, request: bytes) -> int:
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        while True:
            head = self._read_until(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            parts = status_line.split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                raise ProtocolError(f"bad status line {status_line!r}")
            status = int(parts[1])
            if status >= 200:
                break  # 1xx: an interim answer, the real one follows
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        keep_alive = parts[0] == "HTTP/1.1" and headers.get("connection") != "close"
        if status in (204, 304):
            pass
        elif "chunked" in headers.get("transfer-encoding", ""):
            self._read_chunked()
        elif "content-length" in headers:
            self._read_exactly(int(headers["content-length"]))
        else:
            self._read_to_close()
            keep_alive = False
        if not keep_alive:
            self.close()
        return status

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionResetError("the server closed the connection mid-answer")
        return data

    def _read_until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self.buffer += self._recv()
        data, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return data

    def _read_exactly(self, size: int) -> None:
        while len(self.buffer) < size:
            self.buffer += self._recv()
        self.buffer = self.buffer[size:]

    def _read_chunked(self) -> None:
        while True:
            size_line = self._read_until(b"\r\n").split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size {size_line!r}") from None
            if size == 0:
                while self._read_until(b"\r\n"):
                    pass  # trailers, up to the empty line
                return
            self._read_exactly(size + 2)  # the chunk and its CRLF

    def _read_to_close(self) -> None:
        while self.sock.recv(65536):
            pass
