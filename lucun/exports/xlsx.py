"""Write a ``Table`` as an xlsx workbook, row by row (openpyxl's write-only mode keeps memory flat)."""

from collections.abc import Callable
from datetime import datetime
from typing import BinaryIO

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from . import Table, rows_of

BOLD = Font(bold=True)
DEFAULT_WIDTH = 12
# Excel reads a text cell that starts like this as a formula: text sent by anyone (a villager's message) must
# stay text, never run as a formula on an official's computer.
FORMULA_START = ("=",)


def _value(value):
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel keeps no time zone: the time is written as the official reads it on the page (Asia/Shanghai).
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _cell(ws, value):
    value = _value(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


def write(out: BinaryIO, table: Table, *, on_rows: Callable[[int], None] | None = None, every: int = 1) -> int:
    """Write the table to ``out`` and return the number of rows; ``on_rows(done)`` is called every ``every`` rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=table.title[:31])
    for index in range(len(table.columns)):
        width = table.widths[index] if index < len(table.widths) else DEFAULT_WIDTH
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    header = []
    for title in table.columns:
        cell = WriteOnlyCell(ws, value=str(title))
        cell.font = BOLD
        header.append(cell)
    ws.append(header)
    done = 0
    for row in rows_of(table):
        ws.append([_cell(ws, v) for v in table.cells(row)])
        done += 1
        if on_rows is not None and done % every == 0:
            on_rows(done)
    wb.save(out)
    return done
