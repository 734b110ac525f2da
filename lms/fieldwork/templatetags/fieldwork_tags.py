"""Template tags that show fieldwork on pages of other apps (course, dashboard, lesson).

Content models never import fieldwork: their templates load these tags instead. Costs:
one query on a page whose course has no requirement; with requirements, two more for the
whole page (however many courses it shows), see ``selectors.progress_panel``.
"""

from decimal import Decimal, InvalidOperation

from django import template

from .. import selectors
from ..models import FieldworkEntry, FieldworkEvent

register = template.Library()

_LABELS = {
    FieldworkEvent.Kind.REVIEW: dict(FieldworkEntry.Status.choices),
    FieldworkEvent.Kind.CORRECTION: dict(FieldworkEntry.Status.choices),
    FieldworkEvent.Kind.SUPERVISOR: dict(FieldworkEntry.SupervisorStatus.choices),
}


@register.filter
def hours(value):
    """Hours as people write them: 2.5, 0.25, 4 (never 4.00 or 2.50)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    text = f"{number.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text or "0"


@register.simple_tag
def status_label(kind, status):
    """The readable name of a status recorded in an event ("—" for none)."""
    if not status:
        return "—"
    return _LABELS.get(kind, {}).get(status, status)


@register.inclusion_tag("lms/fieldwork/_requirement_panel.html", takes_context=True)
def fieldwork_requirement(context, course, enrollment=None, level=2, link=True):
    """The course's fieldwork requirement and, for its trainee, the approved hours so far."""
    request = context.get("request")
    course_id = getattr(course, "pk", course)
    panel = selectors.progress_panel(request, course_id, enrollment) if course_id else None
    return {
        "panel": panel,
        "course_id": course_id,
        "level": level,
        "show_link": link,
        "request": request,
    }


@register.inclusion_tag("lms/fieldwork/_assignment.html", takes_context=True)
def fieldwork_assignment(context):
    """The requirement and progress inside a lesson's fieldwork-assignment block.

    The lesson page's context has its course and the reader's enrollment; when the block is
    rendered elsewhere (a preview) the course is found from the page's position in the tree.
    """
    request = context.get("request")
    course = context.get("course")
    enrollment = context.get("enrollment")
    page = context.get("page")
    if course is None and page is not None and getattr(page, "depth", 0) > 2:
        from lms.courses.selectors import course_for_lesson

        course = course_for_lesson(page)
    panel = selectors.progress_panel(request, course.pk, enrollment) if course else None
    return {"panel": panel, "course_id": course.pk if course else None, "level": 3}
