"""The instructors' side of quizzes in the Wagtail admin.

* **Grading queue** (採点待ち): attempts waiting for an instructor to grade their essays.
* **Attempt** page: every answer as the trainee saw and gave it, a score and comment form
  per essay (``services.answer_grade_manually``), overrides of an answer or of the whole
  attempt with a reason (``services.answer_override`` / ``services.attempt_override``),
  and the append-only history of score changes, the original score first.
* **Attempts** listing per quiz, with filters and CSV/XLSX export.
* **Statistics** per quiz (``statistics.quiz_statistics``) and their CSV export.
* **Regrade** a question after it was corrected (``services.quiz_regrade``), with a
  preview of the answers whose score would change.

Who sees what is one rule: instructors the attempts and quizzes of the courses they teach
(``lms.courses.selectors.courses_taught_by``), superusers everything; every view starts
from ``attempts_visible_to`` or ``quizzes_visible_to``, so an id of another course is a
404. Wired into Wagtail by ``wagtail_hooks.py`` (``AttemptViewSet`` and the menu items).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import OrderedDict
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import policy_registry

from lms.accounts import roles
from lms.accounts.roles import is_instructor
from lms.courses.admin_records import RecordViewSet
from lms.courses.selectors import courses_taught_by, enrollments_visible_to

from . import grading, services
from .blocks import QuestionStreamBlock
from .models import Answer, Attempt, Quiz, ScoreChange
from .statistics import quiz_statistics

Status = Attempt.Status


# --- Who may see what ---------------------------------------------------------------------------
def quizzes_visible_to(user):
    """Quizzes whose attempts, statistics and regrades ``user`` may see (a lazy queryset)."""
    if not (user.is_authenticated and user.is_active):
        return Quiz.objects.none()
    if user.is_superuser:
        return Quiz.objects.all()
    if not is_instructor(user):
        return Quiz.objects.none()
    return Quiz.objects.filter(course__in=courses_taught_by(user).values("pk"))


def attempts_visible_to(user):
    """Attempts ``user`` may see and grade: those of the trainees whose enrollments they may
    see (``enrollments_visible_to``: a course naming them, else only their cohorts')."""
    if not (user.is_authenticated and user.is_active):
        return Attempt.objects.none()
    if user.is_superuser:
        return Attempt.objects.all()
    if not is_instructor(user):
        return Attempt.objects.none()
    return Attempt.objects.filter(enrollment__in=enrollments_visible_to(user).values("pk"))


def awaiting_answers_q(prefix: str = "") -> Q:
    """Answers an instructor still has to grade."""
    return Q(**{f"{prefix}needs_manual": True, f"{prefix}score__isnull": True})


def grading_queue_for(user):
    """Attempts submitted and waiting for a manual grade, oldest first, with their counts."""
    return (
        attempts_visible_to(user)
        .filter(status=Status.SUBMITTED)
        .select_related("quiz", "quiz__course", "user")
        .annotate(awaiting=Count("answers", filter=awaiting_answers_q("answers__")))
        .order_by("submitted_at", "pk")
    )


class AttemptPermissionPolicy(BasePermissionPolicy):
    """Instructors view and grade the attempts of the courses they teach; superusers all.

    Nobody adds, edits or deletes an attempt here: trainees make them, grades and
    overrides go through the services, and attempts are never deleted.
    """

    actions = frozenset({"view", "change"})

    def _may_grade(self, user) -> bool:
        if not (user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or is_instructor(user)

    def user_has_permission(self, user, action):
        return action in self.actions and self._may_grade(user)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        if not self.actions.intersection(actions):
            return User.objects.none()
        return User.objects.filter(is_active=True).filter(
            Q(is_superuser=True)
            | Q(pk__in=User.objects.filter(groups__name=roles.INSTRUCTORS).values("pk"))
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and attempts_visible_to(user).filter(pk=instance.pk).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not any(self.user_has_permission(user, action) for action in actions):
            return Attempt.objects.none()
        return attempts_visible_to(user)


def _require_grader(user):
    if not policy_registry.get_by_type(Attempt).user_has_permission(user, "change"):
        raise PermissionDenied


_QUESTION_BLOCKS = QuestionStreamBlock().child_blocks


def question_type_label(kind: str) -> str:
    """The question type as the quiz editor names it (単一選択, 記述…)."""
    block = _QUESTION_BLOCKS.get(kind)
    return str(block.label) if block is not None else kind


def _label(field_name, model=Attempt):
    return capfirst(model._meta.get_field(field_name).verbose_name)


def _csv_cell(value) -> str:
    """A cell as text; text that Excel would read as a formula stays text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def csv_response(filename: str, rows) -> HttpResponse:
    """A UTF-8 CSV file with a byte-order mark, so Excel reads the Japanese correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Forms --------------------------------------------------------------------------------------
def _score_field(max_score, label):
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=max_score,
        max_digits=8,
        decimal_places=2,
        help_text=_("From 0 to %(max)s points.") % {"max": max_score},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": str(max_score)}),
    )


class ManualGradeForm(forms.Form):
    """The score and comment an instructor gives an essay answer."""

    comment = forms.CharField(
        label=gettext_lazy("Comment to the trainee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args, answer, **kwargs):
        kwargs.setdefault("prefix", f"grade-{answer.pk}")
        super().__init__(*args, **kwargs)
        self.fields = OrderedDict(
            [("score", _score_field(answer.max_score, _("Score"))), *self.fields.items()]
        )
        if answer.score is not None:
            self.fields["score"].initial = answer.score
            self.fields["comment"].initial = answer.comment


class AnswerOverrideForm(forms.Form):
    """A new score for one answer, and why."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=gettext_lazy("Kept in the history of this attempt."),
    )

    def __init__(self, *args, answer, **kwargs):
        kwargs.setdefault("prefix", f"override-{answer.pk}")
        super().__init__(*args, **kwargs)
        self.fields = OrderedDict(
            [("score", _score_field(answer.max_score, _("New score"))), *self.fields.items()]
        )


class AttemptOverrideForm(forms.Form):
    """A new score for the whole attempt, as a percentage, and why."""

    percentage = forms.DecimalField(
        label=gettext_lazy("New score (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=gettext_lazy("Kept in the history of this attempt."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "attempt-override")
        super().__init__(*args, **kwargs)


class RegradeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What was corrected"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=gettext_lazy("Kept in the history of every attempt whose score changes."),
    )


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Presenting answers -------------------------------------------------------------------------
def _response_text(question: dict, response: dict) -> str:
    """The trainee's response as plain text (the template escapes it)."""
    response = response or {}
    kind = question.get("type")
    if kind in ("single", "true_false", "multiple"):
        return ""
    if kind == "ordering":
        return ""
    if kind == "numeric":
        return str(response.get("value") or "")
    return str(response.get("text") or "")


def answer_view_model(answer: Answer) -> dict:
    """What the attempt page shows of one answer."""
    question = answer.grading_question
    response = answer.response or {}
    kind = question.get("type")
    picked: set[str] = set()
    if kind == "multiple":
        picked = {str(c) for c in response.get("choices") or ()}
    elif kind in ("single", "true_false") and response.get("choice") not in (None, ""):
        picked = {str(response.get("choice"))}
    choices = [
        {
            "text": choice.get("text", ""),
            "correct": bool(choice.get("correct")),
            "picked": str(choice.get("id")) in picked,
        }
        for choice in question.get("choices") or ()
    ]
    items = {str(item["id"]): item.get("text", "") for item in question.get("items") or ()}
    given_order = [items.get(str(i), "?") for i in response.get("order") or ()]
    awaiting = answer.needs_manual and answer.score is None
    return {
        "answer": answer,
        "question": question,
        "type": kind,
        "type_label": question_type_label(kind),
        "corrected": answer.corrected_question is not None,
        "choices": choices,
        "correct_order": [item.get("text", "") for item in question.get("items") or ()],
        "given_order": given_order,
        "text": _response_text(question, response),
        "accepted_answers": question.get("accepted_answers") or [],
        "numeric_answer": question.get("answer"),
        "tolerance": question.get("tolerance"),
        "unit": question.get("unit", ""),
        "rubric": question.get("rubric", ""),
        "awaiting": awaiting,
        "answered": answer.is_answered,
    }


class BreadcrumbsMixin:
    """Home › the view's title (the slim header of Wagtail's generic views)."""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_header_title()}]


# --- Grading queue ------------------------------------------------------------------------------
class GradingQueueView(BreadcrumbsMixin, WagtailAdminTemplateMixin, View):
    """採点待ち: submitted attempts with essays to grade, oldest first, for one's own courses."""

    template_name = "lms/assessments/admin/grading_queue.html"
    page_title = gettext_lazy("Grading queue")
    header_icon = "edit"
    attempt_url_name = None
    per_page = 50

    def dispatch(self, request, *args, **kwargs):
        _require_grader(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        queue = grading_queue_for(request.user)
        quizzes = (
            quizzes_visible_to(request.user)
            .filter(pk__in=queue.values("quiz_id"))
            .select_related("course")
        )
        quiz_id = request.GET.get("quiz", "")
        if quiz_id.isdigit():
            queue = queue.filter(quiz_id=int(quiz_id))
        page = Paginator(queue, self.per_page).get_page(request.GET.get("p"))
        context = self.get_context_data(
            page_obj=page,
            attempts=page.object_list,
            quizzes=quizzes.order_by("title"),
            selected_quiz=quiz_id,
            attempt_url_name=self.attempt_url_name,
        )
        return TemplateResponse(request, self.template_name, context)


class GradingQueuePanel(Component):
    """On the admin's dashboard: how many attempts wait for the instructor, the oldest few."""

    name = "grading_queue"
    template_name = "lms/assessments/admin/home_grading_panel.html"
    order = 50
    shown = 5

    def __init__(self, *, attempt_url_name, queue_url_name):
        self.attempt_url_name = attempt_url_name
        self.queue_url_name = queue_url_name

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        queue = grading_queue_for(parent_context["request"].user)
        oldest = list(queue[: self.shown])
        context.update(
            attempts=oldest,
            count=len(oldest) if len(oldest) < self.shown else queue.count(),
            attempt_url_name=self.attempt_url_name,
            queue_url=reverse(self.queue_url_name),
        )
        return context


# --- One attempt --------------------------------------------------------------------------------
class AttemptDetailView(WagtailAdminTemplateMixin, View):
    """An attempt: answers, manual grading, overrides, and the history of its score."""

    template_name = "lms/assessments/admin/attempt_detail.html"
    header_icon = "doc-full"
    index_url_name = None
    queue_url_name = None
    history_url_name = None
    attempt_url_name = None
    statistics_url_name = None

    def dispatch(self, request, *args, **kwargs):
        _require_grader(request.user)
        self.attempt = get_object_or_404(
            attempts_visible_to(request.user).select_related(
                "quiz", "quiz__course", "user", "enrollment"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Attempt %(number)s: %(trainee)s") % {
            "number": self.attempt.number,
            "trainee": self.attempt.user.get_full_name(),
        }

    def get_page_subtitle(self):
        return self.attempt.quiz.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name) + f"?quiz={self.attempt.quiz_id}",
                "label": _("Attempts"),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def answers(self):
        return list(
            Answer.objects.filter(attempt=self.attempt)
            .select_related("graded_by")
            .order_by("position")
        )

    def history(self):
        return list(
            ScoreChange.objects.filter(attempt=self.attempt)
            .select_related("actor", "answer")
            .order_by("created_at", "pk")
        )

    def get(self, request, pk):
        return self.render()

    def render(self, bound=None, status=200):
        bound = bound or {}
        rows = []
        for answer in self.answers():
            row = answer_view_model(answer)
            if row["awaiting"] and self.attempt.status == Status.SUBMITTED:
                row["grade_form"] = bound.get(("grade", answer.pk)) or ManualGradeForm(
                    answer=answer
                )
            if self.attempt.status == Status.GRADED:
                row["override_form"] = bound.get(("override", answer.pk)) or AnswerOverrideForm(
                    answer=answer
                )
            rows.append(row)
        attempt_form = None
        if self.attempt.status == Status.GRADED:
            attempt_form = bound.get(("attempt", None)) or AttemptOverrideForm()
        context = self.get_context_data(
            attempt=self.attempt,
            rows=rows,
            awaiting=sum(1 for row in rows if row["awaiting"]),
            history=self.history(),
            attempt_form=attempt_form,
            history_url=reverse(self.history_url_name, args=[self.attempt.pk]),
            statistics_url=reverse(self.statistics_url_name, args=[self.attempt.quiz_id]),
            queue_url=reverse(self.queue_url_name),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def post(self, request, pk):
        action = request.POST.get("action", "")
        if action == "override_attempt":
            return self.override_attempt()
        answer_id = request.POST.get("answer", "")
        if not answer_id.isdigit():
            raise Http404
        answer = get_object_or_404(Answer.objects.filter(attempt=self.attempt), pk=int(answer_id))
        if action == "grade":
            return self.grade(answer)
        if action == "override_answer":
            return self.override_answer(answer)
        messages.error(request, _("Unknown action."))
        return redirect(self.attempt_url_name, self.attempt.pk)

    def _done(self, message, anchor=""):
        messages.success(self.request, message)
        return redirect(reverse(self.attempt_url_name, args=[self.attempt.pk]) + anchor)

    def _invalid(self, key, form):
        messages.error(self.request, _("The score was not saved. Correct the errors below."))
        return self.render(bound={key: form}, status=400)

    def grade(self, answer):
        form = ManualGradeForm(self.request.POST, answer=answer)
        if form.is_valid():
            try:
                services.answer_grade_manually(
                    answer=answer,
                    actor=self.request.user,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return self._done(
                    _("Question %(position)s graded: %(score)s / %(max)s points.")
                    % {
                        "position": answer.position,
                        "score": form.cleaned_data["score"],
                        "max": answer.max_score,
                    },
                    anchor=f"#answer-{answer.pk}",
                )
        return self._invalid(("grade", answer.pk), form)

    def override_answer(self, answer):
        form = AnswerOverrideForm(self.request.POST, answer=answer)
        if form.is_valid():
            try:
                services.answer_override(
                    answer=answer,
                    actor=self.request.user,
                    score=form.cleaned_data["score"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return self._done(
                    _("The score of question %(position)s was changed.")
                    % {"position": answer.position},
                    anchor=f"#answer-{answer.pk}",
                )
        return self._invalid(("override", answer.pk), form)

    def override_attempt(self):
        form = AttemptOverrideForm(self.request.POST)
        if form.is_valid():
            try:
                services.attempt_override(
                    attempt=self.attempt,
                    actor=self.request.user,
                    percentage=form.cleaned_data["percentage"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return self._done(_("The attempt's score was changed."), anchor="#history")
        return self._invalid(("attempt", None), form)


class AttemptHistoryView(HistoryView):
    """An attempt's audit log (manual grades, overrides, regrades)."""

    any_permission_required = ["view"]

    def get_base_object_queryset(self):
        return attempts_visible_to(self.request.user).select_related("quiz", "user")

    @cached_property
    def header_buttons(self):
        return []


# --- Attempts listing per quiz ------------------------------------------------------------------
def _quizzes_filter_queryset(request):
    return quizzes_visible_to(request.user).select_related("course").order_by("title")


class AttemptFilterSet(WagtailFilterSet):
    quiz = django_filters.ModelChoiceFilter(label=_label("quiz"), queryset=_quizzes_filter_queryset)
    status = django_filters.ChoiceFilter(label=_label("status"), choices=Status.choices)
    passed = django_filters.BooleanFilter(label=_label("passed"))

    class Meta:
        model = Attempt
        fields = ["quiz", "status", "passed"]


EXPORT_COLUMNS = (
    "trainee",
    "email",
    "quiz",
    "number",
    "status",
    "started_at",
    "submitted_at",
    "score",
    "max_score",
    "percentage",
    "passed",
    "overridden",
)


class AttemptIndexView(IndexView):
    """受験一覧: filter by quiz, status and result; search by name or e-mail; export."""

    any_permission_required = ["view"]
    filterset_class = AttemptFilterSet
    search_fields = ["user__last_name", "user__first_name", "user__email", "quiz__title"]
    search_backend_name = None
    default_ordering = "-started_at"
    attempt_url_name = None

    def get_base_queryset(self):
        return attempts_visible_to(self.request.user).select_related("user", "quiz")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = Q()
        for term in self.search_query.split():
            term_q = Q()
            for field in self.search_fields:
                term_q |= Q(**{f"{field}__icontains": term})
            query &= term_q
        return queryset.filter(query)

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")

    def get_edit_url(self, instance):
        return reverse(self.attempt_url_name, args=[instance.pk])

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "trainee",
                label=_label("user"),
                accessor=lambda a: a.user.get_full_name(),
                sort_key="user__last_name_kana",
                url_name=self.attempt_url_name,
            ),
            Column("quiz", label=_label("quiz"), accessor="quiz.title", sort_key="quiz__title"),
            Column("number", label=_label("number"), sort_key="number"),
            Column("status", label=_label("status"), accessor="get_status_display"),
            DateColumn("submitted_at", label=_label("submitted_at"), sort_key="submitted_at"),
            Column("percentage", label=_label("percentage"), sort_key="percentage"),
            Column(
                "passed",
                label=_label("passed"),
                accessor=lambda a: "" if a.passed is None else (_("Yes") if a.passed else _("No")),
            ),
        ]

    list_export = list(EXPORT_COLUMNS)

    def get_heading(self, queryset, field):
        headings = {
            "trainee": _label("user"),
            "email": _("E-mail"),
            "quiz": _label("quiz"),
            "number": _label("number"),
            "status": _label("status"),
            "started_at": _label("started_at"),
            "submitted_at": _label("submitted_at"),
            "score": _label("score"),
            "max_score": _label("max_score"),
            "percentage": _label("percentage"),
            "passed": _label("passed"),
            "overridden": _label("overridden"),
        }
        return str(headings[field])

    def get_filename(self):
        return f"quiz-attempts-{timezone.localdate():%Y%m%d}"

    def to_row_dict(self, item):
        values = {
            "trainee": item.user.get_full_name(),
            "email": item.user.email,
            "quiz": item.quiz.title,
            "number": item.number,
            "status": item.get_status_display(),
            "started_at": item.started_at,
            "submitted_at": item.submitted_at,
            "score": item.score,
            "max_score": item.max_score,
            "percentage": item.percentage,
            "passed": "" if item.passed is None else (_("Yes") if item.passed else _("No")),
            "overridden": _("Yes") if item.overridden else "",
        }
        return OrderedDict((name, values[name]) for name in self.list_export)

    def preprocess_field_value(self, field, value, export_format):
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            if export_format == self.FORMAT_XLSX:
                return local.replace(tzinfo=None)
            return local.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, Decimal) and export_format == self.FORMAT_XLSX:
            return float(value)
        return _csv_cell(value) if export_format == self.FORMAT_CSV else value

    def stream_csv(self, queryset):
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response


# --- Statistics ---------------------------------------------------------------------------------
class QuizMixin:
    """Views about one quiz the user may see (404 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        _require_grader(request.user)
        self.quiz = get_object_or_404(
            quizzes_visible_to(request.user).select_related("course"), pk=kwargs["quiz_pk"]
        )
        return super().dispatch(request, *args, **kwargs)


class QuizStatisticsView(QuizMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, View):
    """統計: attempts, average, pass rate, and per question facility, discrimination, choices."""

    template_name = "lms/assessments/admin/quiz_statistics.html"
    header_icon = "table"
    csv_url_name = None
    index_url_name = None
    regrade_url_name = None

    def get_page_title(self):
        return _("Statistics")

    def get_page_subtitle(self):
        return self.quiz.title

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Attempts"),
                url=reverse(self.index_url_name) + f"?quiz={self.quiz.pk}",
                icon_name="list-ul",
            ),
            HeaderButton(
                _("Regrade a question"),
                url=reverse(self.regrade_url_name, args=[self.quiz.pk]),
                icon_name="repeat",
            ),
        ]

    def get(self, request, quiz_pk):
        first_only = request.GET.get("attempts") == "first"
        stats = quiz_statistics(self.quiz, first_only=first_only)
        context = self.get_context_data(
            quiz=self.quiz,
            summary=stats.summary,
            questions=[
                {
                    "stats": q,
                    "text": strip_tags(q.question.text).strip(),
                    "type": question_type_label(q.question.type),
                }
                for q in stats.questions
            ],
            awaiting=Attempt.objects.filter(quiz=self.quiz, status=Status.SUBMITTED).count(),
            first_only=first_only,
            csv_url=reverse(self.csv_url_name, args=[self.quiz.pk])
            + ("?attempts=first" if first_only else ""),
        )
        return TemplateResponse(request, self.template_name, context)


def statistics_csv_rows(quiz, *, first_only: bool = False):
    """The statistics as CSV rows: the summary, one row per question, one per choice."""
    stats = quiz_statistics(quiz, first_only=first_only)
    summary = stats.summary
    yield [_("Quiz"), quiz.title]
    yield [
        _("Attempts counted"),
        _("First attempts only") if first_only else _("All graded attempts"),
    ]
    yield [_("Graded attempts"), summary.attempts]
    yield [_("Number of trainees"), summary.trainees]
    yield [_("Average (%)"), summary.average]
    yield [_("Median (%)"), summary.median]
    yield [_("Pass rate (%)"), summary.pass_rate]
    yield []
    yield [
        _("No."),
        _("Question"),
        _("Question type"),
        _("Responses"),
        _("Mean score"),
        _("Points"),
        _("Facility index"),
        _("Discrimination index"),
        _("Choice"),
        _("Correct choice"),
        _("Picked"),
        _("Picked (%)"),
    ]
    for number, question in enumerate(stats.questions, start=1):
        text = strip_tags(question.question.text).strip()
        yield [
            number,
            text,
            question_type_label(question.question.type),
            question.responses,
            question.mean_score,
            question.max_score,
            question.facility,
            question.discrimination,
            "",
            "",
            "",
            "",
        ]
        for frequency in question.choices:
            yield [
                number,
                text,
                question_type_label(question.question.type),
                "",
                "",
                "",
                "",
                "",
                strip_tags(frequency.choice.text),
                _("Yes") if frequency.choice.correct else _("No"),
                frequency.count,
                frequency.share,
            ]


class QuizStatisticsCsvView(QuizMixin, View):
    def get(self, request, quiz_pk):
        filename = f"quiz-{self.quiz.pk}-statistics-{timezone.localdate():%Y%m%d}.csv"
        first_only = request.GET.get("attempts") == "first"
        return csv_response(filename, statistics_csv_rows(self.quiz, first_only=first_only))


# --- Regrade ------------------------------------------------------------------------------------
class QuizRegradeView(QuizMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, View):
    """Regrade every answer to one question against its corrected version.

    The instructor first corrects the question in the quiz (the snippet editor), then
    picks it here: the page shows how many answers would change before anything is
    written. Submitted attempts keep their snapshots; the corrected question is stored
    next to each answer by the service.
    """

    template_name = "lms/assessments/admin/quiz_regrade.html"
    header_icon = "repeat"
    statistics_url_name = None

    def get_page_title(self):
        return _("Regrade a question")

    def get_page_subtitle(self):
        return self.quiz.title

    def questions(self):
        counts = dict(
            Answer.objects.filter(attempt__quiz=self.quiz)
            .exclude(attempt__status=Status.IN_PROGRESS)
            .values_list("question_id")
            .annotate(n=Count("pk"))
            .values_list("question_id", "n")
        )
        listed = []
        for number, (block_id, block, value) in enumerate(self.quiz.question_blocks(), start=1):
            listed.append(
                {
                    "id": str(block_id),
                    "number": number,
                    "type": getattr(block, "question_type", block.name),
                    "label": block.label,
                    "text": strip_tags(str(value.get("text") or "")).strip()[:120],
                    "answers": counts.get(str(block_id), 0),
                }
            )
        return listed

    def preview(self, question_id):
        """How the submitted answers to ``question_id`` would be scored by the current version.

        Grading does not depend on the order choices were shown in, so the corrected
        question grades every answer as it is. Answers graded or overridden by hand keep
        their score (``services.quiz_regrade`` does the same).
        """
        corrected = self.quiz.question_snapshot(question_id)
        if corrected is None:
            return None, [], 0
        answers = (
            Answer.objects.filter(attempt__quiz=self.quiz, question_id=question_id)
            .exclude(attempt__status=Status.IN_PROGRESS)
            .select_related("attempt", "attempt__user")
            .order_by("attempt__submitted_at", "pk")
        )
        changes = []
        kept = 0
        for answer in answers:
            if corrected.get("type") == "essay":
                break
            grade = grading.grade_response(corrected, answer.response or {})
            if grade.score == answer.score:
                continue
            if answer.graded_by_id is not None:
                kept += 1
                continue
            changes.append({"answer": answer, "old": answer.score, "new": grade.score})
        return corrected, changes, kept

    def render(self, form=None, status=200):
        question_id = self.request.GET.get("question") or self.request.POST.get("question", "")
        corrected, changes, kept = (None, [], 0)
        if question_id:
            corrected, changes, kept = self.preview(question_id)
        context = self.get_context_data(
            quiz=self.quiz,
            questions=self.questions(),
            question_id=question_id,
            corrected=corrected,
            changes=changes,
            kept=kept,
            form=form or RegradeForm(),
            statistics_url=reverse(self.statistics_url_name, args=[self.quiz.pk]),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, quiz_pk):
        return self.render()

    def post(self, request, quiz_pk):
        form = RegradeForm(request.POST)
        question_id = request.POST.get("question", "")
        corrected = self.quiz.question_snapshot(question_id) if question_id else None
        if corrected is None:
            form.add_error(None, _("Choose a question of this quiz to regrade."))
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            result = services.quiz_regrade(
                quiz=self.quiz,
                question_id=question_id,
                corrected_question=corrected,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self.render(form, status=400)
        messages.success(
            request,
            _(
                "The question was regraded: %(answers)s answers changed score, in %(attempts)s "
                "attempts."
            )
            % {"answers": result["changed"], "attempts": result["attempts"]},
        )
        return redirect(self.statistics_url_name, self.quiz.pk)


# --- The viewset --------------------------------------------------------------------------------
class AttemptViewSet(RecordViewSet):
    """受験 in the admin: /admin/quiz-attempts/ (listing, attempt, history), the grading queue,
    and per quiz the statistics, their CSV and the regrade."""

    model = Attempt
    record_view_name = "attempt"
    name = "quiz_attempts"
    url_prefix = "quiz-attempts"
    icon = "list-ul"
    menu_label = gettext_lazy("Quiz attempts")
    menu_order = 223
    index_view_class = AttemptIndexView
    history_view_class = AttemptHistoryView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            attempt_url_name=self.get_url_name("attempt"), **kwargs
        )

    def url_names(self):
        return {
            "index_url_name": self.get_url_name("index"),
            "queue_url_name": self.get_url_name("grading"),
            "attempt_url_name": self.get_url_name("attempt"),
            "history_url_name": self.get_url_name("history"),
            "statistics_url_name": self.get_url_name("statistics"),
            "csv_url_name": self.get_url_name("statistics_csv"),
            "regrade_url_name": self.get_url_name("regrade"),
        }

    def _view(self, view_class):
        names = self.url_names()
        accepted = {key: value for key, value in names.items() if hasattr(view_class, key)}
        return view_class.as_view(**accepted)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("grading/", self._view(GradingQueueView), name="grading"),
            path("<int:pk>/", self._view(AttemptDetailView), name="attempt"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path(
                "quiz/<int:quiz_pk>/statistics/",
                self._view(QuizStatisticsView),
                name="statistics",
            ),
            path(
                "quiz/<int:quiz_pk>/statistics.csv",
                self._view(QuizStatisticsCsvView),
                name="statistics_csv",
            ),
            path("quiz/<int:quiz_pk>/regrade/", self._view(QuizRegradeView), name="regrade"),
        ]
