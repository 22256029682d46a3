"""Asking for more time or to hand a case back, and the configured approver's decision on either.

Who decides is configuration (``cases.models.ApprovalRule``): when a request is made, the rule for its kind, the
case's tier and the time asked names the approver's role and when the request goes to the next approver
(``approvals_escalate``). Deciding many requests at once (the inbox) is a bulk run (``lucun.bulk``) of the
one-request services.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun import bulk
from lucun.bulk.services import bulk_run_start
from lucun.errors import require, require_permission
from lucun.models import BulkRun, Notification, Role, SmsMessage, User
from lucun.selectors import officials_covering
from lucun.services import audit_record

from .. import permissions
from ..audit import AuditAction
from ..models import ApprovalKind, Case, CaseEvent, CaseState, ExtensionRequest, ReturnRequest
from ..selectors.approvals import REQUEST_MODELS, approval_row_id, approval_rule_for
from .base import Decision, add_event, begin_move, hours, locked, notify, set_deadlines


def _route(*, kind: str, case: Case, extra_time: timedelta | None, now: datetime) -> dict:
    """The routing fields of a new request, from the rule for its kind, tier and length."""
    rule = approval_rule_for(kind=kind, tier=case.tier, extra_time=extra_time)
    if rule is None:
        return {}
    routing = {"approver_role": rule.approver_role}
    if rule.escalate_after:
        routing |= {"escalate_at": now + rule.escalate_after, "escalate_to": rule.escalate_to}
    return routing


def _approvers(request) -> list[User]:
    """The officials who decide ``request`` now, the requester left out."""
    roles = permissions.approver_roles(request)
    return [
        u for u in officials_covering(community=request.case.community, roles=roles) if u.pk != request.requested_by_id
    ]


def _check_decider(request, user: User, message: str) -> None:
    require_permission(request.requested_by_id != user.pk, _("不能审批自己提出的申请。"))
    require_permission(permissions.can_decide(user, request), message)


def _refusal_reasoned(approve: bool, note: str) -> None:
    require(approve or bool(note.strip()), _("驳回申请须填写理由。"))


def _audit_decision(request, user: User, approve: bool, note: str) -> None:
    kind = _("延期申请") if isinstance(request, ExtensionRequest) else _("退回申请")
    audit_record(
        actor=user,
        action=AuditAction.APPROVAL_DECIDE,
        obj=request.case,
        community=request.case.community,
        summary=f"{request.case.number} · {kind} · {_('批准') if approve else _('驳回')}",
        after={"request": request.pk, "decision": request.decision, "note": note.strip()},
    )


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else _("督办人员或街道班子成员")


@transaction.atomic
def case_request_extension(*, case: Case, user: User, extra_time: timedelta, reason: str) -> ExtensionRequest:
    """申请延期: at most one approved extension per case, asked one at a time; the configured approver decides."""
    case = begin_move("extension", case, user)
    require(timedelta(0) < extra_time <= case.tier.time_limit, _("延期时间须大于零且不超过本层级的办理时限。"))
    require(bool(reason and reason.strip()), _("请填写延期理由。"))
    request = ExtensionRequest.objects.create(
        case=case,
        community_id=case.community_id,
        requested_by=user,
        extra_time=extra_time,
        reason=reason.strip(),
        **_route(kind=ApprovalKind.EXTENSION, case=case, extra_time=extra_time, now=timezone.now()),
    )
    add_event(
        case,
        CaseEvent.Kind.EXTENSION_REQUESTED,
        user,
        note=reason.strip(),
        after={"extra_hours": hours(extra_time), "approver_role": request.approver_role},
    )
    notify(
        case,
        _approvers(request),
        _("延期申请待审批:%(number)s") % {"number": case.number},
        body=reason.strip(),
        level=Notification.Level.WARNING,
        kind=SmsMessage.Kind.APPROVAL_REQUEST,
    )
    return request


def _successor(request: ExtensionRequest | ReturnRequest, case: Case) -> User | None:
    """The case's handler when it is no longer whoever asked: a hand-over gave the case to a successor while the
    request waited, and the successor carries the case on, so hears the decision too."""
    if case.handler_id is None or case.handler_id == request.requested_by_id:
        return None
    return case.handler


@transaction.atomic
def case_decide_extension(*, request: ExtensionRequest, user: User, approve: bool, note: str = "") -> ExtensionRequest:
    """Approve (the deadline moves out, the case is marked extended) or refuse an extension request."""
    # The case first, then the request, in the order a move takes them (a move rewrites its requests' community).
    case = locked(request.case)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    request.case = case
    require(request.decision == Decision.PENDING, _("该延期申请已审批。"))
    _check_decider(
        request,
        user,
        _("该延期申请由%(role)s审批,您不能审批。") % {"role": _role_label(request.approver_role)},
    )
    _refusal_reasoned(approve, note)
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
        [request.requested_by, _successor(request, case)],
        (_("延期申请已批准:%(number)s") if approve else _("延期申请被驳回:%(number)s")) % {"number": case.number},
        body=note,
    )
    _audit_decision(request, user, approve, note)
    return request


@transaction.atomic
def case_request_return(*, case: Case, user: User, reason: str) -> ReturnRequest:
    """申请退回: the handler says the case is not theirs; approval keeps cases from bouncing between offices."""
    case = begin_move("return", case, user)
    require(bool(reason and reason.strip()), _("请填写退回理由。"))
    request = ReturnRequest.objects.create(
        case=case,
        community_id=case.community_id,
        requested_by=user,
        reason=reason.strip(),
        **_route(kind=ApprovalKind.RETURN, case=case, extra_time=None, now=timezone.now()),
    )
    add_event(
        case, CaseEvent.Kind.RETURN_REQUESTED, user, note=reason.strip(), after={"approver_role": request.approver_role}
    )
    notify(
        case,
        _approvers(request),
        _("退回申请待审批:%(number)s") % {"number": case.number},
        body=reason.strip(),
        kind=SmsMessage.Kind.APPROVAL_REQUEST,
    )
    return request


@transaction.atomic
def case_decide_return(*, request: ReturnRequest, user: User, approve: bool, note: str = "") -> ReturnRequest:
    """Approve (the case goes back to registered with no handler, to be dispatched again) or refuse a return."""
    # The case first, then the request, in the order a move takes them (a move rewrites its requests' community).
    case = locked(request.case)
    request = ReturnRequest.objects.select_for_update().get(pk=request.pk)
    request.case = case
    require(request.decision == Decision.PENDING, _("该退回申请已审批。"))
    _check_decider(
        request,
        user,
        _("该退回申请由%(role)s审批,您不能审批。") % {"role": _role_label(request.approver_role)},
    )
    _refusal_reasoned(approve, note)
    request.decision = Decision.APPROVED if approve else Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = user, timezone.now(), note.strip()
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    successor = _successor(request, case)  # read before an approved return clears the handler
    if approve:
        before = {"handler": str(case.handler or ""), "office": case.handler_office}
        case.handler, case.handler_office = None, ""
        case.state, case.accepted_at = CaseState.REGISTERED, None
        case.save(update_fields=["handler", "handler_office", "state", "accepted_at"])
        add_event(case, CaseEvent.Kind.RETURN_APPROVED, user, note=note, before=before)
        notify(case, [case.first_responder], _("诉求已退回,请重新指派:%(number)s") % {"number": case.number})
    else:
        add_event(case, CaseEvent.Kind.RETURN_REFUSED, user, note=note)
    number = {"number": case.number}
    if approve:
        notify(case, [request.requested_by, successor], _("退回申请已批准:%(number)s") % number, body=note)
    else:
        if successor is not None:  # whoever asked has handed the case over: the one who carries it on is told to
            notify(case, [request.requested_by], _("退回申请被驳回:%(number)s") % number, body=note)
        carry_on = successor or request.requested_by
        notify(case, [carry_on], _("退回申请被驳回,请继续办理:%(number)s") % number, body=note)
    _audit_decision(request, user, approve, note)
    return request


def approvals_decide(
    *, user: User, items: list[tuple[str, int]], approve: bool, note: str = "", everything: bool = False
) -> BulkRun:
    """Approve or refuse the selected requests (``(kind, id)``), or all that wait for this person (``everything``).

    The bulk runner (``lucun.bulk``, actions ``cases.approval_approve`` and ``cases.approval_refuse``) decides each
    request through its one-request service in its own transaction: one refused (decided meanwhile, not this
    person's, out of scope — read as not found) leaves the others decided. A few are decided before this returns,
    more by a background job with progress; the run lists each request's result.
    """
    action = bulk.get("cases.approval_approve" if approve else "cases.approval_refuse")
    return bulk_run_start(
        actor=user,
        action=action,
        params={"note": note},
        ids=[approval_row_id(kind, pk) for kind, pk in items],
        everything=everything,
    )


def approvals_escalate(*, now: datetime | None = None) -> int:
    """Send the requests nobody decided in time to the next approver; return how many went.

    Each request goes once, in its own transaction, by a conditional update: two sweeps that overlap escalate it
    once, with one event and one notice to the new approvers.
    """
    now = now or timezone.now()
    moved = 0
    for kind, model in REQUEST_MODELS.items():
        due = model.objects.filter(
            decision=Decision.PENDING, escalated_at__isnull=True, escalate_at__isnull=False, escalate_at__lte=now
        ).values_list("pk", flat=True)
        for pk in list(due):
            moved += _escalate_one(kind=kind, model=model, pk=pk, now=now)
    return moved


@transaction.atomic
def _escalate_one(*, kind: str, model, pk: int, now: datetime) -> int:
    request = model.objects.select_related("case__community__street").get(pk=pk)
    # The case's lock before the request's row, in the order a move takes them (a move rewrites its requests).
    locked(request.case)
    before = request.approver_role
    updated = model.objects.filter(
        pk=pk, decision=Decision.PENDING, escalated_at__isnull=True, escalate_at__lte=now
    ).update(approver_role=F("escalate_to"), escalated_at=now)
    if not updated:
        return 0
    request.refresh_from_db(fields=["approver_role", "escalated_at"])
    case = request.case
    label = _("延期申请") if kind == ApprovalKind.EXTENSION else _("退回申请")
    add_event(
        case,
        CaseEvent.Kind.APPROVAL_ESCALATED,
        None,
        note=_("%(kind)s超时未审批,转%(role)s审批。") % {"kind": label, "role": _role_label(request.approver_role)},
        before={"approver_role": before},
        after={"approver_role": request.approver_role, "request": request.pk, "kind": kind},
    )
    notify(
        case,
        _approvers(request),
        _("%(kind)s超时未审批,转您审批:%(number)s") % {"kind": label, "number": case.number},
        body=request.reason,
        level=Notification.Level.WARNING,
        kind=SmsMessage.Kind.APPROVAL_REQUEST,  # an escalated request waits for its new approver like a new one
    )
    audit_record(
        actor=None,
        action=AuditAction.APPROVAL_ESCALATE,
        obj=case,
        community=case.community,
        summary=f"{case.number} · {label} · {_role_label(before)} → {_role_label(request.approver_role)}",
        before={"approver_role": before},
        after={"approver_role": request.approver_role, "request": request.pk, "kind": kind},
    )
    return 1
