"""Database-level guards shared by every app."""

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import connections, migrations, transaction

logger = logging.getLogger(__name__)

_TRIGGER_NAMES = ("{table}_no_update", "{table}_no_delete")


def _forward(table: str):
    def apply(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        quoted = schema_editor.quote_name(table)
        if vendor == "postgresql":
            schema_editor.execute(
                """
                CREATE OR REPLACE FUNCTION lucun_forbid_change() RETURNS trigger AS $$
                BEGIN
                    RAISE EXCEPTION 'append-only table %: % is not allowed', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'integrity_constraint_violation';
                END;
                $$ LANGUAGE plpgsql;
                """,
                params=None,  # the % signs belong to plpgsql, not to the driver
            )
            for name, op in zip(_TRIGGER_NAMES, ("UPDATE", "DELETE"), strict=True):
                schema_editor.execute(_postgresql_guard(name.format(table=table), op, quoted))
        elif vendor == "sqlite":
            for trigger in _sqlite_append_only(table):
                schema_editor.execute(trigger.sql)

    return apply


def _postgresql_guard(name: str, op: str, quoted_table: str) -> str:
    return f"CREATE TRIGGER {name} BEFORE {op} ON {quoted_table} FOR EACH ROW EXECUTE FUNCTION lucun_forbid_change();"


def _backward(table: str):
    def apply(apps, schema_editor) -> None:
        quoted = schema_editor.quote_name(table)
        for name in _TRIGGER_NAMES:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name.format(table=table)} ON {quoted};")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name.format(table=table)};")

    return apply


def append_only(table: str) -> migrations.RunPython:
    """Return a migration operation that makes ``table`` insert-only in the database itself.

    UPDATE and DELETE raise on PostgreSQL and on SQLite, so history cannot be rewritten even by code that
    bypasses the model (queryset.update, queryset.delete, raw SQL); the models refuse both in Python too.
    """
    return migrations.RunPython(_forward(table), _backward(table), elidable=False)


@contextmanager
def append_only_updates_allowed(schema_editor, table: str) -> Iterator[None]:
    """Let the statements inside the block UPDATE ``table``'s rows, in a data migration's transaction only.

    For a migration that must restate stored history in place (an old free-text action becomes its code),
    never for the product: the UPDATE guard is dropped and created again in the same transaction, as the
    tests' flush does with the DELETE guards. Both databases change triggers transactionally, so no other
    connection ever sees the table unguarded: PostgreSQL's DROP TRIGGER locks the table until commit, and
    SQLite lets one writer in at a time.
    """
    connection = schema_editor.connection
    if not connection.in_atomic_block:
        raise RuntimeError("append-only guards are lifted only inside a transaction (an atomic migration)")
    name = _TRIGGER_NAMES[0].format(table=table)
    quoted = schema_editor.quote_name(table)
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quoted};")
        yield
        schema_editor.execute(_postgresql_guard(name, "UPDATE", quoted))
    elif connection.vendor == "sqlite":
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}";')
        yield
        schema_editor.execute(next(t.sql for t in _sqlite_append_only(table) if t.name == name))
    else:
        yield


def _sqlite_append_only(table: str) -> list["SqliteTrigger"]:
    # Unconditional, as on PostgreSQL: nothing a connection can set lets a DELETE through. The test
    # runner empties SQLite tables with DELETE between transactional tests, so the tests' flush (and
    # only it, in tests/conftest.py) drops these guards and re-creates them in the same transaction.
    # PostgreSQL's flush is a TRUNCATE, which row triggers do not see.
    return [
        SqliteTrigger(
            name=name.format(table=table),
            table=table,
            sql=f'CREATE TRIGGER {name.format(table=table)} BEFORE {op} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {op} is not allowed'); END;",
        )
        for name, op in zip(_TRIGGER_NAMES, ("UPDATE", "DELETE"), strict=True)
    ]


# --- Triggers that SQLite must keep -----------------------------------------------------------------
#
# For many ALTERs SQLite's schema editor rebuilds the table (create a copy, move the rows, drop the old
# one, rename), and dropping the old table drops its triggers. PostgreSQL alters in place and keeps
# them. So every trigger the product relies on is declared here and re-created after each migrate.
# A trigger that writes another table is more: renaming the rebuilt copy of that table fails while a trigger
# names it ("error in trigger …: no such table"). So on SQLite those triggers exist only outside migrate:
# set aside before it (``sqlite_triggers_set_aside``), created after it, their tables refilled first.


@dataclass(frozen=True)
class SqliteTrigger:
    name: str
    table: str
    sql: str
    # Statements that bring derived data back in step before the trigger is re-created (a tally the
    # trigger keeps was not kept while it was missing).
    repair: tuple[str, ...] = ()
    # The table the trigger writes ("table"), or the column ("table.column"), if it keeps one. Migrated back to
    # before it, neither it nor the trigger is there, and the trigger is not re-created (its repair would fail).
    keeps: str = ""


_sqlite_triggers: dict[str, SqliteTrigger] = {}


def sqlite_triggers_register(triggers: Iterable[SqliteTrigger]) -> None:
    for trigger in triggers:
        _sqlite_triggers[trigger.name] = trigger


def sqlite_triggers_expected() -> list[SqliteTrigger]:
    """Every trigger SQLite must have: each AppendOnlyModel's UPDATE and DELETE guards, and the registered ones."""
    from .models import AppendOnlyModel

    guards = [
        trigger
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and model._meta.managed
        for trigger in _sqlite_append_only(model._meta.db_table)
    ]
    return [*guards, *_sqlite_triggers.values()]


def sqlite_triggers_set_aside(*, using: str = "default", **kwargs) -> list[str]:
    """Drop the declared triggers that write another table (a pre_migrate receiver); return their names.

    ``sqlite_triggers_ensure`` creates them again after migrate, once it has refilled what they keep.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or not kwargs.get("plan", True):  # a migrate with nothing to apply
        return []
    names = sorted(trigger.name for trigger in _sqlite_triggers.values() if trigger.keeps)
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return names


def _kept(cursor, keeps: str, tables: set[str]) -> bool:
    """Whether what a trigger keeps (a table, or a table's column) is there at the database's migration state."""
    table, _dot, column = keeps.partition(".")
    if table not in tables:
        return False
    if not column:
        return True
    cursor.execute(f"SELECT 1 FROM pragma_table_info('{table}') WHERE name = %s", [column])  # noqa: S608 -- a name
    return cursor.fetchone() is not None


def sqlite_triggers_ensure(*, using: str = "default", **kwargs) -> list[str]:
    """Re-create any declared trigger a table rebuild dropped, or that an earlier version wrote differently (a
    post_migrate receiver); return their names."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    # One transaction: a write between a table's refill and its trigger's creation would be lost to the count.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
        rows = cursor.fetchall()
        tables = {name for kind, name, _sql in rows if kind == "table"}
        existing = {name: sql for kind, name, sql in rows if kind == "trigger"}
        # SQLite keeps a trigger's statement as it was given, without its final semicolon.
        missing = [
            t
            for t in sqlite_triggers_expected()
            if existing.get(t.name) != t.sql.removesuffix(";")
            and t.table in tables
            and (not t.keeps or _kept(cursor, t.keeps, tables))
        ]
        repaired: set[str] = set()
        for trigger in missing:
            for statement in trigger.repair:
                if statement not in repaired:
                    cursor.execute(statement)
                    repaired.add(statement)
        for trigger in missing:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger.name}"')
            cursor.execute(trigger.sql)
    if missing:
        logger.info("re-created SQLite triggers: %s", ", ".join(t.name for t in missing))
    return [t.name for t in missing]


# --- Derived tables kept by triggers on both databases ----------------------------------------------

_STATEMENT_OPERATIONS = ("insert", "update", "delete")


@dataclass(frozen=True, kw_only=True)
class DerivedTableTriggers:
    """The three triggers (insert, update, delete) that keep a derived table in step with ``table``.

    SQLite runs a row trigger ``{prefix}_{op}``, which ``sqlite_triggers_ensure`` re-creates after a table
    rebuild (once the table is refilled); how PostgreSQL runs them, each subclass says. The SQL itself stays
    with the model it keeps; this holds only what installing and removing it has in common.
    """

    label: str  # what the triggers keep, for the error on another database
    prefix: str
    table: str
    keeps: str  # the derived table
    # Empties the derived table and fills it again from ``table``: run before the triggers are (re-)created.
    refill: tuple[str, ...]
    # The same for PostgreSQL, where its SQL differs from SQLite's (date functions); otherwise ``refill``.
    postgres_refill: tuple[str, ...] = ()
    # The PL/pgSQL body of each PostgreSQL function ``{prefix}_on_{op}``, by operation (as pg_proc.prosrc holds it).
    postgres_functions: Callable[[], dict[str, str]]
    # What each SQLite trigger does, by operation: its timing ("AFTER UPDATE OF …"), the WHEN clause that
    # follows the table (or ""), and the statements of its body.
    sqlite_bodies: Callable[[], dict[str, tuple[str, str, str]]]

    def operations(self) -> tuple[str, ...]:
        """The operations with a trigger of their own: insert, update, delete, or fewer."""
        return tuple(self.postgres_functions())

    def fingerprint(self) -> str:
        """A digest of everything PostgreSQL's triggers are installed from, kept as each trigger's comment: a
        database whose triggers an earlier version wrote (or wrote without a comment) is found by it."""
        text = "\n".join([*(self.postgres_refill or self.refill), *self.postgres_statements()])
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def postgres_statements(self) -> list[str]:
        functions = [
            f"CREATE OR REPLACE FUNCTION {self.prefix}_on_{op}() RETURNS trigger AS $${body}$$ LANGUAGE plpgsql;"
            for op, body in self.postgres_functions().items()
        ]
        return [*functions, *self.postgres_triggers()]

    def postgres_triggers(self) -> list[str]:
        raise NotImplementedError

    def sqlite_triggers(self) -> list[SqliteTrigger]:
        return [
            SqliteTrigger(
                name=f"{self.prefix}_{op}",
                table=self.table,
                sql=f"CREATE TRIGGER {self.prefix}_{op} {timing} ON {self.table}{condition} BEGIN {body} END;",
                repair=self.refill,
                keeps=self.keeps,
            )
            for op, (timing, condition, body) in self.sqlite_bodies().items()
        ]

    def remove(self, schema_editor) -> None:
        for op in _STATEMENT_OPERATIONS:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.prefix}_{op} ON {self.table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {self.prefix}_on_{op}();")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.prefix}_{op};")

    def install(self, schema_editor) -> None:
        """(Re-)create the triggers as written and refill the derived table (a migration's step).

        On SQLite only the refill: the triggers are created after migrate (``sqlite_triggers_ensure``), as a
        migration later in the same run that rebuilds the derived table would fail on them.

        The migrations that call this install the triggers as the code stands now, and ``postgres_triggers_ensure``
        brings older databases in step after migrate. A change that makes the triggers name a column a later
        migration adds must first give the earlier migrations a copy of the SQL they installed.
        """
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = self.postgres_statements()
        elif vendor == "sqlite":
            statements = []
        else:
            raise RuntimeError(f"{self.label} triggers are written for PostgreSQL and SQLite, not {vendor}")
        self.remove(schema_editor)
        for statement in (self.postgres_refill if vendor == "postgresql" else ()) or self.refill:
            schema_editor.execute(statement)
        for statement in statements:
            schema_editor.execute(statement, params=None)  # the $$ bodies are not for the driver's parameters
        if vendor == "postgresql":
            fingerprint = self.fingerprint()  # hexadecimal digits only
            for op in self.operations():
                schema_editor.execute(f"COMMENT ON TRIGGER {self.prefix}_{op} ON {self.table} IS '{fingerprint}'")


@dataclass(frozen=True, kw_only=True)
class StatementTriggers(DerivedTableTriggers):
    """PostgreSQL runs one statement trigger per operation, calling its function with the statement's transition
    tables, so a set-based UPDATE of many rows adjusts the derived table once. Transition tables admit no column
    list: every UPDATE of the table runs the trigger."""

    # The REFERENCING clause of each PostgreSQL trigger, by operation.
    postgres_transition_tables: dict[str, str]

    def postgres_triggers(self) -> list[str]:
        return [
            f"CREATE TRIGGER {self.prefix}_{op} AFTER {op.upper()} ON {self.table} "
            f"{self.postgres_transition_tables[op]} FOR EACH STATEMENT EXECUTE FUNCTION {self.prefix}_on_{op}();"
            for op in _STATEMENT_OPERATIONS
        ]


@dataclass(frozen=True, kw_only=True)
class RowTriggers(DerivedTableTriggers):
    """PostgreSQL runs a row trigger too, with SQLite's timing and WHEN clause: for a derived table of a few rows
    of the table, so that an UPDATE naming none of the columns it counts (the sweep's) never runs the trigger,
    and a row it does not count never calls the function. The WHEN clause is written in parentheses, as
    PostgreSQL needs and SQLite accepts."""

    def postgres_triggers(self) -> list[str]:
        return [
            f"CREATE TRIGGER {self.prefix}_{op} {timing} ON {self.table} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION {self.prefix}_on_{op}();"
            for op, (timing, condition, _body) in self.sqlite_bodies().items()
        ]


# --- Every derived table's triggers, as this version writes them -------------------------------------

_derived: dict[str, DerivedTableTriggers] = {}


def derived_triggers_register(*sets: DerivedTableTriggers) -> None:
    """Declare the triggers that keep a derived table: SQLite's are re-created after migrate, and PostgreSQL's are
    brought in step with this version (``postgres_triggers_ensure``)."""
    for triggers in sets:
        _derived[triggers.prefix] = triggers
        sqlite_triggers_register(triggers.sqlite_triggers())


def _postgres_kept(cursor, name: str) -> bool:
    """Whether a table, or a table's column ("table.column"), is there at the database's migration state."""
    table, _dot, column = name.partition(".")
    cursor.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s "
        "AND (%s = '' OR column_name = %s)",
        [table, column, column],
    )
    return cursor.fetchone() is not None


def postgres_triggers_ensure(*, using: str = "default", **kwargs) -> list[str]:
    """Install again, with a refill of what they keep, every derived table's triggers that this version writes
    differently from what the database has (a post_migrate receiver); return their labels.

    A migration installs the triggers as the code stood when it ran: a database migrated before a later change to
    their SQL would otherwise keep the old triggers for good, as nothing migrates a function's body. Each trigger
    carries the fingerprint of what it was installed from (its comment), so one catalogue read finds them.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not _derived:
        return []
    with connection.cursor() as cursor:
        # The triggers of this schema's tables only: a copy of the tables in another schema has its own.
        cursor.execute(
            "SELECT t.tgname, obj_description(t.oid, 'pg_trigger') FROM pg_trigger AS t "
            "JOIN pg_class AS c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
        installed = dict(cursor.fetchall())
        stale = [
            triggers
            for triggers in _derived.values()
            if any(installed.get(f"{triggers.prefix}_{op}") != triggers.fingerprint() for op in triggers.operations())
            and _postgres_kept(cursor, triggers.table)
            and _postgres_kept(cursor, triggers.keeps)
        ]
    for triggers in stale:
        # One transaction each, as a migration's step: the table is locked from the refill to the new triggers.
        with connection.schema_editor(atomic=True) as schema_editor:
            triggers.install(schema_editor)
    if stale:
        logger.warning("installed again as this version writes them: %s triggers", ", ".join(t.label for t in stale))
    return [t.label for t in stale]
