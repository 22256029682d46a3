"""The database guards (append-only triggers, the open-case tally) hold on both databases and survive every
migration."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from cases.models import Case, CaseTally, alarm
from lucun.audit import AuditAction
from lucun.db import postgres_triggers_ensure, sqlite_triggers_ensure, sqlite_triggers_expected
from lucun.handover.services import handover_make
from lucun.models import AppendOnlyModel, AuditEvent, Role
from lucun.services import audit_record
from outcomes.models import TalentRecord
from outcomes.services import talent_create
from tests.cases.factories import open_case
from tests.cases.test_alarm import alarmed, expected
from tests.cases.test_tally import counted, tallied
from tests.factories import official
from tests.points.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

APPEND_ONLY = [
    "lucun_auditevent",
    "lucun_handover",
    "lucun_handoveritem",
    "cases_caseevent",
    "points_ledgerentry",
    "outcomes_talentstep",
]
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
    expected = {f"{table}_{op}" for table in APPEND_ONLY for op in ("no_update", "no_delete")} | set(TALLY)
    assert expected <= _triggers()


def _history_model(table: str):
    [model] = [m for m in apps.get_models() if m._meta.db_table == table]
    return model


def _write_history(community, cadre) -> None:
    """Add rows to every append-only table through the services and factories that write them."""
    open_case(community=community, by=cadre, tier_code="immediate")  # case events and audit records
    VolunteerFactory(community=community, balance=10)  # an opening ledger entry
    talent_create(user=cadre, community=community, name="王强", kind=TalentRecord.Kind.RETURNING_YOUTH)  # a step
    _hand_over(community, cadre)


def _hand_over(community, cadre) -> None:
    """A hand-over and its items: a leaving cadre's case goes to ``cadre``."""
    leaver = official(Role.COMMUNITY_CADRE, community=community)
    open_case(community=community, by=cadre, handler=leaver, tier_code="immediate")
    leader = official(Role.STREET_LEADER, street=community.street)
    handover_make(actor=leader, leaver=leaver, successor=cadre, reason="调任")


def test_every_append_only_model_is_guarded_here():
    models = [m for m in apps.get_models() if issubclass(m, AppendOnlyModel) and m._meta.managed]
    assert sorted(m._meta.db_table for m in models) == sorted(APPEND_ONLY)


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_history_refuses_delete_in_raw_sql(table, community, cadre):
    _write_history(community, cadre)
    model = _history_model(table)
    before = model.objects.count()
    assert before > 0
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 - fixed names
    assert model.objects.count() == before


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_history_refuses_delete_through_a_queryset(table, community, cadre):
    _write_history(community, cadre)
    model = _history_model(table)
    before = model.objects.count()
    # A hand-over's items protect it, so Django refuses before the database guard is reached.
    refusal = (
        pytest.raises(ProtectedError)
        if table == "lucun_handover"
        else pytest.raises(IntegrityError, match="append-only")
    )
    with refusal, transaction.atomic():
        model.objects.all().delete()
    assert model.objects.count() == before


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_history_refuses_update_in_raw_sql(table, community, cadre):
    _write_history(community, cadre)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(table)} SET id = id")  # noqa: S608 - fixed names


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite drops triggers when a migration alters a table")
def test_dropped_sqlite_triggers_come_back_and_the_tally_is_refilled(community, cadre):
    open_case(community=community, by=cadre, tier_code="immediate")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER cases_tally_insert")
        cursor.execute("DROP TRIGGER cases_caseevent_no_update")
        cursor.execute("DROP TRIGGER points_ledgerentry_no_delete")  # an install from before the DELETE guard
    open_case(community=community, by=cadre, tier_code="assigned")  # not counted while the trigger is gone
    assert tallied() != counted()

    recreated = sqlite_triggers_ensure(using="default")

    assert set(recreated) == {"cases_tally_insert", "cases_caseevent_no_update", "points_ledgerentry_no_delete"}
    assert tallied() == counted()
    assert {t.name for t in sqlite_triggers_expected()} <= _triggers()
    open_case(community=community, by=cadre, tier_code="escalated")
    assert tallied() == counted()
    assert sqlite_triggers_ensure(using="default") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite's triggers are re-created after migrate")
def test_migrated_back_before_a_kept_table_its_triggers_are_not_re_created(community, cadre):
    open_case(community=community, by=cadre)
    with connection.cursor() as cursor:  # as migrating cases back to 0029 leaves it: no alarm table, no triggers
        for op in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER cases_alarm_{op}")
        cursor.execute("DROP TABLE cases_casealarm")

    assert sqlite_triggers_ensure(using="default") == []

    assert not {"cases_alarm_insert", "cases_alarm_update", "cases_alarm_delete"} & _triggers()
    open_case(community=community, by=cadre, tier_code="immediate")  # cases are still opened, and counted
    assert tallied() == counted()


def test_ensuring_is_a_no_op_where_nothing_is_missing(community, cadre):
    open_case(community=community, by=cadre, tier_code="immediate")
    before = list(CaseTally.objects.values_list("pk", "open_count"))
    assert sqlite_triggers_ensure(using="default") == []
    assert postgres_triggers_ensure(using="default") == []  # the migrations installed every set as written now
    assert list(CaseTally.objects.values_list("pk", "open_count")) == before


# A body an earlier version might have installed: it keeps nothing in step.
STALE_BODY = "BEGIN RETURN NULL; END;"


def _alarm_update_from_an_earlier_version() -> None:
    """Leave the alarm's update trigger as a database migrated by an earlier version has it: another body, and (on
    PostgreSQL) no fingerprint, as every trigger installed before fingerprints were kept."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION cases_alarm_on_update() RETURNS trigger AS $${STALE_BODY}$$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute("COMMENT ON TRIGGER cases_alarm_update ON cases_case IS NULL")
        else:
            cursor.execute("DROP TRIGGER cases_alarm_update")
            cursor.execute("CREATE TRIGGER cases_alarm_update AFTER UPDATE ON cases_case BEGIN SELECT 1; END")


def _alarm_update_as_written() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'cases_alarm_on_update'")
            return cursor.fetchone()[0] == alarm.postgres_alarm_functions()["update"]
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'cases_alarm_update'")
        [written] = [t.sql for t in alarm.sqlite_alarm_triggers() if t.name == "cases_alarm_update"]
        return cursor.fetchone()[0] == written.removesuffix(";")


def test_triggers_an_earlier_version_wrote_are_installed_again_as_this_version_writes_them(community, cadre):
    # Nothing migrates a trigger's body: without this, a database migrated before a change to the triggers' SQL
    # would run the old triggers for good.
    case = open_case(community=community, by=cadre, tier_code="immediate")
    _alarm_update_from_an_earlier_version()
    later = case.due_at + timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(due_at=later, warn_at=later - timedelta(hours=1))
    assert alarmed() != expected()  # the earlier triggers let the alarm fall behind

    ensure = postgres_triggers_ensure if connection.vendor == "postgresql" else sqlite_triggers_ensure
    assert ensure(using="default") == (["case alarm"] if connection.vendor == "postgresql" else ["cases_alarm_update"])

    assert _alarm_update_as_written()
    assert alarmed() == expected()  # refilled while the triggers were installed again
    Case.objects.filter(pk=case.pk).update(due_at=later + timedelta(days=1), warn_at=later)
    assert alarmed() == expected()  # and kept from now on
    assert ensure(using="default") == []
    assert tallied() == counted()  # the other sets were left as they were


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_test_runners_flush_empties_history_and_leaves_every_guard_in_place(community, cadre):
    # Transactional tests are emptied with this flush (DELETE on SQLite); the guards must survive it.
    VolunteerFactory(community=community, balance=10)
    talent_create(user=cadre, community=community, name="王强", kind=TalentRecord.Kind.RETURNING_YOUTH)
    _hand_over(community, cadre)
    assert all(_history_model(t).objects.exists() for t in APPEND_ONLY if t != "cases_caseevent")

    # As the test runner calls it (django.test.TransactionTestCase._fixture_teardown).
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True)

    assert not any(_history_model(t).objects.exists() for t in APPEND_ONLY)
    assert {f"{t}_{op}" for t in APPEND_ONLY for op in ("no_update", "no_delete")} <= _triggers()
    audit_record(actor=None, action=AuditAction.LEGACY)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM lucun_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_connection_object_can_still_refill_the_database_for_serialized_rollback():
    # A browser test can leave this thread with a new connection object; the next test with serialized rollback must
    # still find what to refill the emptied database with (tests/conftest.py), or it starts without tiers.
    from django.db import connections

    fresh = connections.create_connection("default")
    try:
        assert fresh._test_serialized_contents == connection._test_serialized_contents
        assert '"model": "cases.tier"' in fresh._test_serialized_contents
    finally:
        fresh.close()
