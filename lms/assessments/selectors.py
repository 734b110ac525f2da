"""Reads for assessments: a trainee's attempts and a quiz's status for them.

The attempt page and the submit request cost a fixed number of queries whatever the
number of questions (the answers, with their snapshots, come in one query).
"""

from dataclasses import dataclass, field

from django.utils import timezone

from . import grading
from .models import Answer, Attempt, Quiz


def attempt_of_user(user, attempt_id) -> Attempt | None:
    """The attempt if it is ``user``'s own (anyone else's is None: a 404 in the views)."""
    if not user.is_authenticated:
        return None
    return (
        Attempt.objects.select_related("quiz", "quiz__lesson")
        .filter(pk=attempt_id, user=user)
        .first()
    )


def attempt_answers(attempt: Attempt) -> list[Answer]:
    """The answers of an attempt in the order shown (one query)."""
    return list(Answer.objects.filter(attempt=attempt).order_by("position"))


@dataclass
class QuestionView:
    """What a template may show of one question of an attempt.

    ``question`` is the public part only (``grading.public_question``) unless the review
    is allowed, when it is the full snapshot (the corrected one after a regrade).
    """

    position: int
    question: dict
    response: dict
    answered: bool
    answer: Answer
    review: bool = False
    items: list = field(default_factory=list)  # ordering: items in the trainee's current order

    @property
    def unreadable_number(self) -> bool:
        """A numeric answer that cannot be read as a number (it would score 0)."""
        value = self.response.get("value") if self.question.get("type") == "numeric" else None
        return bool(value) and grading.parse_number(value) is None


def question_views(answers: list[Answer], *, review: bool) -> list[QuestionView]:
    views = []
    for answer in answers:
        if review:
            question = dict(answer.grading_question)
            shown = answer.question
            question["text"] = shown.get("text", question.get("text", ""))
        else:
            question = grading.public_question(answer.question)
        response = answer.response or {}
        items = []
        if question.get("type") == "ordering":
            by_id = {str(item["id"]): item for item in question.get("items") or ()}
            if review:
                display = answer.question.get("display_order") or list(by_id)
            else:
                display = question.get("display_order") or list(by_id)
            # In the review, no answer is no order (not the order first shown).
            order = response.get("order") or ([] if review else display)
            items = [by_id[item_id] for item_id in order if item_id in by_id]
        views.append(
            QuestionView(
                position=answer.position,
                question=question,
                response=response,
                answered=answer.is_answered,
                answer=answer,
                review=review,
                items=items,
            )
        )
    return views


@dataclass
class QuizStatus:
    """A trainee's standing on a quiz: what the start page and the lesson block show."""

    quiz: Quiz
    enrolled: bool = False
    attempts: list = field(default_factory=list)
    open_attempt: Attempt | None = None
    attempts_left: int | None = None  # None: unlimited
    best: Attempt | None = None
    can_start: bool = False
    reason: str = ""

    @property
    def passed(self) -> bool:
        return any(attempt.passed for attempt in self.attempts)


def quiz_status(user, quiz: Quiz, now=None) -> QuizStatus:
    """Whether ``user`` may start (or resume) ``quiz``, with their attempts (two queries)."""
    from django.utils.translation import gettext as _

    from lms.courses.models import Enrollment

    now = now or timezone.now()
    status = QuizStatus(quiz=quiz)
    if not user.is_authenticated:
        status.reason = _("Log in and enroll in the course to take this quiz.")
        return status
    enrollment = Enrollment.objects.filter(user=user, course_id=quiz.course_id).first()
    status.enrolled = enrollment is not None and enrollment.is_active
    status.attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))
    status.open_attempt = next((a for a in status.attempts if a.is_open), None)
    graded = [a for a in status.attempts if a.percentage is not None]
    status.best = max(graded, key=lambda a: a.percentage) if graded else None
    if quiz.max_attempts is not None:
        status.attempts_left = max(0, quiz.max_attempts - len(status.attempts))
    if not status.enrolled:
        status.reason = _("Enroll in the course to take this quiz.")
    elif status.open_attempt is not None:
        status.can_start = True
    elif quiz.opens_at and now < quiz.opens_at:
        status.reason = _("This quiz is not open yet.")
    elif quiz.closes_at and now >= quiz.closes_at:
        status.reason = _("This quiz has closed.")
    elif status.attempts_left == 0:
        status.reason = _("You have used all your attempts at this quiz.")
    else:
        status.can_start = True
    return status


def quiz_pages_of(course) -> list:
    """The live quiz pages in a course's modules, in the tree's order (one query)."""
    from .models import QuizPage

    return list(
        QuizPage.objects.live().descendant_of(course).select_related("quiz").order_by("path")
    )


def best_results(user, quiz_ids) -> dict:
    """For each quiz: {"passed": bool, "best": Decimal | None, "count": n} (one query)."""
    results = {}
    if not user.is_authenticated or not quiz_ids:
        return results
    attempts = Attempt.objects.filter(user=user, quiz_id__in=quiz_ids).only(
        "quiz_id", "passed", "percentage"
    )
    for attempt in attempts:
        result = results.setdefault(attempt.quiz_id, {"passed": False, "best": None, "count": 0})
        result["count"] += 1
        result["passed"] = result["passed"] or bool(attempt.passed)
        if attempt.percentage is not None and (
            result["best"] is None or attempt.percentage > result["best"]
        ):
            result["best"] = attempt.percentage
    return results
