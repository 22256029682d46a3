import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lucun.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_api_needs_authentication(api):
    assert api.get("/api/v1/communities/").status_code in (401, 403)


def test_token_authentication_works(api, cadre):
    token = Token.objects.create(user=cadre)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["positions"][0]["role"] == "community_cadre"


def test_community_list_is_scoped(api, cadre, community, other_community):
    api.force_authenticate(cadre)
    body = api.get("/api/v1/communities/").json()
    assert body["count"] == 1
    assert body["results"][0]["name"] == "芦湖村"


def test_foreign_community_answers_404(api, cadre, other_community):
    api.force_authenticate(cadre)
    assert api.get(f"/api/v1/communities/{other_community.pk}/").status_code == 404


def test_street_leader_lists_all_communities_of_the_street(api, street_leader, community, other_community):
    api.force_authenticate(street_leader)
    assert api.get("/api/v1/communities/").json()["count"] == 2


def test_grids_are_scoped(api, cadre, grid, other_community):
    from tests.factories import GridFactory

    GridFactory(community=other_community)
    api.force_authenticate(cadre)
    assert [g["id"] for g in api.get("/api/v1/grids/").json()["results"]] == [grid.pk]


def test_notifications_api_lists_and_marks_read(api, cadre, other_cadre):
    mine = Notification.objects.create(recipient=cadre, title="a")
    Notification.objects.create(recipient=other_cadre, title="b")
    api.force_authenticate(cadre)
    assert [n["id"] for n in api.get("/api/v1/notifications/").json()["results"]] == [mine.pk]
    assert api.post("/api/v1/notifications/mark-read/", {"ids": [mine.pk]}, format="json").json() == {"marked": 1}


def test_mark_read_rejects_bad_ids_with_field_errors(api, cadre):
    api.force_authenticate(cadre)
    response = api.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/communities/" in (tmp_path / "schema.yml").read_text()


def test_docs_page_loads_assets_locally(client, cadre):
    client.force_login(cadre)
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
