"""Open cases counted by what the dashboard groups and filters on, kept by database triggers.

Every insert, update or delete of a case adjusts the counts in the same transaction, whatever wrote
it (a service, the set-based sweep, a bulk load), so the dashboard reads a few hundred rows instead
of every open case. The counts are by stored colour; the dashboard adds the few cases that crossed
a threshold since the last sweep (found through the sweep's partial indexes).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.models import Community

from .case import Category, Colour, Tier


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


# The SQLite row triggers that keep the tally (PostgreSQL's statement triggers are in migration 0008).
# Declared here too because SQLite drops a table's triggers whenever a migration rebuilds the table;
# lucun.db re-creates them after migrate, refilling the counts first. Fixed names only (no input).
_OPEN = "('registered', 'accepted', 'in_progress', 'paused')"
_KEY = ("community_id", "tier_id", "category_id", "first_responder_id", "colour")


def _sqlite_add(row: str) -> str:
    values = ", ".join(f"{row}.{c}" for c in _KEY)
    match = " AND ".join(f"{c} = {row}.{c}" for c in _KEY)
    return (
        f"INSERT OR IGNORE INTO cases_casetally ({', '.join(_KEY)}, open_count) SELECT {values}, 0 "  # noqa: S608
        f"WHERE {row}.state IN {_OPEN}; "
        f"UPDATE cases_casetally SET open_count = open_count + 1 WHERE {match} AND {row}.state IN {_OPEN};"
    )


def _sqlite_remove(row: str) -> str:
    match = " AND ".join(f"{c} = {row}.{c}" for c in _KEY)
    return f"UPDATE cases_casetally SET open_count = open_count - 1 WHERE {match} AND {row}.state IN {_OPEN};"  # noqa: S608


def sqlite_tally_triggers():
    from lucun.db import SqliteTrigger

    refill = (
        "DELETE FROM cases_casetally",
        f"INSERT INTO cases_casetally ({', '.join(_KEY)}, open_count) SELECT {', '.join(_KEY)}, COUNT(*) "  # noqa: S608
        f"FROM cases_case WHERE state IN {_OPEN} GROUP BY {', '.join(_KEY)}",
    )
    bodies = {
        "insert": ("AFTER INSERT", _sqlite_add("NEW")),
        "update": (
            "AFTER UPDATE OF state, colour, community_id, tier_id, category_id, first_responder_id",
            f"{_sqlite_remove('OLD')} {_sqlite_add('NEW')}",
        ),
        "delete": ("AFTER DELETE", _sqlite_remove("OLD")),
    }
    return [
        SqliteTrigger(
            name=f"cases_tally_{op}",
            table="cases_case",
            sql=f"CREATE TRIGGER cases_tally_{op} {when} ON cases_case BEGIN {body} END;",
            repair=refill,
        )
        for op, (when, body) in bodies.items()
    ]
