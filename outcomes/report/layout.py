"""What a laid-out report is made of: figures, cells, tables, charts, sections and the document that holds them.
The page, the PDF and the Excel summary draw these; ``sections.py`` fills them from the figures."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | float | None
    unit: str = ""
    rate: bool = False  # a percentage, shown as 75.0%
    testid: str = ""

    @property
    def text(self) -> str:
        """The value as printed: "—" when there is nothing to show, a rate with its percent sign."""
        if self.value is None:
            return "—"
        return f"{self.value}%" if self.rate else str(self.value)

    @property
    def unit_text(self) -> str:
        return "%" if self.rate else self.unit


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""  # num, change-up, change-down


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[Cell]]  # the first cell of a row names it
    testid: str = ""
    empty: str = ""  # shown when there are no rows
    detail: bool = False  # the data behind a chart: folded on the page, printed in full


@dataclass(frozen=True)
class Chart:
    kind: str  # line | bar
    title: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]]
    suffix: str = ""
    y_max: float | None = None


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)  # (term or "", text)
    paragraphs: list[str] = field(default_factory=list)  # running text, before the figures


@dataclass(frozen=True)
class Document:
    """A report ready to show: its title, when its figures were computed, and its sections."""

    scope_name: str
    period_key: str
    period_label: str
    generated_at: datetime | None
    sections: list[Section]
    data: dict

    @property
    def title(self) -> str:
        return f"{self.scope_name} · {_('工作成效')} · {self.period_label}"
