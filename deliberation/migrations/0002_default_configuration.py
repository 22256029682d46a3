from django.db import migrations

# 《议事协商规程》: the fixed order of a meeting's steps; editable in the admin afterwards.
STEPS = [
    ("notice", "发布会议通知", "提前公告会议时间、地点和议题范围", ""),
    ("agenda", "确定议题", "把需要协商的诉求列入议程", ""),
    ("participants", "确认参会人员", "群众代表、红色楼长、业委会、物业等各方到会", ""),
    ("discussion", "协商讨论", "逐项讨论,各方充分发表意见", "held"),
    ("decision", "形成决定", "每个议题都作出决定并记录", "decisions"),
    ("publish", "公示结果", "张贴议事结果公示,接受群众监督", ""),
    ("follow_up", "跟进回访", "检查跟进事项的落实情况", ""),
]

CRITERIA = [
    ("为民办事成效", "走访发现问题的解决数量和质量", 30),
    ("议事协商规范", "按《议事协商规程》组织议事的情况", 20),
    ("群众满意度", "群众对村(居)工作的满意程度", 30),
    ("创新与特色", "治理方式的创新和特色亮点", 20),
]


def seed(apps, schema_editor):
    ProcedureStep = apps.get_model("deliberation", "ProcedureStep")
    ContestCriterion = apps.get_model("deliberation", "ContestCriterion")
    for order, (code, name, description, rule) in enumerate(STEPS, start=1):
        ProcedureStep.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order * 10, "rule": rule}
        )
    for order, (name, description, max_score) in enumerate(CRITERIA, start=1):
        ContestCriterion.objects.get_or_create(
            name=name, defaults={"description": description, "max_score": max_score, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
