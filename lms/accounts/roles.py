"""The academy's roles, kept as Django groups.

Trainees take courses; Instructors edit the course tree in the Wagtail admin but never
manage users; Partners browse the method library. Superusers administer everything.
"""

from django.utils.translation import gettext_lazy as _

TRAINEES = "Trainees"
INSTRUCTORS = "Instructors"
PARTNERS = "Partners"

ROLE_LABELS = {
    TRAINEES: _("Trainees"),
    INSTRUCTORS: _("Instructors"),
    PARTNERS: _("Partners"),
}
