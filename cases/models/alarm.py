"""When each running case next needs the sweep, kept apart from the case by database triggers.

A case's next yellow, red and notice times (the generated ``yellow_at``, ``red_at`` and ``notice_due_at``
columns) change whenever its colour does. Indexed on the case itself, every colour change would write new
index entries, on index pages that do not fit in memory at a county's scale. Here they live in a narrow table
of their own, one row per case that still has something ahead of it: the sweep and the dashboard find the
few cases crossing a threshold through this table's partial indexes, and no index of the case names a column
the sweep changes, so PostgreSQL rewrites a case changing colour as a heap-only update.

Every insert, update or delete of a case keeps the row in the same transaction, whatever wrote it (a service,
the set-based sweep, a bulk load). The filters in ``cases.clock`` still check the case's own columns, so a
case changed by a concurrent transaction is judged on its new version.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.db import SqliteTrigger, StatementTriggers

from .case import Case

ALARMS = ("yellow_at", "red_at", "notice_due_at")


class CaseAlarm(models.Model):
    case = models.OneToOneField(
        Case,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # kept by the triggers below, which delete it with its case
        related_name="+",
        verbose_name=_("诉求"),
    )
    yellow_at = models.DateTimeField(_("转黄时间"), null=True)
    red_at = models.DateTimeField(_("转红时间"), null=True)
    notice_due_at = models.DateTimeField(_("通报时间"), null=True)

    class Meta:
        verbose_name = _("诉求下次变色时间")
        verbose_name_plural = _("诉求下次变色时间")
        indexes = [
            models.Index(
                fields=["yellow_at"], name="casealarm_yellow_idx", condition=models.Q(yellow_at__isnull=False)
            ),
            models.Index(fields=["red_at"], name="casealarm_red_idx", condition=models.Q(red_at__isnull=False)),
            models.Index(
                fields=["notice_due_at"], name="casealarm_notice_idx", condition=models.Q(notice_due_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.yellow_at} / {self.red_at} / {self.notice_due_at}"


# --- The triggers ----------------------------------------------------------------------------------
#
# Written once here for both databases (fixed names only, no input). Migration 0030 installs them; SQLite
# drops a table's triggers whenever a migration rebuilds the table, so lucun.db re-creates the SQLite ones
# after migrate, refilling the table first. tests/cases/test_alarm.py fails if the database's triggers
# differ from these.

_COLUMNS = ", ".join(ALARMS)
_ANY = " OR ".join(f"{{row}}{c} IS NOT NULL" for c in ALARMS)

REFILL = (
    "DELETE FROM cases_casealarm",
    f"INSERT INTO cases_casealarm (case_id, {_COLUMNS}) SELECT id, {_COLUMNS} FROM cases_case "  # noqa: S608
    f"WHERE {_ANY.format(row='')}",
)


def postgres_alarm_functions() -> dict[str, str]:
    """The PL/pgSQL body of each statement trigger's function, by operation (as pg_proc.prosrc holds it)."""
    upsert = ", ".join(f"{c} = EXCLUDED.{c}" for c in ALARMS)
    new_values = ", ".join(f"n.{c}" for c in ALARMS)
    return {
        "insert": f"""
    BEGIN
        INSERT INTO cases_casealarm (case_id, {_COLUMNS})
        SELECT n.id, {new_values} FROM new_rows AS n WHERE {_ANY.format(row="n.")};
        RETURN NULL;
    END;
    """,  # noqa: S608
        # A case with nothing ahead of it any more leaves the table; the others' rows are written where their times
        # moved. No join of the old and new rows: PL/pgSQL plans a statement on the transition tables once, knowing
        # nothing of their size, and a join of two of them was planned as a nested loop (10,000² row pairs).
        # Each case's row is found through the table's primary key instead.
        "update": f"""
    BEGIN
        WITH cleared AS (
            DELETE FROM cases_casealarm AS a USING new_rows AS n
            WHERE a.case_id = n.id AND NOT ({_ANY.format(row="n.")})
        )
        INSERT INTO cases_casealarm AS a (case_id, {_COLUMNS})
        SELECT n.id, {new_values} FROM new_rows AS n WHERE {_ANY.format(row="n.")}
        ON CONFLICT (case_id) DO UPDATE SET {upsert}
        WHERE ({", ".join(f"a.{c}" for c in ALARMS)}) IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in ALARMS)});
        RETURN NULL;
    END;
    """,  # noqa: S608
        "delete": """
    BEGIN
        DELETE FROM cases_casealarm AS a USING old_rows AS o WHERE a.case_id = o.id;
        RETURN NULL;
    END;
    """,
    }


def _sqlite_alarm_bodies() -> dict[str, tuple[str, str, str]]:
    new_values = ", ".join(f"NEW.{c}" for c in ALARMS)
    add = (
        f"INSERT INTO cases_casealarm (case_id, {_COLUMNS}) SELECT NEW.id, {new_values} "
        f"WHERE {_ANY.format(row='NEW.')};"
    )
    moved = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ALARMS)
    replace = f"DELETE FROM cases_casealarm WHERE case_id = OLD.id; {add}"  # noqa: S608
    return {
        "insert": ("AFTER INSERT", "", add),
        "update": ("AFTER UPDATE", f" WHEN {moved}", replace),
        "delete": ("AFTER DELETE", "", "DELETE FROM cases_casealarm WHERE case_id = OLD.id;"),
    }


TRIGGERS = StatementTriggers(
    label="case alarm",
    prefix="cases_alarm",
    table="cases_case",
    keeps="cases_casealarm",
    refill=REFILL,
    # Transition tables admit no column list (AFTER UPDATE OF …): every UPDATE of a case runs the trigger,
    # which writes only where the times moved.
    postgres_transition_tables={
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "update": "REFERENCING NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
    },
    postgres_functions=postgres_alarm_functions,
    sqlite_bodies=_sqlite_alarm_bodies,
)


def sqlite_alarm_triggers() -> list[SqliteTrigger]:
    return TRIGGERS.sqlite_triggers()


def alarm_triggers_remove(schema_editor) -> None:
    TRIGGERS.remove(schema_editor)


def alarm_triggers_install(schema_editor) -> None:
    """(Re-)create the alarm table's triggers as written here and refill it from the cases (a migration's step)."""
    TRIGGERS.install(schema_editor)
