"""The method library in the site's Japanese search (cms.textsearch).

A method or case study is indexed with its visibility, so a search only ever returns
what the reader may open (``cms.visibility.visibilities_for``).
"""

from . import textsearch
from .textsearch import html_to_text, streamfield_text


def _join(*parts) -> str:
    return "\n".join(p for p in parts if p)


def _method_body(page) -> str:
    return _join(
        page.summary_text,
        html_to_text(page.problem or ""),
        page.audience,
        streamfield_text(page.steps),
        page.resources_people,
        page.resources_things,
        page.resources_money,
        html_to_text(page.outcomes or ""),
        streamfield_text(page.indicators),
        streamfield_text(page.pitfalls),
    )


def _case_study_body(page) -> str:
    return _join(
        page.summary_text,
        page.municipality,
        streamfield_text(page.project_partners),
        streamfield_text(page.story),
        streamfield_text(page.figures),
        html_to_text(page.lessons_learned or ""),
    )


def _filters(kind):
    def filters(page) -> dict:
        values = {
            "kind": kind,
            "theme": [t.slug for t in page.themes.all()],
            "target": [g.slug for g in page.target_groups.all()],
        }
        if page.prefecture:
            values["prefecture"] = page.prefecture
        if page.stage:
            values["stage"] = page.stage
        return values

    return filters


def register() -> None:
    from .models import CaseStudyPage, MethodPage

    for model, kind, body in (
        (MethodPage, "method", _method_body),
        (CaseStudyPage, "case_study", _case_study_body),
    ):
        textsearch.register(
            model,
            title=lambda page: page.title,
            body=body,
            visibility=lambda page: page.visibility,
            filters=_filters(kind),
            language=lambda page: page.locale.language_code,
            live=lambda page: page.live,
        )
        textsearch.connect_page_signals(model)
