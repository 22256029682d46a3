"""The home page (工作台): what this person must do today, panel by panel.

lucun knows no app: each app registers the panels it can fill in its AppConfig.ready(), the way it registers
its navigation entries. A panel's builder reads through its app's selectors with a fixed number of queries
and returns None when the panel is not this person's work (the role check is the one the app's pages make).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Figure:
    """One count and the page that lists what it counts."""

    key: str
    label: str
    count: int
    url: str
    tone: str = ""  # "red", "yellow", "green": the case colours; "" for a plain count


@dataclass(frozen=True)
class Row:
    """One thing to act on, shown under the figures (the first few)."""

    label: str
    url: str
    note: str = ""
    tone: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    figures: tuple[Figure, ...]
    empty: str  # what the panel says when every count is zero, in Chinese
    rows: tuple[Row, ...] = ()
    more: tuple[str, str] | None = None  # (label, url) of the page with everything
    lead: bool = False  # the scope's figures a supervisor or leader reads first

    @property
    def is_empty(self) -> bool:
        return not any(f.count for f in self.figures)


ROWS = 5  # the things to act on a panel lists under its figures: the first few; its page has them all


def first_rows(items, row: Callable[[Any], Row]) -> tuple[Row, ...]:
    """Return the first few of ``items`` (a ready queryset, in the order to act on them) as rows."""
    return tuple(row(item) for item in items[:ROWS])


def count_panel(
    *,
    key: str,
    title: str,
    label: str,
    url: str,
    items,
    row: Callable[[Any], Row],
    empty: str,
    more: tuple[str, str] | None = None,
) -> Panel:
    """Return a panel of one figure, how many ``items`` there are (the page at ``url`` lists them), and the first
    few of them as rows; the rows are read only when there is something to show (one query when there is not)."""
    count = items.count()
    return Panel(
        key=key,
        title=title,
        figures=(Figure(key=key, label=label, count=count, url=url),),
        empty=empty,
        rows=first_rows(items, row) if count else (),
        more=more,
    )


PanelBuilder = Callable[..., Panel | None]  # (*, user, now) -> Panel, or None when not this person's work


@dataclass(frozen=True)
class _Source:
    key: str
    order: int
    build: PanelBuilder = field(compare=False)


_sources: dict[str, _Source] = {}


def register(key: str, build: PanelBuilder, *, order: int = 50) -> None:
    _sources[key] = _Source(key=key, order=order, build=build)


def panels_for(user, now: datetime | None = None) -> list[Panel]:
    """Return this person's panels: the leading figures first, then in the registered order."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    panels = []
    for source in sorted(_sources.values(), key=lambda s: (s.order, s.key)):
        panel = source.build(user=user, now=now)
        if panel is not None:
            panels.append(panel)
    return sorted(panels, key=lambda p: not p.lead)
