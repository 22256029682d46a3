"""The visits app's kind in the site search (lucun.search): households (registered in ready()).

The phone is shown in full only to positions that see sensitive household data in its community (the rule of
visits.permissions), masked for the others.
"""

from django.utils.translation import gettext_lazy

from lucun.search import Hit, Provider, Query
from lucun.text import mask_phone

from .permissions import SensitiveCache
from .selectors.search import household_find


def find_households(*, user, query: Query):
    return household_find(user=user, text=query.text, digits=query.digits, whole_phone=query.whole_phone)


def household_hits(rows, *, user) -> list[Hit]:
    sensitive = SensitiveCache(user)
    return [
        Hit(
            kind="household",
            title=household.head_name,
            url=household.get_absolute_url(),
            community=household.community.name,
            detail=" · ".join(p for p in (household.address, household.grid.name if household.grid_id else "") if p),
            phone=household.phone if sensitive(household.community) else mask_phone(household.phone),
        )
        for household in rows
    ]


PROVIDERS = (
    Provider(key="household", label=gettext_lazy("住户"), order=30, find=find_households, hits=household_hits),
)
