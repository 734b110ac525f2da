"""Who may read what in the method library: the one place that decides it.

Methods, case studies and documents each carry a visibility. ``visibilities_for(user)`` says
which of them a person may read, and every surface asks it: the page itself (serve), the
index and its filter counts, related lists, the saved list, document downloads and the
sitemap (which lists public pages only, whoever asks). The coming Japanese search engine
(cms/textsearch) is meant to filter its hits with the same function.

| who                                                          | reads                        |
|--------------------------------------------------------------|------------------------------|
| anyone, signed in or not                                     | public                       |
| a trainee (Trainees group)                                   | + partners and trainees      |
| a partner (member of an active organisation, or Partners)    | + partners only (everything) |
| an instructor or a superuser                                 | everything                   |
"""

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from lms.accounts import roles


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTNERS = "partners", _("Partners only")
    PARTNERS_TRAINEES = "partners_trainees", _("Partners and trainees")


PUBLIC = Visibility.PUBLIC.value
PARTNERS = Visibility.PARTNERS.value
PARTNERS_TRAINEES = Visibility.PARTNERS_TRAINEES.value

ANONYMOUS_VISIBILITIES = frozenset({PUBLIC})
TRAINEE_VISIBILITIES = frozenset({PUBLIC, PARTNERS_TRAINEES})
PARTNER_VISIBILITIES = frozenset({PUBLIC, PARTNERS, PARTNERS_TRAINEES})
ALL_VISIBILITIES = frozenset(Visibility.values)

_CACHE_ATTRIBUTE = "_library_visibilities"


def _role_flags(user) -> tuple[bool, bool, bool]:
    """(instructor, partner, trainee) for ``user``, in one query."""
    from django.contrib.auth import get_user_model

    from lms.accounts.models import PartnerOrganisation

    def in_group(name):
        return Exists(Group.objects.filter(user=OuterRef("pk"), name=name))

    memberships = PartnerOrganisation.members.through.objects.filter(
        user_id=OuterRef("pk"), partnerorganisation__active=True
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            is_instructor=in_group(roles.INSTRUCTORS),
            in_partners_group=in_group(roles.PARTNERS),
            in_organisation=Exists(memberships),
            is_trainee=in_group(roles.TRAINEES),
        )
        .values_list("is_instructor", "in_partners_group", "in_organisation", "is_trainee")
        .first()
    )
    if row is None:
        return False, False, False
    instructor, partners_group, organisation, trainee = row
    return bool(instructor), bool(partners_group or organisation), bool(trainee)


def visibilities_for(user) -> frozenset[str]:
    """The visibilities ``user`` may read (at most one query, then cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_VISIBILITIES
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        result = ALL_VISIBILITIES
    else:
        instructor, partner, trainee = _role_flags(user)
        if instructor:
            result = ALL_VISIBILITIES
        elif partner:
            result = PARTNER_VISIBILITIES
        elif trainee:
            result = TRAINEE_VISIBILITIES
        else:
            result = ANONYMOUS_VISIBILITIES
    setattr(user, _CACHE_ATTRIBUTE, result)
    return result


def can_view(user, visibility: str) -> bool:
    return visibility in visibilities_for(user)


def can_save(user) -> bool:
    """Saving to "my list" is for people who read more than the public part: partners,
    trainees (and the instructors and administrators who look after the library)."""
    if user is None or not user.is_authenticated:
        return False
    return visibilities_for(user) != ANONYMOUS_VISIBILITIES
