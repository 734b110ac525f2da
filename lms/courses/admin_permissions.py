"""Per-course permissions in the Wagtail admin, for models that belong to a course.

Wagtail's default policy for a snippet or model viewset is all-or-nothing per model
(Django's model permissions). Course records need more: an instructor manages the cohorts
(and, in higher apps, the quizzes, fieldwork requirements, ...) of the courses they teach,
and nothing of anybody else's course. ``CourseScopedPolicy`` says who may do what;
``CourseScopedViewSetMixin`` makes every view of a viewset apply it to the object in the
URL (Wagtail checks only the model-level permission there), and limits the course field
of the form to the user's own courses.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.permission_policies.base import BasePermissionPolicy

from lms.accounts import roles
from lms.accounts.roles import is_instructor

from . import selectors


class InstructorPolicy(BasePermissionPolicy):
    """Instructors and superusers may use the admin views of a model; on each object only
    if it is among ``visible(user)`` (the objects of the courses they teach).

    Model-level answers cost one query per request at most (``is_instructor`` caches it
    on the user); instance-level answers filter ``visible(user)``.
    """

    actions = frozenset({"view", "change"})

    def __init__(self, model, *, actions=None):
        super().__init__(model)
        if actions is not None:
            self.actions = frozenset(actions)

    def visible(self, user):
        """The objects ``user`` may act on (a lazy queryset); subclasses define it."""
        raise NotImplementedError

    def user_has_permission(self, user, action):
        return action in self.actions and is_instructor(user)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        if not self.actions.intersection(actions):
            return User.objects.none()
        return User.objects.filter(is_active=True).filter(
            Q(is_superuser=True)
            | Q(pk__in=User.objects.filter(groups__name=roles.INSTRUCTORS).values("pk"))
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not any(self.user_has_permission(user, action) for action in actions):
            return self.model._default_manager.none()
        return self.visible(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self.visible(user).filter(pk=instance.pk).exists()
        )

    def users_with_any_permission_for_instance(self, actions, instance):
        # Used by Wagtail only for notifications; the model-level answer is a safe superset.
        return self.users_with_any_permission(actions)


class CourseScopedPolicy(InstructorPolicy):
    """Instructors add, change, delete and view the objects of the courses they teach;
    superusers all. ``course_field`` is the lookup from the model to its ``CoursePage``."""

    actions = frozenset({"add", "change", "delete", "view"})
    course_field = "course"

    def __init__(self, model, *, course_field: str | None = None, actions=None):
        super().__init__(model, actions=actions)
        if course_field:
            self.course_field = course_field

    def visible(self, user):
        objects = self.model._default_manager.all()
        if user.is_superuser:
            return objects
        courses = selectors.courses_taught_by(user).values("pk")
        return objects.filter(**{f"{self.course_field}__in": courses})


class CourseScopedForm(WagtailAdminModelForm):
    """Offers only the user's own courses in the ``course`` field, as a plain select."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("course")
        if field is not None and for_user is not None:
            field.queryset = selectors.courses_taught_by(for_user).order_by("path")
            field.widget = forms.Select(choices=field.choices)


def _checked(view_class, action):
    """``view_class`` with its object checked against the policy for ``action``."""

    class Checked(view_class):
        def get_object(self, *args, **kwargs):
            obj = super().get_object(*args, **kwargs)
            if not self.permission_policy.user_has_permission_for_instance(
                self.request.user, action, obj
            ):
                raise PermissionDenied
            return obj

    Checked.__name__ = f"CourseScoped{view_class.__name__}"
    Checked.__qualname__ = Checked.__name__
    return Checked


class CourseScopedViewSetMixin:
    """For a ``SnippetViewSet`` or ``ModelViewSet`` whose model has a course.

    Register ``CourseScopedPolicy(model)`` for the model with
    ``wagtail.permissions.register_permission_policy`` before the viewset is registered.
    """

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_any_permission_for(
            request.user, ["view", "change"]
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edit_view_class = _checked(self.edit_view_class, "change")
        self.delete_view_class = _checked(self.delete_view_class, "delete")
        for name in ("inspect_view_class", "history_view_class", "usage_view_class"):
            if hasattr(self, name):
                setattr(self, name, _checked(getattr(self, name), "view"))
