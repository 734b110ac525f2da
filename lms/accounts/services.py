"""Writes on accounts: roles and profile changes."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from . import roles
from .models import PartnerOrganisation, User


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create the three role groups and their global permissions (idempotent).

    Page permissions for instructors (which part of the tree they edit) are granted on
    pages by ``cms.services.instructor_page_permissions_ensure``.
    """
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ROLE_LABELS}
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    instructor_codenames = [
        ("wagtailadmin", "access_admin"),
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ]
    instructor_perms = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in instructor_codenames
    ]
    groups[roles.INSTRUCTORS].permissions.add(*instructor_perms)
    # Trainees and partners never reach the admin, even if a permission was added by hand.
    for name in (roles.TRAINEES, roles.PARTNERS):
        groups[name].permissions.remove(access_admin)
    return groups


@transaction.atomic
def user_assign_role(*, user: User, role: str) -> None:
    """Put ``user`` in the group of ``role`` (one of the names in ``roles``)."""
    if role not in roles.ROLE_LABELS:
        raise ValueError(f"Unknown role: {role}")
    group = Group.objects.get_or_create(name=role)[0]
    user.groups.add(group)


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    last_name: str,
    first_name: str,
    last_name_kana: str,
    first_name_kana: str,
    preferred_language: str,
) -> User:
    """Change a user's name, reading and language; the Wagtail admin follows the language."""
    from wagtail.users.models import UserProfile

    user.last_name = last_name.strip()
    user.first_name = first_name.strip()
    user.last_name_kana = last_name_kana.strip()
    user.first_name_kana = first_name_kana.strip()
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    user.save(
        update_fields=[
            "last_name",
            "first_name",
            "last_name_kana",
            "first_name_kana",
            "preferred_language",
        ]
    )
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = preferred_language
    profile.save(update_fields=["preferred_language"])
    return user


# --- Partner organisations (賛同事業者) ----------------------------------------------------
@transaction.atomic
def partner_organisation_ensure(
    *,
    name: str,
    name_kana: str = "",
    prefecture: str = "",
    website: str = "",
    active: bool = True,
) -> PartnerOrganisation:
    """The organisation called ``name``, created with these details if it does not exist.

    An existing organisation is returned unchanged: an administrator may have edited it.
    """
    organisation = PartnerOrganisation.objects.filter(name=name.strip()).first()
    if organisation is not None:
        return organisation
    organisation = PartnerOrganisation(
        name=name.strip(),
        name_kana=name_kana.strip(),
        prefecture=prefecture,
        website=website,
        active=active,
    )
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def partner_organisation_add_member(*, organisation: PartnerOrganisation, user: User) -> None:
    """Make ``user`` a member of ``organisation`` (idempotent).

    While the organisation is active the member reads the partners' part of the library.
    """
    organisation.members.add(user)


@transaction.atomic
def partner_organisation_remove_member(*, organisation: PartnerOrganisation, user: User) -> None:
    """Take ``user`` out of ``organisation`` (idempotent)."""
    organisation.members.remove(user)
