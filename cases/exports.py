"""The case list and the feedback queue as Excel files, and the case list's cases as printed case sheets (a PDF):
the rows the page shows, built by the page's own form and selector (registered with ``lucun.exports`` in
``CasesConfig.ready``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lucun import exports
from lucun.errors import require
from lucun.models import User
from lucun.scoping import communities_for, has_role
from lucun.text import mask_phone

from . import forms, printing, selectors
from .audit import AuditAction
from .models import Colour
from .services.feedback import TRIAGE_ROLES


def _name(user) -> str:
    return str(user) if user is not None else ""


def case_table(*, user: User, query: QueryDict) -> exports.Table:
    """The case list's rows: its filters (open cases unless a state is chosen), its scope, its order."""
    filters = forms.case_list_filter_form(user=user, data=query).filters()
    rows = selectors.case_list(user=user, filters=filters).select_related("grid")
    colours = dict(Colour.choices)

    def cells(case) -> list:
        return [
            case.number,
            case.title,
            case.community.name,
            case.grid.name if case.grid else "",
            case.category.name,
            case.tier.name,
            case.get_case_list_display(),
            case.get_state_display(),
            str(colours.get(case.live_colour_value, "")) if case.is_open else "",
            case.get_source_display(),
            case.opened_at,
            case.due_at,
            _name(case.first_responder),
            _name(case.handler),
            case.handler_office,
            case.contact_name,
            mask_phone(case.contact_phone),
            case.resolved_at,
        ]

    return exports.Table(
        title=_("诉求清单"),
        columns=[
            _("编号"),
            _("标题"),
            _("村(居)"),
            _("网格"),
            _("类别"),
            _("层级"),
            _("清单"),
            _("状态"),
            _("督办颜色"),
            _("来源"),
            _("登记时间"),
            _("办理期限"),
            _("首问责任人"),
            _("承办人"),
            _("承办单位"),
            _("群众"),
            _("群众电话"),
            _("办结时间"),
        ],
        rows=rows,
        cells=cells,
        widths=[18, 36, 12, 12, 12, 10, 12, 10, 8, 10, 17, 17, 10, 10, 14, 10, 14, 17],
    )


def feedback_table(*, user: User, query: QueryDict) -> exports.Table:
    """The feedback queue's rows, for the positions that triage it (403 for others, as the page)."""
    if not has_role(user, TRIAGE_ROLES):
        raise PermissionDenied
    communities = communities_for(user).order_by("sort_order", "name")
    filters = forms.QueueFilterForm(query or None, communities=communities).filters()
    rows = selectors.feedback_queue(user=user, filters=filters)

    def cells(item) -> list:
        return [
            item.received_at,
            item.get_state_display(),
            item.community.name,
            item.category.name if item.category else _("其他"),
            item.channel.label if item.channel else _("无渠道"),
            item.shareable_text,
            item.photo_count,
            _("是") if item.reply_phone else _("否"),
            mask_phone(item.reply_phone),
            item.case.number if item.case else "",
            item.state_reason,
        ]

    return exports.Table(
        title=_("群众反馈"),
        columns=[
            _("收到时间(整点)"),
            _("状态"),
            _("村(居)"),
            _("类别"),
            _("渠道"),
            _("反映内容"),
            _("照片"),
            _("希望回复"),
            _("回复电话"),
            _("诉求编号"),
            _("处理说明"),
        ],
        rows=rows,
        cells=cells,
        widths=[17, 10, 12, 10, 18, 60, 6, 8, 14, 18, 24],
    )


def sheet_table(*, user: User, query: QueryDict) -> exports.Table:
    """The cases to print as case sheets: the ticked ones (``number``, repeated) among all the person may see, else
    the case list's filtered cases in its order."""
    numbers = [n.strip() for n in query.getlist("number") if n.strip()]
    filters = forms.case_list_filter_form(user=user, data=query).filters()
    rows = selectors.case_sheets(user=user, filters=filters, numbers=numbers or None)
    return exports.Table(title=_("诉求办理单"), columns=[], rows=rows, cells=lambda case: case)


def _sheets_write(out, table: exports.Table, *, on_rows=None, site: str = "") -> int:
    on_page = (lambda done, _total: on_rows(done)) if on_rows is not None else None
    total = exports.row_count(table)
    return printing.case_sheets_file(out, exports.rows_of(table), total=total, site=site, on_page=on_page)


def sheets_check(count: int) -> None:
    """Refuse to print no case at all, or more than one file holds (LUCUN_CASE_SHEETS_JOB_MAX)."""
    require(count > 0, _("没有符合条件的诉求可以打印。"), code="nothing_to_print")
    limit = settings.LUCUN_CASE_SHEETS_JOB_MAX
    require(
        count <= limit,
        _("一次最多打印 %(limit)d 份办理单,当前筛选出 %(count)d 件。请增加筛选条件(如村居、状态、颜色)后再打印。")
        % {"limit": limit, "count": count},
        code="too_many_sheets",
    )


def sheets_direct_max() -> int:
    """The most case sheets printed at once, in the request; more are made in the background."""
    return settings.LUCUN_CASE_SHEETS_MAX


SHEETS_PDF = exports.FileFormat(
    extension="pdf",
    content_type="application/pdf",
    label=gettext_lazy("PDF 文件"),
    unit=gettext_lazy("份"),
    write=_sheets_write,
)
SHEETS_KIND = "cases.case_sheets"

EXPORTERS = (
    exports.Exporter(
        kind="cases.case_list",
        label=gettext_lazy("诉求清单"),
        table=case_table,
        page="cases:case_list",
        action=AuditAction.CASE_EXPORT,
        filename="cases",
    ),
    exports.Exporter(
        kind="cases.feedback_queue",
        label=gettext_lazy("群众反馈"),
        table=feedback_table,
        page="cases:feedback_queue",
        action=AuditAction.FEEDBACK_EXPORT,
        filename="feedback",
    ),
    exports.Exporter(
        kind=SHEETS_KIND,
        label=gettext_lazy("诉求办理单"),
        table=sheet_table,
        page="cases:case_list",
        action=AuditAction.CASE_SHEETS_PRINT,
        filename="case-sheets",
        format=SHEETS_PDF,
        direct_max=sheets_direct_max,
        check=sheets_check,
    ),
)
