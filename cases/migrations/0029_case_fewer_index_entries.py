"""Fewer index entries for each changed case, and room on its page for the new version of the row.

Every update that changes an indexed column (a colour change does: the thresholds follow the colour)
writes a new entry into every index whose condition the row meets. The (street, state, colour) index
served no query and is dropped; cases without a source (entered by hand) leave the source index.
A fillfactor of 80 keeps a fifth of each page of the cases table free, so an updated row's new version
usually stays on its page: a heap-only update when no indexed column changes (accepting, progress,
resolution text), and no extra page read and written when one does.
"""

from django.db import migrations, models

FILLFACTOR = 80


def fillfactor_set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_case SET (fillfactor = {FILLFACTOR})")


def fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0028_transfer_withdrawn")]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_street_state_colour_idx"),
        migrations.RemoveIndex(model_name="case", name="case_source_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("source_type__isnull", False)),
                fields=["source_type", "source_id"],
                name="case_source_idx",
            ),
        ),
        migrations.RunPython(fillfactor_set, fillfactor_reset, elidable=False),
    ]
