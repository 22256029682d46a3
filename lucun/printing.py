"""Shared helpers for printed PDFs: the embedded Chinese font and QR code images.

The Chinese text is drawn with WenQuanYi Micro Hei, shipped by the ``paperang-p2-fonts-cjk`` package and
embedded (subset) in every PDF, so cards and posters print right on a machine without any Chinese font.
"""

import io
from functools import cache
from importlib.resources import files

import qrcode
from django.conf import settings
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

CJK_FONT = "WQYMicroHei"


@cache
def cjk_font() -> str:
    """Register the embedded Chinese font with ReportLab once and return its name."""
    path = files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(path), subfontIndex=0))
    return CJK_FONT


def qr_png(data: str, *, box_size: int = 8, border: int = 2) -> bytes:
    """Return ``data`` as a black-on-white QR code PNG (error correction M: survives a little wear)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_image(data: str, *, box_size: int = 8, border: int = 2) -> ImageReader:
    """Return ``data`` as a QR code ReportLab can draw; draw the same reader many times, it is embedded once."""
    return ImageReader(io.BytesIO(qr_png(data, box_size=box_size, border=border)))


def absolute_url(path: str, request=None) -> str:
    """Return the absolute address a printed QR code holds: LUCUN_PUBLIC_BASE_URL, else the request's host."""
    base = (getattr(settings, "LUCUN_PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path
