"""Writes for assessments: starting, answering and submitting attempts; grading by hand,
overrides and regrades.

Rules held here (and, where it can, by the database):
- an attempt freezes the questions it drew (``Answer.question``), so editing a quiz never
  rewrites history;
- starting is serialised per trainee by locking their enrollment row, and attempt numbers
  are unique per trainee and quiz (a constraint), as is the one attempt in progress; a
  second start resumes the open attempt instead of making another;
- every save increases the attempt's ``version``; a save made from an older page (the
  version it last saw is not the current one) is refused, so a stale tab never overwrites
  a newer answer;
- the server enforces the time limit: after the limit plus the grace period a save is
  refused and the attempt is closed and graded with what was saved;
- submitting locks the attempt row: a second submit (double click, two tabs, a replayed
  request) returns the same result instead of grading again;
- every score a person changes is recorded in ``ScoreChange`` (append-only) and in
  Wagtail's log.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from lms.courses.models import Enrollment
from lms.courses.signals import completion_inputs_changed_send

from . import grading
from .models import Answer, Attempt, Quiz, ScoreChange

Status = Attempt.Status

LOG_MANUAL_GRADE = "assessments.manual_grade"
LOG_OVERRIDE = "assessments.override"
LOG_REGRADE = "assessments.regrade"
#: One per attempt whose result a regrade changed, in that attempt's own history.
LOG_ATTEMPT_REGRADE = "assessments.regrade.attempt"

MAX_TEXT_LENGTH = 10_000
MAX_SHORT_LENGTH = 500


class AttemptError(ValidationError):
    """A request about an attempt that cannot be granted; the message says why."""


class StaleAnswerError(AttemptError):
    """A save from a page older than the attempt's last save."""


class AttemptClosedError(AttemptError):
    """A save to an attempt that is submitted or past its time limit."""


# --- Starting ---------------------------------------------------------------------------------
def _draw(quiz: Quiz, rng: random.Random) -> list[dict]:
    """The questions of a new attempt as snapshots: drawn, in authored order, choices shuffled."""
    questions = quiz.question_blocks()
    rules = {rule.category_id: rule.count for rule in quiz.draw_rules.all()}
    by_category = defaultdict(list)
    for index, (_id, _block, value) in enumerate(questions):
        category = value.get("category")
        by_category[category.pk if category else None].append(index)
    chosen = set()
    for key, indexes in by_category.items():
        if key is not None and key in rules:
            chosen.update(rng.sample(indexes, min(rules[key], len(indexes))))
        else:
            chosen.update(indexes)
    snapshots = []
    for index in sorted(chosen):
        block_id, block, value = questions[index]
        category = value.get("category")
        snapshot = block.snapshot(
            value, block_id=block_id, category_slug=category.slug if category else ""
        )
        if quiz.shuffle_choices and snapshot["type"] in ("single", "multiple"):
            rng.shuffle(snapshot["choices"])
        if snapshot["type"] == "ordering":
            # Always shown shuffled (never already in the right order when that is possible).
            order = list(snapshot["display_order"])
            correct = list(order)
            for _try in range(10):
                rng.shuffle(order)
                if order != correct or len(order) < 2:
                    break
            snapshot["display_order"] = order
        snapshots.append(snapshot)
    return snapshots


def _deadlines(quiz: Quiz, now):
    deadline = now + quiz.time_limit if quiz.time_limit else None
    if quiz.closes_at and (deadline is None or quiz.closes_at < deadline):
        deadline = quiz.closes_at
    if deadline is None:
        return None, None
    return deadline, deadline + datetime.timedelta(seconds=quiz.grace_seconds)


def attempt_start(*, quiz: Quiz, user, now=None) -> Attempt:
    """Start an attempt, or resume the one in progress.

    Refused (with a message) unless the trainee is enrolled and active in the quiz's
    course, the quiz is open, and attempts are left.
    """
    now = now or timezone.now()
    enrollment = Enrollment.objects.filter(user=user, course_id=quiz.course_id).first()
    if enrollment is None or not enrollment.is_active:
        raise AttemptError(_("Enroll in the course to take this quiz."))
    attempt_expire_overdue(quiz=quiz, user=user, now=now)
    try:
        with transaction.atomic():
            # Serialises this trainee's starts: a parallel request waits here, then resumes.
            Enrollment.objects.select_for_update().get(pk=enrollment.pk)
            current = Attempt.objects.filter(
                quiz=quiz, user=user, status=Status.IN_PROGRESS
            ).first()
            if current is not None:
                return current
            if quiz.opens_at and now < quiz.opens_at:
                raise AttemptError(_("This quiz is not open yet."))
            if quiz.closes_at and now >= quiz.closes_at:
                raise AttemptError(_("This quiz has closed."))
            taken = Attempt.objects.filter(quiz=quiz, user=user).aggregate(last=Max("number"))
            last = taken["last"] or 0
            if quiz.max_attempts is not None and last >= quiz.max_attempts:
                raise AttemptError(_("You have used all your attempts at this quiz."))
            snapshots = _draw(quiz, random.SystemRandom())
            if not snapshots:
                raise AttemptError(_("This quiz has no questions yet."))
            deadline, grace_until = _deadlines(quiz, now)
            attempt = Attempt.objects.create(
                quiz=quiz,
                user=user,
                enrollment=enrollment,
                number=last + 1,
                started_at=now,
                deadline_at=deadline,
                grace_until=grace_until,
                max_score=sum((Decimal(s["points"]) for s in snapshots), Decimal(0)),
            )
            Answer.objects.bulk_create(
                Answer(
                    attempt=attempt,
                    position=position,
                    question_id=snapshot["id"],
                    question=snapshot,
                    max_score=Decimal(snapshot["points"]),
                )
                for position, snapshot in enumerate(snapshots, start=1)
            )
    except IntegrityError as exc:  # pragma: no cover - the row lock above prevents it
        raise AttemptError(_("An attempt was started at the same time; please reload.")) from exc
    return attempt


# --- Answering --------------------------------------------------------------------------------
def _choice_ids(question: dict) -> list[str]:
    return [str(choice["id"]) for choice in question.get("choices") or ()]


def clean_response(question: dict, raw) -> dict:
    """A response in the stored shape for this question, or an AttemptError saying what is wrong.

    Empty answers are stored as ``{}``.
    """
    raw = raw if isinstance(raw, dict) else {}
    kind = question.get("type")
    if kind in ("single", "true_false"):
        choice = raw.get("choice")
        if choice in (None, ""):
            return {}
        if str(choice) not in _choice_ids(question):
            raise AttemptError(_("Choose one of the choices given."))
        return {"choice": str(choice)}
    if kind == "multiple":
        picked = raw.get("choices") or []
        if not isinstance(picked, list):
            picked = [picked]
        ids = _choice_ids(question)
        picked = {str(choice) for choice in picked if choice not in (None, "")}
        if picked - set(ids):
            raise AttemptError(_("Choose among the choices given."))
        return {"choices": [choice for choice in ids if choice in picked]} if picked else {}
    if kind in ("short_answer", "essay"):
        text = str(raw.get("text") or "")
        limit = MAX_SHORT_LENGTH if kind == "short_answer" else MAX_TEXT_LENGTH
        if len(text) > limit:
            raise AttemptError(
                _("Your answer is too long: at most %(limit)d characters.") % {"limit": limit}
            )
        return {"text": text} if text.strip() else {}
    if kind == "numeric":
        value = str(raw.get("value") or "").strip()
        if len(value) > 50:
            raise AttemptError(_("Type a number (at most 50 characters)."))
        return {"value": value} if value else {}
    if kind == "ordering":
        order = raw.get("order") or []
        if not order:
            return {}
        ids = [str(item["id"]) for item in question.get("items") or ()]
        order = [str(item) for item in order]
        if sorted(order) != sorted(ids):
            raise AttemptError(_("Put every item in the list in order."))
        return {"order": order}
    return {}


def _lock(attempt_pk) -> Attempt:
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz__lesson", "enrollment")
        .get(pk=attempt_pk)
    )


def answers_save(*, attempt: Attempt, responses: dict, version: int, now=None) -> Attempt:
    """Save the answers to some questions of an attempt (``{position: response}``).

    ``version`` is the attempt's version the page was showing. Returns the attempt with
    its new version. Raises StaleAnswerError for an older version, AttemptClosedError when
    the attempt is submitted or past its time limit (which also closes and grades it).
    """
    now = now or timezone.now()
    timed_out = False
    with transaction.atomic():
        locked = _lock(attempt.pk)
        if locked.status != Status.IN_PROGRESS:
            raise AttemptClosedError(
                _("This attempt has been submitted; answers can no longer be changed.")
            )
        if locked.is_overdue(now):
            _submit_locked(locked, now=now, timed_out=True)
            timed_out = True
        else:
            if int(version) != locked.version:
                raise StaleAnswerError(
                    _(
                        "This page is out of date: your answers were saved from another page "
                        "or window since. The latest answers are shown now; please check "
                        "them and answer again."
                    )
                )
            positions = {int(position) for position in responses}
            answers = {
                answer.position: answer
                for answer in Answer.objects.filter(attempt=locked, position__in=positions)
            }
            if positions - set(answers):
                raise AttemptError(_("This question is not part of your attempt."))
            for position, raw in responses.items():
                answer = answers[int(position)]
                answer.response = clean_response(answer.question, raw)
                answer.saved_at = now
            Answer.objects.bulk_update(list(answers.values()), ["response", "saved_at"])
            locked.version += 1
            locked.save(update_fields=["version"])
    if timed_out:
        attempt.refresh_from_db()
        raise AttemptClosedError(
            _(
                "The time limit has passed, so this answer could not be saved. Your attempt "
                "was submitted with the answers saved before the limit."
            )
        )
    attempt.version = locked.version
    return locked


def answer_save(
    *, attempt: Attempt, position: int, response: dict, version: int, now=None
) -> Attempt:
    """Save the answer to one question (see ``answers_save``)."""
    return answers_save(attempt=attempt, responses={position: response}, version=version, now=now)


# --- Submitting and grading ------------------------------------------------------------------
def _recompute(attempt: Attempt, answers: list[Answer], now) -> None:
    """Totals, status and pass/fail of a locked attempt from its answers (not saved)."""
    attempt.max_score = sum((answer.max_score for answer in answers), Decimal(0))
    if not attempt.overridden:
        attempt.score = grading.round_score(
            sum((answer.score or Decimal(0) for answer in answers), Decimal(0))
        )
    if any(answer.needs_manual for answer in answers):
        attempt.status = Status.SUBMITTED
        attempt.graded_at = None
        attempt.percentage = None
        attempt.passed = None
        return
    attempt.status = Status.GRADED
    attempt.graded_at = attempt.graded_at or now
    attempt.percentage = grading.attempt_percentage([attempt.score], [attempt.max_score])
    attempt.passed = attempt.percentage >= Decimal(attempt.quiz.pass_mark)


def _after_grading(attempt: Attempt, *, was_passed) -> None:
    """A newly passed quiz of a lesson completes that lesson; any newly passed quiz may
    complete the course (the certificates app decides, on ``completion_inputs_changed``)."""
    if not attempt.passed or was_passed:
        return
    if attempt.quiz.lesson_id:
        from lms.courses.services import EnrollmentError, lesson_complete

        try:
            # Sends completion_inputs_changed itself.
            lesson_complete(enrollment=attempt.enrollment, lesson=attempt.quiz.lesson)
        except EnrollmentError:
            # Withdrawn since: the pass is kept on the attempt, the lesson is not marked.
            pass
        return
    completion_inputs_changed_send(enrollment_id=attempt.enrollment_id)


def _submit_locked(attempt: Attempt, *, now, timed_out: bool) -> None:
    answers = list(Answer.objects.filter(attempt=attempt).order_by("position"))
    for answer in answers:
        grade = grading.grade_response(answer.grading_question, answer.response or {})
        answer.auto_score = grade.score
        answer.score = grade.score
        answer.max_score = grade.max_score
        answer.needs_manual = grade.needs_manual
    Answer.objects.bulk_update(answers, ["auto_score", "score", "max_score", "needs_manual"])
    attempt.submitted_at = now
    attempt.timed_out = timed_out
    _recompute(attempt, answers, now)
    attempt.save()
    _after_grading(attempt, was_passed=False)


def attempt_submit(*, attempt: Attempt, now=None) -> Attempt:
    """Finish an attempt and grade it; idempotent (a second call returns the same result).

    Essay answers with text leave the attempt ``submitted`` until an instructor grades
    them; otherwise it is ``graded`` with its percentage and pass/fail at once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(attempt.pk)
        if locked.status == Status.IN_PROGRESS:
            _submit_locked(locked, now=now, timed_out=locked.is_overdue(now))
    return locked


def attempt_close_if_overdue(*, attempt: Attempt, now=None) -> Attempt:
    """Close and grade the attempt if its time (and grace) is over; return it fresh."""
    now = now or timezone.now()
    if not attempt.is_overdue(now):
        return attempt
    with transaction.atomic():
        locked = _lock(attempt.pk)
        if locked.is_overdue(now):
            _submit_locked(locked, now=now, timed_out=True)
    return locked


def attempt_expire_overdue(*, now=None, quiz: Quiz | None = None, user=None) -> int:
    """Close and grade every attempt past its time limit and grace; returns how many.

    Called on each access to a quiz or attempt, and meant for a scheduler too
    (``python manage.py`` shell or a periodic task) so that abandoned attempts get graded.
    """
    now = now or timezone.now()
    overdue = Attempt.objects.filter(status=Status.IN_PROGRESS, grace_until__lt=now)
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    if user is not None:
        overdue = overdue.filter(user=user)
    closed = 0
    for pk in list(overdue.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = _lock(pk)
            if locked.is_overdue(now):
                _submit_locked(locked, now=now, timed_out=True)
                closed += 1
    return closed


# --- Instructors: grading by hand, overrides, regrades ----------------------------------------
def _score(value, maximum: Decimal) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise AttemptError(_("Enter the score as a number.")) from exc
    if not score.is_finite() or score < 0 or score > maximum:
        raise AttemptError(
            _("Enter a score from 0 to %(maximum)s.") % {"maximum": grading.round_score(maximum)}
        )
    return grading.round_score(score)


def _answers_of(attempt: Attempt) -> list[Answer]:
    return list(Answer.objects.filter(attempt=attempt).order_by("position"))


def _closed_attempt(attempt_pk) -> Attempt:
    attempt = _lock(attempt_pk)
    if attempt.status == Status.IN_PROGRESS:
        raise AttemptError(_("This attempt is still in progress: it can be graded once submitted."))
    return attempt


def _answer_rescore(*, answer: Answer, actor, score, kind, action, note: dict, now) -> Answer:
    """Set one answer's final score by hand: the answer, an append-only ``ScoreChange``
    (``kind``), the attempt's result and a Wagtail log entry (``action``, with ``note``)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _closed_attempt(answer.attempt_id)
        was_passed = attempt.passed
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        new = _score(score, answer.max_score)
        old = answer.score
        answer.score = new
        if "comment" in note:
            answer.comment = note["comment"]
        answer.needs_manual = False
        answer.graded_by = actor
        answer.graded_at = now
        answer.save()
        ScoreChange.objects.create(
            attempt=attempt,
            answer=answer,
            actor=actor,
            created_at=now,
            kind=kind,
            old_score=old,
            new_score=new,
            reason=next(iter(note.values())),
        )
        _recompute(attempt, _answers_of(attempt), now)
        attempt.save()
        log(
            instance=attempt,
            action=action,
            user=actor,
            data={
                "position": answer.position,
                "old_score": str(old) if old is not None else "",
                "new_score": str(new),
                **note,
            },
        )
        _after_grading(attempt, was_passed=was_passed)
    return answer


def answer_grade_manually(*, answer: Answer, actor, score, comment: str = "", now=None) -> Answer:
    """Grade an answer by hand (an essay) with a comment; the attempt's result follows."""
    return _answer_rescore(
        answer=answer,
        actor=actor,
        score=score,
        kind=ScoreChange.Kind.MANUAL_GRADE,
        action=LOG_MANUAL_GRADE,
        note={"comment": comment},
        now=now,
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AttemptError(_("Give the reason for the change; it is kept in the record."))
    return reason


def answer_override(*, answer: Answer, actor, score, reason: str, now=None) -> Answer:
    """Change one answer's score (the automatic score stays visible beside it)."""
    return _answer_rescore(
        answer=answer,
        actor=actor,
        score=score,
        kind=ScoreChange.Kind.OVERRIDE,
        action=LOG_OVERRIDE,
        note={"reason": _reason(reason)},
        now=now,
    )


def attempt_override(
    *, attempt: Attempt, actor, reason: str, score=None, percentage=None, now=None
) -> Attempt:
    """Set an attempt's final score (or percentage) by hand; later regrades keep it."""
    now = now or timezone.now()
    reason = _reason(reason)
    if (score is None) == (percentage is None):
        raise AttemptError(_("Give either a score or a percentage."))
    with transaction.atomic():
        attempt = _closed_attempt(attempt.pk)
        answers = _answers_of(attempt)
        if any(answer.needs_manual for answer in answers):
            raise AttemptError(_("Grade the answers waiting for grading first."))
        was_passed = attempt.passed
        if percentage is not None:
            share = _score(percentage, Decimal(100))
            new = grading.round_score(attempt.max_score * share / Decimal(100))
        else:
            new = _score(score, attempt.max_score)
        old = attempt.score
        attempt.score = new
        attempt.overridden = True
        ScoreChange.objects.create(
            attempt=attempt,
            actor=actor,
            created_at=now,
            kind=ScoreChange.Kind.OVERRIDE,
            old_score=old,
            new_score=new,
            reason=reason,
        )
        _recompute(attempt, answers, now)
        attempt.save()
        log(
            instance=attempt,
            action=LOG_OVERRIDE,
            user=actor,
            data={
                "old_score": str(old) if old is not None else "",
                "new_score": str(new),
                "reason": reason,
            },
        )
        _after_grading(attempt, was_passed=was_passed)
    return attempt


def _in_display_order(original: dict, corrected: dict) -> dict:
    """The corrected question, its choices in the order this trainee saw them."""
    corrected = dict(corrected)
    if original.get("choices") and corrected.get("choices"):
        order = {str(choice["id"]): i for i, choice in enumerate(original["choices"])}
        corrected["choices"] = sorted(
            corrected["choices"], key=lambda choice: order.get(str(choice["id"]), len(order))
        )
    if original.get("display_order") and corrected.get("items"):
        corrected["display_order"] = list(original["display_order"])
    return corrected


def quiz_regrade(
    *, quiz: Quiz, question_id: str, corrected_question: dict, actor, reason: str, now=None
) -> dict:
    """Grade every answer to one question again, against its corrected version.

    The original snapshot stays on each answer, the corrected one is kept beside it
    (``Answer.corrected_question``); attempts in progress get it too and are graded with
    it when submitted. An answer an instructor graded or overrode keeps that score (its
    automatic score is updated). Returns ``{"changed": n, "attempts": m}``.
    """
    now = now or timezone.now()
    reason = _reason(reason)
    if corrected_question.get("type") == "essay":
        raise AttemptError(_("Essay answers are graded by hand: change their scores instead."))
    if str(corrected_question.get("id")) != str(question_id):
        raise AttemptError(_("The corrected question is not the question being regraded."))
    changed = 0
    attempts_changed = 0
    with transaction.atomic():
        attempts = {
            attempt.pk: attempt
            for attempt in Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .filter(quiz=quiz)
            .order_by("pk")
        }
        answers = list(
            Answer.objects.select_for_update()
            .filter(attempt__quiz=quiz, question_id=str(question_id))
            .order_by("pk")
        )
        changes = []
        touched = set()
        for answer in answers:
            attempt = attempts[answer.attempt_id]
            answer.corrected_question = _in_display_order(answer.question, corrected_question)
            if attempt.status == Status.IN_PROGRESS:
                continue
            grade = grading.grade_response(answer.corrected_question, answer.response or {})
            answer.auto_score = grade.score
            if grade.max_score != answer.max_score:  # the correction changed the points
                answer.max_score = grade.max_score
                touched.add(attempt.pk)
            if answer.graded_by_id is not None or grade.score == answer.score:
                continue
            changes.append(
                ScoreChange(
                    attempt=attempt,
                    answer=answer,
                    actor=actor,
                    created_at=now,
                    kind=ScoreChange.Kind.REGRADE,
                    old_score=answer.score,
                    new_score=grade.score,
                    reason=reason,
                )
            )
            answer.score = grade.score
            touched.add(attempt.pk)
        Answer.objects.bulk_update(
            answers, ["corrected_question", "auto_score", "score", "max_score"]
        )
        ScoreChange.objects.bulk_create(changes)
        changed = len(changes)
        for pk in sorted(touched):
            attempt = attempts[pk]
            was_passed = attempt.passed
            old_score = attempt.score
            _recompute(attempt, _answers_of(attempt), now)
            attempt.save()
            log(
                instance=attempt,
                action=LOG_ATTEMPT_REGRADE,
                user=actor,
                data={
                    "question_id": str(question_id),
                    "old_score": str(old_score) if old_score is not None else "",
                    "new_score": str(attempt.score) if attempt.score is not None else "",
                    "max_score": str(attempt.max_score),
                    "reason": reason,
                },
            )
            _after_grading(attempt, was_passed=was_passed)
            attempts_changed += 1
        log(
            instance=quiz,
            action=LOG_REGRADE,
            user=actor,
            data={
                "question_id": str(question_id),
                "changed": changed,
                "attempts": attempts_changed,
                "reason": reason,
            },
        )
    return {"changed": changed, "attempts": attempts_changed}
