"""The admin shows no avatar from gravatar.com: it would send a hash of each staff member's
e-mail address to a third party."""

from tests.factories.accounts import InstructorFactory


def test_the_admin_pages_load_no_avatar_from_gravatar(client, site_tree):
    instructor = InstructorFactory(email="teacher@example.com")
    client.force_login(instructor)
    for url in ("/admin/", "/admin/account/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "gravatar" not in response.content.decode(), url
