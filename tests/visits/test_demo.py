from datetime import timedelta

import pytest

from lucun.demo import seed_org
from visits import demo
from visits.models import Household, HouseholdMember, VisitAssignment, VisitCycle, VisitLog, VisitTeam

pytestmark = pytest.mark.django_db


def test_demo_builds_teams_a_year_of_cycles_and_imperfect_coverage(monkeypatch):
    monkeypatch.setattr(demo, "HOUSEHOLDS_AT_SCALE_1", 420)  # the real figure is 11,050; keep the test quick
    ctx = seed_org(log=lambda *a: None)
    demo.seed(ctx)
    assert VisitTeam.objects.count() == 7
    assert VisitCycle.objects.count() == 13
    for cycle in VisitCycle.objects.all():
        assert cycle.assignments.values("community").distinct().count() == 14
    assert Household.objects.count() == 420
    visited = Household.objects.filter(last_visited_at__isnull=False).count()
    assert 0.6 * 420 < visited < 420  # most households visited, not all
    assert VisitLog.objects.filter(team__isnull=False).exists()
    assert all(log.visitors.count() >= 2 for log in VisitLog.objects.prefetch_related("visitors")[:50])
    counts = [VisitLog.objects.count(), VisitAssignment.objects.count(), Household.objects.count()]
    counts.append(HouseholdMember.objects.count())
    demo.seed(ctx)
    again = [VisitLog.objects.count(), VisitAssignment.objects.count(), Household.objects.count()]
    assert [*again, HouseholdMember.objects.count()] == counts


def test_demo_households_have_their_members_with_the_head_first(monkeypatch):
    from django.db.models import Count, F, Sum

    monkeypatch.setattr(demo, "HOUSEHOLDS_AT_SCALE_1", 56)
    demo.seed(seed_org(log=lambda *a: None))
    people = Household.objects.aggregate(n=Sum("people_count"))["n"]
    assert HouseholdMember.objects.count() == people
    assert not Household.objects.annotate(n=Count("members")).exclude(n=F("people_count")).exists()
    heads = HouseholdMember.objects.filter(relation="户主")
    assert heads.count() == 56 and not heads.exclude(name=F("household__head_name")).exists()


def test_the_sixth_demo_team_is_warned_about_pairing(monkeypatch):
    from visits import rules

    monkeypatch.setattr(demo, "HOUSEHOLDS_AT_SCALE_1", 28)
    demo.seed(seed_org(log=lambda *a: None))
    warnings = {t.name: rules.team_warnings(t.members.all()) for t in VisitTeam.objects.all()}
    assert warnings["第六走访队"] == ["未实行新老搭配:缺少新队员"]
    assert all(not w for name, w in warnings.items() if name != "第六走访队")


def test_demo_cases_from_visits_come_from_a_visit_so_filtering_by_team_finds_them(monkeypatch, client):
    from django.urls import reverse

    from cases import demo as cases_demo
    from cases.models import Case
    from visits.models import VisitRequest

    monkeypatch.setattr(demo, "HOUSEHOLDS_AT_SCALE_1", 420)
    ctx = seed_org(log=lambda *a: None)
    cases_demo.seed(ctx)
    demo.seed(ctx)
    from_visits = Case.objects.filter(street=ctx.street, source=Case.Source.VISIT)
    traced = from_visits.exclude(source_id=None)
    assert from_visits.count() > 100
    assert traced.count() > 0.8 * from_visits.count()
    for case in from_visits.filter(source_id=None):  # opened before anybody was met on a visit in its community
        met = VisitLog.objects.filter(community=case.community_id).exclude(met=VisitLog.Met.NOBODY)
        assert not met.filter(visited_at__lte=case.opened_at).exists()
    assert not Case.objects.exclude(source=Case.Source.VISIT).filter(source_type__model="visitlog").exists()
    for case in traced.select_related("source_type"):
        request = VisitRequest.objects.select_related("log").get(case=case)  # the one request it was made from
        assert request.status == VisitRequest.Status.CONVERTED and request.text == case.title
        assert case.source_object == request.log and request.household_id == request.log.household_id
        assert request.log.community_id == case.community_id
        assert request.log.visited_at <= case.opened_at and request.log.met != VisitLog.Met.NOBODY
        assert request.created_at == request.log.created_at
        if request.log.team_id is None:  # a cadre's call, only where no team's round came in the cycle before
            rounds = VisitLog.objects.filter(community=case.community_id, team__isnull=False)
            since = case.opened_at - timedelta(days=28)
            assert (
                not rounds.exclude(met=VisitLog.Met.NOBODY).filter(visited_at__range=(since, case.opened_at)).exists()
            )
    assert traced.filter(visit_requests__log__team__isnull=False).count() > 0.8 * traced.count()

    # A supervisor choosing a visit team in the case list's filters finds the cases its visits raised.
    client.force_login(ctx.users["supervisor"])
    for team in VisitTeam.objects.all():
        raised = set(traced.filter(visit_requests__log__team=team).values_list("number", flat=True))
        response = client.get(reverse("cases:case_list"), {"team": team.pk, "state": "all"})
        page = response.context["page_obj"]
        assert page.paginator.count == len(raised), team.name
    busiest = max(VisitTeam.objects.all(), key=lambda t: traced.filter(visit_requests__log__team=t).count())
    assert traced.filter(visit_requests__log__team=busiest).exists()
