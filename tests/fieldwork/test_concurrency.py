"""Two submissions at once cannot both fit into one day's 24 hours (PostgreSQL only)."""

import datetime
import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from lms.fieldwork import services
from lms.fieldwork.models import FieldworkEntry
from tests.factories.courses import course_tree
from tests.factories.fieldwork import enrolled, entry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_courses_two_tabs_one_day(site_tree):
    first = enrolled(course_tree(site_tree, slug="a"))
    second = enrolled(course_tree(site_tree, slug="b"), first.user)
    day = timezone.localdate() - datetime.timedelta(days=1)
    drafts = [
        entry(first, date=day, hours=Decimal("14")),
        entry(second, date=day, hours=Decimal("14")),
    ]
    barrier = threading.Barrier(len(drafts))
    outcomes = []

    def submit(draft):
        try:
            barrier.wait()
            services.entry_submit(entry=draft, actor=first.user)
            outcomes.append("submitted")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["hours"][0])
        finally:
            connection.close()

    original = services._day_total_check

    def slow_check(draft):
        # Widen the race: both would have counted the day before either saved.
        original(draft)
        time.sleep(0.5)

    threads = [threading.Thread(target=submit, args=(d,)) for d in drafts]
    with mock.patch.object(services, "_day_total_check", slow_check):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes)[-1] == "submitted" and outcomes.count("submitted") == 1
    assert FieldworkEntry.objects.filter(status="submitted").count() == 1
