"""The Wagtail admin for authoring quizzes: who may edit which quiz, and the snippet viewsets.

``QuizViewSet`` and ``QuestionCategoryViewSet`` are registered as snippets from
``wagtail_hooks.py`` (``register_snippet(QuizViewSet)``), and ``register_assessment_log_actions``
is hooked into ``register_log_actions`` there, so grading actions read well in the
admin's history and audit reports.

Importing this module registers the permission policies (before Wagtail makes default
ones): instructors add and edit the quizzes of the courses they teach (named on the
course or on one of its cohorts), superusers every quiz.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import chooser as snippet_choosers
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.accounts import roles
from lms.accounts.roles import is_instructor
from lms.courses.audit import register_course_log_models

from .models import Attempt, QuestionCategory, Quiz
from .services import LOG_ATTEMPT_REGRADE, LOG_MANUAL_GRADE, LOG_OVERRIDE, LOG_REGRADE


class _InstructorPolicy(BasePermissionPolicy):
    instructor_actions = frozenset()

    def user_has_permission(self, user, action):
        if user.is_authenticated and user.is_active and user.is_superuser:
            return True
        return action in self.instructor_actions and is_instructor(user)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        query = Q(is_superuser=True)
        if self.instructor_actions.intersection(actions):
            query |= Q(pk__in=User.objects.filter(groups__name=roles.INSTRUCTORS).values("pk"))
        return User.objects.filter(is_active=True).filter(query)


class QuizPermissionPolicy(_InstructorPolicy):
    """Instructors: the quizzes of the courses they teach; superusers: every quiz."""

    instructor_actions = frozenset({"add", "change", "delete", "view", "choose"})

    def _quizzes_of(self, user):
        from lms.courses.selectors import courses_taught_by

        return Quiz.objects.filter(course__in=courses_taught_by(user).values("pk"))

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if user.is_superuser:
            return True
        return self._quizzes_of(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not any(self.user_has_permission(user, action) for action in actions):
            return Quiz.objects.none()
        if user.is_superuser:
            return Quiz.objects.all()
        return self._quizzes_of(user)

    def users_with_any_permission_for_instance(self, actions, instance):
        from lms.courses.models import Cohort, CourseInstructor

        User = get_user_model()
        teaching = Q(
            pk__in=CourseInstructor.objects.filter(page_id=instance.course_id).values("user_id")
        ) | Q(pk__in=Cohort.objects.filter(course_id=instance.course_id).values("instructors"))
        query = Q(is_superuser=True)
        if self.instructor_actions.intersection(actions):
            query |= teaching & Q(groups__name=roles.INSTRUCTORS)
        return User.objects.filter(is_active=True).filter(query).distinct()


class QuestionCategoryPermissionPolicy(_InstructorPolicy):
    """Categories are shared: instructors add, edit and choose them; superusers delete."""

    instructor_actions = frozenset({"add", "change", "view", "choose"})

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if any(self.user_has_permission(user, action) for action in actions):
            return QuestionCategory.objects.all()
        return QuestionCategory.objects.none()


register_permission_policy(Quiz, QuizPermissionPolicy(Quiz))
register_permission_policy(QuestionCategory, QuestionCategoryPermissionPolicy(QuestionCategory))


class _OwnQuizOnly:
    """Refuse a quiz of another course on its edit, delete, history, usage and inspect views.

    Wagtail's generic views check the model-level permission only; the instance-level
    answer is the policy's (a 403 for someone else's quiz).
    """

    instance_action = "change"

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        policy = QuizPermissionPolicy(Quiz)
        if not policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, obj
        ):
            raise PermissionDenied
        return obj


class QuizEditView(_OwnQuizOnly, snippet_views.EditView):
    pass


class QuizDeleteView(_OwnQuizOnly, snippet_views.DeleteView):
    instance_action = "delete"


class QuizHistoryView(_OwnQuizOnly, snippet_views.HistoryView):
    pass


class QuizUsageView(_OwnQuizOnly, snippet_views.UsageView):
    pass


class QuizInspectView(_OwnQuizOnly, snippet_views.InspectView):
    instance_action = "view"


class _OwnQuizzesToChoose:
    """The quiz chooser (lesson quiz block, quiz page) lists only the user's courses' quizzes."""

    def get_object_list(self):
        return QuizPermissionPolicy(Quiz).instances_user_has_any_permission_for(
            self.request.user, ["choose", "change"]
        )


class QuizChooseView(_OwnQuizzesToChoose, snippet_choosers.ChooseView):
    pass


class QuizChooseResultsView(_OwnQuizzesToChoose, snippet_choosers.ChooseResultsView):
    pass


class QuizChooserViewSet(SnippetChooserViewSet):
    choose_view_class = QuizChooseView
    choose_results_view_class = QuizChooseResultsView


class QuizViewSet(SnippetViewSet):
    """Quizzes (確認テスト) in the admin menu; the listing shows only the user's courses."""

    model = Quiz
    icon = "help"
    menu_label = gettext_lazy("Quizzes")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["title", "course", "lesson", "pass_mark", "max_attempts", "updated_at"]
    list_filter = ["course", "review_policy"]
    search_fields = ["title"]
    edit_view_class = QuizEditView
    delete_view_class = QuizDeleteView
    history_view_class = QuizHistoryView
    usage_view_class = QuizUsageView
    inspect_view_class = QuizInspectView
    chooser_viewset_class = QuizChooserViewSet

    def get_queryset(self, request):
        policy = QuizPermissionPolicy(Quiz)
        return policy.instances_user_has_any_permission_for(
            request.user, ["change", "view"]
        ).select_related("course", "lesson")


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "tag"
    menu_label = gettext_lazy("Question categories")
    menu_order = 221
    add_to_admin_menu = True
    list_display = ["name", "slug"]
    search_fields = ["name"]


def register_assessment_log_actions(actions):
    """Manual grades, overrides and regrades, as Wagtail's history and audit reports show them.

    Attempts and quizzes are logged as course log entries (decision 0018): an instructor
    sees those of the courses they teach, in the site history report too.
    """
    register_course_log_models(actions, Attempt, Quiz)

    def with_reason(text, log_entry):
        # Wagtail shows no comment column for these records: the reason (or the grader's
        # comment) is part of the message.
        data = log_entry.data or {}
        if reason := data.get("reason", ""):
            return _("%(change)s. Reason: “%(reason)s”") % {"change": text, "reason": reason}
        if comment := data.get("comment", ""):
            return _("%(change)s. Comment: “%(comment)s”") % {"change": text, "comment": comment}
        return text

    @actions.register_action(LOG_MANUAL_GRADE)
    class ManualGradeFormatter(LogFormatter):
        label = gettext_lazy("Grade an answer by hand")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            text = _("Answer %(position)s graded: %(new)s points") % {
                "position": data.get("position", ""),
                "new": data.get("new_score", ""),
            }
            if data.get("old_score"):
                text = _("%(change)s (was %(old)s)") % {"change": text, "old": data["old_score"]}
            return with_reason(text, log_entry)

    @actions.register_action(LOG_OVERRIDE)
    class OverrideFormatter(LogFormatter):
        label = gettext_lazy("Override a score")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            values = {
                "old": data.get("old_score") or "-",
                "new": data.get("new_score", ""),
                "position": data.get("position", ""),
            }
            if data.get("position"):
                text = _("Answer %(position)s: score overridden: %(old)s → %(new)s") % values
            else:
                text = _("Score overridden: %(old)s → %(new)s") % values
            return with_reason(text, log_entry)

    @actions.register_action(LOG_REGRADE)
    class RegradeFormatter(LogFormatter):
        label = gettext_lazy("Regrade a question")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            text = _("Question regraded: %(count)s answers changed") % {
                "count": data.get("changed", 0),
            }
            return with_reason(text, log_entry)

    @actions.register_action(LOG_ATTEMPT_REGRADE)
    class AttemptRegradeFormatter(LogFormatter):
        label = gettext_lazy("Score changed by a regrade")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            text = _("Regraded question %(question)s: score %(old)s → %(new)s") % {
                "question": data.get("question_id", ""),
                "old": data.get("old_score") or "-",
                "new": data.get("new_score", ""),
            }
            return with_reason(text, log_entry)
