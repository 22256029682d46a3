"""A case sent to the wrong village: moved to another community or grid of its street.

Street-level officials move it directly (``case_move``). A community's officials move it between their own grids
(``case_regrid``) or hand it to another community (``case_transfer``), whose officials accept it
(``case_transfer_accept``) or send it back with a reason (``case_transfer_return``), unless the asking side takes
it back first (``case_transfer_withdraw``); until then it stays where it was and both communities see it. The
deadline never restarts: a move changes where the case is handled, not how long it may take. Each step is a
CaseEvent and an audit record, and the receiving officials are told.

Scoping follows the case's community at once (``selectors.cases_visible``): the old community loses sight of a case
moved away, except its first responder (首问负责), who stays accountable wherever it goes.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Community, Grid, Position, User
from lucun.scoping import has_role
from lucun.selectors import officials_covering
from lucun.services import audit_record

from .. import permissions
from ..audit import AuditAction
from ..models import Case, CaseEvent, CaseState, CaseTransfer
from .base import add_event, begin_move, notify

Decision = CaseTransfer.Decision


def _place(community: Community, grid: Grid | None) -> dict:
    return {"community": community.name, "grid": grid.name if grid else ""}


def _place_text(community: Community, grid: Grid | None) -> str:
    return f"{community.name} · {grid.name}" if grid else community.name


def receiving_officials(community: Community):
    """The officials told of a case sent to ``community``: its own dispatchers, else the street's."""
    positions = Position.objects.current().filter(
        Q(community=community) | Q(grid__community=community), role__in=list(permissions.DISPATCH_ROLES)
    )
    own = User.objects.filter(is_active=True, pk__in=positions.values("user")).order_by("pk")
    return list(own) or list(officials_covering(community=community, roles=permissions.DISPATCH_ROLES))


def _relocate(case: Case, community: Community, grid: Grid | None) -> list[str]:
    """Put the case in ``community``/``grid``; a handler who does not work there lets go of it. The deadline stays."""
    fields = ["community", "grid"]
    case.community, case.grid = community, grid
    if case.handler_id and not has_role(case.handler, permissions.HANDLE_ROLES, community):
        case.handler = None
        case.handler_office = ""
        fields += ["handler", "handler_office"]
        if case.state == CaseState.ACCEPTED:
            case.state = CaseState.REGISTERED  # the receiving community signs for it again
            case.accepted_at = None
            fields += ["state", "accepted_at"]
    return fields


def _check_target(case: Case, community: Community, grid: Grid | None) -> None:
    require(community.street_id == case.street_id, _("只能转到本街道的村(居)。"))
    require(grid is None or grid.community_id == community.pk, _("所选网格不属于该村(居)。"))


def _supersede_pending(case: Case, user: User, now) -> None:
    """A direct move settles a hand-over still waiting: the street decided where the case goes."""
    CaseTransfer.objects.filter(case=case, decision=Decision.PENDING).update(
        decision=Decision.SUPERSEDED, decided_by=user, decided_at=now
    )


def _record_move(case: Case, user: User, before: dict, reason: str, kind: str, action: str) -> None:
    after = _place(case.community, case.grid)
    add_event(case, kind, user, note=reason, before=before, after=after)
    audit_record(
        actor=user,
        action=action,
        obj=case,
        community=case.community,
        summary=f"{before['community']} → {_place_text(case.community, case.grid)}",
        before=before,
        after=after,
    )


@transaction.atomic
def case_move(*, case: Case, user: User, community: Community, grid: Grid | None = None, reason: str) -> Case:
    """调整村(居)或网格: a street-level official moves the case directly; the deadline does not restart."""
    case = begin_move("move", case, user)
    reason = (reason or "").strip()
    require(bool(reason), _("请填写调整原因。"))
    _check_target(case, community, grid)
    require_permission(permissions.street_wide_in(user, community), _("您无权把诉求转到该村(居)。"))
    require(
        (community.pk, grid.pk if grid else None) != (case.community_id, case.grid_id),
        _("诉求已在该村(居)和网格。"),
    )
    before = _place(case.community, case.grid)
    moved_away = community.pk != case.community_id
    case.save(update_fields=_relocate(case, community, grid))
    _supersede_pending(case, user, timezone.now())
    _record_move(case, user, before, reason, CaseEvent.Kind.MOVED, AuditAction.CASE_MOVE)
    if moved_away:
        title = _("诉求转入本村(居):%(number)s %(title)s") % {"number": case.number, "title": case.title}
        notify(case, receiving_officials(community), title, body=reason)
    if case.first_responder_id != user.pk:
        notify(
            case,
            [case.first_responder],
            _("诉求已调整到%(place)s:%(number)s") % {"place": _place_text(community, grid), "number": case.number},
        )
    return case


@transaction.atomic
def case_regrid(*, case: Case, user: User, grid: Grid, reason: str) -> Case:
    """调整网格 within the case's own community (its officials); the deadline does not restart."""
    case = begin_move("regrid", case, user)
    reason = (reason or "").strip()
    require(bool(reason), _("请填写调整原因。"))
    require(grid.community_id == case.community_id, _("只能调整到本村(居)的网格;转到其他村(居)请转交。"))
    require(grid.pk != case.grid_id, _("诉求已在该网格。"))
    before = _place(case.community, case.grid)
    case.save(update_fields=_relocate(case, case.community, grid))
    _record_move(case, user, before, reason, CaseEvent.Kind.MOVED, AuditAction.CASE_MOVE)
    return case


@transaction.atomic
def case_transfer(
    *, case: Case, user: User, community: Community, grid: Grid | None = None, reason: str
) -> CaseTransfer:
    """转交: a community official hands the case to another community, which accepts it or sends it back."""
    case = begin_move("transfer", case, user)
    reason = (reason or "").strip()
    require(bool(reason), _("请填写转交理由。"))
    _check_target(case, community, grid)
    require(community.pk != case.community_id, _("诉求已在该村(居);调整网格请用“调整网格”。"))
    transfer = CaseTransfer.objects.create(
        case=case,
        from_community=case.community,
        to_community=community,
        to_grid=grid,
        reason=reason,
        requested_by=user,
        requested_at=timezone.now(),
    )
    before = _place(case.community, case.grid)
    after = _place(community, grid)
    add_event(case, CaseEvent.Kind.TRANSFER_REQUESTED, user, note=reason, before=before, after=after)
    audit_record(
        actor=user,
        action=AuditAction.CASE_TRANSFER_REQUEST,
        obj=case,
        community=case.community,
        summary=f"{case.community.name} → {_place_text(community, grid)}",
        before=before,
        after=after,
    )
    notify(
        case,
        receiving_officials(community),
        _("%(community)s转交诉求待接收:%(number)s %(title)s")
        % {"community": case.community.name, "number": case.number, "title": case.title},
        body=reason,
    )
    return transfer


def _locked_pending(case: Case) -> CaseTransfer:
    transfer = (
        CaseTransfer.objects.select_for_update(of=("self",))
        .select_related("to_community__street", "to_grid", "from_community", "requested_by")
        .filter(case=case, decision=Decision.PENDING)
        .first()
    )
    require(transfer is not None, _("该诉求没有待接收的转交。"))
    return transfer


@transaction.atomic
def case_transfer_accept(*, case: Case, user: User, note: str = "") -> Case:
    """接收转交: the case moves to the receiving community at once; the deadline does not restart."""
    case = begin_move("transfer_accept", case, user)
    transfer = _locked_pending(case)
    note = (note or "").strip()
    now = timezone.now()
    before = _place(case.community, case.grid)
    case.save(update_fields=_relocate(case, transfer.to_community, transfer.to_grid))
    transfer.decision, transfer.decided_by, transfer.decided_at = Decision.ACCEPTED, user, now
    transfer.save(update_fields=["decision", "decided_by", "decided_at"])
    _record_move(case, user, before, note, CaseEvent.Kind.TRANSFER_ACCEPTED, AuditAction.CASE_TRANSFER_ACCEPT)
    notify(
        case,
        [transfer.requested_by, case.first_responder],
        _("%(community)s已接收转交的诉求:%(number)s") % {"community": case.community.name, "number": case.number},
        body=note,
    )
    return case


def _close_unmoved(case: Case, transfer: CaseTransfer, user: User, decision: str, note: str, kind: str) -> dict:
    """Decide a waiting transfer that leaves the case where it is (returned or withdrawn): the decision on the
    transfer and an event from the place it would have gone to; returns that place for the audit row."""
    transfer.decision, transfer.decided_by, transfer.decided_at = decision, user, timezone.now()
    transfer.decision_note = note[:300]
    transfer.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    place = _place(transfer.to_community, transfer.to_grid)
    add_event(case, kind, user, note=note, before=place, after=_place(case.community, case.grid))
    return place


@transaction.atomic
def case_transfer_return(*, case: Case, user: User, reason: str) -> CaseTransfer:
    """退回转交: the receiving community sends the case back with a reason; it stays where it was."""
    case = begin_move("transfer_return", case, user)
    transfer = _locked_pending(case)
    reason = (reason or "").strip()
    require(bool(reason), _("请填写退回理由。"))
    place = _close_unmoved(case, transfer, user, Decision.RETURNED, reason, CaseEvent.Kind.TRANSFER_RETURNED)
    audit_record(
        actor=user,
        action=AuditAction.CASE_TRANSFER_RETURN,
        obj=case,
        community=transfer.to_community,
        summary=reason[:200],
        before={"transfer": transfer.pk, **place},
        after={"decision": transfer.decision},
    )
    notify(
        case,
        # Whoever asked, and those who carry the case on where it stays (a hand-over may have changed them since).
        [transfer.requested_by, case.first_responder, case.handler],
        _("%(community)s退回了转交的诉求:%(number)s")
        % {"community": transfer.to_community.name, "number": case.number},
        body=reason,
    )
    return transfer


@transaction.atomic
def case_transfer_withdraw(*, case: Case, user: User, note: str = "") -> CaseTransfer:
    """撤回转交: the official who asked, or a dispatcher of the community that asked, takes back a hand-over the
    receiving community has not decided; the case stays where it was and the receiving community is told."""
    case = begin_move("transfer_withdraw", case, user)
    transfer = _locked_pending(case)
    note = (note or "").strip()
    place = _close_unmoved(case, transfer, user, Decision.WITHDRAWN, note, CaseEvent.Kind.TRANSFER_WITHDRAWN)
    audit_record(
        actor=user,
        action=AuditAction.CASE_TRANSFER_WITHDRAW,
        obj=case,
        community=case.community,
        summary=f"{case.community.name} ↛ {_place_text(transfer.to_community, transfer.to_grid)}",
        before={"transfer": transfer.pk, "decision": Decision.PENDING, **place},
        after={"decision": transfer.decision},
    )
    notify(
        case,
        [official for official in receiving_officials(transfer.to_community) if official.pk != user.pk],
        _("%(community)s撤回了转交的诉求:%(number)s")
        % {"community": transfer.from_community.name, "number": case.number},
        body=note,
    )
    return transfer
