"""Read what an export wrote, and what the page it exports shows across all its pages."""

import io
import re

from openpyxl import load_workbook


def xlsx_rows(content: bytes) -> tuple[list, list[list]]:
    """Return the header and the rows of the workbook's first sheet."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def xlsx_column(content: bytes, index: int = 0) -> list:
    return [row[index] for row in xlsx_rows(content)[1]]


def page_rows(client, url: str, params: dict, pattern: str) -> list[str]:
    """Every match of ``pattern`` (one group) on every page of a paginated list, in the page's order."""
    found: list[str] = []
    page = 1
    while True:
        response = client.get(url, {**params, "page": page})
        assert response.status_code == 200
        html = response.content.decode()
        found += re.findall(pattern, html)
        if f"第 {page} / " not in html or f"第 {page} / {page} 页" in html:
            return found
        page += 1
