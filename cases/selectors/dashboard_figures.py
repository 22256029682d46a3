"""The three-colour dashboard: open cases by tier, community and colour from the trigger-kept tally, the red and
yellow lists, and the figures on resolved cases from a stored copy refreshed in the background."""

import hashlib
import operator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce

from django.db.models import (
    Avg,
    BooleanField,
    CharField,
    Count,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from lucun.cache import cache_delete, cache_get, cache_set
from lucun.models import User
from lucun.scoping import community_ids_for
from lucun.selectors import communities_seen, counted, summed

from .. import clock
from ..models import OPEN_STATES, Case, CaseEvent, CaseList, CaseTally, Colour, HotlineTally, Tier
from ..models.hotline_tally import hotline_tally_month_after
from .approvals import PENDING, REQUEST_MODELS
from .case import case_list, refresh_flag


def open_colour_totals(*, user: User, now: datetime | None = None) -> dict[str, int]:
    """Return the three-colour figures of the user's scope: open cases by live colour, counted as the dashboard
    counts them (the trigger-kept tally, corrected by the cases that crossed a threshold since the sweep)."""
    now = now or timezone.now()
    totals = dict.fromkeys(Colour.values, 0)
    counts = _open_counts(user=user, filters={}, base=case_list(user=user, now=now), now=now)
    for (_tier, _community, colour), n in counts.items():
        totals[colour] += n
    return totals


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
    # How long resolving took: one bucket per tier (rank order), each up to its time limit, and the rest.
    resolved_buckets: list[dict]
    resolved_beyond: dict
    trend: list[dict]
    lists: list[dict]
    filters: dict = field(default_factory=dict)
    # Extension and return requests waiting on the cases shown, and those gone to the next approver.
    approvals: dict = field(default_factory=lambda: {"waiting": 0, "escalated": 0})
    # The figures on resolved cases come from the cache: when they were computed, and whether a case has
    # been resolved or reopened since (the view then asks for a refresh in the background).
    resolved_as_of: datetime | None = None
    resolved_stale: bool = False
    resolved_key: str = ""
    # The open cases most villagers said "我也遇到" on (同问), most first.
    same_question_cases: list[Case] = field(default_factory=list)
    # 12345 hotline orders as their own source: received in the period, open now, resolved in it and on time.
    hotline: dict = field(default_factory=dict)


def _duration() -> ExpressionWrapper:
    return ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())


def dashboard(
    *, user: User, filters: dict | None = None, now: datetime | None = None, since: datetime | None = None
) -> Dashboard:
    """Return everything the three-colour dashboard shows, in a fixed number of queries.

    Open cases are counted from the trigger-kept tally (see ``_open_counts``); the red and yellow
    lists come through the threshold and running-cases indexes; the figures on resolved cases come
    from a stored copy, refreshed in the background after a resolve or reopen (``_resolved_figures``).
    """
    now = now or timezone.now()
    since = since or now - timedelta(days=365)
    return _dashboard_compute(user=user, filters=filters, now=now, since=since)


RESOLUTION_KINDS = (CaseEvent.Kind.RESOLVED, CaseEvent.Kind.REOPENED)


def _resolution_version() -> tuple:
    """Changes whenever the set of resolved cases changes: the newest resolve and reopen (index lookups)."""
    return tuple(CaseEvent.objects.filter(kind=kind).aggregate(m=Max("at"))["m"] for kind in RESOLUTION_KINDS)


def _tiers_and_figures(
    *, user: User, filters: dict, base: QuerySet, since: datetime
) -> tuple[list[Tier], tuple, dict, dict]:
    """Return the tiers in rank order, ``_resolution_version()``, the 12345 figures and the approvals waiting.

    One statement: the newest resolve and reopen, the hotline counts and the pending requests ride along each tier
    as uncorrelated scalar subqueries (computed once). Without tiers, the same figures take their own statements.
    """
    riders = {
        f"newest_{kind}": Subquery(CaseEvent.objects.filter(kind=kind).order_by("-at").values("at")[:1])
        for kind in RESOLUTION_KINDS
    }
    hotline_parts = _hotline_parts(user=user, filters=filters, base=base, since=since)
    riders |= {f"hotline_{name}": part.counted() for name, part in hotline_parts.items()}
    pending_of = _pending(user=user, filters=filters, base=base)
    for kind, pending in pending_of.items():
        riders[f"waiting_{kind}"] = counted(pending)
        riders[f"escalated_{kind}"] = counted(pending.filter(escalated_at__isnull=False))
    tiers = list(Tier.objects.order_by("rank").annotate(**riders))
    if not tiers:
        row = {"newest_" + kind: v for kind, v in zip(RESOLUTION_KINDS, _resolution_version(), strict=True)}
        row |= {f"hotline_{name}": part.count() for name, part in hotline_parts.items()}
        for kind, pending in pending_of.items():
            row[f"waiting_{kind}"] = pending.count()
            row[f"escalated_{kind}"] = pending.filter(escalated_at__isnull=False).count()
    else:
        row = vars(tiers[0])
    version = tuple(row[f"newest_{kind}"] for kind in RESOLUTION_KINDS)
    hotline = {name: row[f"hotline_{name}"] or 0 for name in HOTLINE_FIGURES}
    hotline["on_time_rate"] = round(100 * hotline["on_time"] / hotline["resolved"], 1) if hotline["resolved"] else None
    approvals = {
        "waiting": sum(row[f"waiting_{kind}"] or 0 for kind in REQUEST_MODELS),
        "escalated": sum(row[f"escalated_{kind}"] or 0 for kind in REQUEST_MODELS),
    }
    return tiers, version, hotline, approvals


HOTLINE_FIGURES = ("received", "open", "resolved", "on_time")
# The filters the hotline tally and the requests keep (their community); with any other, the cases are read.
BY_COMMUNITY_FILTERS = {"community", "street"}


def _by_community_only(filters: dict) -> bool:
    return not {key for key, value in filters.items() if value} - {"colour"} - BY_COMMUNITY_FILTERS


def _in_communities(queryset: QuerySet, *, ids: list[int], filters: dict) -> QuerySet:
    """``queryset`` (of rows with a community) in the user's communities ``ids`` and the community or street asked."""
    queryset = queryset.filter(community_id__in=ids)
    if filters.get("community"):
        queryset = queryset.filter(community=filters["community"])
    if filters.get("street"):
        queryset = queryset.filter(community__street=filters["street"])
    return queryset


def _pending(*, user: User, filters: dict, base: QuerySet) -> dict[str, QuerySet]:
    """The extension and return requests waiting on cases of the user's communities, by kind.

    Filtered by community or street only (or not at all), through the requests' own community and index; with any
    other filter, through the cases of ``base``.
    """
    ids = community_ids_for(user)
    pending = {kind: model.objects.filter(decision=PENDING) for kind, model in REQUEST_MODELS.items()}
    if _by_community_only(filters):
        return {kind: _in_communities(requests, ids=ids, filters=filters) for kind, requests in pending.items()}
    cases = base.filter(community_id__in=ids).order_by().values("pk")
    return {kind: requests.filter(case__in=cases) for kind, requests in pending.items()}


@dataclass(frozen=True)
class _HotlinePart:
    """One 12345 figure: the cases counted one by one (``cases``; with the tally, those of the month the window
    begins in) and the sum of a tally column over the whole months (``tally`` and ``column``)."""

    cases: QuerySet | None
    tally: QuerySet | None = None
    column: str = ""

    def counted(self) -> Expression:
        """The figure as a scalar expression, to ride along another statement."""
        parts = [] if self.cases is None else [Coalesce(counted(self.cases), 0)]
        if self.tally is not None:
            parts.append(Coalesce(summed(self.tally, self.column), 0))
        return reduce(operator.add, parts)

    def count(self) -> int:
        """The figure, read on its own."""
        tallied = (self.tally.aggregate(n=Sum(self.column))["n"] or 0) if self.tally is not None else 0
        return tallied + (self.cases.count() if self.cases is not None else 0)


def _hotline_parts(*, user: User, filters: dict, base: QuerySet, since: datetime) -> dict[str, _HotlinePart]:
    """The 12345 hotline cases in scope: received since ``since``, open now, resolved since, and those on time.

    Live, not from the stored resolved figures: an imported or pushed order opens a case without resolving one,
    so the stored copy would not know it is out of date. Filtered by community or street only (or not at all),
    they come from the trigger-kept tally of the communities' whole months (``HotlineTally``), and the cases of
    the month ``since`` falls in are counted through the hotline indexes; with any other filter, every hotline
    case in ``base`` is counted.
    """
    # The figures count the cases of the user's communities, as the open-case tally does (``_open_counts``).
    ids = community_ids_for(user)
    if not _by_community_only(filters):
        hotline = base.filter(source=Case.Source.HOTLINE, community_id__in=ids).order_by()
        return {
            "received": _HotlinePart(hotline.filter(opened_at__gte=since)),
            "open": _HotlinePart(hotline.filter(state__in=OPEN_STATES)),
            "resolved": _HotlinePart(hotline.filter(resolved_at__gte=since)),
            "on_time": _HotlinePart(hotline.filter(clock.q_on_time(), resolved_at__gte=since)),
        }
    tally = _in_communities(HotlineTally.objects.all(), ids=ids, filters=filters)
    hotline = _in_communities(Case.objects.filter(source=Case.Source.HOTLINE), ids=ids, filters=filters).order_by()
    whole = hotline_tally_month_after(since)  # the first whole month of the window
    months = tally.filter(month__gte=whole.date())
    return {
        "received": _HotlinePart(hotline.filter(opened_at__gte=since, opened_at__lt=whole), months, "received"),
        "open": _HotlinePart(None, tally, "open_count"),
        "resolved": _HotlinePart(hotline.filter(resolved_at__gte=since, resolved_at__lt=whole), months, "resolved"),
        "on_time": _HotlinePart(
            hotline.filter(clock.q_on_time(), resolved_at__gte=since, resolved_at__lt=whole), months, "on_time"
        ),
    }


def _dashboard_key(*, visible: list[int], filters: dict, since: datetime, limits: list[int]) -> str:
    """The stored copy's key; ``visible`` is the sorted ids of the communities the user sees."""
    parts = [f"{k}={getattr(v, 'pk', v)}" for k, v in sorted(filters.items())]
    # The tiers' limits are part of the key: a new tier or a changed limit needs its own bucket counted.
    raw = f"{visible}|{parts}|{since.date()}|{get_language()}|{limits}"
    return "cases:dashboard:" + hashlib.sha256(raw.encode()).hexdigest()


TALLY_FILTERS = {"community", "category", "tier", "first_responder", "street"}


def _open_counts(*, user: User, filters: dict, base: QuerySet, now: datetime) -> dict[tuple[int, int, str], int]:
    """Count open cases by (tier, community, live colour).

    With the filters the tally keeps, from the trigger-kept counts by stored colour, corrected by the
    running cases that crossed a threshold since the last sweep (few, found through the sweep indexes),
    both read in one statement and both in the user's communities (``community_ids_for``); otherwise
    straight from the cases.
    """
    counts: dict[tuple[int, int, str], int] = {}
    if not set(filters) <= TALLY_FILTERS:
        for row in (
            base.filter(state__in=OPEN_STATES)
            .order_by()
            .values("live_colour", "tier_id", "community_id")
            .annotate(n=Count("pk"))
        ):
            counts[(row["tier_id"], row["community_id"], row["live_colour"])] = row["n"]
        return counts
    ids = community_ids_for(user)
    tally = CaseTally.objects.filter(community_id__in=ids, open_count__gt=0)
    crossed = Case.objects.filter(clock.q_behind(now), community_id__in=ids).with_live_colour(now)
    for key in ("community", "category", "tier", "first_responder"):
        if filters.get(key):
            tally = tally.filter(**{key: filters[key]})
            crossed = crossed.filter(**{key: filters[key]})
    if filters.get("street"):
        tally = tally.filter(community__street=filters["street"])
        crossed = crossed.filter(community__street=filters["street"])
    stored = (
        tally.order_by()
        .values("tier_id", "community_id", "colour")
        .annotate(live=Value("", output_field=CharField()), n=Sum("open_count"))
    )
    moved = crossed.order_by().values("tier_id", "community_id", "colour", "live_colour").annotate(n=Count("pk"))
    for row in stored.union(moved, all=True):  # rows named as the tally's: a crossed case's live colour is "live"
        tier_id, community_id, colour, live, n = (row[k] for k in ("tier_id", "community_id", "colour", "live", "n"))
        if not live:
            counts[(tier_id, community_id, colour)] = counts.get((tier_id, community_id, colour), 0) + n
            continue
        # A case that crossed a threshold leaves its stored colour's count for its live colour's.
        counts[(tier_id, community_id, colour)] = counts.get((tier_id, community_id, colour), 0) - n
        counts[(tier_id, community_id, live)] = counts.get((tier_id, community_id, live), 0) + n
    return counts


def _resolved_figures(
    *,
    visible: list[int],
    filters: dict,
    base: QuerySet,
    since: datetime,
    now: datetime,
    tiers: list[Tier],
    version: tuple,
):
    """Return (figures, when computed, stale?, cache key) for the resolved cases of the year.

    These aggregates read every case resolved in the year (over a second at a county's million cases),
    so the page never computes them while a stored copy exists: a copy made before the latest resolve
    or reopen is shown with its time and refreshed in the background (``dashboard_resolved_refresh``).
    """
    limits = _limits(tiers)
    key = _dashboard_key(visible=visible, filters=filters, since=since, limits=limits)
    cached = cache_get(key)
    if cached is not None:
        return cached["figures"], cached["as_of"], cached["version"] != version, key
    figures = _resolved_compute(base=base, since=since, limits=limits)
    cache_set(key, {"figures": figures, "as_of": now, "version": version}, timeout=RESOLVED_CACHE_SECONDS)
    return figures, now, False, key


RESOLVED_CACHE_SECONDS = 7 * 24 * 3600
SAME_QUESTION_LISTED = 10
# The API's deprecated within_day / within_week / within_month / longer keep their fixed windows.
API_WINDOWS = (timedelta(hours=24), timedelta(days=7), timedelta(days=30))


def _limits(tiers: list[Tier]) -> list[int]:
    """The time limits resolving is counted within, in seconds: each tier's, and the API's fixed windows."""
    return sorted({int(t.time_limit.total_seconds()) for t in tiers} | {int(w.total_seconds()) for w in API_WINDOWS})


def dashboard_resolved_refresh(*, user: User, filters: dict | None = None, now: datetime | None = None) -> None:
    """Recompute and store the figures on resolved cases that ``user`` sees with ``filters``."""
    now = now or timezone.now()
    filters = filters or {}
    since = now - timedelta(days=365)
    version = _resolution_version()  # read first: a resolve during the computation leaves the copy stale
    base = case_list(user=user, filters={k: v for k, v in filters.items() if k != "colour"}, now=now)
    limits = _limits(list(Tier.objects.order_by("rank")))
    figures = _resolved_compute(base=base, since=since, limits=limits)
    visible = community_ids_for(user)
    key = _dashboard_key(visible=visible, filters=filters, since=since, limits=limits)
    cache_set(key, {"figures": figures, "as_of": now, "version": version}, timeout=RESOLVED_CACHE_SECONDS)
    cache_delete(refresh_flag(key))


def _resolved_compute(*, base: QuerySet, since: datetime, limits: list[int]) -> tuple[dict, list, list]:
    """On-time rate, mean and median time to resolve, how many within each limit, the trend and the lists' shares.

    ``within`` maps each limit (seconds) to the cases resolved within it of opening; the buckets are differences.
    """
    done = base.filter(resolved_at__isnull=False, resolved_at__gte=since).order_by()
    stats = done.aggregate(
        count=Count("pk"),
        on_time=Count("pk", filter=clock.q_on_time()),
        mean=Avg(_duration()),
        **{
            f"within_{seconds}": Count("pk", filter=Q(resolved_at__lte=F("opened_at") + timedelta(seconds=seconds)))
            for seconds in limits
        },
    )
    stats["within"] = {seconds: stats.pop(f"within_{seconds}") for seconds in limits}
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
    return stats, trend, lists


def _dashboard_compute(*, user: User, filters: dict | None, now: datetime, since: datetime) -> Dashboard:
    # The cases are scoped by the ids of the user's communities, read once (``community_ids_for``), in every statement.
    base = case_list(user=user, filters={k: v for k, v in (filters or {}).items() if k != "colour"}, now=now)

    tiers, version, hotline, approvals = _tiers_and_figures(user=user, filters=filters or {}, base=base, since=since)
    counts = _open_counts(user=user, filters=filters or {}, base=base, now=now)
    colour_by_tier: dict[str, dict[int, int]] = {c: {t.pk: 0 for t in tiers} for c in Colour.values}
    totals = dict.fromkeys(Colour.values, 0)
    per_community: dict[int, dict] = {}
    names = {c.pk: c for c in communities_seen(user=user)}
    for (tier_id, community_id, colour), n in counts.items():
        if not n:
            continue
        colour_by_tier[colour][tier_id] = colour_by_tier[colour].get(tier_id, 0) + n
        totals[colour] += n
        community = names[community_id]
        entry = per_community.setdefault(
            community_id,
            {"id": community_id, "name": community.name, "order": community.sort_order}
            | dict.fromkeys(Colour.values, 0),
        )
        entry[colour] += n
    community_rows = sorted(per_community.values(), key=lambda r: (-r["red"], -r["yellow"], r["order"], r["name"]))

    red_cases, yellow_cases, same_question_cases = _listed(base=base, now=now)

    (resolved, trend, lists), as_of, stale, key = _resolved_figures(
        visible=sorted(names), filters=filters or {}, base=base, since=since, now=now, tiers=tiers, version=version
    )
    buckets, beyond = _buckets(resolved, tiers)
    return Dashboard(
        now=now,
        tiers=tiers,
        colour_by_tier=colour_by_tier,
        community_rows=community_rows,
        totals=totals,
        red_cases=red_cases,
        yellow_cases=yellow_cases,
        resolved=resolved,
        resolved_buckets=buckets,
        resolved_beyond=beyond,
        trend=trend,
        lists=lists,
        filters=filters or {},
        approvals=approvals,
        resolved_as_of=as_of,
        resolved_stale=stale,
        resolved_key=key,
        same_question_cases=same_question_cases,
        hotline=hotline,
    )


LISTED = 50
# What a row of the lists shows (``_dashboard_body.html``): up to 150 rows, so only these columns become objects.
LISTED_FIELDS = (
    "number",
    "title",
    "state",
    "due_at",
    "paused_at",
    "same_question_count",
    "community__name",
    "handler__real_name",
    "handler__username",
)


def _listed(*, base: QuerySet, now: datetime) -> tuple[list[Case], list[Case], list[Case]]:
    """Return the red, yellow and 同问 lists of ``base``, in one statement.

    Each list is found as on its own, through its index and limited (red: the overdue in due_at order, plus the
    few turned red before their deadline; yellow in due_at order; 同问 through the partial index of the cases
    anyone said "我也遇到" on); their ids are joined with UNION ALL and the cases read once, each marked with the
    lists it is on by the same conditions.
    """
    wanted = {
        "overdue": clock.q_red_by_deadline(now),
        "forced": clock.q_red_before_deadline(now),
        "yellow": clock.q_yellow(now),
        "same": Q(same_question_count__gt=0, state__in=OPEN_STATES),
    }
    parts = [
        base.filter(wanted["overdue"]).order_by("due_at", "pk")[:LISTED],
        base.filter(wanted["forced"]).order_by("due_at", "pk")[:LISTED],
        base.filter(wanted["yellow"]).order_by("due_at", "pk")[:LISTED],
        base.filter(wanted["same"]).order_by("-same_question_count", "due_at", "pk")[:SAME_QUESTION_LISTED],
    ]
    sql, params = [], []
    for n, part in enumerate(parts):
        part_sql, part_params = part.values("pk").query.get_compiler(using=part.db).as_sql()
        sql.append(f"SELECT * FROM ({part_sql}) AS listed_{n}")  # noqa: S608 -- the ORM's own SQL
        params.extend(part_params)
    cases = list(
        Case.objects.filter(pk__in=RawSQL(" UNION ALL ".join(sql), params))  # noqa: S611 -- the ORM's own SQL
        .select_related("community", "handler")
        .only(*LISTED_FIELDS)
        .with_live_colour(now)
        .annotate(**{f"on_{name}": ExpressionWrapper(q, output_field=BooleanField()) for name, q in wanted.items()})
        .order_by("due_at", "pk")
    )
    red = [c for c in cases if c.on_overdue or c.on_forced][:LISTED]
    yellow = [c for c in cases if c.on_yellow][:LISTED]
    same = sorted((c for c in cases if c.on_same), key=lambda c: -c.same_question_count)[:SAME_QUESTION_LISTED]
    return red, yellow, same


def _buckets(resolved: dict, tiers: list[Tier]) -> tuple[list[dict], dict]:
    """Split the resolved cases by the tiers' limits: each tier's bucket runs from the next shorter limit
    to its own (tiers sharing a limit show the same cases); ``beyond`` is past the longest limit."""
    within = resolved["within"]
    limits = sorted({int(t.time_limit.total_seconds()) for t in tiers})
    shorter = dict(zip(limits, [None, *limits[:-1]], strict=True))
    buckets = []
    for tier in tiers:
        seconds = int(tier.time_limit.total_seconds())
        below = shorter[seconds]
        buckets.append({"tier": tier, "count": within[seconds] - (within[below] if below else 0)})
    longest = max(limits, default=None)
    beyond = {
        "after": timedelta(seconds=longest) if longest else None,
        "count": resolved["count"] - (within[longest] if longest else 0),
    }
    return buckets, beyond
