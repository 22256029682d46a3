"""Cadres: the quarterly red-line computation, recorded red lines, term goals and adjustments."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseEvent, ConductViolation
from lucun.errors import require, require_permission
from lucun.models import Community, Notification, Position, Role, Street, User
from lucun.selectors import officials_by_community
from lucun.services import audit_record, notification_bulk_send
from visits.models import Household, VisitLog

from .. import permissions
from ..audit import AuditAction
from ..models import (
    SECRETARY_TITLE,
    CadreAdjustment,
    GoalProgress,
    GoalReview,
    QuarterlyWarning,
    RedLine,
    RedLineRun,
    TermGoal,
)
from ..periods import Period
from ..rates import rates

Metric = RedLine.Metric


def secretaries(*, communities, period: Period) -> dict[int, int]:
    """Return {community id: user id} of each community's party secretary in office at the period's end.

    The secretary is a community cadre whose position title contains 书记 (村党组织书记, 社区党委书记).
    """
    positions = (
        Position.objects.filter(role=Role.COMMUNITY_CADRE, title__contains=SECRETARY_TITLE, community__in=communities)
        .filter(Q(started_on__isnull=True) | Q(started_on__lt=period.end))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .order_by("community_id", "started_on", "pk")
        .values_list("community_id", "user_id")
    )
    result: dict[int, int] = {}
    for community_id, user_id in positions:
        result[community_id] = user_id  # the latest start wins: the one in office at the end
    return result


@dataclass
class Measure:
    value: Decimal | None
    base: int
    text: str


def measure(*, communities, period: Period) -> dict[str, dict[int, Measure]]:
    """Measure every measurable red line for each community in the period, in a fixed number of queries."""
    ids = list(communities.values_list("pk", flat=True))
    result: dict[str, dict[int, Measure]] = {m: {} for m in Metric.values if m != Metric.RECORDED}
    r = rates(communities=communities, period=period, dimension="community")
    by_community = {g["id"]: g["total"] for g in r.groups}
    for pk in ids:
        row = by_community.get(pk)
        value = row.satisfaction_rate if row else None
        base = row.answered if row else 0
        result[Metric.SATISFACTION_BELOW][pk] = Measure(
            Decimal(str(value)) if value is not None else None,
            base,
            _("满意率 %(v)s%%(有答复的回访 %(n)d 条)") % {"v": value if value is not None else "—", "n": base},
        )
    start, end = period.start_at, period.end_at
    red = dict(
        CaseEvent.objects.filter(case__community__in=ids, at__gte=start, at__lt=end)
        .filter(Q(kind=CaseEvent.Kind.TURNED_RED) | Q(kind=CaseEvent.Kind.REOPENED, after__times__gte=2))
        .order_by()
        .values("case__community")
        .annotate(n=Count("pk"))
        .values_list("case__community", "n")
    )
    violations = dict(
        ConductViolation.objects.filter(community__in=ids, occurred_on__gte=period.start, occurred_on__lt=period.end)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    coverage = {
        row["community"]: row
        for row in Household.objects.filter(community__in=ids)
        .annotate(
            seen=Exists(VisitLog.objects.filter(household=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end))
        )
        .order_by()
        .values("community")
        .annotate(households=Count("pk"), visited=Count("pk", filter=Q(seen=True)))
    }
    for pk in ids:
        n = red.get(pk, 0)
        result[Metric.RED_CASES_OVER][pk] = Measure(Decimal(n), n, _("诉求转红 %(n)d 次") % {"n": n})
        n = violations.get(pk, 0)
        result[Metric.VIOLATIONS_OVER][pk] = Measure(Decimal(n), n, _("负面清单问题 %(n)d 起") % {"n": n})
        row = coverage.get(pk, {"households": 0, "visited": 0})
        value = round(100 * row["visited"] / row["households"], 1) if row["households"] else None
        result[Metric.COVERAGE_BELOW][pk] = Measure(
            Decimal(str(value)) if value is not None else None,
            row["households"],
            _("走访覆盖率 %(v)s%%(%(seen)d / %(all)d 户)")
            % {"v": value if value is not None else "—", "seen": row["visited"], "all": row["households"]},
        )
    return result


def breached(red_line: RedLine, m: Measure) -> bool:
    """Tell whether a measured value breaches the red line (see each metric's label)."""
    if m.value is None or m.base < red_line.min_base:
        return False
    if red_line.metric in (Metric.SATISFACTION_BELOW, Metric.COVERAGE_BELOW):
        return m.value < red_line.threshold
    return m.value > red_line.threshold


def require_complete_quarter(year: int, quarter: int, *, what: str) -> Period:
    """Refuse a judgement on a quarter that has not ended: red lines and term goals are judged on whole quarters."""
    require(1 <= quarter <= 4, _("季度须为 1 到 4。"))
    period = Period.quarter(year, quarter)
    require(
        period.is_complete(),
        _("%(period)s尚未结束:%(what)s按完整季度判定,进行中的季度只显示暂定数据,季度结束后再办理。")
        % {"period": period.label, "what": what},
        code="quarter_running",
    )
    return period


def redlines_evaluate(*, street: Street, year: int, quarter: int, now=None) -> RedLineRun:
    """Compute the measured red lines of a street's communities for one complete quarter; record each breach once.

    A breach becomes a 季度预警 on the party secretary's record, and the secretary and the street's
    supervisors are told. Safe to run again: a warning already recorded is kept, not duplicated. A quarter
    still running is refused: its figures are provisional (``redlines_measure_provisional``) and warn nobody.
    """
    period = require_complete_quarter(year, quarter, what=_("红线"))
    communities = Community.objects.filter(street=street)
    lines = list(RedLine.objects.active().exclude(metric=Metric.RECORDED))
    measures = measure(communities=communities, period=period)
    heads = secretaries(communities=communities, period=period)
    names = dict(communities.values_list("pk", "name"))
    stamp = timezone.now()
    candidates = []
    for line in lines:
        for community_id, m in measures[line.metric].items():
            if community_id in heads and breached(line, m):
                candidates.append(
                    QuarterlyWarning(
                        red_line=line,
                        cadre_id=heads[community_id],
                        community_id=community_id,
                        year=year,
                        quarter=quarter,
                        source=QuarterlyWarning.Source.COMPUTED,
                        value=m.value,
                        threshold=line.threshold,
                        evidence=_("%(period)s %(text)s,触及红线“%(line)s”(阈值 %(t)s)。")
                        % {
                            "period": period.label,
                            "text": m.text,
                            "line": line.display_name,
                            "t": format(line.threshold.normalize(), "f"),
                        },
                        created_at=stamp,
                    )
                )
    with transaction.atomic():
        QuarterlyWarning.objects.bulk_create(candidates, ignore_conflicts=True)
        new = list(
            QuarterlyWarning.objects.filter(
                created_at=stamp, year=year, quarter=quarter, community__street=street
            ).select_related("red_line")
        )
        run = RedLineRun.objects.create(
            street=street,
            year=year,
            quarter=quarter,
            warnings=len(new),
            figures={
                metric: {names[pk]: (str(m.value) if m.value is not None else None) for pk, m in per.items()}
                for metric, per in measures.items()
            },
        )
        _notify_warnings(new, names)
    return run


def _notify_warnings(warnings: list[QuarterlyWarning], names: dict[int, str]) -> None:
    """Tell the secretary and the supervisors of the community, once per warning and person."""
    if not warnings:
        return
    supervisors = officials_by_community(
        community_ids=sorted({w.community_id for w in warnings}), roles=[Role.SUPERVISOR]
    )
    messages = []
    for warning in warnings:
        title = _("季度预警:%(community)s %(period)s 触及红线“%(line)s”") % {
            "community": names.get(warning.community_id, ""),
            "period": f"{warning.year}Q{warning.quarter}",
            "line": warning.red_line.display_name,
        }
        url = reverse("outcomes:cadre_record", args=[warning.community_id])
        recipients = {warning.cadre_id, *supervisors.get(warning.community_id, [])}
        messages += [
            {
                "recipient_id": r,
                "title": title,
                "body": warning.evidence,
                "url": url,
                "level": Notification.Level.WARNING,
                "dedupe_key": f"quarterly-warning:{warning.pk}",
            }
            for r in recipients
        ]
    notification_bulk_send(messages=messages)


def redlines_evaluate_due(*, today: date | None = None) -> int:
    """Run the computation for the quarter just ended, once per street; return the streets computed."""
    today = today or timezone.localdate()
    this = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    last = this.previous()
    done = set(
        RedLineRun.objects.filter(year=last.start.year, quarter=last.quarter_number).values_list("street_id", flat=True)
    )
    count = 0
    for street in Street.objects.exclude(pk__in=done):
        redlines_evaluate(street=street, year=last.start.year, quarter=last.quarter_number)
        count += 1
    return count


@transaction.atomic
def warning_record(
    *, user: User, red_line: RedLine, community: Community, year: int, quarter: int, evidence: str
) -> QuarterlyWarning:
    """Record a red line the data cannot measure (e.g. collective economy last), with evidence."""
    require_permission(permissions.can_supervise(user, community), _("只有纪工委或街道班子成员可以记录红线。"))
    require_complete_quarter(year, quarter, what=_("红线"))
    require(bool(evidence and evidence.strip()), _("请填写依据。"))
    heads = secretaries(communities=Community.objects.filter(pk=community.pk), period=Period.quarter(year, quarter))
    require(community.pk in heads, _("该村(居)在该季度没有登记党组织书记的职务,无法记录。"))
    require(
        not QuarterlyWarning.objects.filter(
            red_line=red_line, community=community, cadre_id=heads[community.pk], year=year, quarter=quarter
        ).exists(),
        _("该季度已记录过这条红线。"),
    )
    warning = QuarterlyWarning.objects.create(
        red_line=red_line,
        cadre_id=heads[community.pk],
        community=community,
        year=year,
        quarter=quarter,
        source=QuarterlyWarning.Source.RECORDED,
        threshold=red_line.threshold if red_line.is_measured else None,
        evidence=evidence.strip(),
        recorded_by=user,
    )
    audit_record(actor=user, action=AuditAction.WARNING_RECORD, obj=warning, community=community, summary=str(red_line))
    _notify_warnings([warning], {community.pk: community.name})
    return warning


@transaction.atomic
def goal_create(
    *, user: User, community: Community, title: str, term_start: int, term_end: int, target: str = ""
) -> TermGoal:
    require_permission(permissions.can_supervise(user, community), _("只有纪工委或街道班子成员可以设定任期目标。"))
    require(bool(title and title.strip()), _("请填写目标。"))
    require(term_end >= term_start, _("任期结束年不能早于开始年。"))
    order = TermGoal.objects.filter(community=community).count()
    goal = TermGoal.objects.create(
        community=community,
        title=title.strip(),
        target=target.strip(),
        term_start=term_start,
        term_end=term_end,
        sort_order=order,
        created_by=user,
    )
    audit_record(actor=user, action=AuditAction.GOAL_CREATE, obj=goal, community=community, summary=goal.title)
    return goal


@transaction.atomic
def goal_progress_record(
    *, user: User, goal: TermGoal, year: int, quarter: int, percent: int, status: str, note: str
) -> GoalProgress:
    """Record a goal's progress for a quarter; 进度滞后 is the goal's quarterly warning.

    The quarter running is provisional (暂定): its progress may be reported and corrected until the quarter
    ends, and warns nobody meanwhile; a complete quarter's progress is reported once and then stands.
    """
    require_permission(permissions.can_record_progress(user, goal.community), _("您的职务不能填报该村(居)的目标进展。"))
    require(goal.term_start <= year <= goal.term_end, _("该年度不在目标的任期内。"))
    require(1 <= quarter <= 4, _("季度须为 1 到 4。"))
    period = Period.quarter(year, quarter)
    require(period.has_started(), _("%(period)s尚未开始,不能填报进展。") % {"period": period.label})
    require(0 <= percent <= 100, _("完成进度须在 0 到 100 之间。"))
    require(status in GoalProgress.Status.values, _("请选择状态。"))
    require(bool(note and note.strip()), _("请填写进展说明。"))
    progress = GoalProgress.objects.select_for_update().filter(goal=goal, year=year, quarter=quarter).first()
    before = None
    if progress is not None:
        require(not period.is_complete(), _("该季度的进展已填报。"))
        before = {"percent": progress.percent, "status": progress.status, "note": progress.note}
        progress.percent, progress.status, progress.note, progress.recorded_by = percent, status, note.strip(), user
        progress.save(update_fields=["percent", "status", "note", "recorded_by"])
    else:
        progress = GoalProgress.objects.create(
            goal=goal, year=year, quarter=quarter, percent=percent, status=status, note=note.strip(), recorded_by=user
        )
    audit_record(
        actor=user,
        action=AuditAction.GOAL_PROGRESS_RECORD,
        obj=progress,
        community=goal.community,
        summary=f"{year}Q{quarter} {percent}%" + ("" if period.is_complete() else _("(暂定)")),
        before=before,
        after={"percent": percent, "status": status},
    )
    return progress


@transaction.atomic
def goal_review_record(*, user: User, goal: TermGoal, year: int, result: str, evidence: str) -> GoalReview:
    """年度对账: the goal met, partly met or missed in the year, with evidence; once per goal and year."""
    require_permission(permissions.can_supervise(user, goal.community), _("只有纪工委或街道班子成员可以年度对账。"))
    require(result in GoalReview.Result.values, _("请选择对账结果。"))
    require(bool(evidence and evidence.strip()), _("请填写依据。"))
    require(goal.term_start <= year <= goal.term_end, _("该年度不在目标的任期内。"))
    require(
        Period.year(year).is_complete(),
        _("%(year)d年尚未结束:年度对账按完整的四个季度判定,请在年度结束后进行。") % {"year": year},
        code="quarter_running",
    )
    require(not GoalReview.objects.filter(goal=goal, year=year).exists(), _("该目标本年度已对账。"))
    review = GoalReview.objects.create(goal=goal, year=year, result=result, evidence=evidence.strip(), recorded_by=user)
    audit_record(
        actor=user,
        action=AuditAction.GOAL_REVIEW_RECORD,
        obj=review,
        community=goal.community,
        summary=f"{year} {result}",
    )
    return review


@transaction.atomic
def adjustment_record(
    *,
    user: User,
    community: Community,
    kind: str,
    person_name: str,
    position_title: str,
    effective_on: date,
    reason: str,
    person: User | None = None,
) -> CadreAdjustment:
    """Record a replacement, a withdrawal or an appointment; the replacement ratio is computed from these."""
    require_permission(permissions.can_supervise(user, community), _("只有纪工委或街道班子成员可以记录干部调整。"))
    require(kind in CadreAdjustment.Kind.values, _("请选择调整类型。"))
    require(bool(person_name and person_name.strip()), _("请填写姓名。"))
    require(bool(position_title and position_title.strip()), _("请填写职务。"))
    require(bool(reason and reason.strip()), _("请填写原因。"))
    require(effective_on <= timezone.localdate(), _("日期不能晚于今天。"))
    adjustment = CadreAdjustment.objects.create(
        community=community,
        kind=kind,
        person_name=person_name.strip(),
        person=person,
        position_title=position_title.strip(),
        effective_on=effective_on,
        reason=reason.strip(),
        recorded_by=user,
    )
    audit_record(
        actor=user, action=AuditAction.ADJUSTMENT_RECORD, obj=adjustment, community=community, summary=str(adjustment)
    )
    return adjustment
