"""A small HTTP client for one simulated trainee: cookies, CSRF, and a record of each request.

http.client rather than requests: half the CPU per request, and the machine's two cores are
shared with the server under test. Plain HTTP on 127.0.0.1, as the local stack serves it; the
cookie jar ignores the ``Secure`` attribute (a stack with production's secure cookies still
gets them back, as it would behind its TLS proxy), and every POST carries the ``Origin`` and
``Referer`` a browser sends, so Django's CSRF checks run as for a person.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"  # the only address this client talks to


@dataclass
class RequestRecord:
    kind: str  # the request type of the report, e.g. "lesson", "quiz-save"
    method: str
    path: str
    start: float  # time.monotonic()
    end: float
    status: int | None  # None: no answer (connection error, timeout)
    error: str | None  # None: success; else the kind of error ("http 500", "timeout", ...)
    detail: str = ""

    @property
    def seconds(self) -> float:
        return self.end - self.start


class RequestFailed(Exception):
    """A request did not give the expected answer; the record says why."""

    def __init__(self, record: RequestRecord):
        super().__init__(f"{record.kind} {record.method} {record.path}: {record.error}")
        self.record = record


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        """The redirect's path (Django's redirects are relative; an absolute URL is cut)."""
        value = self.headers.get("location", "")
        parts = urlsplit(value)
        return parts.path + (f"?{parts.query}" if parts.query else "") if parts.netloc else value


class Recorder:
    """Every request of every trainee, thread-safe."""

    def __init__(self) -> None:
        self.records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self.records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self.records)


class Client:
    def __init__(
        self,
        port: int,
        recorder: Recorder,
        *,
        timeout: float = 30.0,
        user_agent: str = "rpa-loadsim/1",
        client_address: str | None = None,
    ) -> None:
        self.port = port
        self.recorder = recorder
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.origin = f"http://{HOST}:{port}"
        self.base_headers = {
            "Host": f"{HOST}:{port}",
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Language": "ja,en;q=0.5",
        }
        if client_address:
            # What the TLS proxy in front of the app servers adds: the trainee's own address.
            # Used only where the settings trust the proxy (allauth's rate limits per address).
            self.base_headers["X-Forwarded-For"] = client_address

    # --- cookies ------------------------------------------------------------------------------
    def _store_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    # --- requests -----------------------------------------------------------------------------
    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _exchange(self, method: str, path: str, body: bytes | None, headers: dict) -> Response:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        self._store_cookies(response)
        if response.will_close:
            self.close()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Response(response.status, headers, data.decode("utf-8", errors="replace"))

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        data: list[tuple[str, str]] | None = None,
        expect: tuple[int, ...] = (200,),
        referer: str | None = None,
        check=None,
    ) -> Response:
        """Send one request; return the answer when its status is in ``expect`` and
        ``check(response)`` (if given) returns None, else raise RequestFailed.

        ``check`` returns a short description of what is wrong with an answer that has the
        right status (the wrong page), which counts as an error of kind "content".
        """
        headers = dict(self.base_headers)
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        body = None
        if method == "POST":
            body = urlencode(data or []).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + (referer or path)
        start = time.monotonic()
        status, error, detail, response = None, None, "", None
        reused = self.conn is not None
        try:
            try:
                response = self._exchange(method, path, body, headers)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had closed: once more on a new one.
                self.close()
                if not reused:
                    raise
                response = self._exchange(method, path, body, headers)
            status = response.status
            if status not in expect:
                if status == 429:
                    error = "http 429 (rate limited)"
                else:
                    error = f"http {status}" if status >= 500 else f"unexpected {status}"
                detail = f"expected {'/'.join(map(str, expect))}"
                if status in (301, 302, 303):
                    detail += f", redirected to {response.location}"
            elif check is not None:
                problem = check(response)
                if problem:
                    error, detail = "content", problem
        except TimeoutError:
            self.close()
            error = "timeout"
        except ConnectionRefusedError:
            self.close()
            error = "connection refused"
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            self.close()
            error = "connection error"
            detail = type(exc).__name__
        record = RequestRecord(kind, method, path, start, time.monotonic(), status, error, detail)
        self.recorder.add(record)
        if error is not None:
            raise RequestFailed(record)
        return response

    def get(self, kind: str, path: str, **kwargs) -> Response:
        return self.request(kind, "GET", path, **kwargs)

    def post(self, kind: str, path: str, data, **kwargs) -> Response:
        return self.request(kind, "POST", path, data=data, **kwargs)
