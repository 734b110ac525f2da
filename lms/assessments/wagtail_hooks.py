"""Wagtail admin hooks of the assessments app.

The quiz and question-category snippets (with their permission policies) and the log
actions of grading come from ``viewsets.py``.
"""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .viewsets import QuestionCategoryViewSet, QuizViewSet, register_assessment_log_actions

register_snippet(QuizViewSet)
register_snippet(QuestionCategoryViewSet)
hooks.register("register_log_actions", register_assessment_log_actions)
