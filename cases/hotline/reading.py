"""Reading the hotline's work-order export: an .xlsx workbook, or CSV in UTF-8 (with or without BOM) or GBK.

The header row is matched against the column mapping (``HotlineColumn``, edited in the admin): each field takes the
first column whose header is one of its aliases. What comes out is ``(row number, {field: text})`` per order, the
row number as a spreadsheet shows it, so the report can name the row an official fixes.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from lucun.text import listed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 reads everything GBK (and GB2312) wrote


def cell_text(value) -> str:
    """A cell as text: whole numbers without ``.0``, dates as the hotline writes them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _rows_of_workbook(content: bytes) -> Iterable[list]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("无法读取该 Excel 文件,请上传热线平台导出的 .xlsx 或 .csv 文件。")) from exc
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [cell_text(v) for v in row]
    finally:
        workbook.close()


def _rows_of_csv(content: bytes) -> Iterable[list]:
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return ([cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline="")))
    raise ValidationError(_("无法识别该 CSV 文件的编码,请以 UTF-8 或 GBK 编码导出。"))


def header_map(header: list[str], columns) -> dict[str, int]:
    """Return {field: column index} for the mapping's fields found in ``header``; refuse a missing required one."""
    positions = {text: index for index, text in reversed(list(enumerate(header))) if text}
    found: dict[str, int] = {}
    missing: list[str] = []
    for column in columns:
        index = next((positions[alias] for alias in column.aliases if alias in positions), None)
        if index is not None:
            found[column.field] = index
        elif column.required:
            missing.append(column.aliases[0] if column.aliases else column.get_field_display())
    if missing:
        raise ValidationError(
            _("表头缺少必填的列:%(cols)s。请确认上传的是热线平台导出的工单表,或请管理员调整“12345 工单列对应”。")
            % {"cols": listed(missing)}
        )
    return found


def read_orders(*, content: bytes, filename: str, columns) -> list[tuple[int, dict[str, str]]]:
    """Read an uploaded export into ``(row number, {field: text})``; blank rows are skipped.

    Raise ValidationError for a file too large, of another kind, or whose header lacks a required column.
    """
    if len(content) > MAX_BYTES:
        raise ValidationError(_("文件超过 %(mb)d MB,请按日期分批导出后再上传。") % {"mb": MAX_BYTES // (1024 * 1024)})
    name = (filename or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        rows = _rows_of_workbook(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _rows_of_csv(content)
    else:
        raise ValidationError(_("请上传 .xlsx 或 .csv 文件。"))
    rows = iter(rows)
    header = next(rows, None)
    if not header:
        raise ValidationError(_("文件是空的。"))
    fields = header_map(header, list(columns))
    parsed: list[tuple[int, dict[str, str]]] = []
    for row_number, row in enumerate(rows, start=2):
        values = {field: (row[index] if index < len(row) else "") for field, index in fields.items()}
        if not any(values.values()):
            continue
        parsed.append((row_number, values))
        if len(parsed) > MAX_ROWS:
            raise ValidationError(_("一次最多导入 %(n)d 条工单,请按日期分批导出后再上传。") % {"n": MAX_ROWS})
    return parsed
