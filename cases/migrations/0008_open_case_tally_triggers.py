"""Keep cases_casetally in step with cases_case in the database itself (see cases/models/tally.py)."""

from django.db import migrations

OPEN = "('registered', 'accepted', 'in_progress', 'paused')"
KEY = "community_id, tier_id, category_id, first_responder_id, colour"


def _pg_function(name: str, selects: str) -> str:
    # The net change per key: decreases update the existing rows (a proposed INSERT with a negative count
    # would trip the non-negative check before ON CONFLICT is considered); increases insert or add.
    match = " AND ".join(f"t.{c.strip()} = delta.{c.strip()}" for c in KEY.split(","))
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        WITH delta AS (
            SELECT {KEY}, SUM(d) AS d FROM ({selects}) AS x GROUP BY {KEY} HAVING SUM(d) <> 0
        ), decreased AS (
            UPDATE cases_casetally AS t SET open_count = t.open_count + delta.d
            FROM delta WHERE delta.d < 0 AND {match}
            RETURNING t.id
        )
        INSERT INTO cases_casetally AS t ({KEY}, open_count)
        SELECT {KEY}, d FROM delta WHERE d > 0
        ON CONFLICT ({KEY}) DO UPDATE SET open_count = t.open_count + EXCLUDED.open_count;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """


OLD_ROWS = f"SELECT {KEY}, -1 AS d FROM old_rows WHERE state IN {OPEN}"
NEW_ROWS = f"SELECT {KEY}, 1 AS d FROM new_rows WHERE state IN {OPEN}"

POSTGRES = [
    _pg_function("cases_tally_on_insert", NEW_ROWS),
    _pg_function("cases_tally_on_update", f"{OLD_ROWS} UNION ALL {NEW_ROWS}"),
    _pg_function("cases_tally_on_delete", OLD_ROWS),
    "CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases_case REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally_on_insert();",
    "CREATE TRIGGER cases_tally_update AFTER UPDATE ON cases_case REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cases_tally_on_update();",
    "CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases_case REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION cases_tally_on_delete();",
]


def _sqlite_add(row: str) -> str:
    values = ", ".join(f"{row}.{c.strip()}" for c in KEY.split(","))
    match = " AND ".join(f"{c.strip()} = {row}.{c.strip()}" for c in KEY.split(","))
    return (
        f"INSERT OR IGNORE INTO cases_casetally ({KEY}, open_count) SELECT {values}, 0 WHERE {row}.state IN {OPEN}; "
        f"UPDATE cases_casetally SET open_count = open_count + 1 WHERE {match} AND {row}.state IN {OPEN};"
    )


def _sqlite_remove(row: str) -> str:
    match = " AND ".join(f"{c.strip()} = {row}.{c.strip()}" for c in KEY.split(","))
    return f"UPDATE cases_casetally SET open_count = open_count - 1 WHERE {match} AND {row}.state IN {OPEN};"


SQLITE = [
    f"CREATE TRIGGER cases_tally_insert AFTER INSERT ON cases_case BEGIN {_sqlite_add('NEW')} END;",
    "CREATE TRIGGER cases_tally_update AFTER UPDATE OF state, colour, community_id, tier_id, category_id, "
    f"first_responder_id ON cases_case BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END;",
    f"CREATE TRIGGER cases_tally_delete AFTER DELETE ON cases_case BEGIN {_sqlite_remove('OLD')} END;",
]

FILL = (
    f"INSERT INTO cases_casetally ({KEY}, open_count) SELECT {KEY}, COUNT(*) FROM cases_case "
    f"WHERE state IN {OPEN} GROUP BY {KEY}"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []
    if not statements:
        raise RuntimeError(f"open-case tally triggers are written for PostgreSQL and SQLite, not {vendor}")
    schema_editor.execute("DELETE FROM cases_casetally")
    schema_editor.execute(FILL)
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name in ("insert", "update", "delete"):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_tally_{name} ON cases_case;")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS cases_tally_on_{name}();")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_tally_{name};")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_open_case_tally")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
