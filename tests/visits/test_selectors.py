import re
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


def test_the_covering_team_is_the_one_in_its_slot_else_the_next_in_the_window_else_the_last(
    street, community, other_community
):
    from datetime import date

    from visits.models import VisitAssignment, VisitCycle, VisitTeam
    from visits.selectors import covering_teams

    a, b, c = (VisitTeam.objects.create(street=street, name=n) for n in ("一队", "二队", "三队"))
    first = VisitCycle.objects.create(street=street, number=1, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 28))
    second = VisitCycle.objects.create(street=street, number=2, starts_on=date(2026, 3, 29), ends_on=date(2026, 4, 30))
    VisitAssignment.objects.create(
        cycle=first, team=a, community=community, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 14)
    )
    VisitAssignment.objects.create(
        cycle=second, team=b, community=community, starts_on=date(2026, 4, 12), ends_on=date(2026, 4, 25)
    )
    VisitAssignment.objects.create(
        cycle=second, team=c, community=other_community, starts_on=date(2026, 3, 29), ends_on=date(2026, 4, 11)
    )
    both = [community, other_community]
    assert covering_teams(communities=both, start=date(2026, 4, 1), end=date(2026, 4, 20)) == {
        community.pk: b.pk,  # comes during the window
        other_community.pk: c.pk,  # in its slot now
    }
    assert covering_teams(communities=both, start=date(2026, 4, 1), end=date(2026, 4, 5)) == {
        community.pk: a.pk,  # nobody comes before the end: the last team there
        other_community.pk: c.pk,
    }
    assert covering_teams(communities=both, start=date(2026, 2, 1), end=date(2026, 2, 20)) == {}
    VisitTeam.objects.filter(pk=c.pk).update(is_active=False)
    assert covering_teams(communities=[other_community], start=date(2026, 4, 1), end=date(2026, 4, 20)) == {}


def test_the_case_filters_team_options_are_the_streets_teams_read_without_their_members(
    client, cadre, street, community
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.forms.case import case_filter_form
    from tests.factories import StreetFactory
    from tests.visits.factories import VisitTeamMemberFactory

    first = VisitTeamFactory(street=street, name="一队", sort_order=1)
    second = VisitTeamFactory(street=street, name="二队", sort_order=2, is_active=False)  # past visits name it
    VisitTeamMemberFactory(team=first, user=cadre)
    VisitTeamFactory(street=StreetFactory(), name="外街道队")
    form = case_filter_form(user=cadre)
    with CaptureQueriesContext(connection) as queries:
        options = [(str(value), label) for value, label in form.fields["team"].choices]
    assert options == [("", "全部走访队伍"), (str(first.pk), "一队"), (str(second.pk), "二队")]
    assert len(queries) == 1 and "visitteammember" not in queries[0]["sql"].lower()
    # The page offers them, and choosing one is kept.
    client.force_login(cadre)
    html = client.get("/cases/", {"team": first.pk}).content.decode()
    assert f'<option value="{first.pk}" selected>一队</option>' in html
    # An English reader is offered "All visit teams", a phrase of its own, not two words run together.
    english = client.get("/cases/", headers={"accept-language": "en"}).content.decode()
    assert re.search(r'<option value=""( selected)?>All visit teams</option>', english)
