"""The home page (工作台): what this person must do today, panel by panel.

lucun knows no app: each app registers the panels it can fill in its AppConfig.ready(), the way it registers
its navigation entries. A panel's builder reads through its app's selectors with a fixed number of queries
and returns None when the panel is not this person's work (the role check is the one the app's pages make).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

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
