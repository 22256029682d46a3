"""The one scoping rule: which communities a user may see and act in, from the user's positions.

A county or street position reaches every community below it; a community or grid position
reaches its own community only. Every selector, page and API endpoint filters through
``communities_for`` so that a foreign object is simply not found (404, never 403).
"""

from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .errors import require_permission
from .models import Community, Grid, Position, Role, Street

STREET_LEVEL_ROLES = frozenset({Role.STREET_LEADER, Role.STREET_STAFF, Role.SUPERVISOR})


def user_positions(user) -> list[Position]:
    """Return the user's current positions, loaded once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lucun_positions", None)
    if cached is None:
        cached = list(
            Position.objects.current()
            .filter(user=user)
            .select_related("county", "street", "community", "grid", "grid__community")
        )
        user._lucun_positions = cached
    return cached


def communities_for(user) -> QuerySet[Community]:
    """Return the communities this user may see and act in, as a lazy queryset usable as a subquery."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Community.objects.none()
    if user.is_superuser:
        return Community.objects.all()
    return _covered_by(Position.objects.current().filter(user_id=user.pk))


def communities_with_role(user, roles: Iterable[str]) -> QuerySet[Community]:
    """Return the communities in which the user holds one of ``roles``: ``has_role`` for many communities at once."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Community.objects.none()
    if user.is_superuser:
        return Community.objects.all()
    return _covered_by(Position.objects.current().filter(user_id=user.pk, role__in=list(roles)))


def community_ids_for(user, roles: Iterable[str] | None = None) -> list[int]:
    """Return the ids of the communities ``communities_for`` names (with ``roles``: ``communities_with_role``), sorted.

    Read once per request and kept on the user object, from the positions ``user_positions`` has read: a page that
    runs many statements names these ids in each instead of repeating the scoping subquery. A community or grid
    position costs no statement of its own; a street or county position one, for the communities below it.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    # getattr and setattr, not the instance's __dict__: a request's user is a lazy object that passes them on.
    if user.is_superuser:
        known = getattr(user, "_lucun_all_community_ids", None)
        if known is None:
            known = user._lucun_all_community_ids = list(Community.objects.order_by("pk").values_list("pk", flat=True))
        return list(known)
    reach = getattr(user, "_lucun_reach", None)
    if reach is None:
        reach = user._lucun_reach = _reach_of(user_positions(user))
    wanted = None if roles is None else set(roles)
    return sorted({pk for role, ids in reach for pk in ids if wanted is None or role in wanted})


def _reach_of(positions: list[Position]) -> list[tuple[str, set[int]]]:
    """Each position's role and the ids of the communities it reaches, in at most one statement."""
    streets = {p.street_id for p in positions if p.street_id}
    counties = {p.county_id for p in positions if p.county_id}
    below: list[tuple[int, int, int]] = []
    if streets or counties:
        below = list(
            Community.objects.filter(Q(street_id__in=streets) | Q(street__county_id__in=counties))
            .order_by()
            .values_list("pk", "street_id", "street__county_id")
        )
    reach = []
    for p in positions:
        if p.grid_id:
            ids = {p.grid.community_id}
        elif p.community_id:
            ids = {p.community_id}
        elif p.street_id:
            ids = {pk for pk, street_id, _ in below if street_id == p.street_id}
        elif p.county_id:
            ids = {pk for pk, _, county_id in below if county_id == p.county_id}
        else:
            ids = set()
        reach.append((p.role, ids))
    return reach


def _covered_by(positions: QuerySet[Position]) -> QuerySet[Community]:
    """The communities at or below the positions' nodes, as one lazy queryset."""
    return Community.objects.filter(
        Q(street__county__in=positions.filter(county__isnull=False).values("county"))
        | Q(street__in=positions.filter(street__isnull=False).values("street"))
        | Q(pk__in=positions.filter(community__isnull=False).values("community"))
        | Q(pk__in=Grid.objects.filter(pk__in=positions.filter(grid__isnull=False).values("grid")).values("community"))
    )


def streets_for(user) -> QuerySet[Street]:
    """Return the streets in which this user sees at least one community."""
    return Street.objects.filter(pk__in=communities_for(user).values("street"))


def scope(queryset: QuerySet, user, community_field: str = "community") -> QuerySet:
    """Filter any queryset to the rows whose community this user may see."""
    return queryset.filter(**{f"{community_field}__in": communities_for(user)})


def get_scoped_or_404(queryset: QuerySet, user, community_field: str = "community", **lookup) -> Model:
    """Fetch one object the user may see, or raise 404 as if it did not exist."""
    try:
        return scope(queryset, user, community_field).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def _covers(position: Position, community: Community) -> bool:
    if position.grid_id:
        return position.grid.community_id == community.pk
    if position.community_id:
        return position.community_id == community.pk
    if position.street_id:
        return position.street_id == community.street_id
    if position.county_id:
        return position.county_id == community.street.county_id
    return False


def roles_for(user, community: Community | None = None) -> set[str]:
    """Return the roles the user holds; with a community, only those whose node covers it."""
    positions = user_positions(user)
    if community is None:
        return {p.role for p in positions}
    return {p.role for p in positions if _covers(p, community)}


def has_role(user, roles: Iterable[str], community: Community | None = None) -> bool:
    """Tell whether the user holds any of ``roles`` (at a node covering ``community`` if given)."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_for(user, community) & set(roles))


def require_role(user, roles: Iterable[str], community: Community | None = None, message: str | None = None) -> None:
    """Refuse the person (403, ``lucun.errors.NotAllowed``) unless they hold one of ``roles`` covering ``community``.

    Without a ``message``, the refusal names the community: "您没有在芦湖村办理此事的权限。"
    """
    if message is None and community is not None:
        message = _("您没有在%(community)s办理此事的权限。") % {"community": community.name}
    require_permission(has_role(user, roles, community), message)


def is_street_level(user) -> bool:
    """Tell whether the user works at street or county level (sees every community of a street)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(p.street_id or p.county_id for p in user_positions(user))
