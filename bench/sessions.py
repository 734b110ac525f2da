"""Log users in for a benchmark: one session each, in the benchmark's own database.

Run by bench.harness.log_in with the benchmark's environment (DJANGO_SETTINGS_MODULE=
bench.settings, its DATABASE_URL and SECRET_KEY), before gunicorn serves the load:

    python -m bench.sessions EMAIL [EMAIL ...] --output FILE

Each user is logged in with Django's test Client (force_login: django.contrib.auth.login
into a database session, as the login form would, without the password hashing), and
FILE gets {"cookie_name": ..., "logout_path": ..., "sessions": {email: session key}}.
Exits 1 with the reason on stderr when a user is missing or inactive.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("emails", nargs="+", metavar="EMAIL")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    user_model = get_user_model()
    sessions = {}
    for email in args.emails:
        try:
            user = user_model._default_manager.get_by_natural_key(email)
        except user_model.DoesNotExist:
            print(f"no user {email!r} in the benchmark's database (seed_demo?)", file=sys.stderr)
            return 1
        if not user.is_active:
            print(f"the user {email!r} is inactive and cannot log in", file=sys.stderr)
            return 1
        client = Client()
        client.force_login(user)
        sessions[email] = client.cookies[settings.SESSION_COOKIE_NAME].value
    args.output.write_text(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "logout_path": reverse("account_logout"),
                "sessions": sessions,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
