"""Build the method library quickly: an index, methods, case studies, documents, partners."""

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from cms.models import (
    CaseStudyMethod,
    CaseStudyPage,
    MethodIndexPage,
    MethodPage,
    MethodRelation,
    TargetGroup,
    Theme,
)
from lms.accounts.models import PartnerOrganisation
from lms.accounts.services import partner_organisation_add_member, partner_organisation_ensure

from .accounts import UserFactory


def library_index(home, *, slug="library", title="手法ライブラリ"):
    index = MethodIndexPage.objects.child_of(home).first()
    if index is None:
        index = MethodIndexPage(title=title, slug=slug, intro="<p>手法と事例</p>")
        home.add_child(instance=index)
    return index


def theme(slug, name, name_en="", sort_order=0):
    return Theme.objects.get_or_create(
        slug=slug, defaults={"name": name, "name_en": name_en, "sort_order": sort_order}
    )[0]


def target_group(slug, name, name_en="", sort_order=0):
    return TargetGroup.objects.get_or_create(
        slug=slug, defaults={"name": name, "name_en": name_en, "sort_order": sort_order}
    )[0]


def steps(*texts):
    return [
        ("step", {"title": f"手順{n}", "description": f"<p>{text}</p>", "tip": ""})
        for n, text in enumerate(texts, start=1)
    ]


def method(
    index,
    *,
    slug,
    title=None,
    visibility="public",
    body="手順の本文",
    themes=(),
    targets=(),
    related=(),
    **fields,
):
    """A live method whose steps contain ``body`` (the text only its readers may see)."""
    page = MethodPage(
        title=title or f"手法 {slug}",
        slug=slug,
        visibility=visibility,
        summary_text=fields.pop("summary_text", f"{title or slug}の概要"),
        problem=fields.pop("problem", "<p>地域の課題</p>"),
        steps=fields.pop("steps", steps(body)),
        **fields,
    )
    page.themes = list(themes)
    page.target_groups = list(targets)
    page.related_method_links = [MethodRelation(method=m) for m in related]
    index.add_child(instance=page)
    return page


def case_study(
    index,
    *,
    slug,
    title=None,
    visibility="public",
    body="事例の本文",
    prefecture="tokyo",
    methods=(),
    themes=(),
    targets=(),
    **fields,
):
    page = CaseStudyPage(
        title=title or f"事例 {slug}",
        slug=slug,
        visibility=visibility,
        summary_text=fields.pop("summary_text", f"{title or slug}の概要"),
        prefecture=prefecture,
        story=fields.pop("story", [("paragraph", f"<p>{body}</p>")]),
        **fields,
    )
    page.themes = list(themes)
    page.target_groups = list(targets)
    page.method_links = [CaseStudyMethod(method=m) for m in methods]
    index.add_child(instance=page)
    return page


def document(*, title, visibility="public", content="資料の中身", filename=None):
    Document = get_document_model()
    doc = Document(title=title, visibility=visibility)
    doc.file.save(filename or f"{title}.txt", ContentFile(content.encode("utf-8")), save=False)
    doc.save()
    return doc


def partner_member(*, active=True, organisation_name=None, **user_fields):
    """A user who is a partner through membership of an organisation (not the Partners group)."""
    user = UserFactory(**user_fields)
    organisation = partner_organisation_ensure(
        name=organisation_name or f"賛同事業者 {user.email}", active=active
    )
    partner_organisation_add_member(organisation=organisation, user=user)
    return user


def organisations():
    return PartnerOrganisation.objects.all()


# --- What the reader sees, in the page's language ------------------------------------------
def ja(msgid: str) -> str:
    """``msgid`` as a Japanese page shows it (whatever the state of the catalogue)."""
    from django.utils import translation

    with translation.override("ja"):
        return translation.gettext(msgid)


def ja_count(number: int) -> str:
    """The index's "N methods and case studies" line, in Japanese."""
    from django.utils import translation

    with translation.override("ja"):
        return translation.ngettext(
            "%(counter)s method or case study", "%(counter)s methods and case studies", number
        ) % {"counter": number}
