"""The printed case sheet (民情诉求办理单): one A4 page per case, many cases in one file.

Each page carries the case's number, tier, deadline and colour, who first received it and who handles it, the
request, its timeline and the reply, a QR code that opens the case page, and lines for the signatures of the
handler and the reviewer. A case with a long history still fits its one page: long texts are cut, the timeline
keeps its first and latest entries, and what is left is scaled to the page. The Chinese font is embedded
(``lucun.printing``), so the file prints right on any computer.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from lucun.printing import cjk_font, qr_image
from lucun.text import mask_phone

from .models import Case, CaseEvent, Colour

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
QR_SIZE = 30 * mm
WIDTH = PAGE_W - 2 * MARGIN
BODY_TOP = PAGE_H - MARGIN - QR_SIZE - 8 * mm
BODY_BOTTOM = 42 * mm  # the signature lines and the footer sit below
EVENTS_MAX = 30  # the first entry and the latest ones; the page says how many were left out
DESCRIPTION_MAX = 1500
NOTE_MAX = 150
REPLY_MAX = 1000

INK = colors.HexColor("#1c1c1f")
MUTED = colors.HexColor("#555555")
LINE = colors.HexColor("#9a958c")
HEADER_BG = colors.HexColor("#f1ede6")
RED = colors.HexColor("#b3261e")
COLOUR_FILL = {
    Colour.RED: colors.HexColor("#f4c7c3"),
    Colour.YELLOW: colors.HexColor("#fbe7a1"),
    Colour.GREEN: colors.HexColor("#cde8d3"),
}


@dataclass(frozen=True)
class SheetEvent:
    at: datetime
    kind: str
    actor: str
    note: str


@dataclass(frozen=True)
class Sheet:
    """What one case sheet says: plain text, so the drawing needs no database."""

    number: str
    street: str
    community: str
    title: str
    description: str
    tier: str
    case_list: str
    category: str
    source: str
    state: str
    colour: str  # a Colour value, or "" for a case no longer open
    colour_label: str
    opened_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    first_responder: str
    handler: str
    contact: str
    events: list[SheetEvent]
    events_left_out: int
    resolution: str
    public_reply: str
    address: str  # the absolute address of the case page, in the QR code


def text_cut(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _events(events: list[CaseEvent]) -> tuple[list[SheetEvent], int]:
    kept = events if len(events) <= EVENTS_MAX else [events[0], *events[-(EVENTS_MAX - 1) :]]
    rows = [
        SheetEvent(
            at=e.at,
            kind=e.get_kind_display(),
            actor=str(e.actor) if e.actor_id else _("系统"),
            note=text_cut(e.note, NOTE_MAX),
        )
        for e in kept
    ]
    return rows, len(events) - len(kept)


def sheet_for(case: Case, *, address: str, now: datetime | None = None) -> Sheet:
    """Return the sheet of a case whose ``events`` (with their actors) were loaded with it."""
    colour = case.colour_at(now) if case.is_open else ""
    events, left_out = _events(list(case.events.all()))
    handler = str(case.handler) if case.handler_id else _("待指派")
    if case.handler_office:
        handler = f"{handler} · {case.handler_office}"
    community = case.community.name + (f" · {case.grid.name}" if case.grid_id else "")
    return Sheet(
        number=case.number,
        street=case.community.street.name,
        community=community,
        title=case.title,
        description=text_cut(case.description, DESCRIPTION_MAX),
        tier=case.tier.display_name,
        case_list=case.get_case_list_display(),
        category=case.category.display_name,
        source=case.get_source_display(),
        state=case.get_state_display(),
        colour=colour,
        colour_label=str(Colour(colour).label) if colour else "—",
        opened_at=case.opened_at,
        due_at=case.due_at,
        resolved_at=case.resolved_at,
        first_responder=str(case.first_responder) if case.first_responder_id else "",
        handler=handler,
        contact=" ".join(p for p in (case.contact_name, mask_phone(case.contact_phone)) if p),
        events=events,
        events_left_out=left_out,
        resolution=text_cut(case.resolution, REPLY_MAX),
        public_reply=text_cut(case.public_reply, REPLY_MAX),
        address=address,
    )


def moment_text(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def markup_text(value: str) -> str:
    return escape(value or "").replace("\n", "<br/>")


class SheetStyles:
    def __init__(self, font: str):
        self.font = font
        self.heading = ParagraphStyle(
            "heading", fontName=font, fontSize=11, leading=15, spaceBefore=3 * mm, spaceAfter=1.5 * mm, textColor=RED
        )
        self.body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK", textColor=INK)
        self.strong = ParagraphStyle("strong", parent=self.body, fontSize=11, leading=15)
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11.5, wordWrap="CJK", textColor=INK)
        self.muted = ParagraphStyle("muted", parent=self.cell, textColor=MUTED)


def _facts(sheet: Sheet, st: SheetStyles) -> Table:
    def p(value: str) -> Paragraph:
        return Paragraph(markup_text(value), st.cell)

    rows = [
        [_("编号"), p(sheet.number), _("村(居)"), p(sheet.community)],
        [_("办理层级"), p(sheet.tier), _("清单"), p(sheet.case_list)],
        [_("办理期限"), p(moment_text(sheet.due_at)), _("督办颜色"), p(sheet.colour_label)],
        [_("登记时间"), p(moment_text(sheet.opened_at)), _("状态"), p(sheet.state)],
        [_("首问责任人"), p(sheet.first_responder), _("承办人"), p(sheet.handler)],
        [_("类别"), p(sheet.category), _("来源"), p(sheet.source)],
        [_("群众"), p(sheet.contact or "—"), _("办结时间"), p(moment_text(sheet.resolved_at))],
    ]
    label_w = 22 * mm
    value_w = (WIDTH - 2 * label_w) / 2
    table = Table(rows, colWidths=[label_w, value_w, label_w, value_w])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("BACKGROUND", (0, 0), (0, -1), HEADER_BG),
        ("BACKGROUND", (2, 0), (2, -1), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if sheet.colour in COLOUR_FILL:
        style.append(("BACKGROUND", (3, 2), (3, 2), COLOUR_FILL[sheet.colour]))
    table.setStyle(TableStyle(style))
    return table


def _timeline(sheet: Sheet, st: SheetStyles) -> list:
    if not sheet.events:
        return [Paragraph("—", st.muted)]
    header = [_("时间"), _("事项"), _("操作人"), _("说明")]
    rows = [
        [
            moment_text(e.at),
            Paragraph(markup_text(e.kind), st.cell),
            Paragraph(markup_text(e.actor), st.cell),
            Paragraph(markup_text(e.note), st.cell),
        ]
        for e in sheet.events
    ]
    if sheet.events_left_out:
        rows.insert(
            1,
            [
                "",
                "",
                "",
                Paragraph(_("(中间另有 %(count)s 条记录,详见系统)") % {"count": sheet.events_left_out}, st.muted),
            ],
        )
    table = Table([header, *rows], colWidths=[28 * mm, 22 * mm, 22 * mm, WIDTH - 72 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.font),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("GRID", (0, 0), (-1, -1), 0.25, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return [table]


def _body(sheet: Sheet, st: SheetStyles) -> list:
    flow = [_facts(sheet, st), Paragraph(_("诉求内容"), st.heading), Paragraph(markup_text(sheet.title), st.strong)]
    if sheet.description:
        flow += [Spacer(0, 1 * mm), Paragraph(markup_text(sheet.description), st.body)]
    flow += [Paragraph(_("办理记录"), st.heading), *_timeline(sheet, st), Paragraph(_("办理结果与答复"), st.heading)]
    if sheet.resolution or sheet.public_reply:
        if sheet.resolution:
            flow.append(Paragraph(_("办理结果:") + markup_text(sheet.resolution), st.body))
        if sheet.public_reply:
            flow.append(Paragraph(_("答复群众:") + markup_text(sheet.public_reply), st.body))
    else:
        flow.append(Paragraph(_("(尚未办结)"), st.muted))
    return flow


def _page(pdf: canvas.Canvas, sheet: Sheet, st: SheetStyles, *, page: int, total: int, printed_at: str) -> None:
    font = st.font
    top = PAGE_H - MARGIN
    pdf.setFillColor(RED)
    pdf.setFont(font, 18)
    pdf.drawString(MARGIN, top - 8 * mm, _("民情诉求办理单"))
    pdf.setFillColor(INK)
    pdf.setFont(font, 10)
    pdf.drawString(MARGIN, top - 15 * mm, f"{sheet.street} · {sheet.community}")
    pdf.setFont(font, 12)
    pdf.drawString(MARGIN, top - 23 * mm, _("编号 %(number)s") % {"number": sheet.number})

    qr_x = PAGE_W - MARGIN - QR_SIZE
    pdf.drawImage(qr_image(sheet.address, box_size=6, border=1), qr_x, top - QR_SIZE, QR_SIZE, QR_SIZE)
    pdf.setFont(font, 7)
    pdf.setFillColor(MUTED)
    pdf.drawCentredString(qr_x + QR_SIZE / 2, top - QR_SIZE - 3 * mm, _("扫码打开诉求页面"))

    frame = Frame(MARGIN, BODY_BOTTOM, WIDTH, BODY_TOP - BODY_BOTTOM, leftPadding=0, rightPadding=0, topPadding=0)
    frame.addFromList([KeepInFrame(WIDTH, BODY_TOP - BODY_BOTTOM, _body(sheet, st), mode="shrink")], pdf)

    pdf.setFillColor(INK)
    pdf.setStrokeColor(INK)
    pdf.setLineWidth(0.5)
    y = 28 * mm
    pdf.setFont(font, 10)
    for x, label, line in ((MARGIN, _("承办人(签字):"), 34 * mm), (MARGIN + 64 * mm, _("审核人(签字):"), 34 * mm)):
        pdf.drawString(x, y, label)
        start = x + pdf.stringWidth(label, font, 10)
        pdf.line(start, y - 1, start + line, y - 1)
    x = MARGIN + 128 * mm
    date_label = _("日期:")
    pdf.drawString(x, y, date_label)
    start = x + pdf.stringWidth(date_label, font, 10)
    pdf.drawString(start, y, _("        年      月      日"))
    pdf.line(start, y - 1, PAGE_W - MARGIN, y - 1)

    pdf.setFont(font, 7)
    pdf.setFillColor(MUTED)
    pdf.drawString(
        MARGIN, 12 * mm, _("%(street)s · 打印时间 %(printed_at)s") % {"street": sheet.street, "printed_at": printed_at}
    )
    pdf.drawRightString(
        PAGE_W - MARGIN,
        12 * mm,
        _("%(number)s · 第 %(page)s / %(total)s 页") % {"number": sheet.number, "page": page, "total": total},
    )


def case_sheets_pdf(
    out: BinaryIO, sheets: Iterable[Sheet], *, total: int, on_page: Callable[[int, int], None] | None = None
) -> int:
    """Write one A4 page per sheet to ``out`` and return the number of pages (``total`` sheets are expected)."""
    font = cjk_font()
    st = SheetStyles(font)
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(_("民情诉求办理单"))
    pdf.setCreator("lucun")
    printed_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    page = 0
    for sheet in sheets:
        page += 1
        _page(pdf, sheet, st, page=page, total=total, printed_at=printed_at)
        pdf.showPage()
        if on_page is not None:
            on_page(page, total)
    if page == 0:
        pdf.showPage()
    pdf.save()
    return page


def case_sheets_file(
    out: BinaryIO,
    cases: Iterable[Case],
    *,
    total: int,
    site: str,
    on_page: Callable[[int, int], None] | None = None,
) -> int:
    """Write the sheets of ``cases`` (loaded by ``selectors.case_sheets``) to ``out``, a page each, and return the
    number of pages; each QR code holds ``site`` (the site's absolute address) and the case page's path."""
    sheets = (sheet_for(case, address=site + case.get_absolute_url()) for case in cases)
    return case_sheets_pdf(out, sheets, total=total, on_page=on_page)
