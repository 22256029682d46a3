"""The outcome report as an Excel workbook (openpyxl): one sheet of key figures, one per table."""

import io

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
        rows.append([e["label"], e["value"], "件"])
        rows.append([f"{e['label']}同比", e["change"], "%"])
    return rows


def report_xlsx(doc: Document) -> bytes:
    """The report as a workbook: the summary of every section's figures, then one sheet per table."""
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    ws.append([doc.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["指标", "数值", "单位"])
    for cell in ws[2]:
        cell.font = BOLD
    for row in summary_rows(doc):
        ws.append(row)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 14
    d = doc.data
    _sheet(
        wb,
        "分级办理",
        ["办理层级", "收集", "已办结", "在办"],
        [[t["tier"], t["collected"], t["resolved"], t["open"]] for t in d["cases"]["by_tier"]],
    )
    _sheet(
        wb,
        "三率",
        ["村(居)", "应联系", "按时联系", "响应率%", "有答复回访", "已解决", "解决率%", "满意", "基本满意", "满意率%"],
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
        "逐月趋势",
        ["月份", "有答复回访", "满意率%", "解决率%", "响应率%", "办结件数", "平均办结天数"],
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
        "红线预警",
        ["红线", "预警次数", "涉及书记"],
        [[w["red_line"], w["count"], w["cadres"]] for w in d["warnings"]["by_line"]],
    )
    _sheet(wb, "后备人才", ["进展", "人数"], [[s["label"], s["count"]] for s in d["talent"]["by_stage"]])
    if d["external"]:
        _sheet(
            wb,
            "外部数据",
            ["指标", "本期", "上年同期", "同比%"],
            [[e["label"], e["value"], e["year_before"], e["change"]] for e in d["external"]],
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
