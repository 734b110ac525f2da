"""The certificate panel on pages of other apps (the dashboard, the course page).

For an active enrollment: what is still missing, in the words of ``eligibility``. For a
completed one: the certificate, with its download and verification links. The first
panel of a request loads the user's enrollments, certificates and eligibilities in a
constant number of queries (``selectors.certificate_panel``); the others cost nothing.
"""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("lms/certificates/_panel.html", takes_context=True)
def certificate_status(context, enrollment, level=2):
    panel = selectors.certificate_panel(context.get("request"), enrollment)
    if panel is not None and panel.certificate is None:
        result = panel.eligibility
        if result is None or not (result.missing or result.complete):
            panel = None  # nothing to say (e.g. a course that asks nothing yet)
    return {"panel": panel, "level": level, "request": context.get("request")}
