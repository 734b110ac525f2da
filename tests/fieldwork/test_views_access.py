"""The permission matrix: every entry, attachment and review URL, for every kind of visitor.

Owner, another trainee, an instructor of the course, an instructor of another course, and
an anonymous visitor. Anything not yours (or not of a course you teach) is a 404, so ids
reveal nothing; anonymous visitors are sent to log in.
"""

import pytest

from lms.courses.models import CourseInstructor
from lms.fieldwork import services
from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.courses import course_tree
from tests.factories.fieldwork import enrolled, entry, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db

OWNER, OTHER_TRAINEE, INSTRUCTOR, OTHER_INSTRUCTOR, ANONYMOUS = (
    "owner",
    "other_trainee",
    "instructor",
    "other_instructor",
    "anonymous",
)
WHO = [OWNER, OTHER_TRAINEE, INSTRUCTOR, OTHER_INSTRUCTOR, ANONYMOUS]
LOGIN = 302


@pytest.fixture
def world(site_tree, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    course = course_tree(site_tree, slug="fw")
    other_course = course_tree(site_tree, slug="other")
    owner_enrollment = enrolled(course)
    other = TraineeFactory()
    enrolled(other_course, other)
    instructor = InstructorFactory()
    CourseInstructor.objects.create(page=course, user=instructor)
    other_instructor = InstructorFactory()
    CourseInstructor.objects.create(page=other_course, user=other_instructor)
    owner = owner_enrollment.user
    draft = entry(owner_enrollment)
    draft_photo = services.attachment_add(
        entry=draft, actor=owner, uploaded=upload("draft.jpg", image_bytes())
    )
    submitted = entry(owner_enrollment, days_ago=2)
    photo = services.attachment_add(
        entry=submitted, actor=owner, uploaded=upload("photo.jpg", image_bytes())
    )
    pdf = services.attachment_add(
        entry=submitted, actor=owner, uploaded=upload("report.pdf", pdf_bytes())
    )
    services.entry_submit(entry=submitted, actor=owner)
    return {
        "course": course,
        "draft": draft,
        "submitted": submitted,
        "draft_photo": draft_photo,
        "photo": photo,
        "pdf": pdf,
        "users": {
            OWNER: owner_enrollment.user,
            OTHER_TRAINEE: other,
            INSTRUCTOR: instructor,
            OTHER_INSTRUCTOR: other_instructor,
            ANONYMOUS: None,
        },
    }


def _client(client, world, who):
    user = world["users"][who]
    if user is not None:
        client.force_login(user)
    return client


# (method, url, expected status for owner, other trainee, instructor, other instructor, anonymous)
def _cases(w):
    d, s, photo, pdf, course = w["draft"], w["submitted"], w["photo"], w["pdf"], w["course"]
    draft_photo = w["draft_photo"]
    return [
        # A draft is the trainee's own: instructors see entries once they are sent.
        ("get", f"/fieldwork/entries/{d.pk}/", [200, 404, 404, 404, LOGIN]),
        ("get", f"/fieldwork/attachments/{draft_photo.pk}/", [200, 404, 404, 404, LOGIN]),
        ("get", f"/fieldwork/entries/{s.pk}/", [200, 404, 200, 404, LOGIN]),
        ("get", f"/fieldwork/entries/{d.pk}/edit/", [200, 404, 404, 404, LOGIN]),
        ("post", f"/fieldwork/entries/{d.pk}/edit/", [302, 404, 404, 404, LOGIN]),
        ("post", f"/fieldwork/entries/{d.pk}/autosave/", [200, 404, 404, 404, LOGIN]),
        ("post", f"/fieldwork/entries/{d.pk}/correction/", [302, 404, 404, 404, LOGIN]),
        ("post", f"/fieldwork/entries/{d.pk}/attachments/", [302, 404, 404, 404, LOGIN]),
        ("get", f"/fieldwork/attachments/{photo.pk}/", [200, 404, 200, 404, LOGIN]),
        ("get", f"/fieldwork/attachments/{photo.pk}/thumbnail/", [200, 404, 200, 404, LOGIN]),
        ("get", f"/fieldwork/attachments/{pdf.pk}/", [200, 404, 200, 404, LOGIN]),
        ("post", f"/fieldwork/attachments/{draft_photo.pk}/delete/", [302, 404, 404, 404, LOGIN]),
        ("get", f"/fieldwork/courses/{course.pk}/", [200, 404, 404, 404, LOGIN]),
        ("get", f"/fieldwork/courses/{course.pk}/new/", [200, 404, 404, 404, LOGIN]),
        ("post", f"/fieldwork/courses/{course.pk}/autosave/", [200, 404, 404, 404, LOGIN]),
        ("get", f"/admin/fieldwork/review/{s.pk}/", [LOGIN, LOGIN, 200, 404, LOGIN]),
        ("post", f"/admin/fieldwork/review/{s.pk}/", [LOGIN, LOGIN, 400, 404, LOGIN]),
        ("get", f"/admin/fieldwork/history/{s.pk}/", [LOGIN, LOGIN, 200, 404, LOGIN]),
        ("get", f"/admin/fieldwork/courses/{course.pk}/", [LOGIN, LOGIN, 200, 404, LOGIN]),
    ]


@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(client, world, who):
    column = WHO.index(who)
    client = _client(client, world, who)
    failures = []
    for method, url, expected in _cases(world):
        response = getattr(client, method)(url)
        if response.status_code != expected[column]:
            failures.append(f"{method.upper()} {url}: {response.status_code} != {expected[column]}")
    assert not failures, f"{who}:\n" + "\n".join(failures)


def test_the_review_queue_lists_only_entries_of_courses_taught(client, world):
    client.force_login(world["users"][INSTRUCTOR])
    html = client.get("/admin/fieldwork/").content.decode()
    assert f"/admin/fieldwork/review/{world['submitted'].pk}/" in html
    assert f"/admin/fieldwork/review/{world['draft'].pk}/" not in html  # drafts are private
    client.force_login(world["users"][OTHER_INSTRUCTOR])
    html = client.get("/admin/fieldwork/").content.decode()
    assert f"/admin/fieldwork/review/{world['submitted'].pk}/" not in html


def test_files_are_streamed_with_safe_headers(client, world):
    client.force_login(world["users"][OWNER])
    response = client.get(f"/fieldwork/attachments/{world['pdf'].pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    response = client.get(f"/fieldwork/attachments/{world['photo'].pk}/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachments_are_never_under_a_public_media_url(client, world, settings):
    from django.conf import settings as live_settings

    photo = world["photo"]
    # The configured private storage lives outside MEDIA_ROOT ...
    private_root = live_settings.PRIVATE_MEDIA_ROOT
    assert not str(private_root).startswith(str(live_settings.MEDIA_ROOT))
    # ... and pages link files only through the permission-checked views.
    client.force_login(world["users"][OWNER])
    draft_photo = world["draft_photo"]
    html = client.get(f"/fieldwork/entries/{world['draft'].pk}/edit/").content.decode()
    assert f"/fieldwork/attachments/{draft_photo.pk}/thumbnail/" in html
    assert draft_photo.file not in html and settings.MEDIA_URL + "fieldwork" not in html
    client.force_login(world["users"][INSTRUCTOR])
    html = client.get(f"/fieldwork/entries/{world['submitted'].pk}/").content.decode()
    assert f"/fieldwork/attachments/{photo.pk}/" in html and photo.file not in html
