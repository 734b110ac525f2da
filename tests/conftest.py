import pytest
from django.db import connection

from lms.demo.seed import seed_all


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture
def site_tree(db):
    """The demo page tree and role groups (what seed_demo builds), without printing."""
    seed_all(log=lambda message: None)
    from cms.models import HomePage

    return HomePage.objects.get(locale__language_code="ja")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
