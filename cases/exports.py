"""The case list and the feedback queue as Excel files, and the case list's cases as printed case sheets (a PDF):
the rows the page shows, built by the page's own form and selector (registered with ``lucun.exports`` in
``CasesConfig.ready``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from lucun import exports
from lucun.errors import require
from lucun.exports.columns import Column, column_table
from lucun.models import User
from lucun.scoping import communities_for, has_role
from lucun.text import mask_phone

from . import forms, printing, selectors
from .audit import AuditAction
from .models import Colour
from .services.feedback import TRIAGE_ROLES

COLOUR_NAMES = dict(Colour.choices)


def _name(user) -> str:
    return str(user) if user is not None else ""


CASE_COLUMNS = (
    Column(_("编号"), "number", 18),
    Column(_("标题"), "title", 36),
    Column(_("村(居)"), "community.name"),
    Column(_("网格"), "grid.name"),
    Column(_("类别"), "category.display_name"),
    Column(_("层级"), "tier.display_name", 10),
    Column(_("清单"), "get_case_list_display"),
    Column(_("状态"), "get_state_display", 10),
    Column(_("督办颜色"), lambda case: COLOUR_NAMES.get(case.live_colour_value, "") if case.is_open else "", 8),
    Column(_("来源"), "get_source_display", 10),
    Column(_("登记时间"), "opened_at", 17),
    Column(_("办理期限"), "due_at", 17),
    Column(_("首问责任人"), lambda case: _name(case.first_responder), 10),
    Column(_("承办人"), lambda case: _name(case.handler), 10),
    Column(_("承办单位"), "handler_office", 14),
    Column(_("群众"), "contact_name", 10),
    Column(_("群众电话"), lambda case: mask_phone(case.contact_phone), 14),
    Column(_("办结时间"), "resolved_at", 17),
)

FEEDBACK_COLUMNS = (
    Column(_("收到时间(整点)"), "received_at", 17),
    Column(_("状态"), "get_state_display", 10),
    Column(_("村(居)"), "community.name"),
    Column(_("类别"), lambda item: item.category.display_name if item.category else _("其他"), 10),
    Column(_("渠道"), lambda item: item.channel.label if item.channel else _("无渠道"), 18),
    Column(_("反映内容"), "shareable_text", 60),
    Column(_("照片"), "photo_count", 6),
    Column(_("希望回复"), lambda item: _("是") if item.reply_phone else _("否"), 8),
    Column(_("回复电话"), lambda item: mask_phone(item.reply_phone), 14),
    Column(_("诉求编号"), "case.number", 18),
    Column(_("处理说明"), "state_reason", 24),
)


def case_table(*, user: User, query: QueryDict) -> exports.Table:
    """The case list's rows: its filters (open cases unless a state is chosen), its scope, its order."""
    filters = forms.case_list_filter_form(user=user, data=query).filters()
    rows = selectors.case_list(user=user, filters=filters).select_related("grid")
    return column_table(title=_("诉求清单"), rows=rows, columns=CASE_COLUMNS)


def feedback_table(*, user: User, query: QueryDict) -> exports.Table:
    """The feedback queue's rows, for the positions that triage it (403 for others, as the page)."""
    if not has_role(user, TRIAGE_ROLES):
        raise PermissionDenied
    communities = communities_for(user).order_by("sort_order", "name")
    filters = forms.QueueFilterForm(query or None, communities=communities).filters()
    rows = selectors.feedback_queue(user=user, filters=filters)
    return column_table(title=_("群众反馈"), rows=rows, columns=FEEDBACK_COLUMNS)


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
    label=_("PDF 文件"),
    unit=_("份"),
    write=_sheets_write,
)
SHEETS_KIND = "cases.case_sheets"

EXPORTERS = (
    exports.Exporter(
        kind="cases.case_list",
        label=_("诉求清单"),
        table=case_table,
        page="cases:case_list",
        action=AuditAction.CASE_EXPORT,
        filename="cases",
    ),
    exports.Exporter(
        kind="cases.feedback_queue",
        label=_("群众反馈"),
        table=feedback_table,
        page="cases:feedback_queue",
        action=AuditAction.FEEDBACK_EXPORT,
        filename="feedback",
    ),
    exports.Exporter(
        kind=SHEETS_KIND,
        label=_("诉求办理单"),
        table=sheet_table,
        page="cases:case_list",
        action=AuditAction.CASE_SHEETS_PRINT,
        filename="case-sheets",
        format=SHEETS_PDF,
        direct_max=sheets_direct_max,
        check=sheets_check,
    ),
)
