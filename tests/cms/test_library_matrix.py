"""Who reads what in the method library, on every surface it can be reached from.

The matrix: each visibility (public, partners, partners and trainees) × each reader
(anonymous, trainee, partner, instructor) × each surface (the page, the index listing,
sitemap.xml, the document's direct URL, the API). The body text of a page and the content
of a document appear only where the reader may see them.

The library is built once for the module, inside a transaction rolled back at its end; each
test runs in a savepoint of its own, so the readers it creates disappear after it.
"""

import pytest
from django.db import transaction

from tests.factories.accounts import InstructorFactory, TraineeFactory
from tests.factories.library import document, ja, ja_count, library_index, method, partner_member

pytestmark = pytest.mark.django_db

VISIBILITIES = ["public", "partners", "partners_trainees"]
READERS = ["anonymous", "trainee", "partner", "instructor"]
SURFACES = ["page", "index", "sitemap", "document", "api"]

MAY_READ = {
    "anonymous": {"public"},
    "trainee": {"public", "partners_trainees"},
    "partner": {"public", "partners", "partners_trainees"},
    "instructor": {"public", "partners", "partners_trainees"},
}


def body_marker(visibility):
    return f"本文「{visibility}」ひみつの手順"


def document_marker(visibility):
    return f"資料「{visibility}」ひみつの中身"


def title_of(visibility):
    return f"手法タイトル「{visibility}」"


@pytest.fixture(scope="module")
def library(django_db_setup, django_db_blocker):
    """One method and one document per visibility, built once for this module."""
    from django.contrib.auth.models import Group

    from cms.services import instructor_page_permissions_ensure
    from lms.accounts import roles
    from lms.accounts.services import roles_ensure
    from lms.demo.seed import seed_pages

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            roles_ensure()
            home = seed_pages(log=lambda message: None)
            instructor_page_permissions_ensure(
                group=Group.objects.get(name=roles.INSTRUCTORS), page=home
            )
            index = library_index(home)
            pages, documents = {}, {}
            for visibility in VISIBILITIES:
                documents[visibility] = document(
                    title=f"資料 {visibility}",
                    visibility=visibility,
                    content=document_marker(visibility),
                    filename=f"doc-{visibility}.txt",
                )
                pages[visibility] = method(
                    index,
                    slug=f"method-{visibility.replace('_', '-')}",
                    title=title_of(visibility),
                    summary_text=f"手法の概要「{visibility}」",
                    visibility=visibility,
                    body=body_marker(visibility),
                    downloads=[("document", {"document": documents[visibility], "title": ""})],
                )
            yield index, pages, documents
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def reader_client(client, reader):
    factories = {
        "trainee": TraineeFactory,
        "partner": partner_member,  # a partner through an active organisation
        "instructor": InstructorFactory,
    }
    if reader != "anonymous":
        client.force_login(factories[reader]())
    return client


def streamed(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_visibility_matrix(client, library, visibility, reader, surface):
    index, pages, documents = library
    page, doc = pages[visibility], documents[visibility]
    client = reader_client(client, reader)
    may_read = visibility in MAY_READ[reader]

    if surface == "page":
        response = client.get(page.url)
        html = response.content.decode()
        assert title_of(visibility) in html
        if may_read:
            assert response.status_code == 200
            assert body_marker(visibility) in html
            assert doc.url in html
        else:
            assert response.status_code == 403
            assert body_marker(visibility) not in html
            assert f"手法の概要「{visibility}」" in html  # what it is …
            assert ja("How to become a partner") in html  # … and how to get access
            assert doc.url not in html

    elif surface == "index":
        response = client.get(index.url)
        html = response.content.decode()
        assert response.status_code == 200
        assert (title_of(visibility) in html) is may_read
        assert body_marker(visibility) not in html  # a listing shows summaries only
        assert ja_count(len(MAY_READ[reader])) in html

    elif surface == "sitemap":
        response = client.get("/sitemap.xml")
        xml = response.content.decode()
        assert response.status_code == 200
        # Only public pages are announced, whoever fetches the sitemap.
        assert (f"{page.url}</loc>" in xml) is (visibility == "public")
        assert title_of(visibility) not in xml and body_marker(visibility) not in xml

    elif surface == "document":
        assert doc.url == f"/documents/{doc.pk}/{doc.filename}"
        response = client.get(doc.url)
        content = streamed(response)
        if may_read:
            assert response.status_code == 200
            assert document_marker(visibility) in content
        else:
            assert response.status_code == 403
            assert document_marker(visibility) not in content

    elif surface == "api":
        # No Wagtail API is enabled: nothing to read the library through.
        for url in ("/api/", "/api/v2/pages/", f"/api/v2/pages/{page.pk}/", "/api/v2/documents/"):
            response = client.get(url, {"type": "cms.MethodPage", "fields": "*"})
            assert response.status_code == 404, url
            assert body_marker(visibility) not in response.content.decode()
