"""The task worker outlives a database outage (bench/fault_db_restart.py shows it live)."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.test import override_settings
from django_tasks_db.management.commands import db_worker

from lms.worker.management.commands import task_worker


# The tests run tasks immediately; the worker needs a database backend to poll.
@pytest.fixture(autouse=True)
def _database_backend():
    with override_settings(
        TASKS={
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
            "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        }
    ):
        yield


ARGS = ("task_worker", "--backend", "db", "--batch", "--no-reload", "--no-startup-delay")


def test_an_unreachable_database_is_waited_for_then_polling_goes_on():
    outcomes = [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        OperationalError("connection refused"),
        None,  # the database is back: the worker runs (here: --batch ends it)
    ]
    calls = []

    def run(worker):
        calls.append(worker)
        outcome = outcomes[len(calls) - 1]
        if outcome is not None:
            raise outcome

    with (
        mock.patch.object(db_worker.Worker, "run", run),
        mock.patch.object(task_worker.Command, "sleep") as sleep,
    ):
        call_command(*ARGS)

    assert len(calls) == 4
    assert [c.args[0] for c in sleep.call_args_list] == [1.0, 2.0, 4.0]
    assert len({worker.worker_id for worker in calls}) == 1  # the same worker id throughout


def test_other_errors_still_end_the_worker():
    with (
        mock.patch.object(db_worker.Worker, "run", side_effect=RuntimeError("a bug")),
        mock.patch.object(task_worker.Command, "sleep") as sleep,
        pytest.raises(RuntimeError),
    ):
        call_command(*ARGS)
    sleep.assert_not_called()


def test_the_delay_stops_growing_at_thirty_seconds():
    errors = [OperationalError("down")] * 8 + [None]
    calls = []

    def run(worker):
        calls.append(worker)
        if errors[len(calls) - 1] is not None:
            raise errors[len(calls) - 1]

    with (
        mock.patch.object(db_worker.Worker, "run", run),
        mock.patch.object(task_worker.Command, "sleep") as sleep,
    ):
        call_command(*ARGS)
    assert [c.args[0] for c in sleep.call_args_list] == [1, 2, 4, 8, 16, 30, 30, 30]
