"""The deliberation figures, computed from the data; every definition shown beside them lives here only."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseState
from lucun.models import User
from lucun.scoping import communities_for

from .models import AgendaItem, BallotScore, ContestBallot, ContestCriterion, ContestScore, Decision, Meeting
from .selectors import meeting_scope

# Meetings where residents deliberate their own community's problems; all discussion counts, online too.
COMMUNITY_KINDS = (Meeting.Kind.FAMILY_FORUM, Meeting.Kind.ONLINE)
SOLVED_STATES = (CaseState.RESOLVED, CaseState.CLOSED)

DEFINITIONS = {
    "meetings_held": _(
        "召开会议数:统计期内开始、已确认召开(完成“协商讨论”步骤或记录了议定事项)且未取消的会议,"
        "含大家小家座谈会和线上议事。"
    ),
    "on_agenda": _("列入议程的问题:上述会议议程中的诉求数(一件诉求在同一会议只计一次)。"),
    "settled": _("协商解决的问题:其中议定为“协商解决”的数量,诉求随即按“村居共议”或“群众自商”清单办结。"),
    "rate": _("问题自行协商解决率 = 协商解决的问题 ÷ 列入议程的问题。"),
    "joint": _(
        "党政联席会:统计期内已召开的党政联席会次数,和下沉召开所在的村(居)数;"
        "帮助解决的难题 = 联席会议定(协商解决或交办部门)且诉求现已办结的议题数。"
    ),
    "contest": _(
        "擂台比武排名:每个评分项分别取各评委打分的平均分和群众扫码选票的平均分,各项相加得评委总分和群众总分;"
        "两者各按满分折算为百分制,再按本期设定的权重合计为综合得分(只有一方评分的村(居)按该方计),"
        "按综合得分从高到低排名。选票数为给该村(居)评过分的已提交选票数。"
    ),
    "coverage": _("覆盖:至少有一处启用的议事场所把该网格登记为服务网格(步行15分钟可达)。"),
}


def rate(part: int, whole: int) -> float | None:
    """Return part ÷ whole as a percentage with one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(today: date, count: int) -> date:
    """Return the first day of the month ``count - 1`` months before ``today``'s month."""
    year, month = today.year, today.month - (count - 1)
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _month(value) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


@dataclass
class Row:
    meetings: int = 0
    on_agenda: int = 0
    settled: int = 0

    @property
    def rate(self) -> float | None:
        return rate(self.settled, self.on_agenda)

    def add(self, other: "Row") -> None:
        self.meetings += other.meetings
        self.on_agenda += other.on_agenda
        self.settled += other.settled


@dataclass
class Figures:
    start: date
    end: date
    months: list[date]
    total: Row
    by_month: dict[date, Row]
    communities: list[dict]
    streets: list[dict]
    by_kind: list[dict]
    joint: dict
    contests: list[dict]
    definitions: dict = field(default_factory=lambda: DEFINITIONS)


def community_meeting_figures(*, user: User, start: date, end: date) -> tuple[dict, dict]:
    """Return {(community id, month): Row} and {community id: (name, street id, street name, order)}.

    Two queries whatever the number of meetings.
    """
    visible = communities_for(user)
    since, until = _aware(start), _aware(end)
    meetings = Meeting.objects.held().filter(
        kind__in=COMMUNITY_KINDS, community__in=visible, starts_at__gte=since, starts_at__lt=until
    )
    rows: dict[tuple[int, date], Row] = defaultdict(Row)
    names: dict[int, tuple] = {}
    for r in (
        meetings.annotate(month=TruncMonth("starts_at"))
        .values(
            "community_id",
            "community__name",
            "community__sort_order",
            "community__street_id",
            "community__street__name",
            "month",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[(r["community_id"], _month(r["month"]))].meetings += r["n"]
        names[r["community_id"]] = (
            r["community__name"],
            r["community__street_id"],
            r["community__street__name"],
            r["community__sort_order"],
        )
    items = AgendaItem.objects.filter(meeting__in=meetings)
    for r in (
        items.annotate(month=TruncMonth("meeting__starts_at"))
        .values("meeting__community_id", "month")
        .annotate(n=Count("pk"), settled=Count("pk", filter=Q(decision=Decision.SETTLED)))
        .order_by()
    ):
        row = rows[(r["meeting__community_id"], _month(r["month"]))]
        row.on_agenda += r["n"]
        row.settled += r["settled"]
    return rows, names


def joint_meeting_figures(*, user: User, start: date, end: date) -> dict:
    """Return the joint meetings held in the period, the communities they met in and the hard problems solved."""
    meetings = list(
        meeting_scope(user)
        .held()
        .filter(kind=Meeting.Kind.JOINT, starts_at__gte=_aware(start), starts_at__lt=_aware(end))
        .select_related("held_in", "street")
        .annotate(
            item_count=Count("agenda_items"),
            solved=Count(
                "agenda_items",
                filter=Q(
                    agenda_items__decision__in=[Decision.SETTLED, Decision.ASSIGNED],
                    agenda_items__case__state__in=SOLVED_STATES,
                ),
            ),
        )
        .order_by("starts_at", "pk")
    )
    return {
        "meetings": meetings,
        "count": len(meetings),
        "communities": len({m.held_in_id for m in meetings if m.held_in_id}),
        "items": sum(m.item_count for m in meetings),
        "solved": sum(m.solved for m in meetings),
    }


def contest_rankings(*, user: User, start: date | None = None, end: date | None = None) -> list[dict]:
    """Return each visible contest round with its communities ranked by total score (see DEFINITIONS)."""
    rounds = meeting_scope(user).filter(kind=Meeting.Kind.CONTEST, cancelled_at__isnull=True)
    if start:
        rounds = rounds.filter(starts_at__gte=_aware(start))
    if end:
        rounds = rounds.filter(starts_at__lt=_aware(end))
    rounds = list(rounds.select_related("street").order_by("starts_at", "pk"))
    if not rounds:
        return []
    # A round's number counts every contest of its street, not only those in the period.
    numbers: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for pk, street_id in (
        Meeting.objects.filter(
            kind=Meeting.Kind.CONTEST, cancelled_at__isnull=True, street__in={m.street_id for m in rounds}
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "street_id")
    ):
        counters[street_id] += 1
        numbers[pk] = counters[street_id]
    criteria = list(ContestCriterion.objects.order_by("sort_order", "name"))
    round_ids = [m.pk for m in rounds]
    averages: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    names: dict[int, str] = {}
    judges: dict[int, set] = defaultdict(set)
    for r in (
        ContestScore.objects.filter(meeting__in=round_ids)
        .values("meeting_id", "community_id", "community__name", "criterion_id")
        .annotate(avg=Avg("score"), judges=Count("judge"))
        .order_by()
    ):
        averages[r["meeting_id"]][r["community_id"]][r["criterion_id"]] = float(r["avg"])
        names[r["community_id"]] = r["community__name"]
        judges[r["meeting_id"]].add(r["judges"])
    residents: dict[int, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    ballots: dict[int, dict[int, int]] = defaultdict(dict)
    for r in (
        BallotScore.objects.filter(ballot__meeting__in=round_ids)
        .values("ballot__meeting_id", "community_id", "community__name", "criterion_id")
        .annotate(avg=Avg("score"), ballots=Count("ballot_id", distinct=True))
        .order_by()
    ):
        meeting_id, community_id = r["ballot__meeting_id"], r["community_id"]
        residents[meeting_id][community_id][r["criterion_id"]] = float(r["avg"])
        names[community_id] = r["community__name"]
        ballots[meeting_id][community_id] = max(ballots[meeting_id].get(community_id, 0), r["ballots"])
    used_ballots = dict(
        ContestBallot.objects.filter(meeting__in=round_ids, used_at__isnull=False)
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("meeting_id", "n")
    )
    result = []
    for meeting in rounds:
        judged, voted = averages[meeting.pk], residents[meeting.pk]
        used = [c for c in criteria if any(c.pk in per for per in [*judged.values(), *voted.values()])]
        full_marks = sum(c.max_score for c in used)
        weight = meeting.resident_weight / 100
        entries = []
        for community_id in {*judged, *voted}:
            per_judges, per_residents = judged.get(community_id, {}), voted.get(community_id, {})
            judges_total = round(sum(per_judges.values()), 2) if per_judges else None
            residents_total = round(sum(per_residents.values()), 2) if per_residents else None
            entries.append(
                {
                    "community_id": community_id,
                    "community": names[community_id],
                    "scores": [round(per_judges.get(c.pk, 0.0), 2) for c in used],
                    "total": judges_total if judges_total is not None else 0.0,
                    "judges_total": judges_total,
                    "residents_total": residents_total,
                    "resident_scores": [round(per_residents.get(c.pk, 0.0), 2) for c in used],
                    "ballots": ballots[meeting.pk].get(community_id, 0),
                    "combined": _combined(judges_total, residents_total, weight, full_marks),
                }
            )
        entries.sort(key=lambda e: (-e["combined"], e["community"]))
        rank = 0
        previous = None
        for index, entry in enumerate(entries, start=1):
            if entry["combined"] != previous:
                rank, previous = index, entry["combined"]
            entry["rank"] = rank
        result.append(
            {
                "meeting": meeting,
                "number": numbers.get(meeting.pk),
                "criteria": used,
                "full_marks": full_marks,
                "resident_weight": meeting.resident_weight,
                "judge_weight": 100 - meeting.resident_weight,
                "entries": entries,
                "judges": max(judges[meeting.pk], default=0),
                "ballots": used_ballots.get(meeting.pk, 0),
            }
        )
    return result


def _combined(judges: float | None, residents: float | None, weight: float, full_marks: int) -> float:
    """Return the combined score out of 100: each side's total as a share of full marks, weighted; a side with
    no scores leaves the whole weight to the other."""
    if not full_marks or (judges is None and residents is None):
        return 0.0
    if residents is None:
        weight = 0.0
    elif judges is None:
        weight = 1.0
    return round(100 * (weight * (residents or 0.0) + (1 - weight) * (judges or 0.0)) / full_marks, 2)


def figures(*, user: User, start: date, end: date) -> Figures:
    """Return every figure of the figures page for the months from ``start`` up to (not including) ``end``."""
    rows, names = community_meeting_figures(user=user, start=start, end=end)
    months = []
    cursor = month_start(start)
    while cursor < end:
        months.append(cursor)
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    total = Row()
    by_month: dict[date, Row] = {m: Row() for m in months}
    per_community: dict[int, dict] = {}
    per_street: dict[int, dict] = {}
    for (community_id, month), row in rows.items():
        name, street_id, street_name, order = names.get(community_id, ("", None, "", 0))
        total.add(row)
        by_month.setdefault(month, Row()).add(row)
        entry = per_community.setdefault(
            community_id,
            {"id": community_id, "name": name, "order": order, "total": Row(), "months": {m: Row() for m in months}},
        )
        entry["total"].add(row)
        entry["months"].setdefault(month, Row()).add(row)
        street = per_street.setdefault(
            street_id, {"id": street_id, "name": street_name, "total": Row(), "months": {m: Row() for m in months}}
        )
        street["total"].add(row)
        street["months"].setdefault(month, Row()).add(row)
    communities = sorted(per_community.values(), key=lambda e: (e["order"], e["name"]))
    for entry in [*communities, *per_street.values()]:
        entry["month_rows"] = [entry["months"][m] for m in months]
    kinds = {
        r["kind"]: r["n"]
        for r in meeting_scope(user)
        .held()
        .filter(starts_at__gte=_aware(start), starts_at__lt=_aware(end))
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    by_kind = [{"code": code, "label": label, "count": kinds.get(code, 0)} for code, label in Meeting.Kind.choices]
    return Figures(
        start=start,
        end=end,
        months=months,
        total=total,
        by_month=by_month,
        communities=communities,
        streets=sorted(per_street.values(), key=lambda e: e["name"]),
        by_kind=by_kind,
        joint=joint_meeting_figures(user=user, start=start, end=end),
        contests=contest_rankings(user=user, start=start, end=end),
    )
