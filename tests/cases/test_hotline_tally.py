"""The 12345 hotline cases counted by community and month (cases/models/hotline_tally.py), and the dashboard's
hotline figures read from it: whole months from the tally, the month the year begins in from the cases."""

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases import clock, selectors, services
from cases.models import OPEN_STATES, Case, HotlineTally
from cases.models.hotline_tally import (
    hotline_tally_month_after,
    postgres_hotline_tally_functions,
    sqlite_hotline_tally_triggers,
)
from lucun.models import Role
from tests.factories import CommunityFactory, official

from .factories import case_copies, hotline_orders, open_case

pytestmark = pytest.mark.django_db

# Mid-morning in China on 2026-03-10; the dashboard's year then begins on 2025-03-10, ten days into a UTC month.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def _month(moment: datetime | None):
    return timezone.localtime(moment, UTC).date().replace(day=1)


def tallied() -> dict:
    return {
        (t.community_id, t.month): (t.received, t.open_count, t.resolved, t.on_time)
        for t in HotlineTally.objects.all()
        if (t.received, t.open_count, t.resolved, t.on_time) != (0, 0, 0, 0)
    }


def counted() -> dict:
    """The same counts from the cases, in Python."""
    counts: Counter = Counter()
    for case in Case.objects.filter(source=Case.Source.HOTLINE):
        opened = (case.community_id, _month(case.opened_at))
        counts[(*opened, "received")] += 1
        counts[(*opened, "open")] += case.state in OPEN_STATES
        if case.resolved_at:
            resolved = (case.community_id, _month(case.resolved_at))
            counts[(*resolved, "resolved")] += 1
            counts[(*resolved, "on_time")] += case.resolved_at <= case.due_at
    keys = {key[:2] for key in counts}
    rows = {key: tuple(counts[(*key, name)] for name in ("received", "open", "resolved", "on_time")) for key in keys}
    return {key: row for key, row in rows.items() if row != (0, 0, 0, 0)}


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


def test_the_tally_follows_every_kind_of_change(staff, cadre, community):
    other = CommunityFactory(street=community.street, name="稻香村")
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        first, second, third = hotline_orders(
            street=community.street, by=staff, accepted=[timezone.now() - timedelta(hours=h) for h in (1, 2, 3)]
        )
    assert tallied() == counted() != {}
    with time_machine.travel(NOW, tick=False):
        services.case_colours_sweep()  # the sweep names no counted column: the triggers do not run
        assert tallied() == counted()
        services.case_resolve(case=first, user=staff, resolution="已修好路灯")  # late, in another month
        services.case_cancel(case=second, user=staff, reason="重复登记")
        assert tallied() == counted()
        services.case_reopen(case=first, user=staff, reason="群众反映未解决")
        Case.objects.filter(pk=third.pk).update(community=other)
        later = timezone.now() + timedelta(days=3)
        Case.objects.filter(pk=first.pk).update(due_at=later, warn_at=later)
        assert tallied() == counted()
        services.case_resolve(case=first, user=staff, resolution="已修好路灯")  # on time now
        Case.objects.filter(pk=third.pk).update(source=Case.Source.WALK_IN)
        assert tallied() == counted()
        Case.objects.filter(pk=third.pk).update(source=Case.Source.HOTLINE)
        copies = case_copies(first, 3)  # a bulk insert
        assert tallied() == counted()
        Case.objects.filter(pk=copies[0].pk).delete()
    assert tallied() == counted()
    assert sum(row[0] for row in tallied().values()) == 5  # the three orders and two of their copies


def test_cases_of_other_sources_are_not_counted(cadre, community):
    open_case(community=community, by=cadre)
    assert not HotlineTally.objects.exists()


def test_the_month_after_a_moment_is_the_next_utc_month_unless_one_begins_there():
    assert hotline_tally_month_after(NOW - timedelta(days=365)) == datetime(2025, 4, 1, tzinfo=UTC)
    assert hotline_tally_month_after(datetime(2025, 12, 31, 23, tzinfo=UTC)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert hotline_tally_month_after(datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2026, 1, 1, tzinfo=UTC)
    # 2026-02-01 07:00 in China is still January in UTC.
    china = timezone.get_fixed_timezone(480)
    assert hotline_tally_month_after(datetime(2026, 2, 1, 7, tzinfo=china)) == datetime(2026, 2, 1, tzinfo=UTC)


def _live(*, supervisor, since: datetime, filters: dict | None = None) -> dict:
    """The figures counted from the cases one by one, as the dashboard counts them when a filter leaves the tally."""
    cases = selectors.case_list(user=supervisor, filters=filters).filter(source=Case.Source.HOTLINE)
    return {
        "received": cases.filter(opened_at__gte=since).count(),
        "open": cases.filter(state__in=OPEN_STATES).count(),
        "resolved": cases.filter(resolved_at__gte=since).count(),
        "on_time": cases.filter(clock.q_on_time(), resolved_at__gte=since).count(),
    }


def test_the_dashboard_counts_the_month_the_year_begins_in_from_the_cases(staff, supervisor, community):
    """Orders on both sides of the year's first moment (2025-03-10 02:00 UTC) and in the months after it."""
    since = NOW - timedelta(days=365)
    accepted = [
        since - timedelta(days=3),  # March 2025, before the year: not received in it
        since - timedelta(minutes=5),
        since + timedelta(minutes=5),  # March 2025, in the year: counted from the cases
        since + timedelta(days=10),
        since + timedelta(days=40),  # whole months: from the tally
        NOW - timedelta(days=2),
    ]
    cases = []
    for n, at in enumerate(accepted):
        with time_machine.travel(at + timedelta(minutes=1), tick=False):
            cases += hotline_orders(street=community.street, by=staff, accepted=[at], prefix=f"G{n}")
    # Resolved: one just before the year begins, one just after (late), one in a whole month (on time).
    for case, at in ((cases[0], since - timedelta(minutes=1)), (cases[1], since + timedelta(minutes=1))):
        with time_machine.travel(at, tick=False):
            services.case_resolve(case=case, user=staff, resolution="已修好路灯")
    Case.objects.filter(pk=cases[1].pk).update(due_at=since, warn_at=since)  # resolved a minute late
    with time_machine.travel(cases[4].opened_at + timedelta(hours=1), tick=False):
        services.case_resolve(case=cases[4], user=staff, resolution="已修好路灯")
    figures = selectors.dashboard(user=supervisor, now=NOW).hotline
    assert {k: figures[k] for k in ("received", "open", "resolved", "on_time")} == _live(
        supervisor=supervisor, since=since
    )
    assert (figures["received"], figures["open"], figures["resolved"], figures["on_time"]) == (4, 3, 2, 1)
    # Filtered by a community, from the tally; by a category, from the cases: the same figures.
    by_community = selectors.dashboard(user=supervisor, now=NOW, filters={"community": community}).hotline
    by_category = selectors.dashboard(user=supervisor, now=NOW, filters={"category": cases[0].category}).hotline
    assert by_community == figures == by_category


MICROSECOND = timedelta(microseconds=1)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 3, 10, 2, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 3, 31, 20, 0, tzinfo=UTC),  # already April 1st in China
        datetime(2026, 4, 1, 0, 0, tzinfo=UTC),  # the year begins on a month's first moment
        datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
    ],
)
def test_the_figures_hold_at_every_edge_of_the_window_and_its_months(supervisor, community, now):
    """Cases opened and resolved a microsecond either side of the year's first moment, of the first whole month,
    and of midnight in China before it (the tally's months are UTC's), resolved on their deadline or just after:
    the dashboard gives what counting the cases one by one gives, unfiltered and with each kind of filter."""
    other = CommunityFactory(street=community.street, name="稻香村")
    since = now - timedelta(days=365)
    whole = hotline_tally_month_after(since)
    china_midnight = whole - timedelta(hours=8)
    marks = [since - MICROSECOND, since, since + MICROSECOND, whole - MICROSECOND, whole, whole + MICROSECOND]
    marks += [china_midnight - MICROSECOND, china_midnight, now - timedelta(days=1), now - timedelta(hours=1)]
    made = []
    for n, (opened, resolved) in enumerate(itertools.product(marks, [None, *marks])):
        if resolved is not None and resolved < opened:
            continue
        case = open_case(community=community if n % 3 else other, by=supervisor, source=Case.Source.HOTLINE)
        values = {"opened_at": opened}
        if resolved is not None:
            due = resolved if n % 2 else resolved - MICROSECOND  # on time to the microsecond, or just late
            values |= {"resolved_at": resolved, "state": "resolved", "due_at": due, "warn_at": due - timedelta(days=1)}
        Case.objects.filter(pk=case.pk).update(**values)
        made.append(case)
    assert tallied() == counted()
    figures = selectors.dashboard(user=supervisor, now=now).hotline
    assert {k: figures[k] for k in ("received", "open", "resolved", "on_time")} == _live(
        supervisor=supervisor, since=since
    )
    assert 0 < figures["on_time"] < figures["resolved"] and figures["received"]
    by_category = selectors.dashboard(user=supervisor, now=now, filters={"category": made[0].category}).hotline
    by_street = selectors.dashboard(user=supervisor, now=now, filters={"street": community.street}).hotline
    assert by_category == figures == by_street
    by_community = selectors.dashboard(user=supervisor, now=now, filters={"community": other}).hotline
    live = _live(supervisor=supervisor, since=since, filters={"community": other})
    assert {k: by_community[k] for k in live} == live


def test_another_communitys_hotline_cases_stay_out_of_a_cadres_figures(staff, cadre, community):
    other = CommunityFactory(street=community.street, name="稻香村")
    hotline_orders(street=community.street, by=staff, accepted=[timezone.now()], community_name=other.name)
    assert HotlineTally.objects.filter(community=other).exists()
    assert selectors.dashboard(user=cadre).hotline["received"] == 0


def test_the_database_keeps_the_triggers_the_code_writes():
    """When the open states change, a migration must install the triggers again (hotline_tally_triggers_install)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'cases_hotline_tally_on_%%'")
            installed = {name.removeprefix("cases_hotline_tally_on_"): body for name, body in cursor.fetchall()}
            assert installed == postgres_hotline_tally_functions()
            # Row triggers (tgtype bit 0), so that the sweep's UPDATE, which names no counted column, runs none.
            cursor.execute("SELECT tgname, tgtype & 1 FROM pg_trigger WHERE tgname LIKE 'cases_hotline_tally_%%'")
            assert dict(cursor.fetchall()) == {f"cases_hotline_tally_{op}": 1 for op in ("insert", "update", "delete")}
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_hotline_tally_%'"
            )
            expected = {t.name: t.sql.removesuffix(";") for t in sqlite_hotline_tally_triggers()}
            assert dict(cursor.fetchall()) == expected
