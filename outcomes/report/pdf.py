"""The outcome report as a PDF (reportlab), with the CJK font embedded so it prints anywhere.

It prints the same sections as the page (``sections.py``), from the same figures: the key figures of each
section, its tables (the data behind the charts in full), its charts redrawn for paper, and its definitions.
"""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lucun.printing import cjk_font

from .charts import COLOURS
from .layout import Chart, Document, Section
from .layout import Table as SectionTable

WIDTH = A4[0] - 30 * mm - 12  # between the margins, inside the frame's 6 pt paddings
HEADER_BG = colors.HexColor("#f1ede6")
LINE = colors.HexColor("#9a958c")


class _Styles:
    def __init__(self, font: str):
        self.font = font
        self.title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=2 * mm)
        self.heading = ParagraphStyle(
            "heading",
            fontName=font,
            fontSize=12.5,
            leading=17,
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
            textColor=colors.HexColor("#7a1518"),
            keepWithNext=1,
        )
        self.caption = ParagraphStyle(
            "caption", fontName=font, fontSize=9.5, leading=13, spaceBefore=2 * mm, spaceAfter=1 * mm, keepWithNext=1
        )
        self.body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
        self.muted = ParagraphStyle(
            "muted", parent=self.body, fontSize=8, leading=11, textColor=colors.HexColor("#555555")
        )

    def table(self, numeric_from: int = 1) -> TableStyle:
        return TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), self.font),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("GRID", (0, 0), (-1, -1), 0.25, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )


def _figures(section: Section, st: _Styles) -> Table | None:
    """The key figures in two columns of (label, value unit) pairs."""
    cells = [(f.label, f"{f.text} {f.unit}".strip() if not f.rate else f.text) for f in section.figures]
    if not cells:
        return None
    if len(cells) % 2:
        cells.append(("", ""))
    rows = [[*cells[i], *cells[i + 1]] for i in range(0, len(cells), 2)]  # read across, in the page's order
    table = Table(rows, colWidths=[WIDTH * 0.3, WIDTH * 0.2, WIDTH * 0.3, WIDTH * 0.2])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.25, LINE),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_BG),
                ("BACKGROUND", (2, 0), (2, -1), HEADER_BG),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
            ]
        )
    )
    return table


def _table(t: SectionTable, st: _Styles) -> list:
    caption = Paragraph(escape(t.caption), st.caption)
    if not t.rows:
        return [caption, Paragraph(escape(t.empty or "—"), st.muted)]
    columns = len(t.header)
    first = WIDTH * (0.4 if columns > 2 else 0.5)
    rest = (WIDTH - first) / max(columns - 1, 1) if columns > 2 else WIDTH * 0.2
    data = [t.header] + [[Paragraph(escape(row[0].text), st.cell)] + [c.text for c in row[1:]] for row in t.rows]
    table = Table(data, colWidths=[first] + [rest] * (columns - 1), repeatRows=1, hAlign="LEFT")
    table.setStyle(st.table())
    return [caption, table]


def _axis_labels(labels: list[str]):
    step = max(1, (len(labels) + 11) // 12)
    return lambda v: labels[int(v)] if 0 <= int(v) < len(labels) and int(v) % step == 0 else ""


def _legend(drawing: Drawing, names: list[str], font: str) -> None:
    for index, name in enumerate(names):
        x = 14 * mm + index * 40 * mm
        drawing.add(
            Rect(
                x, 1.5 * mm, 3 * mm, 3 * mm, fillColor=colors.HexColor(COLOURS[index % len(COLOURS)]), strokeColor=None
            )
        )
        drawing.add(String(x + 4.5 * mm, 1.8 * mm, name, fontName=font, fontSize=8))


def _nice_max(values: list[float]) -> float:
    top = max(values, default=0) or 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return step * 4
    return top


def _chart(chart: Chart, font: str) -> Drawing:
    drawing = Drawing(WIDTH, 62 * mm)
    drawing.add(String(0, 58 * mm, chart.title, fontName=font, fontSize=9.5))
    values = [v for _name, vs in chart.series for v in vs if v is not None]
    if not chart.labels or not values:
        drawing.add(String(WIDTH / 2, 30 * mm, "—", fontName=font, fontSize=10, textAnchor="middle"))
        return drawing
    y_max = chart.y_max or _nice_max(values)
    n = len(chart.labels)
    if chart.kind == "bar":
        plot = VerticalBarChart()
        plot.data = [[v or 0 for v in vs] for _name, vs in chart.series]
        plot.categoryAxis.categoryNames = list(chart.labels)
        plot.categoryAxis.labels.fontName = font
        plot.categoryAxis.labels.fontSize = 8
        plot.barLabelFormat = "%d"
        plot.barLabels.fontName = font
        plot.barLabels.fontSize = 7
        plot.barLabels.nudge = 6
        plot.groupSpacing = 8
        for index in range(len(chart.series)):
            plot.bars[index].fillColor = colors.HexColor(COLOURS[index % len(COLOURS)])
            plot.bars[index].strokeColor = None
        axis = plot.valueAxis
    else:
        plot = LinePlot()
        data, line_colours = [], []
        for index, (_name, vs) in enumerate(chart.series):
            segment: list[tuple[int, float]] = []
            for i, v in enumerate(vs):
                if v is None:
                    if segment:
                        data.append(segment)
                        line_colours.append(index)
                    segment = []
                else:
                    segment.append((i, min(v, y_max)))
            if segment:
                data.append(segment)
                line_colours.append(index)
        plot.data = data
        for line, index in enumerate(line_colours):
            colour = colors.HexColor(COLOURS[index % len(COLOURS)])
            plot.lines[line].strokeColor = colour
            plot.lines[line].strokeWidth = 1.5
            plot.lines[line].symbol = makeMarker("FilledCircle", size=3, fillColor=colour, strokeColor=colour)
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = -0.5, n - 0.5
        plot.xValueAxis.valueSteps = list(range(n))
        plot.xValueAxis.labelTextFormat = _axis_labels(list(chart.labels))
        plot.xValueAxis.labels.fontName = font
        plot.xValueAxis.labels.fontSize = 7
        axis = plot.yValueAxis
    plot.x, plot.y, plot.width, plot.height = 14 * mm, 13 * mm, WIDTH - 18 * mm, 40 * mm
    axis.valueMin, axis.valueMax = 0, y_max
    axis.valueStep = y_max / 4
    axis.labels.fontName = font
    axis.labels.fontSize = 7
    suffix = chart.suffix
    axis.labelTextFormat = lambda v: f"{v:g}{suffix}"
    axis.visibleGrid = 1
    axis.gridStrokeColor = colors.HexColor("#dddddd")
    drawing.add(plot)
    _legend(drawing, [name for name, _vs in chart.series], font)
    return drawing


def _footer(title: str, font: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(15 * mm, 9 * mm, title)
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, _("第 %(n)d 页") % {"n": doc.page})
        canvas.restoreState()

    return draw


def report_pdf(doc: Document, *, note: str = "") -> bytes:
    """Print the report: every section of the page, in its order, on A4."""
    st = _Styles(cjk_font())
    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=doc.title,
    )
    story: list = [Paragraph(escape(doc.title), st.title)]
    if note:
        story.append(Paragraph(escape(note), st.muted))
    for section in doc.sections:
        block: list = [CondPageBreak(40 * mm), Paragraph(escape(section.heading), st.heading)]
        for text in section.paragraphs:
            block += [Paragraph(escape(text), st.body), Spacer(1, 1.5 * mm)]
        figures = _figures(section, st)
        if figures is not None:
            block.append(figures)
        for chart in section.charts:
            block += [Spacer(1, 2 * mm), KeepTogether([_chart(chart, st.font)])]
        for table in section.tables:
            block += _table(table, st)
        if section.definitions:
            block.append(Spacer(1, 2 * mm))
        for _term, text in section.definitions:  # each definition names its figure itself
            block.append(Paragraph(escape(text), st.muted))
        story += block
    footer = _footer(doc.title, st.font)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
