import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The default pool of callers independent of the cases (回访人员库): the supervisors, then the members of the
# other visit teams; a street edits the rows in the admin.
POOL = [
    ("纪工委督办人员", "role", "supervisor", "街道纪工委、督办人员回访,与办理诉求的干部无关。"),
    ("其他走访队伍队员", "other_team", "", "提出诉求的走访队伍以外的队伍中,可回访该村(居)的队员(如班子成员、机关干部)。"),
]


def seed(apps, schema_editor):
    CallbackPool = apps.get_model("outcomes", "CallbackPool")
    for order, (name, kind, role, description) in enumerate(POOL, start=1):
        CallbackPool.objects.get_or_create(
            name=name, defaults={"kind": kind, "role": role, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0003_survey_sample_team'),
        ('visits', '0004_qr_source_base'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='callback',
            name='assignee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='回访责任人'),
        ),
        migrations.AlterField(
            model_name='callback',
            name='team',
            field=models.ForeignKey(blank=True, help_text='提出该诉求的走访队伍,否则为该村(居)最近轮换的队伍;用于按队伍统计,回访由其他人进行。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='visits.visitteam', verbose_name='走访队伍'),
        ),
        migrations.CreateModel(
            name='CallbackPool',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=30, unique=True, verbose_name='名称')),
                ('description', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                ('kind', models.CharField(choices=[('role', '某一职务的人员'), ('other_team', '其他走访队伍的队员')], max_length=20, verbose_name='人员来源')),
                ('role', models.CharField(blank=True, choices=[('street_leader', '班子成员'), ('street_staff', '机关干部'), ('supervisor', '纪工委/督办'), ('community_cadre', '村居干部'), ('grid_worker', '社区工作者/网格员'), ('unit_head', '单元长/红色楼长'), ('party_rep', '党员代表')], help_text='人员来源为“某一职务的人员”时必填:该职务覆盖诉求所在村(居)的在岗人员。', max_length=30, verbose_name='职务类别')),
            ],
            options={
                'verbose_name': '回访人员库',
                'verbose_name_plural': '回访人员库',
                'ordering': ['sort_order', 'name'],
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'role'), _negated=True), models.Q(('role', ''), _negated=True), _connector='OR'), name='callbackpool_role_named')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
