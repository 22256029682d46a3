from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import CaseList
from cases.services import case_resolve
from deliberation import figures, services
from deliberation.models import ContestCriterion, Decision, Meeting
from deliberation.services import TaskSpec
from lucun.models import Role
from tests.cases.factories import open_case
from tests.deliberation.factories import family_forum, joint_meeting
from tests.factories import official

pytestmark = pytest.mark.django_db


def test_rate_is_settled_over_put_on_agendas():
    assert figures.rate(213, 248) == 85.9
    assert figures.rate(0, 0) is None


def _decide(meeting, user, community, decision, **kwargs):
    item = services.agenda_add(meeting=meeting, user=user, case=open_case(community=community, by=user))
    services.agenda_decide(item=item, user=user, decision=decision, summary="讨论", result="议定", **kwargs)
    return item


@time_machine.travel("2026-03-15 10:00 +0800", tick=False)
def test_self_resolution_rate_matches_a_hand_computed_example(
    cadre, community, other_community, other_cadre, street_leader
):
    march = timezone.now() - timedelta(hours=2)
    february = timezone.now() - timedelta(days=30)
    # 芦湖村: three held meetings, five items on agendas, three settled → 60.0 %.
    first = family_forum(community=community, by=cadre, starts_at=february)
    _decide(first, cadre, community, Decision.SETTLED)
    _decide(first, cadre, community, Decision.BEYOND)
    second = family_forum(community=community, by=cadre, starts_at=march)
    _decide(second, cadre, community, Decision.SETTLED)
    _decide(second, cadre, community, Decision.SETTLED)
    online = services.meeting_schedule(
        user=cadre, kind=Meeting.Kind.ONLINE, title="线上", community=community, online_group="民情群", starts_at=march
    )
    _decide(online, cadre, community, Decision.FOLLOW_UP, tasks=[TaskSpec("回访", cadre, timezone.localdate())])
    # Not counted: a meeting not held yet, and a cancelled one.
    later = family_forum(community=community, by=cadre, starts_at=timezone.now() + timedelta(days=3))
    services.agenda_add(meeting=later, user=cadre, case=open_case(community=community, by=cadre))
    cancelled = family_forum(community=community, by=cadre, starts_at=timezone.now() + timedelta(days=4))
    services.meeting_cancel(meeting=cancelled, user=cadre, reason="改期")
    # 稻香村: one held meeting, one item, settled → 100 %.
    third = family_forum(community=other_community, by=other_cadre, starts_at=march)
    _decide(third, other_cadre, other_community, Decision.SETTLED, case_list=CaseList.SELF)

    f = figures.figures(user=street_leader, start=date(2026, 1, 1), end=date(2026, 4, 1))
    assert (f.total.meetings, f.total.on_agenda, f.total.settled, f.total.rate) == (4, 6, 4, 66.7)
    by_name = {c["name"]: c for c in f.communities}
    assert (by_name["芦湖村"]["total"].meetings, by_name["芦湖村"]["total"].rate) == (3, 60.0)
    assert by_name["稻香村"]["total"].rate == 100.0
    assert f.by_month[date(2026, 2, 1)].on_agenda == 2
    assert f.by_month[date(2026, 3, 1)].settled == 3
    [street] = f.streets
    assert street["total"].rate == 66.7
    # A cadre sees only their own community's figures.
    own = figures.figures(user=cadre, start=date(2026, 1, 1), end=date(2026, 4, 1))
    assert (own.total.on_agenda, own.total.settled) == (5, 3)


@time_machine.travel("2026-03-15 10:00 +0800", tick=False)
def test_joint_meetings_count_the_hard_problems_they_solved(cadre, community, street, street_leader):
    staff = official(Role.STREET_STAFF, street=street)
    joint = joint_meeting(street=street, by=street_leader, held_in=community)
    for _ in range(3):
        open_case(community=community, by=cadre, case_list=CaseList.STREET)
    solved, assigned, _still_open = services.joint_meeting_propose_agenda(meeting=joint, user=street_leader)
    services.agenda_decide(item=solved, user=street_leader, decision=Decision.SETTLED, summary="研究", result="解决")
    services.agenda_decide(
        item=assigned,
        user=street_leader,
        decision=Decision.ASSIGNED,
        summary="研究",
        result="交办",
        department="水务局",
        handler=staff,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    f = figures.joint_meeting_figures(user=street_leader, start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert (f["count"], f["communities"], f["items"], f["solved"]) == (1, 1, 3, 1)
    assigned.case.refresh_from_db()
    case_resolve(case=assigned.case, user=staff, resolution="水务局已完成改造")
    f = figures.joint_meeting_figures(user=street_leader, start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert f["solved"] == 2


def test_contest_ranking_sums_the_judges_average_per_criterion(street, street_leader, community, other_community):
    contest = services.meeting_schedule(
        user=street_leader,
        kind=Meeting.Kind.CONTEST,
        title="擂台比武",
        street=street,
        location="街道礼堂",
        starts_at=timezone.now() - timedelta(hours=1),
    )
    ContestCriterion.objects.all().delete()
    work = ContestCriterion.objects.create(name="为民办事", max_score=30, sort_order=1)
    style = ContestCriterion.objects.create(name="议事规范", max_score=20, sort_order=2)
    sheets = {community: [(20, 10), (24, 12)], other_community: [(25, 15), (25, 13)]}
    for place, rows in sheets.items():
        for judge, (a, b) in enumerate(rows, start=1):
            services.contest_score_record(
                meeting=contest, user=street_leader, community=place, judge=judge, scores={work: a, style: b}
            )
    [round_] = figures.contest_rankings(user=street_leader)
    assert round_["number"] == 1 and round_["judges"] == 2
    assert [(e["community"], e["total"], e["rank"]) for e in round_["entries"]] == [
        (other_community.name, 39.0, 1),
        (community.name, 33.0, 2),
    ]
