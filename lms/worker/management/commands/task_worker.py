"""``db_worker`` that survives a database outage (PostgreSQL restarted, a fail-over).

django-tasks-db's worker re-raises every database error but "database is locked" from its
polling loop, so a restart of PostgreSQL while it polls ends the process, and queued tasks
wait until something starts a new one. This command runs the same worker and, when the
database is unreachable, closes the broken connections, waits (1 s, doubling up to 30 s)
and starts polling again. A task that was running keeps django-tasks-db's own handling
(its result is marked failed by the worker, or stays claimed if the database was gone).
SIGTERM/SIGINT still stop it gracefully (they exit through ``SystemExit``).
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger(__name__)

FIRST_DELAY = 1.0
MAX_DELAY = 30.0


class Command(db_worker.Command):
    help = (
        "Run the database task worker (as db_worker), waiting for the database to come "
        "back instead of exiting when it becomes unreachable."
    )

    # Seams for tests.
    sleep = staticmethod(time.sleep)

    def handle(self, *args, **options):
        delay = FIRST_DELAY
        while True:
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as exc:
                logger.warning(
                    "task worker: the database is unreachable (%s); polling again in %.0f s",
                    exc,
                    delay,
                )
                for connection in connections.all(initialized_only=True):
                    try:
                        connection.close()
                    except Exception:  # a broken connection may fail to close: drop it
                        logger.debug("closing a broken connection failed", exc_info=True)
                self.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)
