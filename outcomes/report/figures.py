"""The outcome report (工作成效): every figure computed from the data, for a street or a community and a period.

Figures other apps already compute are taken from them (visit coverage, the case dashboard's resolution
times, the deliberation figures, the points figures); the three rates come from ``outcomes.rates``; the figures
of the outcomes app's own records from ``records.py``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import OPEN_STATES, Case, CaseState, Tier
from cases.selectors import dashboard
from deliberation import figures as deliberation_figures
from lucun.models import Community, Street, User
from lucun.scoping import communities_for
from points.selectors import figures as points_figures
from visits.selectors import coverage

from .. import rates as rates_module
from ..periods import Period, add_months
from ..rates import RateRow, percent
from .records import _external, _hotline, _survey_trend, _talent, _warnings, replacement_figures
from .summary import summary_figures

ADJUSTMENT_YEARS = 3  # the replacement ratio counts adjustments from 1 January, this many years before the period
TREND_MONTHS = 12

DEFINITIONS = {
    **rates_module.DEFINITIONS,
    "coverage": _("走访覆盖率 = 统计期内至少走访一次的住户 ÷ 建档住户(与“直面问”覆盖统计同一口径)。"),
    "cases": _("收集问题:统计期内登记的诉求;已办结:其中现已办结或归档的;在办:其中现仍在办理的。已撤销的不计。"),
    "mean_time": _("平均办结时间:统计期内办结的诉求从登记到办结的平均用时(取自督办看板的逐月数据)。"),
    "survey": _("入户满意度调查:按调查批次,(满意 + 基本满意)÷ 联系上并作答的抽样住户。"),
    "replacement": _(
        "书记调整率 = 期间内有“调整撤换”记录的村(居)党组织书记职务数(按村居计) ÷ 村(居)数;退出人数按“退出”记录计。"
    ),
    "points": _(
        "在册志愿者为当前在册人数;积分与服务时长按统计期所在自然年取自“积分”台账,撤销的记录已冲抵;"
        "统计期内发放积分按所含季度汇总(月报取所在季度)。"
    ),
    "talent": _("后备人才按统计期末在库的记录计;回引人才 = 已返乡 + 进入村“两委” + 后备书记。"),
    "external": _(
        "市民投诉件、信访量由街道每月据县级平台录入;同比 =(本期 − 上年同期)÷ 上年同期,只比较本期已录入的月份。"
    ),
    "hotline": _(
        "12345 工单按导入或推送的热线工单自动统计,以受理时间计入统计期(无受理时间的按登记时间);"
        "上年同期取上一年的同一时段(统计期未结束时只比较已过的天数),最早的工单早于上年同期开始时才计算同比。"
    ),
}


@dataclass
class Report:
    period: Period
    street: Street
    community: Community | None
    generated_at: datetime
    visits: dict
    cases: dict
    resolution: dict
    deliberation: dict
    points: dict
    rates: RateRow
    rate_groups: list[dict]
    satisfaction_trend: list[dict]
    survey_trend: list[dict]
    warnings: dict
    talent: dict
    adjustments: dict
    external: list[dict]
    summary: dict = field(default_factory=dict)
    definitions: dict = field(default_factory=lambda: DEFINITIONS)

    @property
    def scope_name(self) -> str:
        return self.community.name if self.community else self.street.name

    def as_dict(self) -> dict:
        """Return the figures as plain JSON values (snapshots, the API, the Excel export)."""

        def rate_dict(row: RateRow) -> dict:
            return row.as_dict()

        return {
            "period": self.period.key,
            "period_label": self.period.label,
            "street": self.street.name,
            "community": self.community.name if self.community else None,
            "generated_at": self.generated_at.isoformat(),
            "visits": self.visits,
            "cases": self.cases,
            "resolution": self.resolution,
            "deliberation": self.deliberation,
            "points": self.points,
            "rates": rate_dict(self.rates),
            "rate_groups": [{"id": g["id"], "name": g["name"], **rate_dict(g["total"])} for g in self.rate_groups],
            "satisfaction_trend": self.satisfaction_trend,
            "survey_trend": self.survey_trend,
            "warnings": self.warnings,
            "talent": self.talent,
            "adjustments": self.adjustments,
            "external": self.external,
            "summary": self.summary,
        }


def _days(delta: timedelta | None) -> float | None:
    return round(delta.total_seconds() / 86400, 1) if delta is not None else None


def _case_figures(communities, period: Period) -> dict:
    tiers = list(Tier.objects.order_by("rank"))
    rows = {
        r["tier"]: r
        for r in Case.objects.filter(
            community__in=communities, opened_at__gte=period.start_at, opened_at__lt=period.end_at
        )
        .exclude(state=CaseState.CANCELLED)
        .order_by()
        .values("tier")
        .annotate(
            collected=Count("pk"),
            resolved=Count("pk", filter=Q(state__in=[CaseState.RESOLVED, CaseState.CLOSED])),
            open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        )
    }
    by_tier = [
        {
            "tier": t.display_name,
            "code": t.code,
            "collected": rows.get(t.pk, {}).get("collected", 0),
            "resolved": rows.get(t.pk, {}).get("resolved", 0),
            "open": rows.get(t.pk, {}).get("open", 0),
        }
        for t in tiers
    ]
    return {
        "by_tier": by_tier,
        "collected": sum(r["collected"] for r in by_tier),
        "resolved": sum(r["resolved"] for r in by_tier),
        "open": sum(r["open"] for r in by_tier),
    }


def _resolution_figures(user: User, scope_filter: dict, period: Period, now: datetime) -> dict:
    """Mean time to resolve in the period and its monthly trend, from the case dashboard's monthly rows."""
    trend_start = add_months(period.end, -TREND_MONTHS)
    since = (
        period.start_at
        if period.start < trend_start
        else timezone.make_aware(datetime.combine(trend_start, datetime.min.time()))
    )
    board = dashboard(user=user, filters=scope_filter, now=now, since=since)
    months = {}
    for row in board.trend:
        month = row["month"]
        if isinstance(month, datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        months[month.replace(day=1)] = row
    in_period = [r for m, r in months.items() if period.contains(m) and r["mean"] is not None]
    count = sum(r["count"] for r in in_period)
    mean = sum((r["mean"] * r["count"] for r in in_period), timedelta()) / count if count else None
    trend = []
    cursor = trend_start
    while cursor < period.end:
        row = months.get(cursor)
        trend.append(
            {
                "month": cursor.isoformat(),
                "count": row["count"] if row else 0,
                "mean_days": _days(row["mean"]) if row else None,
            }
        )
        cursor = add_months(cursor, 1)
    return {"resolved": count, "mean_days": _days(mean), "trend": trend}


def _deliberation(user: User, period: Period, community: Community | None) -> dict:
    f = deliberation_figures.figures(user=user, start=period.start, end=period.end)
    if community is not None:
        entry = next((c for c in f.communities if c["id"] == community.pk), None)
        row = entry["total"] if entry else deliberation_figures.Row()
        joint = [m for m in f.joint["meetings"] if m.held_in_id == community.pk]
        joint_count, joint_solved = len(joint), sum(m.solved for m in joint)
    else:
        row = f.total
        joint_count, joint_solved = f.joint["count"], f.joint["solved"]
    return {
        "meetings": row.meetings,
        "on_agenda": row.on_agenda,
        "settled": row.settled,
        "self_resolution_rate": row.rate,
        "joint_meetings": joint_count,
        "joint_solved": joint_solved,
        "joint_communities": f.joint["communities"] if community is None else int(bool(joint_count)),
        "definition": str(deliberation_figures.DEFINITIONS["rate"]),
        "contests": _contests(f.contests, community),
        "contest_definition": str(deliberation_figures.DEFINITIONS["contest"]),
    }


def _contests(rounds: list[dict], community: Community | None) -> list[dict]:
    """The contest rounds of the period as plain values: each community's judges', residents' and combined
    scores, and the ballots it received (a community's report keeps its own row)."""
    return [
        {
            "title": r["meeting"].title,
            "number": r["number"],
            "full_marks": r["full_marks"],
            "resident_weight": r["resident_weight"],
            "ballots": r["ballots"],
            "judges": r["judges"],
            "entries": [
                {
                    "rank": e["rank"],
                    "community": e["community"],
                    "judges_total": e["judges_total"],
                    "residents_total": e["residents_total"],
                    "ballots": e["ballots"],
                    "combined": e["combined"],
                }
                for e in r["entries"]
                if community is None or e["community_id"] == community.pk
            ],
        }
        for r in rounds
    ]


def _points(user: User, period: Period, community: Community | None) -> dict:
    year = period.last_day.year  # the year the period ends in (the last 365 days begin the year before)
    f = points_figures(user=user, year=year)
    wanted = {q for y, q in period.quarters if y == year}
    if community is not None:
        row = next((r for r in f.by_community if r["community"].pk == community.pk), None)
        return {
            "year": f.year,
            "volunteers": row["volunteers"] if row else 0,
            "issued_year": row["issued"] if row else 0,
            "redeemed_year": row["redeemed"] if row else 0,
            "hours_year": float(row["hours"]) if row else 0.0,
        }
    return {
        "year": f.year,
        "volunteers": f.volunteers_registered,
        "serving": f.volunteers_serving,
        "issued_year": sum(q["issued"] for q in f.quarters),
        "redeemed_year": sum(q["redeemed"] for q in f.quarters),
        "issued_period": sum(q["issued"] for i, q in enumerate(f.quarters, start=1) if i in wanted),
        "hours_year": float(f.hours),
    }


def report(
    *, user: User, period: Period, street: Street, community: Community | None = None, now: datetime | None = None
) -> Report:
    """Compute the outcome report of a street (or one of its communities) for a period, as the user sees it."""
    now = now or timezone.now()
    visible = communities_for(user).filter(street=street)
    communities = visible.filter(pk=community.pk) if community is not None else visible
    last_day = min(period.end - timedelta(days=1), timezone.localdate(now))
    cov = coverage(user=user, street=street, start=period.start, end=max(last_day, period.start))
    rows = [r for r in cov.communities if community is None or r.community.pk == community.pk]
    households, visited = sum(r.households for r in rows), sum(r.visited for r in rows)
    visits = {
        "households": households,
        "visited": visited,
        "coverage": percent(visited, households),
        "communities_visited": sum(1 for r in rows if r.visited),
    }
    scope_filter = {"community": community.pk} if community is not None else {"street": street.pk}

    period_rates = rates_module.rates(communities=communities, period=period, dimension="community", now=now)
    trend_period = Period("month", add_months(period.end, -TREND_MONTHS), period.end)
    trend_rates = rates_module.rates(
        communities=communities, period=trend_period, dimension="street", bucket="month", now=now
    )
    satisfaction_trend = [
        {
            "month": month.isoformat(),
            "answered": row.answered,
            "satisfaction_rate": row.satisfaction_rate,
            "resolution_rate": row.resolution_rate,
            "response_rate": row.response_rate,
        }
        for month, row in trend_rates.by_bucket.items()
    ]
    until = period.end
    survey_trend = _survey_trend(communities)
    return Report(
        period=period,
        street=street,
        community=community,
        generated_at=now,
        visits=visits,
        cases=_case_figures(communities, period),
        resolution=_resolution_figures(user, scope_filter, period, now),
        deliberation=_deliberation(user, period, community),
        points=_points(user, period, community),
        rates=period_rates.total,
        rate_groups=period_rates.groups,
        satisfaction_trend=satisfaction_trend,
        survey_trend=survey_trend,
        warnings=_warnings(communities, period),
        talent=_talent(communities, period),
        adjustments=replacement_figures(
            communities, since=date(period.last_day.year - ADJUSTMENT_YEARS, 1, 1), until=until
        ),
        external=_external(street, period) + _hotline(street, period, now) if community is None else [],
        summary=summary_figures(communities, period, survey_trend, now),
    )
