import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cases import clock, services
from cases.models import RUNNING_STATES, Case, CaseState, Colour, Tier
from tests.cases.factories import open_case

pytestmark = pytest.mark.django_db

T = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))
# (warn_at, due_at): eight yellow hours before the deadline, and a case that turns red without being yellow.
DATES = [(T, T + timedelta(hours=8)), (T, T)]
# Before, on and after each threshold.
TIMES = [T - timedelta(hours=1), T, T + timedelta(hours=1), T + timedelta(hours=8), T + timedelta(hours=9)]


class Rollback(Exception):
    pass


@pytest.fixture
def grid(community, cadre):
    """Every state × stored colour × reopen count × dates, as rows (bulk-inserted copies of one real case)."""
    original = open_case(community=community, by=cadre)
    rows = []
    combos = itertools.product(CaseState.values, Colour.values, (0, clock.REOPENS_TURNING_RED), DATES)
    for n, (state, colour, reopens, (warn_at, due_at)) in enumerate(combos):
        case = Case.objects.get(pk=original.pk)
        case.pk = None
        case.serial, case.number = 1000 + n, f"LH-2026-{1000 + n:06d}"
        case.state, case.colour, case.reopen_count = state, colour, reopens
        case.warn_at, case.due_at = warn_at, due_at
        case.resolved_at = T - timedelta(days=1) if state in (CaseState.RESOLVED, CaseState.CLOSED) else None
        case.paused_at = T - timedelta(days=1) if state == CaseState.PAUSED else None
        case.cancel_reason = "重复登记" if state == CaseState.CANCELLED else ""
        rows.append(case)
    Case.objects.bulk_create(rows)
    return list(Case.objects.exclude(pk=original.pk).order_by("pk"))


def python_colour(case: Case, now) -> str:
    return clock.colour_at(state=case.state, colour=case.colour, due_at=case.due_at, warn_at=case.warn_at, now=now)


def reachable(case: Case, now) -> bool:
    """Whether the stored colour could stand at ``now``: the sweep and the services only move it by the rule."""
    if case.colour == Colour.RED:
        return case.due_at <= now or case.reopen_count >= clock.REOPENS_TURNING_RED
    if case.colour == Colour.YELLOW:
        return case.warn_at <= now
    return True


def matching(q) -> set[int]:
    return set(Case.objects.filter(q).values_list("pk", flat=True))


def test_python_rule_and_orm_expressions_agree_on_every_case_at_every_time(grid):
    assert len(grid) == len(CaseState.values) * 3 * 2 * len(DATES)
    for now in TIMES:
        live = dict(Case.objects.with_live_colour(now).values_list("pk", "live_colour"))
        expected = {case.pk: python_colour(case, now) for case in grid}
        assert {case.pk: live[case.pk] for case in grid} == expected, now
        assert all(case.colour_at(now) == expected[case.pk] for case in grid)

        # The sweep's filters find exactly the cases whose stored colour is behind, and say where it goes.
        ids = {case.pk for case in grid}
        behind = {case.pk for case in grid if expected[case.pk] != case.colour}
        assert matching(clock.q_behind(now)) & ids == behind, now
        assert matching(clock.q_turns_red(now)) & ids == {pk for pk in behind if expected[pk] == Colour.RED}
        assert matching(clock.q_turns_yellow(now)) & ids == {pk for pk in behind if expected[pk] == Colour.YELLOW}

        # The dashboard's lists of running cases, for every colour a case can really have stored.
        possible = {case.pk for case in grid if reachable(case, now) and case.state in RUNNING_STATES}
        red = matching(clock.q_red_by_deadline(now)) | matching(clock.q_red_before_deadline(now))
        assert red & possible == {pk for pk in possible if expected[pk] == Colour.RED}, now
        assert matching(clock.q_yellow(now)) & possible == {pk for pk in possible if expected[pk] == Colour.YELLOW}


def test_a_sweep_stores_the_colour_the_rule_gives(grid):
    for now in TIMES:
        expected = {case.pk: python_colour(case, now) for case in grid}
        with pytest.raises(Rollback), transaction.atomic():
            services.case_colours_sweep(now=now)
            stored = dict(Case.objects.filter(pk__in=expected).values_list("pk", "colour"))
            assert stored == expected, now
            raise Rollback


def test_the_stored_next_thresholds_follow_the_stored_colour(grid):
    for case in grid:
        running = case.state in RUNNING_STATES
        assert case.yellow_at == (case.warn_at if running and case.colour == Colour.GREEN else None)
        assert case.red_at == (case.due_at if running and case.colour != Colour.RED else None)


def test_deadlines_come_from_the_tier_and_the_start():
    tier = Tier.objects.get(code="immediate")
    assert clock.deadlines(tier, T) == (T + timedelta(hours=24), T + timedelta(hours=16))
    assert clock.warn_at_for(tier, T) == T - timedelta(hours=8)


@pytest.mark.parametrize(
    ("now", "colour"),
    [
        (T - timedelta(seconds=1), Colour.GREEN),
        (T, Colour.YELLOW),
        (T + timedelta(hours=8) - timedelta(seconds=1), Colour.YELLOW),
        (T + timedelta(hours=8), Colour.RED),
    ],
)
def test_thresholds_are_reached_at_the_instant_itself(now, colour):
    assert clock.colour_by_dates(warn_at=T, due_at=T + timedelta(hours=8), now=now) == colour


def test_a_stopped_clock_keeps_its_colour_and_a_running_one_never_goes_back():
    dates = {"warn_at": T, "due_at": T + timedelta(hours=8), "now": T + timedelta(days=1)}
    for state in CaseState.values:
        if state not in RUNNING_STATES:
            assert clock.colour_at(state=state, colour=Colour.GREEN, **dates) == Colour.GREEN
    early = {**dates, "now": T - timedelta(hours=1)}
    assert clock.colour_at(state=CaseState.IN_PROGRESS, colour=Colour.RED, **early) == Colour.RED
    # Moved dates start the colour again, unless the clock is stopped.
    assert clock.colour_restarted(state=CaseState.IN_PROGRESS, colour=Colour.RED, **early) == Colour.GREEN
    assert clock.colour_restarted(state=CaseState.PAUSED, colour=Colour.RED, **early) == Colour.RED
