"""Background work for certificates, through the django-tasks API (a worker in production)."""

import datetime
import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def render_certificate(*, certificate_id: int, attempt: int = 1) -> str:
    """Render and store a certificate's PDF (``services.certificate_render``); the status it
    ends in: "issued", "failed" (with the reason on the certificate), or "pending" when the
    render was interrupted (renderer killed or timed out, storage full or unreachable).

    An interrupted render is tried again later, after ``services.RETRY_DELAYS``, when the
    backend can defer tasks (the database backend in production); the last try marks the
    certificate failed. A backend that cannot defer (the immediate backend of development
    and tests) leaves it pending: running the task again issues it.
    """
    from .models import Certificate
    from .services import MAX_RENDER_ATTEMPTS, RETRY_DELAYS, certificate_render

    certificate = certificate_render(certificate_id=certificate_id, attempt=attempt)
    if certificate.status == Certificate.Status.PENDING and attempt < MAX_RENDER_ATTEMPTS:
        render_again(certificate_id=certificate_id, attempt=attempt + 1, delays=RETRY_DELAYS)
    return certificate.status


def render_again(*, certificate_id: int, attempt: int, delays) -> bool:
    """Enqueue try number ``attempt`` after its delay; False when the backend cannot defer."""
    if not render_certificate.get_backend().supports_defer:
        logger.warning(
            "certificate %s stays pending: the task backend cannot schedule a retry",
            certificate_id,
        )
        return False
    run_after = timezone.now() + datetime.timedelta(seconds=delays[attempt - 2])
    render_certificate.using(run_after=run_after).enqueue(
        certificate_id=certificate_id, attempt=attempt
    )
    return True
