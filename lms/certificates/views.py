"""Public verification of certificates, and the PDF download for those who may have it.

The verification page needs no login: the code (192 random bits) is the key, and the page
shows only what the certificate itself shows (never an e-mail address), with its status.
It is kept out of search engines (``noindex``).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors
from .models import Certificate


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=200,
        help_text=_("The code printed at the bottom of the certificate, or the end of its URL."),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        # A whole URL pasted: keep its last part.
        code = code.rstrip("/").rsplit("/", 1)[-1]
        if not code:
            raise forms.ValidationError(_("Enter the verification code."))
        return code


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def verify_form(request):
    """/certificates/verify/: type (or paste) a code."""
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("certificates:verify", code=form.cleaned_data["code"])
    return _noindex(TemplateResponse(request, "lms/certificates/verify_form.html", {"form": form}))


@require_GET
def verify(request, code):
    """/certificates/verify/<code>/: valid, superseded by a newer one, revoked, or unknown."""
    certificate = selectors.certificate_by_code(code)
    shown = certificate is not None and certificate.status in (
        Certificate.Status.ISSUED,
        Certificate.Status.REVOKED,
        Certificate.Status.SUPERSEDED,
    )
    # Only a reissue names its successor. A revoked certificate says that it was revoked
    # and nothing more, even when a new certificate followed it: the public learns neither
    # the new serial nor that there is one.
    successor = None
    if shown and certificate.status == Certificate.Status.SUPERSEDED:
        successor = certificate.superseded_by
    context = {
        "certificate": certificate if shown else None,
        "successor": successor,
        "form": VerifyForm(initial={"code": code}),
    }
    status = 200 if shown else 404
    return _noindex(
        TemplateResponse(request, "lms/certificates/verify.html", context, status=status)
    )


@require_GET
@login_required
@never_cache
def certificate_pdf(request, pk):
    """The stored PDF: its owner (a valid certificate), the course's instructors, admins.
    Anybody else gets a 404, as if it did not exist."""
    certificate = get_object_or_404(selectors.certificates_downloadable_by(request.user), pk=pk)
    return pdf_response(certificate)


def pdf_response(certificate: Certificate) -> FileResponse:
    try:
        handle = storages["private"].open(certificate.pdf_file, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=certificate.filename, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
