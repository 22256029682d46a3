from datetime import timedelta

from django.db import migrations

from lucun.db import append_only

CATEGORIES = [
    ("民生保障", "livelihood", "低保、养老、医疗、补贴领取等"),
    ("基础设施", "infrastructure", "道路破损、路灯、供水、农业用水等"),
    ("产业发展", "industry", "农业生产、集体经济、就业创业等"),
    ("生态环境", "environment", "环境卫生、垃圾清运、绿化维护等"),
    ("矛盾纠纷", "disputes", "邻里纠纷、土地纠纷、家庭矛盾等"),
    ("物业与社区管理", "property", "小区物业服务、电动车充电、停车等"),
]

TIERS = [
    # code, name, rank, time limit, yellow before due, notice after red, first contact within
    ("immediate", "即办", 1, timedelta(hours=24), timedelta(hours=8), timedelta(hours=24), timedelta(hours=2),
     "能办即办:简单问题第一时间解决,最长不超过24小时"),
    ("assigned", "承办", 2, timedelta(days=7), timedelta(hours=48), timedelta(days=3), timedelta(hours=24),
     "分类承办:复杂问题明确责任人,办理时限不超过1周"),
    ("escalated", "特办", 3, timedelta(days=30), timedelta(days=7), timedelta(days=7), timedelta(hours=48),
     "难事特办:超出权限的上报协调,办理时限不超过1个月"),
]

CONDUCT_KINDS = [
    "推诿扯皮", "态度恶劣", "敷衍塞责", "吃拿卡要", "弄虚作假",
    "超期不办", "不作为慢作为", "泄露群众信息", "形式主义走过场", "打击报复反映人",
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Tier = apps.get_model("cases", "Tier")
    ConductKind = apps.get_model("cases", "ConductKind")
    for order, (name, code, description) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "description": description, "sort_order": order})
    for code, name, rank, limit, warn, notice, contact, description in TIERS:
        Tier.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "rank": rank, "time_limit": limit, "warn_before": warn, "notice_after_red": notice,
                "first_contact_limit": contact, "description": description,
            },
        )
    for order, name in enumerate(CONDUCT_KINDS, start=1):
        ConductKind.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        append_only("cases_caseevent"),
    ]
