"""Search within one's scope from every page (站内搜索): case numbers, lookup codes, households, phone numbers.

lucun imports no app: each app registers, in its ``AppConfig.ready()``, a ``Provider`` that finds its own objects
for a query through its selectors — scoped by ``lucun.scoping.communities_for``, so that nothing outside the
person's communities is ever found — and turns a page of them into ``Hit``s. The page and the API show each kind
with its count and one kind's hits a page at a time: a fixed number of queries whatever is found (one count
per kind, one page of rows).

A phone number is shown as the person may read it: in full only where they see full numbers, masked elsewhere;
and a part of a number finds only what they could read in full, so that nobody uncovers a masked number by
searching for its hidden digits. Elsewhere only the whole number finds its owner.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from .registry import Registry

MIN_LENGTH = 2  # one character finds half the street
MAX_LENGTH = 50
PHONE_PART_DIGITS = 4  # the fewest digits that find a number by a part of it
PHONE_DIGITS = 7  # a whole number has at least this many digits (a landline without its area code)
_PHONE = re.compile(r"\+?[\d\s\-]+")


@dataclass(frozen=True)
class Query:
    """What the person typed, trimmed; ``digits`` when it reads as (a part of) a phone number."""

    text: str

    @property
    def digits(self) -> str:
        if not _PHONE.fullmatch(self.text):
            return ""
        digits = re.sub(r"\D", "", self.text)
        return digits if len(digits) >= PHONE_PART_DIGITS else ""

    @property
    def whole_phone(self) -> str:
        """The digits when they can be a whole number (found by anyone in scope, whatever they see of it)."""
        return self.digits if len(self.digits) >= PHONE_DIGITS else ""


def parse(raw: str | None) -> Query | None:
    """Return the query, or None when it is too short to search (spaces collapsed, at most MAX_LENGTH)."""
    text = " ".join((raw or "").split())[:MAX_LENGTH]
    return Query(text) if len(text) >= MIN_LENGTH else None


@dataclass(frozen=True)
class Hit:
    """One thing found, as a line of the results: what it is, where it lies, and its page."""

    kind: str
    title: str
    url: str
    community: str
    detail: str = ""
    phone: str = ""  # as the person may see it: masked unless they see full numbers there


@dataclass(frozen=True)
class Provider:
    key: str  # "case": the ``kind`` in the address
    label: str  # 诉求
    order: int
    # (*, user, query) -> a ready, scoped and ordered queryset; None when this kind is not the person's to see
    find: Callable[..., QuerySet | None]
    # (rows, *, user) -> the rows of one page as hits
    hits: Callable[..., list[Hit]]


_registry: Registry[Provider] = Registry(ordered=True)
register = _registry.register
registered = _registry.registered


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    count: int


class Counted:
    """A queryset whose count is known already: the paginator reads it instead of counting again."""

    ordered = True

    def __init__(self, queryset: QuerySet, count: int) -> None:
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any):
        return self.queryset[index]


@dataclass(frozen=True)
class Results:
    query: Query | None
    kinds: list[Kind]
    kind: str  # the kind shown ("" when nothing can be searched)
    rows: Counted | None  # its matches, to paginate
    provider: Provider | None

    @property
    def total(self) -> int:
        return sum(k.count for k in self.kinds)

    def hits(self, rows, *, user) -> list[Hit]:
        return self.provider.hits(list(rows), user=user) if self.provider else []


def search(*, user, raw: str | None, kind: str = "") -> Results:
    """Count the matches of each kind the person may see and pick the kind to show: the one asked for, else the
    first that found something."""
    query = parse(raw)
    if query is None or not getattr(user, "is_authenticated", False):
        return Results(query=query, kinds=[], kind="", rows=None, provider=None)
    found: list[tuple[Provider, QuerySet, int]] = []
    for provider in registered():
        queryset = provider.find(user=user, query=query)
        if queryset is not None:
            found.append((provider, queryset, queryset.count()))
    kinds = [Kind(key=p.key, label=p.label, count=n) for p, _qs, n in found]
    if not found:
        return Results(query=query, kinds=[], kind="", rows=None, provider=None)
    chosen = next((f for f in found if f[0].key == kind), None)
    chosen = chosen or next((f for f in found if f[2]), found[0])
    provider, queryset, count = chosen
    return Results(query=query, kinds=kinds, kind=provider.key, rows=Counted(queryset, count), provider=provider)
