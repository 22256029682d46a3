import pytest
from django.urls import reverse

from lucun.models import Notification, Role
from tests.factories import GridFactory, UserFactory, official

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client):
    for name in ["home", "org_tree", "notification_list"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_by_username_and_by_phone(client):
    UserFactory(username="wangjg", phone="13912345678")
    assert client.post(reverse("login"), {"username": "wangjg", "password": "secret-pass-123"}).status_code == 302
    client.logout()
    response = client.post(reverse("login"), {"username": "13912345678", "password": "secret-pass-123"})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_gets_a_chinese_message(client):
    UserFactory(username="wangjg")
    response = client.post(reverse("login"), {"username": "wangjg", "password": "nope"})
    assert response.status_code == 200
    assert "用户名(或手机号)与密码不匹配" in response.content.decode()


def test_street_leader_sees_street_navigation(client, street_leader):
    client.force_login(street_leader)
    response = client.get(reverse("home"))
    labels = [item["label"] for item in response.context["nav_items"]]
    assert "接口文档" in labels
    assert "系统配置" not in labels
    assert "班子成员" in response.content.decode()


def test_community_cadre_sees_only_community_navigation(client, cadre):
    client.force_login(cadre)
    response = client.get(reverse("home"))
    labels = [item["label"] for item in response.context["nav_items"]]
    assert "工作台" in labels
    assert f'class="bell" href="{reverse("notification_list")}"' in response.content.decode()  # messages: the bell
    assert "接口文档" not in labels
    assert "村居干部" in response.content.decode()


def test_user_without_position_is_told_so(client):
    client.force_login(UserFactory())
    assert "您还没有任何职务" in client.get(reverse("home")).content.decode()


def test_org_tree_shows_only_the_cadres_own_community(client, cadre, community, other_community):
    GridFactory(community=community, name="东片网格")
    client.force_login(cadre)
    html = client.get(reverse("org_tree")).content.decode()
    assert "芦湖村" in html and "东片网格" in html
    assert "稻香村" not in html


def test_org_tree_query_count_does_not_grow_with_communities(
    client, street, street_leader, django_assert_max_num_queries
):
    from tests.factories import CommunityFactory

    client.force_login(street_leader)
    for _ in range(3):
        GridFactory(community=CommunityFactory(street=street))
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("org_tree"))
    for _ in range(10):
        GridFactory(community=CommunityFactory(street=street))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("org_tree"))


def test_unread_count_shows_in_the_header_and_mark_read_clears_it(client, cadre):
    note = Notification.objects.create(recipient=cadre, title="您有一条督办单")
    client.force_login(cadre)
    html = client.get(reverse("notification_list")).content.decode()
    assert 'data-testid="unread-count">1<' in html
    assert "您有一条督办单" in html
    client.post(reverse("notification_mark_read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'data-testid="unread-count"' not in client.get(reverse("notification_list")).content.decode()


def test_mark_all_read(client, cadre):
    Notification.objects.bulk_create([Notification(recipient=cadre, title=f"n{i}") for i in range(3)])
    client.force_login(cadre)
    client.post(reverse("notification_mark_read"))
    assert not Notification.objects.filter(recipient=cadre, read_at__isnull=True).exists()


def test_mark_read_never_redirects_off_site(client, cadre):
    client.force_login(cadre)
    response = client.post(reverse("notification_mark_read"), {"next": "https://evil.example/"})
    assert response.url == reverse("notification_list")


def test_notification_list_is_paginated_with_fixed_queries(client, cadre, django_assert_max_num_queries):
    Notification.objects.bulk_create([Notification(recipient=cadre, title=f"n{i}") for i in range(45)])
    client.force_login(cadre)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notification_list"))
    assert len(response.context["page_obj"]) == 30
    assert "第 1 / 2 页" in response.content.decode()


def test_english_is_available_as_a_second_language(client, cadre):
    client.force_login(cadre)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Workbench" in client.get(reverse("home")).content.decode()


def test_healthz_answers_without_login(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_grid_worker_home_lists_the_grid(client, grid):
    worker = official(Role.GRID_WORKER, grid=grid)
    client.force_login(worker)
    assert "第一网格" in client.get(reverse("home")).content.decode()
