from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.visits.factories import HouseholdFactory, VisitLogFactory, VisitRequestFactory, VisitTeamFactory
from visits import selectors
from visits.models import Household

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=SH)


def test_search_finds_households_by_pinyin_initials(community, cadre):
    zhang = HouseholdFactory(community=community, head_name="张建国")
    HouseholdFactory(community=community, head_name="李秀英")
    assert list(selectors.household_search(user=cadre, query="zjg")) == [zhang]
    assert list(selectors.household_search(user=cadre, query="建国")) == [zhang]


def test_search_finds_households_by_address(community, cadre):
    HouseholdFactory(community=community, head_name="张三", group="三组", door_number="12")
    found = selectors.household_search(user=cadre, query="三组12")
    assert [h.head_name for h in found] == ["张三"]
    assert [h.head_name for h in selectors.household_search(user=cadre, query="sz12")] == ["张三"]


def test_search_never_returns_another_communitys_household(community, other_community, cadre):
    HouseholdFactory(community=other_community, head_name="张建国")
    assert not selectors.household_search(user=cadre, query="zjg").exists()


@pytest.fixture
def coverage_data(street, community, other_community):
    """Four households in 芦湖村 and one in 稻香村, visited as described in each test."""
    t1, t2 = VisitTeamFactory(street=street, name="一队"), VisitTeamFactory(street=street, name="二队")
    monthly = Household.AttentionLevel.MONTHLY
    h1 = HouseholdFactory(community=community)
    h2 = HouseholdFactory(community=community, attention_level=monthly)
    h3 = HouseholdFactory(community=community, attention_level=monthly)
    HouseholdFactory(community=community)  # h4: never visited
    h5 = HouseholdFactory(community=other_community)
    log = VisitLogFactory(household=h1, team=t1, visited_at=_at(3, 5))
    VisitRequestFactory.create_batch(2, log=log)
    VisitLogFactory(household=h2, team=t2, visited_at=_at(2, 10))  # before the cycle, over 30 days ago
    VisitLogFactory(household=h3, team=t1, visited_at=_at(3, 10))
    VisitLogFactory(household=h5, team=t2, visited_at=_at(3, 6))
    return t1, t2


@time_machine.travel(_at(3, 20), tick=False)
def test_coverage_of_a_cycle_matches_hand_counts(supervisor, street, community, other_community, coverage_data):
    result = selectors.coverage(user=supervisor, street=street, start=date(2026, 3, 2), end=date(2026, 3, 29))
    rows = {r.community.name: r for r in result.communities}
    a, b = rows["芦湖村"], rows["稻香村"]
    assert (a.households, a.visited, a.overdue_flagged, a.never_visited) == (4, 2, 1, 1)
    assert a.rate == 50
    assert (b.households, b.visited, b.overdue_flagged, b.never_visited) == (1, 1, 0, 0)
    teams = {t.team.name: t for t in result.teams}
    assert (teams["一队"].visits, teams["一队"].households_reached, teams["一队"].requests) == (2, 2, 2)
    assert (teams["二队"].visits, teams["二队"].households_reached, teams["二队"].requests) == (1, 1, 0)
    total = result.total
    assert (total.households, total.visited) == (5, 3)


@time_machine.travel(_at(3, 20), tick=False)
def test_coverage_of_the_year_so_far_counts_earlier_visits(supervisor, street, coverage_data):
    result = selectors.coverage(user=supervisor, street=street, start=date(2026, 1, 1), end=date(2026, 3, 20))
    a = next(r for r in result.communities if r.community.name == "芦湖村")
    assert (a.households, a.visited, a.never_visited) == (4, 3, 1)
    assert {t.team.name: t.visits for t in result.teams} == {"一队": 2, "二队": 2}


@time_machine.travel(_at(3, 20), tick=False)
def test_coverage_of_a_cadre_shows_only_the_own_community(cadre, street, coverage_data):
    result = selectors.coverage(user=cadre, street=street, start=date(2026, 3, 2), end=date(2026, 3, 29))
    assert [r.community.name for r in result.communities] == ["芦湖村"]
    assert {t.team.name: t.visits for t in result.teams} == {"一队": 2, "二队": 0}


@time_machine.travel(_at(3, 20), tick=False)
def test_never_visited_is_judged_at_the_end_of_a_past_window(supervisor, street, coverage_data):
    result = selectors.coverage(user=supervisor, street=street, start=date(2026, 2, 2), end=date(2026, 3, 1))
    a = next(r for r in result.communities if r.community.name == "芦湖村")
    assert (a.visited, a.never_visited, a.overdue_flagged) == (1, 3, 1)  # h3 was not visited yet on 1 March
