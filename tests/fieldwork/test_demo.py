"""The demo: a trainee with a dozen entries across prefectures and statuses; seeding twice."""

import pytest
from django.core import mail

from lms.demo.seed import seed_all
from lms.fieldwork import selectors
from lms.fieldwork.models import FieldworkEntry, FieldworkRequirement

pytestmark = pytest.mark.django_db


def test_demo_trainee_has_a_dozen_entries_in_every_status(demo_site, client):
    entries = FieldworkEntry.objects.filter(enrollment__user__email="fieldwork@example.com")
    assert entries.count() == 12
    assert set(entries.values_list("status", flat=True)) == {
        "approved",
        "submitted",
        "returned",
        "rejected",
        "draft",
    }
    assert set(entries.values_list("supervisor_status", flat=True)) >= {"confirmed", "pending"}
    assert len(set(entries.exclude(prefecture="").values_list("prefecture", flat=True))) >= 4
    requirement = FieldworkRequirement.objects.get()
    enrollment = entries.first().enrollment
    status = selectors.fieldwork_status(enrollment)
    assert status.required_hours == requirement.required_hours
    assert 0 < status.approved_hours < status.required_hours
    assert mail.outbox == []  # the demo e-mails nobody

    from lms.demo.content import DEMO_PASSWORD

    client.login(email="fieldwork@example.com", password=DEMO_PASSWORD)
    response = client.get(f"/fieldwork/courses/{enrollment.course_id}/")
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and "高知県" in html


def test_seeding_twice_adds_nothing(demo_site):
    before = FieldworkEntry.objects.count()
    seed_all(log=lambda message: None)
    assert FieldworkEntry.objects.count() == before
    assert FieldworkRequirement.objects.count() == 1
