"""Assessments: quizzes (確認テスト) authored in the admin, and the attempts trainees make.

* ``Quiz`` (a snippet) holds the settings and the questions (a StreamField of question
  blocks, see blocks.py). It belongs to a course, and optionally to the lesson whose
  completion passing it records. It is shown in a lesson by the lesson's quiz block, or
  on its own page (``QuizPage``) in a module.
* ``Attempt`` is one try by one trainee; ``Answer`` is one question of it, holding the
  question as the trainee saw it (a JSON snapshot) and what they answered, so editing the
  quiz later never rewrites history. ``ScoreChange`` records every manual grade, override
  and regrade, append-only.

Rules live in services.py; the database holds what it can (attempt numbers unique per
trainee and quiz, one answer per position).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from cms.models import BasePage

from .blocks import QuestionStreamBlock


class QuestionCategory(models.Model):
    """A category of questions (e.g. 基礎, 事例), from which a quiz may draw at random."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)
        super().save(*args, **kwargs)


class ReviewPolicy(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately after submitting")
    AFTER_CLOSE = "after_close", _("After the quiz closes")
    NEVER = "never", _("Never (score only)")


class QuizLayout(models.TextChoices):
    ONE_PER_PAGE = "one_per_page", _("One question per page")
    ALL_ON_ONE_PAGE = "all_on_one_page", _("All questions on one page")


class QuizAdminForm(WagtailAdminModelForm):
    """The quiz form: an instructor may choose only the courses (and lessons) they teach."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is None or "course" not in self.fields:
            return
        from lms.courses.models import LessonPage
        from lms.courses.selectors import courses_taught_by

        courses = courses_taught_by(user)
        self.fields["course"].queryset = courses.order_by("path")
        if "lesson" in self.fields:
            lessons = LessonPage.objects.none()
            for course in self.fields["course"].queryset:
                lessons = lessons | LessonPage.objects.descendant_of(course)
            self.fields["lesson"].queryset = lessons.order_by("path")


class Quiz(ClusterableModel):
    """A quiz (確認テスト): its rules and its questions.

    Instructors edit the quizzes of the courses they teach (see permissions.py); each
    attempt freezes the questions it drew, so edits never change past attempts.
    """

    title = models.CharField(_("title"), max_length=200)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="quizzes",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
        help_text=_("Passing the quiz completes this lesson. Leave empty for a quiz of its own."),
    )
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for unlimited attempts."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit."),
    )
    grace_seconds = models.PositiveSmallIntegerField(
        _("grace period (seconds)"),
        default=30,
        help_text=_("Answers arriving this long after the time limit are still accepted."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    review_policy = models.CharField(
        _("review of answers and feedback"),
        max_length=20,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.IMMEDIATELY,
    )
    required_for_completion = models.BooleanField(_("required for course completion"), default=True)
    layout = models.CharField(
        _("layout"), max_length=20, choices=QuizLayout.choices, default=QuizLayout.ONE_PER_PAGE
    )
    shuffle_choices = models.BooleanField(
        _("shuffle choices"),
        default=True,
        help_text=_("Each attempt shows the choices (and ordering items) in a new order."),
    )
    questions = StreamField(QuestionStreamBlock(), blank=True, verbose_name=_("questions"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    base_form_class = QuizAdminForm

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("course"), FieldPanel("lesson")]),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("max_attempts")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("grace_seconds")]),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("review_policy"),
                FieldRowPanel([FieldPanel("layout"), FieldPanel("shuffle_choices")]),
                FieldPanel("required_for_completion"),
            ],
            heading=_("Settings"),
        ),
        FieldPanel("questions"),
        InlinePanel(
            "draw_rules",
            label=_("Random draw"),
            help_text=_(
                "Optional: each attempt takes this many questions at random from a category. "
                "Questions of other categories are always asked."
            ),
        ),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["course", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="quiz_pass_mark_max_100"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="quiz_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The quiz must close after it opens.")
        if self.review_policy == ReviewPolicy.AFTER_CLOSE and not self.closes_at:
            errors["closes_at"] = _(
                "Set a close date: answers are to be shown after the quiz closes."
            )
        if self.lesson_id and self.course_id:
            from lms.courses.models import LessonPage

            if not LessonPage.objects.descendant_of(self.course).filter(pk=self.lesson_id):
                errors["lesson"] = _("Choose a lesson of the quiz's course.")
        if errors:
            raise ValidationError(errors)

    # --- Questions ---------------------------------------------------------------------
    def question_blocks(self):
        """(block id, block, value) for each question, in the authored order."""
        return [(child.id, child.block, child.value) for child in self.questions]

    def question_snapshot(self, question_id: str) -> dict | None:
        """The current version of one question as a snapshot (for regrading after a fix)."""
        for block_id, block, value in self.question_blocks():
            if str(block_id) == str(question_id):
                category = value.get("category")
                return block.snapshot(
                    value, block_id=block_id, category_slug=category.slug if category else ""
                )
        return None

    @property
    def question_count(self) -> int:
        """How many questions each attempt asks (after the random draw)."""
        counts = {}
        for _id, _block, value in self.question_blocks():
            category = value.get("category")
            key = category.pk if category else None
            counts[key] = counts.get(key, 0) + 1
        drawn = {rule.category_id: rule.count for rule in self.draw_rules.all()}
        total = 0
        for key, count in counts.items():
            total += min(drawn[key], count) if key in drawn else count
        return total

    # --- Rules -------------------------------------------------------------------------
    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    @property
    def time_limit(self) -> datetime.timedelta | None:
        if not self.time_limit_minutes:
            return None
        return datetime.timedelta(minutes=self.time_limit_minutes)


class QuizDrawRule(Orderable):
    """Take ``count`` questions at random from ``category`` in each attempt."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="draw_rules")
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("question category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveSmallIntegerField(
        _("number of questions"), validators=[MinValueValidator(1)]
    )

    panels = [FieldRowPanel([FieldPanel("category"), FieldPanel("count")])]

    class Meta(Orderable.Meta):
        verbose_name = _("random draw")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "category"], name="one_draw_rule_per_category")
        ]

    def __str__(self):
        return f"{self.category} × {self.count}"


class QuizPageForm(WagtailAdminPageForm):
    """A quiz page offers (and accepts) only the quizzes of the course it is in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.parent_page
        if parent is None or "quiz" not in self.fields:
            return
        from lms.courses.models import CoursePage

        course = CoursePage.objects.filter(path=parent.path[: -CoursePage.steplen]).first()
        if course is not None:
            self.fields["quiz"].queryset = Quiz.objects.filter(course=course.tracked_course)
            self.fields["quiz"].error_messages["invalid_choice"] = _(
                "Choose a quiz of this course."
            )


class QuizPage(BasePage):
    """A quiz as a page of its own in a module (e.g. the module's 確認テスト).

    The page shows the quiz's introduction, rules and the trainee's status with a start
    or resume button; the attempt itself runs on the assessments app's own URLs.
    """

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="pages"
    )

    content_panels = [*Page.content_panels, FieldPanel("quiz")]
    base_form_class = QuizPageForm
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "pages/quiz_page.html"

    class Meta:
        verbose_name = _("quiz page")


class Attempt(models.Model):
    """One try at a quiz by one trainee; numbered 1, 2, 3 … per trainee and quiz."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Awaiting grading")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("enrollment"),
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
    )
    number = models.PositiveIntegerField(_("attempt number"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline_at = models.DateTimeField(_("time limit ends at"), null=True, blank=True)
    grace_until = models.DateTimeField(
        _("answers accepted until"),
        null=True,
        blank=True,
        help_text=_("The time limit plus the grace period: the server refuses answers after it."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    timed_out = models.BooleanField(_("closed by the time limit"), default=False)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2)
    percentage = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    overridden = models.BooleanField(
        _("score overridden by an instructor"),
        default=False,
        help_text=_("Regrading keeps an instructor's override of the attempt's score."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Increased by every save; a page older than the last save is refused."),
    )

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="unique_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(status="in_progress"),
                name="one_open_attempt_per_quiz",
            ),
        ]
        indexes = [models.Index(fields=["status", "grace_until"])]

    def __str__(self):
        return f"{self.quiz} #{self.number} ({self.user})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and self.grace_until is not None and now > self.grace_until

    def remaining_seconds(self, now=None) -> int | None:
        if self.deadline_at is None:
            return None
        now = now or timezone.now()
        return max(0, int((self.deadline_at - now).total_seconds()))

    def review_allowed(self, now=None) -> bool:
        """Whether answers, correct markers, feedback and explanations may be shown."""
        if self.is_open:
            return False
        policy = self.quiz.review_policy
        if policy == ReviewPolicy.IMMEDIATELY:
            return True
        if policy == ReviewPolicy.AFTER_CLOSE:
            now = now or timezone.now()
            return self.quiz.closes_at is not None and now >= self.quiz.closes_at
        return False


class Answer(models.Model):
    """One question of an attempt: the question as shown (snapshot) and the trainee's answer."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    question_id = models.CharField(_("question id"), max_length=64, db_index=True)
    question = models.JSONField(_("question as shown"))
    corrected_question = models.JSONField(
        _("corrected question"),
        null=True,
        blank=True,
        help_text=_("Set by a regrade: the fixed question this answer was graded against."),
    )
    response = models.JSONField(_("response"), default=dict, blank=True)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    auto_score = models.DecimalField(
        _("automatic score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2)
    needs_manual = models.BooleanField(_("needs grading by an instructor"), default=False)
    comment = models.TextField(_("grader's comment"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="unique_answer_position")
        ]

    def __str__(self):
        return f"{self.attempt_id}/{self.position}"

    @property
    def grading_question(self) -> dict:
        """The question this answer is graded against: the corrected one after a regrade."""
        return self.corrected_question or self.question

    @property
    def is_answered(self) -> bool:
        response = self.response or {}
        return any(value not in (None, "", [], {}) for value in response.values())


class ScoreChange(models.Model):
    """An append-only record of a score changed by a person: who, when, from what, why."""

    class Kind(models.TextChoices):
        MANUAL_GRADE = "manual_grade", _("Manual grade")
        OVERRIDE = "override", _("Override")
        REGRADE = "regrade", _("Regrade")

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.PROTECT, related_name="score_changes"
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="score_changes",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("changed at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    old_score = models.DecimalField(
        _("old score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    new_score = models.DecimalField(
        _("new score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.old_score} → {self.new_score}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Score changes are append-only: they are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Score changes are append-only: they are never deleted.")
