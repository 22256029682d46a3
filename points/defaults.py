"""Seeded configuration: the service corps and the 12 kinds of 《志愿服务积分细则》, editable in the admin."""

from decimal import Decimal

CORPS = [
    # (name, description)
    ("环境整治员", "人居环境整治、垃圾分类督导、清洁家园"),
    ("乡风文明员", "移风易俗、文明劝导、好人好事宣传"),
    ("纠纷调解员", "邻里矛盾、家庭纠纷的调解与劝和"),
    ("政策宣传员", "入户宣讲惠民政策、反诈防骗知识"),
    ("治安巡逻员", "夜间巡逻、防火防汛、安全隐患排查"),
    ("关爱帮扶员", "助老助残、关爱留守儿童、上门便民服务"),
]

# (code, name, unit, points per unit, monthly cap per volunteer (None: no cap), evidence required,
#  estimated hours per unit, description)
SERVICE_TYPES = [
    ("policy", "政策宣传", "time", 5, 40, False, Decimal("2.00"), "入户或集中宣讲惠民政策、反诈知识"),
    ("cleanup", "环境整治", "hour", 3, 60, True, Decimal("1.00"), "清理垃圾、整治乱堆乱放、绿化养护"),
    ("mediation", "矛盾调解", "time", 10, 50, True, Decimal("3.00"), "参与调解邻里、家庭纠纷并达成一致"),
    ("civility", "文明劝导", "time", 5, 30, False, Decimal("2.00"), "移风易俗、不文明行为劝导"),
    ("patrol", "治安巡逻", "hour", 2, 40, False, Decimal("1.00"), "夜间巡逻、防火防盗"),
    ("elderly", "助老助残", "hour", 3, 60, False, Decimal("1.00"), "陪伴、代购、打扫等上门帮扶"),
    ("deliberation", "议事协商", "time", 5, 20, False, Decimal("2.00"), "参加大家小家座谈会等议事活动"),
    ("sorting", "垃圾分类督导", "hour", 2, 40, False, Decimal("1.00"), "在投放点值守、指导分类投放"),
    ("convenience", "便民服务", "time", 5, 40, True, Decimal("2.00"), "理发、磨刀、家电维修等便民服务"),
    ("care", "心理疏导与护理保健", "hour", 4, 40, False, Decimal("1.00"), "心理咨询、健康讲座、护理保健"),
    ("emergency", "应急救援", "hour", 4, None, True, Decimal("1.00"), "防汛抗旱、疫情防控、突发事件救援"),
    ("feedback", "民情信息收集", "time", 2, 20, False, Decimal("0.50"), "收集反映群众诉求和社情民意"),
]


def ensure_defaults(corps_model, service_type_model) -> None:
    """Create the seeded corps and service types that are missing; never overwrite an edited row."""
    for order, (name, description) in enumerate(CORPS, start=1):
        corps_model.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order})
    for order, (code, name, unit, points, cap, evidence, hours, description) in enumerate(SERVICE_TYPES, start=1):
        service_type_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "points_per_unit": points,
                "monthly_cap": cap,
                "evidence_required": evidence,
                "hours_per_unit": hours,
                "description": description,
                "sort_order": order,
            },
        )
