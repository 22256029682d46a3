"""Demo cases: a year of 芦湖街道's problems in the seed's proportions.

At scale 1: 730 collected — 398 answered within 24 hours, 230 within a week, 67 within a month,
35 still in progress (some yellow and red now). Mean time to resolve falls over the year.
Rows are bulk-inserted for speed; the result is what the services would have produced.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lucun.demo import DemoContext
from lucun.models import Grid, Position, Role

from . import clock
from .models import Case, CaseCounter, CaseEvent, CaseList, CaseState, Category, Colour, Tier

TITLES = {
    "livelihood": [
        "高龄补贴领取咨询",
        "低保年审材料咨询",
        "医保报销流程咨询",
        "独居老人需要助餐服务",
        "残疾人补贴未到账",
    ],
    "infrastructure": ["村口道路破损", "路灯不亮", "农业用水灌溉渠堵塞", "自来水水压低", "排水沟堵塞", "桥面护栏松动"],
    "industry": ["大棚种植技术指导", "农产品销售渠道", "集体土地流转咨询", "返乡创业贷款咨询"],
    "environment": ["垃圾清运不及时", "河道漂浮物", "绿化带无人维护", "秸秆焚烧隐患", "畜禽养殖异味"],
    "disputes": ["邻里宅基地界线纠纷", "土地承包纠纷", "赡养老人家庭矛盾", "施工噪音扰民"],
    "property": ["小区物业服务差", "电动车充电难", "楼道堆放杂物", "小区停车位不足", "电梯频繁故障"],
}
RESOLUTIONS = {
    "immediate": ("当场答复并协调解决", CaseList.SELF),
    "assigned": ("明确责任人,协调相关单位处理完毕", CaseList.COMMUNITY),
    "escalated": ("上报街道,党政联席会研究后协调解决", CaseList.STREET),
}
# (tier code, how many at scale 1, resolution time range in hours) — the seed's figures.
RESOLVED_PLAN = [("immediate", 398, (0.3, 20)), ("assigned", 230, (26, 160)), ("escalated", 67, (170, 700))]
IN_PROGRESS = 35


def seed(ctx: DemoContext) -> None:
    street = ctx.street
    if Case.objects.filter(street=street).exists():
        ctx.log(f"诉求:已有 {Case.objects.filter(street=street).count()} 件,跳过")
    else:
        with transaction.atomic():
            _seed(ctx)
    from .demo_feedback import seed_feedback

    seed_feedback(ctx)


def _seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    tiers = {t.code: t for t in Tier.objects.all()}
    categories = list(Category.objects.active())
    grids_by_community: dict[int, list[Grid]] = {}
    for grid in Grid.objects.filter(community__in=ctx.communities):
        grids_by_community.setdefault(grid.community_id, []).append(grid)
    handlers_by_community: dict[int, list[int]] = {}
    for position in Position.objects.filter(
        role__in=[Role.COMMUNITY_CADRE, Role.GRID_WORKER],
    ).select_related("grid"):
        community_id = position.community_id or (position.grid.community_id if position.grid_id else None)
        if community_id:
            handlers_by_community.setdefault(community_id, []).append(position.user_id)
    street_staff = [u.pk for name, u in ctx.users.items() if name.startswith(("staff", "leader"))]
    created_by = ctx.users["staff"]

    plans: list[tuple[str, float | None]] = []
    for code, count, (low, high) in RESOLVED_PLAN:
        plans += [(code, rng.uniform(low, high)) for _ in range(count * ctx.scale)]
    plans += [
        (rng.choice(["immediate", "assigned", "assigned", "escalated"]), None) for _ in range(IN_PROGRESS * ctx.scale)
    ]
    rng.shuffle(plans)

    serials: dict[int, int] = {}
    cases: list[Case] = []
    for code, hours in plans:
        tier = tiers[code]
        community = rng.choice(ctx.communities)
        category = rng.choice(categories)
        if hours is None:
            # Still open: opened recently enough that most are on track, some due soon, a few overdue.
            opened = now - rng.uniform(0.05, 1.25) * tier.time_limit
        else:
            age_days = rng.uniform(hours / 24 + 1, 365)
            opened = now - timedelta(days=age_days)
            # Earlier in the year problems took longer: the mean time falls month by month.
            hours *= 0.7 + 1.6 * (age_days / 365)
            hours = min(hours, tier.time_limit.total_seconds() / 3600 * (1.2 if rng.random() < 0.06 else 0.98))
        year = timezone.localtime(opened).year
        serials[year] = serials.get(year, 0) + 1
        due, warn = clock.deadlines(tier, opened)
        demo_login_case = hours is None and rng.random() < 0.4
        if demo_login_case:
            community = ctx.communities[0]  # give the demo logins of 芦湖村 something in "my work"
        handler_pool = handlers_by_community.get(community.pk) or street_staff
        handler_id = rng.choice(handler_pool) if code != "escalated" else rng.choice(street_staff)
        if demo_login_case:
            handler_id = rng.choice([ctx.users["cadre"].pk, ctx.users["grid1_1"].pk])
        first_responder_id = rng.choice(handler_pool + street_staff)
        case = Case(
            street=ctx.street,
            year=year,
            serial=0,
            number="",
            source=rng.choice(["visit", "visit", "visit", "feedback", "walk_in", "phone", "hotline", "meeting"]),
            community=community,
            grid=rng.choice(grids_by_community.get(community.pk) or [None]),
            category=category,
            title=rng.choice(TITLES.get(category.code, ["群众诉求"])),
            description="走访中群众反映的问题,已登记跟进。",
            tier=tier,
            case_list=RESOLUTIONS[code][1],
            first_responder_id=first_responder_id,
            handler_id=handler_id,
            opened_at=opened,
            due_at=due,
            warn_at=warn,
            notice_delay=tier.notice_after_red,
            accepted_at=opened + timedelta(minutes=rng.randint(5, 120)),
            first_contact_at=opened + timedelta(minutes=rng.randint(10, 600)),
            created_by=created_by,
        )
        if hours is None:
            case.state = rng.choice([CaseState.ACCEPTED, CaseState.IN_PROGRESS, CaseState.IN_PROGRESS])
            case.colour = clock.colour_by_dates(due_at=due, warn_at=warn, now=now)
            if case.colour == Colour.RED:
                case.red_since = case.due_at
                case.notice_at = clock.notice_at(case.due_at, tier.notice_after_red)
                case.colour_changed_at = case.due_at
        else:
            resolved = opened + timedelta(hours=hours)
            case.resolved_at = resolved
            case.state = CaseState.CLOSED if now - resolved > timedelta(days=7) else CaseState.RESOLVED
            case.closed_at = resolved + timedelta(days=7) if case.state == CaseState.CLOSED else None
            case.resolution, _list = RESOLUTIONS[code]
            case.public_reply = "您反映的问题已处理,感谢您的监督。"
            if rng.random() < 0.3 and code != "escalated":
                case.case_list = CaseList.SELF if code == "immediate" else CaseList.COMMUNITY
            case.colour = clock.colour_by_dates(due_at=due, warn_at=warn, now=resolved)  # where it stopped
        cases.append(case)

    cases.sort(key=lambda c: c.opened_at)
    counters: dict[int, int] = {
        row["year"]: row["last"] or 0
        for row in CaseCounter.objects.filter(street=ctx.street).values("year").annotate(last=Max("last"))
    }
    for case in cases:
        counters[case.year] = counters.get(case.year, 0) + 1
        case.serial = counters[case.year]
        case.number = f"{ctx.street.code}-{case.year}-{case.serial:06d}"
    Case.objects.bulk_create(cases, batch_size=1000)
    for year, last in counters.items():
        CaseCounter.objects.update_or_create(street=ctx.street, year=year, defaults={"last": last})

    saved = {c.number: c.pk for c in Case.objects.filter(street=ctx.street).only("pk", "number")}
    events: list[CaseEvent] = []
    for case in cases:
        pk = saved[case.number]
        events.append(CaseEvent(case_id=pk, kind=CaseEvent.Kind.OPENED, actor=created_by, at=case.opened_at))
        events.append(
            CaseEvent(case_id=pk, kind=CaseEvent.Kind.ACCEPTED, actor_id=case.handler_id, at=case.accepted_at)
        )
        if case.resolved_at:
            events.append(
                CaseEvent(
                    case_id=pk,
                    kind=CaseEvent.Kind.RESOLVED,
                    actor_id=case.handler_id,
                    at=case.resolved_at,
                    note=case.resolution,
                )
            )
        if case.red_since:
            events.append(
                CaseEvent(
                    case_id=pk,
                    kind=CaseEvent.Kind.TURNED_RED,
                    at=case.red_since,
                    deadline_version=1,
                )
            )
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    open_count = sum(1 for c in cases if c.resolved_at is None)
    colours = {c: sum(1 for x in cases if x.resolved_at is None and x.colour == c) for c in Colour.values}
    ctx.log(
        f"诉求:{len(cases)} 件(办结 {len(cases) - open_count},在办 {open_count}:"
        f"红 {colours['red']} 黄 {colours['yellow']} 绿 {colours['green']})"
    )
