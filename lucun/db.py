"""Database-level guards shared by every app."""

from django.db import migrations

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
                schema_editor.execute(
                    f"CREATE TRIGGER {name.format(table=table)} BEFORE {op} ON {quoted} "
                    "FOR EACH ROW EXECUTE FUNCTION lucun_forbid_change();"
                )
        elif vendor == "sqlite":
            # SQLite gets the UPDATE guard only: Django empties SQLite tables between transactional
            # tests with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see).
            schema_editor.execute(
                f"CREATE TRIGGER {_TRIGGER_NAMES[0].format(table=table)} BEFORE UPDATE ON {quoted} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE is not allowed'); END;"
            )

    return apply


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

    UPDATE and DELETE raise on PostgreSQL (UPDATE on SQLite), so history cannot be rewritten even by
    code that bypasses the model (queryset.update, raw SQL); the models refuse both in Python too.
    """
    return migrations.RunPython(_forward(table), _backward(table), elidable=False)
