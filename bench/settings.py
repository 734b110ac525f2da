"""Benchmark-only settings: production settings plus the bare view and the demo seed.

bench/pages.py sets the environment this module reads (SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, SECURE_SSL_REDIRECT=False, BENCH_STATIC_ROOT, BENCH_LOCALE_DIR) and points
both manage.py and gunicorn at it. Nothing in the application imports it.
"""

from lms.settings.production import *  # noqa: F403
from lms.settings.production import env

# lms.urls plus /bench/bare/, the baseline every page is compared with.
ROOT_URLCONF = "bench.urls"

# The benchmark seeds its own throw-away database (or a scratch one given by DATABASE_URL).
DEMO_SEED_ALLOWED = True

# collectstatic writes the manifest (production's storage) into the run's temp dir.
STATIC_ROOT = env.path("BENCH_STATIC_ROOT")

# Catalogues compiled from locale/*.po into the run's temp dir, so the figures do not
# depend on whether `make messages` ran in this working tree.
if env("BENCH_LOCALE_DIR", default=""):
    LOCALE_PATHS = [env.path("BENCH_LOCALE_DIR")]
