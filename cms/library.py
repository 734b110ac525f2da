"""Reads for the method library: the index with its filters and counts, related lists, my list.

Every list here is limited to what the reader may see (``cms.visibility``) and costs a fixed
number of queries whatever the size of the library: the index adds ten to the page's routing
(the default locale, the page of results and its total, the themes and target groups of the
page in two prefetches, and one count query per filter: kind, theme, target group,
prefecture, stage), plus one for the reader's roles when signed in.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import PREFECTURE_CHOICES, PREFECTURE_ORDER

from .models import (
    CaseStudyMethod,
    CaseStudyPage,
    LibraryPage,
    MethodIndexPage,
    MethodPage,
    MethodRelation,
    SavedItem,
    Stage,
    TargetGroup,
    Theme,
)
from .visibility import visibilities_for

PAGE_SIZE = 20
KIND_METHOD = "method"
KIND_CASE = "case"
FILTERS = ("kind", "theme", "target", "prefecture", "stage")


def visible_library_pages(user):
    """Every live method and case study ``user`` may read (for any list or search)."""
    return LibraryPage.objects.live().filter(visibility__in=visibilities_for(user))


def _kind_content_types() -> dict[str, int]:
    # ContentType's own cache answers after the first call in a process.
    return {
        KIND_METHOD: ContentType.objects.get_for_model(MethodPage).pk,
        KIND_CASE: ContentType.objects.get_for_model(CaseStudyPage).pk,
    }


@dataclass(frozen=True)
class LibraryFilters:
    kind: str = ""
    theme: str = ""
    target: str = ""
    prefecture: str = ""
    stage: str = ""

    @classmethod
    def from_params(cls, params) -> "LibraryFilters":
        """Read the filters from a query string; values that cannot be right are ignored."""

        def slug(name):
            value = params.get(name, "")
            return value if value and len(value) <= 60 and value.isascii() else ""

        kind = params.get("kind", "")
        prefecture = params.get("prefecture", "")
        stage = params.get("stage", "")
        return cls(
            kind=kind if kind in (KIND_METHOD, KIND_CASE) else "",
            theme=slug("theme"),
            target=slug("target"),
            prefecture=prefecture if prefecture in PREFECTURE_ORDER else "",
            stage=stage if stage in Stage.values else "",
        )

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)

    def apply(self, pages, *, skip: str = ""):
        """``pages`` filtered by every filter but ``skip`` (the one whose counts are wanted)."""
        if self.kind and skip != "kind":
            pages = pages.filter(content_type_id=_kind_content_types()[self.kind])
        if self.theme and skip != "theme":
            pages = pages.filter(themes__slug=self.theme)
        if self.target and skip != "target":
            pages = pages.filter(target_groups__slug=self.target)
        if self.prefecture and skip != "prefecture":
            pages = pages.filter(prefecture=self.prefecture)
        if self.stage and skip != "stage":
            pages = pages.filter(stage=self.stage)
        return pages

    def query_string(self, **changes) -> str:
        from urllib.parse import urlencode

        values = {name: getattr(self, name) for name in FILTERS}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


def _counted(queryset, field) -> dict:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk", distinct=True)))


def library_listing(*, index_page: MethodIndexPage, request) -> dict:
    """The index's items the reader may see, filtered, paginated, with counts per filter.

    Each filter's counts apply all the other filters, so a number next to an option is the
    number of items the reader gets by choosing it.
    """
    filters = LibraryFilters.from_params(request.GET)
    source = index_page.library_source()
    visible = (
        LibraryPage.objects.child_of(source)
        .live()
        .filter(visibility__in=visibilities_for(request.user))
    )
    # One theme and one target group at most are filtered on: the joins add no duplicates.
    results = filters.apply(visible).order_by("path").prefetch_related("themes", "target_groups")
    paginator = Paginator(results, PAGE_SIZE)
    page_of_results = paginator.get_page(request.GET.get("page"))
    kinds = _kind_content_types()
    method_type = kinds[KIND_METHOD]
    items = list(page_of_results.object_list)
    for item in items:
        item.kind = KIND_METHOD if item.content_type_id == method_type else KIND_CASE

    def ids_except(name):
        return filters.apply(visible, skip=name).values("pk")

    # Aggregating queries ignore Meta.ordering: the order is given again.
    theme_counts = Theme.objects.annotate(
        n=Count("library_pages", filter=Q(library_pages__in=ids_except("theme")), distinct=True)
    ).order_by("sort_order", "name")
    target_counts = TargetGroup.objects.annotate(
        n=Count("library_pages", filter=Q(library_pages__in=ids_except("target")), distinct=True)
    ).order_by("sort_order", "name")
    by_kind = _counted(filters.apply(visible, skip="kind"), "content_type_id")
    by_prefecture = _counted(filters.apply(visible, skip="prefecture"), "prefecture")
    by_stage = _counted(filters.apply(visible, skip="stage"), "stage")

    kind_options = [
        Option(KIND_METHOD, _("Methods"), by_kind.get(kinds[KIND_METHOD], 0), False),
        Option(KIND_CASE, _("Case studies"), by_kind.get(kinds[KIND_CASE], 0), False),
    ]
    theme_options = [Option(t.slug, t.label, t.n, False) for t in theme_counts]
    target_options = [Option(t.slug, t.label, t.n, False) for t in target_counts]
    prefecture_options = [
        Option(code, label, by_prefecture.get(code, 0), False)
        for code, label in PREFECTURE_CHOICES
        if by_prefecture.get(code) or code == filters.prefecture
    ]
    stage_options = [
        Option(value, label, by_stage.get(value, 0), False) for value, label in Stage.choices
    ]
    for name, options in (
        ("kind", kind_options),
        ("theme", theme_options),
        ("target", target_options),
        ("prefecture", prefecture_options),
        ("stage", stage_options),
    ):
        for option in options:
            option.selected = option.value == getattr(filters, name)

    return {
        "items": items,
        "page_of_results": page_of_results,
        "total": paginator.count,
        "filters": filters,
        "filter_options": {
            "kind": kind_options,
            "theme": theme_options,
            "target": target_options,
            "prefecture": prefecture_options,
            "stage": stage_options,
        },
        "page_query": filters.query_string(),
        "reader_visibilities": visibilities_for(request.user),
    }


# --- One page and its neighbours -------------------------------------------------------------
def index_of(page):
    """The library index above ``page`` (one query)."""
    return MethodIndexPage.objects.filter(path=page.path[: -page.steplen]).first()


def default_index():
    """The library index in the active language (or any), for pages outside the tree."""
    from wagtail.models import Locale

    indexes = MethodIndexPage.objects.live().order_by("path")
    return indexes.filter(locale=Locale.get_active()).first() or indexes.first()


def related_methods(method: MethodPage, visibilities) -> list[MethodPage]:
    """The live related methods the reader may see, in the editor's order (one query)."""
    links = (
        MethodRelation.objects.filter(
            page=method, method__live=True, method__visibility__in=visibilities
        )
        .select_related("method")
        .order_by("sort_order", "pk")
    )
    return [link.method for link in links]


def case_studies_using(method: MethodPage, visibilities) -> list[CaseStudyPage]:
    """The live case studies that used ``method`` and that the reader may see (one query)."""
    return list(
        CaseStudyPage.objects.live()
        .filter(method_links__method=method, visibility__in=visibilities)
        .order_by("path")
        .distinct()
    )


def methods_used(case_study: CaseStudyPage, visibilities) -> list[MethodPage]:
    """The live methods a case study used that the reader may see, in order (one query)."""
    links = (
        CaseStudyMethod.objects.filter(
            page=case_study, method__live=True, method__visibility__in=visibilities
        )
        .select_related("method")
        .order_by("sort_order", "pk")
    )
    return [link.method for link in links]


def split_documents(stream, visibilities) -> tuple[list, list]:
    """The document blocks of ``stream``: those the reader may download, and the others.

    The documents of a stream are fetched in one query by Wagtail. A deleted document is
    left out.
    """
    allowed, locked = [], []
    for block in stream:
        document = block.value.get("document")
        if document is None:
            continue
        (allowed if document.visibility in visibilities else locked).append(block.value)
    return allowed, locked


# --- My list ----------------------------------------------------------------------------------
def is_saved(*, user, page) -> bool:
    return SavedItem.objects.filter(user=user, page=page).exists()


def saved_items_for(user) -> list[SavedItem]:
    """``user``'s saved items whose page is live and still readable by them (one query).

    A page that became partners-only after it was saved drops out of the list (the row stays,
    and comes back if the page or the reader's access changes).
    """
    items = list(
        SavedItem.objects.filter(
            user=user, page__live=True, page__visibility__in=visibilities_for(user)
        )
        .select_related("page")
        .order_by("-created_at", "-pk")
    )
    method_type = _kind_content_types()[KIND_METHOD]
    for item in items:
        item.page.kind = KIND_METHOD if item.page.content_type_id == method_type else KIND_CASE
    return items
