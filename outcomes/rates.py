"""The three rates (三率): response, resolution and satisfaction — defined here and nowhere else.

Every page, export and API that shows a rate computes it with ``rates()`` and shows ``DEFINITIONS``
beside it. The work is done in SQL: three grouped queries (cases, staff callbacks, anonymous senders'
answers) and one for the group names, whatever the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseState, Feedback
from lucun.models import Community, Street, User
from visits.models import VisitTeam

from .models import Callback, Satisfaction
from .periods import Period

DEFINITIONS = {
    "response": _(
        "响应率 = 在办理层级规定的首次联系时限内联系上群众的诉求 ÷ 应联系的诉求。"
        "按登记时间归入统计期;已撤销的不计;尚在时限内且未联系的暂不计入分母。"
    ),
    "resolution": _(
        "解决率 = 回访时表示“问题已解决”的答复 ÷ 有答复的回访。"
        "回访包括干部电话或上门回访(联系上并作答),以及匿名群众凭查询码所作的评价;按答复时间归入统计期。"
    ),
    "satisfaction": _("满意率 = (满意 + 基本满意)÷ 有答复的回访(同上,未联系上的不计)。"),
    "team": _("按走访队伍统计时,只计该队伍入户走访时登记的诉求。"),
}

# The dimensions rates are grouped by, as paths from a case.
DIMENSIONS = {
    "street": "street",
    "community": "community",
    "team": "visit_requests__log__team",
    "handler": "handler",
    "first_responder": "first_responder",
}
DIMENSION_LABELS = {
    "street": _("街道"),
    "community": _("村(居)"),
    "team": _("走访队伍"),
    "handler": _("承办人"),
    "first_responder": _("首问责任人"),
}
_MODELS = {"street": Street, "community": Community, "team": VisitTeam, "handler": User, "first_responder": User}
BUCKETS = {"month": TruncMonth, "quarter": TruncQuarter}
POSITIVE = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


def percent(part: int, whole: int) -> float | None:
    """Return part ÷ whole as a percentage with one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class RateRow:
    judged: int = 0  # cases whose first-contact limit has passed or that were contacted
    on_time: int = 0  # of which contacted within the limit
    answered: int = 0  # callbacks with an answer
    solved: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0

    @property
    def response_rate(self) -> float | None:
        return percent(self.on_time, self.judged)

    @property
    def resolution_rate(self) -> float | None:
        return percent(self.solved, self.answered)

    @property
    def satisfaction_rate(self) -> float | None:
        return percent(self.satisfied + self.basically, self.answered)

    def add(self, other: "RateRow") -> None:
        for name in ("judged", "on_time", "answered", "solved", "satisfied", "basically", "dissatisfied"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "judged": self.judged,
            "on_time": self.on_time,
            "answered": self.answered,
            "solved": self.solved,
            "satisfied": self.satisfied,
            "basically": self.basically,
            "dissatisfied": self.dissatisfied,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
        }


@dataclass
class Rates:
    dimension: str
    period: Period
    bucket: str | None
    total: RateRow
    groups: list[dict]  # {"id", "name", "total": RateRow, "buckets": {date: RateRow}}
    buckets: list[date]
    by_bucket: dict[date, RateRow]
    definitions: dict = field(default_factory=lambda: DEFINITIONS)


def _bucket_day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date()
    return value


def _contact_deadline() -> ExpressionWrapper:
    return ExpressionWrapper(F("opened_at") + F("tier__first_contact_limit"), output_field=DateTimeField())


def response_counts(cases: QuerySet[Case], *, now: datetime | None = None) -> dict:
    """Return the aggregate arguments of the response rate for a queryset of cases (see DEFINITIONS)."""
    now = now or timezone.now()
    contacted_in_time = Q(first_contact_at__isnull=False, first_contact_at__lte=F("contact_deadline"))
    judged = Q(first_contact_at__isnull=False) | Q(contact_deadline__lte=now)
    return {"judged": Count("pk", filter=judged), "on_time": Count("pk", filter=contacted_in_time)}


def answer_counts() -> dict:
    """Return the aggregate arguments over answers (staff callbacks or senders' answers) with their fields."""
    return {
        "answered": Count("pk"),
        "solved": Count("pk", filter=Q(solved=True)),
        "satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "basically": Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        "dissatisfied": Count("pk", filter=Q(satisfaction=Satisfaction.DISSATISFIED)),
    }


def answered_callbacks(communities: QuerySet[Community]) -> QuerySet[Callback]:
    """Staff callbacks with an answer (contacted and answered), in the given communities."""
    return Callback.objects.filter(community__in=communities, answered_at__isnull=False, contacted=True)


def answered_feedback(communities: QuerySet[Community]) -> QuerySet[Feedback]:
    """Anonymous senders' answers given with their lookup code, on cases of the given communities."""
    return Feedback.objects.filter(case__community__in=communities, answered_at__isnull=False)


def rates(
    *,
    communities: QuerySet[Community],
    period: Period,
    dimension: str = "community",
    bucket: str | None = None,
    now: datetime | None = None,
) -> Rates:
    """Compute the three rates for the communities, grouped by ``dimension`` and optionally by month or quarter."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    path = DIMENSIONS[dimension]
    now = now or timezone.now()
    start, end = period.start_at, period.end_at
    rows: dict[tuple, RateRow] = defaultdict(RateRow)

    def keys(values: dict, key_field: str) -> tuple:
        return values[key_field], _bucket_day(values.get("b"))

    cases = (
        Case.objects.filter(community__in=communities, opened_at__gte=start, opened_at__lt=end)
        .exclude(state=CaseState.CANCELLED)
        .annotate(contact_deadline=_contact_deadline())
        .order_by()
    )
    group = [path]
    if bucket:
        cases = cases.annotate(b=BUCKETS[bucket]("opened_at"))
        group.append("b")
    for values in cases.values(*group).annotate(**response_counts(cases, now=now)):
        row = rows[keys(values, path)]
        row.judged += values["judged"]
        row.on_time += values["on_time"]

    # Both kinds of answer carry answered_at, solved and satisfaction with the same codes.
    for queryset in (answered_callbacks(communities), answered_feedback(communities)):
        queryset = queryset.filter(answered_at__gte=start, answered_at__lt=end).order_by()
        answer_group = [f"case__{path}"]
        if bucket:
            queryset = queryset.annotate(b=BUCKETS[bucket]("answered_at"))
            answer_group.append("b")
        for values in queryset.values(*answer_group).annotate(**answer_counts()):
            row = rows[keys(values, f"case__{path}")]
            for name in ("answered", "solved", "satisfied", "basically", "dissatisfied"):
                setattr(row, name, getattr(row, name) + values[name])

    ids = {key for key, _ in rows if key is not None}
    names = _names(dimension, ids)
    bucket_days = _bucket_days(period, bucket)
    groups: dict = {}
    total = RateRow()
    by_bucket: dict[date, RateRow] = {b: RateRow() for b in bucket_days}
    for (key, day), row in rows.items():
        total.add(row)
        if day is not None:
            by_bucket.setdefault(day, RateRow()).add(row)
        if key is None:
            continue  # e.g. cases with no handler or not raised on a visit: in the total only
        name, order = names.get(key, (str(key), (9999, str(key))))
        entry = groups.setdefault(key, {"id": key, "name": name, "order": order, "total": RateRow(), "buckets": {}})
        entry["total"].add(row)
        if day is not None:
            entry["buckets"].setdefault(day, RateRow()).add(row)
    ordered = sorted(groups.values(), key=lambda g: g["order"])
    for entry in ordered:
        entry["bucket_rows"] = [entry["buckets"].get(b, RateRow()) for b in bucket_days]
    return Rates(
        dimension=dimension,
        period=period,
        bucket=bucket,
        total=total,
        groups=ordered,
        buckets=bucket_days,
        by_bucket=dict(sorted(by_bucket.items())),
    )


def _bucket_days(period: Period, bucket: str | None) -> list[date]:
    if bucket == "month":
        return period.months
    if bucket == "quarter":
        return [date(y, 3 * (q - 1) + 1, 1) for y, q in period.quarters]
    return []


def _names(dimension: str, ids: set) -> dict:
    """Return {id: (label, sort key)} for the groups, in one query."""
    if not ids:
        return {}
    model = _MODELS[dimension]
    if dimension in ("handler", "first_responder"):
        rows = model.objects.filter(pk__in=ids).values_list("pk", "real_name", "username")
        return {pk: (real or user, (0, real or user)) for pk, real, user in rows}
    if dimension == "street":
        return {pk: (name, (0, name)) for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name")}
    rows = model.objects.filter(pk__in=ids).values_list("pk", "name", "sort_order")
    return {pk: (name, (order, name)) for pk, name, order in rows}
