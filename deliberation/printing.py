"""The print-ready PDF of 擂台比武 resident ballots: eight to an A4 page, each with its own QR code.

Unlike a contact card, every ballot differs (its own token), so each QR image is drawn once for its ballot.
A ballot shows the contest and a serial number for the staff who hand it out, nothing about a resident.
"""

from collections.abc import Callable, Iterable
from typing import BinaryIO

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from lucun.printing import cjk_font, qr_image

PAGE_W, PAGE_H = A4
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
SLIP_W, SLIP_H = 90 * mm, 66 * mm
MARGIN_X = (PAGE_W - COLUMNS * SLIP_W) / 2
MARGIN_Y = (PAGE_H - ROWS * SLIP_H) / 2
SLIP_QR = 44 * mm
RED = (0.702, 0.149, 0.118)
INK = (0.11, 0.11, 0.12)


def pages_for(ballots: int) -> int:
    return max(1, -(-ballots // PER_PAGE))


def _draw_slip(pdf: canvas.Canvas, font: str, *, title: str, street: str, serial: int, address: str) -> None:
    pdf.setStrokeColorRGB(0.6, 0.6, 0.6)
    pdf.setDash(2, 2)
    pdf.rect(0, 0, SLIP_W, SLIP_H, stroke=1, fill=0)
    pdf.setDash()
    pdf.setFillColorRGB(*RED)
    pdf.rect(0, SLIP_H - 10 * mm, SLIP_W, 10 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(font, 12)
    pdf.drawString(4 * mm, SLIP_H - 7 * mm, _("擂台比武 · 群众评议票"))
    pdf.setFillColorRGB(*INK)
    pdf.setFont(font, 8)
    pdf.drawString(4 * mm, SLIP_H - 16 * mm, street)
    pdf.setFont(font, 10)
    pdf.drawString(4 * mm, SLIP_H - 22 * mm, title[:16])
    pdf.setFont(font, 8)
    for n, line in enumerate((_("手机扫码,为各村(居)打分"), _("每张票只能提交一次"), _("不用登录,不留姓名"))):
        pdf.drawString(4 * mm, SLIP_H - (31 + 6 * n) * mm, line)
    pdf.setFont(font, 9)
    pdf.drawString(4 * mm, 5 * mm, _("票号 %(serial)d") % {"serial": serial})
    pdf.drawImage(qr_image(address, box_size=6, border=2), SLIP_W - SLIP_QR - 3 * mm, 6 * mm, SLIP_QR, SLIP_QR)


def ballot_sheets_pdf(
    out: BinaryIO,
    *,
    title: str,
    street: str,
    ballots: Iterable[tuple[int, str]],
    count: int,
    on_page: Callable[[int, int], None] | None = None,
) -> int:
    """Write the ballots, (serial, address) each, eight to an A4 page, to ``out``; return the number of pages."""
    font = cjk_font()
    total = pages_for(count)
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(_("群众评议票 · %(title)s") % {"title": title})
    pdf.setCreator("lucun")
    page, slot = 1, 0
    for serial, address in ballots:
        row, column = divmod(slot, COLUMNS)
        pdf.saveState()
        pdf.translate(MARGIN_X + column * SLIP_W, PAGE_H - MARGIN_Y - (row + 1) * SLIP_H)
        _draw_slip(pdf, font, title=title, street=street, serial=serial, address=address)
        pdf.restoreState()
        slot += 1
        if slot == PER_PAGE:
            pdf.showPage()
            if on_page is not None:
                on_page(page, total)
            page, slot = page + 1, 0
    if slot or page == 1:
        pdf.showPage()
        if on_page is not None:
            on_page(page, total)
    else:
        page -= 1
    pdf.save()
    return page
