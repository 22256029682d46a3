"""Content-Security-Policy and cookies; sign-in limits are in test_login_limits.py."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_without_inline_script(client, cadre):
    client.force_login(cadre)
    response = client.get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in re.search(r"script-src[^;]*", policy).group(0)
    assert "frame-ancestors 'none'" in policy
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())


def test_api_docs_load_their_script_from_a_url(client, cadre):
    client.force_login(cadre)
    html = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert client.get("/api/docs/?script=").status_code == 200


def test_session_and_csrf_cookies_are_http_only(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
