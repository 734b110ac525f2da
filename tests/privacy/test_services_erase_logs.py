"""Erasure and the audit logs: the person's name, e-mail and free text are gone from every
log model's entries, by object and by value; other people's entries keep what is theirs."""

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry

from lms.assessments.models import Attempt
from lms.certificates.models import Certificate
from lms.courses import services as course_services
from lms.courses.audit import CourseLogEntry
from lms.courses.models import Enrollment
from lms.fieldwork.models import FieldworkEntry
from lms.privacy import services
from tests.factories.accounts import TraineeFactory

from .conftest import add_entry

pytestmark = pytest.mark.django_db

ESSAY = "上田市の空き家を髙橋の実家として活用したい。"
ACTIVITY = "地区の住民10名に聞き取りを行った。"


def _erase(world, superuser, capture):
    with capture(execute=True):
        return services.user_erase(user=world.trainee, actor=superuser, reason="請求 12")


def _entries():
    """Every entry of every log model, as (model, pk) → (action, user, time, label, data)."""
    return {
        (model.__name__, e.pk): (e.action, e.user_id, e.timestamp, e.label, e.data)
        for model in log_registry.get_log_entry_models()
        for e in model.objects.all()
    }


def _anonymised(world):
    return type(world.trainee).objects.get(pk=world.trainee.pk).get_full_name()


@pytest.fixture
def instructor_notes(world, other_trainee, instructor):
    """An instructor mentions the erased trainee in free text of other records: a return
    message on another trainee's fieldwork entry and a quiz regrade reason."""
    other_entry = other_trainee.enrollments.get().fieldwork_entries.get()
    returned = log(
        instance=other_entry,
        action="fieldwork.return",
        user=instructor,
        data={
            "comment": "髙橋 𠮷子さんと同じ地区です。"
            "takahashi@example.jp さんと分担を決めてください。"
        },
    )
    regrade = log(
        instance=world.quiz,
        action="assessments.regrade",
        user=instructor,
        data={
            "question_id": "7",
            "changed": 1,
            "attempts": 1,
            "reason": "髙橋𠮷子さんの指摘で訂正",
        },
    )
    return returned, regrade


def test_the_name_in_an_instructor_note_on_another_record_is_replaced(
    world, superuser, instructor, instructor_notes, django_capture_on_commit_callbacks
):
    returned, regrade = instructor_notes
    _erase(world, superuser, django_capture_on_commit_callbacks)
    anonymised = _anonymised(world)
    returned.refresh_from_db()
    assert returned.data["comment"] == (
        f"{anonymised}さんと同じ地区です。{anonymised} さんと分担を決めてください。"
    )
    # Who did what, when, on which record: unchanged.
    assert (returned.action, returned.user_id) == ("fieldwork.return", instructor.pk)
    regrade_entry = type(regrade).objects.get(pk=regrade.pk)
    assert regrade_entry.data["reason"] == f"{anonymised}さんの指摘で訂正"
    assert regrade_entry.data["changed"] == 1


def test_own_entries_lose_free_text_and_every_trace_of_the_person(
    world, superuser, instructor, django_capture_on_commit_callbacks
):
    override = log(
        instance=world.attempt,
        action="assessments.override",
        user=instructor,
        data={"old_score": "1.00", "new_score": "2.00", "reason": "髙橋さんの口頭説明を加味した"},
    )
    certificate_entry = log(
        instance=world.certificate,
        action="certificates.issue",
        user=None,
        data={"serial": world.certificate.serial, "automatic": True},
    )
    # A key the scrub does not know by name, holding name parts, the e-mail and free text.
    odd = log(
        instance=world.entry,
        action="fieldwork.supervisor",
        user=None,
        data={
            "to_status": "confirmed",
            "note": ["𠮷子", {"who": "TAKAHASHI@example.jp", "what": ACTIVITY}, "たかはし"],
        },
    )
    quoted = log(
        instance=world.quiz,
        action="assessments.regrade",
        user=instructor,
        data={"reason": f"解答例「{ESSAY}」を参考に採点基準を変更"},
    )
    assert "髙橋 𠮷子" in certificate_entry.label
    _erase(world, superuser, django_capture_on_commit_callbacks)
    anonymised = _anonymised(world)

    override = type(override).objects.get(pk=override.pk)
    assert override.data == {"old_score": "1.00", "new_score": "2.00", "reason": ""}
    assert "髙橋" not in override.label and anonymised in override.label

    odd = type(odd).objects.get(pk=odd.pk)
    assert odd.data == {
        "to_status": "confirmed",
        "note": [anonymised, {"who": anonymised, "what": ""}, anonymised],
    }
    quoted = type(quoted).objects.get(pk=quoted.pk)
    assert quoted.data["reason"] == "解答例「」を参考に採点基準を変更"

    # The certificate keeps the name as issued; its log entry does not.
    certificate_entry = type(certificate_entry).objects.get(pk=certificate_entry.pk)
    assert certificate_entry.label == f"{world.certificate.serial} {anonymised}"
    assert certificate_entry.data["serial"] == world.certificate.serial
    assert Certificate.objects.get(pk=world.certificate.pk).name == "髙橋 𠮷子"

    text = " ".join(f"{label} {data}" for *_rest, label, data in _entries().values())
    for value in ("髙橋 𠮷子", "髙橋𠮷子", "たかはし", "takahashi@example.jp", ESSAY, ACTIVITY):
        assert value not in text, value


def test_people_with_similar_names_are_untouched(
    world, superuser, instructor, site_tree, django_capture_on_commit_callbacks
):
    """The standard characters (高橋 吉子), the same family name, a longer given name."""
    similar = []
    for last, first, kana_first in (
        ("高橋", "吉子", "よしこ"),
        ("髙橋", "一郎", "いちろう"),
        ("髙橋", "𠮷子美", "よしこみ"),
    ):
        person = TraineeFactory(
            last_name=last,
            first_name=first,
            last_name_kana="たかはし",
            first_name_kana=kana_first,
        )
        enrollment = course_services.enrollment_create(user=person, course=world.course)
        entry, _attachment = add_entry(
            enrollment, person, with_photo=False, activity=f"{last}の活動記録です（長い文章）"
        )
        log(
            instance=entry,
            action="fieldwork.return",
            user=instructor,
            data={"comment": f"{last} {first}さん（たかはし {kana_first}）、髙橋さんと相談を"},
        )
        similar.append(person)
    before = {
        key: value
        for key, value in _entries().items()
        if key[0] == "CourseLogEntry"
        and CourseLogEntry.objects.get(pk=key[1]).enrollment.user in similar
    }
    assert len(before) >= 3
    _erase(world, superuser, django_capture_on_commit_callbacks)
    after = _entries()
    for key, value in before.items():
        assert after[key] == value, value
    for person in similar:
        person.refresh_from_db()
        assert person.last_name in ("高橋", "髙橋")


def test_a_second_erasure_changes_no_log_entry(
    world, superuser, instructor_notes, django_capture_on_commit_callbacks
):
    _erase(world, superuser, django_capture_on_commit_callbacks)
    before = _entries()
    _erase(world, superuser, django_capture_on_commit_callbacks)
    assert _entries() == before


#: The whole erasure of the world's trainee (three enrollments, an attempt, certificates):
#: the withdrawal and revocation services, the blanking updates, the four reads of what to
#: look for, and two per log model (find, bulk update) whatever the number of log entries.
ERASURE_QUERIES = 50


@pytest.mark.parametrize("extra", [1, 7])
def test_erasure_queries_do_not_grow_with_records_and_log_entries(
    world,
    superuser,
    instructor,
    extra,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    for n in range(extra):
        entry, _attachment = add_entry(
            world.enrollment, world.trainee, with_photo=False, days_ago=n + 2
        )
        log(
            instance=entry, action="fieldwork.return", user=instructor, data={"comment": "髙橋さん"}
        )
        log(
            instance=world.quiz,
            action="assessments.regrade",
            user=instructor,
            data={"reason": f"髙橋 𠮷子さん {n}"},
        )
    # Content types are cached for the process in real life.
    ContentType.objects.get_for_models(
        type(world.trainee), Enrollment, Attempt, FieldworkEntry, Certificate
    )
    with django_assert_num_queries(ERASURE_QUERIES):
        _erase(world, superuser, django_capture_on_commit_callbacks)
