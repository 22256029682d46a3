"""The 一码通 card as a PDF: a QR code of the volunteer's page, with the name and the typed code.

The Chinese font is embedded (subset) in the PDF by ``lucun.printing``, so the card prints right on a machine
without any Chinese font.
"""

import io

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from lucun.printing import cjk_font, qr_image

from .models import Volunteer, format_token

CARD_W, CARD_H = 85.6 * mm, 54 * mm  # ID-1, the size of a bank card


def volunteer_card_pdf(*, volunteer: Volunteer, url: str, street_name: str = "") -> bytes:
    """Return a one-page PDF card for the volunteer's current 一码通."""
    font = cjk_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(CARD_W, CARD_H))
    pdf.setTitle(_("一码通 · %(name)s") % {"name": volunteer.name})
    pdf.setFillColorRGB(0.702, 0.149, 0.118)  # the brand red
    pdf.rect(0, CARD_H - 11 * mm, CARD_W, 11 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(font, 11)
    pdf.drawString(4 * mm, CARD_H - 7.5 * mm, _("志愿服务积分 · 一码通"))
    pdf.setFont(font, 7)
    pdf.drawRightString(CARD_W - 4 * mm, CARD_H - 7.5 * mm, street_name)

    qr_size = 38 * mm
    pdf.drawImage(qr_image(url), CARD_W - qr_size - 3 * mm, 3 * mm, qr_size, qr_size)

    pdf.setFillColorRGB(0.11, 0.11, 0.12)
    pdf.setFont(font, 16)
    pdf.drawString(4 * mm, CARD_H - 20 * mm, volunteer.name)
    pdf.setFont(font, 9)
    pdf.drawString(4 * mm, CARD_H - 26 * mm, volunteer.community.name)
    pdf.setFont(font, 7)
    pdf.drawString(4 * mm, 15 * mm, _("扫码查询积分、申报服务"))
    pdf.drawString(4 * mm, 11 * mm, _("兑换时请出示本卡"))
    pdf.setFont("Courier-Bold", 8)
    pdf.drawString(4 * mm, 5 * mm, format_token(volunteer.token or ""))
    pdf.showPage()
    pdf.save()
    return out.getvalue()
