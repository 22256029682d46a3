from collections import Counter
from datetime import date

from visits import rules
from visits.models import VisitTeamMember

Kind = VisitTeamMember.Kind


def _members(*specs):
    return [VisitTeamMember(kind=kind, is_newcomer=new) for kind, new in specs]


def test_rotation_visits_every_community_once_per_cycle():
    teams, communities = list(range(7)), [f"c{i}" for i in range(14)]
    for cycle_index in range(13):
        plan = rules.rotation(teams, communities, cycle_index)
        assert sorted(p.community for p in plan) == sorted(communities)


def test_rotation_gives_each_team_one_community_per_slot():
    plan = rules.rotation(list(range(7)), list(range(14)), 3)
    assert Counter((p.team, p.slot) for p in plan).most_common(1)[0][1] == 1
    assert {p.slot for p in plan} == {0, 1}


def test_rotation_with_uneven_numbers_still_covers_each_community_once():
    plan = rules.rotation(list(range(4)), list(range(10)), 5)
    assert Counter(p.community for p in plan) == Counter(range(10))
    assert rules.slots_per_cycle(4, 10) == 3


def test_rotation_moves_teams_on_between_cycles():
    first = {p.team: p.community for p in rules.rotation(list(range(7)), list(range(14)), 0) if p.slot == 0}
    second = {p.team: p.community for p in rules.rotation(list(range(7)), list(range(14)), 1) if p.slot == 0}
    assert all(first[t] != second[t] for t in first)


def test_complete_team_has_no_warnings():
    members = _members(
        (Kind.STREET_LEADER, False), (Kind.STREET_STAFF, True), (Kind.COMMUNITY_CADRE, False), (Kind.GRASSROOTS, False)
    )
    assert rules.team_warnings(members) == []


def test_team_missing_a_kind_is_warned():
    members = _members((Kind.STREET_LEADER, False), (Kind.STREET_STAFF, True), (Kind.COMMUNITY_CADRE, False))
    assert rules.team_warnings(members) == ["缺少党员代表/社区工作者/单元长"]


def test_team_without_newcomer_is_warned_about_pairing():
    members = _members(
        (Kind.STREET_LEADER, False), (Kind.STREET_STAFF, False), (Kind.COMMUNITY_CADRE, False), (Kind.GRASSROOTS, False)
    )
    assert rules.team_warnings(members) == ["未实行新老搭配:缺少新队员"]


def test_team_of_newcomers_only_is_warned_about_veterans():
    members = _members(
        (Kind.STREET_LEADER, True), (Kind.STREET_STAFF, True), (Kind.COMMUNITY_CADRE, True), (Kind.GRASSROOTS, True)
    )
    assert rules.team_warnings(members) == ["未实行新老搭配:缺少老队员"]


def test_plan_state_follows_dates_and_visits():
    kw = {"starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 15)}
    assert rules.plan_state(**kw, today=date(2026, 3, 1), visits_logged=0) == "planned"
    assert rules.plan_state(**kw, today=date(2026, 3, 15), visits_logged=0) == "in_progress"
    assert rules.plan_state(**kw, today=date(2026, 3, 16), visits_logged=3) == "done"
    assert rules.plan_state(**kw, today=date(2026, 3, 16), visits_logged=0) == "missed"


def test_address_is_composed_from_its_parts():
    assert rules.household_address(group="三组", door_number="12") == "三组 12号"
    assert rules.household_address(estate="雍翠园", building="3", unit="2", room="501") == "雍翠园 3号楼 2单元 501室"


def test_search_key_holds_pinyin_initials():
    key = rules.household_search_key(head_name="张建国", address="三组 12号")
    assert "zjg" in key and "张建国" in key and "sz12h" in key
