"""The pieces every benchmark script shares: a prepared database, gunicorn, a load generator.

Everything runs on 127.0.0.1 and in a temp dir; nothing here writes to the working tree
except the results file the calling script chooses.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address any tool here talks to
SETTINGS_MODULE = "bench.settings"
BARE_PATH = "/bench/bare/"
LOCAL_DB_HOSTS = {"", "127.0.0.1", "localhost", "::1"}
REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "Accept-Language": "ja,en;q=0.5",
    "User-Agent": "rpa-bench/1",
}


class BenchError(RuntimeError):
    """A benchmark could not be set up or run; the message says why."""


# --- Environment and database -----------------------------------------------------------


def database_url_for(tmp: Path) -> str:
    """DATABASE_URL from the environment (e.g. PostgreSQL), else a throw-away SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    host = urlsplit(url).hostname or ""
    if not url.startswith("sqlite") and host not in LOCAL_DB_HOSTS:
        raise BenchError(
            f"DATABASE_URL points at {host!r}: the benchmark migrates and seeds demo accounts "
            "into its database, so it only accepts a database on 127.0.0.1."
        )
    return url


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def bench_environment(tmp: Path, database_url: str) -> dict[str, str]:
    """The environment manage.py and gunicorn run with: production settings, on plain http."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url,
            "SECURE_SSL_REDIRECT": "False",  # gunicorn speaks plain http here, no TLS proxy
            "BENCH_STATIC_ROOT": str(tmp / "static"),
            "LOG_LEVEL": env.get("LOG_LEVEL", "WARNING"),
        }
    )
    locale_dir = compile_messages(tmp / "locale")
    if locale_dir is not None:
        env["BENCH_LOCALE_DIR"] = str(locale_dir)
    return env


def compile_messages(dest: Path) -> Path | None:
    """Compile locale/*.po into dest (msgfmt, else polib); None when neither is available."""
    catalogues = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))
    msgfmt = shutil.which("msgfmt")
    try:
        import polib
    except ImportError:
        polib = None
    if not catalogues or (msgfmt is None and polib is None):
        print("warning: cannot compile locale/*.po; using the working tree's .mo files")
        return None
    for po in catalogues:
        mo = dest / po.relative_to(ROOT / "locale").with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        if msgfmt:
            result = subprocess.run(
                [msgfmt, "--check-format", "-o", str(mo), str(po)], capture_output=True, text=True
            )
            if result.returncode != 0:
                raise BenchError(f"msgfmt {po.relative_to(ROOT)} failed:\n{result.stderr}")
        else:
            polib.pofile(str(po)).save_as_mofile(str(mo))
    return dest


def manage(env: dict[str, str], *args: str) -> None:
    """Run manage.py with the benchmark's environment; raise BenchError with its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        output = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise BenchError(f"manage.py {' '.join(args)} failed; the end of its output:\n{output}")


def prepare_site(env: dict[str, str]) -> None:
    """Migrate, seed the demo content, collect static files (production's manifest storage)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v", "0")


def run_django(env: dict[str, str], module: str, *args: str) -> dict:
    """Run `python -m module *args --output FILE` with the benchmark's environment (its
    settings, database and SECRET_KEY) and return the JSON it wrote to FILE.

    The module exits non-zero with its reason on stderr when it cannot do its job; that
    becomes a BenchError.
    """
    with tempfile.TemporaryDirectory(prefix="rpa-bench-run-") as tmp:
        output = Path(tmp) / "output.json"
        result = subprocess.run(
            [sys.executable, "-m", module, *args, "--output", str(output)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not output.exists():
            text = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
            raise BenchError(f"python -m {module} failed; the end of its output:\n{text}")
        return json.loads(output.read_text())


@dataclass(frozen=True)
class Login:
    """A demo user logged in once before the load: the Cookie header every request of
    theirs sends, and the logout form's action, which only a logged-in page shows."""

    email: str
    cookie: str
    logout_path: str


def log_in(env: dict[str, str], emails: list[str]) -> dict[str, Login]:
    """One session per user, created in the benchmark's database (bench/sessions.py:
    Django's test Client force_login), keyed by e-mail. Sessions live in the database,
    so every gunicorn worker accepts them; the same SECRET_KEY validates them."""
    if not emails:
        return {}
    data = run_django(env, "bench.sessions", *emails)
    name = data["cookie_name"]
    return {
        email: Login(email, f"{name}={key}", data["logout_path"])
        for email, key in data["sessions"].items()
    }


# --- gunicorn ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving lms.wsgi (production's entry point) on 127.0.0.1, in its own group.

    Use it as a context manager: leaving the block, for any reason, ends the whole
    process group (master and workers).
    """

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        port: int = 0,
        workers: int = 2,
        worker_class: str = "sync",
        threads: int = 1,
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.requested_port = port
        self.port = port
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "lms.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--no-control-socket",
            "--log-level",
            "warning",
        ]

    def start(self, ready_timeout: float = 60.0) -> None:
        # A free port can be taken between the probe and gunicorn's bind: try a few.
        for _attempt in range(3):
            self.port = self.requested_port or free_port()
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    self.command(),
                    cwd=ROOT,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group: Ctrl-C reaches us, not it
                )
            if self._wait_ready(ready_timeout):
                return
            self.stop()
            if self.requested_port:
                break
        raise BenchError(f"gunicorn did not start; its log:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                status, _headers, _body = fetch(self.port, "/healthz/", timeout=5)
                if status == 200:
                    return True
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """TERM the process group, KILL it after 10 s; safe to call more than once."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        pgid = proc.pid
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            # The master is gone; KILL any worker it left behind.
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        return children_of(self.proc.pid)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def children_of(pid: int) -> list[int]:
    """Direct children of pid, from /proc (empty where /proc is missing)."""
    children = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = entry.read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            children.append(int(entry.parent.name))
    return children


def cpu_seconds(pids: list[int]) -> float | None:
    """user + system CPU seconds of these processes (None where /proc is missing)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        fields = stat[stat.rfind(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# --- Load -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What the load requests: a path, as an anonymous visitor (cookie None) or with the
    Cookie header of a logged-in user (see log_in)."""

    name: str
    path: str
    cookie: str | None = None


def request_headers(cookie: str | None = None) -> dict[str, str]:
    return REQUEST_HEADERS if cookie is None else {**REQUEST_HEADERS, "Cookie": cookie}


def fetch(
    port: int, path: str, timeout: float = 30.0, cookie: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One GET on 127.0.0.1 with http.client, no redirects followed (for checks, not load)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=request_headers(cookie))
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


class ProtocolError(Exception):
    """The server's answer could not be read as HTTP/1.1."""


class LoadConnection:
    """A small HTTP/1.1 GET client for the load: half the CPU of http.client per request,
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
        """Send one prepared request, read the whole answer, return its status."""
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


def request_bytes(port: int, path: str, cookie: str | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in request_headers(cookie).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class Measurement:
    """A path under load for a bounded time: counts, latencies (s), CPU use, and the rps of
    each slice when the time was split into rounds (see merge)."""

    name: str
    path: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)
    error_samples: list[str] = field(default_factory=list)
    server_cpu_seconds: float | None = None
    client_cpu_seconds: float = 0.0
    slice_rps: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(q / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        """CPU time of the gunicorn workers per request: hardly moved by other load."""
        if self.server_cpu_seconds is None or not self.requests:
            return None
        return 1000 * self.server_cpu_seconds / self.requests

    @property
    def server_cpu_percent(self) -> float | None:
        if self.server_cpu_seconds is None or not self.seconds:
            return None
        return 100 * self.server_cpu_seconds / self.seconds

    @property
    def client_cpu_percent(self) -> float:
        return 100 * self.client_cpu_seconds / self.seconds if self.seconds else 0.0

    def merge(self, part: Measurement) -> None:
        """Add a slice measured later (same path) to this total."""
        if not self.slice_rps:
            self.server_cpu_seconds = part.server_cpu_seconds
        elif self.server_cpu_seconds is not None and part.server_cpu_seconds is not None:
            self.server_cpu_seconds += part.server_cpu_seconds
        else:
            self.server_cpu_seconds = None  # a worker restarted: unknown
        self.requests += part.requests
        self.errors += part.errors
        self.seconds += part.seconds
        self.latencies.extend(part.latencies)
        for sample in part.error_samples:
            if len(self.error_samples) < 5 and sample not in self.error_samples:
                self.error_samples.append(sample)
        self.client_cpu_seconds += part.client_cpu_seconds
        self.slice_rps.append(part.rps)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "path": self.path,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "slice_rps": [round(rps, 1) for rps in self.slice_rps],
            "p50_ms": round(self.percentile_ms(50), 2),
            "p95_ms": round(self.percentile_ms(95), 2),
            "p99_ms": round(self.percentile_ms(99), 2),
            "server_cpu_ms_per_request": _rounded(self.server_cpu_ms_per_request, 3),
            "server_cpu_percent": _rounded(self.server_cpu_percent, 1),
            "client_cpu_percent": round(self.client_cpu_percent, 1),
            "error_samples": self.error_samples,
        }


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def load(
    server: Gunicorn,
    name: str,
    targets: list[Target],
    *,
    seconds: float,
    concurrency: int,
    max_requests: int,
    timeout: float = 30.0,
) -> Measurement:
    """GET the targets (round-robin, each with its cookie) from `concurrency` threads, each
    with its own connection, until `seconds` have passed or `max_requests` were sent.

    Requests still in flight at the deadline are awaited and counted, and the time
    includes them. gunicorn's sync workers close the connection after each answer, so
    with them every request includes a TCP connect, as behind a proxy without pooling.
    """
    result = Measurement(name=name, path=" ".join(t.path for t in targets))
    issued = itertools.count()
    stop = threading.Event()
    lock = threading.Lock()
    start_gate = threading.Barrier(concurrency + 1)
    prepared = [(t.path, request_bytes(server.port, t.path, t.cookie)) for t in targets]

    def worker(offset: int) -> None:
        latencies: list[float] = []
        errors = 0
        samples: list[str] = []
        conn = LoadConnection(server.port, timeout)
        first = offset % len(prepared)
        cycle = itertools.cycle(prepared[first:] + prepared[:first])
        try:
            start_gate.wait()
            while not stop.is_set() and next(issued) < max_requests:
                path, request = next(cycle)
                began = time.perf_counter()
                try:
                    status = conn.get(request)
                    error = None if status == 200 else f"HTTP {status} {path}"
                except (OSError, ProtocolError) as exc:
                    conn.close()
                    error = f"{type(exc).__name__}: {exc} {path}"
                latencies.append(time.perf_counter() - began)
                if error is not None:
                    errors += 1
                    if len(samples) < 5 and error not in samples:
                        samples.append(error)
        except threading.BrokenBarrierError:
            pass
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)
                result.requests += len(latencies)
                result.errors += errors
                for sample in samples:
                    if len(result.error_samples) < 5 and sample not in result.error_samples:
                        result.error_samples.append(sample)

    threads = [
        threading.Thread(target=worker, args=(i,), name=f"load-{i}", daemon=True)
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    workers = server.worker_pids()
    try:
        server_cpu_before = cpu_seconds(workers)
        client_cpu_before = time.process_time()
        start_gate.wait()
        began = time.perf_counter()
        deadline = began + seconds
        while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
            time.sleep(min(0.05, max(0.0, deadline - time.perf_counter())))
    finally:
        stop.set()
        start_gate.abort()
    for thread in threads:
        thread.join(timeout + 5)
    result.seconds = time.perf_counter() - began
    result.client_cpu_seconds = time.process_time() - client_cpu_before
    server_cpu_after = cpu_seconds(workers)
    if server_cpu_before is not None and server_cpu_after is not None:
        result.server_cpu_seconds = server_cpu_after - server_cpu_before
    if any(t.is_alive() for t in threads):
        raise BenchError(f"{name}: load threads still running {timeout + 5:.0f} s after the end")
    return result


def load_interleaved(
    server: Gunicorn,
    targets: list[Target],
    *,
    seconds: float,
    rounds: int,
    concurrency: int,
    max_requests: int,
    timeout: float = 30.0,
    progress=print,
) -> list[Measurement]:
    """Measure each target for `seconds` in total, split into `rounds` slices taken in turn
    (the order reversed every other round), so that every target sees the same background
    load on a shared machine. Returns one merged Measurement per target."""
    totals = {t.name: Measurement(name=t.name, path=t.path) for t in targets}
    for round_index in range(rounds):
        order = targets if round_index % 2 == 0 else targets[::-1]
        progress(f"round {round_index + 1}/{rounds}: {', '.join(t.name for t in order)}")
        for target in order:
            left = max_requests - totals[target.name].requests
            if left <= 0:
                continue
            part = load(
                server,
                target.name,
                [target],
                seconds=seconds / rounds,
                concurrency=concurrency,
                max_requests=left,
                timeout=timeout,
            )
            totals[target.name].merge(part)
    return [totals[t.name] for t in targets]
