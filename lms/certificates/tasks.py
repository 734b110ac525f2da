"""Background work for certificates, through the django-tasks API (a worker in production)."""

from django_tasks import task


@task()
def render_certificate(*, certificate_id: int) -> str:
    """Render and store a certificate's PDF (``services.certificate_render``); the status it
    ends in ("issued" or "failed", with the reason on the certificate)."""
    from .services import certificate_render

    return certificate_render(certificate_id=certificate_id).status
