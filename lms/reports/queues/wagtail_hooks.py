"""The review queues panel on the Wagtail admin home (issue 8, part 3).

Instructors see what waits in the courses they teach, superusers in every course; other
admin users get no panel. Every count links to the listing it counts, already filtered.
"""

from urllib.parse import urlencode

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.ui.components import Component

from lms.accounts.roles import is_instructor
from lms.courses.models import Enrollment
from lms.fieldwork.models import FieldworkEntry

from . import selectors

#: The listings the counts link to (URL names of the courses, fieldwork and assessments
#: admin viewsets) and the filters they understand.
ENROLLMENTS_URL_NAME = "enrollments:index"
FIELDWORK_URL_NAME = "fieldwork_entries:index"
GRADING_URL_NAME = "quiz_attempts:grading"


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


class ReviewQueuesPanel(Component):
    """Pending enrollments, fieldwork entries and essay answers waiting, per course."""

    name = "review_queues"
    template_name = "lms/reports/queues/home_panel.html"
    order = 40

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        queues = selectors.review_queues(parent_context["request"].user)
        pending = Enrollment.Status.PENDING.value
        submitted = FieldworkEntry.Status.SUBMITTED.value
        rows = []
        for course in queues.courses:
            essays_params = {"quiz": course.only_quiz_id} if course.only_quiz_id else {}
            rows.append(
                {
                    "course": course,
                    "enrollments_url": _url(
                        ENROLLMENTS_URL_NAME, course=course.course_id, status=pending
                    ),
                    "fieldwork_url": _url(
                        FIELDWORK_URL_NAME, course=course.course_id, status=submitted
                    ),
                    "essays_url": _url(GRADING_URL_NAME, **essays_params),
                }
            )
        context.update(
            queues=queues,
            rows=rows,
            enrollments_url=_url(ENROLLMENTS_URL_NAME, status=pending),
            fieldwork_url=_url(FIELDWORK_URL_NAME, status=submitted),
            essays_url=_url(GRADING_URL_NAME),
        )
        return context


@hooks.register("construct_homepage_panels")
def add_review_queues_panel(request, panels):
    """Only for those who review: instructors (their courses) and superusers (all)."""
    if is_instructor(request.user):
        panels.append(ReviewQueuesPanel())
