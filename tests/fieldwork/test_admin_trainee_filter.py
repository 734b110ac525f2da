"""One trainee in the fieldwork review listing: the filter, the search, the totals, the scope."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from lms.courses.models import CourseInstructor
from lms.fieldwork.models import FieldworkEntry
from lms.fieldwork.selectors import entries_reviewable_by
from tests.factories.accounts import InstructorFactory, TraineeFactory, UserFactory
from tests.factories.courses import cohort, course_tree
from tests.factories.fieldwork import categories, enrolled, entry, requirement

pytestmark = pytest.mark.django_db
QUEUE = "/admin/fieldwork/"
#: The listing narrowed to one trainee of one course, with their totals (exact, any size).
QUERIES_TRAINEE = 18


@pytest.fixture
def courses(site_tree):
    return course_tree(site_tree, slug="fw-a"), course_tree(site_tree, slug="fw-b")


@pytest.fixture
def instructor(courses):
    user = InstructorFactory()
    CourseInstructor.objects.create(page=courses[0], user=user)
    return user


@pytest.fixture
def other_instructor(courses):
    user = InstructorFactory()
    CourseInstructor.objects.create(page=courses[1], user=user)
    return user


@pytest.fixture
def people(courses):
    """山田 (hiragana reading) and 佐藤 (katakana reading) in course A; 鈴木 in course B only;
    山田 also in course B, where someone else teaches."""
    course_a, course_b = courses
    yamada = TraineeFactory(email="hanako@example.com")
    sato = TraineeFactory(
        last_name="佐藤",
        first_name="一郎",
        last_name_kana="サトウ",
        first_name_kana="イチロウ",
        email="ichiro.sato@example.com",
    )
    suzuki = TraineeFactory(
        last_name="鈴木",
        first_name="次郎",
        last_name_kana="すずき",
        first_name_kana="じろう",
        email="jiro@example.com",
    )
    return {
        "yamada": yamada,
        "sato": sato,
        "suzuki": suzuki,
        "yamada_a": enrolled(course_a, yamada),
        "sato_a": enrolled(course_a, sato),
        "suzuki_b": enrolled(course_b, suzuki),
        "yamada_b": enrolled(course_b, yamada),
    }


@pytest.fixture
def logged(people, courses):
    """Entries whose totals are worked out by hand in ``test_totals_...``."""
    requirement(courses[0], hours="20", counted=("hearing", "salon", "vacant-houses"))
    a = people["yamada_a"]
    return {
        "approved_hearing": entry(a, status="approved", category="hearing", hours=Decimal("2.5")),
        "approved_salon": entry(a, status="approved", category="salon", hours=Decimal("3")),
        # Approved, but talks are not a category course A counts.
        "approved_talks": entry(a, status="approved", category="talks", hours=Decimal("4")),
        "submitted_hearing": entry(a, status="submitted", category="hearing", hours=Decimal("1.5")),
        "submitted_talks": entry(a, status="submitted", category="talks", hours=Decimal("2")),
        "returned": entry(a, status="returned", category="hearing", hours=Decimal("5")),
        "rejected": entry(a, status="rejected", category="salon", hours=Decimal("6")),
        "draft": entry(a, status="draft", category="hearing", hours=Decimal("7")),
        "sato": entry(people["sato_a"], status="approved", hours=Decimal("8")),
        "suzuki": entry(people["suzuki_b"], status="submitted", hours=Decimal("3")),
        # 山田 in course B (no requirement there): not instructor A's business.
        "yamada_b": entry(people["yamada_b"], status="approved", hours=Decimal("10")),
    }


def ja(message):
    """What the admin shows (in Japanese, the default language) for an English msgid."""
    with translation.override("ja"):
        return gettext(message)


def _listed(html) -> set[int]:
    return {int(pk) for pk in re.findall(r'id="fieldwork_entry_(\d+)_title"', html)}


def _ids(*entries) -> set[int]:
    return {e.pk for e in entries}


def _trainee_choices(html) -> dict[int, str]:
    select = re.search(r'<select name="trainee"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the trainee filter is offered"
    return {
        int(pk): label.strip()
        for pk, label in re.findall(r'<option value="(\d+)"[^>]*>(.*?)</option>', select[1], re.S)
    }


def _hours_table(html) -> dict[int, dict[str, str]]:
    """{enrollment id: {"approved": "5.5", ...}} from the totals above the listing."""
    section = re.search(r'<section[^>]*id="fieldwork-trainee-hours".*?</section>', html, re.S)
    if not section:
        return {}
    rows = {}
    for pk, cells in re.findall(r'<tr data-enrollment="(\d+)">(.*?)</tr>', section[0], re.S):
        rows[int(pk)] = {
            name: re.sub(r"\s+", " ", value).strip()
            for name, value in re.findall(r'data-hours="(\w+)"[^>]*>(.*?)</td>', cells, re.S)
        }
    return rows


# --- The filter -------------------------------------------------------------------------------
def test_the_trainee_filter_narrows_the_listing_to_one_trainee(client, instructor, logged):
    client.force_login(instructor)
    html = client.get(QUEUE).content.decode()
    sent_a = {e for name, e in logged.items() if name not in ("draft", "suzuki", "yamada_b")}
    assert _listed(html) == _ids(*sent_a)

    html = client.get(QUEUE, {"trainee": logged["sato"].enrollment.user_id}).content.decode()
    assert _listed(html) == _ids(logged["sato"])

    yamada = logged["approved_hearing"].enrollment.user_id
    html = client.get(QUEUE, {"trainee": yamada, "status": "submitted"}).content.decode()
    assert _listed(html) == _ids(logged["submitted_hearing"], logged["submitted_talks"])

    # The listing's results fragment (what the filters load without a page reload) too.
    html = client.get(f"{QUEUE}results/", {"trainee": yamada}).content.decode()
    assert _listed(html) == _ids(*(v for k, v in sent_a_items(logged) if k != "sato"))
    assert "fieldwork-trainee-hours" in html


def sent_a_items(logged):
    return [(k, v) for k, v in logged.items() if k not in ("draft", "suzuki", "yamada_b")]


def test_the_filter_offers_the_listings_trainees_by_name_and_reading(client, instructor, logged):
    client.force_login(instructor)
    choices = _trainee_choices(client.get(QUEUE).content.decode())
    yamada = logged["approved_hearing"].enrollment.user
    sato = logged["sato"].enrollment.user
    # In the order of the reading (さとう before やまだ), the reading telling namesakes apart.
    assert list(choices.items()) == [
        (sato.pk, "佐藤 一郎（サトウ イチロウ）"),
        (yamada.pk, "山田 花子（やまだ はなこ）"),
    ]


def test_the_gradebook_link_format_leads_to_the_trainees_rows(client, instructor, logged, courses):
    """The URL another listing (the gradebook row) links to: ``?course=<id>&trainee=<id>``."""
    yamada = logged["approved_hearing"].enrollment.user
    url = f"{reverse('fieldwork_entries:index')}?course={courses[0].pk}&trainee={yamada.pk}"
    assert url == f"{QUEUE}?course={courses[0].pk}&trainee={yamada.pk}"
    client.force_login(instructor)
    html = client.get(url).content.decode()
    assert _listed(html) == _ids(*(v for k, v in sent_a_items(logged) if k != "sato"))
    assert list(_hours_table(html)) == [logged["approved_hearing"].enrollment_id]


# --- The search -------------------------------------------------------------------------------
#: (what is typed, whose entries it finds)
SEARCHES = [
    ("山田", "yamada"),
    ("山田\u3000花子", "yamada"),  # a full-width space between family and given name
    ("やまだ", "yamada"),  # the reading as stored (hiragana)
    ("ヤマダ", "yamada"),  # katakana finds a hiragana reading
    ("ﾔﾏﾀﾞ", "yamada"),  # half-width katakana, voiced mark included
    ("ﾊﾅｺ", "yamada"),
    ("hanako@example", "yamada"),
    ("ＨＡＮＡＫＯ", "yamada"),  # full-width letters of the e-mail address
    ("さとう", "sato"),  # hiragana finds a katakana reading
    ("サトウ\u3000イチロウ", "sato"),
    ("ｻﾄｳ", "sato"),
    ("一郎", "sato"),
    ("ichiro.sato", "sato"),
    ("やまだ いちろう", None),  # every word must match the same trainee
]


def test_search_by_name_kana_and_email(client, instructor, logged):
    client.force_login(instructor)
    expected = {
        "yamada": _ids(*(v for k, v in sent_a_items(logged) if k != "sato")),
        "sato": _ids(logged["sato"]),
        None: set(),
    }
    for query, who in SEARCHES:
        html = client.get(QUEUE, {"q": query}).content.decode()
        assert _listed(html) == expected[who], query
    # Search and filter together.
    sato = logged["sato"].enrollment.user_id
    assert _listed(client.get(QUEUE, {"q": "やまだ", "trainee": sato}).content.decode()) == set()


def test_search_finds_nobody_outside_the_instructors_courses(client, instructor, logged):
    client.force_login(instructor)
    for query in ("鈴木", "すずき", "ｽｽﾞｷ", "jiro@example.com"):
        response = client.get(QUEUE, {"q": query})
        assert response.status_code == 200
        assert _listed(response.content.decode()) == set()
    # 山田's entry in course B is not found by her name either.
    html = client.get(QUEUE, {"q": "やまだ"}).content.decode()
    assert logged["yamada_b"].pk not in _listed(html)


def test_search_and_trainee_filter_apply_to_the_export(client, instructor, logged):
    client.force_login(instructor)
    response = client.get(QUEUE, {"export": "csv", "q": "ｻﾄｳ"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    lines = [line for line in text.splitlines()[1:] if line.strip()]
    assert len(lines) == 1 and "佐藤 一郎" in lines[0]


# --- The totals -------------------------------------------------------------------------------
def test_totals_for_the_chosen_trainee_match_hand_computed_hours(client, instructor, logged):
    """Requirement 20 h in hearing, salon and vacant houses. Approved and counted: 2.5 + 3 =
    5.5 (the 4 h of talks do not count); awaiting review: 1.5 + 2 = 3.5 (submitted, any
    category); returned (5), rejected (6) and the draft (7) count nowhere; missing 14.5."""
    client.force_login(instructor)
    enrollment = logged["approved_hearing"].enrollment
    html = client.get(QUEUE, {"trainee": enrollment.user_id}).content.decode()
    assert _hours_table(html) == {
        enrollment.pk: {"approved": "5.5", "pending": "3.5", "required": "20", "missing": "14.5"}
    }
    with translation.override("ja"):
        heading = gettext("Fieldwork hours of %(name)s") % {"name": "山田 花子"}
    assert heading in html
    # No totals without a chosen trainee.
    assert _hours_table(client.get(QUEUE).content.decode()) == {}


def test_totals_follow_an_approval_and_show_a_met_requirement(client, instructor, logged):
    sato = logged["sato"].enrollment
    client.force_login(instructor)
    html = client.get(QUEUE, {"trainee": sato.user_id}).content.decode()
    # 8 approved hours of hearing against 20.
    assert _hours_table(html)[sato.pk] == {
        "approved": "8",
        "pending": "0",
        "required": "20",
        "missing": "12",
    }
    FieldworkEntry.objects.create(
        enrollment=sato,
        status="approved",
        date=logged["sato"].date,
        hours=Decimal("12"),
        category=categories()["salon"],
        submitted_at=logged["sato"].submitted_at,
    )
    html = client.get(QUEUE, {"trainee": sato.user_id}).content.decode()
    row = _hours_table(html)[sato.pk]
    assert (row["approved"], row["missing"]) == ("20", ja("Requirement met"))


def test_a_superuser_sees_each_course_of_the_trainee(client, logged, courses):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    yamada = logged["approved_hearing"].enrollment.user
    table = _hours_table(client.get(QUEUE, {"trainee": yamada.pk}).content.decode())
    a, b = logged["approved_hearing"].enrollment_id, logged["yamada_b"].enrollment_id
    assert table[a] == {"approved": "5.5", "pending": "3.5", "required": "20", "missing": "14.5"}
    # Course B has no requirement: every approved hour is shown, nothing is "missing".
    assert table[b] == {
        "approved": "10",
        "pending": "0",
        "required": ja("This course has no fieldwork requirement yet."),
    }
    html = client.get(QUEUE, {"trainee": yamada.pk, "course": courses[1].pk}).content.decode()
    assert list(_hours_table(html)) == [b]
    assert _listed(html) == _ids(logged["yamada_b"])


# --- Scope ------------------------------------------------------------------------------------
def test_an_instructor_of_another_course_sees_none_of_it(
    client, other_instructor, instructor, logged
):
    yamada = logged["approved_hearing"].enrollment.user
    sato = logged["sato"].enrollment.user
    suzuki = logged["suzuki"].enrollment.user
    client.force_login(other_instructor)
    html = client.get(QUEUE).content.decode()
    # 佐藤 is course A's trainee only: not offered, not listed, no totals.
    assert _trainee_choices(html) == {
        suzuki.pk: "鈴木 次郎（すずき じろう）",
        yamada.pk: "山田 花子（やまだ はなこ）",
    }
    assert "佐藤" not in html and "サトウ" not in html
    html = client.get(QUEUE, {"trainee": sato.pk}).content.decode()
    assert "佐藤" not in html and _hours_table(html) == {}
    # 山田 is theirs in course B only: her course A entries and hours stay hidden.
    html = client.get(QUEUE, {"trainee": yamada.pk}).content.decode()
    assert _listed(html) == _ids(logged["yamada_b"])
    assert list(_hours_table(html)) == [logged["yamada_b"].enrollment_id]

    # An instructor who teaches nothing: no rows, no one to choose, no totals.
    client.force_login(InstructorFactory())
    for params in ({}, {"trainee": yamada.pk}, {"q": "やまだ"}):
        html = client.get(QUEUE, params).content.decode()
        assert _listed(html) == set() and _hours_table(html) == {}
        assert _trainee_choices(html) == {}
        assert "山田" not in html

    # A trainee gets no admin at all.
    client.force_login(yamada)
    assert client.get(QUEUE, {"trainee": yamada.pk}).status_code == 302


def test_a_cohort_instructor_is_offered_exactly_the_trainees_of_their_listing(
    client, courses, logged
):
    course_a = courses[0]
    spring = cohort(course_a, name="第1期")
    teacher = InstructorFactory()
    spring.instructors.add(teacher)
    late = enrolled(course_a, TraineeFactory(last_name="高橋", last_name_kana="たかはし"))
    assert late.cohort == spring
    entry(late, status="submitted")
    client.force_login(teacher)
    html = client.get(QUEUE).content.decode()
    listed_users = set(
        entries_reviewable_by(teacher)
        .filter(pk__in=_listed(html))
        .values_list("enrollment__user_id", flat=True)
    )
    choices = _trainee_choices(html)
    assert set(choices) == listed_users
    assert logged["suzuki"].enrollment.user_id not in choices  # course B: not theirs


# --- Query budget -----------------------------------------------------------------------------
STATUSES = ["approved", "submitted", "returned", "rejected"]


def _many(enrollment, size):
    cats = categories()
    FieldworkEntry.objects.bulk_create(
        FieldworkEntry(
            enrollment=enrollment,
            date=timezone.localdate() - datetime.timedelta(days=n % 300),
            hours=Decimal("1.5"),
            prefecture="nagano",
            category=cats["talks" if n % 3 == 2 else "hearing"],
            activity=f"活動{n}",
            status=STATUSES[n % 4],
            submitted_at=timezone.now(),
        )
        for n in range(size)
    )


@pytest.mark.parametrize("size", [10, 200])
def test_the_trainees_listing_costs_the_same_at_10_and_200_entries(
    client, instructor, courses, people, django_assert_num_queries, size
):
    course_a = courses[0]
    requirement(course_a, hours="40")  # hearing counts, talks do not
    cohort(course_a, name="第1期")
    _many(people["yamada_a"], size)
    _many(people["sato_a"], size)
    for n in range(5):
        _many(enrolled(course_a, TraineeFactory(email=f"extra{n}@example.com")), size // 10)
    client.force_login(instructor)
    params = {"course": course_a.pk, "trainee": people["yamada"].pk}
    client.get(QUEUE, params)
    with django_assert_num_queries(QUERIES_TRAINEE):
        response = client.get(QUEUE, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(_listed(html)) == min(size, 50)
    approved = Decimal("1.5") * sum(1 for n in range(size) if n % 4 == 0 and n % 3 != 2)
    pending = Decimal("1.5") * sum(1 for n in range(size) if n % 4 == 1)
    row = _hours_table(html)[people["yamada_a"].pk]
    assert (Decimal(row["approved"]), Decimal(row["pending"])) == (approved, pending)
    if approved < 40:  # 10 entries: 3 approved hours count, 37 missing
        assert Decimal(row["missing"]) == 40 - approved
    else:  # 200 entries: 51 approved hours count
        assert row["missing"] == ja("Requirement met")
    assert len(_trainee_choices(html)) == 7
