"""Template tags of the assessments app.

``{% quiz_panel quiz %}`` draws a quiz's rules, the trainee's standing and a start or
resume button; the lesson's quiz block and the quiz page use it, so content templates
get per-user data without courses importing assessments.
"""

from decimal import Decimal, InvalidOperation

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("lms/assessments/_quiz_panel.html", takes_context=True)
def quiz_panel(context, quiz, heading_level=2):
    request = context.get("request")
    user = getattr(request, "user", None)
    status = selectors.quiz_status(user, quiz) if user is not None else None
    return {
        "quiz": quiz,
        "status": status,
        "heading_level": heading_level,
        "request": request,
        "user": user,
    }


@register.inclusion_tag("lms/assessments/_course_quizzes.html", takes_context=True)
def course_quizzes(context, course, enrollment=None):
    """The quiz pages of a course's modules, with the trainee's standing on each.

    One query when the course has no quiz pages, two otherwise.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    pages = selectors.quiz_pages_of(course)
    results = selectors.best_results(user, [p.quiz_id for p in pages]) if pages and user else {}
    rows = [{"page": page, "result": results.get(page.quiz_id)} for page in pages]
    return {
        "rows": rows,
        "can_open": enrollment is not None and enrollment.is_active,
        "request": request,
    }


@register.filter
def score(value):
    """A score or points without needless decimals: "2.00" → "2", "1.50" → "1.5"."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return value
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


@register.filter
def clock(seconds):
    """Seconds as m:ss (or h:mm:ss) for the timer."""
    if seconds in (None, ""):
        return ""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
