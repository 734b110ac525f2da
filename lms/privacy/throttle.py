"""How often a person may download their data (``PRIVACY_EXPORT_RATE``, default 5 an hour).

An export copies every file of the person (fieldwork photos, certificate PDFs) into a ZIP,
so repeated requests load the server. The limit counts per account in the shared Django
cache (Redis in production), with allauth's rate-limit primitives: its rate syntax
(``"5/h"``), its sliding window of timestamps and its cache lock. Only the keying and what
happens when the cache is away are ours.
"""

from __future__ import annotations

import datetime
import logging
import math
import time
from dataclasses import dataclass

from allauth.core.internal.ratelimit import Rate, apply_rate, cache_lock, parse_rate
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

DEFAULT_EXPORT_RATE = "5/h"


def _now() -> float:
    """The clock of the limit (tests move it)."""
    return time.time()


def export_rate() -> Rate:
    """The rate from ``settings.PRIVACY_EXPORT_RATE`` (allauth's syntax: ``"5/h"``,
    ``"10/30m"``); always counted per account."""
    rate = parse_rate(getattr(settings, "PRIVACY_EXPORT_RATE", DEFAULT_EXPORT_RATE))
    return Rate(rate.amount, rate.duration, "user")


def _cache_key(user_id, rate: Rate) -> str:
    return f"privacy:export:{rate}:{user_id}"


@dataclass(frozen=True)
class ExportAllowance:
    """The answer for one request: allowed, or refused until ``retry_at``."""

    allowed: bool
    rate: Rate
    retry_at: datetime.datetime | None = None
    #: Seconds until then (for the Retry-After header).
    retry_after: int = 0
    #: The timestamp recorded for this export (to give it back if the export fails).
    timestamp: float | None = None


def export_consume(*, user) -> ExportAllowance:
    """Count one export of ``user``'s data, or refuse it when the limit is reached (a
    refused request is not counted: trying again later costs nothing).

    **Fails open.** When the cache cannot be reached (django-redis ignores its errors, so
    allauth's lock cannot be taken), the export is allowed and a warning logged. The
    limit protects the server's load, not a secret: the export needs a signed-in,
    confirmed account and returns only that person's own data, and downloading it is a
    right under the APPI (開示). Refusing every trainee their data for as long as Redis
    is away would take that right away for an infrastructure fault, while one person
    exporting more than the limit during an outage costs only some server time. (The
    login limiter fails closed instead, decision 0019: there the limit guards passwords.)
    """
    rate = export_rate()
    key = _cache_key(user.pk, rate)
    with cache_lock(key) as locked:
        if not locked:
            logger.warning("privacy export: rate-limit cache unavailable, export allowed")
            return ExportAllowance(allowed=True, rate=rate)
        history = cache.get(key) or []
        now = _now()
        allowed, history = apply_rate(history, now, rate)
        if not allowed:
            free_at = min(history) + rate.duration
            retry_at = datetime.datetime.fromtimestamp(free_at, tz=datetime.UTC)
            return ExportAllowance(
                allowed=False,
                rate=rate,
                retry_at=timezone.localtime(retry_at),
                retry_after=max(1, math.ceil(free_at - now)),
            )
        cache.set(key, history, rate.duration)
    return ExportAllowance(allowed=True, rate=rate, timestamp=now)


def export_give_back(*, user, allowance: ExportAllowance) -> None:
    """Uncount an export that failed (the person got no file, so it does not count)."""
    if allowance.timestamp is None:
        return
    key = _cache_key(user.pk, allowance.rate)
    with cache_lock(key) as locked:
        if locked:
            history = [ts for ts in (cache.get(key) or []) if ts != allowance.timestamp]
            cache.set(key, history, allowance.rate.duration)
