"""The navigation: each app registers its entries in its AppConfig.ready(); the shell shows each role its own."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from .models import Role

STREET_ROLES = frozenset({Role.STREET_LEADER, Role.STREET_STAFF, Role.SUPERVISOR})
OFFICIAL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50
    roles: frozenset[str] | None = None  # None: every signed-in user
    staff_only: bool = False
    url_kwargs: dict = field(default_factory=dict)


_items: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _items[item.url_name] = item


def items_for(user, user_roles: set[str]) -> list[dict]:
    """Return the entries this user may use, in order, with their resolved URLs."""
    if not user.is_authenticated:
        return []
    visible = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.url_name)):
        if item.staff_only and not user.is_staff:
            continue
        if item.roles is not None and not user.is_superuser and not (item.roles & user_roles):
            continue
        try:
            url = reverse(item.url_name, kwargs=item.url_kwargs or None)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return visible
