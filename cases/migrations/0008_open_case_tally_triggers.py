"""Keep cases_casetally in step with cases_case in the database itself (see cases/models/tally.py)."""

from django.db import migrations


def forward(apps, schema_editor):
    from cases.models.tally import tally_triggers_install

    tally_triggers_install(schema_editor)


def backward(apps, schema_editor):
    from cases.models.tally import tally_triggers_remove

    tally_triggers_remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_open_case_tally")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
