"""The admin site: its password change checks the old password through the sign-in limiter (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.test import Client

from lucun.admin_site import AdminSite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
NEW_PASSWORD = "蓝天-绿水-2026-lucun"
LOCKED = "登录失败次数过多,请 15 分钟后再试"
CHANGE = "/admin/password_change/"


@pytest.fixture
def staff():
    return UserFactory(username="wangjg", phone="13912345678", is_staff=True, is_superuser=True)


@pytest.fixture
def signed_in(staff):
    client = Client()
    client.force_login(staff)
    return client


def _change(client, old, new=NEW_PASSWORD):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def _sign_in(path, username, password):
    client = Client()
    response = client.post(path, {"username": username, "password": password})
    return response, "_auth_user_id" in client.session


def test_the_admin_is_lucuns_site_with_its_chinese_titles():
    assert isinstance(admin.site, AdminSite)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/").content.decode()
    assert "lucun 民情治理系统 · 配置" in page and "配置数据" in page


def test_a_wrong_old_password_is_refused_and_counted_as_a_sign_in_failure(signed_in, staff):
    response = _change(signed_in, "wrong-guess")
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert AccessAttempt.objects.get().username == "wangjg"
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_five_wrong_old_passwords_lock_the_account_everywhere(signed_in, staff):
    for _ in range(4):
        assert _change(signed_in, "wrong-guess").status_code == 200
    fifth = _change(signed_in, "wrong-guess")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()

    # The right old password is refused now, with the form still on the page.
    response = _change(signed_in, PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page and 'name="old_password"' in page
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD) and not staff.check_password(NEW_PASSWORD)

    # So is signing in, on both sign-in pages, under the name or the phone number.
    for path in ("/admin/login/", "/accounts/login/"):
        for name in ("wangjg", "13912345678"):
            response, signed = _sign_in(path, name, PASSWORD)
            assert response.status_code == 429 and LOCKED in response.content.decode()
            assert not signed


def test_failures_at_sign_in_count_towards_the_password_change_lock(signed_in, staff):
    for _ in range(5):
        _sign_in("/accounts/login/", "WangJG", "wrong-guess")
    response = _change(signed_in, PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_the_failure_record_keeps_none_of_the_passwords(signed_in):
    _change(signed_in, "wrong-guess-old", new="typed-new-secret-42")
    attempt = AccessAttempt.objects.get()
    assert "wrong-guess-old" not in attempt.post_data and "typed-new-secret-42" not in attempt.post_data
    assert "old_password=********************" in attempt.post_data


def test_the_right_old_password_changes_it_and_keeps_the_session(signed_in, staff):
    response = _change(signed_in, PASSWORD)
    assert response.status_code == 302 and response.url == "/admin/password_change/done/"
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert signed_in.get("/admin/").status_code == 200  # this session stays signed in
    assert not AccessAttempt.objects.exists()
    response, signed = _sign_in("/accounts/login/", "wangjg", NEW_PASSWORD)
    assert response.status_code == 302 and signed


def test_the_password_of_another_account_the_name_could_resolve_to_does_not_pass():
    UserFactory(username="older", phone="lisi", password="another-pass-456")  # found first by "lisi"
    client = Client()
    client.force_login(UserFactory(username="lisi", is_staff=True, is_superuser=True))
    response = _change(client, "another-pass-456")
    assert response.status_code == 200 and "old_password" in response.context["form"].errors
