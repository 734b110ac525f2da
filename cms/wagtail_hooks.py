"""Wagtail integration of the site shell."""

from wagtail import hooks

from .rich_text import BulkPageLinkHandler


@hooks.register("register_rich_text_features", order=100)
def register_bulk_page_links(features):
    """Replace Wagtail's page-link handler (registered earlier) with the bulk one."""
    features.register_link_type(BulkPageLinkHandler)
