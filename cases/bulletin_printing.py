"""The printed 通报: an A4 document listing the violations of a period with the case, kind, official and handling.

It flows over as many pages as its list needs (the table's head repeats on each), with the street, the issue and
the page on every page's foot. The look, the styles and the embedded Chinese font are the case sheet's
(``cases.printing``, ``lucun.printing``), so the documents a street prints read alike.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lucun.printing import cjk_font

from .models import Bulletin, BulletinItem
from .printing import (
    HEADER_BG,
    LINE,
    MARGIN,
    MUTED,
    PAGE_W,
    RED,
    WIDTH,
    SheetStyles,
    markup_text,
    moment_text,
    text_cut,
)

NOTE_MAX = 300


@dataclass(frozen=True)
class BulletinRow:
    occurred_on: date
    community: str
    official: str
    kind: str
    case_number: str
    note: str
    handling: str


@dataclass(frozen=True)
class BulletinDoc:
    """What one printed 通报 says: plain text, so the drawing needs no database."""

    street: str
    number: str
    title: str
    period_from: date
    period_to: date
    body: str
    corrects: str
    rows: list[BulletinRow]
    published_by: str
    published_at: datetime | None


def bulletin_doc(bulletin: Bulletin, items: list[BulletinItem]) -> BulletinDoc:
    """Return the printed form of a 通报 whose items came with their violations (``selectors.bulletin_items``)."""
    corrects = bulletin.corrects
    return BulletinDoc(
        street=bulletin.street.name,
        number=bulletin.number,
        title=bulletin.title,
        period_from=bulletin.period_from,
        period_to=bulletin.period_to,
        body=bulletin.body,
        corrects=f"{corrects.number}《{corrects.title}》" if corrects is not None else "",
        rows=[
            BulletinRow(
                occurred_on=item.violation.occurred_on,
                community=item.violation.community.name,
                official=str(item.violation.official),
                kind=item.violation.kind.display_name,
                case_number=item.violation.case.number if item.violation.case_id else "",
                note=text_cut(item.violation.note, NOTE_MAX),
                handling=item.handling,
            )
            for item in items
        ],
        published_by=str(bulletin.published_by) if bulletin.published_by_id else "",
        published_at=bulletin.published_at,
    )


def _flow(doc: BulletinDoc, st: SheetStyles) -> list:
    centred = ParagraphStyle("centred", parent=st.strong, alignment=TA_CENTER)
    masthead = ParagraphStyle("masthead", parent=centred, fontSize=22, leading=30, textColor=RED)
    right = ParagraphStyle("right", parent=st.body, alignment=TA_RIGHT)
    flow = [
        Paragraph(markup_text(_("%(street)s作风问题通报") % {"street": doc.street}), masthead),
        Paragraph(markup_text(doc.number or _("(草稿)")), centred),
        Spacer(0, 1.5 * mm),
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceAfter=4 * mm),
        Paragraph(markup_text(doc.title), ParagraphStyle("title", parent=centred, fontSize=14, leading=20)),
        Spacer(0, 2 * mm),
        Paragraph(
            markup_text(
                _("通报期间:%(start)s 至 %(end)s")
                % {"start": f"{doc.period_from:%Y-%m-%d}", "end": f"{doc.period_to:%Y-%m-%d}"}
            ),
            st.body,
        ),
    ]
    if doc.corrects:
        flow.append(
            Paragraph(markup_text(_("本期通报更正 %(number)s,以本期为准。") % {"number": doc.corrects}), st.body)
        )
    if doc.body:
        flow += [Spacer(0, 2 * mm), Paragraph(markup_text(doc.body), st.body)]
    flow += [Spacer(0, 3 * mm), _table(doc, st), Spacer(0, 2 * mm)]
    flow.append(
        Paragraph(markup_text(_("以上共 %(count)s 起。发现一起,通报一起。") % {"count": len(doc.rows)}), st.body)
    )
    flow += [
        Spacer(0, 8 * mm),
        Paragraph(markup_text(doc.street), right),
        Paragraph(
            markup_text(
                _("发布人:%(name)s  %(at)s") % {"name": doc.published_by or "—", "at": moment_text(doc.published_at)}
            ),
            right,
        ),
    ]
    return flow


def _table(doc: BulletinDoc, st: SheetStyles) -> Table:
    def p(value: str) -> Paragraph:
        return Paragraph(markup_text(value), st.cell)

    header = [_("序号"), _("发生日期"), _("村(居)"), _("干部"), _("情形"), _("相关诉求"), _("情况说明"), _("处理情况")]
    rows = [
        [
            str(n),
            f"{row.occurred_on:%Y-%m-%d}",
            p(row.community),
            p(row.official),
            p(row.kind),
            row.case_number or "—",  # one line: a case number is looked up, it must not break
            p(row.note),
            p(row.handling),
        ]
        for n, row in enumerate(doc.rows, start=1)
    ]
    fixed = [8 * mm, 19 * mm, 17 * mm, 16 * mm, 17 * mm, 31 * mm]
    rest = (WIDTH - sum(fixed)) / 2
    table = Table([header, *rows], colWidths=[*fixed, rest, rest], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.font),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("GRID", (0, 0), (-1, -1), 0.4, LINE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (0, -1), "CENTER"),
                ("FONTSIZE", (5, 1), (5, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def bulletin_pdf(out: BinaryIO, doc: BulletinDoc) -> int:
    """Write the 通报 to ``out`` as an A4 PDF and return its number of pages."""
    font = cjk_font()
    st = SheetStyles(font)
    printed_at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    foot = _("%(street)s · %(number)s · 打印时间 %(printed_at)s") % {
        "street": doc.street,
        "number": doc.number or _("草稿"),
        "printed_at": printed_at,
    }

    def on_page(pdf, template) -> None:
        pdf.saveState()
        pdf.setFont(font, 7)
        pdf.setFillColor(MUTED)
        pdf.drawString(MARGIN, 10 * mm, foot)
        pdf.drawRightString(PAGE_W - MARGIN, 10 * mm, _("第 %(page)s 页") % {"page": pdf.getPageNumber()})
        pdf.restoreState()

    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=18 * mm,
        title=f"{doc.number} {doc.title}".strip(),
        author=doc.street,
        creator="lucun",
        pageCompression=1,
        initialFontName=font,
    )
    template.build(_flow(doc, st), onFirstPage=on_page, onLaterPages=on_page)
    return template.page


def bulletin_pdf_file(bulletin: Bulletin, items: list[BulletinItem]) -> tuple[bytes, str]:
    """Return the PDF of a 通报 and the name to save it under."""
    out = io.BytesIO()
    bulletin_pdf(out, bulletin_doc(bulletin, items))
    name = f"bulletin-{bulletin.year}-{bulletin.serial:03d}" if bulletin.serial else f"bulletin-draft-{bulletin.pk}"
    return out.getvalue(), f"{name}.pdf"
