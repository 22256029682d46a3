import uuid
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from lucun.models import AuditEvent, Role
from tests.factories import UserFactory, official
from tests.visits.factories import AttentionTagFactory, HouseholdFactory, VisitLogFactory, VisitTeamFactory
from visits import services
from visits.models import VisitLog, VisitRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def household(community):
    return HouseholdFactory(
        community=community, head_name="张建国", phone="13812341234", tags=[AttentionTagFactory(name="残疾测试")]
    )


def test_household_list_is_scoped(api, other_cadre, household, other_community):
    mine = HouseholdFactory(community=other_community)
    api.force_authenticate(other_cadre)
    body = api.get("/api/v1/households/").json()
    assert [h["id"] for h in body["results"]] == [mine.pk]


def test_another_communitys_household_is_404(api, other_cadre, household):
    api.force_authenticate(other_cadre)
    assert api.get(f"/api/v1/households/{household.pk}/").status_code == 404


def test_cadre_gets_sensitive_fields_and_the_view_is_audited(api, cadre, household):
    api.force_authenticate(cadre)
    body = api.get(f"/api/v1/households/{household.pk}/").json()
    assert body["phone"] == "13812341234" and body["sensitive_visible"] is True
    assert [t["name"] for t in body["tags"]] == ["残疾测试"]
    assert AuditEvent.objects.filter(action="visits.household_sensitive_view", actor=cadre).count() == 1


def test_street_staff_gets_masked_fields_without_audit(api, street, household):
    api.force_authenticate(official(Role.STREET_STAFF, street=street))
    body = api.get("/api/v1/households/", {"q": "zjg"}).json()["results"][0]
    assert body["phone"] == "138****1234" and body["tags"] == [] and body["sensitive_visible"] is False
    assert not AuditEvent.objects.filter(action="visits.household_sensitive_view").exists()


def test_household_list_searches_by_pinyin_initials(api, cadre, household, community):
    HouseholdFactory(community=community, head_name="李秀英")
    api.force_authenticate(cadre)
    assert [h["head_name"] for h in api.get("/api/v1/households/", {"q": "zjg"}).json()["results"]] == ["张建国"]


def _payload(household, visitors, key=None):
    return {
        "idempotency_key": str(key or uuid.uuid4()),
        "household": household.pk,
        "visited_at": timezone.now().isoformat(),
        "visitors": [v.pk for v in visitors],
        "method": "home",
        "met": "family",
        "requests": [{"text": "排水沟堵了"}, {"text": "咨询养老保险", "answered": True}],
    }


def test_creating_a_visit_log_with_requests_is_idempotent(api, cadre, household):
    partner = UserFactory()
    api.force_authenticate(cadre)
    payload = _payload(household, [cadre, partner])
    first = api.post("/api/v1/visit-logs/", payload, format="json")
    assert first.status_code == 201
    assert [r["status"] for r in first.json()["requests"]] == ["open", "answered"]
    again = api.post("/api/v1/visit-logs/", payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert VisitLog.objects.count() == 1 and VisitRequest.objects.count() == 2


def test_creating_a_visit_log_for_a_foreign_household_is_refused(api, other_cadre, household):
    api.force_authenticate(other_cadre)
    response = api.post("/api/v1/visit-logs/", _payload(household, [other_cadre, UserFactory()]), format="json")
    assert response.status_code == 400 and "household" in response.json()
    assert not VisitLog.objects.exists()


def test_a_visit_log_needs_two_visitors(api, cadre, household):
    api.force_authenticate(cadre)
    response = api.post("/api/v1/visit-logs/", _payload(household, [cadre]), format="json")
    assert response.status_code == 400 and "visitors" in response.json()


def test_visit_logs_are_scoped(api, other_cadre, household):
    log = VisitLogFactory(household=household)
    api.force_authenticate(other_cadre)
    assert api.get("/api/v1/visit-logs/").json()["count"] == 0
    assert api.get(f"/api/v1/visit-logs/{log.pk}/").status_code == 404


def test_teams_and_cycle_assignments(api, street, community, supervisor, cadre):
    VisitTeamFactory(street=street, name="一队")
    (cycle,) = services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 5))
    api.force_authenticate(cadre)
    teams = api.get("/api/v1/visit-teams/").json()["results"]
    assert teams[0]["name"] == "一队" and "缺少班子成员" in teams[0]["warnings"]
    assert [c["id"] for c in api.get("/api/v1/visit-cycles/").json()["results"]] == [cycle.pk]
    lines = api.get(f"/api/v1/visit-cycles/{cycle.pk}/assignments/").json()
    assert lines[0]["community"] == community.pk and lines[0]["state"] == "missed"


def test_cycles_of_another_street_are_invisible(api, supervisor, street, community):
    VisitTeamFactory(street=street)
    (cycle,) = services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 5))
    api.force_authenticate(official(Role.COMMUNITY_CADRE))  # a cadre in a community of another street
    assert api.get("/api/v1/visit-cycles/").json()["count"] == 0
    assert api.get(f"/api/v1/visit-cycles/{cycle.pk}/assignments/").status_code == 404


def test_household_list_has_a_fixed_number_of_queries(api, cadre, community, django_assert_max_num_queries):
    api.force_authenticate(cadre)
    for _ in range(3):
        HouseholdFactory(community=community, tags=[AttentionTagFactory()])
    with django_assert_max_num_queries(12) as small:
        api.get("/api/v1/households/")
    for _ in range(10):
        HouseholdFactory(community=community, tags=[AttentionTagFactory()])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get("/api/v1/households/").json()["count"] == 13


def test_schema_describes_the_visit_endpoints_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/visit-logs/" in schema and "/api/v1/households/" in schema


def test_the_case_list_api_filters_by_visit_team(street, community, supervisor):
    from rest_framework.test import APIClient

    from cases.models import Case
    from cases.services import case_open
    from tests.cases.factories import tier
    from tests.visits.factories import VisitLogFactory, VisitTeamFactory

    log = VisitLogFactory(household__community=community, team=VisitTeamFactory(street=street))
    raised = case_open(
        community=community,
        title="路灯",
        created_by=supervisor,
        source=Case.Source.VISIT,
        source_object=log,
        tier=tier(),
    )
    case_open(community=community, title="来电", created_by=supervisor, source=Case.Source.PHONE, tier=tier())
    api = APIClient()
    api.force_authenticate(supervisor)
    body = api.get("/api/v1/cases/", {"team": log.team.pk}).json()
    assert [c["number"] for c in body["results"]] == [raised.number]
    assert api.get("/api/v1/cases/", {"team": 999999}).json()["results"] == []
