"""Item 10: a favicon linked from every page, and /favicon.ico is not a 404."""

from django.contrib.staticfiles import finders


def test_favicon_is_linked_and_served(client, users):
    assert finders.find("favicon.svg")
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
