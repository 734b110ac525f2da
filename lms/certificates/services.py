"""Writes of the certificates app: completing courses (and, next, issuing certificates)."""

from django.db import transaction

from lms.courses.models import Enrollment
from lms.courses.services import enrollment_complete

from .eligibility import eligibility


@transaction.atomic
def enrollment_complete_if_eligible(*, enrollment_id: int) -> Enrollment:
    """Mark the enrollment completed when ``eligibility`` says every requirement is met.

    Called inside the transaction of whatever changed (a lesson, a grade, a fieldwork
    decision), so the completion commits with it. Idempotent.
    """
    enrollment = Enrollment.objects.select_related("course").get(pk=enrollment_id)
    if enrollment.status != Enrollment.Status.ACTIVE:
        return enrollment
    if eligibility(enrollment).complete:
        enrollment = enrollment_complete(enrollment=enrollment)
    return enrollment
