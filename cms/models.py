"""Site pages: the home page, standard content pages and the method library.

The method library (手法ライブラリ) is an index page (MethodIndexPage) holding methods
(MethodPage) and case studies (CaseStudyPage). Both are LibraryPages: one concrete table
holds what the index filters and counts by (visibility, themes, target groups, prefecture,
stage), so the listing and its filter counts are a fixed handful of queries whatever the
size of the library. Who may read which page is decided in ``cms.visibility``.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.models import AbstractDocument, Document
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from lms.accounts.models import PrefectureField

from .blocks import (
    DocumentBlock,
    FigureBlock,
    ImageBlock,
    IndicatorBlock,
    PitfallBlock,
    ProjectPartnerBlock,
    StepBlock,
    StoryBlock,
)
from .visibility import Visibility, can_view


class BasePage(Page):
    """Listing fields shared by every page: how it appears in lists and search results."""

    listing_summary = models.TextField(
        _("listing summary"),
        blank=True,
        max_length=300,
        help_text=_("Shown in lists and search results. Falls back to the search description."),
    )

    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel([FieldPanel("listing_summary")], heading=_("Listing")),
    ]

    class Meta:
        abstract = True

    @property
    def summary(self):
        return self.listing_summary or self.search_description


class HomePage(BasePage):
    """The academy's front page: what it is for, and where to start."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(StoryBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    # Higher layers' page types are named by string: cms never imports them.
    subpage_types = ["cms.StandardPage", "cms.MethodIndexPage", "courses.CourseIndexPage"]
    max_count_per_parent = 1
    template = "pages/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Resolve a deep URL in two queries instead of two per level of the tree.

        Wagtail's default routing fetches each child and then its specific page, level by
        level; a lesson four levels down cost eight queries. Here every prefix of the path
        is looked up at once by ``url_path`` and the deepest match continues the routing
        (so pages with their own ``route`` still work). Like Wagtail's own routing, only
        the final page must be live.
        """
        if not path_components:
            return super().route(request, path_components)
        prefixes = [
            self.url_path + "/".join(path_components[:n]) + "/"
            for n in range(1, len(path_components) + 1)
        ]
        deepest = (
            Page.objects.filter(url_path__in=prefixes, path__startswith=self.path)
            .exclude(pk=self.pk)
            .order_by("-depth")
            .first()
        )
        if deepest is None:
            raise Http404
        consumed = deepest.depth - self.depth
        return deepest.specific.route(request, path_components[consumed:])


class StandardPage(BasePage):
    """A general content page: about the association, the 100-year community, privacy."""

    body = StreamField(StoryBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
    template = "pages/standard_page.html"

    class Meta:
        verbose_name = _("standard page")


class BilingualLabel(models.Model):
    """An editor-managed label with a Japanese and an English name, shown in the reader's
    language (themes, target groups)."""

    name = models.CharField(_("name (Japanese)"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name


@register_snippet
class Theme(BilingualLabel):
    """A theme of community building (住まい, 居場所づくり, …) used to filter courses and methods.

    Editors manage themes in the admin; nothing is hard-coded.
    """

    class Meta(BilingualLabel.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


@register_snippet
class TargetGroup(BilingualLabel):
    """Whom a method or case study is for (高齢者, 子ども, 障がいのある人, …); editor-managed."""

    class Meta(BilingualLabel.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


# --- Documents ---------------------------------------------------------------------------------
class LibraryDocument(AbstractDocument):
    """The site's document model: Wagtail's document plus who may download it.

    Every download goes through Wagtail's serve view (WAGTAILDOCS_SERVE_METHOD = "serve_view")
    and the ``before_serve_document`` hook in wagtail_hooks.py refuses it to anyone
    ``cms.visibility`` does not allow, whatever page links to it. Documents are public by
    default, so worksheets already linked from lessons stay downloadable.
    """

    visibility = models.CharField(
        _("who may download it"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )

    admin_form_fields = (*Document.admin_form_fields, "visibility")

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")


# --- Method library ----------------------------------------------------------------------------
class Stage(models.TextChoices):
    """Where a project stands: the stage a method helps with, or a case study has reached."""

    PLANNING = "planning", _("Planning")
    LAUNCH = "launch", _("Launching")
    RUNNING = "running", _("Running")
    SCALING = "scaling", _("Scaling up")


class MethodIndexPage(BasePage):
    """The method library (手法ライブラリ): methods and case studies, filtered and counted.

    Only what the reader may see is listed and counted. A translation of the index (the
    English one) lists the library of the original index: methods are written in Japanese.
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    partner_info = RichTextField(
        _("how to become a partner"),
        blank=True,
        features=["bold", "italic", "link", "ul", "ol"],
        help_text=_(
            "Shown to readers who open a page that is not for them. "
            "Leave empty for the standard text."
        ),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("partner_info")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.MethodPage", "cms.CaseStudyPage"]
    max_count_per_parent = 1
    template = "pages/method_index_page.html"

    class Meta:
        verbose_name = _("method library")

    def library_source(self):
        """The index whose pages are listed: this one, or its original in the default language."""
        from wagtail.models import Locale

        default = Locale.get_default()
        if self.locale_id == default.pk:
            return self
        original = self.get_translation_or_none(default)
        return original.specific if original is not None else self

    def get_context(self, request, *args, **kwargs):
        from .library import library_listing

        context = super().get_context(request, *args, **kwargs)
        context.update(library_listing(index_page=self, request=request))
        return context


class LibraryPage(BasePage):
    """What methods and case studies share: a summary, who may read it, and what it is about.

    Not created on its own (``is_creatable = False``): editors add a method or a case study.
    Served only to readers ``cms.visibility`` allows; anyone else gets a 403 page with the
    title and summary and how to get access, never the body. Only public pages are in the
    sitemap.
    """

    visibility = models.CharField(
        _("who may read it"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text=_(
            "Public: anyone. Partners only: members of partner organisations. "
            "Partners and trainees: partners and the academy's trainees."
        ),
    )
    summary_text = models.TextField(
        _("summary"),
        max_length=600,
        help_text=_("Two or three sentences. Everyone sees it, even where the page is locked."),
    )
    themes = ParentalManyToManyField(
        "cms.Theme", verbose_name=_("themes"), blank=True, related_name="library_pages"
    )
    target_groups = ParentalManyToManyField(
        "cms.TargetGroup",
        verbose_name=_("target groups"),
        blank=True,
        related_name="library_pages",
    )
    prefecture = PrefectureField(_("prefecture"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)

    library_panels = [
        FieldPanel("visibility", widget=forms.RadioSelect),
        FieldPanel("summary_text"),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("target_groups", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("prefecture"), FieldPanel("stage")]),
            ],
            heading=_("Filters"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary_text")]

    is_creatable = False
    parent_page_types = ["cms.MethodIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("library page")

    @property
    def summary(self):
        return self.listing_summary or self.summary_text

    def serve(self, request, *args, **kwargs):
        from django.utils.cache import patch_cache_control

        if not can_view(request.user, self.visibility):
            from .views import library_page_locked

            response = library_page_locked(request, self)
        else:
            response = super().serve(request, *args, **kwargs)
        if self.visibility != Visibility.PUBLIC:
            # Never kept by a shared cache: the next reader may not be allowed to see it.
            patch_cache_control(response, private=True)
        return response

    def get_sitemap_urls(self, request=None):
        """Only public pages are announced to search engines, whoever fetches the sitemap."""
        if self.visibility != Visibility.PUBLIC:
            return []
        return super().get_sitemap_urls(request)

    def get_context(self, request, *args, **kwargs):
        from . import library
        from .visibility import can_save, visibilities_for

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        saveable = can_save(user)
        context.update(
            visibilities=visibilities_for(user),
            can_save=saveable,
            is_saved=saveable and library.is_saved(user=user, page=self),
            index_page=library.index_of(self),
        )
        return context


class MethodPage(LibraryPage):
    """A method (手法): a way of building community that others can follow, step by step."""

    problem = RichTextField(
        _("the problem it answers"), features=["bold", "italic", "link", "ul", "ol"]
    )
    audience = models.TextField(
        _("who it is for"),
        blank=True,
        help_text=_("Who can use this method, and in what situation."),
    )
    steps = StreamField(
        [("step", StepBlock())],
        verbose_name=_("steps"),
        help_text=_("In the order a reader would follow them."),
    )
    resources_people = models.TextField(
        _("people (ひと)"), blank=True, help_text=_("Who is needed: roles, skills, time.")
    )
    resources_things = models.TextField(
        _("things (もの)"), blank=True, help_text=_("Places, buildings, equipment.")
    )
    resources_money = models.TextField(
        _("money (かね)"), blank=True, help_text=_("Costs, and where the money can come from.")
    )
    outcomes = RichTextField(
        _("outcomes"), blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )
    indicators = StreamField(
        [("indicator", IndicatorBlock())], blank=True, verbose_name=_("indicators")
    )
    pitfalls = StreamField([("pitfall", PitfallBlock())], blank=True, verbose_name=_("pitfalls"))
    downloads = StreamField(
        [("document", DocumentBlock())],
        blank=True,
        verbose_name=_("downloads"),
        help_text=_("Each document's own setting decides who may download it."),
    )

    content_panels = [
        *Page.content_panels,
        *LibraryPage.library_panels,
        FieldPanel("problem"),
        FieldPanel("audience"),
        FieldPanel("steps"),
        MultiFieldPanel(
            [
                FieldPanel("resources_people"),
                FieldPanel("resources_things"),
                FieldPanel("resources_money"),
            ],
            heading=_("Resources needed"),
        ),
        FieldPanel("outcomes"),
        FieldPanel("indicators"),
        FieldPanel("pitfalls"),
        FieldPanel("downloads"),
        InlinePanel("related_method_links", label=_("Related methods")),
    ]
    search_fields = [
        *LibraryPage.search_fields,
        index.SearchField("problem"),
        index.SearchField("audience"),
        index.SearchField("steps"),
        index.SearchField("outcomes"),
    ]

    parent_page_types = ["cms.MethodIndexPage"]
    subpage_types = []
    template = "pages/method_page.html"

    class Meta:
        verbose_name = _("method")
        verbose_name_plural = _("methods")

    def get_context(self, request, *args, **kwargs):
        from . import library

        context = super().get_context(request, *args, **kwargs)
        visibilities = context["visibilities"]
        downloads, locked_downloads = library.split_documents(self.downloads, visibilities)
        context.update(
            related_methods=library.related_methods(self, visibilities),
            case_studies=library.case_studies_using(self, visibilities),
            downloads=downloads,
            locked_downloads=locked_downloads,
        )
        return context


class MethodRelation(Orderable):
    """A method shown at the end of another, as "related methods", in the editor's order."""

    page = ParentalKey(MethodPage, on_delete=models.CASCADE, related_name="related_method_links")
    method = models.ForeignKey(
        MethodPage, verbose_name=_("method"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("method")]

    class Meta(Orderable.Meta):
        verbose_name = _("related method")
        constraints = [
            models.UniqueConstraint(fields=["page", "method"], name="unique_related_method")
        ]


class CaseStudyPage(LibraryPage):
    """A case study (事例): a real project, where and when, with whom, its story and figures."""

    municipality = models.CharField(
        _("municipality"), max_length=60, blank=True, help_text=_("For example: 豊島区, 那須町")
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Leave empty if it is still going on.")
    )
    project_partners = StreamField(
        [("partner", ProjectPartnerBlock())], blank=True, verbose_name=_("partners")
    )
    story = StreamField(StoryBlock(), verbose_name=_("the story"))
    figures = StreamField([("figure", FigureBlock())], blank=True, verbose_name=_("figures"))
    photos = StreamField(
        [("photo", ImageBlock())],
        blank=True,
        verbose_name=_("photos"),
        help_text=_("Each photo needs a description for people who cannot see it."),
    )
    lessons_learned = RichTextField(
        _("what was learned"), blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )

    content_panels = [
        *Page.content_panels,
        *LibraryPage.library_panels,
        MultiFieldPanel(
            [
                FieldPanel("municipality"),
                FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
            ],
            heading=_("Place and period"),
        ),
        FieldPanel("project_partners"),
        FieldPanel("story"),
        FieldPanel("figures"),
        FieldPanel("photos"),
        FieldPanel("lessons_learned"),
        InlinePanel("method_links", label=_("Methods used")),
    ]
    search_fields = [
        *LibraryPage.search_fields,
        index.SearchField("municipality"),
        index.SearchField("story"),
        index.SearchField("lessons_learned"),
    ]

    parent_page_types = ["cms.MethodIndexPage"]
    subpage_types = []
    template = "pages/case_study_page.html"

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="case_study_period_in_order",
            )
        ]

    def clean(self):
        super().clean()
        errors = {}
        if not self.prefecture:
            errors["prefecture"] = _("Choose the prefecture where the project took place.")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end must be on or after the start.")
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        from . import library

        context = super().get_context(request, *args, **kwargs)
        context["methods_used"] = library.methods_used(self, context["visibilities"])
        return context


class CaseStudyMethod(Orderable):
    """A method a case study used; the method page lists the case studies that used it."""

    page = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="method_links")
    method = models.ForeignKey(
        MethodPage,
        verbose_name=_("method"),
        on_delete=models.CASCADE,
        related_name="case_study_links",
    )

    panels = [FieldPanel("method")]

    class Meta(Orderable.Meta):
        verbose_name = _("method used")
        constraints = [
            models.UniqueConstraint(fields=["page", "method"], name="unique_case_study_method")
        ]


class SavedItem(models.Model):
    """A method or case study a reader saved to "my list" (保存) to come back to."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_library_items",
    )
    page = models.ForeignKey(
        LibraryPage, verbose_name=_("page"), on_delete=models.CASCADE, related_name="saved_items"
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved item")
        verbose_name_plural = _("saved items")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="one_saved_item_per_page")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.page_id}"
