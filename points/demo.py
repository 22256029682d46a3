"""Demo data: 2,400 volunteers on the books (× scale; about 100 more have left) in service corps, a year of claims
and quarterly redemptions.

Everything is inserted in bulk, after simulating each volunteer's year in time order, so every balance
equals the sum of its ledger and no running balance ever dips below zero. Volunteers serve on any day (a Saturday
clean-up); officials register, approve and redeem in office hours on working days, and volunteers submit their
own claims between 07:00 and 22:00 (``lucun.demo_time``).
"""

import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lucun import demo_time
from lucun.demo import SEED, DemoContext
from lucun.demo_time import RESIDENT
from visits.models import HouseholdMember

from .defaults import ensure_defaults
from .models import (
    ClaimBatch,
    LedgerEntry,
    PointsAccount,
    PointsPolicy,
    Redemption,
    RedemptionLine,
    Reward,
    ServiceClaim,
    ServiceCorps,
    ServiceType,
    Volunteer,
    new_token,
)
from .periods import quarter_of, shift_quarter
from .selectors import quarter_windows

VOLUNTEERS_PER_SCALE = SEED.volunteers
LEFT_SHARE = 0.04
BATCH = 2000
# The share of volunteers registered as themselves in the household ledger (where their community has households).
MEMBER_SHARE = 0.35

# (name, kind, price, stock (None: unlimited), market value in yuan)
CATALOGUE = [
    ("毛巾", "goods", 10, 200, "8.00"),
    ("牙膏", "goods", 15, 200, "10.00"),
    ("挂面 2 斤", "goods", 20, 300, "12.00"),
    ("洗衣液", "goods", 30, 200, "22.00"),
    ("大米 5 斤", "goods", 50, 200, "25.00"),
    ("花生油 1.8 升", "goods", 80, 120, "45.00"),
    ("理发", "service", 10, None, "15.00"),
    ("磨刀", "service", 5, None, "5.00"),
    ("家电维修(上门)", "service", 40, None, "50.00"),
]
# Relative number of volunteers per community; 赵店村 runs the busiest points shop.
WEIGHTS = {"赵店村": 2.0, "芦湖村": 1.4, "雍翠园社区": 1.3, "上林苑社区": 1.2}


def _aware(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def seed(ctx: DemoContext) -> None:
    started = time.monotonic()
    ensure_defaults(ServiceCorps, ServiceType)
    policy = PointsPolicy.current()
    if Volunteer.objects.filter(community__in=ctx.communities).exists():
        ctx.log("积分:演示志愿者已存在,跳过。")
        return
    with transaction.atomic():
        stats = _seed(ctx, policy)
    seconds = time.monotonic() - started
    ctx.log(
        "积分:{volunteers} 名志愿者(其中 {linked} 名关联民情账本家庭成员),{claims} 条服务申报,"
        "{redemptions} 笔兑换,{entries} 条积分流水({seconds:.1f} 秒)".format(seconds=seconds, **stats)
    )


def _seed(ctx: DemoContext, policy: PointsPolicy) -> dict[str, int]:
    rng = ctx.rng
    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    corps = list(ServiceCorps.objects.active().order_by("sort_order"))
    types = list(ServiceType.objects.active().order_by("sort_order"))
    cadre_for = {c.pk: ctx.users.get("cadre" if i == 1 else f"cadre{i}") for i, c in enumerate(ctx.communities, 1)}
    staff_for = {c.pk: ctx.users.get(f"grid{i}_1") for i, c in enumerate(ctx.communities, 1)}

    # --- the shops ----------------------------------------------------------------------------------------
    rewards = []
    for community in ctx.communities:
        shop = "电力爱心超市" if community.name == "赵店村" else f"{community.name}积分超市"
        for order, (name, kind, price, stock, value) in enumerate(CATALOGUE):
            rewards.append(
                Reward(
                    community=community,
                    shop_name=shop,
                    name=name,
                    kind=kind,
                    price_points=price,
                    stock=None if stock is None else stock * ctx.scale,
                    market_value_yuan=value,
                    sort_order=order,
                )
            )
    Reward.objects.bulk_create(rewards, batch_size=BATCH)
    rewards = list(Reward.objects.filter(community__in=ctx.communities).order_by("price_points"))
    shop_of: dict[int, list[Reward]] = defaultdict(list)
    for reward in rewards:
        shop_of[reward.community_id].append(reward)
    stock_left = {r.pk: r.stock for r in rewards}

    # --- volunteers ----------------------------------------------------------------------------------------
    # The seed's 2,400 are those on the books now; a few more joined and have since left (inactive).
    active = VOLUNTEERS_PER_SCALE * ctx.scale
    flags = [True] * active + [False] * round(active * LEFT_SHARE)
    rng.shuffle(flags)
    total = len(flags)
    weights = [WEIGHTS.get(c.name, 1.0) for c in ctx.communities]
    share = [round(total * w / sum(weights)) for w in weights]
    share[0] += total - sum(share)
    now = timezone.now()
    volunteers = []
    still = iter(flags)
    for community, count in zip(ctx.communities, share, strict=True):
        for _ in range(count):
            joined = demo_time.next_working_day(today - timedelta(days=rng.randint(30, 3 * 365)))
            registered = demo_time.on_day(rng, joined)
            volunteers.append(
                Volunteer(
                    community=community,
                    name=ctx.random_name(),
                    phone=ctx.random_phone() if rng.random() < 0.85 else "",
                    joined_on=joined,
                    active=next(still),
                    token=new_token(),
                    token_issued_at=registered,
                    created_at=registered,
                )
            )
    linked = _link_members(ctx, volunteers)
    Volunteer.objects.bulk_create(volunteers, batch_size=BATCH)
    volunteers = list(Volunteer.objects.filter(community__in=ctx.communities).order_by("pk"))
    Membership = Volunteer.corps.through
    Membership.objects.bulk_create(
        [
            Membership(volunteer_id=v.pk, servicecorps_id=c.pk)
            for v in volunteers
            for c in rng.sample(corps, rng.choice((1, 1, 1, 2)))
        ],
        batch_size=BATCH,
    )

    # --- activities with bulk claims (大家小家 meetings, clean-ups) -----------------------------------------------
    by_community: dict[int, list[Volunteer]] = defaultdict(list)
    for v in volunteers:
        if v.active:
            by_community[v.community_id].append(v)
    meeting = (
        next(t for t in types if t.code == "deliberation") if any(t.code == "deliberation" for t in types) else types[0]
    )
    cleanup = next((t for t in types if t.code == "cleanup"), types[0])
    batches, batch_attendees = [], []
    for community in ctx.communities:
        for month_back in (2, 5, 8, 11):
            day = today - timedelta(days=30 * month_back + rng.randint(0, 20))
            service_type = meeting if month_back % 2 == 0 else cleanup
            if service_type == meeting:
                day = demo_time.next_working_day(day)  # meetings on working days; a clean-up may be on a Saturday
            batches.append(
                ClaimBatch(
                    community=community,
                    title=f"{day.month}月{'大家小家座谈会' if service_type == meeting else '清洁家园行动'}",
                    service_type=service_type,
                    service_date=day,
                    quantity=1 if service_type == meeting else 3,
                    created_by=cadre_for[community.pk],
                    created_at=demo_time.next_working(_aware(day, 17, 30)),
                )
            )
            pool = by_community[community.pk]
            batch_attendees.append(rng.sample(pool, min(len(pool), rng.randint(8, 16))))
    ClaimBatch.objects.bulk_create(batches)

    # --- a year of service, simulated per volunteer in time order -------------------------------------------------
    claims: list[ServiceClaim] = []
    # per volunteer: (when, order, kind, payload) events; payload is a claim index or a redemption plan
    events: dict[int, list[tuple]] = defaultdict(list)
    month_used: dict[tuple, int] = defaultdict(int)

    def add_claim(volunteer, service_type, day, quantity, via, batch=None):
        points = quantity * service_type.points_per_unit
        age = (today - day).days
        if batch is not None:
            submitted = batch.created_at
        elif via == ServiceClaim.Via.SELF:
            submitted = demo_time.on_day(rng, day, RESIDENT)
        else:
            submitted = demo_time.on_day(rng, demo_time.working_day_after(day, rng.randint(0, 1)))
            if submitted > now:  # a holiday since: the volunteer entered it themselves
                via, submitted = ServiceClaim.Via.SELF, demo_time.on_day(rng, day, RESIDENT)
        claim = ServiceClaim(
            volunteer=volunteer,
            community_id=volunteer.community_id,
            service_type=service_type,
            service_date=day,
            quantity=quantity,
            points=points,
            via=via,
            batch=batch,
            note=batch.title if batch else "",
            submitted_by=None if via == ServiceClaim.Via.SELF else cadre_for[volunteer.community_id],
            created_at=submitted,
        )
        decided = demo_time.on_day(rng, demo_time.working_day_after(submitted.date(), rng.randint(1, 5)))
        if decided <= now and (age > 10 or (age > 2 and rng.random() < 0.5)):
            key = (volunteer.pk, service_type.pk, day.year, day.month)
            cap = service_type.monthly_cap
            awarded = points if cap is None else min(points, cap - month_used[key])
            claim.decided_by = cadre_for[volunteer.community_id]
            claim.decided_at = decided
            if rng.random() < 0.04 or awarded <= 0:
                claim.status = ServiceClaim.Status.REJECTED
                claim.reject_reason = "本月该类服务积分已达上限" if awarded <= 0 else "未能核实服务情况"
            else:
                claim.status = ServiceClaim.Status.APPROVED
                claim.points_awarded = awarded
                month_used[key] += awarded
                events[volunteer.pk].append((claim.decided_at, 0, "earn", len(claims)))
        claims.append(claim)

    for batch, attendees in zip(batches, batch_attendees, strict=True):
        for volunteer in attendees:
            add_claim(volunteer, batch.service_type, batch.service_date, batch.quantity, ServiceClaim.Via.BATCH, batch)

    for volunteer in volunteers:
        if not volunteer.active:
            continue
        for _ in range(rng.choice((0, 2, 4, 5, 6, 7, 8, 9, 10, 12))):
            service_type = rng.choice(types)
            first_day = max(year_ago, volunteer.joined_on)
            span = (today - first_day).days - 3  # served at least three days ago: registered by now
            if span < 0:
                continue
            day = first_day + timedelta(days=rng.randint(0, span))
            limit = 4 if service_type.unit == ServiceType.Unit.HOUR else 2
            via = ServiceClaim.Via.SELF if rng.random() < 0.3 else ServiceClaim.Via.STAFF
            add_claim(volunteer, service_type, day, rng.randint(1, limit), via)

    ServiceClaim.objects.bulk_create(claims, batch_size=BATCH)

    # Quarterly redemption days: inside each past window of the last year.
    windows = []
    year, quarter = quarter_of(today)
    for back in range(0, 5):
        for opens_on, closes_on in quarter_windows(ctx.communities[0], *shift_quarter(year, quarter, -back), policy):
            if opens_on <= today and closes_on >= year_ago:
                windows.append((max(opens_on, year_ago), min(closes_on, today)))
    window_days = [demo_time.working_days(opens_on, closes_on + timedelta(days=1)) for opens_on, closes_on in windows]
    for volunteer in volunteers:
        for days in window_days:
            if days and rng.random() < 0.6:
                at = demo_time.on_day(rng, rng.choice(days))
                if at <= now:
                    events[volunteer.pk].append((at, 1, "redeem", None))

    # --- walk each volunteer's year: balances, redemptions, ledger --------------------------------------------------
    redemptions: list[Redemption] = []
    lines: list[list[RedemptionLine]] = []
    entry_rows: list[tuple] = []  # (volunteer, when, kind, points, balance_after, claim_index, redemption_index, note)
    balances: dict[int, int] = {}
    for volunteer in volunteers:
        balance = 0
        for when, _order, kind, payload in sorted(events.get(volunteer.pk, ()), key=lambda e: (e[0], e[1])):
            if kind == "earn":
                claim = claims[payload]
                balance += claim.points_awarded
                note = f"{claim.service_type.name} {claim.service_date:%Y-%m-%d} × {claim.quantity}"
                entry_rows.append((volunteer, when, "earn", claim.points_awarded, balance, payload, None, note))
                continue
            basket: dict[int, int] = {}
            spend = 0
            for reward in rng.sample(shop_of[volunteer.community_id], 3):
                qty = 1 if rng.random() < 0.8 else 2
                left = stock_left[reward.pk]
                if spend + reward.price_points * qty > balance or (left is not None and left < qty):
                    continue
                basket[reward.pk] = qty
                spend += reward.price_points * qty
                if left is not None:
                    stock_left[reward.pk] = left - qty
            if not basket:
                continue
            balance -= spend
            index = len(redemptions)
            redemptions.append(
                Redemption(
                    volunteer=volunteer,
                    community_id=volunteer.community_id,
                    total_points=spend,
                    idempotency_key=f"demo-{volunteer.pk}-{when:%Y%m%d}",
                    created_by=staff_for[volunteer.community_id],
                    created_at=when,
                )
            )
            prices = {r.pk: r for r in shop_of[volunteer.community_id]}
            lines.append(
                [
                    RedemptionLine(
                        reward_id=rid,
                        quantity=q,
                        unit_points=prices[rid].price_points,
                        points=prices[rid].price_points * q,
                    )
                    for rid, q in sorted(basket.items())
                ]
            )
            note = "、".join(f"{prices[rid].name}×{q}" for rid, q in sorted(basket.items()))
            entry_rows.append((volunteer, when, "redeem", -spend, balance, None, index, note))
        balances[volunteer.pk] = balance

    Redemption.objects.bulk_create(redemptions, batch_size=BATCH)
    for redemption, its_lines in zip(redemptions, lines, strict=True):
        for line in its_lines:
            line.redemption = redemption
    RedemptionLine.objects.bulk_create([line for its in lines for line in its], batch_size=BATCH)
    for reward in rewards:
        if reward.stock is not None and stock_left[reward.pk] != reward.stock:
            reward.stock = stock_left[reward.pk]
    Reward.objects.bulk_update([r for r in rewards if r.stock is not None], ["stock"], batch_size=BATCH)

    PointsAccount.objects.bulk_create(
        [
            PointsAccount(volunteer=v, community_id=v.community_id, balance=balances.get(v.pk, 0), updated_at=now)
            for v in volunteers
        ],
        batch_size=BATCH,
    )
    account_of = dict(PointsAccount.objects.filter(community__in=ctx.communities).values_list("volunteer_id", "pk"))
    entries = []
    for volunteer, when, kind, points, balance_after, claim_index, redemption_index, note in entry_rows:
        claim = claims[claim_index] if claim_index is not None else None
        redemption = redemptions[redemption_index] if redemption_index is not None else None
        entries.append(
            LedgerEntry(
                account_id=account_of[volunteer.pk],
                community_id=volunteer.community_id,
                kind=kind,
                points=points,
                balance_after=balance_after,
                claim=claim,
                redemption=redemption,
                idempotency_key=f"claim:{claim.pk}" if claim else f"redeem:{redemption.idempotency_key}",
                note=note[:200],
                created_by=claim.decided_by if claim else redemption.created_by,
                created_at=when,
            )
        )
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    return {
        "volunteers": len(volunteers),
        "linked": linked,
        "claims": len(claims),
        "redemptions": len(redemptions),
        "entries": len(entries),
    }


def _link_members(ctx: DemoContext, volunteers: list[Volunteer]) -> int:
    """Make a share of the (unsaved) volunteers adult members of a household of their community; return how many.

    The visits app seeds first, so its households and members exist when there are any. A stream of its own keeps
    the rest of the demo's random data as it was.
    """
    rng = random.Random(f"{ctx.street.code}-volunteer-members")
    adult = timezone.localdate().year - 18
    pools: dict[int, list[tuple[int, str]]] = defaultdict(list)
    free = (
        HouseholdMember.objects.filter(household__community__in=ctx.communities, volunteer__isnull=True)
        .filter(Q(birth_year__isnull=True) | Q(birth_year__lte=adult))
        .order_by("pk")
        .values_list("pk", "household__community_id", "name")
    )
    for pk, community_id, name in free:
        pools[community_id].append((pk, name))
    for pool in pools.values():
        rng.shuffle(pool)
    linked = 0
    for volunteer in volunteers:
        pool = pools.get(volunteer.community_id)
        if pool and rng.random() < MEMBER_SHARE:
            volunteer.member_id, volunteer.name = pool.pop()
            linked += 1
    return linked
