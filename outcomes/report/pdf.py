"""The outcome report as a PDF (reportlab), with the CJK font embedded so it prints anywhere."""

import io

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lucun.printing import cjk_font

from .figures import Report
from .xlsx import summary_rows


def _trend_drawing(r: Report, font: str) -> Drawing:
    points = [
        (i, row["satisfaction_rate"])
        for i, row in enumerate(r.satisfaction_trend)
        if row["satisfaction_rate"] is not None
    ]
    drawing = Drawing(170 * mm, 55 * mm)
    drawing.add(String(0, 50 * mm, "满意率逐月趋势(%)", fontName=font, fontSize=9))
    if len(points) >= 2:
        plot = LinePlot()
        plot.x, plot.y, plot.width, plot.height = 12 * mm, 6 * mm, 150 * mm, 40 * mm
        plot.data = [points]
        plot.lines[0].strokeColor = colors.HexColor("#a11d21")
        plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0, max(len(r.satisfaction_trend) - 1, 1)
        plot.xValueAxis.labels.fontName = plot.yValueAxis.labels.fontName = font
        plot.xValueAxis.valueSteps = list(range(len(r.satisfaction_trend)))
        labels = [row["month"][5:7] for row in r.satisfaction_trend]
        plot.xValueAxis.labelTextFormat = lambda v: labels[int(v)] if 0 <= int(v) < len(labels) else ""
        drawing.add(plot)
    return drawing


def report_pdf(r: Report) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{r.scope_name} 工作成效 {r.period.label}",
    )
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1ede6")),
        ]
    )

    def fmt(value) -> str:
        return "—" if value is None else str(value)

    rows = summary_rows(r)
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:] + [["", None, ""]] * (2 * half - len(rows))
    summary = [["指标", "数值", "指标", "数值"]] + [
        [a[0], f"{fmt(a[1])} {a[2]}", b[0], f"{fmt(b[1])} {b[2]}" if b[0] else ""]
        for a, b in zip(left, right, strict=True)
    ]
    tiers = [["办理层级", "收集", "已办结", "在办"]] + [
        [t["tier"], t["collected"], t["resolved"], t["open"]] for t in r.cases["by_tier"]
    ]
    groups = [["村(居)", "响应率", "解决率", "满意率", "有答复回访"]] + [
        [
            g["name"],
            fmt(g["total"].response_rate),
            fmt(g["total"].resolution_rate),
            fmt(g["total"].satisfaction_rate),
            g["total"].answered,
        ]
        for g in r.rate_groups
    ]
    story = [
        Paragraph(f"{r.scope_name} 工作成效 · {r.period.label}", title),
        Paragraph(f"生成时间:{r.generated_at:%Y-%m-%d %H:%M}", body),
        Spacer(1, 4 * mm),
        Table(summary, colWidths=[45 * mm, 40 * mm, 45 * mm, 40 * mm], style=style),
        Spacer(1, 4 * mm),
        Table(tiers, style=style),
        Spacer(1, 4 * mm),
        _trend_drawing(r, font),
        Spacer(1, 4 * mm),
        Table(groups, style=style, repeatRows=1),
        Spacer(1, 4 * mm),
    ]
    for key in ("response", "resolution", "satisfaction", "coverage", "replacement", "external"):
        story.append(Paragraph(str(r.definitions[key]), body))
    doc.build(story)
    return out.getvalue()
