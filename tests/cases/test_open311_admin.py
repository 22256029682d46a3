"""Open311 in the admin: a key issued (shown once, kept as a hash), revoked with a reason; the list switched on."""

import hashlib
import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission

from cases.models import Feedback, Open311Key, Open311Setting
from lucun.models import AuditEvent, Role, User
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", password="secret-pass-123"))
    return client


def _post_request(client, secret, community):
    body = urlencode(
        {
            "api_key": secret,
            "service_code": "infrastructure",
            "attribute[community]": community.pk,
            "description": "村口路灯坏了三盏。",
        }
    )
    return client.post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")


def _issue(client, street, name="随手拍 App", limit=50, each_address=True) -> str:
    data = {"street": street.pk, "name": name, "hourly_limit": limit}
    if each_address:  # the box as the form shows it, ticked
        data["limit_each_address"] = "on"
    response = client.post("/admin/cases/open311key/add/", data)
    assert response.status_code == 200 and "只显示这一次" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    return re.search(r'data-testid="open311-key"[^>]*>([^<]+)<', response.content.decode()).group(1)


def test_a_key_issued_in_the_admin_is_shown_once_kept_as_a_hash_and_works(admin_client, street, community):
    assert admin_client.get("/admin/cases/open311key/add/").status_code == 200
    secret = _issue(admin_client, street)
    key = Open311Key.objects.get()
    assert (key.name, key.hourly_limit, key.street, key.is_active) == ("随手拍 App", 50, street, True)
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest() and key.prefix == secret[:12]
    assert secret not in admin_client.get(f"/admin/cases/open311key/{key.pk}/change/").content.decode()
    assert AuditEvent.objects.filter(action="cases.open311_key_issue", object_id=str(key.pk)).count() == 1
    assert _post_request(admin_client, secret, community).status_code == 201
    assert Feedback.objects.get().channel == key.channel


def test_a_key_revoked_in_the_admin_with_a_reason_posts_nothing_more(admin_client, street, community):
    secret = _issue(admin_client, street)
    key = Open311Key.objects.get()
    response = admin_client.post(
        f"/admin/cases/open311key/{key.pk}/change/",
        {"name": key.name, "hourly_limit": 20, "limit_each_address": "on", "revoke_reason": "App 已下线"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    key.channel.refresh_from_db()
    assert (key.is_active, key.revoked_reason, key.hourly_limit) == (False, "App 已下线", 20)
    assert key.channel.is_active is False and key.revoked_by.username == "root"
    assert AuditEvent.objects.filter(action="cases.open311_key_revoke").count() == 1
    refused = _post_request(admin_client, secret, community)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    assert admin_client.post(f"/admin/cases/open311key/{key.pk}/delete/").status_code == 403


def test_a_keys_settings_are_changed_in_the_admin_and_audited(admin_client, street):
    page = admin_client.get("/admin/cases/open311key/add/").content.decode()
    assert re.search(r'<input type="checkbox" name="limit_each_address"[^>]* checked', page)  # on unless unticked
    assert "按来源地址限流" in page and "由 App 的服务器统一转发时请关闭" in page
    _issue(admin_client, street)
    key = Open311Key.objects.get()
    assert key.limit_each_address is True

    response = admin_client.post(
        f"/admin/cases/open311key/{key.pk}/change/", {"name": "随手拍 App 服务器", "hourly_limit": 300}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.name, key.hourly_limit, key.limit_each_address, key.is_active) == (
        "随手拍 App 服务器",
        300,
        False,
        True,
    )
    event = AuditEvent.objects.get(action="cases.open311_key_change")
    assert (event.actor.username, event.object_id) == ("root", str(key.pk))
    assert event.changes == {
        "before": {"name": "随手拍 App", "hourly_limit": 50, "limit_each_address": True},
        "after": {"name": "随手拍 App 服务器", "hourly_limit": 300, "limit_each_address": False},
    }
    admin_client.post(f"/admin/cases/open311key/{key.pk}/change/", {"name": key.name, "hourly_limit": 300})
    assert AuditEvent.objects.filter(action="cases.open311_key_change").count() == 1  # nothing changed, no row
    listed = admin_client.get("/admin/cases/open311key/").content.decode()
    assert "按来源地址限流" in listed and 'class="field-limit_each_address"' in listed


def test_staff_who_do_not_manage_the_street_cannot_issue_its_keys(client, street, community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    cadre.is_staff = True
    cadre.save(update_fields=["is_staff"])
    cadre.user_permissions.add(*Permission.objects.filter(codename__in=["add_open311key", "view_open311key"]))
    client.force_login(cadre)
    response = client.post("/admin/cases/open311key/add/", {"street": street.pk, "name": "App", "hourly_limit": 10})
    assert response.status_code == 200 and "街道一级" in response.content.decode()
    assert not Open311Key.objects.exists()


def test_the_public_list_is_switched_on_in_the_admin_and_audited(admin_client, street):
    assert admin_client.get("/open311/v2/requests.json").status_code == 404
    response = admin_client.post(
        "/admin/cases/open311setting/add/", {"street": street.pk, "public_listing": "on", "service_notice": ""}
    )
    assert response.status_code == 302
    assert Open311Setting.objects.get(street=street).public_listing is True
    assert admin_client.get("/open311/v2/requests.json").json() == []
    event = AuditEvent.objects.get(action="cases.open311_setting_change")
    assert event.changes == {
        "before": {"public_listing": False, "service_notice": ""},
        "after": {"public_listing": True, "service_notice": ""},
    }
