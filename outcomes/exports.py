"""The callbacks list (回访) as an Excel file: the rows of the chosen tab, within the person's scope; and the 12345
hotline's results sheet (registered with ``lucun.exports`` in ``OutcomesConfig.ready``)."""

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cases.permissions import DASHBOARD_ROLES
from lucun import exports
from lucun.exports.columns import Column, column_table
from lucun.models import User
from lucun.scoping import has_role
from lucun.text import mask_phone

from . import forms, selectors
from .audit import AuditAction
from .models import Callback, Satisfaction


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("是") if value else _("否")


def _responsible(callback: Callback) -> str:
    if callback.mode == Callback.Mode.ANONYMOUS:
        return _("群众凭查询码自评")
    if callback.assignee_id:
        return str(callback.assignee)
    return _("待指派")


CALLBACK_COLUMNS = (
    Column(_("诉求编号"), "case.number", 18),
    Column(_("诉求标题"), "case.title", 30),
    Column(_("村(居)"), "community.name"),
    Column(_("第几次办结"), lambda callback: callback.round + 1, 8),
    Column(_("办结时间"), "resolved_at", 17),
    Column(_("回访方式"), "get_mode_display"),
    Column(_("回访责任"), _responsible, 16),
    Column(_("群众电话"), lambda callback: mask_phone(callback.case.contact_phone), 14),
    Column(_("未联系上次数"), "attempts", 8),
    Column(_("联系上"), lambda callback: _yes_no(callback.contacted), 8),
    Column(_("回访形式"), "get_method_display", 10),
    Column(_("问题已解决"), lambda callback: _yes_no(callback.solved), 8),
    Column(_("满意度"), "get_satisfaction_display", 10),
    Column(_("发回重办"), lambda callback: _("是") if callback.reopened else "", 8),
    Column(_("回访人"), lambda callback: str(callback.recorded_by) if callback.recorded_by_id else "", 10),
    Column(_("回访时间"), "answered_at", 17),
    Column(_("回访记录"), "note", 40),
)


def callback_table(*, user: User, query: QueryDict) -> exports.Table:
    """The callbacks list's rows for its tab (pending unless another is chosen), in its order."""
    state = forms.callback_state(query)
    rows = selectors.callback_list(user=user, state="" if state == "all" else state)
    return column_table(title=_("回访"), rows=rows, columns=CALLBACK_COLUMNS)


EXPORTERS = (
    exports.Exporter(
        kind="outcomes.callback_list",
        label=_("回访清单"),
        table=callback_table,
        page="outcomes:callback_list",
        action=AuditAction.CALLBACK_EXPORT,
        filename="callbacks",
    ),
)


# --- 12345: results back in the hotline's layout ------------------------------------------------------------------

# The hotline's own column names, in Chinese whatever language the official reads: its platform imports the sheet.
HOTLINE_HEADERS = ("工单编号", "办理结果", "办结时间", "回访情况", "满意度")


def _callback_state(order) -> str:
    """回访情况 of the order's latest callback, in the words the hotline's sheet uses."""
    if order.case.resolved_at is None:
        return ""
    if order.cb_answered_at is not None:
        return _("已回访:问题已解决") if order.cb_solved else _("已回访:问题未解决")
    if order.cb_attempts:
        return _("未联系上(%(n)d次)") % {"n": order.cb_attempts}
    return _("待回访") if order.cb_exists else ""


SATISFACTION_LABELS = dict(Satisfaction.choices)

HOTLINE_COLUMNS = (
    Column(HOTLINE_HEADERS[0], "number", 20),
    Column(HOTLINE_HEADERS[1], lambda order: order.case.resolution if order.case.resolved_at else "", 50),
    Column(HOTLINE_HEADERS[2], "case.resolved_at", 17),
    Column(HOTLINE_HEADERS[3], _callback_state, 18),
    Column(HOTLINE_HEADERS[4], lambda order: SATISFACTION_LABELS.get(order.cb_satisfaction or "", ""), 10),
)


def hotline_table(*, user: User, query: QueryDict) -> exports.Table:
    """The hotline orders accepted in a period (``from`` and ``to``, dates; this month by default) within the
    person's scope, with each case's result and its latest callback, as the hotline's results sheet lays them out."""
    if not has_role(user, DASHBOARD_ROLES):
        raise PermissionDenied
    start, end = forms.hotline_period(query)
    rows = selectors.hotline_results(user=user, start=start, end=end)
    return column_table(title=_("12345 办理结果"), rows=rows, columns=HOTLINE_COLUMNS)


EXPORTERS = (
    *EXPORTERS,
    exports.Exporter(
        kind="outcomes.hotline_results",
        label=_("12345 办理结果"),
        table=hotline_table,
        page="outcomes:hotline_results",
        action=AuditAction.HOTLINE_EXPORT,
        filename="hotline-results",
    ),
)
