"""Enrollment from a CSV file in the admin: preview, commit, invitations, and bad files."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from lms.accounts import roles
from lms.courses import bulk
from lms.courses.models import CourseInstructor, Enrollment
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree

pytestmark = pytest.mark.django_db
User = get_user_model()
Status = Enrollment.Status
IMPORT = "/admin/enrollments/import/"
COMMIT = "/admin/enrollments/import/commit/"
HEADER = "email,family_name,given_name,family_name_kana,given_name_kana,cohort\r\n"


def ja(message):
    with translation.override("ja"):
        return gettext(str(message))


def label(action, applied=False):
    return ja((bulk.DONE_LABELS if applied else bulk.PREVIEW_LABELS)[action])


def rows_with(text, action, applied=False):
    """How many rows of the report's table say ``action``."""
    return text.count(f"<strong>{label(action, applied)}</strong>")


def page(response):
    return html.unescape(response.content.decode())


def csv_file(rows, *, encoding="utf-8", header=HEADER, name="trainees.csv"):
    text = header + "".join(r + "\r\n" for r in rows)
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, course, file):
    return client.post(IMPORT, {"course": course.pk, "file": file})


def token_of(response):
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "the preview offers no commit button"
    return match.group(1)


def commit(client, preview):
    return client.post(COMMIT, {"token": token_of(preview)})


@pytest.fixture
def course(site_tree):
    return course_tree(site_tree, slug="roster", title="地域プロデューサー基礎", policy="approval")


@pytest.fixture
def instructor(course):
    user = InstructorFactory()
    CourseInstructor(page=course, user=user).save()
    return user


@pytest.fixture
def signed_in(client, instructor):
    client.force_login(instructor)
    return client


ROWS = [
    "hanako@example.com,山田,花子,やまだ,はなこ,",
    "taro@example.com,髙橋,太郎,たかはし,たろう,",
]


def test_preview_changes_nothing_and_commit_creates_enrolls_and_invites(
    signed_in, course, instructor, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    mail.outbox.clear()
    preview = upload(signed_in, course, csv_file(ROWS))
    assert preview.status_code == 200
    text = page(preview)
    assert rows_with(text, bulk.Action.CREATE) == 2
    assert "髙橋 太郎" in text
    assert User.objects.count() == users_before
    assert not Enrollment.objects.exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        result = commit(signed_in, preview)
    assert result.status_code == 200
    assert rows_with(page(result), bulk.Action.CREATE, applied=True) == 2
    hanako = User.objects.get(email="hanako@example.com")
    assert (hanako.last_name, hanako.first_name, hanako.last_name_kana) == (
        "山田",
        "花子",
        "やまだ",
    )
    assert not hanako.has_usable_password()
    assert hanako.groups.filter(name=roles.TRAINEES).exists()
    assert EmailAddress.objects.filter(user=hanako, verified=True, primary=True).exists()
    enrollment = Enrollment.objects.get(user=hanako, course=course)
    assert enrollment.status == Status.ACTIVE  # the approval policy is for applicants
    assert enrollment.events.get().actor == instructor
    assert sorted(m.to[0] for m in mail.outbox) == ["hanako@example.com", "taro@example.com"]
    assert "地域プロデューサー基礎" in mail.outbox[0].subject


def test_the_invitation_link_lets_the_new_trainee_set_a_password(
    client, signed_in, course, django_capture_on_commit_callbacks
):
    preview = upload(signed_in, course, csv_file(ROWS[:1]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        commit(signed_in, preview)
    body = mail.outbox[0].body
    assert "山田 花子" in body
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    signed_in.logout()
    response = client.get(path)
    assert response.status_code == 302 and response.url.endswith("-set-password/")
    form = client.get(response.url)
    assert form.status_code == 200 and 'name="password1"' in form.content.decode()
    done = client.post(
        response.url, {"password1": "a-long-new-password-9", "password2": "a-long-new-password-9"}
    )
    assert done.status_code == 302
    assert User.objects.get(email="hanako@example.com").check_password("a-long-new-password-9")


def test_invitations_are_in_the_trainees_language(
    signed_in, course, django_capture_on_commit_callbacks
):
    TraineeFactory(email="english@example.com", preferred_language="en")
    preview = upload(signed_in, course, csv_file(["English@Example.com,Smith,Anna,,,"]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        commit(signed_in, preview)
    assert "enrolled" in mail.outbox[0].subject


def test_existing_users_are_matched_by_email_whatever_the_case(
    signed_in, course, django_capture_on_commit_callbacks
):
    existing = TraineeFactory(email="hanako@example.com", last_name="山田", first_name="花子")
    users_before = User.objects.count()
    preview = upload(signed_in, course, csv_file(["HANAKO@Example.com,山田,花子,やまだ,はなこ,"]))
    assert label(bulk.Action.ENROLL) in page(preview)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        commit(signed_in, preview)
    assert User.objects.count() == users_before
    assert Enrollment.objects.get(user=existing, course=course).status == Status.ACTIVE
    assert [m.to for m in mail.outbox] == [[existing.email]]
    assert "/password/reset/key/" not in mail.outbox[0].body  # a notice, not an invitation


def test_the_same_file_twice_changes_nothing_the_second_time(
    signed_in, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        commit(signed_in, upload(signed_in, course, csv_file(ROWS)))
    users, enrollments = User.objects.count(), Enrollment.objects.count()
    mail.outbox.clear()
    preview = upload(signed_in, course, csv_file(ROWS))
    text = page(preview)
    assert rows_with(text, bulk.Action.UNCHANGED) == 2
    assert 'name="token"' not in preview.content.decode()  # nothing to apply
    assert ja("There is nothing to apply in this file.") in text
    assert (User.objects.count(), Enrollment.objects.count()) == (users, enrollments)
    assert mail.outbox == []


def test_applying_a_preview_twice_is_refused_and_changes_nothing(
    signed_in, course, django_capture_on_commit_callbacks
):
    preview = upload(signed_in, course, csv_file(ROWS))
    with django_capture_on_commit_callbacks(execute=True):
        commit(signed_in, preview)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = signed_in.post(COMMIT, {"token": token_of(preview)}, follow=True)
    expired = (
        "This preview is no longer available (it was applied or has expired). "
        "Upload the file again."
    )
    assert ja(expired) in page(again)
    assert Enrollment.objects.count() == 2
    assert mail.outbox == []


def test_a_cp932_file_from_japanese_excel_is_decoded(signed_in, course):
    rows = [
        "yamazaki@example.com,山﨑,髙子,ﾔﾏｻﾞｷ,たかこ,",
        "watanabe@example.com,渡邉,一,わたなべ,はじめ,",
    ]
    preview = upload(signed_in, course, csv_file(rows, encoding="cp932"))
    text = page(preview)
    assert "山﨑 髙子" in text and "渡邉 一" in text
    assert rows_with(text, bulk.Action.CREATE) == 2
    commit(signed_in, preview)
    user = User.objects.get(email="yamazaki@example.com")
    assert (user.last_name, user.first_name) == ("山﨑", "髙子")
    assert user.last_name_kana == "ヤマザキ"  # half-width katakana made full-width


def test_a_utf8_file_with_a_bom_is_read(signed_in, course):
    file = SimpleUploadedFile("bom.csv", ("\ufeff" + HEADER + ROWS[0]).encode("utf-8"))
    assert label(bulk.Action.CREATE) in page(upload(signed_in, course, file))


def test_missing_columns_are_named(signed_in, course):
    file = csv_file(["hanako@example.com,山田"], header="email,family_name\r\n")
    response = upload(signed_in, course, file)
    assert response.status_code == 200
    text = page(response)
    assert "given_name, family_name_kana, given_name_kana" in text
    assert 'name="token"' not in response.content.decode()


def test_a_course_with_cohorts_needs_the_cohort_column(signed_in, course):
    cohort(course, name="第1期")
    file = csv_file([ROWS[0][:-1]], header=HEADER.replace(",cohort", ""))
    text = page(upload(signed_in, course, file))
    expected = ja(
        "These columns are missing: %(missing)s. The first row must name the columns: %(expected)s."
    ) % {"missing": "cohort", "expected": ", ".join(bulk.COLUMNS)}
    assert expected in text
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "row, message, params",
    [
        (
            "not-an-email,山田,花子,やまだ,はなこ,",
            "“%(value)s” is not a valid e-mail address.",
            {"value": "not-an-email"},
        ),
        (",山田,花子,やまだ,はなこ,", "The e-mail address is missing.", {}),
        (
            "new@example.com,,花子,やまだ,はなこ,",
            "The family name and given name are needed to create an account.",
            {},
        ),
        (
            "new@example.com,山田,花子,yamada,はなこ,",
            "Please enter the reading in hiragana or katakana.",
            {},
        ),
        (
            "new@example.com,山田,花子,やまだ,はなこ,第9期",
            "This course has no cohorts: leave the cohort empty.",
            {},
        ),
        (
            "new@example.com,山田,花子,やまだ,はなこ,,extra",
            "This row has more values than there are columns.",
            {},
        ),
    ],
)
def test_row_errors_are_reported_by_row_and_other_rows_still_apply(
    signed_in, course, row, message, params
):
    response = upload(signed_in, course, csv_file([ROWS[0], row]))
    text = page(response)
    assert ja(message) % params in text
    assert rows_with(text, bulk.Action.ERROR) == 1
    assert "<td>3</td>" in response.content.decode()  # the spreadsheet row of the bad line
    commit(signed_in, response)
    assert Enrollment.objects.count() == 1
    assert User.objects.filter(email="hanako@example.com").exists()
    assert not User.objects.filter(email="new@example.com").exists()


def test_duplicate_rows_in_the_file_are_flagged(signed_in, course):
    response = upload(signed_in, course, csv_file([ROWS[0], ROWS[0].replace("hanako", "HANAKO")]))
    text = page(response)
    assert ja("This e-mail address is already in row %(row)d.") % {"row": 2} in text
    commit(signed_in, response)
    assert User.objects.filter(email__iexact="hanako@example.com").count() == 1


def test_unknown_cohort_and_cohort_names_in_full_width_digits(signed_in, course):
    cohort(course, name="第1期", capacity=1)
    rows = [
        "a@example.com,青木,一,あおき,はじめ,第１期",  # full-width digit: the same cohort
        "b@example.com,馬場,二,ばば,じろう,第1期",  # the cohort is full: waiting list
        "c@example.com,千葉,三,ちば,さぶろう,第3期",
    ]
    response = upload(signed_in, course, csv_file(rows))
    text = page(response)
    assert ja("The cohort is full: they will be on the waiting list.") in text
    assert "第3期" in text and label(bulk.Action.ERROR) in text
    commit(signed_in, response)
    statuses = dict(Enrollment.objects.values_list("user__email", "status"))
    assert statuses == {"a@example.com": Status.ACTIVE, "b@example.com": Status.WAITLISTED}


def test_prerequisites_are_a_row_error(signed_in, site_tree, course):
    basics = course_tree(site_tree, slug="basics", title="入門講座")
    course.prerequisites.add(basics)
    course.save_revision().publish()
    response = upload(signed_in, course, csv_file(ROWS[:1]))
    assert "入門講座" in page(response)
    assert 'name="token"' not in response.content.decode()


def test_a_pending_application_is_approved(signed_in, course, django_capture_on_commit_callbacks):
    from lms.courses import services

    trainee = TraineeFactory(email="hanako@example.com")
    enrollment = services.enrollment_create(user=trainee, course=course)
    response = upload(signed_in, course, csv_file(ROWS[:1]))
    assert label(bulk.Action.APPROVE) in page(response)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        commit(signed_in, response)
    enrollment.refresh_from_db()
    assert enrollment.status == Status.ACTIVE
    assert len(mail.outbox) == 1


NOT_CSV = (
    "The file could not be read as a CSV file in UTF-8 or Shift_JIS. Is it a CSV file? "
    "In Excel, choose “Save As” with the file type “CSV UTF-8 (Comma delimited)”."
)
UTF16 = (
    "This file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8 "
    "(Comma delimited)” and upload it again."
)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The submitted file is empty."),  # Django's own message
        (b"\r\n\r\n", "The file is empty."),
        (
            b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40,
            (
                "This is an Excel workbook, not a CSV file. In Excel, choose “Save As” with "
                "the file type “CSV UTF-8 (Comma delimited)” and upload that file."
            ),
        ),
        (bytes(range(256)) * 4, NOT_CSV),
        (b"\x80\x81\xff\xfe garbage \x85\xa0\xfd", NOT_CSV),
        ("email,family_name\r\n".encode("utf-16"), UTF16),
        (HEADER.encode(), "The file has no rows below the column names."),
        (
            b"email\tfamily_name\tgiven_name\r\n",
            "The columns must be separated by commas. Save the file as CSV and try again.",
        ),
    ],
)
def test_malformed_files_get_a_clear_message_never_a_500(signed_in, course, content, message):
    response = upload(signed_in, course, SimpleUploadedFile("file.csv", content))
    assert response.status_code == 200
    text = page(response)
    assert 'name="token"' not in response.content.decode()
    assert ja(message) in text
    assert not Enrollment.objects.exists()


def test_too_large_and_too_long_files_are_refused(signed_in, course, monkeypatch):
    big = SimpleUploadedFile("big.csv", HEADER.encode() + b"x" * bulk.MAX_FILE_BYTES)
    text = page(upload(signed_in, course, big))
    too_large = "The file is too large (at most %(size)s MB). Split it into smaller files."
    assert ja(too_large) % {"size": 2} in text
    monkeypatch.setattr(bulk, "MAX_ROWS", 3)
    rows = [f"p{n}@example.com,山田,{n},やまだ,はなこ," for n in range(4)]
    text = page(upload(signed_in, course, csv_file(rows)))
    assert (
        ja("The file has more than %(max)d rows. Split it into smaller files.") % {"max": 3} in text
    )
    assert not User.objects.filter(email__startswith="p0").exists()


def test_an_instructor_cannot_enroll_into_a_course_they_do_not_teach(client, site_tree, course):
    outsider = InstructorFactory()
    client.force_login(outsider)
    response = upload(client, course, csv_file(ROWS))
    assert response.status_code == 200
    invalid = "Select a valid choice. That choice is not one of the available choices."
    assert ja(invalid) in page(response)
    assert 'name="token"' not in response.content.decode()
    assert not User.objects.filter(email="hanako@example.com").exists()


def test_a_superuser_can_enroll_into_any_course(
    client, site_tree, django_capture_on_commit_callbacks
):
    course = course_tree(site_tree, slug="nobody-teaches")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        commit(client, upload(client, course, csv_file(ROWS)))
    assert Enrollment.objects.filter(course=course, status=Status.ACTIVE).count() == 2


def test_a_token_from_someone_elses_session_is_useless(client, signed_in, course):
    preview = upload(signed_in, course, csv_file(ROWS))
    other = InstructorFactory()
    CourseInstructor(page=course, user=other).save()
    client.logout()
    client.force_login(other)
    response = client.post(COMMIT, {"token": token_of(preview)})
    assert response.status_code == 302
    assert not Enrollment.objects.exists()


def test_trainees_cannot_upload(client, course):
    client.force_login(TraineeFactory())
    response = upload(client, course, csv_file(ROWS))
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not User.objects.filter(email="hanako@example.com").exists()


def test_admins_who_are_not_instructors_are_refused(client, course):
    from django.contrib.auth.models import Group, Permission

    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor = UserFactory()
    editor.groups.add(editors)
    client.force_login(editor)
    for url in (IMPORT, "/admin/enrollments/", "/admin/bulk/courses/enrollment/approve/?id=1"):
        response = client.get(url)
        # Wagtail turns a refusal into a redirect to the dashboard with a message.
        assert response.status_code == 302 and response.url == "/admin/"
    response = upload(client, course, csv_file(ROWS))
    assert response.status_code == 302
    assert not User.objects.filter(email="hanako@example.com").exists()


def test_the_template_file_has_the_columns_and_a_bom(signed_in):
    response = signed_in.get("/admin/enrollments/import/template.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").strip() == ",".join(bulk.COLUMNS)


def test_the_upload_page_lists_only_taught_live_courses(signed_in, site_tree, course):
    other = course_tree(site_tree, slug="other", title="他の講座")
    text = page(signed_in.get(IMPORT))
    assert "地域プロデューサー基礎" in text
    assert other.title not in text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_file_applied_twice_at_once_creates_one_account_and_one_invitation(site_tree):
    import threading

    from django.db import connection

    course = course_tree(site_tree, slug="race", title="同時講座")
    instructor = InstructorFactory()
    CourseInstructor(page=course, user=instructor).save()
    text = HEADER + "".join(r + "\r\n" for r in ROWS)
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def apply():
        try:
            rows = bulk.csv_parse(text, require_cohort=False)
            barrier.wait(timeout=30)
            reports.append(bulk.bulk_enrollment_apply(course=course, actor=instructor, rows=rows))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    mail.outbox.clear()
    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert User.objects.filter(email__in=["hanako@example.com", "taro@example.com"]).count() == 2
    assert Enrollment.objects.filter(course=course).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["hanako@example.com", "taro@example.com"]
    created = sum(r.count(bulk.Action.CREATE) for r in reports)
    assert created == 2  # each person created once, by one of the two


def test_with_a_worker_the_report_waits_for_it_and_is_only_for_its_owner(
    client, signed_in, course, settings
):
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    preview = upload(signed_in, course, csv_file(ROWS))
    response = commit(signed_in, preview)
    assert response.status_code == 302
    result_url = response.url
    assert result_url.startswith("/admin/enrollments/import/result/")
    waiting = signed_in.get(result_url)
    assert ja("Applying the file…") in page(waiting)
    assert not Enrollment.objects.exists()  # nothing runs until a worker does

    # The worker runs the task (here: the immediate backend's runner on the queued result).
    queued = task_backends["default"].results[0]
    ImmediateBackend("worker", {"OPTIONS": {}})._execute_task(queued)
    report = signed_in.get(result_url)
    assert rows_with(page(report), bulk.Action.CREATE, applied=True) == 2
    assert Enrollment.objects.count() == 2

    other = InstructorFactory()
    CourseInstructor(page=course, user=other).save()
    signed_in.logout()
    client.force_login(other)
    assert client.get(result_url).status_code == 404
