"""Callbacks (回访): created for every resolution by a periodic job, recorded by the staff.

The cases app has no hook for this app: the job finds, in one statement, the resolved cases that have
no callback for their current resolution round and inserts them in bulk; a case it did not reach gets its
callback by hand (``callback_create_for_case``, 生成回访), made by the same two steps. "Not solved" or 不满意
reopens the case through the cases service (发回重办); a second reopening turns it red there.

A callback is made by someone independent of the case (``outcomes.independence``): the job assigns it to a
person of the configured pool, never the case's handler or first responder, and neither of them may be given
it by hand or record it.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions as case_permissions
from cases.models import Case, CaseState
from cases.services import case_close, case_reopen
from lucun.errors import DomainError, require, require_permission
from lucun.models import User
from lucun.services import audit_record, notification_bulk_send
from visits.models import VisitAssignment, VisitRequest

from .. import permissions
from ..audit import AuditAction
from ..independence import Pool, case_people, dependence
from ..models import Callback, ContactMethod, Satisfaction
from ..selectors import CALLBACK_CASE_STATES, anonymous_q, cases_without_callback

NOT_INDEPENDENT = "not_independent"  # the code of the refusal when someone would call back their own case

# Cases resolved longer ago than this when the job first sees them get no callback (history before install).
CALLBACK_WINDOW = timedelta(days=30)


def _callback_values(cases: QuerySet[Case], *, today: date) -> QuerySet:
    """What the callback of each case is made from, read in one query: its round, community, handler and first
    responder, and its team — the one whose visit raised the case, else the team last assigned to the community
    (for the figures by team)."""
    return cases.annotate(
        visit_team=Subquery(VisitRequest.objects.filter(case=OuterRef("pk")).values("log__team")[:1]),
        rota_team=Subquery(
            VisitAssignment.objects.filter(community=OuterRef("community"), starts_on__lte=today)
            .order_by("-starts_on")
            .values("team")[:1]
        ),
        anonymous=ExpressionWrapper(anonymous_q(), output_field=BooleanField()),
    ).values(
        "pk",
        "reopen_count",
        "community_id",
        "resolved_at",
        "handler_id",
        "first_responder_id",
        "handler_office",
        "visit_team",
        "rota_team",
        "anonymous",
    )


def _callbacks_build(rows: list[dict], *, stamp: datetime) -> list[Callback]:
    """The unsaved callbacks of these cases (``_callback_values``). An anonymous sender's callback is their own
    answer; a staff callback goes to the person of the pool with the fewest callbacks waiting, never the case's
    handler or first responder (``outcomes.independence``); with nobody in the pool it waits to be assigned."""
    pool = Pool(r["community_id"] for r in rows if not r["anonymous"])
    callbacks = []
    for r in rows:
        team = r["visit_team"] or r["rota_team"]
        assignee = (
            None
            if r["anonymous"]
            else pool.choose(
                community_id=r["community_id"],
                team_id=team,
                exclude={pk for pk in (r["handler_id"], r["first_responder_id"]) if pk},
            )
        )
        callbacks.append(
            Callback(
                case_id=r["pk"],
                round=r["reopen_count"],
                community_id=r["community_id"],
                resolved_at=r["resolved_at"],
                mode=Callback.Mode.ANONYMOUS if r["anonymous"] else Callback.Mode.STAFF,
                team_id=team,
                assignee_id=assignee,
                office=r["handler_office"],
                created_at=stamp,
            )
        )
    return callbacks


def callbacks_create(*, now: datetime | None = None, window: timedelta = CALLBACK_WINDOW) -> int:
    """Create the missing callbacks for resolved cases, set-based; return how many were created.

    Each is made as ``callback_create_for_case`` makes one (``_callback_values``, ``_callbacks_build``), for the
    cases resolved within ``window``, oldest first, at most 2,000 a run.
    """
    now = now or timezone.now()
    missing = cases_without_callback().filter(resolved_at__gte=now - window).order_by("resolved_at")
    rows = list(_callback_values(missing, today=timezone.localdate(now))[:2000])
    if not rows:
        return 0
    stamp = timezone.now()
    Callback.objects.bulk_create(
        _callbacks_build(rows, stamp=stamp),
        ignore_conflicts=True,  # a concurrent run inserted some: the unique (case, round) keeps one
        batch_size=1000,
    )
    created = list(
        Callback.objects.filter(created_at=stamp, mode=Callback.Mode.STAFF, assignee__isnull=False)
        .select_related("case")
        .only("pk", "case__number", "case__title", "assignee_id")
    )
    notification_bulk_send(messages=[_assigned_message(callback, callback.assignee_id) for callback in created])
    return len(rows)


@transaction.atomic
def callback_create_for_case(*, case: Case, actor: User) -> Callback:
    """生成回访: make by hand the callback of one resolved case that has none for its current resolution — one the
    periodic job did not reach (resolved before its window, or before it ran) — as the job makes it.

    Refused: a person who may not make callbacks in the case's community (the supervisor and the street leaders
    may), a case not resolved, a case that already has its callback (nothing is written twice).
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("community").get(pk=case.pk)
    require_permission(
        permissions.can_create_callback(actor, case.community),
        _("只有纪工委或街道班子成员可以为%(community)s的诉求生成回访。") % {"community": case.community.name},
    )
    require(
        case.state in CALLBACK_CASE_STATES and case.resolved_at is not None,
        _("诉求 %(number)s %(state)s,尚未办结,不能生成回访。")
        % {"number": case.number, "state": case.get_state_display()},
        code="not_resolved",
    )
    exists = _("诉求 %(number)s 本次办结已有回访,无需再生成。") % {"number": case.number}
    require(not Callback.objects.filter(case=case, round=case.reopen_count).exists(), exists, code="callback_exists")
    today = timezone.localdate()
    rows = list(_callback_values(Case.objects.filter(pk=case.pk), today=today))
    [callback] = _callbacks_build(rows, stamp=timezone.now())
    callback.case = case
    try:
        with transaction.atomic():
            callback.save(force_insert=True)
    except IntegrityError as exc:  # the job made it meanwhile: the unique (case, round) keeps one
        raise DomainError(exists, code="callback_exists") from exc
    audit_record(
        actor=actor,
        action=AuditAction.CALLBACK_CREATE,
        obj=callback,
        community=case.community,
        summary=case.number,
        after={"round": callback.round, "mode": callback.mode, "assignee": callback.assignee_id},
    )
    if callback.assignee_id:
        notification_bulk_send(messages=[_assigned_message(callback, callback.assignee_id)])
    return callback


def callback_created_summary(callback: Callback) -> str:
    """What a person who made a callback by hand is told: who will call back, or why nobody needs to."""
    if callback.mode == Callback.Mode.ANONYMOUS:
        return _("已生成回访:匿名反馈的诉求由群众凭查询码自评。")
    if callback.assignee_id:
        return _("已生成回访,由 %(name)s 回访。") % {"name": callback.assignee}
    return _("已生成回访,回访人员库中暂无可指派的人员,待指派。")


def _assigned_message(callback: Callback, recipient_id: int) -> dict:
    return {
        "recipient_id": recipient_id,
        "title": _("待回访:%(number)s %(title)s") % {"number": callback.case.number, "title": callback.case.title},
        "url": callback.get_absolute_url(),
        "dedupe_key": f"callback:{callback.pk}",
    }


def _pending(callback: Callback) -> None:
    require(callback.mode == Callback.Mode.STAFF, _("匿名反馈的诉求由群众凭查询码自行评价,无需干部回访。"))
    require(callback.answered_at is None, _("该回访已记录,不能修改。"))
    require(callback.case.reopen_count == callback.round, _("该诉求已发回重办,本轮回访已失效。"))


@transaction.atomic
def callback_assign(*, callback: Callback, user: User, assignee: User, note: str = "") -> Callback:
    """Give a waiting callback to a person of the pool; never to the case's handler or first responder."""
    callback = Callback.objects.select_for_update(of=("self",)).select_related("case", "community").get(pk=callback.pk)
    require_permission(
        permissions.can_assign_callback(user, callback.community), _("只有纪工委或街道班子成员可以指派回访人员。")
    )
    _pending(callback)
    case = callback.case
    if assignee.pk in case_people(case):
        role = _("承办人") if assignee.pk == case.handler_id else _("首问责任人")
        raise DomainError(
            _("%(name)s是诉求 %(number)s 的%(role)s,不能回访自己办理的诉求。请从回访人员库中另选与该诉求无关的人员。")
            % {"name": assignee, "number": case.number, "role": role},
            code=NOT_INDEPENDENT,
        )
    pool = Pool([callback.community_id])
    members = pool.members(community_id=callback.community_id, team_id=callback.team_id)
    require(
        assignee.pk in members,
        _("%(name)s不在%(community)s的回访人员库中(纪工委督办人员、其他走访队伍队员等,可在后台配置),请另选。")
        % {"name": assignee, "community": callback.community.name},
    )
    require(assignee.pk != callback.assignee_id, _("该回访已由%(name)s负责。") % {"name": assignee})
    before = callback.assignee_id
    callback.assignee = assignee
    callback.save(update_fields=["assignee"])
    audit_record(
        actor=user,
        action=AuditAction.CALLBACK_ASSIGN,
        obj=callback,
        community=callback.community,
        summary=f"{case.number} → {assignee}",
        before={"assignee": before},
        after={"assignee": assignee.pk, "note": (note or "").strip()},
    )
    notification_bulk_send(messages=[_assigned_message(callback, assignee.pk)])
    return callback


@transaction.atomic
def callback_record(
    *,
    callback: Callback,
    user: User,
    contacted: bool,
    method: str,
    solved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
    close_case: bool = True,
) -> Callback:
    """Record a staff callback. Not reached: an attempt is counted and the callback stays open.

    Reached: the answer is final. Not solved or 不满意 reopens the case (发回重办); solved and satisfied
    (or basically satisfied) closes a case still awaiting its callback, when ``close_case``.
    """
    callback = Callback.objects.select_for_update().select_related("case", "community").get(pk=callback.pk)
    _pending(callback)
    require_permission(permissions.can_record_callback(user, callback.community), _("您的职务不能回访该村(居)的诉求。"))
    case = callback.case
    if reason := dependence(user, case):
        raise DomainError(
            _("%(reason)s,不能回访自己办理的诉求:回访须由与该诉求无关的人员进行。") % {"reason": reason},
            code=NOT_INDEPENDENT,
        )
    require(method in ContactMethod.values, _("请选择回访形式。"))
    now = timezone.now()
    callback.method = method
    callback.note = (note or "").strip()
    callback.recorded_by = user
    if not contacted:
        callback.contacted = False
        callback.attempts += 1
        callback.save(update_fields=["contacted", "attempts", "method", "note", "recorded_by"])
        audit_record(
            actor=user,
            action=AuditAction.CALLBACK_UNREACHED,
            obj=callback,
            community=callback.community,
            summary=case.number,
        )
        return callback
    require(solved is not None, _("请选择问题是否解决。"))
    require(satisfaction in Satisfaction.values, _("请选择满意度。"))
    callback.contacted, callback.solved, callback.satisfaction = True, bool(solved), satisfaction
    callback.answered_at = now
    reopen = not solved or satisfaction == Satisfaction.DISSATISFIED
    callback.reopened = reopen
    callback.save(
        update_fields=[
            "contacted",
            "solved",
            "satisfaction",
            "answered_at",
            "method",
            "note",
            "recorded_by",
            "reopened",
        ]
    )
    audit_record(
        actor=user,
        action=AuditAction.CALLBACK_RECORD,
        obj=callback,
        community=callback.community,
        summary=f"{case.number} {Satisfaction(satisfaction).label}",
        after={"solved": bool(solved), "satisfaction": satisfaction, "method": method},
    )
    actor = user if case_permissions.can_dispatch(user, case) else None
    if reopen:
        reason = _("回访:%(solved)s,%(satisfaction)s。%(note)s") % {
            "solved": _("问题已解决") if solved else _("问题没有解决"),
            "satisfaction": Satisfaction(satisfaction).label,
            "note": callback.note,
        }
        case_reopen(case=case, user=actor, reason=reason)
    elif close_case and case.state == CaseState.RESOLVED:
        case_close(case=case, user=actor, note=_("回访%(s)s,归档") % {"s": Satisfaction(satisfaction).label})
    return callback


def callback_close_case(*, callback: Callback, user: User) -> Case:
    """归档 the case of an answered callback by hand (when it was not closed on recording)."""
    require(callback.answered_at is not None or callback.mode == Callback.Mode.ANONYMOUS, _("请先完成回访。"))
    return case_close(case=callback.case, user=user, note=_("回访完成,归档"))


def q_pending() -> Q:
    return Q(mode=Callback.Mode.STAFF, answered_at__isnull=True, round=F("case__reopen_count"))
