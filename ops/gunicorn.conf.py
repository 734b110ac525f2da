"""gunicorn configuration for the app servers: ``gunicorn -c ops/gunicorn.conf.py``.

Every value can be changed from the environment, so one file serves every machine
(docs/operations.md). The app is ``lms.wsgi:application`` with the production settings.
"""

import multiprocessing
import os

wsgi_app = "lms.wsgi:application"

# Where the proxy reaches this app server.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Sync workers: the application is synchronous (Django ORM, WeasyPrint runs on the task
# worker). 2 x cores + 1 is gunicorn's rule of thumb; set WEB_CONCURRENCY to override.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A request that takes longer than this is killed (and logged); long work goes to the task
# worker. graceful_timeout: on SIGTERM (a deploy, systemctl stop) workers finish the
# requests they are serving for up to this long before they are stopped.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle workers now and then (bounded memory growth), not all at the same moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# Only the proxy may tell us the original scheme and client address. Django itself trusts
# X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER: the proxy must overwrite it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Heartbeat files in memory, not on a (possibly slow or full) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs to stdout/stderr: systemd's journal or the platform collects them.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address (as the proxy forwarded it), request, status, bytes, time in microseconds.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'

proc_name = "rpa-web"
