"""The privacy admin, for superusers only: the erasures made, and erasing an account.

Erasing starts from the account (the "Erase personal data" button in the users listing,
or an e-mail address typed on the erasures page) and always goes through a confirmation
page that says what will happen, with a required reason.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import selectors, services
from .models import ErasureRecord


def _require_superuser(user):
    if not (user.is_authenticated and user.is_active and user.is_superuser):
        raise PermissionDenied


class FindAccountForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address of the account"))


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy(
            "Kept in the erasure record, e.g. “Request for deletion received 2026-11-20, "
            "ref. 123”. Do not write the person's name or contact details."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Write the reason: it is kept in the record."))
        return reason


class ErasureIndexView(WagtailAdminTemplateMixin, View):
    """The erasures made (when, by whom, why, what), and a form to find an account."""

    template_name = "lms/privacy/admin/index.html"
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        _require_superuser(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Erasures of personal data")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request):
        form = FindAccountForm(request.GET or None)
        status = 200
        if form.is_bound:
            if form.is_valid():
                User = get_user_model()
                user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
                if user is not None:
                    return redirect("privacy_admin_erase", user_id=user.pk)
                form.add_error("email", _("No account has this e-mail address."))
            status = 400
        records = ErasureRecord.objects.select_related("actor").order_by("-created_at", "-pk")[:200]
        context = self.get_context_data(form=form, records=records)
        return TemplateResponse(request, self.template_name, context, status=status)


class EraseView(WagtailAdminTemplateMixin, View):
    """Confirmation page (what will be kept, what anonymised, what deleted) and the erasure."""

    template_name = "lms/privacy/admin/erase.html"
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        _require_superuser(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Erase personal data")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("privacy_admin_index"), "label": _("Erasures of personal data")},
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, target, form, *, status=200):
        context = self.get_context_data(
            target=target,
            form=form,
            refusal=services.erasure_refusal(user=target, actor=self.request.user),
            record=ErasureRecord.objects.filter(user=target).first(),
            preview=selectors.erasure_preview(target),
            index_url=reverse("privacy_admin_index"),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, user_id):
        target = get_object_or_404(get_user_model(), pk=user_id)
        return self.render(target, EraseForm())

    def post(self, request, user_id):
        target = get_object_or_404(get_user_model(), pk=user_id)
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self.render(target, form, status=400)
        already = ErasureRecord.objects.filter(user=target).exists()
        try:
            record = services.user_erase(
                user=target, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("This account cannot be erased."))
            return redirect(request.path)
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error(None, error)
            return self.render(target, form, status=400)
        if already:
            messages.success(request, _("This account had already been erased."))
        else:
            messages.success(
                request,
                _("The account has been erased (erasure record #%(id)s).") % {"id": record.pk},
            )
        return redirect("privacy_admin_index")
