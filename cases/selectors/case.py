"""Reads of cases: scoped lists, my work, the case page and the supervisors' dashboard."""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from lucun.models import Community, User
from lucun.scoping import communities_for, get_scoped_or_404, scope

from ..models import OPEN_STATES, RUNNING_STATES, Case, CaseEvent, CaseList, CaseState, Colour, ConductViolation, Tier

logger = logging.getLogger(__name__)

LIST_RELATED = ("community", "category", "tier", "handler", "first_responder")


def case_list(*, user: User, filters: dict | None = None, now: datetime | None = None) -> QuerySet[Case]:
    """Return the cases the user may see, filtered, with their live colour, ready for a list page."""
    filters = filters or {}
    queryset = scope(Case.objects.all(), user).select_related(*LIST_RELATED).with_live_colour(now)
    if filters.get("q"):
        q = filters["q"].strip()
        queryset = queryset.filter(Q(number__icontains=q) | Q(title__icontains=q))
    for key in ("community", "category", "tier", "handler", "first_responder", "street"):
        if filters.get(key):
            queryset = queryset.filter(**{key: filters[key]})
    if filters.get("state") == "open":
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("case_list"):
        queryset = queryset.filter(case_list=filters["case_list"])
    if filters.get("colour"):
        queryset = queryset.filter(live_colour=filters["colour"], state__in=OPEN_STATES)
    if filters.get("source"):
        queryset = queryset.filter(source=filters["source"])
    return queryset.order_by("due_at", "pk")


def my_work(*, user: User, now: datetime | None = None) -> QuerySet[Case]:
    """Return the open cases this official must act on: handled by them, or first received by them, soonest first."""
    return (
        scope(Case.objects.filter(state__in=OPEN_STATES, responsible_id=user.pk), user)
        .select_related(*LIST_RELATED)
        .with_live_colour(now)
        .order_by("due_at", "pk")
    )


def case_get(*, user: User, number: str) -> Case:
    """Return one case the user may see (404 otherwise)."""
    return get_scoped_or_404(
        Case.objects.select_related(*LIST_RELATED, "grid", "created_by", "source_type", "community__street"),
        user,
        number=number,
    )


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def cases_for_source(*, source: object, user: User) -> QuerySet[Case]:
    """Return the cases opened from one source object (a visit log, a feedback, a meeting)."""
    from django.contrib.contenttypes.models import ContentType

    return scope(
        Case.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk), user
    ).select_related("handler", "tier")


def notice_list(*, user: User) -> tuple[QuerySet[Case], QuerySet[ConductViolation]]:
    """Return the 通报 list: cases still red past their tier's delay, and recorded conduct violations."""
    cases = (
        scope(Case.objects.filter(noticed_at__isnull=False, state__in=OPEN_STATES), user)
        .select_related(*LIST_RELATED)
        .order_by("noticed_at", "pk")
    )
    violations = scope(ConductViolation.objects.all(), user).select_related(
        "official", "kind", "community", "case", "recorded_by"
    )
    return cases, violations


# --- Dashboard -----------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    now: datetime
    tiers: list[Tier]
    colour_by_tier: dict[str, dict[int, int]]
    community_rows: list[dict]
    totals: dict[str, int]
    red_cases: list[Case]
    yellow_cases: list[Case]
    resolved: dict
    trend: list[dict]
    lists: list[dict]
    filters: dict = field(default_factory=dict)
    computed_at: datetime | None = None
    valid_until: datetime | None = None


def _duration() -> ExpressionWrapper:
    return ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())


def dashboard(
    *, user: User, filters: dict | None = None, now: datetime | None = None, since: datetime | None = None
) -> Dashboard:
    """Return everything the three-colour dashboard shows, from the cache while it is still exact.

    A computed dashboard stays valid until a case changes (every change writes a CaseEvent, so the
    newest event id is the data's version) or until the next moment a running case crosses its yellow
    or red threshold, whichever comes first; the office screens that refresh every minute then cost
    three index lookups instead of the aggregates over every open case.
    """
    now = now or timezone.now()
    since = since or now - timedelta(days=365)
    version = CaseEvent.objects.aggregate(v=Max("pk"))["v"] or 0
    key = _dashboard_key(user=user, filters=filters or {}, since=since, version=version)
    cached = _cache_get(key)
    if cached is not None and cached.valid_until > now and cached.computed_at <= now:
        cached.now = now
        return cached
    result = _dashboard_compute(user=user, filters=filters, now=now, since=since)
    result.computed_at = now
    result.valid_until = _next_crossing(now) or now + timedelta(minutes=10)
    _cache_set(key, result, timeout=max(1, int((result.valid_until - now).total_seconds()) + 1))
    return result


def _next_crossing(now: datetime) -> datetime | None:
    """The next instant any running case turns yellow or red (each found through a sweep index)."""
    running = Case.objects.filter(state__in=RUNNING_STATES)
    warn = running.filter(colour=Colour.GREEN, warn_at__gt=now).aggregate(m=Min("warn_at"))["m"]
    due = running.filter(colour__in=[Colour.GREEN, Colour.YELLOW], due_at__gt=now).aggregate(m=Min("due_at"))["m"]
    return min((t for t in (warn, due) if t is not None), default=None)


def _dashboard_key(*, user: User, filters: dict, since: datetime, version: int) -> str:
    visible = sorted(communities_for(user).values_list("pk", flat=True))
    parts = [f"{k}={getattr(v, 'pk', v)}" for k, v in sorted(filters.items())]
    raw = f"{visible}|{parts}|{since.date()}|{version}|{get_language()}"
    return "cases:dashboard:" + hashlib.sha256(raw.encode()).hexdigest()


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # a cache outage only costs speed
        logger.warning("dashboard cache unavailable; computing")
        return None


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("dashboard cache unavailable; not stored")


def _dashboard_compute(*, user: User, filters: dict | None, now: datetime, since: datetime) -> Dashboard:
    base = case_list(user=user, filters={k: v for k, v in (filters or {}).items() if k != "colour"}, now=now)
    open_cases = base.filter(state__in=OPEN_STATES).order_by()

    tiers = list(Tier.objects.order_by("rank"))
    colour_by_tier: dict[str, dict[int, int]] = {c: {t.pk: 0 for t in tiers} for c in Colour.values}
    totals = dict.fromkeys(Colour.values, 0)
    for row in open_cases.values("live_colour", "tier_id").annotate(n=Count("pk")):
        colour_by_tier[row["live_colour"]][row["tier_id"]] = row["n"]
        totals[row["live_colour"]] += row["n"]

    per_community: dict[int, dict] = {}
    for row in open_cases.values("live_colour", "community_id", "community__name", "community__sort_order").annotate(
        n=Count("pk")
    ):
        entry = per_community.setdefault(
            row["community_id"],
            {"id": row["community_id"], "name": row["community__name"], "order": row["community__sort_order"]}
            | dict.fromkeys(Colour.values, 0),
        )
        entry[row["live_colour"]] = row["n"]
    community_rows = sorted(per_community.values(), key=lambda r: (-r["red"], -r["yellow"], r["order"], r["name"]))

    red_cases = list(base.filter(state__in=RUNNING_STATES, live_colour=Colour.RED).order_by("due_at", "pk")[:50])
    yellow_cases = list(base.filter(state__in=RUNNING_STATES, live_colour=Colour.YELLOW).order_by("due_at", "pk")[:50])

    done = base.filter(resolved_at__isnull=False, resolved_at__gte=since).order_by()
    stats = done.aggregate(
        count=Count("pk"),
        on_time=Count("pk", filter=Q(resolved_at__lte=F("due_at"))),
        mean=Avg(_duration()),
        day=Count("pk", filter=Q(resolved_at__lte=F("opened_at") + timedelta(hours=24))),
        week=Count(
            "pk",
            filter=Q(resolved_at__gt=F("opened_at") + timedelta(hours=24))
            & Q(resolved_at__lte=F("opened_at") + timedelta(days=7)),
        ),
        month=Count(
            "pk",
            filter=Q(resolved_at__gt=F("opened_at") + timedelta(days=7))
            & Q(resolved_at__lte=F("opened_at") + timedelta(days=30)),
        ),
        longer=Count("pk", filter=Q(resolved_at__gt=F("opened_at") + timedelta(days=30))),
    )
    median = None
    if stats["count"]:
        middle = (
            done.annotate(duration=_duration())
            .order_by("duration")
            .values_list("duration", flat=True)[(stats["count"] - 1) // 2]
        )
        median = middle
    stats["median"] = median
    stats["on_time_rate"] = round(100 * stats["on_time"] / stats["count"], 1) if stats["count"] else None

    trend = [
        {"month": row["month"], "count": row["n"], "mean": row["mean"]}
        for row in done.annotate(month=TruncMonth("resolved_at"))
        .values("month")
        .annotate(n=Count("pk"), mean=Avg(_duration()))
        .order_by("month")
    ]
    list_counts = {row["case_list"]: row["n"] for row in done.values("case_list").annotate(n=Count("pk"))}
    lists = [
        {
            "code": code,
            "label": label,
            "count": list_counts.get(code, 0),
            "share": round(100 * list_counts.get(code, 0) / stats["count"], 1) if stats["count"] else None,
        }
        for code, label in CaseList.choices
    ]
    return Dashboard(
        now=now,
        tiers=tiers,
        colour_by_tier=colour_by_tier,
        community_rows=community_rows,
        totals=totals,
        red_cases=red_cases,
        yellow_cases=yellow_cases,
        resolved=stats,
        trend=trend,
        lists=lists,
        filters=filters or {},
    )


def filter_choices(*, user: User) -> dict:
    """Return the options for the dashboard and list filters, scoped to the user."""
    from ..models import Category

    return {
        "communities": list(communities_for(user).order_by("sort_order", "name")),
        "categories": list(Category.objects.filter(is_active=True)),
        "tiers": list(Tier.objects.order_by("rank")),
        "lists": CaseList.choices,
        "states": CaseState.choices,
        "colours": Colour.choices,
    }


def handlers_for(*, community: Community) -> QuerySet[User]:
    """Return the officials who can be named handler of a case in this community."""
    from lucun.selectors import officials_covering

    from ..permissions import HANDLE_ROLES

    return officials_covering(community=community, roles=HANDLE_ROLES)
