"""Read the QR codes printed in a PDF, as a phone would: rasterise the page with poppler, decode with zxing-cpp."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PDFTOPPM = shutil.which("pdftoppm")
PDFFONTS = shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(
    PDFTOPPM is None, reason="pdftoppm not found: apt-get install poppler-utils to rasterise PDFs"
)


def decode_pdf_page(pdf: bytes, page: int = 1, dpi: int = 200) -> list[str]:
    """Return the texts of every QR code on one page of the PDF."""
    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        pages = ["-f", str(page), "-l", str(page)]
        command = [PDFTOPPM, "-r", str(dpi), *pages, "-png", "-singlefile", source, Path(folder) / "p"]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - a fixed program
        with Image.open(Path(folder) / "p.png") as image:
            return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def pdf_fonts(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run([PDFFONTS, f.name], check=True, capture_output=True, text=True).stdout  # noqa: S603


def pdf_pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page\b", pdf))
