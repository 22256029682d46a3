"""The demo's 党群联系卡 batches per community and team (≈12,000 cards) and 35 意见收集二维码 posters in busy
places, on the channels the feedback demo made; each printed or put up on a working day."""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from lucun import demo_time
from lucun.demo import DemoContext, year_start
from lucun.models import Community

from ..models import ContactCardBatch, DeactivationReason, FeedbackPoint, Household, VisitAssignment, VisitTeam

CARDS_AT_SCALE_1 = 12_000
POSTERS_AT_SCALE_1 = 35

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
    year_ago = year_start(timezone.now())
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
                    created_at=demo_time.next_working(
                        year_ago + timedelta(days=30 * number + rng.randrange(20), hours=9)
                    ),
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
    year_ago = year_start(timezone.now())
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
            created_at=demo_time.next_working(year_ago + timedelta(days=rng.randrange(300), hours=rng.randint(8, 17))),
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
