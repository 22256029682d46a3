import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_password_guessing_is_throttled_per_login_name(client):
    UserFactory(username="wangjg")
    for _ in range(5):
        assert "不匹配" in _login(client, "wangjg", "wrong").content.decode()
    response = _login(client, "wangjg", "secret-pass-123")  # even the right password waits now
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()


def test_a_successful_login_resets_the_count(client):
    UserFactory(username="wangjg")
    for _ in range(4):
        _login(client, "wangjg", "wrong")
    assert _login(client, "wangjg", "secret-pass-123").status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "wangjg", "wrong")
    assert _login(client, "wangjg", "secret-pass-123").status_code == 302


def test_the_cache_counts_under_a_salted_hash_not_the_login_name_or_address(client):
    from lucun import throttle
    from lucun.forms import LOGIN_WINDOW_SECONDS

    UserFactory(username="wangjg")
    _login(client, "wangjg", "wrong")
    name_key = throttle.key("login-name", "wangjg", LOGIN_WINDOW_SECONDS)
    address_key = throttle.key("login-address", "127.0.0.1", LOGIN_WINDOW_SECONDS)
    assert cache.get(name_key) == 1 and cache.get(address_key) == 1
    assert "wangjg" not in name_key and "127.0.0.1" not in address_key


def test_sign_in_works_when_the_cache_is_down(client, monkeypatch):
    UserFactory(username="wangjg")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "add", broken)
    assert _login(client, "wangjg", "secret-pass-123").status_code == 302


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
