"""A notification's recipient needs no index of its own: the unique (recipient, dedupe_key) and the lists'
indexes lead with it, and every notice a sweep inserts pays for each index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("lucun", "0010_job_language")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="recipient",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to=settings.AUTH_USER_MODEL,
                verbose_name="接收人",
            ),
        ),
    ]
