"""直面问 at scale: households with members, tags and visits, and the 民情账本 page of one community."""

import random
import uuid
from datetime import datetime, timedelta

from django.db.models import Max
from django.test import Client
from django.urls import reverse

from . import Result, empty_page_line, median_of, timed
from .data import _defaults, insert_rows

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["建国", "秀英", "桂兰", "志强", "玉梅", "德明", "春燕", "国华", "淑珍", "海涛", "丽娟", "永福"]
RELATIONS = ["配偶", "子", "女", "父亲", "母亲", "孙子", "孙女", "儿媳"]
NUMERALS = "一二三四五六七八九十"


def households_for(total_cases: int) -> int:
    """100,000 households at a million cases, in proportion below (at least 50 per community)."""
    return max(1_400, total_cases // 10)


def build_households(*, org: dict, count: int, now: datetime, seed: int = 11) -> dict:
    """Load ``count`` households over the org's communities, with members, attention tags and visits.

    About 70% were visited in the last year (some two or three times), a visit is logged by one or two
    of the community's officials, and some visits heard a request that is still open. Everything is
    planned in memory first, because the rows are generated while the connection is busy copying.
    """
    from visits import rules
    from visits.models import AttentionTag, Household, HouseholdMember, VisitLog, VisitRequest, VisitTeam

    rng = random.Random(seed)
    communities = org["communities"]
    grids: dict[int, list] = {}
    for grid in org["grids"]:
        grids.setdefault(grid.community_id, []).append(grid)
    tags = list(AttentionTag.objects.order_by("sort_order").values_list("pk", flat=True))
    teams = {
        street.pk: VisitTeam.objects.create(street=street, name="基准走访队", leader=org["users"]["leaders"][i])
        for i, street in enumerate(org["streets"])
    }

    plans = []  # (household row, member count, tag ids, visit times)
    for i in range(count):
        community = communities[i % len(communities)]
        n = i // len(communities)
        grid = grids[community.pk][n % len(grids[community.pk])]
        if communities.index(community) % 2:  # a neighbourhood: estate (one per grid), building, unit, room
            m = n // len(grids[community.pk])
            parts = {
                "estate": f"{grid.name}小区",
                "building": str(m // 48 + 1),
                "unit": str(m // 16 % 3 + 1),
                "room": f"{m % 16 // 2 + 1}0{m % 2 + 1}",
            }
        else:  # a village: group and door number
            parts = {"group": f"{_numeral(n % 12 + 1)}组", "door_number": str(n // 12 + 1)}
        head = rng.choice(SURNAMES) + rng.choice(GIVEN)
        address = rules.household_address(**parts)
        flagged = rng.random() < 0.12 and tags
        chosen = sorted(set(rng.sample(tags, rng.choice([1, 1, 2])))) if flagged else []
        level = "ordinary" if not chosen else ("biweekly" if rng.random() < 0.1 else "monthly")
        visits = rng.choices([0, 1, 2, 3], weights=[30, 45, 20, 5])[0]
        times = sorted(now - timedelta(days=rng.uniform(0, 365), minutes=rng.randint(0, 600)) for _ in range(visits))
        plans.append(
            (
                {
                    **parts,
                    "community_id": community.pk,
                    "grid_id": grid.pk,
                    "address": address,
                    "head_name": head,
                    "phone": f"13{rng.randint(0, 999_999_999):09d}" if rng.random() < 0.9 else "",
                    "people_count": rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 6]),
                    "attention_level": level,
                    "search_key": rules.household_search_key(head_name=head, address=address),
                    "last_visited_at": times[-1] if times else None,
                    "created_at": now - timedelta(days=400),
                    "updated_at": now - timedelta(days=400),
                },
                rng.choice([0, 1, 1, 2, 2, 3, 4]),
                chosen,
                times,
            )
        )

    before = Household.objects.aggregate(m=Max("pk"))["m"] or 0
    defaults = _defaults(Household)
    columns = list(defaults)
    insert_rows(Household, columns, (tuple({**defaults, **row}[c] for c in columns) for row, *_ in plans))
    ids = list(Household.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    if len(ids) != len(plans):
        raise RuntimeError("household ids do not match the rows inserted")

    tag_through = Household.tags.through
    insert_rows(
        tag_through,
        ["household_id", "attentiontag_id"],
        ((hid, tag) for hid, (_, _, chosen, _) in zip(ids, plans, strict=True) for tag in chosen),
    )
    member_defaults = _defaults(HouseholdMember)
    member_columns = list(member_defaults)

    def members():
        for hid, (_, n_members, _, _) in zip(ids, plans, strict=True):
            for m in range(n_members):
                row = {**member_defaults, "household_id": hid, "name": rng.choice(SURNAMES) + rng.choice(GIVEN)}
                row.update(relation=RELATIONS[m % len(RELATIONS)], birth_year=rng.randint(1935, 2020))
                yield tuple(row[c] for c in member_columns)

    insert_rows(HouseholdMember, member_columns, members())

    # Visits: planned with their visitors and requests, inserted, then linked by id.
    log_defaults = _defaults(VisitLog)
    log_columns = list(log_defaults)
    log_plans = []  # (row, visitor ids, request status or None)
    for hid, (row, _, _, times) in zip(ids, plans, strict=True):
        community_id = row["community_id"]
        officials = org["handlers"][community_id]
        street_id = next(c.street_id for c in communities if c.pk == community_id)
        for at in times:
            crew = sorted(set(rng.sample([u.pk for u in officials], rng.choice([1, 2]))))
            log_plans.append(
                (
                    {
                        **log_defaults,
                        "household_id": hid,
                        "community_id": community_id,
                        "team_id": teams[street_id].pk,
                        "visited_at": at,
                        "method": rng.choices(["home", "phone", "group"], weights=[80, 15, 5])[0],
                        "met": "head",
                        "family_note": "家庭情况稳定",
                        "duration_minutes": rng.choice([10, 15, 20, 30]),
                        "idempotency_key": uuid.UUID(int=rng.getrandbits(128), version=4),
                        "created_by_id": crew[0],
                        "created_at": at,
                    },
                    crew,
                    None if rng.random() > 0.15 else ("open" if rng.random() < 0.4 else "answered"),
                )
            )
    before = VisitLog.objects.aggregate(m=Max("pk"))["m"] or 0
    insert_rows(VisitLog, log_columns, (tuple(row[c] for c in log_columns) for row, _, _ in log_plans))
    log_ids = list(VisitLog.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    if len(log_ids) != len(log_plans):
        raise RuntimeError("visit log ids do not match the rows inserted")
    insert_rows(
        VisitLog.visitors.through,
        ["visitlog_id", "user_id"],
        ((lid, uid) for lid, (_, crew, _) in zip(log_ids, log_plans, strict=True) for uid in crew),
    )
    request_defaults = _defaults(VisitRequest)
    request_columns = list(request_defaults)
    insert_rows(
        VisitRequest,
        request_columns,
        (
            tuple(
                {
                    **request_defaults,
                    "log_id": lid,
                    "household_id": row["household_id"],
                    "community_id": row["community_id"],
                    "text": "路灯不亮,希望尽快修好",
                    "status": status,
                    "created_at": row["visited_at"],
                }[c]
                for c in request_columns
            )
            for lid, (row, _, status) in zip(log_ids, log_plans, strict=True)
            if status
        ),
    )
    return {"households": len(ids), "visits": len(log_ids)}


def _numeral(n: int) -> str:
    return NUMERALS[n - 1] if n <= 10 else "十" + NUMERALS[n - 11]


def ledger_floor(*, community_id: int, limit: int = 30) -> list[int]:
    """The ledger's first page by hand: one query through the community's households, with their open requests.

    ``limit`` is the page's size (visits.views.visiting.LEDGER_PAGE_SIZE).
    """
    from django.db import connection

    from lucun.models import Grid
    from visits.models import Household, VisitRequest

    qn = connection.ops.quote_name
    households, grids, requests = (qn(m._meta.db_table) for m in (Household, Grid, VisitRequest))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.*, (SELECT COUNT(*) FROM {requests} AS r WHERE r.household_id = h.id AND r.status = 'open') "  # noqa: S608
            f"FROM {households} AS h JOIN {grids} AS g ON g.id = h.grid_id WHERE h.community_id = %s "
            f"ORDER BY g.sort_order, h.address, h.id LIMIT {int(limit)}",
            [community_id],
        )
        return [row[0] for row in cursor.fetchall()]


def measure(*, org: dict, runs: int, quick: bool) -> list[Result]:
    """Time the 民情账本 page of one community as its cadre (who sees sensitive data, so it is audited)."""
    from visits import selectors
    from visits.models import Household
    from visits.views.visiting import LEDGER_PAGE_SIZE

    community = org["communities"][0]
    cadre = org["handlers"][community.pk][-1]
    client = Client()
    client.force_login(cadre)
    url = reverse("visits:ledger", args=[community.pk])
    households = Household.objects.filter(community=community).count()
    page = selectors.ledger(user=cadre, community=community, filters=selectors.LedgerFilters())
    same = ledger_floor(community_id=community.pk, limit=LEDGER_PAGE_SIZE) == [h.pk for h in page[:LEDGER_PAGE_SIZE]]
    times, statements = timed(lambda: _ok(client.get(url)), runs=runs)
    floor, _ = timed(lambda: ledger_floor(community_id=community.pk, limit=LEDGER_PAGE_SIZE), runs=runs)
    # The same page holding a single household must cost the same statements: nothing per row.
    one = Household.objects.filter(community=community).order_by("pk").first()
    query = {"q": f"{one.head_name} {one.address.replace(' ', '')}"}
    _, single = timed(lambda: _ok(client.get(url, query)), runs=1)
    fixed = single == statements
    result = Result(
        f"household ledger page, one community ({households:,} households)",
        "≤ 2 × floor and median ≤ 25 ms; fixed queries",
        times,
        statements,
        floor_ms=floor,
    )
    problems = ([] if fixed else [f"{single} statements for one household"]) + (
        [] if same else ["the floor's page is not the ledger's page"]
    )
    result.note = "; ".join(problems)
    result.met = not problems and (quick or ((result.ratio or 0) <= 2 and median_of(times) <= 25))
    return [result, empty_page_line(user=cadre, who="the cadre", runs=runs)]


def _ok(response):
    if response.status_code != 200:
        raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return response
