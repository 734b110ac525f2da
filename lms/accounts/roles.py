"""The academy's roles, kept as Django groups.

Trainees take courses; Instructors edit the course tree in the Wagtail admin but never
manage users; Partners browse the method library. Superusers administer everything.
"""

from django.utils.translation import gettext_lazy as _

TRAINEES = "Trainees"
INSTRUCTORS = "Instructors"
PARTNERS = "Partners"


def is_instructor(user) -> bool:
    """Superusers and members of the Instructors group: who may use the instructors' parts
    of the admin (each app then limits them to the courses they teach). The answer is
    cached on the user object, so it costs one query per request at most."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_lms_is_instructor"):
        user._lms_is_instructor = user.groups.filter(name=INSTRUCTORS).exists()
    return user._lms_is_instructor


ROLE_LABELS = {
    TRAINEES: _("Trainees"),
    INSTRUCTORS: _("Instructors"),
    PARTNERS: _("Partners"),
}
