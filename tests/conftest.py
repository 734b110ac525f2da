import pytest
from django.db import connection

from lms.demo.seed import seed_all


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


def _quiet(message):
    pass


@pytest.fixture
def site_tree(db):
    """The site's page tree (home and standard pages in ja and en) and the role groups.

    Lighter than the whole demo: no demo accounts and no demo courses.
    """
    from django.contrib.auth.models import Group

    from cms.services import instructor_page_permissions_ensure
    from lms.accounts import roles
    from lms.accounts.services import roles_ensure
    from lms.demo.seed import seed_pages

    roles_ensure()
    home = seed_pages(log=_quiet)
    instructors = Group.objects.get(name=roles.INSTRUCTORS)
    for page in home.get_translations(inclusive=True):
        instructor_page_permissions_ensure(group=instructors, page=page)
    return home


@pytest.fixture
def demo_site(db):
    """Everything seed_demo creates: pages, accounts, the demo courses."""
    seed_all(log=_quiet)
    from cms.models import HomePage

    return HomePage.objects.get(locale__language_code="ja")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (Japanese).

    The test client's requests activate their language in the thread and leave it active,
    so without this a test's messages would depend on which test ran before it.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
