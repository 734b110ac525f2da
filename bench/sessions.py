"""Log users in for a benchmark: one session each, in the benchmark's own database.

Run by bench.harness.site.log_in with the benchmark's environment (DJANGO_SETTINGS_MODULE=
bench.settings, its DATABASE_URL and SECRET_KEY), before gunicorn serves the load:

    python -m bench.sessions EMAIL [EMAIL ...] --output FILE

Each user is logged in with Django's test Client (force_login: django.contrib.auth.login
into a database session, as the login form would, without the password hashing), and
FILE gets {"cookie_name": ..., "logout_path": ..., "sessions": {email: session key}}.
Exits 1 with the reason on stderr when a user is missing or inactive.
"""

from __future__ import annotations

import sys

from bench.harness.django_script import ScriptError, script_main, session_key


def work(args) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    user_model = get_user_model()
    sessions = {}
    for email in args.emails:
        try:
            user = user_model._default_manager.get_by_natural_key(email)
        except user_model.DoesNotExist:
            raise ScriptError(
                f"no user {email!r} in the benchmark's database (seed_demo?)"
            ) from None
        if not user.is_active:
            raise ScriptError(f"the user {email!r} is inactive and cannot log in")
        sessions[email] = session_key(user)
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "logout_path": reverse("account_logout"),
        "sessions": sessions,
    }


def main(argv: list[str] | None = None) -> int:
    return script_main(
        __doc__, work, argv, arguments=lambda add: add("emails", nargs="+", metavar="EMAIL")
    )


if __name__ == "__main__":
    sys.exit(main())
