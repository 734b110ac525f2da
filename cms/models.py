"""Site pages: the home page and standard content pages."""

from django.db import models
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from .blocks import StoryBlock


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
    subpage_types = ["cms.StandardPage", "courses.CourseIndexPage"]
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


@register_snippet
class Theme(models.Model):
    """A theme of community building (住まい, 居場所づくり, …) used to filter courses and methods.

    Editors manage themes in the admin; nothing is hard-coded.
    """

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
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name
