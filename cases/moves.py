"""The moves of a case's life, each declared once: who may make it, from which states, with which input.

A ``Move`` says everything about one move that does not depend on what the person types: its label, the
states it starts from, who may make it (``cases.permissions``), the other conditions the case must meet (no
pending request, not extended before), the form the case page shows, the serializer the API reads, the
service it calls and what the API documents. The service checks the declaration under its row lock
(``Move.check``), the case page offers exactly the moves whose declaration accepts the person and the case
(``Move.accepts``, the same check), and the API makes one view per move from it. What depends on the input
(a reason given, the days asked for, a higher tier chosen) stays in the service.

Not a state-machine library (django-fsm and its kind): their transitions change a model instance in memory
and save it, while a move here reloads the case under a row lock first, writes an event and notices, takes
its own input, and several moves keep the state or go back to where it was (progress, supervise, resume).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lucun.errors import DomainError, require, require_permission

from . import permissions
from .models import OPEN_STATES, RUNNING_STATES, Case, CaseState, CaseTransfer, ExtensionRequest

PENDING = ExtensionRequest.Decision.PENDING


@dataclass(frozen=True)
class Precondition:
    """A condition on the case alone that a move needs, and what the person reads when it fails."""

    holds: Callable[[Case], bool]
    message: Promise


def _nothing(_given) -> dict:
    return {}


@dataclass(frozen=True)
class Move:
    """One move of a case: what it needs, the input it takes on the page and in the API, the service it calls.

    ``form``, ``serializer`` and ``service`` name a class of ``cases.forms``, of ``cases.api.serializers`` and a
    function of ``cases.services``: by name, because the services read this module to guard themselves.
    """

    name: str
    label: Promise
    states: tuple[str, ...]
    state_refused: Promise
    who: Callable[[Any, Case], bool]
    who_refused: Promise
    service: str
    form: str
    serializer: str
    arguments: Callable[[Mapping], dict] = _nothing  # the service's keyword arguments from the checked input
    preconditions: tuple[Precondition, ...] = ()
    form_kwargs: Callable[[Case], dict] = _nothing  # what the form needs to know of the case
    summary: Promise | None = None  # the API's summary when it says more than the label
    danger: bool = False
    by_system: bool = False  # the system (no user) may make it: the automatic close, the callback's reopen

    def check_who(self, user, case: Case) -> None:
        """Refuse the person (``NotAllowed``) unless they may make this move on this case."""
        require_permission(self.by_system if user is None else self.who(user, case), self.who_refused)

    def check(self, user, case: Case) -> None:
        """Refuse the move unless the case's state, the person and the case's other conditions allow it."""
        require(case.state in self.states, self.state_refused)
        self.check_who(user, case)
        for precondition in self.preconditions:
            require(precondition.holds(case), precondition.message)

    def accepts(self, user, case: Case) -> bool:
        """Tell whether ``check`` lets the move through: the page offers the move exactly then."""
        try:
            self.check(user, case)
        except DomainError:  # NotAllowed too
            return False
        return True

    @property
    def form_class(self) -> type:
        return getattr(import_module("cases.forms"), self.form)

    @property
    def serializer_class(self) -> type:
        return getattr(import_module("cases.api.serializers"), self.serializer)

    def make_form(self, case: Case, data=None):
        """The move's form on the case page, prefixed with the move's name."""
        return self.form_class(data, prefix=self.name, **self.form_kwargs(case))

    def run(self, *, case: Case, user, data: Mapping):
        """Make the move with the checked input of its form or serializer."""
        service = getattr(import_module("cases.services"), self.service)
        return service(case=case, user=user, **self.arguments(data))


def _handles_or_dispatches(user, case: Case) -> bool:
    return permissions.can_handle(user, case) or permissions.can_dispatch(user, case)


def _is_handler(user, case: Case) -> bool:
    return case.handler_id == user.pk


def _handlers(case: Case) -> dict:
    from .selectors import handlers_for

    return {"handlers": handlers_for(community=case.community)}


NOT_EXTENDED = Precondition(lambda case: not case.extended, _("该诉求已延期过一次,不能再次延期。"))
NO_PENDING_EXTENSION = Precondition(
    lambda case: not case.extension_requests.filter(decision=PENDING).exists(), _("已有待审批的延期申请。")
)
NO_PENDING_RETURN = Precondition(
    lambda case: not case.return_requests.filter(decision=PENDING).exists(), _("已有待审批的退回申请。")
)


def pending_transfer(case: Case) -> CaseTransfer | None:
    """The hand-over of this case waiting for the receiving community, if any."""
    return (
        case.transfers.filter(decision=CaseTransfer.Decision.PENDING)
        .select_related("to_community__street", "to_grid", "from_community", "requested_by")
        .first()
    )


def _receives(user, case: Case) -> bool:
    transfer = pending_transfer(case)
    return transfer is not None and permissions.can_receive(user, transfer.to_community)


def _withdraws(user, case: Case) -> bool:
    transfer = pending_transfer(case)
    return transfer is not None and permissions.can_withdraw_transfer(user, transfer)


NO_PENDING_TRANSFER = Precondition(
    lambda case: not case.transfers.filter(decision=CaseTransfer.Decision.PENDING).exists(),
    _("该诉求已转交其他村(居),正在等待对方接收。"),
)


def _street_places(case: Case) -> dict:
    return {"street": case.street}


def _grids(case: Case) -> dict:
    return {"community": case.community}


def _take(*keys: str) -> Callable[[Mapping], dict]:
    return lambda data: {key: data[key] for key in keys}


# In the order the case page offers them.
_DECLARED = (
    # A case handed over by another community: the receiving community's officials decide first.
    Move(
        name="transfer_accept",
        label=_("接收转交"),
        summary=_("接收其他村(居)转交的诉求"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能接收。"),
        who=_receives,
        who_refused=_("只有接收村(居)的干部可以接收或退回转交的诉求。"),
        service="case_transfer_accept",
        arguments=_take("note"),
        form="NoteForm",
        serializer="NoteSerializer",
    ),
    Move(
        name="transfer_return",
        label=_("退回转交"),
        summary=_("退回其他村(居)转交的诉求"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能退回。"),
        who=_receives,
        who_refused=_("只有接收村(居)的干部可以接收或退回转交的诉求。"),
        service="case_transfer_return",
        arguments=_take("reason"),
        form="ReasonForm",
        serializer="ReasonSerializer",
    ),
    # ... and the community that asked may take it back while it waits.
    Move(
        name="transfer_withdraw",
        label=_("撤回转交"),
        summary=_("撤回尚未被接收的转交"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能撤回转交。"),
        who=_withdraws,
        who_refused=_("只有转交人或转出村(居)的干部可以撤回等待接收的转交。"),
        service="case_transfer_withdraw",
        arguments=_take("note"),
        form="NoteForm",
        serializer="NoteSerializer",
    ),
    Move(
        name="accept",
        label=_("签收"),
        states=(CaseState.REGISTERED,),
        state_refused=_("只有已登记的诉求可以签收。"),
        who=permissions.can_handle,
        who_refused=_("您不是该诉求的承办人,不能签收。"),
        service="case_accept",
        form="EmptyForm",
        serializer="NoteSerializer",
    ),
    Move(
        name="progress",
        label=_("记录进展"),
        summary=_("记录办理进展"),
        states=RUNNING_STATES,
        state_refused=_("该诉求当前状态不能记录进展。"),
        who=permissions.can_handle,
        who_refused=_("只有承办人可以记录办理进展。"),
        service="case_record_progress",
        arguments=_take("note", "contacted"),
        form="ProgressForm",
        serializer="ProgressSerializer",
    ),
    Move(
        name="resolve",
        label=_("办结"),
        states=RUNNING_STATES,
        state_refused=_("该诉求当前状态不能办结(暂停中的诉求请先恢复计时)。"),
        who=_handles_or_dispatches,
        who_refused=_("您不能办结该诉求。"),
        service="case_resolve",
        arguments=_take("resolution", "public_reply", "case_list"),
        form="ResolveForm",
        form_kwargs=lambda case: {"initial": {"case_list": case.case_list}},
        serializer="ResolveSerializer",
    ),
    Move(
        name="assign",
        label=_("指派承办人"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能再指派。"),
        who=permissions.can_dispatch,
        who_refused=_("您的职务不能指派该诉求。"),
        service="case_assign",
        arguments=_take("handler", "handler_office"),
        form="AssignForm",
        form_kwargs=_handlers,
        serializer="AssignSerializer",
    ),
    Move(
        name="move",
        label=_("调整村(居)或网格"),
        summary=_("把诉求直接调整到本街道的其他村(居)或网格(街道人员)"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能调整村(居)。"),
        who=permissions.can_move,
        who_refused=_("只有街道人员可以直接调整诉求所属村(居);村(居)干部请转交。"),
        service="case_move",
        arguments=lambda data: {"community": data["community"], "grid": data.get("grid"), "reason": data["reason"]},
        form="MoveForm",
        form_kwargs=_street_places,
        serializer="MoveSerializer",
    ),
    Move(
        name="transfer",
        label=_("转交其他村(居)"),
        summary=_("转交其他村(居),由对方接收或退回"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能转交。"),
        who=permissions.can_transfer,
        who_refused=_("您的职务不能转交该诉求。"),
        preconditions=(NO_PENDING_TRANSFER,),
        service="case_transfer",
        arguments=lambda data: {"community": data["community"], "grid": data.get("grid"), "reason": data["reason"]},
        form="TransferForm",
        form_kwargs=lambda case: {"street": case.street, "exclude": case.community},
        serializer="MoveSerializer",
    ),
    Move(
        name="regrid",
        label=_("调整网格"),
        summary=_("把诉求调整到本村(居)的其他网格"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能调整网格。"),
        who=permissions.can_transfer,
        who_refused=_("您的职务不能调整该诉求的网格。"),
        service="case_regrid",
        arguments=_take("grid", "reason"),
        form="RegridForm",
        form_kwargs=_grids,
        serializer="RegridSerializer",
    ),
    Move(
        name="extension",
        label=_("申请延期"),
        states=OPEN_STATES,
        state_refused=_("该诉求已办结或已撤销,不能申请延期。"),
        who=permissions.can_handle,
        who_refused=_("只有承办人可以申请延期。"),
        preconditions=(NOT_EXTENDED, NO_PENDING_EXTENSION),
        service="case_request_extension",
        arguments=lambda data: {"extra_time": timedelta(days=data["days"]), "reason": data["reason"]},
        form="ExtensionForm",
        serializer="ExtensionAskSerializer",
    ),
    Move(
        name="return",
        label=_("申请退回"),
        states=RUNNING_STATES,
        state_refused=_("该诉求当前状态不能申请退回。"),
        who=_is_handler,
        who_refused=_("只有承办人可以申请退回。"),
        preconditions=(NO_PENDING_RETURN,),
        service="case_request_return",
        arguments=_take("reason"),
        form="ReasonForm",
        serializer="ReasonSerializer",
    ),
    Move(
        name="escalate",
        label=_("升级"),
        summary=_("升级层级或清单"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能升级。"),
        who=permissions.can_dispatch,
        who_refused=_("您的职务不能升级该诉求。"),
        service="case_escalate",
        # The page's "(unchanged)" choice is an empty text, the API's an absent or null field.
        arguments=lambda data: {
            "reason": data["reason"],
            "tier": data.get("tier"),
            "case_list": data.get("case_list") or None,
        },
        form="EscalateForm",
        form_kwargs=lambda case: {"case": case},
        serializer="EscalateSerializer",
    ),
    Move(
        name="pause",
        label=_("暂停计时"),
        states=RUNNING_STATES,
        state_refused=_("该诉求当前状态不能暂停计时。"),
        who=_handles_or_dispatches,
        who_refused=_("您不能暂停该诉求。"),
        service="case_pause",
        arguments=_take("reason"),
        form="ReasonForm",
        serializer="ReasonSerializer",
    ),
    Move(
        name="resume",
        label=_("恢复计时"),
        states=(CaseState.PAUSED,),
        state_refused=_("该诉求没有暂停。"),
        who=_handles_or_dispatches,
        who_refused=_("您不能恢复该诉求。"),
        service="case_resume",
        arguments=_take("note"),
        form="NoteForm",
        serializer="NoteSerializer",
    ),
    Move(
        name="supervise",
        label=_("督办"),
        states=OPEN_STATES,
        state_refused=_("只能督办未办结的诉求。"),
        who=permissions.can_supervise,
        who_refused=_("只有督办人员或街道班子成员可以督办。"),
        service="case_supervise",
        arguments=_take("note"),
        form="SuperviseForm",
        serializer="RequiredNoteSerializer",
    ),
    Move(
        name="close",
        label=_("归档"),
        states=(CaseState.RESOLVED,),
        state_refused=_("只有已办结的诉求可以归档。"),
        who=permissions.can_dispatch,
        who_refused=_("您不能归档该诉求。"),
        by_system=True,
        service="case_close",
        arguments=_take("note"),
        form="NoteForm",
        serializer="NoteSerializer",
    ),
    Move(
        name="reopen",
        label=_("发回重办"),
        states=(CaseState.RESOLVED, CaseState.CLOSED),
        state_refused=_("只有已办结的诉求可以发回重办。"),
        who=permissions.can_dispatch,
        who_refused=_("您不能发回重办该诉求。"),
        by_system=True,
        service="case_reopen",
        arguments=_take("reason"),
        form="ReasonForm",
        serializer="ReasonSerializer",
        danger=True,
    ),
    Move(
        name="cancel",
        label=_("撤销"),
        states=OPEN_STATES,
        state_refused=_("已办结或已撤销的诉求不能撤销。"),
        who=permissions.can_dispatch,
        who_refused=_("您的职务不能撤销该诉求。"),
        service="case_cancel",
        arguments=_take("reason"),
        form="ReasonForm",
        serializer="ReasonSerializer",
        danger=True,
    ),
)

MOVES: dict[str, Move] = {move.name: move for move in _DECLARED}


def moves_open_to(user, case: Case) -> list[Move]:
    """Return the moves this person may make on this case now, in the page's order."""
    return [move for move in MOVES.values() if move.accepts(user, case)]
