"""Open cases counted by what the dashboard groups and filters on, kept by database triggers.

Every insert, update or delete of a case adjusts the counts in the same transaction, whatever wrote
it (a service, the set-based sweep, a bulk load), so the dashboard reads a few hundred rows instead
of every open case. The counts are by stored colour; the dashboard adds the few cases that crossed
a threshold since the last sweep (found through the sweep's partial indexes).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.db import SqliteTrigger, StatementTriggers
from lucun.models import Community

from ..clock import Colour
from ..states import OPEN_STATES, sql_list
from .classification import Category, Tier


class CaseTally(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("村(居)")
    )
    tier = models.ForeignKey(Tier, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    colour = models.CharField(max_length=10, choices=Colour.choices)
    open_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("未办结诉求计数")
        verbose_name_plural = _("未办结诉求计数")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "tier", "category", "first_responder", "colour"], name="casetally_one_row_per_key"
            ),
            models.CheckConstraint(condition=models.Q(open_count__gte=0), name="casetally_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.tier_id}/{self.colour}: {self.open_count}"


# --- The triggers ----------------------------------------------------------------------------------
#
# Written once here for both databases, with the open states taken from ``OPEN_STATES`` (the same the
# dashboard and the case lists count as open). Migration 0008 installs them; SQLite drops a table's
# triggers whenever a migration rebuilds the table, so lucun.db re-creates the SQLite ones after migrate,
# refilling the counts first. When the open states change, add a migration that runs
# ``tally_triggers_install`` again (tests/cases/test_tally.py fails until the database matches).
# Fixed names and enum codes only (no input).

_OPEN = sql_list(OPEN_STATES)
_KEY = ("community_id", "tier_id", "category_id", "first_responder_id", "colour")
_COLUMNS = ", ".join(_KEY)

REFILL = (
    "DELETE FROM cases_casetally",
    f"INSERT INTO cases_casetally ({_COLUMNS}, open_count) SELECT {_COLUMNS}, COUNT(*) "  # noqa: S608
    f"FROM cases_case WHERE state IN {_OPEN} GROUP BY {_COLUMNS}",
)


def _pg_body(selects: str) -> str:
    # The net change per key: decreases update the existing rows (a proposed INSERT with a negative count
    # would trip the non-negative check before ON CONFLICT is considered); increases insert or add.
    match = " AND ".join(f"t.{c} = delta.{c}" for c in _KEY)
    return f"""
    BEGIN
        WITH delta AS (
            SELECT {_COLUMNS}, SUM(d) AS d FROM ({selects}) AS x GROUP BY {_COLUMNS} HAVING SUM(d) <> 0
        ), decreased AS (
            UPDATE cases_casetally AS t SET open_count = t.open_count + delta.d
            FROM delta WHERE delta.d < 0 AND {match}
            RETURNING t.id
        )
        INSERT INTO cases_casetally AS t ({_COLUMNS}, open_count)
        SELECT {_COLUMNS}, d FROM delta WHERE d > 0
        ON CONFLICT ({_COLUMNS}) DO UPDATE SET open_count = t.open_count + EXCLUDED.open_count;
        RETURN NULL;
    END;
    """  # noqa: S608


def postgres_tally_functions() -> dict[str, str]:
    """The PL/pgSQL body of each statement trigger's function, by operation (as pg_proc.prosrc holds it)."""
    old_rows = f"SELECT {_COLUMNS}, -1 AS d FROM old_rows WHERE state IN {_OPEN}"  # noqa: S608
    new_rows = f"SELECT {_COLUMNS}, 1 AS d FROM new_rows WHERE state IN {_OPEN}"  # noqa: S608
    return {
        "insert": _pg_body(new_rows),
        "update": _pg_body(f"{old_rows} UNION ALL {new_rows}"),
        "delete": _pg_body(old_rows),
    }


def _sqlite_add(row: str) -> str:
    values = ", ".join(f"{row}.{c}" for c in _KEY)
    match = " AND ".join(f"{c} = {row}.{c}" for c in _KEY)
    return (
        f"INSERT OR IGNORE INTO cases_casetally ({_COLUMNS}, open_count) SELECT {values}, 0 "  # noqa: S608
        f"WHERE {row}.state IN {_OPEN}; "
        f"UPDATE cases_casetally SET open_count = open_count + 1 WHERE {match} AND {row}.state IN {_OPEN};"
    )


def _sqlite_remove(row: str) -> str:
    match = " AND ".join(f"{c} = {row}.{c}" for c in _KEY)
    return f"UPDATE cases_casetally SET open_count = open_count - 1 WHERE {match} AND {row}.state IN {_OPEN};"  # noqa: S608


def _sqlite_tally_bodies() -> dict[str, tuple[str, str, str]]:
    return {
        "insert": ("AFTER INSERT", "", _sqlite_add("NEW")),
        "update": (
            "AFTER UPDATE OF state, colour, community_id, tier_id, category_id, first_responder_id",
            "",
            f"{_sqlite_remove('OLD')} {_sqlite_add('NEW')}",
        ),
        "delete": ("AFTER DELETE", "", _sqlite_remove("OLD")),
    }


TRIGGERS = StatementTriggers(
    label="open-case tally",
    prefix="cases_tally",
    table="cases_case",
    keeps="cases_casetally",
    refill=REFILL,
    postgres_transition_tables={
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
    },
    postgres_functions=postgres_tally_functions,
    sqlite_bodies=_sqlite_tally_bodies,
)


def sqlite_tally_triggers() -> list[SqliteTrigger]:
    return TRIGGERS.sqlite_triggers()


def tally_triggers_remove(schema_editor) -> None:
    TRIGGERS.remove(schema_editor)


def tally_triggers_install(schema_editor) -> None:
    """(Re-)create the tally's triggers as written here and recount the open cases (a migration's step)."""
    TRIGGERS.install(schema_editor)
