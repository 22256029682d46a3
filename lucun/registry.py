"""What apps register with lucun in their ``AppConfig.ready()`` (search providers, bulk actions, exports,
hand-over holdings, menu entries …): lucun imports no app and learns of them only this way.

Each registry keeps its entries by a key of their own, so registering one again replaces it; it lists them in the
order registered, or by their ``order`` then key where the page shows them in a fixed order.
"""

from typing import Generic, TypeVar

from django.http import Http404

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, *, key: str = "key", ordered: bool = False) -> None:
        self.entries: dict[str, T] = {}
        self._key = key
        self._ordered = ordered

    def register(self, *entries: T) -> None:
        for entry in entries:
            self.entries[getattr(entry, self._key)] = entry

    def registered(self) -> list[T]:
        """Every entry: by ``order`` then key in an ordered registry, else in the order registered."""
        entries = list(self.entries.values())
        if self._ordered:
            entries.sort(key=lambda entry: (entry.order, getattr(entry, self._key)))
        return entries

    def get(self, key: str) -> T:
        """Return the entry of ``key``; an unknown key is not found (404)."""
        try:
            return self.entries[key]
        except KeyError as exc:
            raise Http404 from exc
