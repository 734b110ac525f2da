"""Development: runserver on 127.0.0.1 with SQLite and the demo content."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghij")
DEMO_SEED_ALLOWED = True
