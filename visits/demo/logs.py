"""A year of visit logs: the teams' rounds in their assigned communities, and the community cadres' calls on
flagged households in between. Every visit is made in office hours on a working day (``lucun.demo_time``)."""

import uuid
from bisect import bisect_right
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from cases.models import Case
from lucun import demo_time
from lucun.demo import DemoContext

from ..models import Household, VisitCycle, VisitLog, VisitRequest, VisitTeam

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
CYCLE_DAYS = 28  # a rota's cycle: every community has a team's round in each
SUGGESTIONS = ["希望多组织文化活动", "建议在广场增加座椅", "希望干部常来看看", ""]
ANSWERS = ["已当场讲解政策", "已联系网格员跟进", "已帮忙预约办理", ""]


def _insert_pairs(through, columns: tuple[str, str], pairs: list[tuple[int, int]]) -> None:
    """Insert many rows of a two-column link table with one prepared statement (the ORM is slow here)."""
    table = connection.ops.quote_name(through._meta.db_table)
    names = ", ".join(connection.ops.quote_name(through._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES (%s, %s)", pairs)  # noqa: S608 - fixed names


def _visits(ctx: DemoContext, households: list[Household], teams: list[VisitTeam]) -> tuple[int, int]:
    rng = ctx.rng
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
        at = demo_time.on_day(rng, day, step=5)
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
            workdays = demo_time.working_days(line.starts_on, last_day + timedelta(days=1))
            if not workdays:
                continue
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
                    day = rng.choice(workdays)
                    crew = rng.sample(crew_pool, k=min(len(crew_pool), rng.choice([2, 2, 3])))
                    method = rng.choices(list(VisitLog.Method.values), weights=[85, 10, 5])[0]
                    add(h, line.team_id, day, crew, method)
        # Between team visits the community cadres phone or drop in on flagged households.
        cycle_days = demo_time.working_days(cycle.starts_on, min(cycle.starts_on + timedelta(days=CYCLE_DAYS), today))
        for community in ctx.communities:
            for h in by_community[community.pk]:
                flagged = h.attention_level != Household.AttentionLevel.ORDINARY
                if flagged and rng.random() < 0.35 and cycle_days and len(cadres[community.pk]) >= 2:
                    add(h, None, rng.choice(cycle_days), cadres[community.pk], rng.choice(["phone", "home"]))

    VisitLog.objects.bulk_create(logs, batch_size=2000)
    _insert_pairs(
        VisitLog.visitors.through, ("visitlog_id", "user_id"), [(logs[i].pk, u) for i, crew in visitors for u in crew]
    )
    heard = [
        VisitRequest(
            log=logs[i],
            household_id=logs[i].household_id,
            community_id=logs[i].community_id,
            text=text,
            status=VisitRequest.Status.ANSWERED if answered else VisitRequest.Status.OPEN,
        )
        for i, text, answered in requests
    ]
    converted = _cases_from_visits(ctx, logs)
    VisitRequest.objects.bulk_create(heard + converted, batch_size=2000)
    # Each log was written up at the end of its visit, each request with its log.
    street_logs = VisitLog.objects.filter(community__street=ctx.street)
    street_logs.update(created_at=F("visited_at") + timedelta(minutes=40))
    written = VisitLog.objects.filter(pk=OuterRef("log_id")).values("created_at")[:1]
    VisitRequest.objects.filter(community__street=ctx.street).update(created_at=Subquery(written))
    latest = VisitLog.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    Household.objects.filter(community__street=ctx.street).update(last_visited_at=Subquery(latest))
    return len(logs), len(heard) + len(converted)


def _cases_from_visits(ctx: DemoContext, logs: list[VisitLog]) -> list[VisitRequest]:
    """Trace each case the cases demo opened from a visit (before any visit existed) to the request it came from.

    The request was heard on a visit in the case's community before the case was opened, at which somebody was
    met: the latest visit of a team's round (直面问) in the cycle before, else the latest visit of any kind (a
    cadre's call). It is returned converted, and the case is given that log as its source, as
    ``visitrequest_convert`` leaves them; the visit-team filter of the case lists and the dashboard finds a case
    through that log. A case opened before its community's first visit is left without a source.
    """
    met = sorted((log for log in logs if log.met != VisitLog.Met.NOBODY), key=lambda log: log.visited_at)

    def by_community(chosen: list[VisitLog]) -> dict[int, tuple[list[VisitLog], list]]:
        """Each community's logs in time order, with their times to search."""
        grouped: dict[int, list[VisitLog]] = {}
        for log in chosen:
            grouped.setdefault(log.community_id, []).append(log)
        return {pk: (there, [log.visited_at for log in there]) for pk, there in grouped.items()}

    searches = [
        (by_community([log for log in met if log.team_id]), timedelta(days=CYCLE_DAYS)),
        (by_community(met), None),
    ]

    def heard_on(community_id: int, opened_at) -> VisitLog | None:
        for logs_of, within in searches:
            there, times = logs_of.get(community_id, ([], []))
            at = bisect_right(times, opened_at)
            if at and (within is None or opened_at - there[at - 1].visited_at <= within):
                return there[at - 1]
        return None

    cases = Case.objects.filter(street=ctx.street, source=Case.Source.VISIT, source_type__isnull=True).only(
        "pk", "community_id", "opened_at", "title"
    )
    source_type = ContentType.objects.get_for_model(VisitLog)
    converted, traced = [], []
    for case in cases.order_by("pk"):
        log = heard_on(case.community_id, case.opened_at)
        if log is None:
            continue
        case.source_type, case.source_id = source_type, log.pk
        traced.append(case)
        converted.append(
            VisitRequest(
                log=log,
                household_id=log.household_id,
                community_id=log.community_id,
                text=case.title,
                status=VisitRequest.Status.CONVERTED,
                case=case,
            )
        )
    Case.objects.bulk_update(traced, ["source_type", "source_id"], batch_size=500)
    return converted


def _cadre_name(index: int) -> str:
    return "cadre" if index == 1 else f"cadre{index}"
