from decimal import Decimal

from django.db import migrations

from lucun.db import append_only

# The seven red lines for community party secretaries (七条红线); four measured each quarter, three recorded.
RED_LINES = [
    ("satisfaction", "群众满意度低于60%", "satisfaction_below", Decimal("60"), 10,
     "季度内回访(含匿名群众凭查询码评价)满意率低于阈值;有答复的回访少于最少样本时不判定。"),
    ("red_cases", "诉求多次红色督办", "red_cases_over", Decimal("3"), 0,
     "季度内本村(居)诉求转为红色督办(超期或第二次发回重办)的次数超过阈值。"),
    ("conduct", "发生负面清单作风问题", "violations_over", Decimal("0"), 0,
     "季度内本村(居)记录的负面清单问题(推诿扯皮、态度恶劣等)超过阈值。"),
    ("coverage", "入户走访覆盖率低于30%", "coverage_below", Decimal("30"), 1,
     "季度内至少走访一次的住户占建档住户的比例低于阈值。"),
    ("collective_economy", "村集体经济收入连续两年排名末位", "recorded", Decimal("0"), 0,
     "依据街道经管站年度统计,由纪工委据实记录。"),
    ("stability", "发生重大信访或群体性事件", "recorded", Decimal("0"), 0,
     "因工作失职引发越级访、群体性事件或重大安全事故,由纪工委据实记录。"),
    ("discipline", "违反廉洁纪律受到处分", "recorded", Decimal("0"), 0,
     "受到党纪政务处分或被通报问责,由纪工委据实记录。"),
]


def seed(apps, schema_editor):
    RedLine = apps.get_model("outcomes", "RedLine")
    for order, (code, name, metric, threshold, min_base, description) in enumerate(RED_LINES, start=1):
        RedLine.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "metric": metric,
                "threshold": threshold,
                "min_base": min_base,
                "description": description,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        append_only("outcomes_talentstep"),
    ]
