"""Demo cases: a year of 芦湖街道's problems in the seed's proportions.

At scale 1: 730 collected in the demo's year — 398 answered within 24 hours, 230 within a week, 67 within a
month, 35 still in progress (some yellow and red now). Every case was registered in office hours on a working day
(``lucun.demo_time``); it was accepted, first contacted and resolved in working time too, within its tier's
clock (a few late). Which of the three lists (三张清单) a case belongs to says who solves it, not how fast: the
lists are drawn per tier from ``LIST_MIX``, so a 24-hour case can be 村居共议 and a month-long one 群众自商.
Mean time to resolve falls over the year. Most open cases carry a public title, as an official writes one for
"我也遇到": where and what, no name or door number, so the QR form's suggestion has something to offer. Rows are
bulk-inserted for speed; the result is what the services would have produced.
"""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lucun import demo_time
from lucun.demo import SEED, DemoContext, year_start
from lucun.models import Grid, Position, Role

from . import clock
from .models import Case, CaseCounter, CaseEvent, CaseList, CaseState, Category, Colour, HotlineOrder, Tier

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
# The public titles an official writes for a title ("我也遇到"): the place and the problem, nobody's name or door.
PUBLIC_TITLES = {
    "路灯不亮": ["村口路灯不亮", "文化广场路灯不亮", "3栋楼道灯不亮", "幸福路路灯不亮"],
    "村口道路破损": ["村口道路破损", "村口水泥路坑洼"],
    "排水沟堵塞": ["菜市场后排水沟堵塞", "村口排水沟堵塞"],
    "自来水水压低": ["高层自来水水压低", "东片自来水水压低"],
    "农业用水灌溉渠堵塞": ["南片灌溉渠堵塞"],
    "桥面护栏松动": ["小河桥护栏松动"],
    "垃圾清运不及时": ["菜市场门口垃圾堆积", "垃圾清运不及时", "村口垃圾桶满了没人清"],
    "河道漂浮物": ["村东河道漂浮物多"],
    "绿化带无人维护": ["小区东门绿化带无人维护"],
    "畜禽养殖异味": ["村北养殖场异味大"],
    "秸秆焚烧隐患": ["田边秸秆焚烧"],
    "施工噪音扰民": ["工地夜间施工噪音", "小区旁工地噪音扰民"],
    "小区物业服务差": ["小区物业服务差"],
    "电动车充电难": ["小区电动车充电难"],
    "楼道堆放杂物": ["3栋楼道堆放杂物", "楼道杂物堵住通道"],
    "小区停车位不足": ["小区门口乱停车", "小区停车位不足"],
    "电梯频繁故障": ["5栋电梯频繁故障"],
}
PUBLIC_TITLE_SHARE = 0.75  # of the open cases; the others wait for a title (their text names people)
# Who solved it, by list; a case answered on the spot says so first.
RESOLUTIONS = {
    CaseList.SELF: "引导群众协商,达成一致后自行解决",
    CaseList.COMMUNITY: "村(居)与群众共同商议,协调解决",
    CaseList.STREET: "上报街道统筹,协调相关部门解决",
}
# How a tier's cases fall into the three lists (percent): every tier uses every list, in its own proportions.
LIST_MIX = {
    "immediate": ((CaseList.SELF, 45), (CaseList.COMMUNITY, 45), (CaseList.STREET, 10)),
    "assigned": ((CaseList.SELF, 15), (CaseList.COMMUNITY, 55), (CaseList.STREET, 30)),
    "escalated": ((CaseList.SELF, 5), (CaseList.COMMUNITY, 25), (CaseList.STREET, 70)),
}
# Hours from registration to resolution, per tier: (low, high) a year ago and now. Problems are solved faster as
# the year goes on: the mean time to resolve falls from about four days to about two.
RESOLUTION_HOURS = {
    "immediate": ((2, 20), (0.2, 4)),
    "assigned": ((60, 160), (24, 72)),
    "escalated": ((400, 700), (170, 400)),
}
LATE_SHARE = 0.05  # resolved after the deadline
LATE_CONTACT_SHARE = 0.08  # first contacted after the tier's first-contact limit
IN_PROGRESS_TIERS = ["immediate", "assigned", "assigned", "escalated"]


def seed(ctx: DemoContext) -> None:
    street = ctx.street
    if Case.objects.filter(street=street).exists():
        ctx.log(f"诉求:已有 {Case.objects.filter(street=street).count()} 件,跳过")
    else:
        with transaction.atomic():
            _seed(ctx)
    from .demo_feedback import seed_feedback

    seed_feedback(ctx)


def _lists(rng, code: str, count: int) -> list[str]:
    """``count`` lists for cases of tier ``code``, in the proportions of ``LIST_MIX`` (exactly, then shuffled)."""
    mix = LIST_MIX[code]
    lists = [name for name, share in mix for _ in range(round(count * share / 100))]
    lists = (lists + [mix[1][0]] * count)[:count]
    rng.shuffle(lists)
    return lists


def _hours(start: datetime, hours: float) -> datetime:
    return start + timedelta(hours=hours)


def _resolution(rng, tier: Tier, opened: datetime, now: datetime) -> datetime:
    """When a case of ``tier`` registered at ``opened`` was resolved: in working time, mostly within its clock."""
    limit = tier.time_limit.total_seconds() / 3600
    (early_low, early_high), (late_low, late_high) = RESOLUTION_HOURS[tier.code]
    past = min(1.0, (now - opened).days / 365)  # 1 a year ago, 0 now
    low, high = late_low + (early_low - late_low) * past, late_high + (early_high - late_high) * past
    if rng.random() < LATE_SHARE:
        low, high = limit, limit * 1.25
    resolved = demo_time.draw(rng, _hours(opened, low), _hours(opened, high))
    return resolved or demo_time.next_working(_hours(opened, low))


def _first_contact(rng, tier: Tier, opened: datetime) -> datetime:
    limit = tier.first_contact_limit
    if rng.random() < LATE_CONTACT_SHARE:
        return demo_time.add_working(opened + limit, timedelta(minutes=rng.randint(30, 480)))
    contact = demo_time.draw(rng, opened + timedelta(minutes=10), opened + limit * rng.uniform(0.3, 1.0))
    return contact or demo_time.add_working(opened, timedelta(minutes=10))


def _plans(ctx: DemoContext, tiers: dict[str, Tier], now: datetime) -> list[tuple[str, str, datetime, datetime | None]]:
    """(tier code, list, registered at, resolved at or None) for every demo case, in the seed's numbers."""
    rng, first = ctx.rng, year_start(now) + timedelta(hours=8)
    plans = []
    for code, count in SEED.resolved_by_tier:
        tier = tiers[code]
        for case_list in _lists(rng, code, count * ctx.scale):
            for _attempt in range(20):
                opened = demo_time.draw(rng, first, now - tier.time_limit * 1.3)
                resolved = _resolution(rng, tier, opened, now)
                if resolved < now:
                    break
            plans.append((code, case_list, opened, resolved))
    codes = [rng.choice(IN_PROGRESS_TIERS) for _ in range(SEED.in_progress * ctx.scale)]
    lists = {code: iter(_lists(rng, code, codes.count(code))) for code in sorted(set(codes))}
    for code in codes:
        # Still open: registered recently enough that most are on track, some due soon, a few overdue.
        limit = tiers[code].time_limit
        latest = now - 0.05 * limit
        opened = demo_time.draw(rng, now - 1.25 * limit, latest) or demo_time.previous_working(latest)
        plans.append((code, next(lists[code]), opened, None))
    rng.shuffle(plans)
    return plans


def _public_titles(cases: list[Case]) -> None:
    """Give most open cases a public title. A generator of its own: the demo's other figures stay as they were."""
    rng = random.Random(19)
    for case in cases:
        if case.resolved_at is None and rng.random() < PUBLIC_TITLE_SHARE:
            case.public_title = rng.choice(PUBLIC_TITLES.get(case.title, [case.title]))


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

    cases: list[Case] = []
    for code, case_list, opened, resolved in _plans(ctx, tiers, now):
        tier = tiers[code]
        community = rng.choice(ctx.communities)
        category = rng.choice(categories)
        year = timezone.localtime(opened).year
        due, warn = clock.deadlines(tier, opened)
        demo_login_case = resolved is None and rng.random() < 0.4
        if demo_login_case:
            community = ctx.communities[0]  # give the demo logins of 芦湖村 something in "my work"
        handler_pool = handlers_by_community.get(community.pk) or street_staff
        handler_id = rng.choice(street_staff) if case_list == CaseList.STREET else rng.choice(handler_pool)
        if demo_login_case:
            handler_id = rng.choice([ctx.users["cadre"].pk, ctx.users["grid1_1"].pk])
        first_responder_id = rng.choice(handler_pool + street_staff)
        accepted = demo_time.add_working(opened, timedelta(minutes=rng.randint(5, 90)))
        contact = max(_first_contact(rng, tier, opened), accepted)
        if resolved is not None:
            accepted, contact = min(accepted, resolved), min(contact, resolved)
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
            case_list=case_list,
            first_responder_id=first_responder_id,
            handler_id=handler_id,
            opened_at=opened,
            due_at=due,
            warn_at=warn,
            notice_delay=tier.notice_after_red,
            accepted_at=accepted if accepted <= now else None,
            first_contact_at=contact if contact <= now else None,
            created_by=created_by,
        )
        if resolved is None:
            case.state = rng.choice([CaseState.ACCEPTED, CaseState.IN_PROGRESS, CaseState.IN_PROGRESS])
            if case.accepted_at is None:
                case.state = CaseState.REGISTERED  # came in late in the day: taken up next morning
            case.colour = clock.colour_by_dates(due_at=due, warn_at=warn, now=now)
            if case.colour == Colour.RED:
                case.red_since = case.due_at
                case.notice_at = clock.notice_at(case.due_at, tier.notice_after_red)
                case.colour_changed_at = case.due_at
        else:
            case.resolved_at = resolved
            closed = demo_time.next_working(resolved + timedelta(days=7))
            case.state = CaseState.CLOSED if closed <= now else CaseState.RESOLVED
            case.closed_at = closed if case.state == CaseState.CLOSED else None
            on_the_spot = code == "immediate" and resolved - opened < timedelta(hours=2)
            case.resolution = ("当场答复;" if on_the_spot else "") + RESOLUTIONS[case_list]
            case.public_reply = "您反映的问题已处理,感谢您的监督。"
            case.colour = clock.colour_by_dates(due_at=due, warn_at=warn, now=resolved)  # where it stopped
        cases.append(case)

    _public_titles(cases)
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
        if case.accepted_at:
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
    # The hotline's cases came as 12345 work orders in the platform's export: one order each, accepted when the
    # case was registered. The street has had them for this year only, so the report has no year to compare yet.
    HotlineOrder.objects.bulk_create(
        [
            HotlineOrder(
                street=ctx.street,
                number=f"GD{timezone.localtime(case.opened_at):%Y%m%d}{i:05d}",
                case_id=saved[case.number],
                accepted_at=case.opened_at,
                category_text=case.category.name,
                office=ctx.street.name,
                via=HotlineOrder.Via.UPLOAD,
                imported_by=created_by,
                imported_at=case.opened_at,
            )
            for i, case in enumerate((c for c in cases if c.source == Case.Source.HOTLINE), start=1)
        ],
        batch_size=1000,
    )
    open_count = sum(1 for c in cases if c.resolved_at is None)
    public = sum(1 for c in cases if c.resolved_at is None and c.public_title)
    colours = {c: sum(1 for x in cases if x.resolved_at is None and x.colour == c) for c in Colour.values}
    lists = {name: sum(1 for c in cases if c.case_list == name) for name in CaseList.values}
    ctx.log(
        f"诉求:{len(cases)} 件(办结 {len(cases) - open_count},在办 {open_count}:"
        f"红 {colours['red']} 黄 {colours['yellow']} 绿 {colours['green']});三张清单:群众自商 {lists['self']},"
        f"村居共议 {lists['community']},上级帮办 {lists['street']};在办中 {public} 件有公开标题(我也遇到)"
    )
