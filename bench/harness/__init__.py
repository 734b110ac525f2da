"""The pieces the benchmark scripts share (see bench/README.md, "The harness").

Small modules, imported by name (``from bench.harness.site import prepare_site``):

- ``site``: the benchmark's environment and database (``bench_site``, ``prepare_site``),
  running a Django script in it (``run_django``), logging users in once (``log_in``).
- ``django_script``: the other side of ``run_django``: what a script run with the
  benchmark's environment shares (``script_main``, ``session_key``).
- ``server``: gunicorn on 127.0.0.1 in its own process group, and the process helpers
  (``stop_group``, ``cpu_seconds``, ``pid_alive``).
- ``stack``: the production-like stack of the load and fault tests (``open_stack``:
  ops.prodlocal when present, else ``LocalStack``), and the local PostgreSQL.
- ``http``: the small HTTP/1.1 load client, prepared requests, ``fetch`` for checks.
- ``load``: requests from client threads for a bounded time (``load``, ``drive``,
  ``load_interleaved``).
- ``stats``: ``Measurement``, nearest-rank percentiles, ratios to the bare view.
- ``results``: the results file (path, common header, git state, package versions).
- ``cli``: the options and the ``main`` of the scripts (exit statuses, signals).

Everything talks to 127.0.0.1 only. This module imports nothing heavy: the Django side
(``django_script``) is imported only by scripts that run inside Django.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # the only address any tool here talks to
RESULTS_DIR = ROOT / "bench" / "results"
# The baseline every request is compared with (bench/urls.py): no database, no template.
BARE_NAME = "bare"
BARE_PATH = "/bench/bare/"


class BenchError(RuntimeError):
    """A benchmark could not be set up or run; the message says why."""
