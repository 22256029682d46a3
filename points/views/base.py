"""Helpers shared by the points pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lucun.models import Community
from lucun.scoping import communities_for, has_role

PAGE_SIZE = 30


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _communities_with(user, allowed) -> list[Community]:
    """Return the visible communities in which the user holds one of ``allowed``."""
    return [c for c in communities_for(user).select_related("street__county") if has_role(user, allowed, c)]


def _require(user, allowed, community: Community) -> None:
    if not has_role(user, allowed, community):
        raise PermissionDenied(_("您没有在%(community)s办理此事的权限。") % {"community": community.name})
