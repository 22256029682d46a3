"""Filters other apps offer on cases by where the cases came from (a visit team, …).

The cases app knows nothing of the other apps: an app registers a filter in its AppConfig.ready(),
and case lists, the dashboard and their forms pick it up.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from lucun.registry import Registry


@dataclass(frozen=True)
class SourceFilter:
    key: str  # the query parameter, e.g. "team"
    label: str
    empty_label: str  # the option that filters nothing, e.g. "全部走访队伍" (a sentence of its own in each language)
    choices: Callable[[object], QuerySet]  # user -> the options this user may pick
    narrow: Callable[[QuerySet, object], QuerySet]  # (cases, chosen option) -> the cases it covers


_registry: Registry[SourceFilter] = Registry()
register = _registry.register
registered = _registry.registered


def apply(queryset: QuerySet, filters: dict) -> QuerySet:
    for key, source_filter in _registry.entries.items():
        if filters.get(key):
            queryset = source_filter.narrow(queryset, filters[key])
    return queryset
