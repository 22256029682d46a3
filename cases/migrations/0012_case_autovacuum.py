"""Vacuum and analyse the cases table after thousands of changed rows, not a fifth of the table.

Each sweep moves a few cases; their old entries stay in the threshold indexes (yellow_at, red_at) until
the table is vacuumed, and the dashboard's count of crossed cases visits every one of them. With the
default (20% of the table) a county's million cases would wait for 200,000 changes; and the planner's
view of the thresholds, which decides whether those indexes are used at all, would age as long.
"""

from django.db import migrations

SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, "
    "autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_case SET ({SETTINGS})")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE cases_case RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
            "autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)"
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_colour_thresholds")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
