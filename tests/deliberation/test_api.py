from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseList, CaseState
from deliberation import services
from deliberation.models import Meeting
from lucun.models import Role
from tests.cases.factories import open_case
from tests.deliberation.factories import family_forum, joint_meeting, venue
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_schedule_add_and_decide_through_the_api(api, cadre, community):
    case = open_case(community=community, by=cadre)
    api.force_authenticate(cadre)
    response = api.post(
        "/api/v1/deliberation/meetings/",
        {
            "kind": "family_forum",
            "title": "大家小家座谈会",
            "community": community.pk,
            "starts_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
            "location": "村广场",
            "participants": {"resident_reps": 10},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    response = api.post(
        f"/api/v1/deliberation/meetings/{meeting_id}/agenda/", {"case_number": case.number}, format="json"
    )
    assert response.status_code == 201, response.json()
    item_id = response.json()["id"]
    response = api.post(
        f"/api/v1/deliberation/agenda-items/{item_id}/decide/",
        {"decision": "settled", "summary": "协商", "result": "物业负责维修", "case_list": "self"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["case_state"] == CaseState.RESOLVED
    case.refresh_from_db()
    assert case.case_list == CaseList.SELF
    detail = api.get(f"/api/v1/deliberation/meetings/{meeting_id}/").json()
    assert detail["status"] == "held" and detail["participations"][0]["invited"] == 10
    assert detail["steps"][0]["code"] == "notice"


def test_case_error_comes_back_as_a_400_with_its_message(api, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    api.force_authenticate(cadre)
    response = api.post(
        f"/api/v1/deliberation/agenda-items/{item.pk}/decide/",
        {"decision": "assigned", "summary": "x", "result": "y"},
        format="json",
    )
    assert response.status_code == 400
    assert "不能作出这种决定" in str(response.json())


def test_another_communitys_meeting_venue_and_item_are_404_in_the_api(api, cadre, community, other_cadre):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    place = venue(community=community)
    api.force_authenticate(other_cadre)
    for url in (
        f"/api/v1/deliberation/meetings/{meeting.pk}/",
        f"/api/v1/deliberation/meetings/{meeting.pk}/agenda/",
        f"/api/v1/deliberation/agenda-items/{item.pk}/",
        f"/api/v1/deliberation/venues/{place.pk}/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.post(f"/api/v1/deliberation/agenda-items/{item.pk}/decide/", {}, format="json").status_code == 404
    assert api.get("/api/v1/deliberation/meetings/").json()["count"] == 0
    assert api.get("/api/v1/deliberation/venues/").json()["count"] == 0
    assert api.get("/api/v1/deliberation/agenda-items/").json()["count"] == 0


def test_proposed_agenda_of_a_joint_meeting(api, cadre, community, street, street_leader):
    escalated = open_case(community=community, by=cadre, case_list=CaseList.STREET)
    open_case(community=community, by=cadre)  # on the community's list: not proposed
    joint = joint_meeting(street=street, by=street_leader)
    api.force_authenticate(street_leader)
    response = api.get(f"/api/v1/deliberation/meetings/{joint.pk}/proposed-agenda/")
    assert [c["number"] for c in response.json()["results"]] == [escalated.number]
    response = api.post(f"/api/v1/deliberation/meetings/{joint.pk}/proposed-agenda/", {}, format="json")
    assert response.status_code == 201
    assert response.json()[0]["case_number"] == escalated.number


def test_street_meeting_through_the_api_needs_the_callers_street(api, street, street_leader, other_cadre):
    api.force_authenticate(street_leader)
    response = api.post(
        "/api/v1/deliberation/meetings/",
        {
            "kind": "joint",
            "title": "党政联席会",
            "street": street.pk,
            "starts_at": timezone.now().isoformat(),
            "location": "街道会议室",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Meeting.objects.get().street == street
    api.force_authenticate(other_cadre)
    response = api.post(
        "/api/v1/deliberation/meetings/",
        {"kind": "joint", "title": "x", "street": street.pk, "starts_at": timezone.now().isoformat(), "location": "x"},
        format="json",
    )
    assert response.status_code == 400


def test_figures_endpoint_gives_the_rate_and_its_definition(api, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    services.agenda_decide(item=item, user=cadre, decision="settled", summary="x", result="y")
    services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    api.force_authenticate(cadre)
    body = api.get("/api/v1/deliberation/figures/").json()
    assert body["total"] == {"meetings": 1, "on_agenda": 2, "settled": 1, "rate": 50.0}
    assert "÷" in body["definitions"]["rate"]


def test_meeting_list_query_count_is_fixed(api, cadre, community, django_assert_max_num_queries):
    for i in range(2):
        family_forum(community=community, by=cadre, title=f"会{i}", participants={"resident_reps": 3})
    api.force_authenticate(cadre)
    with django_assert_max_num_queries(10) as few:
        api.get("/api/v1/deliberation/meetings/")
    for i in range(10):
        family_forum(community=community, by=cadre, title=f"会{i + 2}", participants={"resident_reps": 3})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/v1/deliberation/meetings/").json()["count"] == 12


def test_schema_generates_without_warnings():
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")


def test_grid_worker_of_the_community_can_read_but_not_decide(api, cadre, community):
    worker = official(Role.GRID_WORKER, community=community)
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    api.force_authenticate(worker)
    assert api.get(f"/api/v1/deliberation/agenda-items/{item.pk}/").status_code == 200
    response = api.post(
        f"/api/v1/deliberation/agenda-items/{item.pk}/decide/",
        {"decision": "settled", "summary": "x", "result": "y"},
        format="json",
    )
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
