from django.db import migrations

from lucun.db import append_only


def seed_configuration(apps, schema_editor) -> None:
    from points.defaults import ensure_defaults

    ensure_defaults(apps.get_model("points", "ServiceCorps"), apps.get_model("points", "ServiceType"))
    apps.get_model("points", "PointsPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [
        append_only("points_ledgerentry"),
        migrations.RunPython(seed_configuration, migrations.RunPython.noop),
    ]
