"""Asking for more time or to hand a case back, and the supervisor's decision on either."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Notification, SmsMessage, User

from .. import permissions
from ..models import Case, CaseEvent, CaseState, ExtensionRequest, ReturnRequest
from .base import Decision, add_event, begin_move, hours, locked, notify, set_deadlines, supervisors_of


@transaction.atomic
def case_request_extension(*, case: Case, user: User, extra_time: timedelta, reason: str) -> ExtensionRequest:
    """申请延期: at most one approved extension per case, asked one at a time; a supervisor decides."""
    case = begin_move("extension", case, user)
    require(timedelta(0) < extra_time <= case.tier.time_limit, _("延期时间须大于零且不超过本层级的办理时限。"))
    require(bool(reason and reason.strip()), _("请填写延期理由。"))
    request = ExtensionRequest.objects.create(
        case=case, requested_by=user, extra_time=extra_time, reason=reason.strip()
    )
    add_event(
        case, CaseEvent.Kind.EXTENSION_REQUESTED, user, note=reason.strip(), after={"extra_hours": hours(extra_time)}
    )
    notify(
        case,
        supervisors_of(case),
        _("延期申请待审批:%(number)s") % {"number": case.number},
        body=reason.strip(),
        level=Notification.Level.WARNING,
        kind=SmsMessage.Kind.APPROVAL_REQUEST,
    )
    return request


@transaction.atomic
def case_decide_extension(*, request: ExtensionRequest, user: User, approve: bool, note: str = "") -> ExtensionRequest:
    """Approve (the deadline moves out, the case is marked extended) or refuse an extension request."""
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    case = locked(request.case)
    require(request.decision == Decision.PENDING, _("该延期申请已审批。"))
    require_permission(permissions.can_supervise(user, case), _("只有督办人员或街道班子成员可以审批延期。"))
    now = timezone.now()
    request.decision = Decision.APPROVED if approve else Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = user, now, note.strip()
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if approve:
        before = {"due_at": case.due_at.isoformat(), "colour": case.colour}
        fields = set_deadlines(case, case.due_at + request.extra_time, case.warn_at + request.extra_time, now)
        case.extended = True
        case.save(update_fields=[*fields, "extended"])
        add_event(
            case,
            CaseEvent.Kind.EXTENSION_APPROVED,
            user,
            note=note,
            before=before,
            after={"due_at": case.due_at.isoformat(), "colour": case.colour},
        )
    else:
        add_event(case, CaseEvent.Kind.EXTENSION_REFUSED, user, note=note)
    notify(
        case,
        [request.requested_by],
        (_("延期申请已批准:%(number)s") if approve else _("延期申请被驳回:%(number)s")) % {"number": case.number},
        body=note,
    )
    return request


@transaction.atomic
def case_request_return(*, case: Case, user: User, reason: str) -> ReturnRequest:
    """申请退回: the handler says the case is not theirs; approval keeps cases from bouncing between offices."""
    case = begin_move("return", case, user)
    require(bool(reason and reason.strip()), _("请填写退回理由。"))
    request = ReturnRequest.objects.create(case=case, requested_by=user, reason=reason.strip())
    add_event(case, CaseEvent.Kind.RETURN_REQUESTED, user, note=reason.strip())
    notify(
        case,
        supervisors_of(case),
        _("退回申请待审批:%(number)s") % {"number": case.number},
        body=reason.strip(),
        kind=SmsMessage.Kind.APPROVAL_REQUEST,
    )
    return request


@transaction.atomic
def case_decide_return(*, request: ReturnRequest, user: User, approve: bool, note: str = "") -> ReturnRequest:
    """Approve (the case goes back to registered with no handler, to be dispatched again) or refuse a return."""
    request = ReturnRequest.objects.select_for_update().get(pk=request.pk)
    case = locked(request.case)
    require(request.decision == Decision.PENDING, _("该退回申请已审批。"))
    require_permission(permissions.can_supervise(user, case), _("只有督办人员或街道班子成员可以审批退回。"))
    request.decision = Decision.APPROVED if approve else Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = user, timezone.now(), note.strip()
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if approve:
        before = {"handler": str(case.handler or ""), "office": case.handler_office}
        case.handler, case.handler_office = None, ""
        case.state, case.accepted_at = CaseState.REGISTERED, None
        case.save(update_fields=["handler", "handler_office", "state", "accepted_at"])
        add_event(case, CaseEvent.Kind.RETURN_APPROVED, user, note=note, before=before)
        notify(case, [case.first_responder], _("诉求已退回,请重新指派:%(number)s") % {"number": case.number})
    else:
        add_event(case, CaseEvent.Kind.RETURN_REFUSED, user, note=note)
    notify(
        case,
        [request.requested_by],
        (_("退回申请已批准:%(number)s") if approve else _("退回申请被驳回,请继续办理:%(number)s"))
        % {"number": case.number},
        body=note,
    )
    return request
