"""12345 hotline cases counted by community and month, kept by database triggers.

The dashboard shows, for the hotline cases of a year, how many came in, are open now, were resolved and resolved
on time. Counted from the cases, each figure reads every hotline case of the year in scope (about 200 ms a view at
a county's million cases); from this table it reads a row per community and month, and only the cases of the
month the year begins in (``cases.selectors.dashboard_figures``). A case counts as received and, while open, as
open in the month it was opened; as resolved and, by its deadline, on time in the month it was resolved. Months
are UTC calendar months, the same on both databases; the dashboard reads the rest of its window from the cases.

Row triggers, not statement triggers, on PostgreSQL too: they name the columns counted (``AFTER UPDATE OF …``),
so the sweep's colour changes never run them, and their WHEN clause leaves every case of another source alone.
"""

from datetime import UTC, datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.db import RowTriggers, SqliteTrigger
from lucun.models import Community

from ..states import OPEN_STATES, sql_list


class HotlineTally(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("村(居)")
    )
    month = models.DateField(_("月份"))  # the first day of a UTC calendar month
    received = models.IntegerField(_("受理"), default=0)
    open_count = models.IntegerField(_("未办结"), default=0)
    resolved = models.IntegerField(_("办结"), default=0)
    on_time = models.IntegerField(_("按期办结"), default=0)

    class Meta:
        verbose_name = _("12345热线诉求计数")
        verbose_name_plural = _("12345热线诉求计数")
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="hotlinetally_one_row_per_month"),
            models.CheckConstraint(
                condition=models.Q(received__gte=0, open_count__gte=0, resolved__gte=0, on_time__gte=0),
                name="hotlinetally_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.month:%Y-%m}: {self.received}"


def hotline_tally_month_after(moment: datetime) -> datetime:
    """The start of the first whole tally month from ``moment`` on: ``moment`` itself if a UTC month begins
    there, otherwise the start of the next one. What lies between the two the dashboard counts from the cases."""
    start = moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if start == moment:
        return start
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


# --- The triggers ----------------------------------------------------------------------------------
#
# Written once here for both databases; migration 0032 installs them, and lucun.db re-creates the SQLite ones
# after a migrate that rebuilt the cases table, refilling the counts first. Fixed names and enum codes only.

HOTLINE = "hotline"
_OPEN = sql_list(OPEN_STATES)
# The columns a count depends on: an UPDATE that names none of them (the sweep's) leaves the triggers unrun.
COUNTED = ("source", "community_id", "state", "opened_at", "resolved_at", "due_at")
_COUNTS = ("received", "open_count", "resolved", "on_time")


def _pg_month(column: str) -> str:
    return f"date_trunc('month', {column} AT TIME ZONE 'UTC')::date"


def _sqlite_month(column: str) -> str:
    return f"substr({column}, 1, 7) || '-01'"  # SQLite keeps datetimes as UTC text, 'YYYY-MM-DD HH:MM:SS'


REFILL = (
    "DELETE FROM cases_hotlinetally",
    # One row per community and month: the months cases were opened in, with those resolved in them added.
    "INSERT INTO cases_hotlinetally (community_id, month, received, open_count, resolved, on_time) "  # noqa: S608
    "SELECT community_id, month, SUM(received), SUM(open_count), SUM(resolved), SUM(on_time) FROM ("
    "SELECT community_id, {opened} AS month, 1 AS received, "
    f"CASE WHEN state IN {_OPEN} THEN 1 ELSE 0 END AS open_count, 0 AS resolved, 0 AS on_time "
    f"FROM cases_case WHERE source = '{HOTLINE}' "
    "UNION ALL SELECT community_id, {resolved}, 0, 0, 1, CASE WHEN resolved_at <= due_at THEN 1 ELSE 0 END "
    f"FROM cases_case WHERE source = '{HOTLINE}' AND resolved_at IS NOT NULL"
    ") AS counted GROUP BY community_id, month",
)


def _refill(month) -> tuple[str, ...]:
    return (REFILL[0], REFILL[1].format(opened=month("opened_at"), resolved=month("resolved_at")))


def _pg_add(row: str) -> str:
    """Count ``row`` (NEW or OLD) in, if it is a hotline case: insert the month's row or add to it."""
    return f"""
        IF {row}.source = '{HOTLINE}' THEN
            INSERT INTO cases_hotlinetally AS t (community_id, month, received, open_count, resolved, on_time)
            VALUES ({row}.community_id, {_pg_month(f"{row}.opened_at")}, 1, {_pg_open(row)}, 0, 0)
            ON CONFLICT (community_id, month) DO UPDATE
            SET received = t.received + 1, open_count = t.open_count + EXCLUDED.open_count;
            IF {row}.resolved_at IS NOT NULL THEN
                INSERT INTO cases_hotlinetally AS t (community_id, month, received, open_count, resolved, on_time)
                VALUES ({row}.community_id, {_pg_month(f"{row}.resolved_at")}, 0, 0, 1, {_pg_on_time(row)})
                ON CONFLICT (community_id, month) DO UPDATE
                SET resolved = t.resolved + 1, on_time = t.on_time + EXCLUDED.on_time;
            END IF;
        END IF;"""  # noqa: S608


def _pg_remove(row: str) -> str:
    """Count ``row`` out: update the rows it was counted in (an INSERT of a negative count would trip the check)."""
    return f"""
        IF {row}.source = '{HOTLINE}' THEN
            UPDATE cases_hotlinetally SET received = received - 1, open_count = open_count - {_pg_open(row)}
            WHERE community_id = {row}.community_id AND month = {_pg_month(f"{row}.opened_at")};
            IF {row}.resolved_at IS NOT NULL THEN
                UPDATE cases_hotlinetally SET resolved = resolved - 1, on_time = on_time - {_pg_on_time(row)}
                WHERE community_id = {row}.community_id AND month = {_pg_month(f"{row}.resolved_at")};
            END IF;
        END IF;"""  # noqa: S608


def _pg_open(row: str) -> str:
    return f"CASE WHEN {row}.state IN {_OPEN} THEN 1 ELSE 0 END"


def _pg_on_time(row: str) -> str:
    return f"CASE WHEN {row}.resolved_at <= {row}.due_at THEN 1 ELSE 0 END"


def postgres_hotline_tally_functions() -> dict[str, str]:
    """The PL/pgSQL body of each row trigger's function, by operation (as pg_proc.prosrc holds it)."""
    return {
        "insert": f"BEGIN{_pg_add('NEW')}\n        RETURN NULL;\n    END;",
        "update": f"BEGIN{_pg_remove('OLD')}{_pg_add('NEW')}\n        RETURN NULL;\n    END;",
        "delete": f"BEGIN{_pg_remove('OLD')}\n        RETURN NULL;\n    END;",
    }


def _sqlite_change(row: str, sign: str) -> str:
    """Count ``row`` (NEW or OLD) in (sign "+") or out ("-"), if it is a hotline case: SQLite has no upsert that
    adds, so an increase first makes sure the month's row is there."""
    when = f"{row}.source = '{HOTLINE}'"
    resolved = f"{when} AND {row}.resolved_at IS NOT NULL"
    months = ((_sqlite_month(f"{row}.opened_at"), when), (_sqlite_month(f"{row}.resolved_at"), resolved))
    counts = (
        f"received = received {sign} 1, open_count = open_count {sign} ({row}.state IN {_OPEN})",
        f"resolved = resolved {sign} 1, on_time = on_time {sign} ({row}.resolved_at <= {row}.due_at)",
    )
    statements = []
    for (month, condition), count in zip(months, counts, strict=True):
        if sign == "+":
            statements.append(
                "INSERT OR IGNORE INTO cases_hotlinetally (community_id, month, received, open_count, resolved, "
                f"on_time) SELECT {row}.community_id, {month}, 0, 0, 0, 0 WHERE {condition};"
            )
        statements.append(
            f"UPDATE cases_hotlinetally SET {count} "  # noqa: S608
            f"WHERE community_id = {row}.community_id AND month = {month} AND {condition};"
        )
    return " ".join(statements)


def _triggers_when() -> dict[str, tuple[str, str]]:
    """Each trigger's timing and WHEN clause, the same on both databases."""
    return {
        "insert": ("AFTER INSERT", f" WHEN (NEW.source = '{HOTLINE}')"),
        "update": (
            f"AFTER UPDATE OF {', '.join(COUNTED)}",
            f" WHEN (OLD.source = '{HOTLINE}' OR NEW.source = '{HOTLINE}')",
        ),
        "delete": ("AFTER DELETE", f" WHEN (OLD.source = '{HOTLINE}')"),
    }


def _sqlite_hotline_tally_bodies() -> dict[str, tuple[str, str, str]]:
    bodies = {
        "insert": _sqlite_change("NEW", "+"),
        "update": f"{_sqlite_change('OLD', '-')} {_sqlite_change('NEW', '+')}",
        "delete": _sqlite_change("OLD", "-"),
    }
    return {op: (timing, condition, bodies[op]) for op, (timing, condition) in _triggers_when().items()}


TRIGGERS = RowTriggers(
    label="hotline tally",
    prefix="cases_hotline_tally",
    table="cases_case",
    keeps="cases_hotlinetally",
    refill=_refill(_sqlite_month),
    postgres_refill=_refill(_pg_month),
    postgres_functions=postgres_hotline_tally_functions,
    sqlite_bodies=_sqlite_hotline_tally_bodies,
)


def sqlite_hotline_tally_triggers() -> list[SqliteTrigger]:
    return TRIGGERS.sqlite_triggers()


def hotline_tally_triggers_remove(schema_editor) -> None:
    TRIGGERS.remove(schema_editor)


def hotline_tally_triggers_install(schema_editor) -> None:
    """(Re-)create the hotline tally's triggers as written here and recount the hotline cases (a migration's step)."""
    TRIGGERS.install(schema_editor)
