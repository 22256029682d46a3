"""The outcome report as an Excel workbook (openpyxl): one sheet of key figures, one per table."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .figures import Report

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


def summary_rows(r: Report) -> list[list]:
    """The key figures as (label, value, unit) rows, shared by the Excel sheet and the PDF."""
    d = r.as_dict()
    rates = d["rates"]
    rows = [
        ["走访住户", d["visits"]["visited"], "户"],
        ["建档住户", d["visits"]["households"], "户"],
        ["走访覆盖率", d["visits"]["coverage"], "%"],
        ["收集问题", d["cases"]["collected"], "件"],
        ["已办结", d["cases"]["resolved"], "件"],
        ["在办", d["cases"]["open"], "件"],
        ["平均办结时间", d["resolution"]["mean_days"], "天"],
        ["响应率", rates["response_rate"], "%"],
        ["解决率", rates["resolution_rate"], "%"],
        ["满意率", rates["satisfaction_rate"], "%"],
        ["有答复的回访", rates["answered"], "条"],
        ["大家小家座谈会", d["deliberation"]["meetings"], "场"],
        ["协商解决问题", d["deliberation"]["settled"], "个"],
        ["自行协商解决率", d["deliberation"]["self_resolution_rate"], "%"],
        ["党政联席会", d["deliberation"]["joint_meetings"], "次"],
        ["联席会解决难题", d["deliberation"]["joint_solved"], "个"],
        ["在册志愿者", d["points"]["volunteers"], "人"],
        ["本年发放积分", d["points"]["issued_year"], "分"],
        ["红线季度预警", d["warnings"]["total"], "次"],
        ["任期目标进度滞后", d["warnings"]["goals_behind"], "次"],
        ["后备人才", d["talent"]["total"], "人"],
        ["其中走访发现", d["talent"]["from_visits"], "人"],
        ["回引人才", d["talent"]["brought_back"], "人"],
        ["后备书记", d["talent"]["reserve_secretaries"], "人"],
        ["书记调整率", d["adjustments"]["replacement_ratio"], "%"],
        ["退出干部", d["adjustments"]["withdrew"], "人"],
    ]
    for e in d["external"]:
        rows.append([e["label"], e["value"], "件"])
        rows.append([f"{e['label']}同比", e["change"], "%"])
    return rows


def report_xlsx(r: Report) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    ws.append([f"{r.scope_name} 工作成效 · {r.period.label}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["指标", "数值", "单位"])
    for cell in ws[2]:
        cell.font = BOLD
    for row in summary_rows(r):
        ws.append(row)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 14
    d = r.as_dict()
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
