"""Wagtail loads this module; each report registers its own hooks in its subpackage."""

from .cohorts import wagtail_hooks as cohorts_hooks  # noqa: F401
from .gradebook import wagtail_hooks as gradebook_hooks  # noqa: F401
from .queues import wagtail_hooks as queues_hooks  # noqa: F401
