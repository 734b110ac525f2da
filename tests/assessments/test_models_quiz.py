"""Quizzes: question blocks validate themselves, settings are checked, authoring is per course."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from lms.assessments import services
from lms.assessments.blocks import QuestionStreamBlock
from lms.assessments.models import Attempt, Quiz, ScoreChange
from tests.factories import assessments as qf
from tests.factories.accounts import InstructorFactory, UserFactory
from tests.factories.courses import cohort, course_tree, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _errors(raw_question):
    """The block's validation messages for one question in stored form ({} when valid)."""
    stream = QuestionStreamBlock()
    value = stream.to_python([raw_question])
    try:
        stream.clean(value)
    except ValidationError as exc:
        child = exc.block_errors[0]
        return {name: _messages(error) for name, error in child.block_errors.items()}
    return {}


def _messages(error):
    """Messages of a block error, including a ListBlock's own (e.g. too few items)."""
    messages = []
    for nested in getattr(error, "non_block_errors", None) or []:
        messages.extend(nested.messages if hasattr(nested, "messages") else [str(nested)])
    block_errors = getattr(error, "block_errors", None) or {}
    for nested in block_errors.values():
        messages.extend(_messages(nested))
    if not messages:
        messages = error.messages
    return messages


def test_valid_questions_of_every_type_pass(db):
    for raw in qf.every_type():
        assert _errors(raw) == {}, raw["type"]


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (
            qf.single("s", choices=[("a", False, ""), ("b", False, "")]),
            "choices",
            "Mark exactly one choice as correct (now 0 are marked).",
        ),
        (
            qf.single("s", choices=[("a", True, ""), ("b", True, "")]),
            "choices",
            "Mark exactly one choice as correct (now 2 are marked).",
        ),
        (
            qf.multiple("m", choices=[("a", False, ""), ("b", False, "")]),
            "choices",
            "Mark at least one choice as correct.",
        ),
        (qf.numeric("n", tolerance="-1"), "tolerance", "The tolerance must be zero or more."),
        (
            qf.ordering("o", items=("only one",)),
            "items",
            "The minimum number of items is 2",
        ),
        (
            qf.short_answer("a", answers=()),
            "accepted_answers",
            "The minimum number of items is 1",
        ),
    ],
)
def test_invalid_questions_get_a_clear_message(db, raw, field, message):
    errors = _errors(raw)
    assert field in errors
    assert any(message in text for text in errors[field]), errors


def test_quiz_settings_are_checked(site_tree):
    course = course_tree(site_tree, slug="a", lessons=1)
    other = course_tree(site_tree, slug="b", lessons=1)
    now = timezone.now()
    quiz = Quiz(title="t", course=course, opens_at=now, closes_at=now - datetime.timedelta(1))
    with pytest.raises(ValidationError) as info:
        quiz.full_clean()
    assert "The quiz must close after it opens." in info.value.message_dict["closes_at"]
    quiz = Quiz(title="t", course=course, lesson=lessons_of(other)[0], pass_mark=101)
    with pytest.raises(ValidationError) as info:
        quiz.full_clean()
    assert "Choose a lesson of the quiz's course." in info.value.message_dict["lesson"]
    assert "pass_mark" in info.value.message_dict
    quiz = Quiz(title="t", course=course, review_policy="after_close")
    with pytest.raises(ValidationError) as info:
        quiz.full_clean()
    assert info.value.message_dict["closes_at"] == [
        "Set a close date: answers are to be shown after the quiz closes."
    ]


def test_attempt_numbers_and_open_attempts_are_held_by_the_database(site_tree):
    course = course_tree(site_tree, slug="a", lessons=1)
    quiz = qf.make_quiz(course)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    services.attempt_submit(attempt=attempt)
    fields = {"quiz": quiz, "user": trainee, "enrollment": attempt.enrollment, "max_score": 1}
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(number=1, status="graded", **fields)
    Attempt.objects.create(number=2, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(number=3, **fields)  # a second attempt in progress


def test_score_changes_are_append_only(site_tree):
    course = course_tree(site_tree, slug="a", lessons=1)
    quiz = qf.make_quiz(course)
    attempt = services.attempt_start(quiz=quiz, user=qf.enrolled_trainee(course))
    change = ScoreChange.objects.create(attempt=attempt, kind="override", new_score=1)
    change.reason = "rewritten"
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()


# --- Authoring in the admin: instructors edit the quizzes of the courses they teach ---------
@pytest.fixture
def two_courses(site_tree):
    mine = course_tree(site_tree, slug="mine", lessons=1)
    theirs = course_tree(site_tree, slug="theirs", lessons=1)
    instructor = InstructorFactory()
    cohort(mine).instructors.add(instructor)
    # The admin in English: messages are asserted as their msgids.
    profile = UserProfile.get_for_user(instructor)
    profile.preferred_language = "en"
    profile.save()
    return {
        "instructor": instructor,
        "my_quiz": qf.make_quiz(mine, title="私の講座のテスト"),
        "their_quiz": qf.make_quiz(theirs, title="他の講座のテスト"),
        "mine": mine,
        "theirs": theirs,
    }


def test_instructor_lists_and_edits_only_their_courses_quizzes(client, two_courses):
    client.force_login(two_courses["instructor"])
    listing = client.get("/admin/snippets/assessments/quiz/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "私の講座のテスト" in html and "他の講座のテスト" not in html
    mine = client.get(f"/admin/snippets/assessments/quiz/edit/{two_courses['my_quiz'].pk}/")
    assert mine.status_code == 200
    # The course field offers only the courses they teach.
    form = mine.context["form"]
    assert list(form.fields["course"].queryset) == [two_courses["mine"]]
    theirs = client.get(f"/admin/snippets/assessments/quiz/edit/{two_courses['their_quiz'].pk}/")
    assert theirs.status_code in (302, 403, 404)
    if theirs.status_code == 302:
        assert "/admin/" in theirs.url and "edit" not in theirs.url


def test_instructor_can_add_a_quiz_and_categories_but_trainees_cannot(client, two_courses):
    from tests.factories.accounts import TraineeFactory

    client.force_login(two_courses["instructor"])
    assert client.get("/admin/snippets/assessments/quiz/add/").status_code == 200
    assert client.get("/admin/snippets/assessments/questioncategory/add/").status_code == 200
    client.force_login(TraineeFactory())
    response = client.get("/admin/snippets/assessments/quiz/add/")
    assert response.status_code in (302, 403)


def test_superuser_sees_every_quiz(client, two_courses):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get("/admin/snippets/assessments/quiz/").content.decode()
    assert "私の講座のテスト" in html and "他の講座のテスト" in html


def test_instructor_saves_a_quiz_with_questions_through_the_admin(client, two_courses):
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    client.force_login(two_courses["instructor"])
    quiz = two_courses["my_quiz"]
    url = f"/admin/snippets/assessments/quiz/edit/{quiz.pk}/"

    def post(choices):
        data = nested_form_data(
            {
                "title": "編集したテスト",
                "course": two_courses["mine"].pk,
                "lesson": "",
                "intro": rich_text(""),
                "pass_mark": 60,
                "max_attempts": "",
                "time_limit_minutes": "",
                "grace_seconds": 30,
                "review_policy": "immediately",
                "layout": "one_per_page",
                "shuffle_choices": "on",
                "required_for_completion": "on",
                "questions": streamfield(
                    [
                        (
                            "single",
                            {
                                "text": rich_text("<p>問い</p>"),
                                "points": "2",
                                "category": "",
                                "feedback": rich_text(""),
                                "explanation": rich_text(""),
                                "choices": streamfield(
                                    [
                                        ("item", {"text": t, "correct": c, "feedback": ""})
                                        for t, c in choices
                                    ]
                                ),
                            },
                        )
                    ]
                ),
                "draw_rules": inline_formset([]),
            }
        )
        # ListBlock items are posted like stream children; booleans as "on" or absent.
        for key in [k for k in data if k.endswith("-correct")]:
            if data[key] in (False, "False"):
                del data[key]
            else:
                data[key] = "on"
        return client.post(url, data)

    response = post([("A", False), ("B", False)])
    assert response.status_code == 200  # the form again, with the block's message
    assert '<html lang="en"' in response.content.decode()  # holds once Japanese is filled in
    assert "Mark exactly one choice as correct" in response.content.decode()
    response = post([("A", True), ("B", False)])
    assert response.status_code == 302, response.content.decode()[:2000]
    quiz.refresh_from_db()
    assert quiz.title == "編集したテスト"
    (question,) = quiz.question_blocks()
    assert question[1].question_type == "single"


def test_the_quiz_chooser_offers_only_their_courses_quizzes(client, two_courses):
    client.force_login(two_courses["instructor"])
    response = client.get("/admin/snippets/choose/assessments/quiz/")
    assert response.status_code == 200
    html = response.json()["html"]
    assert "私の講座のテスト" in html and "他の講座のテスト" not in html
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get("/admin/snippets/choose/assessments/quiz/").json()["html"]
    assert "私の講座のテスト" in html and "他の講座のテスト" in html


def test_a_quiz_page_sits_in_a_module_and_a_quiz_block_in_a_lesson(two_courses):
    from lms.assessments.models import QuizPage
    from lms.courses.blocks import LessonBlock
    from lms.courses.models import ModulePage

    assert QuizPage in ModulePage.allowed_subpage_models()
    assert QuizPage.allowed_parent_page_models() == [ModulePage]
    quiz_block = LessonBlock().child_blocks["quiz"]
    assert quiz_block.child_blocks["quiz"].target_model is Quiz


def test_an_instructor_adds_a_quiz_page_to_their_module(client, two_courses):
    from wagtail.test.utils.form_data import nested_form_data

    from lms.assessments.models import QuizPage
    from lms.courses.models import ModulePage

    module = ModulePage.objects.child_of(two_courses["mine"]).first()
    client.force_login(two_courses["instructor"])
    add = f"/admin/pages/add/assessments/quizpage/{module.pk}/"
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        nested_form_data(
            {"title": "他講座のテスト", "slug": "other-quiz", "quiz": two_courses["their_quiz"].pk}
        ),
    )
    assert response.status_code == 200
    assert "Choose a quiz of this course." in response.content.decode()
    assert not QuizPage.objects.filter(slug="other-quiz").exists()
    response = client.post(
        add,
        nested_form_data(
            {
                "title": "単元のまとめテスト",
                "slug": "summary-quiz",
                "quiz": two_courses["my_quiz"].pk,
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    page = QuizPage.objects.get(slug="summary-quiz")
    assert page.quiz == two_courses["my_quiz"] and page.get_parent().pk == module.pk
