"""Reads of venues: the list, one venue and its meetings, and the 15-minute circle's coverage."""

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from lucun.models import Grid, User
from lucun.scoping import communities_for, scope

from ..models import Meeting, Venue
from .meetings import MEETING_RELATED, meeting_scope


def venue_list(*, user: User, filters: dict | None = None) -> QuerySet[Venue]:
    filters = filters or {}
    grid_count = (
        Venue.grids.through.objects.filter(venue=OuterRef("pk"))
        .order_by()
        .values("venue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    staff_count = (
        Venue.staff.through.objects.filter(venue=OuterRef("pk"))
        .order_by()
        .values("venue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = scope(Venue.objects.all(), user).select_related("community")
    if filters.get("community"):
        queryset = queryset.filter(community=filters["community"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("active") in (True, False):
        queryset = queryset.filter(is_active=filters["active"])
    return queryset.annotate(
        grid_count=Coalesce(Subquery(grid_count, output_field=IntegerField()), 0),
        staff_count=Coalesce(Subquery(staff_count, output_field=IntegerField()), 0),
    ).order_by("community__sort_order", "community__name", "kind", "name")


def venue_get(*, user: User, pk: int) -> Venue:
    try:
        return (
            scope(Venue.objects.all(), user).select_related("community").prefetch_related("grids", "staff").get(pk=pk)
        )
    except Venue.DoesNotExist as exc:
        raise Http404 from exc


def venue_meetings(*, venue: Venue, user: User) -> QuerySet[Meeting]:
    return meeting_scope(user).filter(venue=venue).select_related(*MEETING_RELATED).order_by("-starts_at", "-pk")


def coverage(*, user: User) -> dict:
    """Return the 15-minute circle's coverage: every visible grid, whether an active venue serves it."""
    served = Venue.grids.through.objects.filter(grid=OuterRef("pk"), venue__is_active=True)
    grids = list(
        Grid.objects.filter(community__in=communities_for(user))
        .select_related("community")
        .annotate(served=Exists(served))
        .order_by("community__sort_order", "community__name", "sort_order", "name")
    )
    uncovered = [g for g in grids if not g.served]
    return {
        "grids": grids,
        "uncovered": uncovered,
        "total": len(grids),
        "covered": len(grids) - len(uncovered),
        "rate": round(100 * (len(grids) - len(uncovered)) / len(grids), 1) if grids else None,
    }
