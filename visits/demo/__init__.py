"""Demo data for 直面问: 7 teams, a year of rotation, ≈11,050 households with their members, a year of visit logs,
≈12,000 党群联系卡 in batches per community and team, and 35 意见收集二维码 posters in busy places.

Volumes scale with ``ctx.scale``; everything is bulk-created so the seed stays fast, and a second run
adds nothing. Visits are made in office hours on working days (``lucun.demo_time``). Coverage is deliberately
imperfect: some slots were missed, some households never visited, and flagged households are not always seen
every month.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from lucun.demo import GIVEN, SEED, SURNAMES, DemoContext
from lucun.models import Community

from .. import rules, services
from ..models import AttentionTag, Household, HouseholdMember, VisitCycle, VisitTeam, VisitTeamMember
from .cards import CARDS_AT_SCALE_1, POSTERS_AT_SCALE_1, seed_cards
from .logs import _insert_pairs, _visits

__all__ = ["CARDS_AT_SCALE_1", "HOUSEHOLDS_AT_SCALE_1", "POSTERS_AT_SCALE_1", "seed", "seed_cards"]

HOUSEHOLDS_AT_SCALE_1 = SEED.households_visited
CYCLES = 13  # 13 four-week cycles: a year
NUMERALS = "一二三四五六七八九十"
Kind = VisitTeamMember.Kind


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


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    return ("" if n < 20 else NUMERALS[n // 10 - 1]) + "十" + (NUMERALS[n % 10 - 1] if n % 10 else "")


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
