"""Wagtail integration of the site shell and the method library."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.accounts.models import PartnerOrganisation

from .rich_text import BulkPageLinkHandler
from .visibility import can_view


@hooks.register("register_rich_text_features", order=100)
def register_bulk_page_links(features):
    """Replace Wagtail's page-link handler (registered earlier) with the bulk one."""
    features.register_link_type(BulkPageLinkHandler)


# --- Documents: every download passes the library's visibility check ---------------------------
@hooks.register("before_serve_document")
def refuse_documents_the_reader_may_not_see(document, request):
    """A partners-only document is not served to anyone else, even by its direct URL.

    Wagtail calls this hook in its serve view, which every download goes through
    (WAGTAILDOCS_SERVE_METHOD = "serve_view": no redirect to the storage's own URL).
    """
    visibility = getattr(document, "visibility", None)
    if visibility is None or can_view(request.user, visibility):
        return None
    from .views import document_locked

    response = document_locked(request, document)
    return response.render()


# --- Partner organisations (賛同事業者): superusers only -----------------------------------------
class SuperuserOnlyPermissionPolicy(BasePermissionPolicy):
    """Only active superusers may see or change these records in the admin.

    Who is a partner decides who reads the partners' library, so no group permission can
    hand this to an instructor by accident.
    """

    def user_has_permission(self, user, action):
        return bool(user.is_authenticated and user.is_active and user.is_superuser)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, is_superuser=True)


register_permission_policy(PartnerOrganisation, SuperuserOnlyPermissionPolicy(PartnerOrganisation))


class PartnerOrganisationViewSet(SnippetViewSet):
    model = PartnerOrganisation
    icon = "group"
    menu_label = gettext_lazy("Partner organisations")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "name_kana", "prefecture", "active"]
    list_filter = ["active", "prefecture"]
    search_fields = ["name", "name_kana"]
    panels = [
        FieldPanel("name"),
        FieldPanel("name_kana"),
        FieldPanel("prefecture"),
        FieldPanel("website"),
        FieldPanel("active"),
        FieldPanel("members"),
    ]


register_snippet(PartnerOrganisationViewSet)
