"""The database guards (append-only triggers, the open-case tally) survive every migration."""

import pytest
from django.db import connection

from cases.models import CaseTally
from lucun.db import sqlite_triggers_ensure, sqlite_triggers_expected
from tests.cases.factories import open_case
from tests.cases.test_tally import counted, tallied

pytestmark = pytest.mark.django_db

APPEND_ONLY = ["lucun_auditevent", "cases_caseevent", "points_ledgerentry", "outcomes_talentstep"]
TALLY = ["cases_tally_insert", "cases_tally_update", "cases_tally_delete"]


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_every_guard_exists_after_all_migrations():
    # SQLite rebuilds a table for many ALTERs and the rebuild drops its triggers; lucun.db puts them back.
    expected = {f"{table}_no_update" for table in APPEND_ONLY} | set(TALLY)
    if connection.vendor == "postgresql":
        expected |= {f"{table}_no_delete" for table in APPEND_ONLY}
    assert expected <= _triggers()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite drops triggers when a migration alters a table")
def test_dropped_sqlite_triggers_come_back_and_the_tally_is_refilled(community, cadre):
    open_case(community=community, by=cadre, tier_code="immediate")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER cases_tally_insert")
        cursor.execute("DROP TRIGGER cases_caseevent_no_update")
    open_case(community=community, by=cadre, tier_code="assigned")  # not counted while the trigger is gone
    assert tallied() != counted()

    recreated = sqlite_triggers_ensure(using="default")

    assert set(recreated) == {"cases_tally_insert", "cases_caseevent_no_update"}
    assert tallied() == counted()
    assert {t.name for t in sqlite_triggers_expected()} <= _triggers()
    open_case(community=community, by=cadre, tier_code="escalated")
    assert tallied() == counted()
    assert sqlite_triggers_ensure(using="default") == []


def test_ensuring_is_a_no_op_where_nothing_is_missing(community, cadre):
    open_case(community=community, by=cadre, tier_code="immediate")
    before = list(CaseTally.objects.values_list("pk", "open_count"))
    assert sqlite_triggers_ensure(using="default") == []
    assert list(CaseTally.objects.values_list("pk", "open_count")) == before
