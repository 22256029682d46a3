"""Browsers ask for /favicon.ico on their own: it leads to the icon among the static files."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_browsers_favicon_request_finds_the_icon(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.url.endswith("favicon.ico")
    path = finders.find("favicon.ico")
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
