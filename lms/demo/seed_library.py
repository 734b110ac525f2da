"""Demo method library: target groups, the index, documents, methods, case studies, a partner.

Idempotent like the rest of ``lms.demo``: every object is looked up before anything is
created (pages under their parent by slug, documents by title, the organisation by name),
and an existing one is left as it is, so a second run saves no revision and an editor's
changes in the admin survive. The text lives in ``library_content.py``.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.models import Locale

from cms.models import (
    CaseStudyMethod,
    CaseStudyPage,
    MethodIndexPage,
    MethodPage,
    MethodRelation,
    TargetGroup,
    Theme,
)
from cms.services import instructor_collection_permissions_ensure
from lms.accounts import roles
from lms.accounts.services import partner_organisation_add_member, partner_organisation_ensure

from . import library_content as content
from .common import publish, seed_labels
from .seed_courses import seed_themes


def seed_target_groups(log=print) -> dict[str, TargetGroup]:
    """The target groups, keyed by slug; an existing group keeps its (edited) names."""
    return seed_labels(TargetGroup, content.TARGET_GROUPS, noun="target group", log=log)


def _library_index(home, en, log) -> MethodIndexPage:
    spec = content.LIBRARY_INDEX
    # A home page holds at most one library (max_count_per_parent), whatever its slug.
    index = MethodIndexPage.objects.child_of(home).first()
    if index is None:
        index = MethodIndexPage(
            title=spec["ja"]["title"],
            slug=spec["slug"],
            locale=home.locale,
            intro=spec["ja"]["intro"],
            listing_summary=spec["ja"]["listing_summary"],
            partner_info=spec["ja"]["partner_info"],
            show_in_menus=True,
        )
        home.add_child(instance=index)
        publish(index)
        log("created the method library")
    if index.get_translation_or_none(en) is None:
        if home.get_translation_or_none(en) is None:
            log("no English home page: the English method library is skipped")
            return index
        index_en = index.copy_for_translation(en)
        index_en.title = spec["en"]["title"]
        index_en.intro = spec["en"]["intro"]
        index_en.listing_summary = spec["en"]["listing_summary"]
        index_en.partner_info = ""
        index_en.show_in_menus = True
        publish(index_en)
        log("created the English method library")
    return index


def seed_documents(log=print) -> dict:
    """The demo documents (small text files), keyed by their key in the content."""
    Document = get_document_model()
    documents = {}
    for spec in content.DOCUMENTS:
        document = Document.objects.filter(title=spec["title"]).first()
        if document is None:
            document = Document(title=spec["title"], visibility=spec["visibility"])
            document.file.save(
                spec["filename"], ContentFile(spec["content"].encode("utf-8")), save=False
            )
            document._set_document_file_metadata()  # size and hash (the download's ETag)
            document.save()
            log(f"created the document {spec['filename']}")
        documents[spec["key"]] = document
    return documents


def _library_fields(spec) -> dict:
    return {
        "title": spec["title"],
        "slug": spec["slug"],
        "visibility": spec["visibility"],
        "summary_text": spec["summary_text"],
        "prefecture": spec["prefecture"],
        "stage": spec["stage"],
    }


def _set_filters(page, spec, themes, groups):
    page.themes = [themes[slug] for slug in spec["themes"] if slug in themes]
    page.target_groups = [groups[slug] for slug in spec["targets"] if slug in groups]


def _methods(index, themes, groups, documents, log) -> dict[str, MethodPage]:
    """Every demo method, created if missing; relations are set on the new ones only."""
    existing = {page.slug: page for page in MethodPage.objects.child_of(index)}
    created = []
    for spec in content.METHODS:
        if spec["slug"] in existing:
            continue
        people, things, money = spec["resources"]
        page = MethodPage(
            locale=index.locale,
            problem=spec["problem"],
            audience=spec["audience"],
            steps=spec["steps"],
            resources_people=people,
            resources_things=things,
            resources_money=money,
            outcomes=spec["outcomes"],
            indicators=spec["indicators"],
            pitfalls=spec["pitfalls"],
            downloads=[
                ("document", {"document": documents[key], "title": ""})
                for key in spec["downloads"]
                if key in documents
            ],
            **_library_fields(spec),
        )
        _set_filters(page, spec, themes, groups)
        index.add_child(instance=page)
        existing[spec["slug"]] = page
        created.append((page, spec))
    # Related methods may point at methods created later in the loop: linked afterwards,
    # then published once, so the revision carries the links.
    for page, spec in created:
        page.related_method_links = [
            MethodRelation(method=existing[slug])
            for slug in spec["related"]
            if slug in existing and slug != spec["slug"]
        ]
        publish(page)
        log(f"created the method {spec['slug']}")
    return existing


def _case_studies(index, themes, groups, methods, log) -> None:
    from datetime import date

    existing = set(CaseStudyPage.objects.child_of(index).values_list("slug", flat=True))
    for spec in content.CASE_STUDIES:
        if spec["slug"] in existing:
            continue
        page = CaseStudyPage(
            locale=index.locale,
            municipality=spec["municipality"],
            period_start=date.fromisoformat(spec["period_start"]) if spec["period_start"] else None,
            period_end=date.fromisoformat(spec["period_end"]) if spec["period_end"] else None,
            project_partners=spec["partners"],
            story=spec["story"],
            figures=spec["figures"],
            lessons_learned=spec["lessons_learned"],
            **_library_fields(spec),
        )
        _set_filters(page, spec, themes, groups)
        page.method_links = [
            CaseStudyMethod(method=methods[slug]) for slug in spec["methods"] if slug in methods
        ]
        index.add_child(instance=page)
        publish(page)
        log(f"created the case study {spec['slug']}")


def seed_partner_organisation(log=print) -> None:
    """The demo partner organisation, with the demo partner account as its member."""
    spec = content.PARTNER_ORGANISATION
    organisation = partner_organisation_ensure(
        name=spec["name"],
        name_kana=spec["name_kana"],
        prefecture=spec["prefecture"],
        website=spec["website"],
    )
    User = get_user_model()
    for email in spec["members"]:
        user = User.objects.filter(email=email).first()
        if user is None:
            log(f"no user {email}: not added to the demo partner organisation")
            continue
        if not organisation.members.filter(pk=user.pk).exists():
            partner_organisation_add_member(organisation=organisation, user=user)
            log(f"added {email} to the demo partner organisation")


@transaction.atomic
def seed_library(*, home, log=print) -> None:
    """Seed the demo method library under ``home`` (the Japanese HomePage).

    Run after ``seed_users`` (the demo partner joins the demo organisation) and after
    ``seed_courses`` (whose themes the library shares; they are created here if missing).
    """
    en, _ = Locale.objects.get_or_create(language_code="en")
    themes: dict[str, Theme] = seed_themes(log)
    groups = seed_target_groups(log)
    index = _library_index(home, en, log)
    documents = seed_documents(log)
    methods = _methods(index, themes, groups, documents, log)
    _case_studies(index, themes, groups, methods, log)
    seed_partner_organisation(log)
    # Instructors upload the library's documents: Wagtail asks for collection permissions.
    instructors = Group.objects.filter(name=roles.INSTRUCTORS).first()
    if instructors is not None:
        instructor_collection_permissions_ensure(group=instructors)
