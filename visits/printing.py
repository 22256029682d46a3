"""Print-ready PDFs: sheets of 党群联系卡 with cut marks, and the A4 意见收集二维码 poster.

Every card of a batch is the same (one contact official, one QR code that names the batch), so a card is
drawn once as a PDF form and each page only places it: the file stays small and memory stays flat however
many cards are printed. The QR image is made once per file. The Chinese font is embedded by
``lucun.printing``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from lucun.printing import cjk_font, qr_image

PAGE_W, PAGE_H = A4
CARD_W, CARD_H = 90 * mm, 54 * mm  # the usual Chinese business card
COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
MARGIN_X = (PAGE_W - COLUMNS * CARD_W) / 2  # 15 mm
MARGIN_Y = (PAGE_H - ROWS * CARD_H) / 2  # 13.5 mm
CARD_QR = 31 * mm
BLEED_GAP, MARK = 2 * mm, 8 * mm  # cut marks start 2 mm off the card and are 8 mm long

RED = (0.702, 0.149, 0.118)  # the brand red
INK = (0.11, 0.11, 0.12)


@dataclass(frozen=True)
class CardText:
    """What a card says besides its QR code."""

    community: str
    street: str
    contact_name: str
    contact_phone: str
    contact_wechat: str
    hotline: str
    label: str = ""  # printed small in the page margin, for the print shop


def pages_for(cards: int) -> int:
    return max(1, -(-cards // PER_PAGE))


def _card_origin(slot: int) -> tuple[float, float]:
    """Lower-left corner of the card in ``slot`` (0 is top left, filled row by row)."""
    row, column = divmod(slot, COLUMNS)
    return MARGIN_X + column * CARD_W, PAGE_H - MARGIN_Y - (row + 1) * CARD_H


def _draw_card(pdf: canvas.Canvas, text: CardText, qr, font: str) -> None:
    pdf.setFillColorRGB(*RED)
    pdf.rect(0, CARD_H - 10 * mm, CARD_W, 10 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(font, 12)
    pdf.drawString(4 * mm, CARD_H - 7 * mm, _("党群联系卡"))
    pdf.setFont(font, 8)
    pdf.drawRightString(CARD_W - 4 * mm, CARD_H - 6.8 * mm, f"{text.street} · {text.community}")

    pdf.setFillColorRGB(*INK)
    y = CARD_H - 17 * mm
    pdf.setFont(font, 7)
    pdf.drawString(4 * mm, y, _("联系干部"))
    pdf.setFont(font, 12)
    pdf.drawString(16 * mm, y - 0.5 * mm, text.contact_name)
    lines = [(_("电话"), text.contact_phone), (_("微信"), text.contact_wechat), (_("街道热线"), text.hotline)]
    y -= 7 * mm
    for caption, value in lines:
        if not value:
            continue
        pdf.setFont(font, 7)
        pdf.drawString(4 * mm, y, caption)
        pdf.setFont(font, 9.5)
        pdf.drawString(16 * mm, y, value)
        y -= 5.5 * mm
    pdf.setFont(font, 6.5)
    pdf.drawString(4 * mm, 4 * mm, _("有事找我们 · 反映问题可匿名"))

    x = CARD_W - CARD_QR - 3 * mm
    pdf.drawImage(qr, x, 7 * mm, CARD_QR, CARD_QR)
    pdf.setFont(font, 7)
    pdf.drawCentredString(x + CARD_QR / 2, 3.5 * mm, _("微信扫码 匿名反馈"))


def _draw_cut_marks(pdf: canvas.Canvas) -> None:
    pdf.setStrokeColorRGB(0, 0, 0)
    pdf.setLineWidth(0.25)
    bottom, top = MARGIN_Y, PAGE_H - MARGIN_Y
    left, right = MARGIN_X, PAGE_W - MARGIN_X
    for column in range(COLUMNS + 1):
        x = left + column * CARD_W
        pdf.line(x, bottom - BLEED_GAP, x, bottom - BLEED_GAP - MARK)
        pdf.line(x, top + BLEED_GAP, x, top + BLEED_GAP + MARK)
    for row in range(ROWS + 1):
        y = bottom + row * CARD_H
        pdf.line(left - BLEED_GAP, y, left - BLEED_GAP - MARK, y)
        pdf.line(right + BLEED_GAP, y, right + BLEED_GAP + MARK, y)


def card_sheets_pdf(
    out: BinaryIO,
    *,
    text: CardText,
    address: str,
    cards: int,
    on_page: Callable[[int, int], None] | None = None,
) -> int:
    """Write ``cards`` cards, ten to an A4 page with cut marks, to ``out``; return the number of pages.

    ``on_page(done, total)`` is called after each page, for progress.
    """
    font = cjk_font()
    total = pages_for(cards)
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(_("党群联系卡 · %(label)s") % {"label": text.label or text.community})
    pdf.setCreator("lucun")

    qr = qr_image(address, box_size=10, border=2)
    pdf.beginForm("card", 0, 0, CARD_W, CARD_H)
    _draw_card(pdf, text, qr, font)
    pdf.endForm()
    pdf.beginForm("sheet", 0, 0, PAGE_W, PAGE_H)
    for slot in range(PER_PAGE):
        x, y = _card_origin(slot)
        pdf.saveState()
        pdf.translate(x, y)
        pdf.doForm("card")
        pdf.restoreState()
    _draw_cut_marks(pdf)
    pdf.endForm()

    for page in range(1, total + 1):
        on_this_page = min(PER_PAGE, cards - (page - 1) * PER_PAGE)
        if on_this_page == PER_PAGE:
            pdf.doForm("sheet")
        else:
            for slot in range(on_this_page):
                x, y = _card_origin(slot)
                pdf.saveState()
                pdf.translate(x, y)
                pdf.doForm("card")
                pdf.restoreState()
            _draw_cut_marks(pdf)
        pdf.setFillColorRGB(0.4, 0.4, 0.4)
        pdf.setFont(font, 6)
        pdf.drawCentredString(
            PAGE_W / 2,
            4 * mm,
            _("%(label)s · 第 %(page)s / %(total)s 页") % {"label": text.label, "page": page, "total": total},
        )
        pdf.showPage()
        if on_page is not None:
            on_page(page, total)
    pdf.save()
    return total


@dataclass(frozen=True)
class PosterText:
    community: str
    place: str
    street: str
    hotline: str


POSTER_QR = 125 * mm
POSTER_STEPS = [
    gettext_lazy("一、打开微信,点“扫一扫”,对准上面的二维码。"),
    gettext_lazy("二、点一下要反映的事,说说情况,也可以拍张照片。"),
    gettext_lazy("三、不用登录,不用留名字。"),
    gettext_lazy("四、记下查询码,就能查看办得怎么样。"),
]


def poster_pdf(out: BinaryIO, *, text: PosterText, address: str) -> None:
    """Write the A4 意见收集二维码 poster: a large QR code and a few plain steps, in large type."""
    font = cjk_font()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(_("意见收集二维码 · %(place)s") % {"place": f"{text.community}{text.place}"})
    pdf.setCreator("lucun")
    band = 42 * mm
    pdf.setFillColorRGB(*RED)
    pdf.rect(0, PAGE_H - band, PAGE_W, band, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(font, 36)
    pdf.drawCentredString(PAGE_W / 2, PAGE_H - 22 * mm, _("有话请扫码"))
    pdf.setFont(font, 18)
    pdf.drawCentredString(PAGE_W / 2, PAGE_H - 34 * mm, _("意见收集二维码 · 可以不留名字"))

    pdf.setFillColorRGB(*INK)
    pdf.setFont(font, 20)
    pdf.drawCentredString(PAGE_W / 2, PAGE_H - band - 14 * mm, f"{text.community} · {text.place}")
    top = PAGE_H - band - 20 * mm
    pdf.drawImage(
        qr_image(address, box_size=12, border=4), (PAGE_W - POSTER_QR) / 2, top - POSTER_QR, *(POSTER_QR,) * 2
    )

    y = top - POSTER_QR - 12 * mm
    pdf.setFont(font, 17)
    for step in POSTER_STEPS:
        pdf.drawString(22 * mm, y, str(step))
        y -= 10 * mm
    y -= 3 * mm
    pdf.setFillColorRGB(*RED)
    pdf.setFont(font, 19)
    pdf.drawCentredString(PAGE_W / 2, y, _("不方便用手机?请打街道热线 %(hotline)s") % {"hotline": text.hotline})
    pdf.setFillColorRGB(0.4, 0.4, 0.4)
    pdf.setFont(font, 10)
    pdf.drawCentredString(PAGE_W / 2, 10 * mm, _("%(street)s · 您的意见我们认真对待") % {"street": text.street})
    pdf.showPage()
    pdf.save()
