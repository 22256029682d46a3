"""The outcome report as an Excel workbook (openpyxl): one sheet of key figures, one per table."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .layout import Document

BOLD = Font(bold=True)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append(row)
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(max(10, width * 2), 60)


def summary_rows(doc: Document) -> list[list]:
    """The key figures as (label, value, unit) rows: every section's figures, then the external figures."""
    rows = [[f.label, f.value, f.unit_text] for section in doc.sections for f in section.figures]
    for e in doc.data.get("external", []):
        rows.append([e["label"], e["value"], _("件")])
        rows.append([_("%(label)s同比") % {"label": e["label"]}, e["change"], "%"])
    return rows


def report_xlsx(doc: Document) -> bytes:
    """The report as a workbook: the summary of every section's figures, then one sheet per table."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("概要")
    ws.append([doc.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("指标"), _("数值"), _("单位")])
    for cell in ws[2]:
        cell.font = BOLD
    for row in summary_rows(doc):
        ws.append(row)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 14
    d = doc.data
    _sheet(
        wb,
        _("分级办理"),
        [_("办理层级"), _("收集"), _("已办结"), _("在办")],
        [[t["tier"], t["collected"], t["resolved"], t["open"]] for t in d["cases"]["by_tier"]],
    )
    _sheet(
        wb,
        _("三率"),
        [
            _("村(居)"),
            _("应联系"),
            _("按时联系"),
            _("响应率%"),
            _("有答复回访"),
            _("已解决"),
            _("解决率%"),
            _("满意"),
            _("基本满意"),
            _("满意率%"),
        ],
        [
            [
                g["name"],
                g["judged"],
                g["on_time"],
                g["response_rate"],
                g["answered"],
                g["solved"],
                g["resolution_rate"],
                g["satisfied"],
                g["basically"],
                g["satisfaction_rate"],
            ]
            for g in d["rate_groups"]
        ],
    )
    _sheet(
        wb,
        _("逐月趋势"),
        [_("月份"), _("有答复回访"), _("满意率%"), _("解决率%"), _("响应率%"), _("办结件数"), _("平均办结天数")],
        [
            [
                s["month"][:7],
                s["answered"],
                s["satisfaction_rate"],
                s["resolution_rate"],
                s["response_rate"],
                t["count"],
                t["mean_days"],
            ]
            for s, t in zip(d["satisfaction_trend"], d["resolution"]["trend"], strict=False)
        ],
    )
    _sheet(
        wb,
        _("红线预警"),
        [_("红线"), _("预警次数"), _("涉及书记")],
        [[w["red_line"], w["count"], w["cadres"]] for w in d["warnings"]["by_line"]],
    )
    _sheet(wb, _("后备人才"), [_("进展"), _("人数")], [[s["label"], s["count"]] for s in d["talent"]["by_stage"]])
    if d["external"]:
        _sheet(
            wb,
            _("外部数据"),
            [_("指标"), _("本期"), _("上年同期"), _("同比%")],
            [[e["label"], e["value"], e.get("note") or e["year_before"], e["change"]] for e in d["external"]],
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
