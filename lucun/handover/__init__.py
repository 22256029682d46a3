"""Hand-over (工作交接): what an official holds, and how each app passes it to a successor.

lucun knows no app: each app registers, in its ``AppConfig.ready()``, the ``Holding`` kinds it keeps for a
person (cases: handling and first-responder accountability; outcomes: callbacks and survey samples; deliberation:
follow-up tasks and meetings to organise; visits: visit-team seats). A hand-over (``services.handover_make``) asks
every holding to move what the leaver holds in the scope to the successor, in one transaction; ending a position
(``services.position_end``) asks every holding what the person would still hold where none of their remaining
positions reaches, and refuses while anything is left.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ..registry import Registry
from ..text import counted


@dataclass(frozen=True)
class Moved:
    """One item a holding moved, as the hand-over records it (``HandoverItem``)."""

    kind: str  # a HandoverItem.Kind
    obj: Model
    community_id: int | None = None
    note: str = ""
    # Someone other than the successor who now holds the item (a callback re-routed for independence).
    given_to_id: int | None = None


@dataclass(frozen=True)
class Holding:
    """One kind of thing a person holds, as its app counts and moves it.

    ``count(user=, communities=, streets=, whole_streets=)`` counts what the user holds in those communities (or,
    for what belongs to a street, such as a visit team, in those streets; for what only the street's own level
    runs, such as its joint meetings, in ``whole_streets``, the streets the scope covers entirely).
    ``move(handover=, actor=, communities=, streets=, whole_streets=)`` moves what ``handover.leaver`` holds there
    to ``handover.successor``, under row locks, and returns the items it moved; it writes its app's events and
    audit and queues its own notifications.
    """

    key: str
    label: Promise  # what the person reads: "承办中的诉求"
    unit: Promise  # its measure word: "件"
    order: int
    count: Callable[..., int]
    move: Callable[..., list[Moved]]
    extra: dict = field(default_factory=dict)


# ``registered()`` lists the holdings in the order a hand-over moves them (cases before their callbacks, samples
# before teams).
_registry: Registry[Holding] = Registry(ordered=True)
_holdings = _registry.entries
register = _registry.register
registered = _registry.registered


@dataclass(frozen=True)
class Held:
    holding: Holding
    count: int

    def __str__(self) -> str:
        # "承办中的诉求 3 件" in Chinese, "Requests being handled: 3 items" in English.
        return _("%(label)s %(count)s") % {"label": self.holding.label, "count": counted(self.count, self.holding.unit)}


def held(*, user, communities: QuerySet, streets: QuerySet, whole_streets: QuerySet) -> list[Held]:
    """Return what ``user`` holds in ``communities`` / ``streets`` / ``whole_streets``, kind by kind, only the kinds
    with something."""
    scope = {"communities": communities, "streets": streets, "whole_streets": whole_streets}
    found = [Held(h, h.count(user=user, **scope)) for h in registered()]
    return [h for h in found if h.count]
