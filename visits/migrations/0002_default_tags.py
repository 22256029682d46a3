from django.db import migrations

DEFAULT_TAGS = [
    # (code, name, sensitive)
    ("elderly_alone", "独居/空巢老人", True),
    ("subsistence", "低保/特困", True),
    ("disability", "残疾", True),
    ("floating", "流动人口/租户", True),
    ("veteran", "退役军人", False),
    ("left_behind_child", "留守儿童", True),
]


def add_tags(apps, schema_editor):
    AttentionTag = apps.get_model("visits", "AttentionTag")
    for order, (code, name, sensitive) in enumerate(DEFAULT_TAGS, start=1):
        AttentionTag.objects.get_or_create(code=code, defaults={"name": name, "sensitive": sensitive, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
