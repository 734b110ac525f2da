"""One-time links for supervisors: a random token in the link, only its hash in the database.

The token has 256 bits of randomness (``secrets.token_urlsafe(32)``); the database keeps its
SHA-256, so a copy of the database cannot be turned back into working links. A link works
once, expires (``FIELDWORK_SUPERVISOR_LINK_DAYS``, 14 days by default) and is revoked when a
newer link for the same entry is sent.
"""

import datetime
import hashlib
import secrets

from django.conf import settings

DEFAULT_LINK_DAYS = 14


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(
        days=int(getattr(settings, "FIELDWORK_SUPERVISOR_LINK_DAYS", DEFAULT_LINK_DAYS))
    )


def token_new() -> tuple[str, str]:
    """A fresh token for the link and the hash to store."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


def token_hash(raw: str) -> str:
    return hashlib.sha256(str(raw).encode("utf-8")).hexdigest()
