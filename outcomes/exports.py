"""The callbacks list (回访) as an Excel file: the rows of the chosen tab, within the person's scope (registered
with ``lucun.exports`` in ``OutcomesConfig.ready``)."""

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lucun import exports
from lucun.models import User
from lucun.text import mask_phone

from . import forms, selectors
from .audit import AuditAction
from .models import Callback


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


def callback_table(*, user: User, query: QueryDict) -> exports.Table:
    """The callbacks list's rows for its tab (pending unless another is chosen), in its order."""
    state = forms.callback_state(query)
    rows = selectors.callback_list(user=user, state="" if state == "all" else state)

    def cells(callback: Callback) -> list:
        case = callback.case
        return [
            case.number,
            case.title,
            callback.community.name,
            callback.round + 1,
            callback.resolved_at,
            callback.get_mode_display(),
            _responsible(callback),
            mask_phone(case.contact_phone),
            callback.attempts,
            _yes_no(callback.contacted),
            callback.get_method_display(),
            _yes_no(callback.solved),
            callback.get_satisfaction_display(),
            _("是") if callback.reopened else "",
            str(callback.recorded_by) if callback.recorded_by_id else "",
            callback.answered_at,
            callback.note,
        ]

    return exports.Table(
        title=_("回访"),
        columns=[
            _("诉求编号"),
            _("诉求标题"),
            _("村(居)"),
            _("第几次办结"),
            _("办结时间"),
            _("回访方式"),
            _("回访责任"),
            _("群众电话"),
            _("未联系上次数"),
            _("联系上"),
            _("回访形式"),
            _("问题已解决"),
            _("满意度"),
            _("发回重办"),
            _("回访人"),
            _("回访时间"),
            _("回访记录"),
        ],
        rows=rows,
        cells=cells,
        widths=[18, 30, 12, 8, 17, 12, 16, 14, 8, 8, 10, 8, 10, 8, 10, 17, 40],
    )


EXPORTERS = (
    exports.Exporter(
        kind="outcomes.callback_list",
        label=gettext_lazy("回访清单"),
        table=callback_table,
        page="outcomes:callback_list",
        action=AuditAction.CALLBACK_EXPORT,
        filename="callbacks",
    ),
)
