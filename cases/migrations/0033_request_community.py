"""A request's community: the case's, set on every request there is, then kept in step by a trigger on the cases
(see cases/models/approvals.py), and the index the counts of requests waiting read."""

import django.db.models.deletion
from django.db import migrations, models


# Every request's community, from its case (as cases/models/approvals.py's FOLLOW); then the new foreign keys are
# checked at once, as PostgreSQL alters no table with checks pending (the NOT NULL that follows).
FOLLOW = [
    f"UPDATE {table} SET community_id = (SELECT community_id FROM cases_case WHERE id = {table}.case_id)"  # noqa: S608
    for table in ("cases_extensionrequest", "cases_returnrequest")
]


def fill(apps, schema_editor):
    for statement in FOLLOW:
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def forward(apps, schema_editor):
    from cases.models.approvals import COMMUNITY_TRIGGERS

    COMMUNITY_TRIGGERS.install(schema_editor)


def backward(apps, schema_editor):
    from cases.models.approvals import COMMUNITY_TRIGGERS

    COMMUNITY_TRIGGERS.remove(schema_editor)


def _community(null: bool):
    return models.ForeignKey(
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="lucun.community",
        verbose_name="村(居)",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0032_hotline_tally"),
        ("lucun", "0011_notification_recipient_no_own_index"),
    ]

    operations = [
        migrations.AddField(model_name="extensionrequest", name="community", field=_community(True)),
        migrations.AddField(model_name="returnrequest", name="community", field=_community(True)),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(model_name="extensionrequest", name="community", field=_community(False)),
        migrations.AlterField(model_name="returnrequest", name="community", field=_community(False)),
        migrations.AddIndex(
            model_name="extensionrequest",
            index=models.Index(
                condition=models.Q(("decision", "pending")),
                fields=["community", "approver_role", "escalated_at", "requested_by"],
                name="extension_pending_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="returnrequest",
            index=models.Index(
                condition=models.Q(("decision", "pending")),
                fields=["community", "approver_role", "escalated_at", "requested_by"],
                name="return_pending_idx",
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
