"""The moves of a case's life (accept, progress, assign, resolve, close, escalate, pause, resume, reopen,
cancel, supervise), and a note or a new deadline decided above the handler.

Each move locks the case and holds it to its declaration in ``cases.moves`` (``begin_move``): the states it
starts from, who may make it, the case's other conditions; what depends on the input is checked here. It then
changes the case, writes one CaseEvent, and queues its notifications after commit. A refusal is a
``DomainError``, or ``NotAllowed`` for the person (lucun.errors), with a message for the user.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, require, require_permission
from lucun.models import Notification, User

from .. import clock, permissions
from ..models import Case, CaseEvent, CaseList, CaseState, Colour, Tier
from .base import LIST_ORDER, Decision, add_event, begin_move, hours, locked, mark_red, notify, set_deadlines


@transaction.atomic
def case_accept(*, case: Case, user: User) -> Case:
    """签收: the handler (or, while nobody handles it, an official in scope who takes it) accepts the case."""
    case = begin_move("accept", case, user)
    now = timezone.now()
    case.state = CaseState.ACCEPTED
    case.accepted_at = now
    case.handler = case.handler or user
    case.save(update_fields=["state", "accepted_at", "handler"])
    add_event(case, CaseEvent.Kind.ACCEPTED, user)
    return case


@transaction.atomic
def case_record_progress(*, case: Case, user: User, note: str, contacted: bool = False) -> Case:
    """Record progress; ``contacted`` says the person was reached (counts for the response rate)."""
    case = begin_move("progress", case, user)
    require(bool(note and note.strip()), _("请填写办理进展。"))
    fields = []
    if case.state != CaseState.IN_PROGRESS:
        case.state = CaseState.IN_PROGRESS
        fields.append("state")
    if case.handler_id is None:
        case.handler = user
        fields.append("handler")
    if case.accepted_at is None:
        case.accepted_at = timezone.now()
        fields.append("accepted_at")
    if contacted and case.first_contact_at is None:
        case.first_contact_at = timezone.now()
        fields.append("first_contact_at")
    if fields:
        case.save(update_fields=fields)
    add_event(case, CaseEvent.Kind.PROGRESS, user, note=note.strip(), after={"contacted": contacted})
    return case


@transaction.atomic
def case_assign(*, case: Case, user: User, handler: User, handler_office: str = "") -> Case:
    """Name the responsible person (and office) for an open case."""
    case = begin_move("assign", case, user)
    require(handler.is_active, _("该承办人账号已停用。"))
    before = {"handler": str(case.handler or ""), "office": case.handler_office}
    case.handler = handler
    case.handler_office = handler_office or case.handler_office
    if case.state == CaseState.ACCEPTED:
        case.state = CaseState.REGISTERED  # the new handler must sign for it
        case.accepted_at = None
    case.save(update_fields=["handler", "handler_office", "state", "accepted_at"])
    add_event(
        case,
        CaseEvent.Kind.ASSIGNED,
        user,
        before=before,
        after={"handler": str(handler), "office": case.handler_office},
    )
    notify(case, [handler], _("您有新的诉求待签收:%(number)s %(title)s") % {"number": case.number, "title": case.title})
    return case


@transaction.atomic
def case_resolve(
    *, case: Case, user: User, resolution: str, public_reply: str = "", case_list: str | None = None
) -> Case:
    """办结: record the result and the public reply; the clock and the colour stop here."""
    case = begin_move("resolve", case, user)
    require(bool(resolution and resolution.strip()), _("请填写办理结果。"))
    now = timezone.now()
    before = {"state": case.state, "list": case.case_list}
    # The colour stops where it stands: the live one, as the sweep would have stored it by now.
    case.colour = clock.colour_at(
        state=case.state, colour=case.colour, due_at=case.due_at, warn_at=case.warn_at, now=now
    )
    case.state = CaseState.RESOLVED
    case.resolved_at = now
    case.resolution = resolution.strip()
    case.public_reply = (public_reply or "").strip()
    case.handler = case.handler or user
    if case_list:
        require(case_list in CaseList.values, _("清单类型无效。"))
        case.case_list = case_list
    case.save(update_fields=["state", "resolved_at", "resolution", "public_reply", "handler", "case_list", "colour"])
    add_event(
        case,
        CaseEvent.Kind.RESOLVED,
        user,
        note=case.resolution,
        before=before,
        after={
            "state": case.state,
            "list": case.case_list,
            "on_time": clock.on_time(resolved_at=now, due_at=case.due_at),
        },
    )
    if case.first_responder_id != user.pk:
        notify(case, [case.first_responder], _("诉求已办结:%(number)s") % {"number": case.number})
    from .feedback import feedback_resolved_sms  # feedback answers reopen cases through this module

    feedback_resolved_sms(case_id=case.pk)
    return case


@transaction.atomic
def case_close(*, case: Case, user: User | None = None, note: str = "") -> Case:
    """归档 a resolved case (after the callback, or by the automatic close)."""
    case = begin_move("close", case, user)
    case.state = CaseState.CLOSED
    case.closed_at = timezone.now()
    case.save(update_fields=["state", "closed_at"])
    add_event(case, CaseEvent.Kind.CLOSED, user, note=note or (_("办结后无回访,自动归档") if user is None else ""))
    return case


def cases_auto_close(*, after: timedelta = timedelta(days=7), now: datetime | None = None, limit: int = 1000) -> int:
    """Close the cases resolved more than ``after`` ago that nobody closed; return how many."""
    now = now or timezone.now()
    ids = list(
        Case.objects.filter(state=CaseState.RESOLVED, resolved_at__lte=now - after).values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for pk in ids:
        try:
            case_close(case=Case(pk=pk))
            closed += 1
        except DomainError:
            continue  # closed or reopened meanwhile
    return closed


@transaction.atomic
def case_escalate(
    *, case: Case, user: User, reason: str, tier: Tier | None = None, case_list: str | None = None
) -> Case:
    """升级: to a higher tier (the deadlines are recomputed from registration) and/or up the lists."""
    case = begin_move("escalate", case, user)
    require(bool(reason and reason.strip()), _("请填写升级理由。"))
    require(tier is not None or case_list is not None, _("请选择升级后的层级或清单。"))
    before = {"tier": case.tier.name, "list": case.case_list, "due_at": case.due_at.isoformat()}
    fields: list[str] = []
    if tier is not None and tier.pk != case.tier_id:
        require(tier.rank > case.tier.rank, _("只能升级到更高的办理层级。"))
        now = timezone.now()
        due_at, warn_at = clock.deadlines(tier, case.opened_at + case.paused_total)
        if case.extended:
            approved = case.extension_requests.filter(decision=Decision.APPROVED).first()
            if approved:
                due_at, warn_at = due_at + approved.extra_time, warn_at + approved.extra_time
        case.tier = tier
        case.notice_delay = tier.notice_after_red
        fields += ["tier", "notice_delay", *set_deadlines(case, due_at, warn_at, now)]
    if case_list is not None and case_list != case.case_list:
        require(case_list in CaseList.values, _("清单类型无效。"))
        require(LIST_ORDER.index(case_list) > LIST_ORDER.index(case.case_list), _("只能提交到上一级清单。"))
        case.case_list = case_list
        fields.append("case_list")
    require(bool(fields), _("升级后的层级或清单与当前相同。"))
    case.save(update_fields=fields)
    add_event(
        case,
        CaseEvent.Kind.ESCALATED,
        user,
        note=reason.strip(),
        before=before,
        after={"tier": case.tier.name, "list": case.case_list, "due_at": case.due_at.isoformat()},
    )
    notify(case, [case.handler, case.first_responder], _("诉求已升级:%(number)s") % {"number": case.number})
    return case


@transaction.atomic
def case_pause(*, case: Case, user: User, reason: str) -> Case:
    """暂停计时 while waiting on residents: the clock stops and the colour holds."""
    case = begin_move("pause", case, user)
    require(bool(reason and reason.strip()), _("请填写暂停原因(例如等待群众提供材料)。"))
    case.state_before_pause, case.state = case.state, CaseState.PAUSED
    case.paused_at = timezone.now()
    case.save(update_fields=["state_before_pause", "state", "paused_at"])
    add_event(case, CaseEvent.Kind.PAUSED, user, note=reason.strip())
    return case


@transaction.atomic
def case_resume(*, case: Case, user: User, note: str = "") -> Case:
    """恢复计时: the deadlines move out by the paused time."""
    case = begin_move("resume", case, user)
    now = timezone.now()
    paused_for = now - case.paused_at
    case.state = case.state_before_pause or CaseState.IN_PROGRESS
    case.state_before_pause = ""
    case.paused_total += paused_for
    case.paused_at = None
    fields = set_deadlines(case, case.due_at + paused_for, case.warn_at + paused_for, now)
    case.save(update_fields=["state", "state_before_pause", "paused_total", "paused_at", *fields])
    add_event(case, CaseEvent.Kind.RESUMED, user, note=note, after={"paused_hours": hours(paused_for)})
    return case


@transaction.atomic
def case_reopen(*, case: Case, user: User | None, reason: str) -> Case:
    """发回重办 when the person says it was not solved: a new full time limit; the second time it turns red."""
    case = begin_move("reopen", case, user)
    require(bool(reason and reason.strip()), _("请填写发回重办的原因。"))
    now = timezone.now()
    case.state = CaseState.IN_PROGRESS
    case.reopen_count += 1
    case.resolved_at = case.closed_at = None
    fields = set_deadlines(case, *clock.deadlines(case.tier, now), now)
    if clock.turns_red_on_reopen(case.reopen_count):
        case.colour, case.colour_changed_at = Colour.RED, now
        mark_red(case, now)
    case.save(update_fields=["state", "reopen_count", "resolved_at", "closed_at", *fields])
    add_event(case, CaseEvent.Kind.REOPENED, user, note=reason.strip(), after={"times": case.reopen_count})
    notify(
        case,
        [case.handler, case.first_responder],
        _("诉求被发回重办:%(number)s") % {"number": case.number},
        body=reason.strip(),
        level=Notification.Level.URGENT if case.colour == Colour.RED else Notification.Level.WARNING,
    )
    return case


@transaction.atomic
def case_cancel(*, case: Case, user: User, reason: str) -> Case:
    """撤销 with a reason; the case is kept, never deleted."""
    case = begin_move("cancel", case, user)
    require(bool(reason and reason.strip()), _("请填写撤销原因。"))
    before = {"state": case.state}
    case.state = CaseState.CANCELLED
    case.cancel_reason = reason.strip()[:300]
    case.save(update_fields=["state", "cancel_reason"])
    add_event(case, CaseEvent.Kind.CANCELLED, user, note=case.cancel_reason, before=before)
    return case


@transaction.atomic
def case_supervise(*, case: Case, user: User, note: str) -> Case:
    """Issue a supervision notice (督办单) by hand to the handler and the first responder."""
    case = begin_move("supervise", case, user)
    require(bool(note and note.strip()), _("请填写督办意见。"))
    add_event(case, CaseEvent.Kind.SUPERVISED, user, note=note.strip())
    notify(
        case,
        [case.handler, case.first_responder],
        _("督办单:%(number)s %(title)s") % {"number": case.number, "title": case.title},
        body=note.strip(),
        level=Notification.Level.URGENT,
    )
    return case


@transaction.atomic
def case_note_add(*, case: Case, user: User, note: str) -> CaseEvent:
    """备注: put a note on the case's timeline (e.g. follow-up tasks a meeting agreed), without moving it."""
    case = locked(case)
    require_permission(
        permissions.can_handle(user, case)
        or permissions.can_dispatch(user, case)
        or permissions.can_supervise(user, case),
        _("您不能在该诉求上添加备注。"),
    )
    require(bool(note and note.strip()), _("请填写备注内容。"))
    return add_event(case, CaseEvent.Kind.NOTE, user, note=note.strip())


@transaction.atomic
def case_set_deadline(*, case: Case, user: User, due_at: datetime, reason: str) -> Case:
    """调整办理期限 by a decision above the handler (a joint meeting): supervisors and street leaders only.

    The yellow threshold keeps its distance from the deadline; the colour follows the new dates.
    """
    case = locked(case)
    require(case.is_open, _("已办结或已撤销的诉求不能调整期限。"))
    require_permission(permissions.can_supervise(user, case), _("只有督办人员或街道班子成员可以调整办理期限。"))
    require(bool(reason and reason.strip()), _("请填写调整期限的依据。"))
    now = timezone.now()
    require(due_at > now, _("新的办理期限必须晚于现在。"))
    before = {"due_at": case.due_at.isoformat(), "colour": case.colour}
    fields = set_deadlines(case, due_at, clock.warn_at_for(case.tier, due_at), now)
    case.save(update_fields=fields)
    add_event(
        case,
        CaseEvent.Kind.DEADLINE_SET,
        user,
        note=reason.strip(),
        before=before,
        after={"due_at": case.due_at.isoformat(), "colour": case.colour},
    )
    notify(case, [case.handler, case.first_responder], _("办理期限已调整:%(number)s") % {"number": case.number})
    return case
