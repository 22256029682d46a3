import pytest
from django.urls import reverse

from lucun.models import Role
from outcomes.models import Callback
from outcomes.services import callbacks_create, talent_create
from tests.factories import official

from .factories import callback_for, resolved_case

pytestmark = pytest.mark.django_db


def test_callbacks_api_is_scoped_and_records(client, community, cadre, other_cadre):
    case = resolved_case(community=community, by=cadre)
    callbacks_create()
    callback = Callback.objects.get(case=case)
    client.force_login(other_cadre)
    assert client.get(reverse("api_callback_list")).json()["count"] == 0
    assert client.get(reverse("api_callback_detail", args=[callback.pk])).status_code == 404
    colleague = official(Role.COMMUNITY_CADRE, community=community)  # independent of the case
    client.force_login(colleague)
    assert client.get(reverse("api_callback_list") + "?state=pending").json()["count"] == 1
    response = client.post(
        reverse("api_callback_record", args=[callback.pk]),
        {"contacted": True, "method": "phone", "solved": False, "satisfaction": "dissatisfied"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["reopened"] is True


def test_rates_api_returns_groups_and_definitions(client, community, cadre):
    callback_for(resolved_case(community=community, by=cadre), solved=True, satisfaction="satisfied")
    client.force_login(cadre)
    data = client.get(reverse("api_rates") + "?dimension=handler&bucket=month").json()
    assert data["total"]["satisfaction_rate"] == 100.0
    assert data["groups"][0]["id"] == cadre.pk
    assert "满意率" in data["definitions"]["satisfaction"]
    assert client.get(reverse("api_rates") + "?dimension=nope").status_code == 400


def test_report_api_returns_the_figures(client, street, community, cadre):
    resolved_case(community=community, by=cadre)
    client.force_login(official(Role.STREET_LEADER, street=street))
    data = client.get(reverse("api_outcome_report")).json()
    assert data["cases"]["collected"] == 1
    assert "response" in data["definitions"]


def test_talent_api_masks_phones_for_street_staff(client, street, community, cadre):
    talent_create(user=cadre, community=community, name="王强", kind="veteran", phone="13812345678")
    client.force_login(official(Role.STREET_STAFF, street=street))
    assert client.get(reverse("api_talent_list")).json()["results"][0]["phone"] == "138****5678"


def test_red_lines_warnings_and_goals_lists(client, community, cadre):
    client.force_login(cadre)
    assert client.get(reverse("api_red_line_list")).json()["count"] == 7
    assert client.get(reverse("api_warning_list")).status_code == 200
    assert client.get(reverse("api_goal_list")).status_code == 200
