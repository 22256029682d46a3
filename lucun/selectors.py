"""Reads of the core domain."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Prefetch, QuerySet

from .models import AuditEvent, Community, Grid, Notification, Street, User
from .scoping import communities_for


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


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
