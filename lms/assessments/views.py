"""Trainee views of quizzes: the start page, the attempt, saving, submitting and the review.

Server-rendered and usable without JavaScript (every answer is saved by the form's own
POST on "next", "save" or "finish"); ``static/js/quiz.js`` adds saving per question as the
trainee goes, the keyboard-operable reordering without a reload and the polite timer.

Every attempt URL looks the attempt up with the requesting user (``attempt_of_user``):
someone else's attempt is a 404, whoever asks. A page of an open attempt renders only
``grading.public_question`` of each snapshot, never the answers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import grading, selectors, services
from .models import Quiz, QuizLayout


def _attempt_or_404(request, attempt_id):
    attempt = selectors.attempt_of_user(request.user, attempt_id)
    if attempt is None:
        raise Http404(_("No such attempt."))
    return services.attempt_close_if_overdue(attempt=attempt)


def _quiz_or_404(quiz_id) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("course", "lesson"), pk=quiz_id)
    if not quiz.course.live:
        raise Http404(_("No such quiz."))
    return quiz


# --- Start page ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET"])
def quiz_start_page(request, quiz_id):
    """The rules (attempts left, time limit, pass mark), the trainee's history, start/resume."""
    quiz = _quiz_or_404(quiz_id)
    services.attempt_expire_overdue(quiz=quiz, user=request.user)
    status = selectors.quiz_status(request.user, quiz)
    return TemplateResponse(
        request, "lms/assessments/quiz_start.html", {"quiz": quiz, "status": status}
    )


@login_required
@require_POST
def quiz_start(request, quiz_id):
    quiz = _quiz_or_404(quiz_id)
    try:
        attempt = services.attempt_start(quiz=quiz, user=request.user)
    except services.AttemptError as exc:
        messages.error(request, exc.messages[0])
        return redirect("assessments:quiz", quiz_id=quiz.pk)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


# --- The attempt -----------------------------------------------------------------------------
def _response_from_post(question: dict, data, position: int) -> dict:
    prefix = f"q{position}-"
    kind = question.get("type")
    if kind in ("single", "true_false"):
        return {"choice": data.get(prefix + "choice", "")}
    if kind == "multiple":
        return {"choices": data.getlist(prefix + "choices")}
    if kind in ("short_answer", "essay"):
        return {"text": data.get(prefix + "text", "")}
    if kind == "numeric":
        return {"value": data.get(prefix + "value", "")}
    if kind == "ordering":
        return {"order": data.getlist(prefix + "order")}
    return {}


def _move(response: dict, move: str, position: int) -> dict:
    """Apply a "move item up/down" button press to an ordering response."""
    try:
        moved_position, item_id, direction = move.split(":", 2)
    except ValueError:
        return response
    if int(moved_position or 0) != position:
        return response
    order = list(response.get("order") or [])
    if item_id not in order:
        return response
    i = order.index(item_id)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    return {"order": order}


def _posted_responses(request, answers) -> dict:
    by_position = {answer.position: answer for answer in answers}
    responses = {}
    move = request.POST.get("move", "")
    for raw in request.POST.getlist("positions"):
        try:
            position = int(raw)
        except ValueError:
            continue
        answer = by_position.get(position)
        if answer is None:
            continue
        response = _response_from_post(answer.question, request.POST, position)
        if move:
            response = _move(response, move, position)
        responses[position] = response
    return responses


def _page_number(request, answers, layout) -> int:
    if layout != QuizLayout.ONE_PER_PAGE:
        return 1
    raw = request.GET.get("page") or request.POST.get("page")
    if not raw:
        # Coming back to the attempt: the first question not answered yet.
        return next((a.position for a in answers if not a.is_answered), 1)
    try:
        number = int(raw)
    except ValueError:
        number = 1
    return min(max(number, 1), max(len(answers), 1))


def _attempt_url(attempt, page=None) -> str:
    url = reverse("assessments:attempt", kwargs={"attempt_id": attempt.pk})
    return f"{url}?page={page}" if page else url


@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request, attempt_id):
    """The attempt: one question per page or all on one page, as the quiz says."""
    attempt = _attempt_or_404(request, attempt_id)
    if not attempt.is_open:
        if request.method == "POST":
            messages.warning(
                request,
                _(
                    "The time limit has passed: your attempt was submitted with the answers "
                    "saved before the limit."
                )
                if attempt.timed_out
                else _("This attempt has already been submitted."),
            )
        return redirect("assessments:result", attempt_id=attempt.pk)
    quiz = attempt.quiz
    answers = selectors.attempt_answers(attempt)
    layout = quiz.layout
    number = _page_number(request, answers, layout)

    if request.method == "POST":
        return _attempt_post(request, attempt, answers, number)

    one_per_page = layout == QuizLayout.ONE_PER_PAGE
    shown = [a for a in answers if a.position == number] if one_per_page else answers
    context = {
        "attempt": attempt,
        "quiz": quiz,
        "questions": selectors.question_views(shown, review=False),
        "answers": answers,
        "page_number": number,
        "page_count": len(answers) if one_per_page else 1,
        "one_per_page": one_per_page,
        "answered_count": sum(1 for a in answers if a.is_answered),
        "remaining_seconds": attempt.remaining_seconds(),
    }
    return TemplateResponse(request, "lms/assessments/attempt.html", context)


def _attempt_post(request, attempt, answers, number):
    action = request.POST.get("action", "save")
    one_per_page = attempt.quiz.layout == QuizLayout.ONE_PER_PAGE
    responses = _posted_responses(request, answers)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        if responses:
            services.answers_save(attempt=attempt, responses=responses, version=version)
    except services.AttemptClosedError as exc:
        messages.warning(request, exc.messages[0])
        return redirect("assessments:result", attempt_id=attempt.pk)
    except services.AttemptError as exc:
        messages.error(request, exc.messages[0])
        return redirect(_attempt_url(attempt, number if one_per_page else None))
    if action == "timeup":
        services.attempt_submit(attempt=attempt)
        return redirect("assessments:result", attempt_id=attempt.pk)
    if action == "finish":
        return redirect("assessments:finish", attempt_id=attempt.pk)
    if action.startswith("goto-"):
        try:
            number = int(action.removeprefix("goto-"))
        except ValueError:
            pass
    elif action == "next":
        number += 1
    elif action == "prev":
        number -= 1
    elif not request.POST.get("move"):
        messages.success(request, _("Your answers have been saved."))
    number = min(max(number, 1), len(answers))
    url = _attempt_url(attempt, number if one_per_page else None)
    if request.POST.get("move"):
        moved = request.POST["move"].split(":", 1)[0]
        return redirect(f"{url}#question-{moved}")
    return redirect(url)


@login_required
@require_POST
def answer_save(request, attempt_id):
    """Save the answers of one question (or a few) from the page's script; answers in JSON.

    The body is the form's own fields (``positions``, ``version`` and the answer fields),
    so the same parsing serves the script and the plain form. The reply carries the new
    version and never any answer data.
    """
    attempt = _attempt_or_404(request, attempt_id)
    if not attempt.is_open:
        return JsonResponse(
            {
                "ok": False,
                "closed": True,
                "error": _("This attempt has been submitted; answers can no longer be changed."),
                "redirect": reverse("assessments:result", kwargs={"attempt_id": attempt.pk}),
            },
            status=409,
        )
    answers = selectors.attempt_answers(attempt)
    responses = _posted_responses(request, answers)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    if not responses:
        return JsonResponse({"ok": False, "error": _("Nothing to save.")}, status=400)
    try:
        saved = services.answers_save(attempt=attempt, responses=responses, version=version)
    except services.AttemptClosedError as exc:
        return JsonResponse(
            {
                "ok": False,
                "closed": True,
                "error": exc.messages[0],
                "redirect": reverse("assessments:result", kwargs={"attempt_id": attempt.pk}),
            },
            status=409,
        )
    except services.StaleAnswerError as exc:
        return JsonResponse({"ok": False, "stale": True, "error": exc.messages[0]}, status=409)
    except services.AttemptError as exc:
        return JsonResponse({"ok": False, "error": exc.messages[0]}, status=400)
    reply = {
        "ok": True,
        "version": saved.version,
        "saved_at": timezone.localtime().strftime("%H:%M:%S"),
        "message": _("Saved"),
    }
    by_position = {answer.position: answer for answer in answers}
    for position, response in responses.items():
        value = (response.get("value") or "").strip()
        if by_position[position].question.get("type") == "numeric" and value:
            if grading.parse_number(value) is None:
                reply["warning"] = _(
                    "“%(value)s” cannot be read as a number: write it with digits, "
                    "for example 12.5 or 1,200."
                ) % {"value": value}
    return JsonResponse(reply)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_finish(request, attempt_id):
    """Confirm (listing unanswered questions), then submit; submitting twice is harmless."""
    attempt = _attempt_or_404(request, attempt_id)
    if request.method == "POST":
        services.attempt_submit(attempt=attempt)
        return redirect("assessments:result", attempt_id=attempt.pk)
    if not attempt.is_open:
        return redirect("assessments:result", attempt_id=attempt.pk)
    answers = selectors.attempt_answers(attempt)
    unanswered = [answer.position for answer in answers if not answer.is_answered]
    return TemplateResponse(
        request,
        "lms/assessments/attempt_finish.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "answers": answers,
            "unanswered": unanswered,
            "one_per_page": attempt.quiz.layout == QuizLayout.ONE_PER_PAGE,
            "remaining_seconds": attempt.remaining_seconds(),
        },
    )


@login_required
@require_http_methods(["GET"])
def attempt_result(request, attempt_id):
    """The result, and the review of answers and feedback when the quiz's policy allows it."""
    attempt = _attempt_or_404(request, attempt_id)
    if attempt.is_open:
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    review = attempt.review_allowed()
    answers = selectors.attempt_answers(attempt)
    return TemplateResponse(
        request,
        "lms/assessments/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "review": review,
            "questions": selectors.question_views(answers, review=review) if review else [],
            "pending_count": sum(1 for answer in answers if answer.needs_manual),
        },
    )
