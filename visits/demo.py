"""Demo data for 直面问: 7 teams, a year of rotation, ≈11,050 households with their members, a year of visit logs,
≈12,000 党群联系卡 in batches per community and team, and 35 意见收集二维码 posters in busy places.

Volumes scale with ``ctx.scale``; everything is bulk-created so the seed stays fast, and a second run
adds nothing. Coverage is deliberately imperfect: some slots were missed, some households never
visited, and flagged households are not always seen every month.
"""

import random
import uuid
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from lucun.demo import GIVEN, SURNAMES, DemoContext
from lucun.models import Community

from . import rules, services
from .models import (
    AttentionTag,
    ContactCardBatch,
    DeactivationReason,
    FeedbackPoint,
    Household,
    HouseholdMember,
    VisitAssignment,
    VisitCycle,
    VisitLog,
    VisitRequest,
    VisitTeam,
    VisitTeamMember,
)

HOUSEHOLDS_AT_SCALE_1 = 11_050
CARDS_AT_SCALE_1 = 12_000
POSTERS_AT_SCALE_1 = 35
CYCLES = 13  # 13 four-week cycles: a year
NUMERALS = "一二三四五六七八九十"
Kind = VisitTeamMember.Kind

FAMILY_NOTES = [
    "家中{n}口人,身体都还好。",
    "老人常年在家,子女在外务工。",
    "家里种了十几亩地,今年收成不错。",
    "户主患慢性病,按时服药。",
    "孩子在县城上学,周末回家。",
    "刚翻修了房子,生活稳定。",
    "家中有老人行动不便,需要多关心。",
    "在附近企业上班,收入稳定。",
]
REQUESTS = [
    "小区物业服务不到位,楼道卫生没人打扫",
    "农业用水不方便,希望修一下灌溉渠",
    "补贴领取流程不清楚,想问问怎么办",
    "村口道路破损,下雨天积水",
    "路灯坏了,晚上出行不安全",
    "希望增加公交班次",
    "垃圾清运不及时",
    "邻里之间因为宅基地有纠纷",
    "想咨询医保报销政策",
    "老人想办理高龄补贴",
    "下水道堵塞,反映多次未解决",
    "希望小区增加健身器材",
]
SUGGESTIONS = ["希望多组织文化活动", "建议在广场增加座椅", "希望干部常来看看", ""]
ANSWERS = ["已当场讲解政策", "已联系网格员跟进", "已帮忙预约办理", ""]


def _teams(ctx: DemoContext) -> list[VisitTeam]:
    users = ctx.users
    teams = []
    for i in range(1, 8):
        leader = users["leader" if i == 1 else f"leader{i}"]
        team, _ = VisitTeam.objects.get_or_create(
            street=ctx.street, name=f"第{NUMERALS[i - 1]}走访队", defaults={"leader": leader, "sort_order": i}
        )
        teams.append(team)
        # The sixth team has no newcomer, so the team page shows a 新老搭配 warning.
        all_veterans = i == 6
        a, b = 2 * i - 1, 2 * i
        members = [
            (leader, Kind.STREET_LEADER, False),
            (users["staff" if a == 1 else f"staff{a}"], Kind.STREET_STAFF, not all_veterans),
            (users[f"staff{b}"], Kind.STREET_STAFF, False),
            (users[f"cadre{a}b"], Kind.COMMUNITY_CADRE, False),
            (users[f"cadre{b}b"], Kind.COMMUNITY_CADRE, not all_veterans),
            (users[f"partyrep{a}"], Kind.GRASSROOTS, not all_veterans),
            (users[f"grid{b}_1"], Kind.GRASSROOTS, False),
        ]
        for user, kind, newcomer in members:
            VisitTeamMember.objects.get_or_create(
                team=team, user=user, defaults={"kind": kind, "is_newcomer": newcomer}
            )
    return teams


def _sizes(ctx: DemoContext, communities: list[Community]) -> list[int]:
    total = HOUSEHOLDS_AT_SCALE_1 * ctx.scale
    weights = [
        (1.6 if c.kind == Community.Kind.NEIGHBOURHOOD else 1.0) * ctx.rng.uniform(0.8, 1.2) for c in communities
    ]
    sizes = [int(total * w / sum(weights)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def _households(ctx: DemoContext, tags: list[AttentionTag]) -> list[Household]:
    rng = ctx.rng
    households: list[Household] = []
    tag_choices: list[list[AttentionTag]] = []
    tag_weights = [5, 4, 3, 3, 2, 2][: len(tags)]
    for community, size in zip(ctx.communities, _sizes(ctx, ctx.communities), strict=True):
        grids = list(community.grids.order_by("sort_order"))
        neighbourhood = community.kind == Community.Kind.NEIGHBOURHOOD
        groups = max(4, size // 80)
        for n in range(size):
            if neighbourhood:
                grid = grids[n % len(grids)]
                per_estate = n // len(grids)
                parts = {
                    "estate": grid.name,
                    "building": str(per_estate // 36 + 1),
                    "unit": str(per_estate // 12 % 3 + 1),
                    "room": f"{per_estate % 6 + 1}0{per_estate // 6 % 2 + 1}",
                }
            else:
                group = n % groups
                grid = grids[group % len(grids)]
                parts = {"group": f"{_numeral(group + 1)}组", "door_number": str(n // groups + 1)}
            flagged = rng.random() < 0.12
            chosen = rng.choices(tags, weights=tag_weights, k=rng.choice([1, 1, 2])) if flagged and tags else []
            level = Household.AttentionLevel.ORDINARY
            if chosen:
                level = Household.AttentionLevel.BIWEEKLY if rng.random() < 0.1 else Household.AttentionLevel.MONTHLY
            head = ctx.random_name()
            address = rules.household_address(**parts)
            households.append(
                Household(
                    community=community,
                    grid=grid,
                    head_name=head,
                    phone=ctx.random_phone() if rng.random() < 0.9 else "",
                    people_count=rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6]),
                    attention_level=level,
                    address=address,
                    search_key=rules.household_search_key(head_name=head, address=address),
                    **parts,
                )
            )
            tag_choices.append(list({t.pk: t for t in chosen}.values()))
    Household.objects.bulk_create(households, batch_size=1000)
    _insert_pairs(
        Household.tags.through,
        ("household_id", "attentiontag_id"),
        [(h.pk, t.pk) for h, chosen in zip(households, tag_choices, strict=True) for t in chosen],
    )
    return households


# (relation, years born after the head: low, high); the head comes first, then the spouse, then the rest in turn
FAMILY = [("配偶", -4, 4), ("子女", 20, 32), ("子女", 22, 36), ("父母", -32, -22), ("孙子女", 44, 60)]


def _members(ctx: DemoContext, households: list[Household]) -> int:
    """Add each household's members (户主 first, as in a 户口本), as many as its ``people_count``.

    A stream of its own, so the households, visits and the apps seeded later keep their random data.
    """
    rng = random.Random(f"{ctx.street.code}-members")
    this_year = timezone.localdate().year
    rows = []
    for household in households:
        surname = household.head_name[0]
        head_born = rng.randint(this_year - 85, this_year - 30)
        head = HouseholdMember(household=household, name=household.head_name, relation="户主", birth_year=head_born)
        rows.append(head)
        for relation, low, high in FAMILY[: household.people_count - 1]:
            too_old, too_young = (
                relation == "父母" and head_born < this_year - 55,
                relation == "孙子女" and head_born > this_year - 60,
            )
            if too_old or too_young:
                relation, low, high = "子女", 24, 38
            born = min(head_born + rng.randint(low, high), this_year)
            given = rng.choice(GIVEN)
            name = rng.choice(SURNAMES) + given if relation in ("配偶", "父母") else surname + given
            rows.append(HouseholdMember(household=household, name=name, relation=relation, birth_year=born))
    HouseholdMember.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _insert_pairs(through, columns: tuple[str, str], pairs: list[tuple[int, int]]) -> None:
    """Insert many rows of a two-column link table with one prepared statement (the ORM is slow here)."""
    table = connection.ops.quote_name(through._meta.db_table)
    names = ", ".join(connection.ops.quote_name(through._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES (%s, %s)", pairs)  # noqa: S608 - fixed names


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    return ("" if n < 20 else NUMERALS[n // 10 - 1]) + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")


def _visits(ctx: DemoContext, households: list[Household], teams: list[VisitTeam]) -> tuple[int, int]:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    by_community: dict[int, list[Household]] = {}
    for h in households:
        by_community.setdefault(h.community_id, []).append(h)
    members = {t.pk: [m.user_id for m in t.members.all()] for t in teams}
    cadres = {
        c.pk: [u.pk for name, u in ctx.users.items() if name in (_cadre_name(i), f"cadre{i}b")]
        for i, c in enumerate(ctx.communities, start=1)
    }
    rates = {c.pk: rng.uniform(0.08, 0.22) for c in ctx.communities}
    seen: set[int] = set()
    logs: list[VisitLog] = []
    visitors: list[tuple[int, list[int]]] = []
    requests: list[tuple[int, str, bool]] = []

    def add(household: Household, team_id: int | None, day, crew: list[int], method: str) -> None:
        at = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45]))), tz)
        met = VisitLog.Met.HEAD
        if method == VisitLog.Method.HOME:
            met = rng.choices(list(VisitLog.Met.values), weights=[80, 15, 5])[0]
        index = len(logs)
        logs.append(
            VisitLog(
                household=household,
                community_id=household.community_id,
                team_id=team_id,
                visited_at=at,
                method=method,
                met=met,
                family_note=rng.choice(FAMILY_NOTES).format(n=household.people_count) if met != "nobody" else "",
                suggestions=rng.choice(SUGGESTIONS) if rng.random() < 0.2 else "",
                answered_on_spot=rng.choice(ANSWERS) if rng.random() < 0.1 else "",
                duration_minutes=rng.randint(10, 40),
                idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_by_id=crew[0],
            )
        )
        visitors.append((index, crew))
        if met != "nobody" and rng.random() < 0.035:
            requests.append((index, rng.choice(REQUESTS), rng.random() < 0.55))
        seen.add(household.pk)

    cycles = VisitCycle.objects.filter(street=ctx.street, starts_on__lt=today).prefetch_related("assignments")
    for cycle in cycles.order_by("starts_on"):
        for line in cycle.assignments.all():
            last_day = min(line.ends_on, today - timedelta(days=1))
            if last_day < line.starts_on or (line.ends_on < today and rng.random() < 0.06):
                continue  # not started yet, or missed: the plan page shows it in red
            days = (last_day - line.starts_on).days + 1
            share = days / (line.ends_on - line.starts_on).days if line.ends_on >= today else 1
            rate = rates[line.community_id]
            crew_pool = members[line.team_id]
            for h in by_community[line.community_id]:
                if h.attention_level != Household.AttentionLevel.ORDINARY:
                    p = 0.65
                elif h.pk in seen:
                    p = rate * 0.5
                else:
                    p = rate * 1.8
                if rng.random() < p * share:
                    day = line.starts_on + timedelta(days=rng.randrange(days))
                    crew = rng.sample(crew_pool, k=min(len(crew_pool), rng.choice([2, 2, 3])))
                    method = rng.choices(list(VisitLog.Method.values), weights=[85, 10, 5])[0]
                    add(h, line.team_id, day, crew, method)
        # Between team visits the community cadres phone or drop in on flagged households.
        for community in ctx.communities:
            for h in by_community[community.pk]:
                if h.attention_level != Household.AttentionLevel.ORDINARY and rng.random() < 0.35:
                    day = cycle.starts_on + timedelta(days=rng.randrange(28))
                    if day < today and len(cadres[community.pk]) >= 2:
                        add(h, None, day, cadres[community.pk], rng.choice(["phone", "home"]))

    VisitLog.objects.bulk_create(logs, batch_size=2000)
    _insert_pairs(
        VisitLog.visitors.through, ("visitlog_id", "user_id"), [(logs[i].pk, u) for i, crew in visitors for u in crew]
    )
    VisitRequest.objects.bulk_create(
        [
            VisitRequest(
                log=logs[i],
                household_id=logs[i].household_id,
                community_id=logs[i].community_id,
                text=text,
                status=VisitRequest.Status.ANSWERED if answered else VisitRequest.Status.OPEN,
            )
            for i, text, answered in requests
        ],
        batch_size=2000,
    )
    latest = VisitLog.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    Household.objects.filter(community__street=ctx.street).update(last_visited_at=Subquery(latest))
    return len(logs), len(requests)


def _cadre_name(index: int) -> str:
    return "cadre" if index == 1 else f"cadre{index}"


def seed(ctx: DemoContext) -> None:
    """Add the visits demo to the street in ``ctx``; a second run adds nothing."""
    _seed_visits(ctx)
    seed_cards(ctx)


def _seed_visits(ctx: DemoContext) -> None:
    with transaction.atomic():
        teams = _teams(ctx)
        if not VisitCycle.objects.filter(street=ctx.street).exists():
            this_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
            # Today falls in the second week of cycle 12 of 13: a year of rotation, most of it past.
            start = this_monday - timedelta(days=28 * 11 + 7)
            services.cycle_plan_build(actor=None, street=ctx.street, starts_on=start, cycles=CYCLES)
        if Household.objects.filter(community__street=ctx.street).exists():
            ctx.log("直面问:已有演示住户,跳过。")
            return
        tags = list(AttentionTag.objects.order_by("sort_order"))
        households = _households(ctx, tags)
        members = _members(ctx, households)
        teams = list(VisitTeam.objects.filter(pk__in=[t.pk for t in teams]).prefetch_related("members"))
        log_count, request_count = _visits(ctx, households, teams)
    ctx.log(
        f"直面问:{len(teams)} 支走访队伍,{CYCLES} 轮走访安排,{len(households)} 户({members} 名家庭成员),"
        f"{log_count} 条民情日志,{request_count} 条走访诉求"
    )


# ------------------------------------------------------------------------------------- cards and posters

VILLAGE_PLACES = [
    ("文化广场", FeedbackPoint.Place.SQUARE),
    ("党群服务中心", FeedbackPoint.Place.SERVICE_CENTRE),
    ("便民超市门口", FeedbackPoint.Place.SHOP),
    ("健身广场", FeedbackPoint.Place.SQUARE),
    ("村委会公告栏", FeedbackPoint.Place.NOTICE_BOARD),
    ("卫生室门口", FeedbackPoint.Place.CLINIC),
    ("村口大槐树下", FeedbackPoint.Place.GATE),
    ("农贸集市入口", FeedbackPoint.Place.SHOP),
]
NEIGHBOURHOOD_PLACES = [
    ("小区南门", FeedbackPoint.Place.GATE),
    ("党群服务中心", FeedbackPoint.Place.SERVICE_CENTRE),
    ("文化广场", FeedbackPoint.Place.SQUARE),
    ("小区北门", FeedbackPoint.Place.GATE),
    ("物业服务中心", FeedbackPoint.Place.SERVICE_CENTRE),
    ("社区卫生服务站", FeedbackPoint.Place.CLINIC),
    ("菜市场入口", FeedbackPoint.Place.SHOP),
]
URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def seed_cards(ctx: DemoContext) -> None:
    """Card batches per community and team and the posters, reusing the channels of the feedback demo.

    The cases app seeds before this one; its feedback demo makes the channels its messages arrive through
    (a poster per community, two card batches in six communities), and the batches and posters take those
    channels instead of duplicating them.
    """
    from cases.models import FeedbackChannel

    if ContactCardBatch.objects.filter(community__street=ctx.street).exists():
        ctx.log("联系卡与二维码:已有演示数据,跳过。")
        return
    # A stream of its own: the cards do not shift the random data of the apps seeded after this one.
    rng = random.Random(f"{ctx.street.code}-cards")
    channels = list(
        FeedbackChannel.objects.filter(street=ctx.street, kind__in=["card_batch", "poster"]).order_by(
            "created_at", "pk"
        )
    )
    with transaction.atomic():
        batches = _card_batches(ctx, rng, [c for c in channels if c.kind == "card_batch"])
        points = _posters(ctx, rng, [c for c in channels if c.kind == "poster"])
    lost = sum(1 for b in batches if not b.is_active)
    ctx.log(
        f"联系卡与二维码:{len(batches)} 批联系卡共 {sum(b.quantity for b in batches)} 张(停用 {lost} 批),"
        f"{len(points)} 处意见收集二维码"
    )


def _token(rng: random.Random) -> str:
    return "".join(rng.choice(URLSAFE) for _ in range(16))


def _card_batches(ctx: DemoContext, rng: random.Random, existing) -> list[ContactCardBatch]:
    from cases.models import FeedbackChannel

    street = ctx.street
    households = dict(
        Household.objects.filter(community__street=street)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    total_households = sum(households.values()) or 1
    cards_total = CARDS_AT_SCALE_1 * ctx.scale
    assignments: dict[int, list[int]] = {}
    for community_id, team_id in (
        VisitAssignment.objects.filter(cycle__street=street).order_by("starts_on").values_list("community", "team")
    ):
        assignments.setdefault(community_id, []).append(team_id)
    fallback_team = VisitTeam.objects.filter(street=street).order_by("sort_order").first()
    by_community: dict[int, list] = {}
    for channel in existing:
        by_community.setdefault(channel.community_id, []).append(channel)
    year_ago = timezone.now() - timedelta(days=365)
    new_channels: list = []
    plans: list[tuple[Community, int, object, int]] = []  # (community, number, channel or None, quantity)
    shares = [cards_total * households.get(c.pk, 0) // total_households for c in ctx.communities]
    shares[0] += cards_total - sum(shares)  # the rounding remainder: the printed total is exact
    for community, share in zip(ctx.communities, shares, strict=True):
        channels = by_community.get(community.pk, [])
        count = max(len(channels), 1 + (rng.random() < 0.4))
        quantities = [share // count] * count
        quantities[-1] += share - sum(quantities)
        for number in range(1, count + 1):
            channel = channels[number - 1] if number <= len(channels) else None
            if channel is None:
                channel = FeedbackChannel(
                    token=_token(rng),
                    kind=FeedbackChannel.Kind.CARD_BATCH,
                    street=street,
                    community=community,
                    label=f"{community.name} 联系卡第{number}批",
                    created_at=year_ago + timedelta(days=30 * number + rng.randrange(20)),
                )
                new_channels.append(channel)
            plans.append((community, number, channel, max(1, quantities[number - 1])))
    FeedbackChannel.objects.bulk_create(new_channels)
    rows: list[ContactCardBatch] = []
    for community, number, channel, quantity in plans:
        index = ctx.communities.index(community) + 1
        cadre = ctx.users.get("cadre" if index == 1 else f"cadre{index}")
        teams = assignments.get(community.pk) or [fallback_team.pk]
        inactive = not channel.is_active
        rows.append(
            ContactCardBatch(
                community=community,
                team_id=teams[min((number - 1) * 4, len(teams) - 1)],  # a later batch: a later round's team
                number=number,
                quantity=quantity,
                contact_name=cadre.real_name if cadre else ctx.random_name(),
                contact_phone=cadre.phone if cadre and cadre.phone else ctx.random_phone(),
                contact_wechat=f"luhu_{cadre.username}" if cadre else "",
                hotline=street.hotline,
                channel=channel,
                is_active=not inactive,
                deactivated_at=channel.deactivated_at if inactive else None,
                deactivation_reason=DeactivationReason.LOST if inactive else "",
            )
        )
    ContactCardBatch.objects.bulk_create(rows)
    for row in rows:
        row.created_at = row.channel.created_at
    ContactCardBatch.objects.bulk_update(rows, ["created_at"])
    return rows


def _posters(ctx: DemoContext, rng: random.Random, existing) -> list[FeedbackPoint]:
    from cases.models import FeedbackChannel

    if FeedbackPoint.objects.filter(community__street=ctx.street).exists():
        return []
    by_community = {c.pk: c for c in ctx.communities}
    rows: list[FeedbackPoint] = []
    used: dict[int, set[str]] = {c.pk: set() for c in ctx.communities}

    def places(community: Community):
        return NEIGHBOURHOOD_PLACES if community.kind == Community.Kind.NEIGHBOURHOOD else VILLAGE_PLACES

    # The feedback demo's poster channels are labelled "<community><place>": they become the first posters.
    for channel in existing:
        community = by_community.get(channel.community_id)
        if community is None:
            continue
        name = channel.label.removeprefix(community.name) or channel.label
        kind = dict(VILLAGE_PLACES + NEIGHBOURHOOD_PLACES).get(name, FeedbackPoint.Place.OTHER)
        used[community.pk].add(name)
        rows.append(FeedbackPoint(community=community, name=name, place=kind, channel=channel))
    wanted = POSTERS_AT_SCALE_1 * ctx.scale
    new_channels: list = []
    year_ago = timezone.now() - timedelta(days=365)
    turn = 0
    while len(rows) < wanted and turn < wanted * 4:
        community = ctx.communities[turn % len(ctx.communities)]
        turn += 1
        free = [p for p in places(community) if p[0] not in used[community.pk]]
        if turn > len(ctx.communities) * 4 or not free:
            free = [(f"{p[0]}{turn}号", p[1]) for p in places(community)]
        name, kind = rng.choice(free)
        used[community.pk].add(name)
        channel = FeedbackChannel(
            token=_token(rng),
            kind=FeedbackChannel.Kind.POSTER,
            street=ctx.street,
            community=community,
            label=f"{community.name}{name}",
            created_at=year_ago + timedelta(days=rng.randrange(300)),
        )
        new_channels.append(channel)
        rows.append(FeedbackPoint(community=community, name=name, place=kind, channel=channel))
    FeedbackChannel.objects.bulk_create(new_channels)
    for row in rows:
        row.channel_id = row.channel.pk
    FeedbackPoint.objects.bulk_create(rows)
    for row in rows:
        row.created_at = row.channel.created_at
    FeedbackPoint.objects.bulk_update(rows, ["created_at"])
    return rows
