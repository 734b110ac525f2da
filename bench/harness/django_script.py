"""The Django side of ``bench.harness.site.run_django``: scripts run with the benchmark's
environment (bench/settings.py, its database and SECRET_KEY) in a child process.

Such a script (bench/sessions.py, demo_course.py, quiz_setup.py, ``gradebook.py --setup``,
loadsim/setup.py, loadsim/verify.py) takes ``--output FILE``, sets Django up, does its work
and writes a JSON object to FILE; when it cannot, it exits 1 with the reason on stderr::

    def work(args) -> dict:
        ...
        raise ScriptError("no quiz in the lesson ...")   # exit 1, the message on stderr

    def main(argv=None) -> int:
        return script_main(__doc__, work, argv, arguments=lambda add: add("--count", type=int))

Django is imported when ``script_main`` (or ``setup_django``) runs, not when this module is
imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path


class ScriptError(Exception):
    """The script cannot do its job; the message says why (stderr, exit status 1)."""


def script_main(
    doc: str | None,
    work: Callable[[argparse.Namespace], dict],
    argv: list[str] | None = None,
    *,
    arguments: Callable[[Callable], object] | None = None,
) -> int:
    """Parse the options (``arguments(parser.add_argument)`` adds the script's own, then
    ``--output``), set Django up, run ``work(args)`` and write its dict to ``--output`` as
    JSON (values it cannot write, such as a Decimal, as text). Returns the exit status: 0,
    or 1 after ScriptError (its message on stderr)."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    if arguments is not None:
        arguments(parser.add_argument)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    setup_django()
    try:
        result = work(args)
    except ScriptError as exc:
        print(exc, file=sys.stderr)
        return 1
    args.output.write_text(json.dumps(result, ensure_ascii=False, default=str))
    return 0


def setup_django(default_settings: str | None = None) -> None:
    """django.setup() with DJANGO_SETTINGS_MODULE from the environment (the benchmark's,
    set by run_django), else ``default_settings`` (bench/certificates.py, which renders in
    its own process with the test settings)."""
    import django

    if default_settings is not None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    django.setup()


def session_key(user) -> str:
    """Log ``user`` in once (Django's test Client ``force_login``: django.contrib.auth.login
    into a database session, as the login form would, without hashing the password) and
    return the session key, the value of the session cookie."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
