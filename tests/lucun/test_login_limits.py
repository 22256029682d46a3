"""Password guessing is limited on every sign-in path, by account and by address, in the database (django-axes)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import Client, RequestFactory

from lucun import tasks
from lucun.login_limits.hooks import client_address, lockout_response
from lucun.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
LOCKED = "登录失败次数过多,请 15 分钟后再试"
SIGN_IN = "/accounts/login/"
ADMIN_SIGN_IN = "/admin/login/"
T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def supervisor_account():
    return UserFactory(username="supervisor", phone="13912345678", is_staff=True, is_superuser=True)


def _post(client, path, username, password, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, times, username="supervisor", path=SIGN_IN, **extra):
    for _ in range(times):
        _post(client, path, username, "wrong-guess", **extra)


def test_after_five_failures_the_right_password_is_refused_with_the_form_still_there(client, supervisor_account):
    for _ in range(4):
        response = _post(client, SIGN_IN, "supervisor", "wrong-guess")
        assert response.status_code == 200 and "不匹配" in response.content.decode()
    fifth = _post(client, SIGN_IN, "supervisor", "wrong-guess")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()

    response = _post(client, SIGN_IN, "supervisor", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in page and 'name="password"' in page
    assert not _signed_in(client)


def test_the_admin_sign_in_page_locks_too(client, supervisor_account):
    _fail(client, 5, path=ADMIN_SIGN_IN)
    response = _post(client, ADMIN_SIGN_IN, "supervisor", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode() and 'name="password"' in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.parametrize(("first", "then"), [(SIGN_IN, ADMIN_SIGN_IN), (ADMIN_SIGN_IN, SIGN_IN)])
def test_failures_on_one_sign_in_page_count_on_the_other(client, supervisor_account, first, then):
    _fail(client, 3, path=first)
    _fail(client, 2, path=then)
    for path in (SIGN_IN, ADMIN_SIGN_IN):
        assert _post(client, path, "supervisor", PASSWORD).status_code == 429
    assert not _signed_in(client)


def test_any_password_check_through_authenticate_is_refused_once_locked(client, supervisor_account):
    _fail(client, 5)
    request = RequestFactory().post("/api/v1/some-token-view/", REMOTE_ADDR="198.51.100.20")
    assert authenticate(request, username="supervisor", password=PASSWORD) is None
    fresh = RequestFactory().post("/api/v1/some-token-view/", REMOTE_ADDR="198.51.100.20")
    assert authenticate(fresh, username="someone-else", password=PASSWORD) is None  # counted, not an error


# The long s, capitals, full-width letters (a Chinese input method), spaces, the phone number in both widths.
LOOKALIKES = [
    "ſupervisor",
    "SUPERVISOR",
    "ｓｕｐｅｒｖｉｓｏｒ",
    " Supervisor ",
    "13912345678",
    "１３９１２３４５６７８",
]


@pytest.mark.parametrize("lookalike", LOOKALIKES)
def test_a_lookalike_name_or_the_phone_number_hits_the_same_lock(client, supervisor_account, lookalike):
    _fail(client, 5, username="supervisor")
    assert _post(client, SIGN_IN, lookalike, PASSWORD).status_code == 429
    assert _post(client, ADMIN_SIGN_IN, lookalike, PASSWORD).status_code == 429
    assert not _signed_in(client)


def test_failures_under_different_lookalikes_add_up_on_the_account(client, supervisor_account):
    for name in ["ſupervisor", "SUPERVISOR", "ｓｕｐｅｒｖｉｓｏｒ", "13912345678", "Supervisor"]:
        _post(client, SIGN_IN, name, "wrong-guess")
    assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"supervisor"}


@pytest.mark.parametrize("lookalike", ["ſupervisor", "ｓｕｐｅｒｖｉｓｏｒ", "１３９１２３４５６７８"])
def test_a_lookalike_signs_in_as_the_account_it_counts_against(client, supervisor_account, lookalike):
    response = _post(client, SIGN_IN, lookalike, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(supervisor_account.pk)


def test_an_unknown_name_is_counted_under_its_normalised_text(client):
    _post(client, SIGN_IN, "Ｎｏｂｏｄｙ", "wrong-guess")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "nobody"
    assert "wrong-guess" not in attempt.post_data and "Ｎｏｂｏｄｙ" not in attempt.post_data


def test_the_lock_expires_after_the_cool_off_and_trying_meanwhile_does_not_extend_it(client, supervisor_account):
    with time_machine.travel(T0, tick=False) as traveller:
        _fail(client, 5)
        traveller.shift(timedelta(minutes=10))
        assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=4, seconds=59))
        assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 429
        traveller.shift(timedelta(seconds=2))
        assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 302
        assert _signed_in(client)


def test_a_successful_sign_in_forgets_the_account_failures(client, supervisor_account):
    _fail(client, 4)
    assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 302
    client.logout()
    _fail(client, 4)
    assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 302


def test_an_admin_sees_the_lock_in_chinese_and_clears_it(client, supervisor_account):
    UserFactory(username="wangjg")
    _fail(client, 5, username="WangJG")
    assert _post(client, SIGN_IN, "wangjg", PASSWORD).status_code == 429

    admin = Client()
    admin.force_login(supervisor_account)
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "登录限制" in html and "登录失败记录" in html and "wangjg" in html and "已锁定" in html
    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="wangjg").values_list("pk", flat=True)]
    response = admin.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="lucun.login_lock_clear")
    assert event.actor == supervisor_account and "wangjg" in event.summary

    assert _post(client, SIGN_IN, "wangjg", PASSWORD).status_code == 302


def test_an_admin_cleans_up_expired_failure_records(client, supervisor_account):
    admin = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        admin.force_login(supervisor_account)
        _fail(client, 2, username="old-guess")
        traveller.shift(timedelta(minutes=10))
        _fail(client, 1, username="new-guess")
        traveller.shift(timedelta(minutes=6))
        ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
        response = admin.post(
            "/admin/axes/accessattempt/", {"action": "cleanup_expired_attempts", "_selected_action": ids}, follow=True
        )
    assert response.status_code == 200 and "已清理 1 条过期的失败记录" in response.content.decode()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["new-guess"]


def test_only_staff_with_the_permission_reach_the_lock_list(client):
    assert client.get("/admin/axes/accessattempt/").url.startswith(ADMIN_SIGN_IN)
    client.force_login(UserFactory())
    assert client.get("/admin/axes/accessattempt/").url.startswith(ADMIN_SIGN_IN)
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/axes/accessattempt/").status_code == 403


@pytest.fixture
def behind_one_proxy(settings):
    settings.LUCUN_TRUSTED_PROXY_COUNT = 1


def _via_proxy(client_part: str, real: str) -> dict:
    return {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": f"{client_part}, {real}"}


def test_an_address_is_locked_after_thirty_failures_whatever_it_writes_in_forwarded_for(client, behind_one_proxy):
    UserFactory(username="wangjg")
    for n in range(29):
        _post(client, SIGN_IN, f"guess{n}", "wrong-guess", **_via_proxy(f"198.51.100.{n}", "203.0.113.5"))
    assert _post(client, SIGN_IN, "wangjg", PASSWORD, **_via_proxy("192.0.2.1", "203.0.113.5")).status_code == 302
    client.logout()
    _post(client, SIGN_IN, "guess-last", "wrong-guess", **_via_proxy("198.51.100.99", "203.0.113.5"))

    refused = _post(client, SIGN_IN, "wangjg", PASSWORD, **_via_proxy("192.0.2.77", "203.0.113.5"))
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    other_client = _post(client, SIGN_IN, "wangjg", PASSWORD, **_via_proxy("198.51.100.1", "203.0.113.6"))
    assert other_client.status_code == 302


def test_the_counted_address_is_the_one_the_proxy_saw(behind_one_proxy):
    factory = RequestFactory()
    assert client_address(factory.get("/", **_via_proxy("1.2.3.4", "203.0.113.5"))) == "203.0.113.5"
    assert client_address(factory.get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.2")) == (
        "10.0.0.2"
    )


def test_sign_in_and_its_limit_work_with_the_cache_down(client, supervisor_account, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "set", "add", "incr", "delete", "get_many", "set_many"):
        monkeypatch.setattr(cache, method, broken)
    assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 302
    client.logout()
    _fail(client, 5)
    assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 429


def test_an_api_client_gets_the_lock_as_chinese_json():
    request = RequestFactory().post("/api/v1/some-token-view/", HTTP_ACCEPT="application/json")
    response = lockout_response(request)
    assert response.status_code == 429
    assert json.loads(response.content) == {"detail": "登录失败次数过多,请 15 分钟后再试,或联系街道管理员重置密码。"}


def test_the_sign_in_log_is_pruned_daily():
    config = apps.get_app_config("lucun")
    assert ("登录记录清理 sign-in log prune", "lucun.tasks.login_log_prune", 86400) in config.periodic_tasks


def test_the_prune_deletes_sign_ins_older_than_ninety_days_and_keeps_the_recent_ones(client, supervisor_account):
    with time_machine.travel(T0 - timedelta(days=90, minutes=1), tick=False) as traveller:
        assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 302
        traveller.move_to(T0 - timedelta(days=89, hours=23))
        assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 302
        traveller.move_to(T0)
        assert _post(client, SIGN_IN, "supervisor", PASSWORD).status_code == 302
        assert AccessLog.objects.count() == 3

        assert tasks.login_log_prune() == 1
    assert sorted(AccessLog.objects.values_list("attempt_time", flat=True)) == [
        T0 - timedelta(days=89, hours=23),
        T0,
    ]


def test_the_prune_keeps_the_days_set_in_settings(settings, supervisor_account):
    settings.LUCUN_LOGIN_LOG_DAYS = 30
    with time_machine.travel(T0 - timedelta(days=31), tick=False) as traveller:
        AccessLog.objects.create(username="supervisor", user_agent="", http_accept="", path_info=SIGN_IN)
        traveller.move_to(T0 - timedelta(days=29))
        AccessLog.objects.create(username="supervisor", user_agent="", http_accept="", path_info=SIGN_IN)
        traveller.move_to(T0)
        assert tasks.login_log_prune() == 1
    assert AccessLog.objects.get().attempt_time == T0 - timedelta(days=29)
