"""Hardening that a test can prove: deploy checks, cookies under production settings, public rate limits.

The Content-Security-Policy of every page is checked in the permission matrix (each 200 HTML answer); login
throttling is covered in tests/lucun/test_security.py.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cases.models import Feedback

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    dropped = ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="lucun.settings.production",
        SECRET_KEY="test-only-" + "k" * 50,
        ALLOWED_HOSTS="lucun.example.org",
        **extra,
    )
    return env


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_secure_and_http_only_and_https_is_enforced():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "True", "False"], result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env["SECRET_KEY"] = ""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_session_cookie_is_http_only_when_signing_in(world, client, settings):
    settings.SESSION_COOKIE_SECURE = True  # as production sets it
    user = world.users["community_cadre"]
    user.set_password("secret-pass-123")
    user.save()
    response = client.post("/accounts/login/", {"username": user.username, "password": "secret-pass-123"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"]


# ----------------------------------------------------------------------------------- public rate limits


def test_sending_feedback_is_rate_limited_per_address(world, client):
    url = f"/f/{world.o['channel'].token}/"
    answers = [
        client.post(url, {"community": world.community.pk, "text": f"第{i}条:路灯坏了"}).status_code for i in range(7)
    ]
    assert answers[:5] == [200] * 5 and answers[5:] == [429, 429]
    assert Feedback.objects.filter(text__endswith="路灯坏了").count() == 5


def test_sending_feedback_by_api_is_rate_limited_per_address(world, client):
    body = {"token": world.o["channel"].token, "text": "路灯坏了", "community": world.community.pk}
    answers = [client.post("/api/v1/feedback/", body, content_type="application/json").status_code for _ in range(7)]
    assert answers[:5] == [201] * 5 and answers[5:] == [429, 429]


def test_guessing_lookup_codes_is_rate_limited_per_address(world, client):
    answers = [client.get(f"/s/ZZZZ{i:04d}/").status_code for i in range(22)]
    assert answers[:20] == [404] * 20 and answers[20:] == [429, 429]
    assert client.get(f"/s/{world.o['feedback'].lookup_code}/").status_code == 429  # held back for a while


def test_guessing_points_cards_is_rate_limited_per_address(world, client):
    answers = [client.get(f"/points/m/ZZZZZZZZZZZZ{i:04d}/").status_code for i in range(22)]
    assert answers[:20] == [404] * 20 and answers[20:] == [429, 429]
    assert "太频繁" in client.get(f"/points/m/{world.o['volunteer'].token}/").content.decode()


def test_claims_from_a_points_card_are_rate_limited_per_address(world, client):
    url = f"/points/m/{world.o['volunteer'].token}/"
    answers = [client.post(url, {}).status_code for _ in range(12)]
    assert 429 not in answers[:10] and answers[10:] == [429, 429]


def test_the_rate_limit_lets_everything_through_when_the_cache_is_down(world, client, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "add", "incr", "set"):
        monkeypatch.setattr(cache, name, down)
    url = f"/f/{world.o['channel'].token}/"
    answers = [
        client.post(url, {"community": world.community.pk, "text": f"第{i}条反映"}).status_code for i in range(7)
    ]
    assert answers == [200] * 7
