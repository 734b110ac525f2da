"""Courses: the content (Wagtail pages) and the tracking (cohorts, enrollments, progress).

Content pages form the tree 講座一覧 (CourseIndexPage) → 講座 (CoursePage) → 単元
(ModulePage) → レッスン (LessonPage). Tracking rows point at pages with
``on_delete=PROTECT``: deleting a course or lesson that trainees have used is refused
(see wagtail_hooks.py for the message instructors see), never silently cascaded.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.models import BasePage

from .blocks import LessonBlock


class CourseLevel(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CourseFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Online and fieldwork")
    IN_PERSON = "in_person", _("In person")


class EnrollmentPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone can enroll")
    APPROVAL = "approval", _("By approval of an instructor")
    CLOSED = "closed", _("Closed")


class CourseIndexPage(BasePage):
    """The course catalogue (講座一覧), with filters by theme, level, format and openness."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    template = "pages/course_index_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from .selectors import catalogue_courses

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_courses(index_page=self, params=request.GET))
        return context


class CoursePage(BasePage):
    """A course (講座): what it teaches, for whom, how to enroll and what earns the certificate."""

    summary_text = models.TextField(_("summary"), max_length=600)
    learning_outcomes = RichTextField(
        _("learning outcomes"), features=["bold", "italic", "ul", "ol", "link"]
    )
    audience = models.TextField(_("who it is for"), blank=True)
    total_hours = models.DecimalField(
        _("total hours"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    theme = models.ForeignKey(
        "cms.Theme",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.CharField(
        _("level"), max_length=20, choices=CourseLevel.choices, default=CourseLevel.INTRODUCTORY
    )
    format = models.CharField(
        _("format"), max_length=20, choices=CourseFormat.choices, default=CourseFormat.ONLINE
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_image_alt = models.CharField(
        _("cover image alternative text"),
        max_length=250,
        blank=True,
        help_text=_(
            "Required when there is a cover image: describe it for people who cannot see it."
        ),
    )
    enrollment_policy = models.CharField(
        _("enrollment"),
        max_length=20,
        choices=EnrollmentPolicy.choices,
        default=EnrollmentPolicy.OPEN,
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisites"),
        blank=True,
        related_name="required_by",
        help_text=_("Courses a trainee must have completed before enrolling."),
    )
    certificate_requirements = RichTextField(
        _("what the certificate requires"), blank=True, features=["bold", "italic", "ul", "ol"]
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary_text"),
        FieldPanel("learning_outcomes"),
        FieldPanel("audience"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("format"), FieldPanel("total_hours")]),
        FieldPanel("theme"),
        MultiFieldPanel(
            [FieldPanel("cover_image"), FieldPanel("cover_image_alt")], heading=_("Cover image")
        ),
        InlinePanel("course_instructors", label=_("Instructors")),
        MultiFieldPanel(
            [FieldPanel("enrollment_policy"), FieldPanel("prerequisites")],
            heading=_("Enrollment"),
        ),
        FieldPanel("certificate_requirements"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary_text"),
        index.SearchField("learning_outcomes"),
        index.SearchField("audience"),
        index.FilterField("level"),
        index.FilterField("format"),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    template = "pages/course_page.html"

    class Meta:
        verbose_name = _("course")

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_image_alt.strip():
            raise ValidationError(
                {"cover_image_alt": _("Describe the cover image for people who cannot see it.")}
            )

    @property
    def summary(self):
        return self.listing_summary or self.summary_text

    @property
    def tracked_course(self):
        """The course that holds cohorts, lessons and enrollments.

        A translation of a course (e.g. the English page of a Japanese course) is a window
        onto the same course: it enrolls into, and shows the lessons of, the original in
        the default language. See docs/decisions/0007-course-translations.md.
        """
        from wagtail.models import Locale

        default = Locale.get_default()
        if self.locale_id == default.pk:
            return self
        original = self.get_translation_or_none(default)
        return original.specific if original is not None else self

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        course = self.tracked_course
        outline = selectors.course_outline(course)
        enrollment = selectors.enrollment_for(request.user, course)
        cohorts = selectors.cohorts_with_seats(course)
        progress = None
        if enrollment is not None and enrollment.is_active:
            progress = selectors.enrollment_progress(enrollment, outline)
        context.update(
            tracked_course=course,
            outline=outline,
            enrollment=enrollment,
            progress=progress,
            cohorts=cohorts,
            open_for_enrollment=selectors.course_is_open(course, cohorts=cohorts),
        )
        return context

    def lessons(self):
        """The course's live lessons in the tree's order (modules in order, lessons in order)."""
        return LessonPage.objects.live().descendant_of(self).order_by("path")


class CourseInstructor(Orderable):
    """An instructor named on a course page; they may view its lessons and its trainees."""

    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="course_instructors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructor"),
        on_delete=models.CASCADE,
        related_name="instructed_courses",
        limit_choices_to={"groups__name": "Instructors"},
    )

    panels = [FieldPanel("user")]

    class Meta(Orderable.Meta):
        verbose_name = _("instructor")
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="unique_course_instructor")
        ]


class ModulePage(BasePage):
    """A module (単元): a group of lessons in order."""

    summary_text = models.TextField(_("summary"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary_text")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage", "assessments.QuizPage"]
    template = "pages/module_page.html"

    class Meta:
        verbose_name = _("module")

    def serve(self, request, *args, **kwargs):
        # A module has no page of its own for trainees: the course page lists its lessons.
        from django.shortcuts import redirect

        return redirect(self.get_parent().get_url(request))


class LessonPage(BasePage):
    """A lesson (レッスン): the learning content, readable by the course's active trainees."""

    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=15)
    required = models.BooleanField(
        _("required for completion"),
        default=True,
        help_text=_("Only required lessons count toward the course's progress and certificate."),
    )
    body = StreamField(LessonBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("required")]),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "pages/lesson_page.html"

    class Meta:
        verbose_name = _("lesson")

    def get_course(self):
        return CoursePage.objects.ancestor_of(self).live().first() or (
            CoursePage.objects.ancestor_of(self).first()
        )

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        access = getattr(request, "lesson_access", None) or selectors.lesson_access(
            request.user, self
        )
        outline = (
            selectors.course_outline(access.course, with_modules=False) if access.course else None
        )
        previous, following = outline.neighbours(self) if outline else (None, None)
        progress = None
        if access.enrollment is not None and access.enrollment.is_active and outline:
            progress = selectors.enrollment_progress(access.enrollment, outline)
        context.update(
            course=access.course,
            enrollment=access.enrollment,
            outline=outline,
            previous_lesson=previous,
            next_lesson=following,
            progress=progress,
            is_complete=bool(progress and self.pk in progress.completed_ids),
        )
        return context

    def serve(self, request, *args, **kwargs):
        from .views import lesson_serve

        return lesson_serve(request, self, super_serve=super().serve, args=args, kwargs=kwargs)


class Cohort(models.Model):
    """A cohort (期) of a course: dates, an enrollment window, a capacity and its instructors."""

    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For example: 第1期 (2027年春)"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    enrollment_opens_at = models.DateTimeField(_("enrollment opens"), null=True, blank=True)
    enrollment_closes_at = models.DateTimeField(_("enrollment closes"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructors"),
        blank=True,
        related_name="instructed_cohorts",
        limit_choices_to={"groups__name": "Instructors"},
    )

    panels = [
        FieldPanel("course"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldRowPanel([FieldPanel("enrollment_opens_at"), FieldPanel("enrollment_closes_at")]),
        FieldPanel("capacity"),
        FieldPanel("instructors"),
    ]

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="unique_cohort_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.course.title} {self.name}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("The end date must be on or after the start date.")}
            )
        if (
            self.enrollment_opens_at
            and self.enrollment_closes_at
            and self.enrollment_closes_at <= self.enrollment_opens_at
        ):
            raise ValidationError(
                {"enrollment_closes_at": _("Enrollment must close after it opens.")}
            )

    def is_enrollment_open(self, now=None):
        now = now or timezone.now()
        if self.enrollment_opens_at and now < self.enrollment_opens_at:
            return False
        if self.enrollment_closes_at and now >= self.enrollment_closes_at:
            return False
        return True


class Enrollment(models.Model):
    """A trainee's place in a course (受講登録). One per trainee and course, never deleted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        WAITLISTED = "waitlisted", _("On the waiting list")
        ACTIVE = "active", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REJECTED = "rejected", _("Not accepted")

    #: Statuses that hold a seat in a cohort.
    SEATED = (Status.ACTIVE, Status.COMPLETED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrollments"
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    waitlisted_at = models.DateTimeField(_("joined the waiting list at"), null=True, blank=True)
    decision_message = models.TextField(_("message from the instructor"), blank=True)
    last_lesson = models.ForeignKey(
        LessonPage,
        verbose_name=_("last lesson viewed"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_course"),
        ]
        indexes = [
            models.Index(fields=["course", "status"]),
            models.Index(fields=["cohort", "status"]),
        ]

    def __str__(self):
        return f"{self.user} — {self.course.title}"

    @property
    def is_active(self):
        return self.status in self.SEATED


class EnrollmentEvent(models.Model):
    """Every status change of an enrollment: who, when, from what to what, and why."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class LessonProgress(models.Model):
    """A lesson a trainee has completed. Kept when lessons move or are unpublished."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.PROTECT, related_name="progress")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="one_progress_per_lesson")
        ]

    def __str__(self):
        return f"{self.enrollment_id}: {self.lesson_id}"


from .audit import CourseLogEntry  # noqa: E402, F401  (the audit log model, decision 0018)
