"""The audit trail of course records: Wagtail log entries that know their course.

Wagtail keeps log entries of plain models in ``ModelLogEntry`` and shows them to a
non-superuser for every object of a model they have a Django permission on, or none at
all. Trainees' records (enrollments, quiz attempts, fieldwork entries, certificates) and
the course's own objects (cohorts, quizzes, fieldwork requirements) need a finer rule: an
instructor sees the entries of the courses they teach, and nothing of other courses; an
instructor named only on a cohort sees, of the trainees' records, only their cohorts'
(see ``CourseLogEntryManager.viewable_by_user``).

``CourseLogEntry`` is a log entry model with the course (and, for a trainee's record,
the enrollment) stored beside the logged object. Each app registers its models for it
in its ``register_log_actions`` hook with ``register_course_log_models``; Wagtail's
``log()`` then writes their entries here, and Wagtail's site history report and its
filters use ``viewable_by_user`` below. An object's own history view lists all of that
object's entries: who may open it is decided by its viewset (the object's queryset).

Where the entry belongs is derived from the logged object itself, so the services'
``log()`` calls do not change: an enrollment is its own; a model with a foreign key to
``courses.Enrollment`` belongs to that enrollment (and its course); a model with a
foreign key to ``courses.CoursePage`` belongs to that course. The course of an
enrollment's record is looked up by a subquery in the INSERT, so logging costs the same
number of queries as Wagtail's own log entries.

Decision 0018.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry
from wagtail.models.audit_log import ModelLogEntryManager

ENROLLMENT_MODEL = ("courses", "enrollment")
COURSE_MODEL = ("courses", "coursepage")


def _foreign_key_to(model, target: tuple[str, str]):
    """The (first) foreign key of ``model`` that points at ``target`` (app label, model)."""
    for field in model._meta.get_fields():
        if (
            (field.many_to_one or field.one_to_one)
            and field.concrete
            and field.related_model is not None
            and (field.related_model._meta.app_label, field.related_model._meta.model_name)
            == target
        ):
            return field
    return None


def course_scope_of(model) -> tuple[str, str]:
    """How entries of ``model`` find their course: ``("self", "")`` for an enrollment,
    ``("enrollment", attname)`` or ``("course", attname)``. Raises ImproperlyConfigured
    for a model that belongs to no course."""
    if (model._meta.app_label, model._meta.model_name) == ENROLLMENT_MODEL:
        return ("self", "")
    field = _foreign_key_to(model, ENROLLMENT_MODEL)
    if field is not None:
        return ("enrollment", field.attname)
    field = _foreign_key_to(model, COURSE_MODEL)
    if field is not None:
        return ("course", field.attname)
    raise ImproperlyConfigured(
        f"{model._meta.label} has no foreign key to an enrollment or a course: "
        "its log entries cannot be scoped to a course."
    )


def register_course_log_models(actions, *models_) -> None:
    """In a ``register_log_actions`` hook: log these models' actions as ``CourseLogEntry``."""
    for model in models_:
        course_scope_of(model)  # fail at start-up, not when the first action is logged
        actions.register_model(model, CourseLogEntry)


class CourseLogEntryManager(ModelLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kind, attname = course_scope_of(type(instance))
        if kind == "self":
            kwargs.update(enrollment_id=instance.pk, course_id=instance.course_id)
        elif kind == "enrollment":
            from .models import Enrollment

            enrollment_id = getattr(instance, attname)
            kwargs["enrollment_id"] = enrollment_id
            if enrollment_id is not None:
                # The course, in the INSERT itself: no query of its own.
                kwargs["course_id"] = models.Subquery(
                    Enrollment.objects.filter(pk=enrollment_id).values("course_id")[:1]
                )
        else:
            kwargs["course_id"] = getattr(instance, attname)
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        """The entries ``user`` may read in the site history report and its filters.

        Superusers: every entry. Anyone who is not an instructor: none. An instructor sees
        the admin's rule for trainees' records and for course objects:

        - an entry about a trainee's record (it has an enrollment: the enrollment itself, a
          quiz attempt, a fieldwork entry, a certificate) only if the enrollment is one
          they may see (``selectors.enrollments_visible_to``: every enrollment of a course
          naming them, else only those of the cohorts naming them), so an instructor named
          only on a cohort sees nothing of the course's other cohorts' trainees, as in the
          enrollment admin, the gradebook and the cohort dashboards;
        - an entry about the course's own objects (no enrollment: a quiz and its regrade
          summary, a cohort, the fieldwork requirement) for every course they teach
          (``selectors.courses_taught_by``), cohort-only instructors included: those
          objects are shared by the course's cohorts, their admin pages (and so their
          history) are open to every instructor of the course, and such entries name no
          trainee (a regrade's changes to each trainee's attempt are logged on the attempt,
          with its enrollment, and follow the rule above).

        Subqueries only: the report's number of queries does not change.
        """
        from lms.accounts.roles import is_instructor

        from . import selectors

        if user.is_superuser and user.is_active:
            return self.all()
        if not is_instructor(user):
            return self.none()
        return self.filter(
            models.Q(enrollment__in=selectors.enrollments_visible_to(user).values("pk"))
            | models.Q(
                enrollment__isnull=True,
                course__in=selectors.courses_taught_by(user).values("pk"),
            )
        )


class CourseLogEntry(BaseLogEntry):
    """An audit log entry of a course record (see the module's docstring)."""

    object_id = models.CharField(max_length=255, blank=False, db_index=True)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # a log never stops a course from being deleted
        related_name="+",
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        verbose_name=_("enrollment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CourseLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("course log entry")
        verbose_name_plural = _("course log entries")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["uuid", "action", "-timestamp"]),
        ]

    def __str__(self):
        return (
            f"CourseLogEntry {self.pk}: '{self.action}' on '{self.object_verbose_name}' "
            f"with id {self.object_id}"
        )

    def save(self, *args, **kwargs):
        # As Wagtail's log entries (the action must be registered, the content type and
        # user must exist), except the course and enrollment: they are derived, and the
        # course of a trainee's record may still be a subquery here.
        self.full_clean(exclude=["course", "enrollment"])
        models.Model.save(self, *args, **kwargs)
        if hasattr(self.__dict__.get("course_id"), "resolve_expression"):
            del self.__dict__["course_id"]  # read from the database if asked for


def _site_history_users(self):
    from wagtail.admin.views.reports.audit_logging import get_users_for_filter

    return get_users_for_filter(self.request.user)


def scope_site_history_user_filter() -> None:
    """Make the site history report's "User" filter offer only the users of entries the
    reader may see.

    In Wagtail 8 the report's filter set inherits ``get_users_queryset`` from the
    generic history filter set, which lists every user of every *page* log entry
    (unscoped: an instructor would see the names of other courses' editors) and none of
    the other log models' users. Wagtail's own ``get_users_for_filter(user)`` (which the
    report's ``get_user_choices`` was meant to use) asks each log model's
    ``viewable_by_user``. Applied once, only while Wagtail does not define the method on
    the report's filter set itself.
    """
    from wagtail.admin.views.reports.audit_logging import SiteHistoryReportFilterSet

    if "get_users_queryset" not in SiteHistoryReportFilterSet.__dict__:
        SiteHistoryReportFilterSet.get_users_queryset = _site_history_users


__all__ = [
    "CourseLogEntry",
    "course_scope_of",
    "register_course_log_models",
    "scope_site_history_user_filter",
]
