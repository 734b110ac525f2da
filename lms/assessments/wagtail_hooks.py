"""Wagtail admin hooks of the assessments app.

The quiz and question-category snippets (with their permission policies) and the log
actions of grading come from ``viewsets.py``; the instructors' grading, attempts,
statistics and regrade views from ``admin_views.py``.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin_views import AttemptPermissionPolicy, AttemptViewSet, GradingQueuePanel
from .models import Attempt, Quiz
from .viewsets import QuestionCategoryViewSet, QuizViewSet, register_assessment_log_actions

# Before anything asks Wagtail for this policy (it would make a default one).
register_permission_policy(Attempt, AttemptPermissionPolicy(Attempt))

register_snippet(QuizViewSet)
register_snippet(QuestionCategoryViewSet)
hooks.register("register_log_actions", register_assessment_log_actions)

attempt_viewset = AttemptViewSet()


@hooks.register("register_admin_viewset")
def register_attempt_viewset():
    return attempt_viewset


class GradingQueueMenuItem(MenuItem):
    """採点待ち, for those who grade (instructors and superusers)."""

    def is_shown(self, request):
        policy = policy_registry.get_by_type(Attempt)
        return policy.user_has_permission(request.user, "change")


@hooks.register("register_admin_menu_item")
def register_grading_queue_menu_item():
    return GradingQueueMenuItem(
        gettext_lazy("Grading queue"),
        reverse(attempt_viewset.get_url_name("grading")),
        name="grading-queue",
        icon_name="edit",
        order=222,
    )


@hooks.register("construct_homepage_panels")
def add_grading_queue_panel(request, panels):
    """The attempts waiting for a grade, on the dashboard of those who grade."""
    if policy_registry.get_by_type(Attempt).user_has_permission(request.user, "change"):
        panels.append(
            GradingQueuePanel(
                attempt_url_name=attempt_viewset.get_url_name("attempt"),
                queue_url_name=attempt_viewset.get_url_name("grading"),
            )
        )


@hooks.register("register_snippet_listing_buttons")
def quiz_listing_buttons(snippet, user, next_url=None):
    """Statistics, attempts and regrade, in each quiz's "More" menu of the quiz listing.

    The listing shows only the quizzes of the user's courses, and the views behind the
    buttons check again (a 404 for another course's quiz), so no query per row here.
    """
    if not isinstance(snippet, Quiz):
        return []
    if not policy_registry.get_by_type(Attempt).user_has_permission(user, "view"):
        return []
    return [
        Button(
            gettext_lazy("Statistics"),
            url=reverse(attempt_viewset.get_url_name("statistics"), args=[snippet.pk]),
            icon_name="table",
            priority=60,
        ),
        Button(
            gettext_lazy("Attempts"),
            url=reverse(attempt_viewset.get_url_name("index")) + f"?quiz={snippet.pk}",
            icon_name="list-ul",
            priority=61,
        ),
        Button(
            gettext_lazy("Regrade a question"),
            url=reverse(attempt_viewset.get_url_name("regrade"), args=[snippet.pk]),
            icon_name="repeat",
            priority=62,
        ),
    ]
