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
