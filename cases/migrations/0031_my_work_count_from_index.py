"""My work's count read from the index alone.

An official's open cases are counted within what they may see (their communities, or the cases they first
received), so the count named each case's community and first responder: one heap page per case, which on a
large table is mostly a read from disk. With both columns at the end of the responsible-person index the
count is an index-only scan. Neither column is one the colour sweep writes, so colour changes stay
heap-only updates.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0030_case_alarm"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_responsible_due_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("state__in", ("registered", "accepted", "in_progress", "paused"))),
                fields=["responsible_id", "due_at", "id", "community_id", "first_responder_id"],
                name="case_responsible_due_idx",
            ),
        ),
    ]
