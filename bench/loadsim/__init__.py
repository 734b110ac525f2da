"""Simulated trainees for the load and fault tests (bench/load.py, bench/fault_db_restart.py).

- ``client``: a small HTTP client (one per trainee) that keeps its own cookies, sends the
  CSRF token as a browser does and records every request (kind, time, status, error).
- ``forms``: reads the forms of a page (inputs, choices, selects) from its HTML.
- ``trainee``: the journey (log in, browse, read and complete lessons, take quizzes, log
  fieldwork), and the record of everything the server said it saved.
- ``setup`` and ``verify``: Django scripts run with the stack's environment: make the
  trainees, then check the database against the record and against the invariants.
- ``report``: the trainees made and run on a started stack, the figures, the database
  check. The stack itself (ops.prodlocal when present, else gunicorn and the task worker
  started here) is ``bench.harness.stack``.

Everything talks to 127.0.0.1 only.
"""
