"""Exports of list pages to Excel: each app registers what its pages export; lucun writes, queues and serves them.

An app registers, in its ``AppConfig.ready()``, an ``Exporter``: a function that turns the person and the page's
query string into a ``Table`` built with the page's own filter form and selector, so an export holds exactly the
rows the page would show across all its pages, within the person's scope, and is refused (``PermissionDenied``)
where the page is. Up to ``LUCUN_EXPORT_DIRECT_MAX`` rows the file is answered at once; a larger export becomes an
``ExportJob`` that a Celery task writes with progress (``services``), kept as a private file only the person who
asked may download (``lucun.files``). lucun imports no app: it knows the exporters only through this registry.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import Http404, QueryDict
from django.utils import timezone

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
class Exporter:
    """One page's export: ``table(user=..., query=QueryDict)`` builds its rows as the page does."""

    kind: str  # "cases.case_list": the key stored on a job
    label: str  # what the file holds, in the person's words: 诉求清单
    table: Callable[..., Table]
    page: str  # the URL name of the page exported, for the way back
    action: str  # the audit action of an export
    filename: str  # the start of the downloaded file's name: cases → cases-20260301-0930.xlsx


_exporters: dict[str, Exporter] = {}


def register(*exporters: Exporter) -> None:
    for exporter in exporters:
        _exporters[exporter.kind] = exporter


def registered() -> list[Exporter]:
    return list(_exporters.values())


def get(kind: str) -> Exporter:
    """Return the exporter of ``kind``; an unknown kind is not found."""
    try:
        return _exporters[kind]
    except KeyError as exc:
        raise Http404 from exc


def direct_max() -> int:
    """The most rows an export answers at once; more go to the background."""
    return settings.LUCUN_EXPORT_DIRECT_MAX


def page_query(query: QueryDict) -> str:
    """The page's filters as a query string, without the page number: an export holds every page."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


def file_name(exporter: Exporter, moment=None) -> str:
    """The name the file is saved under on the official's computer: what it holds and when it was made."""
    return f"{exporter.filename}-{timezone.localtime(moment):%Y%m%d-%H%M}.xlsx"


def rows_of(table: Table) -> Iterable:
    """The table's rows read in chunks: memory stays flat and the number of queries does not grow with the rows."""
    rows = table.rows
    return rows.iterator(chunk_size=1000) if hasattr(rows, "iterator") else rows
