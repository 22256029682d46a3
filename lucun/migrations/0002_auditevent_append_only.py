from django.db import migrations

from lucun.db import append_only


class Migration(migrations.Migration):
    dependencies = [("lucun", "0001_initial")]

    operations = [append_only("lucun_auditevent")]
