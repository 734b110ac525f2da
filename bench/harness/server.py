"""gunicorn on 127.0.0.1 in its own process group, and the process helpers of the harness.

Every process a benchmark starts leads its own process group (``start_new_session``), so
Ctrl-C reaches the benchmark, not the server, and ``stop_group`` ends the process and
every child it left (gunicorn's workers) whatever way the benchmark leaves.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import HOST, ROOT, BenchError
from bench.harness.http import fetch


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_in_group(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start ``command`` in ROOT, in its own process group, its output appended to log_path."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: Ctrl-C reaches us, not it
        )


def stop_group(proc: subprocess.Popen) -> None:
    """TERM the process group of ``proc`` (started by start_in_group), KILL it after 10 s;
    once the leader is gone, KILL whatever it left in the group (a worker)."""
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
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        break


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3 on); OSError when
    the process or /proc is missing."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rfind(")") + 2 :].split()


def children_of(pid: int) -> list[int]:
    """Direct children of pid, from /proc (empty where /proc is missing)."""
    children = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = _stat_fields(entry.parent.name)
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.parent.name))
    return children


def cpu_seconds(pids: list[int]) -> float | None:
    """user + system CPU seconds of these processes (None where /proc is missing)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def pid_alive(pid: int | None) -> bool:
    """Whether the process exists and is not a zombie."""
    if not pid:
        return False
    try:
        return _stat_fields(pid)[0] != "Z"
    except OSError:
        return False


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

    @classmethod
    def from_args(cls, env: dict[str, str], tmp: Path, args) -> Gunicorn:
        """The micro-benchmarks' gunicorn: --port, --workers, --worker-class, --threads
        (bench.harness.cli.add_server_options), its log in the run's temp dir."""
        return cls(
            env,
            tmp / "gunicorn.log",
            port=args.port,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
        )

    def __enter__(self) -> Gunicorn:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def describe(self, args, each: str) -> str:
        """The line a micro-benchmark prints once gunicorn answers: server and client."""
        return (
            f"gunicorn: http://{HOST}:{self.port}/ workers={self.workers} "
            f"class={self.worker_class} threads={self.threads}; client: "
            f"{args.concurrency} threads, {args.seconds:g} s {each} in {args.rounds} rounds"
        )

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
            self.proc = start_in_group(self.command(), self.env, self.log_path)
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
        if proc is not None:
            stop_group(proc)

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
