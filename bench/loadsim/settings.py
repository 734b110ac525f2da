"""bench/settings.py (production's settings, the demo seed allowed) with the proxy trusted.

Only for ``bench/load.py --trust-proxy``: allauth takes the client's address from the last
entry of ``X-Forwarded-For`` (what one TLS proxy in front of the app servers appends), so its
rate limits per address (``login``: 30 a minute) apply to each trainee rather than to every
request that came through the proxy. Production does not set this today; the load test shows
the difference (bench/README.md, "Load and a PostgreSQL restart").
"""

from bench.settings import *  # noqa: F403

ALLAUTH_TRUSTED_PROXY_COUNT = 1
