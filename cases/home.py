"""The cases app's panels on the home page (lucun.home): the scope's colours, my cases, approvals waiting,
hand-overs from other communities waiting."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lucun.home import Figure, Panel, Row, count_panel, first_rows
from lucun.scoping import has_role

from . import selectors
from .models import Colour
from .permissions import APPROVE_ROLES, DASHBOARD_ROLES, OPEN_ROLES, SUPERVISE_ROLES, dispatches_for_a_community

COLOUR_LABELS = {
    Colour.RED: lambda: _("红色 · 超时"),
    Colour.YELLOW: lambda: _("黄色 · 预警"),
    Colour.GREEN: lambda: _("绿色 · 正常"),
}
COLOUR_ORDER = (Colour.RED, Colour.YELLOW, Colour.GREEN)


def _due(case) -> str:
    return _("%(when)s 到期") % {"when": formats.date_format(timezone.localtime(case.due_at), "m-d H:i")}


def _request_kinds(case) -> str:
    kinds = []
    if case.extension_pending:
        kinds.append(_("申请延期"))
    if case.return_pending:
        kinds.append(_("申请退回"))
    return " · ".join(kinds)


def _case_row(case, note: str) -> Row:
    return Row(label=f"{case.number} {case.title}", url=case.get_absolute_url(), note=note, tone=case.live_colour)


def _colour_figures(*, key: str, counts: dict, page: str, query: dict | None = None) -> tuple[Figure, ...]:
    """One figure a colour, red first, each opening ``page`` filtered to its colour (and ``query``)."""
    return tuple(
        Figure(
            key=f"{key}-{colour}",
            label=COLOUR_LABELS[colour](),
            count=counts[colour],
            url=f"{page}?{urlencode({**(query or {}), 'colour': colour})}",
            tone=colour,
        )
        for colour in COLOUR_ORDER
    )


def scope_colours(*, user, now) -> Panel | None:
    """A supervisor's or street leader's first panel: open cases of their communities by colour."""
    if not has_role(user, SUPERVISE_ROLES):
        return None
    totals = selectors.open_colour_totals(user=user, now=now)
    more = (_("打开三色督办"), reverse("cases:dashboard")) if has_role(user, DASHBOARD_ROLES) else None
    return Panel(
        key="scope-colours",
        title=_("辖区三色督办"),
        figures=_colour_figures(key="scope", counts=totals, page=reverse("cases:case_list"), query={"state": "open"}),
        empty=_("辖区内没有未办结的诉求。"),
        more=more,
        lead=True,
    )


def my_cases(*, user, now) -> Panel | None:
    """The official's own open cases by colour, and the ones due soonest."""
    if not has_role(user, OPEN_ROLES):
        return None
    counts = selectors.my_work_colours(user=user, now=now)
    mine = reverse("cases:my_work")
    rows = ()
    if any(counts.values()):
        rows = first_rows(selectors.my_work(user=user, now=now), lambda case: _case_row(case, _due(case)))
    return Panel(
        key="my-cases",
        title=_("我的待办诉求"),
        figures=_colour_figures(key="mine", counts=counts, page=mine),
        empty=_("您没有待办的诉求。"),
        rows=rows,
        more=(_("全部待办"), mine),
    )


def approvals(*, user, now) -> Panel | None:
    """Extension and return requests waiting for this official's decision (who decides is configuration)."""
    if not has_role(user, APPROVE_ROLES):
        return None
    return count_panel(
        key="approvals",
        title=_("待我审批"),
        label=_("延期、退回申请"),
        url=reverse("cases:approvals"),
        items=selectors.approvals_waiting(user=user, now=now),
        row=lambda case: _case_row(case, _request_kinds(case)),
        empty=_("没有待您审批的延期或退回申请。"),
    )


def transfers(*, user, now) -> Panel | None:
    """Cases other communities handed to the community this official works in: accept or send back.

    Street-level officials, who may decide them too, find them on their work page (``?view=incoming``).
    """
    if not dispatches_for_a_community(user):
        return None
    return count_panel(
        key="transfers",
        title=_("待接收的转交"),
        label=_("其他村(居)转交的诉求"),
        url=reverse("cases:my_work") + "?view=incoming",
        items=selectors.transfers_waiting(user=user, now=now),
        row=lambda case: _case_row(case, _("%(community)s转交") % {"community": case.transfer_from}),
        empty=_("没有待接收的转交。"),
    )


def register_panels() -> None:
    from lucun import home

    home.register("scope-colours", scope_colours, order=0)
    home.register("my-cases", my_cases, order=10)
    home.register("approvals", approvals, order=20)
    home.register("transfers", transfers, order=25)
