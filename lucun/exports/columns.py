"""Columns declared once: an export lists its columns (header, what a row shows there, width) in one sequence, and
``column_table`` makes the ``Table`` from it, so a header, its cell and its width cannot drift apart."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import Table
from .xlsx import DEFAULT_WIDTH


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, what a row shows in it, its width in characters.

    ``value`` is a function of the row, or the name of the row's attribute, dotted to follow relations
    (``"community.name"``): a relation left empty on the way gives an empty cell, and a method named last is called
    (``"get_state_display"``).
    """

    header: str
    value: str | Callable[[Any], Any]
    width: int = DEFAULT_WIDTH

    def cell(self, row) -> Any:
        if callable(self.value):
            return self.value(row)
        value = row
        for name in self.value.split("."):
            if value is None:
                return ""
            value = getattr(value, name)
        return value() if callable(value) else value


def column_table(*, title: str, rows: Any, columns: Sequence[Column]) -> Table:
    """Return the table of ``rows`` (a ready queryset) with these columns, in their order."""
    return Table(
        title=title,
        columns=[column.header for column in columns],
        rows=rows,
        cells=lambda row: [column.cell(row) for column in columns],
        widths=[column.width for column in columns],
    )
