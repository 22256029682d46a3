"""The report's figures from the records the outcomes app keeps itself: surveys, quarterly warnings and goals,
reserve talent, cadre adjustments, and the figures entered from the county platform."""

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.selectors import hotline_order_counts
from lucun.models import Street, localized_name

from .. import rates as rates_module
from ..models import (
    SECRETARY_TITLE,
    CadreAdjustment,
    ExternalFigure,
    GoalProgress,
    QuarterlyWarning,
    SurveySample,
    TalentRecord,
)
from ..periods import Period
from ..rates import percent


def _survey_trend(communities) -> list[dict]:
    rows = (
        SurveySample.objects.filter(community__in=communities, answered_at__isnull=False, contacted=True)
        .order_by()
        .values("survey", "survey__title", "survey__started_at")
        .annotate(
            answered=Count("pk"),
            positive=Count("pk", filter=Q(satisfaction__in=rates_module.POSITIVE)),
        )
        .order_by("survey__started_at")
    )
    return [
        {
            "survey": r["survey__title"],
            "date": timezone.localtime(r["survey__started_at"]).date().isoformat(),
            "answered": r["answered"],
            "rate": percent(r["positive"], r["answered"]),
        }
        for r in rows
    ]


def survey_trend_by_community(communities) -> dict[int, list[dict]]:
    """Return {community id: [{survey, date, answered, rate}]}: the satisfaction trend per community."""
    result: dict[int, list[dict]] = defaultdict(list)
    for r in (
        SurveySample.objects.filter(community__in=communities, answered_at__isnull=False, contacted=True)
        .order_by()
        .values("community", "survey", "survey__title", "survey__started_at")
        .annotate(answered=Count("pk"), positive=Count("pk", filter=Q(satisfaction__in=rates_module.POSITIVE)))
        .order_by("survey__started_at")
    ):
        result[r["community"]].append(
            {
                "survey": r["survey__title"],
                "date": timezone.localtime(r["survey__started_at"]).date().isoformat(),
                "answered": r["answered"],
                "rate": percent(r["positive"], r["answered"]),
            }
        )
    return result


def _warnings(communities, period: Period) -> dict:
    """Warnings and goals behind in the period's complete quarters: a quarter still running warns nobody."""
    q = Q(pk__in=[])
    for year, quarter in period.quarters:
        if Period.quarter(year, quarter).is_complete():
            q |= Q(year=year, quarter=quarter)
    rows = list(
        QuarterlyWarning.objects.filter(q, community__in=communities)
        .order_by()
        .values("red_line__name", "red_line__name_en", "red_line__sort_order")
        .annotate(n=Count("pk"), cadres=Count("cadre", distinct=True))
        .order_by("red_line__sort_order")
    )
    behind = GoalProgress.objects.filter(q, goal__community__in=communities, status=GoalProgress.Status.BEHIND).count()
    return {
        "total": sum(r["n"] for r in rows),
        "by_line": [
            {
                "red_line": localized_name(r["red_line__name"], r["red_line__name_en"]),
                "count": r["n"],
                "cadres": r["cadres"],
            }
            for r in rows
        ],
        "goals_behind": behind,
    }


def _talent(communities, period: Period) -> dict:
    records = TalentRecord.objects.filter(community__in=communities, created_at__lt=period.end_at).order_by()
    stages = dict(records.values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    kinds = dict(records.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    new = records.filter(created_at__gte=period.start_at).count()
    return {
        "total": sum(stages.values()),
        "new_in_period": new,
        "from_visits": records.filter(visit_log__isnull=False).count(),
        "by_stage": [
            {"code": c, "label": str(lbl), "count": stages.get(c, 0)} for c, lbl in TalentRecord.Stage.choices
        ],
        "by_kind": [{"code": c, "label": str(lbl), "count": kinds.get(c, 0)} for c, lbl in TalentRecord.Kind.choices],
        "brought_back": stages.get(TalentRecord.Stage.RETURNED, 0)
        + stages.get(TalentRecord.Stage.RESERVE_SECRETARY, 0)
        + stages.get(TalentRecord.Stage.COMMITTEE_MEMBER, 0),
        "reserve_secretaries": stages.get(TalentRecord.Stage.RESERVE_SECRETARY, 0),
    }


def replacement_figures(communities, *, since: date, until: date) -> dict:
    """The replacement ratio and the withdrawals, computed from the adjustment records (see figures.DEFINITIONS)."""
    adjustments = CadreAdjustment.objects.filter(
        community__in=communities, effective_on__gte=since, effective_on__lt=until
    ).order_by()
    replaced = (
        adjustments.filter(kind=CadreAdjustment.Kind.REPLACED, position_title__contains=SECRETARY_TITLE)
        .values("community")
        .distinct()
        .count()
    )
    counts = dict(adjustments.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    total = communities.count()
    return {
        "since": since.isoformat(),
        "communities": total,
        "secretaries_replaced": replaced,
        "replacement_ratio": percent(replaced, total),
        "replaced": counts.get(CadreAdjustment.Kind.REPLACED, 0),
        "withdrew": counts.get(CadreAdjustment.Kind.WITHDREW, 0),
        "appointed": counts.get(CadreAdjustment.Kind.APPOINTED, 0),
    }


def _external(street: Street, period: Period) -> list[dict]:
    """Each figure summed over the months entered in the period, against the same months a year before."""
    before = period.year_before()
    entered: dict[str, dict[date, int]] = defaultdict(dict)
    earlier: dict[str, dict[date, int]] = defaultdict(dict)
    for kind, month, value in ExternalFigure.objects.filter(
        Q(month__gte=period.start, month__lt=period.end) | Q(month__gte=before.start, month__lt=before.end),
        street=street,
    ).values_list("kind", "month", "value"):
        if period.contains(month):
            entered[kind][month] = value
        else:
            earlier[kind][month.replace(year=month.year + 1)] = value
    result = []
    for code, label in ExternalFigure.Kind.choices:
        months = entered.get(code, {})
        now_value = sum(months.values()) if months else None
        same = [earlier.get(code, {}).get(m) for m in months]
        before_value = sum(same) if same and all(v is not None for v in same) else None
        change = None
        if now_value is not None and before_value:
            change = round(100 * (now_value - before_value) / before_value, 1)
        result.append(
            {
                "code": code,
                "label": str(label),
                "value": now_value,
                "year_before": before_value,
                "change": change,
                "months": len(months),
            }
        )
    return result


HOTLINE_CODE = "hotline"


def _hotline(street: Street, period: Period, now: datetime) -> list[dict]:
    """The 12345 row, computed from the street's hotline orders: those received in the period, and against the
    same span a year before only when the street had orders by then (else no figure, and a note saying why).

    A period still running is compared over the part it has had. No row for a street that never had an order.
    """
    before = period.year_before()
    end = min(period.end_at, now)
    before_end = min(before.end_at, before.start_at + (end - period.start_at))
    counts = hotline_order_counts(
        street=street, start=period.start_at, end=end, before_start=before.start_at, before_end=before_end
    )
    if counts["earliest"] is None:
        return []
    comparable = counts["earliest"] <= before.start_at
    year_before = counts["year_before"] if comparable else None
    change = None
    if year_before:
        change = round(100 * (counts["count"] - year_before) / year_before, 1)
    return [
        {
            "code": HOTLINE_CODE,
            "label": _("12345 工单"),
            "value": counts["count"],
            "year_before": year_before,
            "change": change,
            "computed": True,
            "note": "" if comparable else _("工单记录还不满一年,暂无上年同期可比"),
        }
    ]
