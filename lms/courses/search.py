"""Course pages in the site's Japanese search (cms.textsearch).

Only the public description of a course is indexed; lesson bodies are for enrolled
trainees and are never indexed, so search cannot leak them.
"""

from cms import textsearch
from cms.textsearch import html_to_text


def _body(course) -> str:
    parts = [
        course.summary_text,
        html_to_text(course.learning_outcomes or ""),
        course.audience,
        html_to_text(course.certificate_requirements or ""),
    ]
    return "\n".join(p for p in parts if p)


def _filters(course) -> dict:
    filters = {"kind": "course", "level": course.level, "format": course.format}
    if course.theme_id:
        filters["theme"] = course.theme.slug
    return filters


def register() -> None:
    from .models import CoursePage

    textsearch.register(
        CoursePage,
        title=lambda course: course.title,
        body=_body,
        visibility=lambda course: "public",
        filters=_filters,
        language=lambda course: course.locale.language_code,
        live=lambda course: course.live,
    )
    textsearch.connect_page_signals(CoursePage)
