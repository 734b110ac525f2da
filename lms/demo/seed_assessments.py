"""Demo quizzes (確認テスト) in the demo course, and a few attempts to look at.

* 単元1: a quiz inside the lesson 「地域プロデューサーの役割」 (the lesson's quiz block; passing
  it completes the lesson), with single and multiple choice, true/false, short answer
  (hiragana and katakana treated alike), numeric and ordering questions.
* 単元2: a quiz page of its own in the module 「空き家を住まいに、事務所を居場所に」, with an
  essay question graded by the instructor against a rubric.
* Two demo trainees (``trainee2@`` and ``trainee3@example.com``, the demo password) take
  both through the application's services: the statistics page has figures, the grading
  queue has an essay waiting, and one essay is already graded with a comment. The main
  demo trainee (``trainee@example.com``) is left untouched, so her journey starts fresh.

Idempotent like the rest of ``lms.demo``: a quiz is found through its lesson or its page
before anything is created, and attempts are made only for a trainee who has none.
"""

import uuid
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from lms.accounts import roles
from lms.accounts.services import user_assign_role
from lms.assessments import services
from lms.assessments.models import Answer, Attempt, Quiz, QuizPage
from lms.courses.models import CoursePage, Enrollment, LessonPage, ModulePage
from lms.courses.services import enrollment_create

from .common import publish
from .content import DEMO_PASSWORD

COURSE_SLUG = "regional-producer-basics"
LESSON_SLUG = "lesson-03-regional-producer-role"
MODULE_SLUG = "module-02-housing-and-salon"
QUIZ_PAGE_SLUG = "module-02-quiz"
INSTRUCTOR_EMAIL = "instructor@example.com"
NAMESPACE = uuid.UUID("6f1c1d2e-1c55-4c43-9d0e-2f6a3f0a8b10")

DEMO_TRAINEES = [
    {
        "email": "trainee2@example.com",
        "last_name": "井上",
        "first_name": "さくら",
        "last_name_kana": "いのうえ",
        "first_name_kana": "さくら",
    },
    {
        "email": "trainee3@example.com",
        "last_name": "小林",
        "first_name": "大輔",
        "last_name_kana": "こばやし",
        "first_name_kana": "だいすけ",
    },
]


def _id(*parts) -> str:
    """A stable id for a question, choice or item: the same on every database."""
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def _question(kind, key, text, points, **value):
    value.setdefault("feedback", "")
    value.setdefault("explanation", "")
    return {
        "type": kind,
        "id": _id(key),
        "value": {"text": text, "points": str(points), "category": None, **value},
    }


def _choices(key, *choices):
    """(text, correct, feedback) → ListBlock items with stable ids ``key:1``, ``key:2``…"""
    return [
        {
            "type": "item",
            "id": _id(key, str(n)),
            "value": {"text": text, "correct": correct, "feedback": feedback},
        }
        for n, (text, correct, feedback) in enumerate(choices, start=1)
    ]


def _items(key, *texts):
    return [
        {"type": "item", "id": _id(key, str(n)), "value": text}
        for n, text in enumerate(texts, start=1)
    ]


# --- 単元1: the lesson's quiz ------------------------------------------------------------------
LESSON_QUIZ = {
    "title": "単元1 確認テスト：100年コミュニティと地域プロデューサー",
    "intro": (
        "<p>単元1の内容をふりかえる確認テストです。全6問、制限時間は15分です。"
        "70%以上で合格となり、このレッスンが完了します。</p>"
    ),
    "pass_mark": 70,
    "max_attempts": 3,
    "time_limit_minutes": 15,
    "review_policy": "immediately",
    "layout": "one_per_page",
    "questions": [
        _question(
            "single",
            "u1-q1",
            "<p>「100年コミュニティ」の「100年」が表しているものはどれですか。</p>",
            2,
            choices=_choices(
                "u1-q1",
                ("三つの世代にわたって受け継がれていく暮らしの場", True, "そのとおりです。"),
                ("建物の耐用年数", False, "建物や事業の寿命を指しているのではありません。"),
                ("事業計画の期間", False, "事業の期間ではなく、暮らしの場の続き方を表します。"),
                ("協会が設立されてからの年数", False, "協会の設立は1999年です。"),
            ),
            explanation=(
                "<p>親から子へ、子から孫へと受け継がれ、守られていく暮らしの場を表しています。</p>"
            ),
        ),
        _question(
            "true_false",
            "u1-q2",
            "<p>コミュニティネットワーク協会は1999年に設立された。</p>",
            1,
            answer="true",
            feedback_true="正解です。",
            feedback_false="協会は1999年に設立されました。",
            explanation=(
                "<p>阪神・淡路大震災の被災者支援をきっかけに、"
                "神戸で在宅医療に取り組んできた医療チームが中心になりました。</p>"
            ),
        ),
        _question(
            "multiple",
            "u1-q3",
            "<p>100年コミュニティで、住まいとあわせて整えるものをすべて選んでください。</p>",
            2,
            scoring="proportional",
            choices=_choices(
                "u1-q3",
                ("一人ひとりの自立を支える仕組み", True, ""),
                ("地域の文化が育つ交流の場", True, ""),
                ("大規模な商業施設", False, "商業施設はこの考え方の柱ではありません。"),
                ("分野ごとに分かれた相談窓口", False, "分かれた暮らしをつなぎ直すのがねらいです。"),
            ),
            feedback="<p>正しい選択肢を選ぶと加点、誤った選択肢を選ぶと減点されます。</p>",
        ),
        _question(
            "short_answer",
            "u1-q4",
            (
                "<p>世代の違う人を同じ建物に集めるだけでは交流は生まれません。"
                "顔を合わせる何を意図して用意することが、地域プロデューサーの仕事ですか。"
                "ひらがな4文字で答えてください。</p>"
            ),
            2,
            accepted_answers=_items("u1-q4", "きっかけ"),
            kana_insensitive=True,
            explanation=(
                "<p>共用の台所や食堂、季節の行事、小さな役割分担などが「きっかけ」になります。</p>"
            ),
        ),
        _question(
            "numeric",
            "u1-q5",
            "<p>100年コミュニティは、いくつの世代にわたって受け継がれる暮らしの場を目指していますか。</p>",
            1,
            answer="3",
            tolerance="0",
            unit="世代",
        ),
        _question(
            "ordering",
            "u1-q6",
            (
                "<p>この講座で学ぶ、地域プロデューサーの仕事の進め方を順に並べてください"
                "（単元4・5の内容です）。</p>"
            ),
            2,
            scoring="proportional",
            items=_items(
                "u1-q6",
                "「ひと・もの・かね」の地図をつくる",
                "住民の声を聴く",
                "住民・行政・企業・NPOの合意をつくる",
                "続けられる事業にする",
            ),
            feedback="<p>正しい位置にある項目の割合に応じて得点します。</p>",
        ),
    ],
}

# --- 単元2: a quiz page with an essay ------------------------------------------------------------
PAGE_QUIZ = {
    "title": "単元2 確認テスト：空き家と居場所づくり",
    "page_title": "単元2 確認テスト",
    "intro": (
        "<p>空き家を住まいに、事務所を居場所にする取り組みについての確認テストです。"
        "最後の記述問題は講師が採点し、コメントをお返しします。</p>"
    ),
    "pass_mark": 60,
    "max_attempts": None,
    "time_limit_minutes": None,
    "review_policy": "immediately",
    "layout": "all_on_one_page",
    "questions": [
        _question(
            "single",
            "u2-q1",
            "<p>セーフティネット住宅とは、どのような住宅ですか。</p>",
            2,
            choices=_choices(
                "u2-q1",
                (
                    "住まいの確保に配慮が必要な人の入居を拒まない賃貸住宅",
                    True,
                    "そのとおりです。",
                ),
                ("災害のときだけ使う仮設住宅", False, ""),
                ("高齢者だけが入居できる介護施設", False, ""),
                ("自治体が無料で貸す公営住宅", False, ""),
            ),
        ),
        _question(
            "true_false",
            "u2-q2",
            "<p>居住支援法人は、市区町村から指定を受けた法人である。</p>",
            1,
            answer="false",
            feedback_true="居住支援法人を指定するのは都道府県です。",
            feedback_false="正解です。指定するのは都道府県です。",
        ),
        _question(
            "multiple",
            "u2-q3",
            "<p>居住支援で行うことをすべて選んでください。</p>",
            2,
            scoring="all_or_nothing",
            choices=_choices(
                "u2-q3",
                ("入居前の相談と、内見への付き添い", True, ""),
                ("入居後の見守りと定期的な訪問", True, ""),
                ("大家さんからの連絡を受ける窓口になること", True, ""),
                (
                    "入居者の個人的な事情を近所の人に知らせること",
                    False,
                    "本人の了解なく伝えてはいけません。",
                ),
            ),
        ),
        _question(
            "short_answer",
            "u2-q4",
            "<p>東京23区の中で、空き家の割合が最も高い区はどこですか。</p>",
            1,
            accepted_answers=_items("u2-q4", "豊島区", "豊島", "としま区", "としま"),
            kana_insensitive=True,
        ),
        _question(
            "essay",
            "u2-q5",
            (
                "<p>あなたの地域で、空き家や使われていない建物を一つ思い浮かべ、"
                "住まいや居場所として生かす案を200字程度で書いてください。"
                "持ち主（大家さん）の不安にどう応えるかにも触れてください。</p>"
            ),
            10,
            rubric=(
                "<ul><li>建物と地域の状況が具体的に書かれている（3点）</li>"
                "<li>誰のための住まい・居場所かがはっきりしている（3点）</li>"
                "<li>大家さんの不安（家賃、見守り、退去時の片付けなど）への対応がある（4点）</li></ul>"
            ),
        ),
    ],
}

# Responses of the demo trainees: question key → response (ids resolved below).
DEMO_RESPONSES = {
    "trainee2@example.com": {
        "lesson": {
            "u1-q1": ("choice", "u1-q1:1"),
            "u1-q2": ("choice", "true"),
            "u1-q3": ("choices", ["u1-q3:1", "u1-q3:2"]),
            "u1-q4": ("text", "キッカケ"),
            "u1-q5": ("value", "３"),
            "u1-q6": ("order", ["u1-q6:1", "u1-q6:2", "u1-q6:3", "u1-q6:4"]),
        },
        "page": {
            "u2-q1": ("choice", "u2-q1:1"),
            "u2-q2": ("choice", "false"),
            "u2-q3": ("choices", ["u2-q3:1", "u2-q3:2", "u2-q3:3"]),
            "u2-q4": ("text", "豊島区"),
            "u2-q5": (
                "text",
                "駅から徒歩10分の商店街に、2年前から空いている元文具店があります。1階を子どもと"
                "高齢者が立ち寄れる居場所に、2階を単身の高齢者向けのシェアハウスにする案です。"
                "大家さんには、居住支援法人として家賃の相談と見守りを引き受け、困ったときの連絡先を"
                "はっきりさせることで、不安に応えたいと考えます。",
            ),
        },
    },
    "trainee3@example.com": {
        "lesson": {
            "u1-q1": ("choice", "u1-q1:2"),
            "u1-q2": ("choice", "true"),
            "u1-q3": ("choices", ["u1-q3:1", "u1-q3:4"]),
            "u1-q4": ("text", "ばしょ"),
            "u1-q5": ("value", "3"),
            "u1-q6": ("order", ["u1-q6:2", "u1-q6:1", "u1-q6:3", "u1-q6:4"]),
        },
        "page": {
            "u2-q1": ("choice", "u2-q1:1"),
            "u2-q2": ("choice", "true"),
            "u2-q3": ("choices", ["u2-q3:1", "u2-q3:2"]),
            "u2-q4": ("text", "ﾄｼﾏｸ"),
            "u2-q5": (
                "text",
                "実家の近くにある空き家を、地域の集会所として使えるようにしたいです。"
                "みんなが集まれる場所になればよいと思います。",
            ),
        },
    },
}
# The demo instructor has already graded trainee3's essay.
GRADED_ESSAY = {
    "email": "trainee3@example.com",
    "score": Decimal("4"),
    "comment": (
        "集会所というアイデアはよいと思います。誰が使うのか、大家さんの不安にどう応えるのかを"
        "もう少し具体的に書いてみましょう。"
    ),
}


def _resolve(value):
    """``"u1-q1:2"`` → the stable choice/item id; ``"true"`` and text stay as they are."""
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if isinstance(value, str) and ":" in value and value.split(":")[0].startswith("u"):
        return _id(*value.split(":"))
    return value


def _quiz(spec, *, course, lesson=None) -> Quiz:
    quiz = Quiz(
        title=spec["title"],
        course=course,
        lesson=lesson,
        intro=spec["intro"],
        pass_mark=spec["pass_mark"],
        max_attempts=spec["max_attempts"],
        time_limit_minutes=spec["time_limit_minutes"],
        review_policy=spec["review_policy"],
        layout=spec["layout"],
        shuffle_choices=True,
        required_for_completion=True,
        questions=spec["questions"],
    )
    quiz.full_clean()
    quiz.save()
    return quiz


def _lesson_quiz(course, log) -> Quiz | None:
    lesson = LessonPage.objects.descendant_of(course).filter(slug=LESSON_SLUG).first()
    if lesson is None:
        log(f"no lesson {LESSON_SLUG}: the lesson quiz is skipped")
        return None
    quiz = Quiz.objects.filter(lesson=lesson).order_by("pk").first()
    if quiz is None:
        quiz = _quiz(LESSON_QUIZ, course=course, lesson=lesson)
        log("created the quiz of the lesson 地域プロデューサーの役割")
    has_block = any(
        block.block_type == "quiz" and getattr(block.value.get("quiz"), "pk", None) == quiz.pk
        for block in lesson.body
    )
    if not has_block:
        lesson.body.append(("quiz", {"quiz": quiz}))
        publish(lesson)
        log("placed the quiz in the lesson 地域プロデューサーの役割")
    return quiz


def _page_quiz(course, log) -> Quiz | None:
    module = ModulePage.objects.child_of(course).filter(slug=MODULE_SLUG).first()
    if module is None:
        log(f"no module {MODULE_SLUG}: the quiz page is skipped")
        return None
    page = QuizPage.objects.child_of(module).filter(slug=QUIZ_PAGE_SLUG).first()
    if page is not None:
        return page.quiz
    quiz = Quiz.objects.filter(course=course, title=PAGE_QUIZ["title"]).first()
    if quiz is None:
        quiz = _quiz(PAGE_QUIZ, course=course)
        log("created the quiz of module 2")
    page = QuizPage(
        title=PAGE_QUIZ["page_title"],
        slug=QUIZ_PAGE_SLUG,
        locale=module.locale,
        quiz=quiz,
        listing_summary="空き家と居場所づくりについての確認テスト（記述問題あり）。",
    )
    module.add_child(instance=page)
    publish(page)
    log("created the quiz page of module 2")
    return quiz


def _trainee(spec):
    User = get_user_model()
    user = User.objects.filter(email=spec["email"]).first()
    if user is None:
        user = User(**spec)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user_assign_role(user=user, role=roles.TRAINEES)
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user


def _take(quiz, user, plan) -> Attempt:
    attempt = services.attempt_start(quiz=quiz, user=user)
    positions = {answer.question_id: answer.position for answer in attempt.answers.all()}
    responses = {}
    for key, (field, value) in plan.items():
        question_id = _id(key)
        if question_id in positions:
            responses[positions[question_id]] = {field: _resolve(value)}
    attempt = services.answers_save(attempt=attempt, responses=responses, version=attempt.version)
    return services.attempt_submit(attempt=attempt)


def _demo_attempts(course, quizzes, log) -> None:
    instructor = get_user_model().objects.filter(email=INSTRUCTOR_EMAIL).first()
    for spec in DEMO_TRAINEES:
        user = _trainee(spec)
        enrollment = Enrollment.objects.filter(user=user, course=course).first()
        if enrollment is None:
            enrollment = enrollment_create(user=user, course=course)
        if not enrollment.is_active:
            log(f"{spec['email']} is not active in the demo course: no demo attempts")
            continue
        plans = DEMO_RESPONSES[spec["email"]]
        for name, quiz in quizzes.items():
            if quiz is None or Attempt.objects.filter(quiz=quiz, user=user).exists():
                continue
            attempt = _take(quiz, user, plans[name])
            log(f"{spec['email']} took the quiz {quiz.title}")
            if spec["email"] == GRADED_ESSAY["email"] and instructor is not None:
                for answer in Answer.objects.filter(attempt=attempt, needs_manual=True):
                    services.answer_grade_manually(
                        answer=answer,
                        actor=instructor,
                        score=GRADED_ESSAY["score"],
                        comment=GRADED_ESSAY["comment"],
                    )


@transaction.atomic
def seed_assessments(*, log=print) -> None:
    """Seed the demo quizzes in the demo course (after ``seed_courses``)."""
    course = CoursePage.objects.filter(slug=COURSE_SLUG, locale__language_code="ja").first()
    if course is None:
        log(f"no course {COURSE_SLUG}: the demo quizzes are skipped")
        return
    quizzes = {"lesson": _lesson_quiz(course, log), "page": _page_quiz(course, log)}
    _demo_attempts(course, quizzes, log)
