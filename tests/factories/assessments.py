"""Build quizzes quickly: questions of every type in the StreamField's stored form.

Question ids, choice ids and item ids are given (not random) so tests can name them.
"""

import json

from lms.assessments.models import QuestionCategory, Quiz, QuizDrawRule
from lms.courses import services as course_services
from tests.factories.accounts import TraineeFactory


def _choices(prefix, choices):
    return [
        {
            "type": "item",
            "id": f"{prefix}-{index}",
            "value": {"text": text, "correct": correct, "feedback": feedback},
        }
        for index, (text, correct, feedback) in enumerate(choices, start=1)
    ]


def _common(text, points, category, feedback, explanation):
    return {
        "text": f"<p>{text}</p>",
        "points": str(points),
        "category": category.pk if category else None,
        "feedback": f"<p>{feedback}</p>" if feedback else "",
        "explanation": f"<p>{explanation}</p>" if explanation else "",
    }


def single(
    qid,
    text="地域の資源を見つける最初の一歩は？",
    *,
    choices=None,
    points=1,
    category=None,
    feedback="",
    explanation="",
):
    choices = choices or [
        ("住民に話を聞く", True, "その通り、まず聞くことから。"),
        ("予算を確保する", False, "予算は後からでも。"),
        ("看板を立てる", False, ""),
    ]
    return {
        "type": "single",
        "id": qid,
        "value": {
            **_common(text, points, category, feedback, explanation),
            "choices": _choices(qid, choices),
        },
    }


def multiple(
    qid,
    text="地域資源に当たるものをすべて選んでください。",
    *,
    choices=None,
    points=2,
    scoring="all_or_nothing",
    category=None,
    feedback="",
    explanation="",
):
    choices = choices or [
        ("空き家", True, "活用できる資源です。"),
        ("棚田", True, ""),
        ("渋滞", False, "課題ではあっても資源ではありません。"),
        ("祭り", True, ""),
    ]
    return {
        "type": "multiple",
        "id": qid,
        "value": {
            **_common(text, points, category, feedback, explanation),
            "choices": _choices(qid, choices),
            "scoring": scoring,
        },
    }


def true_false(
    qid,
    text="ワークショップは一度で終えるのがよい。",
    *,
    answer="false",
    points=1,
    category=None,
    feedback="",
    explanation="",
):
    return {
        "type": "true_false",
        "id": qid,
        "value": {
            **_common(text, points, category, feedback, explanation),
            "answer": answer,
            "feedback_true": "繰り返すことで関係が深まります。",
            "feedback_false": "",
        },
    }


def short_answer(
    qid,
    text="空き家を活用した住まいの制度を何と呼びますか。",
    *,
    answers=("空き家バンク",),
    kana_insensitive=True,
    points=1,
    category=None,
    feedback="",
    explanation="",
):
    return {
        "type": "short_answer",
        "id": qid,
        "value": {
            **_common(text, points, category, feedback, explanation),
            "accepted_answers": [
                {"type": "item", "id": f"{qid}-a{i}", "value": a} for i, a in enumerate(answers)
            ],
            "kana_insensitive": kana_insensitive,
        },
    }


def numeric(
    qid,
    text="人口1,000人の町で高齢化率が35%のとき、高齢者は何人ですか。",
    *,
    answer="350",
    tolerance="0",
    unit="人",
    points=1,
    category=None,
    feedback="",
    explanation="",
):
    return {
        "type": "numeric",
        "id": qid,
        "value": {
            **_common(text, points, category, feedback, explanation),
            "answer": answer,
            "tolerance": tolerance,
            "unit": unit,
        },
    }


def ordering(
    qid,
    text="事業の進め方を順に並べてください。",
    *,
    items=("調査", "企画", "実行", "評価"),
    scoring="all_or_nothing",
    points=2,
    category=None,
    feedback="",
    explanation="",
):
    return {
        "type": "ordering",
        "id": qid,
        "value": {
            **_common(text, points, category, feedback, explanation),
            "items": [
                {"type": "item", "id": f"{qid}-i{n}", "value": item}
                for n, item in enumerate(items, start=1)
            ],
            "scoring": scoring,
        },
    }


def essay(
    qid,
    text="あなたの地域の資源を一つ挙げ、活かし方を書いてください。",
    *,
    points=5,
    category=None,
    feedback="",
    explanation="",
):
    return {
        "type": "essay",
        "id": qid,
        "value": {
            **_common(text, points, category, feedback, explanation),
            "rubric": "<p>資源を具体的に挙げ、関わる人と手順が書けている。</p>",
        },
    }


def every_type():
    """One question of each automatically graded type, and an essay."""
    return [
        single("q-single", explanation="聞き取りが出発点です。", feedback="地域を知ることから。"),
        multiple("q-multiple"),
        true_false("q-tf"),
        short_answer("q-short"),
        numeric("q-numeric"),
        ordering("q-ordering"),
        essay("q-essay"),
    ]


def make_quiz(course, *, questions=None, title="確認テスト", draw=None, **settings) -> Quiz:
    """A quiz of ``course`` with the given raw questions (default: one single choice)."""
    settings.setdefault("shuffle_choices", False)
    questions = questions if questions is not None else [single("q1")]
    quiz = Quiz(title=title, course=course, questions=json.dumps(questions), **settings)
    quiz.save()
    for category, count in (draw or {}).items():
        QuizDrawRule.objects.create(quiz=quiz, category=category, count=count)
    return Quiz.objects.get(pk=quiz.pk)


def category(name="基礎", slug="basics") -> QuestionCategory:
    return QuestionCategory.objects.create(name=name, slug=slug)


def enrolled_trainee(course, **fields):
    """A trainee actively enrolled in ``course``."""
    trainee = TraineeFactory(**fields)
    course_services.enrollment_create(user=trainee, course=course)
    return trainee
