from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseState
from lucun.models import Role, User
from tests.cases.factories import category, fourth_tier, open_case
from tests.factories import CommunityFactory, official

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def handler(community):
    return official(Role.GRID_WORKER, community=community)


def test_create_case_through_the_api_uses_the_same_service(api, cadre, community):
    api.force_authenticate(cadre)
    response = api.post(
        "/api/v1/cases/",
        {
            "community": community.pk,
            "category": category().pk,
            "title": "路灯不亮",
            "source": "phone",
            "tier": "immediate",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("LH-")
    assert body["tier_code"] == "immediate"
    assert Case.objects.get().events.get().kind == "opened"


def test_create_case_in_a_foreign_community_is_refused(api, other_cadre, community):
    api.force_authenticate(other_cadre)
    response = api.post(
        "/api/v1/cases/",
        {"community": community.pk, "category": category().pk, "title": "x", "source": "phone"},
        format="json",
    )
    assert response.status_code == 400
    assert "community" in response.json()
    assert not Case.objects.exists()


def test_create_case_with_missing_and_wrong_fields_gives_field_errors(api, cadre):
    api.force_authenticate(cadre)
    response = api.post("/api/v1/cases/", {"community": "abc", "source": "fax"}, format="json")
    assert response.status_code == 400
    assert {"community", "source", "title", "category"} <= set(response.json())


def test_list_is_scoped_and_filters_by_live_colour(api, cadre, other_cadre, community, other_community):
    with time_machine.travel(timezone.now() - timedelta(hours=30), tick=False):
        red = open_case(community=community, by=cadre, tier_code="immediate")
    open_case(community=community, by=cadre, tier_code="escalated")
    open_case(community=other_community, by=other_cadre)
    api.force_authenticate(cadre)
    assert len(api.get("/api/v1/cases/").json()["results"]) == 2
    body = api.get("/api/v1/cases/", {"colour": "red"}).json()
    assert [c["number"] for c in body["results"]] == [red.number]
    assert body["results"][0]["live_colour"] == "red"


def test_foreign_case_detail_and_moves_are_404(api, cadre, other_cadre, community):
    case = open_case(community=community, by=cadre)
    api.force_authenticate(other_cadre)
    assert api.get(f"/api/v1/cases/{case.number}/").status_code == 404
    assert api.post(f"/api/v1/cases/{case.number}/cancel/", {"reason": "x"}, format="json").status_code == 404


def test_every_move_has_its_endpoint(api, cadre, community, handler, supervisor):
    case = open_case(community=community, by=cadre, handler=handler)
    api.force_authenticate(handler)
    assert api.post(f"/api/v1/cases/{case.number}/accept/", {}, format="json").json()["state"] == "accepted"
    api.post(f"/api/v1/cases/{case.number}/progress/", {"note": "已联系", "contacted": True}, format="json")
    api.post(f"/api/v1/cases/{case.number}/pause/", {"reason": "等材料"}, format="json")
    assert Case.objects.get().state == CaseState.PAUSED
    api.post(f"/api/v1/cases/{case.number}/resume/", {}, format="json")
    response = api.post(f"/api/v1/cases/{case.number}/extension/", {"days": 2, "reason": "等"}, format="json")
    assert response.status_code == 200
    request_id = case.extension_requests.get().pk
    api.force_authenticate(cadre)  # 承办, 2 days: the community's cadres approve
    decided = api.post(f"/api/v1/cases/extension-requests/{request_id}/decide/", {"approve": True}, format="json")
    assert decided.json()["decision"] == "approved"
    api.force_authenticate(supervisor)
    api.post(f"/api/v1/cases/{case.number}/supervise/", {"note": "请加快"}, format="json")
    api.force_authenticate(handler)
    resolved = api.post(f"/api/v1/cases/{case.number}/resolve/", {"resolution": "已修复"}, format="json").json()
    assert resolved["state"] == "resolved"
    events = api.get(f"/api/v1/cases/{case.number}/events/").json()["results"]
    assert [e["kind"] for e in events] == [
        "opened",
        "accepted",
        "progress",
        "paused",
        "resumed",
        "extension_requested",
        "extension_approved",
        "supervised",
        "resolved",
    ]


def test_illegal_move_is_a_400_with_the_reason(api, cadre, community, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    api.force_authenticate(handler)
    response = api.post(f"/api/v1/cases/{case.number}/resume/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "该诉求没有暂停。", "code": "refused"}


def test_a_move_the_position_does_not_allow_is_a_403_with_the_reason(api, cadre, community, handler):
    case = open_case(community=community, by=cadre, handler=handler)
    api.force_authenticate(official(Role.GRID_WORKER, community=community))
    response = api.post(f"/api/v1/cases/{case.number}/accept/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "您不是该诉求的承办人,不能签收。", "code": "not_allowed"}
    case.refresh_from_db()
    assert case.state == "registered"


def test_dashboard_summary(api, supervisor, cadre, community):
    open_case(community=community, by=cadre)
    api.force_authenticate(supervisor)
    body = api.get("/api/v1/cases/dashboard/").json()
    assert body["totals"] == {"red": 0, "yellow": 0, "green": 1}
    assert body["by_tier"]["assigned"]["green"] == 1
    assert api.get("/api/v1/cases/dashboard/", {"community": "x"}).status_code == 400


def test_dashboard_summary_names_one_bucket_per_tier_and_keeps_the_fixed_ones(api, supervisor, cadre, community):
    fourth_tier()
    start = timezone.now() - timedelta(days=120)
    for code, spent in [("immediate", timedelta(hours=3)), ("quarter", timedelta(days=60))]:
        with time_machine.travel(start, tick=False):
            case = open_case(community=community, by=cadre, tier_code=code)
        with time_machine.travel(start + spent, tick=False):
            services.case_resolve(case=case, user=cadre, resolution="已解决")
    api.force_authenticate(supervisor)
    body = api.get("/api/v1/cases/dashboard/").json()
    assert [(b["tier"], b["name"], b["within_hours"], b["count"]) for b in body["resolved_by_tier"]] == [
        ("immediate", "即办", 24.0, 1),
        ("assigned", "承办", 168.0, 0),
        ("escalated", "特办", 720.0, 0),
        ("quarter", "季办", 2160.0, 1),
    ]
    assert body["resolved_beyond"] == 0
    assert set(body["by_tier"]) == {"immediate", "assigned", "escalated", "quarter"}
    # The deprecated fixed buckets still answer as before: 24 hours, 7 days, 30 days, longer.
    assert [body[k] for k in ("within_day", "within_week", "within_month", "longer")] == [1, 0, 0, 1]


def test_dashboard_summary_is_refused_to_unit_heads(api, community):
    api.force_authenticate(official(Role.UNIT_HEAD, community=community))
    assert api.get("/api/v1/cases/dashboard/").status_code == 403


def test_case_list_api_query_count_is_fixed(api, street_leader, cadre, community, django_assert_num_queries):
    open_case(community=community, by=cadre)
    api.force_authenticate(User.objects.get(pk=street_leader.pk))  # as a request reads it: positions not yet read
    # the positions, the communities of the leader's street, the page of cases
    with django_assert_num_queries(3) as few:
        api.get("/api/v1/cases/")
    for _ in range(10):
        open_case(community=community, by=cadre)
    api.force_authenticate(User.objects.get(pk=street_leader.pk))
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/v1/cases/").json()["results"]) == 11


def test_case_list_pages_without_a_total(api, cadre, community):
    for _ in range(3):
        open_case(community=community, by=cadre)
    api.force_authenticate(cadre)
    first = api.get("/api/v1/cases/", {"page_size": 2}).json()
    assert "count" not in first
    assert len(first["results"]) == 2 and first["previous"] is None and "page=2" in first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    assert api.get("/api/v1/cases/", {"page": 9}).status_code == 404
    assert api.get("/api/v1/cases/", {"page": "x"}).status_code == 400  # not a page number at all


def test_dashboard_api_refuses_an_id_no_database_can_hold(supervisor):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(supervisor)
    response = client.get("/api/v1/cases/dashboard/", {"community": "9" * 30})
    assert response.status_code == 400
    assert response.json()["community"] == ["查询参数 community 的数值太大。"]


def test_case_list_rows_are_the_case_serializers_json(api, street_leader, cadre, handler, community):
    """The list writes its rows from plain values: the same JSON as CaseSerializer, key for key, case for case."""
    import json

    from rest_framework.renderers import JSONRenderer

    from cases import selectors
    from cases.api.serializers import CaseSerializer

    handler.real_name = ""  # shown by the username
    handler.save(update_fields=["real_name"])
    with time_machine.travel(timezone.now() - timedelta(hours=30), tick=False):
        late = open_case(community=community, by=cadre, tier_code="immediate", handler=handler)  # red, not swept
    accepted = services.case_accept(case=open_case(community=community, by=cadre, handler=handler), user=handler)
    resolved = open_case(community=community, by=cadre, handler=handler, description="井盖松动")
    services.case_accept(case=resolved, user=handler)
    services.case_resolve(case=Case.objects.get(pk=resolved.pk), user=handler, resolution="已修好", public_reply="已修")
    services.case_pause(case=accepted, user=handler, reason="等待群众提供材料")
    open_case(community=community, by=cadre, tier_code="escalated")  # nobody handles it yet
    foreign = CommunityFactory()  # another street's
    open_case(community=foreign, by=official(Role.COMMUNITY_CADRE, community=foreign))
    api.force_authenticate(street_leader)

    body = api.get("/api/v1/cases/", {"page_size": 10}).json()

    cases = list(selectors.case_list(user=street_leader))
    expected = json.loads(JSONRenderer().render(CaseSerializer(cases, many=True).data))
    assert body["results"] == expected
    assert len(expected) == 4 and {row["live_colour"] for row in expected} >= {"red", "green"}
    assert next(row for row in expected if row["id"] == late.pk)["handler_name"] == handler.username
    assert {row["community"] for row in expected} == {community.pk}  # the other street's case is not listed
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):  # the colours move on
        later = api.get("/api/v1/cases/", {"page_size": 2, "page": 2}).json()["results"]
        cases = list(selectors.case_list(user=street_leader))[2:4]
        expected = json.loads(JSONRenderer().render(CaseSerializer(cases, many=True).data))
    assert later == expected and len(later) == 2


def test_case_list_api_never_lists_another_communitys_cases(api, cadre, other_cadre, community, other_community):
    mine = open_case(community=community, by=cadre)
    open_case(community=other_community, by=other_cadre)
    api.force_authenticate(cadre)
    for query in ({}, {"community": other_community.pk}, {"state": "registered"}, {"q": "村口"}):
        numbers = [row["number"] for row in api.get("/api/v1/cases/", query).json()["results"]]
        assert numbers == ([] if query.get("community") else [mine.number]), query
