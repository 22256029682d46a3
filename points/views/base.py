"""Helpers shared by the points pages."""

from lucun.models import Community
from lucun.scoping import communities_for, has_role

PAGE_SIZE = 30


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _communities_with(user, allowed) -> list[Community]:
    """Return the visible communities in which the user holds one of ``allowed``."""
    return [c for c in communities_for(user).select_related("street__county") if has_role(user, allowed, c)]
