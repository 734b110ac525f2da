"""Requests from client threads against gunicorn for a bounded time, measured.

``drive`` is the loop every micro-benchmark's load runs: ``concurrency`` threads, each
with its own LoadConnection, start together, send prepared requests until the time is up
(or their source runs dry), and count every answer; requests in flight at the deadline
are awaited and counted, and the time includes them. The gunicorn workers' CPU time and
the client's are read around it. ``load`` sends GETs round-robin over targets;
``load_interleaved`` cuts each target's time into rounds taken in turn.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bench.harness import BARE_NAME, BARE_PATH, BenchError
from bench.harness.http import LoadConnection, ProtocolError, request_bytes
from bench.harness.server import Gunicorn, cpu_seconds
from bench.harness.stats import Measurement, add_sample


@dataclass(frozen=True)
class Target:
    """What the load requests: a path, as an anonymous visitor (cookie None) or with the
    Cookie header of a logged-in user (see bench.harness.site.log_in)."""

    name: str
    path: str
    cookie: str | None = None


BARE = Target(BARE_NAME, BARE_PATH)  # the baseline, as an anonymous visitor


@dataclass(frozen=True)
class Prepared:
    """One request of a source: its path (for error samples), its bytes, and what to call
    when it got the expected status (e.g. to record a submitted attempt)."""

    path: str
    request: bytes
    on_success: Callable[[], None] | None = None


def drive(
    server: Gunicorn,
    result: Measurement,
    source: Callable[[int], Iterator[Prepared]],
    *,
    seconds: float,
    concurrency: int,
    expect: int = 200,
    timeout: float = 30.0,
) -> Measurement:
    """Run ``concurrency`` client threads for ``seconds``; thread i sends what
    ``source(i)`` yields until the deadline or until it is exhausted. An answer other than
    ``expect``, or none, is an error. Fills and returns ``result``."""
    stop = threading.Event()
    lock = threading.Lock()
    start_gate = threading.Barrier(concurrency + 1)

    def worker(offset: int) -> None:
        latencies: list[float] = []
        errors = 0
        samples: list[str] = []
        conn = LoadConnection(server.port, timeout)
        requests = source(offset)
        try:
            start_gate.wait()
            while not stop.is_set():
                item = next(requests, None)
                if item is None:
                    break
                began = time.perf_counter()
                try:
                    status = conn.get(item.request)
                    error = None if status == expect else f"HTTP {status} {item.path}"
                except (OSError, ProtocolError) as exc:
                    conn.close()
                    error = f"{type(exc).__name__}: {exc} {item.path}"
                latencies.append(time.perf_counter() - began)
                if error is None:
                    if item.on_success is not None:
                        item.on_success()
                else:
                    errors += 1
                    add_sample(samples, error)
        except threading.BrokenBarrierError:
            pass
        finally:
            conn.close()
            with lock:
                result.add(latencies, errors, samples)

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
        raise BenchError(
            f"{result.name}: load threads still running {timeout + 5:.0f} s after the end"
        )
    return result


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

    gunicorn's sync workers close the connection after each answer, so with them every
    request includes a TCP connect, as behind a proxy without pooling.
    """
    issued = itertools.count()
    prepared = [Prepared(t.path, request_bytes(server.port, t.path, t.cookie)) for t in targets]

    def source(offset: int) -> Iterator[Prepared]:
        first = offset % len(prepared)
        for item in itertools.cycle(prepared[first:] + prepared[:first]):
            if next(issued) >= max_requests:
                return
            yield item

    result = Measurement(name=name, path=" ".join(t.path for t in targets))
    return drive(server, result, source, seconds=seconds, concurrency=concurrency, timeout=timeout)


Side = tuple[str, Measurement, Callable[[float], Measurement | None]]


def interleave(sides: list[Side], *, seconds: float, rounds: int, progress=print) -> None:
    """Measure each side for ``seconds`` in total, split into ``rounds`` slices taken in
    turn (the order reversed every other round), so that every side sees the same
    background load on a shared machine. A side is (label, its total, measure): measure
    (slice seconds) returns the slice's Measurement, merged into the total, or None when
    the side has nothing left to send."""
    for round_index in range(rounds):
        order = sides if round_index % 2 == 0 else sides[::-1]
        progress(f"round {round_index + 1}/{rounds}: {', '.join(label for label, _, _ in order)}")
        for _label, total, measure in order:
            part = measure(seconds / rounds)
            if part is not None:
                total.merge(part)


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
    """GET each target for ``seconds`` in total, interleaved (see interleave), each with
    at most ``max_requests`` requests. Returns one merged Measurement per target."""
    totals = [Measurement(name=t.name, path=t.path) for t in targets]

    def measure(target: Target, total: Measurement):
        def slice_(slice_seconds: float) -> Measurement | None:
            left = max_requests - total.requests
            if left <= 0:
                return None
            return load(
                server,
                target.name,
                [target],
                seconds=slice_seconds,
                concurrency=concurrency,
                max_requests=left,
                timeout=timeout,
            )

        return slice_

    sides = [(t.name, total, measure(t, total)) for t, total in zip(targets, totals, strict=True)]
    interleave(sides, seconds=seconds, rounds=rounds, progress=progress)
    return totals
