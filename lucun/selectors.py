"""Reads of the core domain."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, Model, Prefetch, QuerySet, Subquery, Sum, Value

from .models import AuditEvent, Community, ExportJob, Grid, Notification, Street, User
from .scoping import communities_for, community_ids_for


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def communities_seen(*, user: User) -> list[Community]:
    """Return the communities this user sees (``community_ids_for``) with their names, in the order lists show them.

    One statement, read once per request and kept on the user object: a page's filter bar and its figures by
    community share it.
    """
    ids = community_ids_for(user)
    kept = getattr(user, "_lucun_communities_seen", None)
    if kept is None or kept[0] != ids:
        listed = (
            list(
                Community.objects.filter(pk__in=ids)
                .order_by("sort_order", "name")
                .only("name", "sort_order", "street_id")
            )
            if ids
            else []
        )
        kept = user._lucun_communities_seen = (ids, listed)
    return list(kept[1])


def counted(queryset: QuerySet) -> Subquery:
    """``queryset``'s row count as a scalar subquery (one row, no GROUP BY)."""
    return _aggregated(queryset, Count("pk"))


def summed(queryset: QuerySet, column: str) -> Subquery:
    """The sum of ``queryset``'s ``column`` as a scalar subquery: one row, NULL where there are no rows."""
    return _aggregated(queryset, Sum(column))


def _aggregated(queryset: QuerySet, aggregate) -> Subquery:
    rows = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(_n=aggregate).values("_n")
    return Subquery(rows, output_field=IntegerField())


def shell_counts(*, user: User, badges: dict[str, list[QuerySet]]) -> dict[str, int]:
    """Return the unread notices (``unread``) and each navigation badge's count, in one statement.

    A badge counts the rows of its querysets together (e.g. two kinds of request); the shell of every page pays
    for them with the statement it makes for the unread count anyway.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if not badges:
        return {"unread": unread.count()}
    parts = {"unread": counted(unread)}
    for key, querysets in badges.items():
        for i, queryset in enumerate(querysets):
            parts[f"{key}__{i}"] = counted(queryset)
    row = User.objects.filter(pk=user.pk).values(**parts).first() or {}
    counts = {"unread": row.get("unread") or 0}
    for key, querysets in badges.items():
        counts[key] = sum(row.get(f"{key}__{i}") or 0 for i in range(len(querysets)))
    return counts


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def export_files_visible(*, user: User) -> QuerySet[ExportJob]:
    """Return the finished exports whose file the user may download: only those the user asked for.

    An export holds what its owner's scope showed when it was made; a colleague asks for their own.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(created_by_id=user.pk, state=ExportJob.State.DONE)


def audit_for_object(*, obj: Model, limit: int = 50) -> QuerySet[AuditEvent]:
    """Return the audit trail of one object, newest first."""
    return (
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def org_tree(*, user: User) -> QuerySet[Street]:
    """Return the streets the user sees, with their visible communities and grids prefetched."""
    visible = communities_for(user)
    communities = (
        Community.objects.filter(pk__in=visible.values("pk"))
        .annotate(grid_count=Count("grids"))
        .prefetch_related(Prefetch("grids", queryset=Grid.objects.order_by("sort_order", "name")))
        .order_by("sort_order", "name")
    )
    return (
        Street.objects.filter(pk__in=visible.values("street"))
        .select_related("county")
        .prefetch_related(Prefetch("communities", queryset=communities))
    )


def community_list(*, user: User) -> QuerySet[Community]:
    return communities_for(user).select_related("street").order_by("street__name", "sort_order", "name")


def grid_list(*, user: User) -> QuerySet[Grid]:
    return Grid.objects.filter(community__in=communities_for(user)).select_related("community")


def officials_covering(*, community: Community, roles: list[str] | frozenset[str]) -> QuerySet[User]:
    """Return the active users holding one of ``roles`` at a node that covers ``community``."""
    from django.db.models import Q

    from .models import Position

    positions = (
        Position.objects.current()
        .filter(role__in=list(roles))
        .filter(
            Q(community=community)
            | Q(grid__community=community)
            | Q(street_id=community.street_id)
            | Q(county__isnull=False, county_id=community.street.county_id)
        )
    )
    return User.objects.filter(is_active=True, pk__in=positions.values("user")).order_by("pk")


def officials_by_community(*, community_ids: list[int], roles: list[str] | frozenset[str]) -> dict[int, list[int]]:
    """Return {community id: [user ids]} of the active officials holding ``roles`` covering each community.

    Three queries whatever the number of communities, for bulk notification.
    """
    from .models import Position

    communities = list(
        Community.objects.filter(pk__in=community_ids).values_list("pk", "street_id", "street__county_id")
    )
    positions = list(
        Position.objects.current()
        .filter(role__in=list(roles), user__is_active=True)
        .values_list("user_id", "county_id", "street_id", "community_id", "grid__community_id")
    )
    result: dict[int, list[int]] = {}
    for community_id, street_id, county_id in communities:
        users = {
            user_id
            for user_id, p_county, p_street, p_community, p_grid_community in positions
            if community_id in (p_community, p_grid_community)
            or (p_street is not None and p_street == street_id)
            or (p_county is not None and p_county == county_id)
        }
        result[community_id] = sorted(users)
    return result


def officials_in_scope(*, user: User, seen: list[Community] | None = None) -> QuerySet[User]:
    """Return the active officials whose positions lie within the communities this user sees.

    ``seen``: those communities as ``communities_seen`` gives them, named by id instead of the scoping subquery.
    """
    from django.db.models import Q

    from .models import Position

    if seen is not None:
        ids = [c.pk for c in seen]
        covering = (
            Q(community_id__in=ids) | Q(grid__community_id__in=ids) | Q(street_id__in={c.street_id for c in seen})
        )
    else:
        visible = communities_for(user)
        covering = Q(community__in=visible) | Q(grid__community__in=visible) | Q(street__in=visible.values("street"))
    positions = Position.objects.current().filter(covering)
    return User.objects.filter(is_active=True, pk__in=positions.values("user")).order_by("real_name", "username")
