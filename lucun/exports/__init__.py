"""Exports of list pages to files: each app registers what its pages export; lucun writes, queues and serves them.

An app registers, in its ``AppConfig.ready()``, an ``Exporter``: a function that turns the person and the page's
query string into a ``Table`` built with the page's own filter form and selector, so an export holds exactly the
rows the page would show across all its pages, within the person's scope, and is refused (``PermissionDenied``)
where the page is. The file is an Excel sheet unless the exporter names another ``FileFormat`` (the printed
case sheets are a PDF, a page a row). Up to the exporter's ``direct_max`` rows (``LUCUN_EXPORT_DIRECT_MAX``) the
file is answered at once; a larger export becomes an ``ExportJob`` that a Celery task writes with progress
(``services``, ``lucun.jobs``), kept as a private file only the person who asked may download (``lucun.files``)
until it expires. lucun imports no app: it knows the exporters only through this registry.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..registry import Registry

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    """What an export writes: a sheet title, the column headers, the rows and how one row becomes cells."""

    title: str
    columns: list[str]
    rows: Any  # a ready queryset: counted, then read once in order
    cells: Callable[[Any], list]
    widths: list[int] = field(default_factory=list)  # in characters; 12 for a column not given


@dataclass(frozen=True)
class FileFormat:
    """The kind of file an export writes, and what one row of its table becomes in it."""

    extension: str  # "xlsx"
    content_type: str
    label: str  # what the page offers to download: Excel 文件
    unit: str  # what the progress counts: 行 (rows of a sheet), 份 (printed pages)
    # write(out, table, *, on_rows=None, site="") -> the rows written, calling on_rows(done) after each;
    # ``site`` is the site's absolute address, for what the file prints (a QR code).
    write: Callable[..., int]
    progress_step: int = 1  # the job records its progress at most every this many rows


def _xlsx_write(out, table: Table, *, on_rows=None, site: str = "") -> int:
    from . import xlsx  # it builds on this module

    return xlsx.write(out, table, on_rows=on_rows)


XLSX = FileFormat(
    extension="xlsx",
    content_type=XLSX_CONTENT_TYPE,
    label=gettext_lazy("Excel 文件"),
    unit=gettext_lazy("行"),
    write=_xlsx_write,
    progress_step=500,
)


def default_direct_max() -> int:
    """The most rows an Excel export answers at once; more go to the background."""
    return settings.LUCUN_EXPORT_DIRECT_MAX


@dataclass(frozen=True)
class Exporter:
    """One page's export: ``table(user=..., query=QueryDict)`` builds its rows as the page does."""

    kind: str  # "cases.case_list": the key stored on a job
    label: str  # what the file holds, in the person's words: 诉求清单
    table: Callable[..., Table]
    page: str  # the URL name of the page exported, for the way back
    action: str  # the audit action of an export
    filename: str  # the start of the downloaded file's name: cases → cases-20260301-0930.xlsx
    format: FileFormat = XLSX
    direct_max: Callable[[], int] = default_direct_max  # up to this many rows the file is answered at once
    # check(rows) refuses (lucun.errors.DomainError) a number of rows it will not make into a file, e.g. none.
    check: Callable[[int], None] | None = None


_registry: Registry[Exporter] = Registry(key="kind")
_exporters = _registry.entries
register = _registry.register
registered = _registry.registered
get = _registry.get  # an unknown kind is not found


def page_query(query: QueryDict) -> str:
    """The page's filters as a query string, without the page number: an export holds every page."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


def file_name(exporter: Exporter, moment=None) -> str:
    """The name the file is saved under on the official's computer: what it holds and when it was made."""
    return f"{exporter.filename}-{timezone.localtime(moment):%Y%m%d-%H%M}.{exporter.format.extension}"


def row_count(table: Table) -> int:
    """How many rows the table holds (one query for a queryset)."""
    rows = table.rows
    return rows.count() if hasattr(rows, "iterator") else len(rows)


def rows_of(table: Table) -> Iterable:
    """The table's rows read in chunks: memory stays flat and the number of queries does not grow with the rows."""
    rows = table.rows
    return rows.iterator(chunk_size=1000) if hasattr(rows, "iterator") else rows
