"""The base of the admin's listings of trainees' records.

Enrollments, quiz attempts, fieldwork entries and certificates are made by using the
site and changed only by their app's services (approve, grade, review, revoke). In the
admin they are listed (filters, search, export) and each has its own page; Wagtail's
generic add, edit, delete, copy and inspect views are never offered, and the app's
permission policy (per course taught), not Django's model permissions, decides who sees
what. ``RecordViewSet`` holds those choices once.
"""

from django.contrib.auth.models import Permission
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.viewsets.model import ModelViewSet


class RecordViewSet(ModelViewSet):
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    list_per_page = 50
    #: The view (a URL name in this viewset) that shows one record: where Wagtail's own
    #: links to a record (audit log, history reports) lead.
    record_view_name = "history"

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "usage_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_permissions_to_register(self):
        return Permission.objects.none()  # the app's permission policy decides

    @property
    def url_finder_class(self):
        return type(
            f"{self.model.__name__}AdminURLFinder",
            (ModelAdminURLFinder,),
            {
                "edit_url_name": self.get_url_name(self.record_view_name),
                # The record views check the object themselves, and the audit report lists
                # only entries of courses the user may see: no permission query per row.
                "get_edit_url": lambda finder, instance: finder.construct_edit_url(instance),
            },
        )
