"""Fast data for the benchmark: COPY on PostgreSQL, executemany elsewhere."""

import random
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.db import connection, models

from lucun.models import Community, County, Grid, Position, Role, Street, User


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert plain tuples (in ``columns`` order, Python values) as fast as the database allows."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    converters = [fields[c].get_db_prep_save for c in columns]
    placeholders = ", ".join(["%s"] * len(columns))
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - names from model meta
    with connection.cursor() as cursor:
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(conv(v, connection) for conv, v in zip(converters, row, strict=True)))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def build_org(*, communities_per_street: int = 14, streets: int = 2) -> dict:
    """Two streets of a county, their communities and grids, and officials in every position."""
    county = County.objects.create(name="基准县", code="bench")
    result: dict = {"streets": [], "communities": [], "grids": [], "handlers": {}, "users": {}}
    for s in range(streets):
        street = Street.objects.create(county=county, name=f"基准街道{s + 1}", code=f"B{chr(65 + s)}")
        result["streets"].append(street)
        supervisor = User.objects.create(username=f"bench-supervisor-{s}", real_name="督办")
        Position.objects.create(user=supervisor, role=Role.SUPERVISOR, street=street)
        result["users"].setdefault("supervisors", []).append(supervisor)
        leader = User.objects.create(username=f"bench-leader-{s}", real_name="班子成员")
        Position.objects.create(user=leader, role=Role.STREET_LEADER, street=street)
        result["users"].setdefault("leaders", []).append(leader)
        for c in range(communities_per_street):
            community = Community.objects.create(street=street, name=f"基准村{s + 1}-{c + 1}", sort_order=c)
            result["communities"].append(community)
            handlers = []
            for g in range(4):
                grid = Grid.objects.create(community=community, name=f"网格{g + 1}", sort_order=g)
                result["grids"].append(grid)
                worker = User.objects.create(username=f"bench-grid-{s}-{c}-{g}", real_name="网格员")
                Position.objects.create(user=worker, role=Role.GRID_WORKER, grid=grid)
                handlers.append(worker)
            cadre = User.objects.create(username=f"bench-cadre-{s}-{c}", real_name="村居干部")
            Position.objects.create(user=cadre, role=Role.COMMUNITY_CADRE, community=community)
            handlers.append(cadre)
            result["handlers"][community.pk] = handlers
    return result


HOTLINE_EVERY = 10
# One open case in this many waits on an extension request, and as many on a return request; a third of each have
# gone on to the next approver. The dashboard counts them.
PENDING_EVERY = 500


def pending_requests(*, now: datetime) -> int:
    """Pending extension and return requests on some of the open cases; return how many were made."""
    from cases.models import OPEN_STATES, Case, ExtensionRequest, ReturnRequest

    made = 0
    for offset, model in ((0, ExtensionRequest), (PENDING_EVERY // 2, ReturnRequest)):
        cases = (
            Case.objects.filter(state__in=OPEN_STATES).order_by("pk").values_list("pk", "handler_id", "community_id")
        )
        rows = []
        for n, (pk, handler, community) in enumerate(cases.iterator(chunk_size=20_000)):
            if n % PENDING_EVERY != offset:
                continue
            escalated = n // PENDING_EVERY % 3 == 0
            values = {
                "case_id": pk,
                "community_id": community,
                "requested_by_id": handler,
                "reason": "基准申请",
                "created_at": now - timedelta(days=2),
                "approver_role": Role.STREET_LEADER if escalated else Role.SUPERVISOR,
                "escalate_at": now - timedelta(days=1),
                "escalate_to": Role.STREET_LEADER,
                "escalated_at": now - timedelta(days=1) if escalated else None,
            }
            if model is ExtensionRequest:
                values["extra_time"] = timedelta(days=3)
            rows.append(model(**values))
        made += len(model.objects.bulk_create(rows, batch_size=5000))
    return made


def case_rows(
    *, org: dict, count: int, now: datetime, start_serial: int = 0, seed: int = 7, changing_share: float = 0.01
) -> Iterator[tuple]:
    """Return case tuples for ``case_columns()``: 80% open with colours right at ``now``.

    ``changing_share`` of the open green cases reach their yellow threshold within the minute after
    ``now``, so a sweep at now + 1 minute moves exactly those. Lookups happen here, before the rows
    are generated, because the generator runs while the connection is busy copying.
    """
    from cases.models import Case, Category, Tier

    tiers = list(Tier.objects.order_by("rank"))
    categories = list(Category.objects.values_list("pk", flat=True))
    return _case_rows(Case, org, count, now, start_serial, seed, changing_share, tiers, categories)


def _case_rows(Case, org, count, now, start_serial, seed, changing_share, tiers, categories) -> Iterator[tuple]:
    rng = random.Random(seed + start_serial)
    communities = org["communities"]
    grids_by_community: dict[int, list[int]] = {}
    for grid in org["grids"]:
        grids_by_community.setdefault(grid.community_id, []).append(grid.pk)
    creator = org["users"]["leaders"][0].pk
    defaults = _defaults(Case)
    columns = case_columns()
    for i in range(start_serial, start_serial + count):
        tier = tiers[i % 3]
        community = communities[i % len(communities)]
        handlers = org["handlers"][community.pk]
        handler = handlers[(i // len(communities)) % len(handlers)].pk
        row = dict(defaults)
        open_case = rng.random() < 0.8
        if open_case:
            if rng.random() < changing_share / 0.8 * 1.0:
                warn_at = now + timedelta(seconds=rng.uniform(1, 59))
                due_at = warn_at + tier.warn_before
                colour = "green"
            else:
                due_at = now + tier.time_limit * rng.uniform(-0.3, 1.0)
                warn_at = due_at - tier.warn_before
                colour = "red" if due_at <= now else "yellow" if warn_at <= now else "green"
                if colour == "green" and warn_at <= now + timedelta(minutes=2):
                    warn_at = now + timedelta(minutes=2)
                    due_at = warn_at + tier.warn_before
            opened_at = due_at - tier.time_limit
            row.update(state=rng.choice(["registered", "accepted", "in_progress"]), colour=colour)
            if colour == "red":
                row.update(red_since=due_at, colour_changed_at=due_at)
        else:
            opened_at = now - timedelta(days=rng.uniform(2, 700))
            due_at = opened_at + tier.time_limit
            warn_at = due_at - tier.warn_before
            resolved = opened_at + tier.time_limit * rng.uniform(0.05, 1.1)
            row.update(
                state="closed",
                resolved_at=resolved,
                closed_at=resolved + timedelta(days=7),
                colour="red" if resolved > due_at else "green",
                resolution="已办结",
            )
        year = opened_at.year
        row.update(
            street_id=community.street_id,
            year=year,
            serial=i + 1,
            number=f"{community.street.code}-{year}-{i + 1:07d}",
            # One case in ten is a 12345 hotline order, so the dashboard's hotline figures have cases to count.
            source="hotline" if i % HOTLINE_EVERY == 0 else "visit",
            community_id=community.pk,
            grid_id=rng.choice(grids_by_community[community.pk]),
            category_id=categories[i % len(categories)],
            title="基准诉求",
            description="",
            tier_id=tier.pk,
            case_list="community",
            first_responder_id=handlers[-1].pk,
            handler_id=handler,
            opened_at=opened_at,
            due_at=due_at,
            warn_at=warn_at,
            notice_delay=tier.notice_after_red,
            created_by_id=creator,
        )
        yield tuple(row[c] for c in columns)


def case_columns() -> list[str]:
    from cases.models import Case

    return [f.column for f in Case._meta.concrete_fields if f.column != "id" and not f.generated]


def _defaults(model: type[models.Model]) -> dict:
    values = {}
    for f in model._meta.concrete_fields:
        if f.column == "id" or f.generated:
            continue
        values[f.column] = f.get_default() if f.has_default() else (None if f.null else "")
    return values
