"""The alarm table (cases/models/alarm.py) holds each running case's next yellow, red and notice times, whatever
changes the case, and no index of a case names a column the colour sweep changes."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases import clock, services
from cases.models import Case, CaseAlarm, Colour
from cases.models.alarm import ALARMS, postgres_alarm_functions, sqlite_alarm_triggers
from tests.cases.factories import case_copies, open_case, tier

pytestmark = pytest.mark.django_db

T0 = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(480))

# What the sweep writes on a case: none of it may be named by an index of the case (a column or a condition).
SWEEP_WRITES = ("colour", "colour_changed_at", "red_since", "notice_at", "noticed_at")
FOLLOW_THE_COLOUR = ("yellow_at", "red_at", "notice_due_at")  # generated from what the sweep writes


def alarmed() -> dict[int, tuple]:
    return {a.case_id: (a.yellow_at, a.red_at, a.notice_due_at) for a in CaseAlarm.objects.all()}


def expected() -> dict[int, tuple]:
    rows = Case.objects.values_list("pk", *ALARMS)
    return {pk: tuple(times) for pk, *times in rows if any(t is not None for t in times)}


def test_the_alarm_follows_every_kind_of_change(community, other_community, cadre, supervisor):
    with time_machine.travel(T0, tick=False):
        a = open_case(community=community, by=cadre, tier_code="immediate")
        b = open_case(community=community, by=cadre, tier_code="assigned")
        c = open_case(community=other_community, by=supervisor, tier_code="escalated")
    a.refresh_from_db()
    assert alarmed()[a.pk] == (a.warn_at, a.due_at, None)
    assert alarmed() == expected()
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        services.case_colours_sweep()  # a set-based UPDATE of many rows
        a.refresh_from_db()
        assert a.colour == Colour.RED
        assert alarmed()[a.pk] == (None, None, a.notice_at)
        assert alarmed() == expected()
        services.case_escalate(case=b, user=cadre, tier=tier("escalated"), reason="超出权限")
        services.case_pause(case=c, user=supervisor, reason="等待材料")
        assert c.pk not in alarmed()  # a paused clock has nothing ahead of it
        services.case_resolve(case=a, user=cadre, resolution="已解决")
        assert a.pk not in alarmed()
        assert alarmed() == expected()
        services.case_resume(case=c, user=supervisor)
        services.case_reopen(case=a, user=cadre, reason="群众反映未解决")
        assert alarmed() == expected()
    with time_machine.travel(T0 + timedelta(days=60), tick=False):
        services.case_colours_sweep()
        services.case_colours_sweep()  # the notices, once the red cases have been red long enough
        assert alarmed() == expected()
        assert not CaseAlarm.objects.filter(notice_due_at__lte=timezone.now()).exists()


def test_raw_updates_bulk_inserts_and_deletes_keep_the_alarm(community, cadre):
    open_case(community=community, by=cadre)
    original = Case.objects.get()
    clones = case_copies(original, 3)
    assert len(alarmed()) == 4 and alarmed() == expected()

    later = original.due_at + timedelta(days=3)
    Case.objects.filter(pk=clones[0].pk).update(due_at=later, warn_at=later - timedelta(hours=1))
    Case.objects.filter(pk=clones[1].pk).update(colour=Colour.RED, notice_at=later)
    Case.objects.filter(pk=clones[2].pk).update(title="只改标题")  # no time moved: the row stays as it was
    assert alarmed()[clones[0].pk] == (later - timedelta(hours=1), later, None)
    assert alarmed()[clones[1].pk] == (None, None, later)
    assert alarmed() == expected()

    with connection.cursor() as cursor:  # past every guard a model has: the row goes with its case
        cursor.execute("DELETE FROM cases_case WHERE id = %s", [clones[2].pk])
    assert clones[2].pk not in alarmed()
    assert alarmed() == expected()


def test_the_sweep_and_the_dashboard_find_cases_through_the_alarm_only(community, cadre):
    with time_machine.travel(T0, tick=False):
        case = open_case(community=community, by=cadre, tier_code="immediate")
    now = T0 + timedelta(hours=30)
    assert Case.objects.filter(clock.q_turns_red(now)).get() == case
    # A case the alarm table does not name is not found, whatever its own columns say; and the case's columns are
    # checked again, so an alarm row behind its case finds nothing either.
    CaseAlarm.objects.all().delete()
    assert not Case.objects.filter(clock.q_turns_red(now) | clock.q_behind(now)).exists()
    Case.objects.filter(pk=case.pk).update(colour=Colour.RED, notice_at=None)
    CaseAlarm.objects.create(case=case, red_at=T0)  # as the row a concurrent sweep has not replaced yet would say
    assert not Case.objects.filter(clock.q_turns_red(now)).exists()


def test_the_database_keeps_the_triggers_the_code_writes():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'cases_alarm_on_%%'")
            installed = {name.removeprefix("cases_alarm_on_"): body for name, body in cursor.fetchall()}
            assert installed == postgres_alarm_functions()
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cases_alarm_%'")
            # SQLite keeps the statement without its final semicolon.
            assert dict(cursor.fetchall()) == {t.name: t.sql.removesuffix(";") for t in sqlite_alarm_triggers()}


def _case_index_definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case'")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases_case'")
        return {name: sql or "" for name, sql in cursor.fetchall()}


def test_no_index_of_a_case_names_a_column_the_sweep_changes():
    definitions = _case_index_definitions()
    assert "case_running_due_idx" in definitions and "case_reopened_twice_idx" in definitions
    # Constraints' own indexes (the primary key, the numbers) on SQLite have no SQL and name no such column.
    for name, sql in definitions.items():
        named = {c for c in (*SWEEP_WRITES, *FOLLOW_THE_COLOUR) if re.search(rf'\b"?{c}"?\b', sql)}
        assert not named, f"{name} names {named}: a colour change would write its entries"


@pytest.mark.postgres
def test_a_colour_change_is_a_heap_only_update(community, cadre):
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            open_case(community=community, by=cadre, tier_code="immediate")

    def counts() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'cases_case'")
            return cursor.fetchone()

    updated, hot = counts()
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        moved = services.case_colours_sweep()
    assert moved.red == 5
    after_updated, after_hot = counts()
    assert after_updated - updated == 5
    assert after_hot - hot == 5, "each colour change should leave every index of the case untouched"
