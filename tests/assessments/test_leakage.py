"""No correct-answer data in any page or JSON of an open attempt."""

import json

import pytest

from lms.assessments import services
from lms.assessments.models import Answer
from tests.factories import assessments as qf
from tests.factories.courses import course_tree

pytestmark = pytest.mark.django_db

SECRETS = [
    "FB-CHOICE-RIGHT",
    "FB-CHOICE-WRONG",
    "FB-GENERAL",
    "EXPLAIN-SECRET",
    "ACCEPTED-SECRET",
    "4217.5",
    "0.25",
    "RUBRIC-SECRET",
    "TF-FEEDBACK",
]


def _questions():
    choices = [("はい", True, "FB-CHOICE-RIGHT"), ("いいえ", False, "FB-CHOICE-WRONG")]
    extra = {"feedback": "FB-GENERAL", "explanation": "EXPLAIN-SECRET"}
    essay = qf.essay("e", **extra)
    essay["value"]["rubric"] = "<p>RUBRIC-SECRET</p>"
    tf = qf.true_false("t", **extra)
    tf["value"]["feedback_true"] = tf["value"]["feedback_false"] = "TF-FEEDBACK"
    return [
        qf.single("s", choices=choices, **extra),
        qf.multiple("m", choices=[*choices, ("たぶん", True, "FB-CHOICE-RIGHT")], **extra),
        tf,
        qf.short_answer("a", answers=("ACCEPTED-SECRET",), **extra),
        qf.numeric("n", answer="4217.5", tolerance="0.25", **extra),
        qf.ordering("o", items=("一", "二", "三", "四", "五"), **extra),
        essay,
    ]


@pytest.mark.parametrize("layout", ["one_per_page", "all_on_one_page"])
def test_open_attempt_pages_and_json_hold_no_answers(client, site_tree, layout):
    course = course_tree(site_tree, slug="leak", lessons=1)
    quiz = qf.make_quiz(course, questions=_questions(), layout=layout, time_limit_minutes=30)
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    base = f"/quizzes/attempts/{attempt.pk}/"
    pages = [client.get(f"/quizzes/{quiz.pk}/"), client.get(f"{base}finish/")]
    if layout == "one_per_page":
        pages += [client.get(f"{base}?page={n}") for n in range(1, 8)]
    else:
        pages.append(client.get(base))
    version = attempt.version
    for position, response in ((1, {"s-choice": "s-1"}), (6, {"o-order": []})):
        fields = {f"q{position}-{key.split('-', 1)[1]}": value for key, value in response.items()}
        reply = client.post(f"{base}save/", {"version": version, "positions": position, **fields})
        assert reply.status_code == 200
        version = reply.json()["version"]
        pages.append(reply)
    stale = client.post(f"{base}save/", {"version": 1, "positions": 1, "q1-choice": "s-2"})
    assert stale.status_code == 409
    pages.append(stale)

    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200 or page is stale
        for secret in SECRETS:
            assert secret not in body, (secret, page.request["PATH_INFO"])
        assert '"correct"' not in body and "is-correct" not in body
        if page["Content-Type"].startswith("application/json"):
            payload = json.loads(body)
            assert set(payload) <= {
                "ok",
                "version",
                "saved_at",
                "message",
                "warning",
                "stale",
                "error",
            }

    # Ordering items are shown in the shuffled order, never in the correct one.
    ordering = Answer.objects.get(attempt=attempt, question_id="o").question
    html = (
        client.get(f"{base}?page=6").content.decode()
        if layout == "one_per_page"
        else client.get(base).content.decode()
    )
    shown = [item for item in ordering["display_order"]]
    positions = [html.index(f'name="q6-order" value="{item}"') for item in shown]
    assert positions == sorted(positions)
    assert shown != [item["id"] for item in ordering["items"]]


def test_result_page_hides_answers_when_the_policy_says_never(client, site_tree):
    course = course_tree(site_tree, slug="leak", lessons=1)
    quiz = qf.make_quiz(course, questions=_questions(), review_policy="never")
    trainee = qf.enrolled_trainee(course)
    attempt = services.attempt_start(quiz=quiz, user=trainee)
    services.attempt_submit(attempt=attempt)
    client.force_login(trainee)
    body = client.get(f"/quizzes/attempts/{attempt.pk}/result/").content.decode()
    for secret in SECRETS:
        assert secret not in body
