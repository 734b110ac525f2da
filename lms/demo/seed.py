"""Idempotent demo seeding: each step finds what exists before it creates anything."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Collection, Locale, Page, Site

from cms.models import HomePage, StandardPage
from cms.services import instructor_page_permissions_ensure
from lms.accounts import roles
from lms.accounts.services import roles_ensure, user_assign_role

from . import content
from .common import publish
from .seed_assessments import seed_assessments
from .seed_certificates import seed_certificates
from .seed_courses import seed_courses
from .seed_fieldwork import seed_fieldwork
from .seed_library import seed_library
from .seed_privacy import seed_privacy


def _locales():
    ja, _ = Locale.objects.get_or_create(language_code="ja")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return ja, en


def seed_pages(log=print) -> HomePage:
    ja, en = _locales()
    root = Page.get_first_root_node()
    if root is None:
        # A flushed database (transactional tests) has lost Wagtail's tree root too.
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=ja))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    home = HomePage.objects.filter(locale=ja).first()
    if home is None:
        home = HomePage(
            title=content.HOME_JA["title"],
            slug="academy",
            locale=ja,
            intro=content.HOME_JA["intro"],
            body=content.HOME_JA["body"],
        )
        root.add_child(instance=home)
        publish(home)
        log("created the home page")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            root_page=home,
            is_default_site=True,
            site_name=content.HOME_JA["title"],
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = content.HOME_JA["title"]
        site.save()
        # Wagtail's placeholder "Welcome" page is not part of the academy.
        if old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()
        log("pointed the default site at the home page")

    home_en = home.get_translation_or_none(en)
    if home_en is None:
        home_en = home.copy_for_translation(en)
        home_en.title = content.HOME_EN["title"]
        home_en.intro = content.HOME_EN["intro"]
        home_en.body = content.HOME_EN["body"]
        publish(home_en)
        log("created the English home page")

    for spec in content.STANDARD_PAGES:
        page = StandardPage.objects.filter(locale=ja, slug=spec["slug"]).first()
        if page is None:
            page = StandardPage(
                slug=spec["slug"],
                locale=ja,
                title=spec["ja"]["title"],
                listing_summary=spec["ja"]["summary"],
                body=spec["ja"]["body"],
                show_in_menus=True,
            )
            home.add_child(instance=page)
            publish(page)
            log(f"created the page {spec['slug']}")
        if page.get_translation_or_none(en) is None:
            page_en = page.copy_for_translation(en)
            page_en.title = spec["en"]["title"]
            page_en.listing_summary = spec["en"]["summary"]
            page_en.body = spec["en"]["body"]
            page_en.show_in_menus = True
            publish(page_en)
            log(f"created the English page {spec['slug']}")
    return home


def seed_users(log=print) -> None:
    User = get_user_model()
    for spec in content.USERS:
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            user = User(
                email=spec["email"],
                last_name=spec["last_name"],
                first_name=spec["first_name"],
                last_name_kana=spec["last_name_kana"],
                first_name_kana=spec["first_name_kana"],
                is_staff=spec["superuser"],
                is_superuser=spec["superuser"],
            )
            user.set_password(content.DEMO_PASSWORD)
            user.save()
            log(f"created the user {spec['email']}")
        if spec["role"]:
            user_assign_role(user=user, role=spec["role"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )


@transaction.atomic
def seed_all(log=print) -> None:
    roles_ensure()
    home = seed_pages(log)
    instructor_page_permissions_ensure(group=Group.objects.get(name=roles.INSTRUCTORS), page=home)
    home_en = home.get_translation_or_none(Locale.objects.get(language_code="en"))
    if home_en is not None:
        instructor_page_permissions_ensure(
            group=Group.objects.get(name=roles.INSTRUCTORS), page=home_en
        )
    seed_users(log)
    seed_courses(home=home, log=log)
    seed_library(home=home, log=log)
    seed_assessments(log=log)
    seed_fieldwork(log=log)
    seed_certificates(log=log)
    seed_privacy(home=home, log=log)
