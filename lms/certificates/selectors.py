"""Reads of the certificates app: who may see which certificate, and what a page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from lms.courses.models import Enrollment
from lms.courses.selectors import enrollments_visible_to

from .eligibility import Eligibility, eligibilities
from .models import Certificate

Status = Certificate.Status


def certificates_managed_by(user):
    """Certificates ``user`` manages in the admin: a superuser all, an instructor those of
    the enrollments they may see (courses and cohorts they teach). A lazy queryset."""
    if not (user.is_authenticated and user.is_active):
        return Certificate.objects.none()
    if user.is_superuser:
        return Certificate.objects.all()
    return Certificate.objects.filter(enrollment__in=enrollments_visible_to(user).values("pk"))


def certificates_downloadable_by(user):
    """Certificates whose PDF ``user`` may download: their own valid ones, and every stored
    one they manage (instructors of the course, superusers)."""
    if not (user.is_authenticated and user.is_active):
        return Certificate.objects.none()
    own = Q(enrollment__user=user, status=Status.ISSUED)
    if user.is_superuser:
        return Certificate.objects.exclude(pdf_file="")
    managed = Q(enrollment__in=enrollments_visible_to(user).values("pk"))
    return Certificate.objects.exclude(pdf_file="").filter(own | managed)


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code (and the certificate replacing it)."""
    return (
        Certificate.objects.select_related("superseded_by")
        .filter(code=code)
        .only(
            "serial",
            "code",
            "status",
            "name",
            "name_kana",
            "course_title",
            "completed_on",
            "hours",
            "language",
            "issued_at",
            "revoked_at",
            "superseded_at",
            "superseded_by__code",
            "superseded_by__serial",
            "superseded_by__status",
        )
        .first()
    )


@dataclass(frozen=True)
class CertificatePanel:
    """What the dashboard and the course page show about one enrollment's certificate."""

    enrollment: Enrollment
    certificate: Certificate | None
    eligibility: Eligibility | None


_CACHE_ATTR = "_lms_certificate_panels"


def certificate_panel(request, enrollment) -> CertificatePanel | None:
    """The panel of ``enrollment`` (of the request's user). The first call of a request
    loads every enrollment of the user, their current certificates and, for the active
    ones, their eligibility (``eligibilities``: a constant number of queries); later
    calls (one per dashboard row) cost nothing."""
    if request is None or enrollment is None or not request.user.is_authenticated:
        return None
    if enrollment.user_id != request.user.pk:
        return None
    cache = getattr(request, _CACHE_ATTR, None)
    if cache is None:
        cache = _load_panels(request.user)
        setattr(request, _CACHE_ATTR, cache)
    return cache.get(enrollment.pk)


def _load_panels(user) -> dict[int, CertificatePanel]:
    enrollments = list(
        Enrollment.objects.filter(user=user, status__in=Enrollment.SEATED).select_related("course")
    )
    if not enrollments:
        return {}
    completed = [e.pk for e in enrollments if e.status == Enrollment.Status.COMPLETED]
    certificates = {}
    if completed:  # only a completed enrollment has a certificate
        # The current one (a new certificate after a revocation, not the revoked one), with
        # the revoked certificate it follows, if any, in the same query.
        certificates = {
            c.enrollment_id: c
            for c in Certificate.objects.current()
            .filter(enrollment__in=completed)
            .select_related("replaces")
        }
    active = [e for e in enrollments if e.status == Enrollment.Status.ACTIVE]
    results = eligibilities(active) if active else {}
    return {
        e.pk: CertificatePanel(
            enrollment=e, certificate=certificates.get(e.pk), eligibility=results.get(e.pk)
        )
        for e in enrollments
    }
