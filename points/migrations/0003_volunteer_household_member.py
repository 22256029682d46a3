import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lucun', '0002_auditevent_append_only'),
        ('points', '0002_ledger_append_only_and_defaults'),
        ('visits', '0003_cards'),
    ]

    operations = [
        migrations.AddField(
            model_name='volunteer',
            name='member',
            field=models.OneToOneField(blank=True, help_text='志愿者本人在民情账本中的家庭成员记录,可不关联。', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='volunteer', to='visits.householdmember', verbose_name='家庭成员'),
        ),
        migrations.AddConstraint(
            model_name='volunteer',
            constraint=models.UniqueConstraint(condition=models.Q(('phone', ''), _negated=True), fields=('community', 'name', 'phone'), name='volunteer_unique_name_phone'),
        ),
    ]
