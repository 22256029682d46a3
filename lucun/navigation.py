"""The navigation: each app registers its entries in its AppConfig.ready(); the shell shows each role its own.

Entries are grouped by the mechanism (直面问, 现场议, 分类解), then 积分, 工作成效 and 设置. An entry names the
roles that may use its page with the same role set its view checks (the app's permissions module), so a person
is offered exactly the pages that will open for them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

from .models import Role
from .registry import Registry

STREET_ROLES = frozenset({Role.STREET_LEADER, Role.STREET_STAFF, Role.SUPERVISOR})
OFFICIAL_ROLES = frozenset(Role.values)

# The groups, in the order the bar shows them: (key, label).
ASK, DISCUSS, SOLVE, POINTS, OUTCOMES, SETTINGS = "ask", "discuss", "solve", "points", "outcomes", "settings"
# Named for the bar ("navigation bar"): a phone gives each of seven tabs a seventh of 360 px, so another language
# names them in a word that fits there (English: Ask, Discuss, Resolve), where elsewhere it may say more.
GROUPS = (
    (ASK, pgettext_lazy("navigation bar", "直面问")),
    (DISCUSS, pgettext_lazy("navigation bar", "现场议")),
    (SOLVE, pgettext_lazy("navigation bar", "分类解")),
    (POINTS, pgettext_lazy("navigation bar", "积分")),
    (OUTCOMES, pgettext_lazy("navigation bar", "工作成效")),
    (SETTINGS, pgettext_lazy("navigation bar", "设置")),
)
GROUP_KEYS = frozenset(key for key, _label in GROUPS)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 50
    roles: frozenset[str] | None = None  # None: every signed-in user
    staff_only: bool = False
    url_kwargs: dict = field(default_factory=dict)
    group: str = ""  # one of GROUP_KEYS; "" only for the home page, which stands on its own
    query: str = ""  # e.g. "kind=contest": a filtered view of a list page
    badge: str = ""  # the key of a count shown on the entry (``register_badge``), e.g. what waits for approval

    def __post_init__(self) -> None:
        if self.group and self.group not in GROUP_KEYS:
            raise ValueError(f"unknown navigation group {self.group!r} for {self.url_name}")

    @property
    def key(self) -> str:
        return f"{self.url_name}?{self.query}" if self.query else self.url_name


_registry: Registry[NavItem] = Registry(ordered=True)
# badge key -> (user) -> the querysets whose rows the entry counts together (counted in the shell's one statement)
_badges: dict[str, Callable[[Any], list[QuerySet]]] = {}


def register_badge(key: str, rows: Callable[[Any], list[QuerySet]]) -> None:
    _badges[key] = rows


def badges_for(items: list[dict], user) -> dict[str, list[QuerySet]]:
    """The badges of the entries this user sees: {key: querysets to count}."""
    return {item["badge"]: _badges[item["badge"]](user) for item in items if item["badge"] in _badges}


register = _registry.register
registered = _registry.registered


def items_for(user, user_roles: set[str]) -> list[dict]:
    """Return the entries this user may use, in order, with their resolved URLs."""
    if not user.is_authenticated:
        return []
    visible = []
    for item in registered():
        if item.staff_only and not user.is_staff:
            continue
        if item.roles is not None and not user.is_superuser and not (item.roles & user_roles):
            continue
        try:
            path = reverse(item.url_name, kwargs=item.url_kwargs or None)
        except NoReverseMatch:
            continue
        visible.append(
            {
                "label": item.label,
                "url": f"{path}?{item.query}" if item.query else path,
                "path": path,
                "query": dict(parse_qsl(item.query)),
                "url_name": item.url_name,
                "group": item.group,
                "current": "",
                "badge": item.badge,
                "count": 0,
            }
        )
    return visible


def _current_item(items: list[dict], path: str, params: dict) -> dict | None:
    """The entry whose page this is: the longest path that starts the address, a matching filter first."""
    best, best_score = None, None
    for item in items:
        if item["path"] == "/" and path != "/":
            continue  # the home page is the prefix of everything; it is current only on itself
        if not path.startswith(item["path"]):
            continue
        if any(params.get(k) != v for k, v in item["query"].items()):
            continue
        score = (len(item["path"]), len(item["query"]))
        if best_score is None or score > best_score:
            best, best_score = item, score
    return best


def grouped(items: list[dict], *, path: str, params: dict, namespace: str = "") -> dict:
    """Arrange the entries into the home link and the groups, marking the current page and its group.

    The current entry is the one whose address starts the page's (a case page belongs to 诉求); a page outside
    every entry's address marks the group of the entries from the same app, if any.
    """
    current = _current_item(items, path, params)
    if current is not None:
        current["current"] = "page" if current["path"] == path else "true"
    current_group = current["group"] if current is not None else ""
    if not current_group and namespace:
        current_group = next((i["group"] for i in items if i["url_name"].startswith(f"{namespace}:")), "")
    home = next((i for i in items if not i["group"]), None)
    groups = []
    for key, label in GROUPS:
        members = [i for i in items if i["group"] == key]
        if members:
            groups.append({"key": key, "label": label, "items": members, "current": key == current_group})
    return {"home": home, "groups": groups}
