"""工作台: each person's day, computed from the data, each figure with the page that lists what it counts."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Colour, ExtensionRequest
from cases.services import case_decide_extension, case_request_extension, case_request_return, case_transfer
from deliberation.services import meeting_cancel
from lucun.models import Role
from points import services as points_services
from points.models import ServiceClaim
from tests.cases.factories import open_case
from tests.deliberation.factories import family_forum
from tests.factories import ROLE_LEVELS, CommunityFactory, StreetFactory, UserFactory, official
from tests.outcomes.factories import callback_for, resolved_case, set_times
from tests.points.factories import ServiceTypeFactory, VolunteerFactory
from tests.visits.factories import HouseholdFactory, VisitLogFactory, VisitTeamFactory, VisitTeamMemberFactory
from visits.models import VisitAssignment, VisitCycle

pytestmark = pytest.mark.django_db

# The panels each position's home shows, in order (the scope's colours lead for the supervisor and the leaders).
PANELS = {
    Role.STREET_LEADER: ["scope-colours", "my-cases", "approvals", "team-visits", "callbacks", "claims", "meetings"],
    Role.STREET_STAFF: ["my-cases", "approvals", "team-visits", "callbacks", "claims", "meetings"],
    Role.SUPERVISOR: ["scope-colours", "my-cases", "approvals", "team-visits", "callbacks", "meetings"],
    Role.COMMUNITY_CADRE: ["my-cases", "approvals", "transfers", "team-visits", "callbacks", "claims", "meetings"],
    Role.PARTY_REP: ["my-cases", "team-visits", "meetings"],
    Role.GRID_WORKER: ["my-cases", "team-visits", "callbacks", "meetings"],
    Role.UNIT_HEAD: ["my-cases", "team-visits", "meetings"],
}


def _panels(response) -> dict:
    return {panel.key: panel for panel in response.context["panels"]}


def _figures(response) -> dict[str, tuple[int, str]]:
    """Every figure on the page as {key: (count, link)}, read from the HTML a person gets."""
    html = response.content.decode()
    figure = r'<a class="home-figure[^"]*" href="([^"]+)" data-figure="([^"]+)">'
    found = re.findall(figure + r'<span class="home-figure__count">(\d+)</span>', html)
    return {key: (int(count), href.replace("&amp;", "&")) for href, key, count in found}


def _colour(case: Case, *, red: bool = False, yellow: bool = False) -> Case:
    """Move a case's deadlines so that it is red (past due) or yellow (past the warning) now, between sweeps."""
    now = timezone.now()
    if red:
        set_times(case, due_at=now - timedelta(hours=1), warn_at=now - timedelta(hours=5))
    elif yellow:
        set_times(case, due_at=now + timedelta(hours=3), warn_at=now - timedelta(hours=1))
    case.refresh_from_db()
    return case


def _numbers(client, url: str) -> set[str]:
    html = client.get(url).content.decode()
    return set(re.findall(r'data-number="([^"]+)"', html))


# ------------------------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("role", list(ROLE_LEVELS))
def test_each_position_sees_its_own_panels_in_order(client, user_of, role):
    client.force_login(user_of(role))
    assert [p.key for p in client.get(reverse("home")).context["panels"]] == PANELS[role]


def test_a_user_without_a_position_is_told_so_and_gets_no_panels(client):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.context["panels"] == []
    assert "您还没有任何职务" in response.content.decode()


# ------------------------------------------------------------------------------------------ the figures


def test_my_cases_are_counted_by_colour_and_each_colour_links_to_exactly_those_cases(client, community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    other = official(Role.COMMUNITY_CADRE, community=community)
    red = [_colour(open_case(community=community, by=cadre, title=f"红{i}"), red=True) for i in range(2)]
    yellow = [_colour(open_case(community=community, by=cadre, title="黄"), yellow=True)]
    green = [open_case(community=community, by=cadre, title=f"绿{i}") for i in range(3)]
    _colour(open_case(community=community, by=other, title="别人的"), red=True)  # not this person's
    handled = open_case(community=community, by=other, handler=cadre, title="我承办的")  # handler: mine
    green.append(handled)
    client.force_login(cadre)
    response = client.get(reverse("home"))
    figures = _figures(response)
    mine = reverse("cases:my_work")
    assert figures["mine-red"] == (2, f"{mine}?colour=red")
    assert figures["mine-yellow"] == (1, f"{mine}?colour=yellow")
    assert figures["mine-green"] == (4, f"{mine}?colour=green")
    for colour, cases in (("red", red), ("yellow", yellow), ("green", green)):
        assert _numbers(client, figures[f"mine-{colour}"][1]) == {c.number for c in cases}
    # The soonest due first, under the figures.
    rows = _panels(response)["my-cases"].rows
    assert [r.url for r in rows[:2]] == [c.get_absolute_url() for c in sorted(red, key=lambda c: (c.due_at, c.pk))]


def test_a_leader_reads_the_three_colours_of_the_whole_street_first(client, street, community, other_community):
    leader = official(Role.STREET_LEADER, street=street)
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    other_cadre = official(Role.COMMUNITY_CADRE, community=other_community)
    _colour(open_case(community=community, by=cadre), red=True)
    _colour(open_case(community=other_community, by=other_cadre), red=True)
    _colour(open_case(community=other_community, by=other_cadre), yellow=True)
    open_case(community=community, by=cadre)
    resolved_case(community=community, by=cadre)  # closed work has no colour
    foreign = CommunityFactory(street=StreetFactory())
    _colour(open_case(community=foreign, by=official(Role.COMMUNITY_CADRE, community=foreign)), red=True)

    client.force_login(leader)
    response = client.get(reverse("home"))
    assert response.context["panels"][0].key == "scope-colours"
    figures = _figures(response)
    cases = reverse("cases:case_list")
    assert figures["scope-red"] == (2, f"{cases}?state=open&colour=red")
    assert figures["scope-yellow"] == (1, f"{cases}?state=open&colour=yellow")
    assert figures["scope-green"] == (1, f"{cases}?state=open&colour=green")
    # The same figures as the dashboard's, and the links list exactly the counted cases.
    totals = client.get(reverse("cases:dashboard")).context["d"].totals
    assert {c: figures[f"scope-{c}"][0] for c in Colour.values} == totals
    for colour in Colour.values:
        assert len(_numbers(client, figures[f"scope-{colour}"][1])) == figures[f"scope-{colour}"][0]
    html = response.content.decode()
    assert html.index('data-panel="scope-colours"') < html.index('data-panel="my-cases"')


def test_approvals_count_the_pending_requests_the_leader_may_decide(client, street, community):
    leader = official(Role.STREET_LEADER, street=street)
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    extension = open_case(community=community, by=cadre, handler=cadre, title="申请延期的")
    # 承办, more than 3 days: a street leader's to decide (the seeded rules)
    case_request_extension(case=extension, user=cadre, extra_time=timedelta(days=5), reason="需要协调施工队")
    short = open_case(community=community, by=cadre, handler=cadre, title="短期延期的")
    case_request_extension(case=short, user=cadre, extra_time=timedelta(days=1), reason="村居干部审批")
    giving_back = open_case(community=community, by=cadre, handler=cadre, title="申请退回的")
    case_request_return(case=giving_back, user=cadre, reason="不属于本村事务")
    decided = open_case(community=community, by=cadre, handler=cadre, title="已审批的")
    request = case_request_extension(case=decided, user=cadre, extra_time=timedelta(days=5), reason="等材料")
    case_decide_extension(request=request, user=leader, approve=False, note="不予延期")
    foreign_street = StreetFactory()
    foreign = CommunityFactory(street=foreign_street)
    foreign_cadre = official(Role.COMMUNITY_CADRE, community=foreign)
    elsewhere = open_case(community=foreign, by=foreign_cadre, handler=foreign_cadre)
    case_request_extension(case=elsewhere, user=foreign_cadre, extra_time=timedelta(days=5), reason="别处的")
    assert ExtensionRequest.objects.filter(decision="pending").count() == 3

    client.force_login(leader)
    response = client.get(reverse("home"))
    count, url = _figures(response)["approvals"]
    assert (count, url) == (2, reverse("cases:approvals"))
    assert _numbers(client, url) == {extension.number, giving_back.number}
    notes = {row.url: row.note for row in _panels(response)["approvals"].rows}
    assert notes == {extension.get_absolute_url(): "申请延期", giving_back.get_absolute_url(): "申请退回"}


def test_approvals_are_not_a_grid_workers_work(client, community):
    worker = official(Role.GRID_WORKER, community=community)
    client.force_login(worker)
    assert "approvals" not in _panels(client.get(reverse("home")))
    response = client.get(reverse("cases:my_work") + "?view=approvals")
    assert response.status_code == 200 and response.templates[0].name == "cases/my_work.html"  # their own cases
    assert client.get(reverse("cases:approvals")).status_code == 403


def _cycle(street, *, team, community, begun_days_ago: int):
    today = timezone.localdate()
    cycle = VisitCycle.objects.create(
        street=street, number=1, starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=30)
    )
    return VisitAssignment.objects.create(
        cycle=cycle,
        team=team,
        community=community,
        starts_on=today - timedelta(days=begun_days_ago),
        ends_on=today - timedelta(days=begun_days_ago) + timedelta(days=13),
    )


def test_the_households_my_team_has_not_visited_in_its_current_slot(client, street, community):
    staff = official(Role.STREET_STAFF, street=street)
    team = VisitTeamFactory(street=street)
    VisitTeamMemberFactory(team=team, user=staff)
    assignment = _cycle(street, team=team, community=community, begun_days_ago=3)
    never = [HouseholdFactory(community=community) for _ in range(3)]
    long_ago = HouseholdFactory(community=community)
    VisitLogFactory(household=long_ago, visited_at=timezone.now() - timedelta(days=20))
    visited = HouseholdFactory(community=community)
    VisitLogFactory(household=visited, visited_at=timezone.now() - timedelta(days=1))
    HouseholdFactory(community=CommunityFactory(street=street))  # another community: not this slot

    client.force_login(staff)
    response = client.get(reverse("home"))
    ledger = reverse("visits:ledger", kwargs={"community_id": community.pk})
    assert _figures(response)["unvisited"] == (len(never) + 1, ledger)
    (row,) = _panels(response)["team-visits"].rows
    assert row.url == ledger and "还有 4 户未走访" in row.note
    assert assignment.team.name in row.label
    assert client.get(ledger).status_code == 200


def test_a_team_whose_slot_has_not_begun_has_nothing_to_visit_yet(client, street, community):
    staff = official(Role.STREET_STAFF, street=street)
    team = VisitTeamFactory(street=street)
    VisitTeamMemberFactory(team=team, user=staff)
    _cycle(street, team=team, community=community, begun_days_ago=-2)
    HouseholdFactory(community=community)
    client.force_login(staff)
    response = client.get(reverse("home"))
    assert _figures(response)["unvisited"][0] == 0
    assert "本轮走访中,您的队伍还没有已开始的驻村安排。" in response.content.decode()


def test_claims_waiting_for_approval_are_counted_for_those_who_approve(client, street, community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    volunteer = VolunteerFactory(community=community)
    kind = ServiceTypeFactory()
    for _ in range(2):
        points_services.claim_submit(
            actor=cadre, volunteer=volunteer, service_type=kind, service_date=timezone.localdate(), quantity=1
        )
    done = points_services.claim_submit(
        actor=cadre, volunteer=volunteer, service_type=kind, service_date=timezone.localdate(), quantity=1
    )
    points_services.claim_approve(actor=cadre, claim=done)
    assert ServiceClaim.objects.filter(status=ServiceClaim.Status.PENDING).count() == 2

    client.force_login(cadre)
    count, url = _figures(client.get(reverse("home")))["claims"]
    assert (count, url) == (2, reverse("points:claim_list") + "?status=pending")
    assert client.get(url).context["page_obj"].paginator.count == 2
    client.force_login(official(Role.SUPERVISOR, street=street))  # the supervisor does not approve points
    assert "claims" not in _panels(client.get(reverse("home")))


def test_callbacks_to_make_are_the_unanswered_ones_of_the_current_resolution(client, community):
    handler = official(Role.COMMUNITY_CADRE, community=community)
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    waiting = callback_for(resolved_case(community=community, by=handler, title="待回访的"))
    callback_for(
        resolved_case(community=community, by=handler, title="已回访的"), solved=True, satisfaction="satisfied"
    )
    client.force_login(cadre)
    response = client.get(reverse("home"))
    count, url = _figures(response)["callbacks"]
    assert (count, url) == (1, reverse("outcomes:callback_list") + "?state=mine")
    assert client.get(url).context["page_obj"].paginator.count == 1
    (row,) = _panels(response)["callbacks"].rows
    assert row.url == reverse("outcomes:callback_detail", kwargs={"pk": waiting.pk})


def test_the_handler_is_not_asked_to_call_back_their_own_cases(client, community):
    handler = official(Role.COMMUNITY_CADRE, community=community)
    callback_for(resolved_case(community=community, by=handler, title="自己办的"))
    client.force_login(handler)
    panel = _panels(client.get(reverse("home")))["callbacks"]
    assert (panel.figures[0].count, panel.rows) == (0, ())


def test_meetings_this_week_count_the_visible_ones_not_cancelled(client, community, other_community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    today = timezone.localdate()
    monday = timezone.make_aware(datetime.combine(today - timedelta(days=today.weekday()), time.min))
    this_week = family_forum(community=community, by=cadre, starts_at=monday + timedelta(days=2, hours=9))
    family_forum(community=community, by=cadre, starts_at=monday - timedelta(hours=3), title="上周的")
    family_forum(community=community, by=cadre, starts_at=monday + timedelta(days=7, hours=1), title="下周的")
    cancelled = family_forum(community=community, by=cadre, starts_at=monday + timedelta(days=1), title="取消的")
    meeting_cancel(meeting=cancelled, user=cadre, reason="下雨")
    other = official(Role.COMMUNITY_CADRE, community=other_community)
    family_forum(community=other_community, by=other, starts_at=monday + timedelta(days=3), title="别村的")

    client.force_login(cadre)
    response = client.get(reverse("home"))
    count, url = _figures(response)["meetings"]
    assert (count, url) == (1, reverse("deliberation:calendar") + "?view=week")
    assert client.get(url).context["count"] == 1
    (row,) = _panels(response)["meetings"].rows
    assert row.url == this_week.get_absolute_url() and row.label == this_week.title


# -------------------------------------------------------------------------------------------- empty states

EMPTY = {
    "scope-colours": "辖区内没有未办结的诉求。",
    "my-cases": "您没有待办的诉求。",
    "approvals": "没有待您审批的延期或退回申请。",
    "transfers": "没有待接收的转交。",
    "team-visits": "您不在走访队伍中,本轮没有分给您的入户任务。",
    "callbacks": "没有待回访的诉求。",
    "claims": "没有待审核的积分申报。",
    "meetings": "本周没有安排议事会议。",
}


@pytest.mark.parametrize("role", list(ROLE_LEVELS))
def test_with_nothing_to_do_every_panel_says_so_in_chinese(client, user_of, role):
    client.force_login(user_of(role))
    response = client.get(reverse("home"))
    html = response.content.decode()
    for key in PANELS[role]:
        section = html[html.index(f'data-panel="{key}"') :]
        section = section[: section.index("</section>")]
        assert f'<p class="empty home-panel__empty">{EMPTY[key]}</p>' in section, key
        assert 'class="home-rows"' not in section
    assert all(count == 0 for count, _url in _figures(response).values())


def test_a_panel_with_work_does_not_say_it_is_empty(client, community):
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    open_case(community=community, by=cadre)
    client.force_login(cadre)
    html = client.get(reverse("home")).content.decode()
    assert EMPTY["my-cases"] not in html and EMPTY["meetings"] in html


# ------------------------------------------------------------------------------------- fixed query counts

# Queries for a busy home page per position: session, user, positions, the communities count and the unread count,
# then each panel's fixed reads (a count, and the first rows when there are any; the visits panel reads teams,
# slots and households). They do not grow with the data: checked with one and with eleven of everything.
# The approvals panel reads its rows only when something waits: the cadre decides the short extensions and the leader
# the returns of the busy day (the seeded rules), the supervisor and the street staff nothing until one escalates.
# The cadre also reads the transfers panel: a count, and the hand-overs waiting for their community.
# A street position adds the statement that names the communities below it (lucun.scoping.community_ids_for),
# which the lists' statements then name instead of each repeating the scoping subquery; the colour figures, which
# read the tally with the crossed cases in one statement, save one.
QUERIES = {
    Role.STREET_LEADER: 19,
    Role.STREET_STAFF: 17,
    Role.SUPERVISOR: 17,
    Role.COMMUNITY_CADRE: 19,
    Role.PARTY_REP: 12,
    Role.GRID_WORKER: 14,
    Role.UNIT_HEAD: 12,
}


def _busy_day(*, street, community, team, user, n: int) -> None:
    """n of everything the home page counts, in the user's communities."""
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    volunteer = VolunteerFactory(community=community)
    kind = ServiceTypeFactory()
    sending = CommunityFactory(street=street)
    sender = official(Role.COMMUNITY_CADRE, community=sending)
    for i in range(n):
        handed = open_case(community=sending, by=sender, title=f"转交{i}")
        case_transfer(case=handed, user=sender, community=community, reason="该户属本村")
        _colour(open_case(community=community, by=user, title=f"红{i}"), red=True)
        open_case(community=community, by=user, title=f"绿{i}")
        asking = open_case(community=community, by=cadre, handler=cadre, title=f"延期{i}")
        case_request_extension(case=asking, user=cadre, extra_time=timedelta(hours=5), reason="协调")
        giving_back = open_case(community=community, by=cadre, handler=cadre, title=f"退回{i}")
        case_request_return(case=giving_back, user=cadre, reason="不属本村")
        callback_for(resolved_case(community=community, by=cadre, title=f"回访{i}"))
        points_services.claim_submit(
            actor=cadre, volunteer=volunteer, service_type=kind, service_date=timezone.localdate(), quantity=1
        )
        family_forum(community=community, by=cadre, starts_at=timezone.now() + timedelta(minutes=i))
        HouseholdFactory(community=community)


@pytest.mark.parametrize("role", list(ROLE_LEVELS))
def test_the_home_page_makes_a_fixed_number_of_queries(
    client, user_of, street, community, role, django_assert_max_num_queries
):
    user = user_of(role)
    team = VisitTeamFactory(street=street)
    VisitTeamMemberFactory(team=team, user=user)
    _cycle(street, team=team, community=community, begun_days_ago=1)
    client.force_login(user)
    _busy_day(street=street, community=community, team=team, user=user, n=1)
    with django_assert_max_num_queries(QUERIES[role]) as few:
        assert client.get(reverse("home")).status_code == 200
    _busy_day(street=street, community=community, team=team, user=user, n=10)
    with django_assert_max_num_queries(QUERIES[role]) as many:
        assert client.get(reverse("home")).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries) == QUERIES[role]
