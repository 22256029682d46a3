"""Reads of the negative list and its 通报: the notice board, the bulletins a person reads, their items.

A 通报 belongs to a street: a person sees only those of the streets they work in (any other is not found, 404);
among those, a draft is seen only by who writes the street's 通报, a published one by the positions the
configuration names (``BulletinReader``), the others being refused (403).
"""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from lucun.models import Position, Street, User
from lucun.scoping import scope, streets_for, user_positions

from .. import permissions
from ..models import Bulletin, BulletinItem, BulletinReader, Case, ConductViolation
from .case import notice_list

VIOLATION_RELATED = ("official", "kind", "community", "case", "recorded_by")
ITEM_RELATED = tuple(f"violation__{name}" for name in VIOLATION_RELATED)


def bulletin_reader_roles() -> frozenset[str]:
    """Return the positions the configuration lets read a street's 通报 (besides those who write them)."""
    return frozenset(BulletinReader.objects.filter(is_active=True).values_list("role", flat=True))


def _published_in() -> Exists:
    return Exists(BulletinItem.objects.filter(violation=OuterRef("pk"), bulletin__state=Bulletin.State.PUBLISHED))


def notice_board(*, user: User) -> tuple[QuerySet[Case], QuerySet[ConductViolation]]:
    """Return what is to be reported: cases red past their tier's delay, and conduct violations, each marked
    ``published`` once a published 通报 lists it."""
    cases, violations = notice_list(user=user)
    return cases, violations.annotate(published=_published_in())


def bulletin_streets_to_write(*, user: User) -> QuerySet[Street]:
    """Return the streets whose 通报 this user drafts and publishes."""
    if user.is_superuser:
        return Street.objects.order_by("name")
    positions = [p for p in user_positions(user) if p.role in permissions.BULLETIN_WRITE_ROLES]
    streets = [p.street_id for p in positions if p.street_id]
    counties = [p.county_id for p in positions if p.county_id]
    if not streets and not counties:
        return Street.objects.none()
    return Street.objects.filter(Q(pk__in=streets) | Q(county__in=counties)).order_by("name")


def bulletin_list(*, user: User, readers: frozenset[str]) -> QuerySet[Bulletin]:
    """Return the 通报 this user reads: published ones of the streets they read, and the drafts of the streets
    they write for (drafts first, then the latest published), each with its number of items."""
    streets = list(streets_for(user))
    readable = [s.pk for s in streets if permissions.can_read_bulletins(user, s, readers)]
    writable = [s.pk for s in streets if permissions.can_write_bulletins(user, s)]
    return (
        Bulletin.objects.filter(
            Q(street__in=readable, state=Bulletin.State.PUBLISHED) | Q(street__in=writable, state=Bulletin.State.DRAFT)
        )
        .select_related("street", "published_by", "created_by")
        .annotate(item_count=Count("items"))
        .order_by("state", "-published_at", "-id")  # "draft" < "published": drafts come first
    )


def bulletin_get(*, user: User, pk: int) -> Bulletin:
    """Return one 通报 of a street the user works in, or raise 404; whether they may read it is the caller's check
    (``permissions.can_read_bulletin``)."""
    bulletin = (
        Bulletin.objects.filter(pk=pk, street__in=streets_for(user))
        .select_related("street", "published_by", "created_by", "corrects")
        .first()
    )
    if bulletin is None:
        raise Http404
    return bulletin


def bulletin_items(*, bulletin: Bulletin) -> QuerySet[BulletinItem]:
    """Return the items of a 通报 in their order, with their violation, official, kind, community and case."""
    return bulletin.items.select_related(*ITEM_RELATED).order_by("sort_order", "pk")


def bulletin_candidates(*, user: User, street: Street, period_from: date, period_to: date) -> QuerySet:
    """Return the violations a 通报 of ``street`` may list for the period: those the user sees, that happened in
    it, oldest first, each marked ``published`` if a published 通报 lists it already."""
    return (
        scope(ConductViolation.objects.all(), user)
        .filter(community__street=street, occurred_on__gte=period_from, occurred_on__lte=period_to)
        .select_related(*VIOLATION_RELATED)
        .annotate(published=_published_in())
        .order_by("occurred_on", "pk")
    )


def bulletin_readers(*, street: Street, roles: frozenset[str]) -> QuerySet[User]:
    """Return the active officials who read the 通报 of ``street``: its readers by configuration and its writers."""
    positions = Position.objects.current().filter(
        Q(street=street)
        | Q(county__isnull=False, county_id=street.county_id)
        | Q(community__street=street)
        | Q(grid__community__street=street)
    )
    writers = Q(role__in=list(permissions.BULLETIN_WRITE_ROLES)) & (
        Q(street=street) | Q(county__isnull=False, county_id=street.county_id)
    )
    positions = positions.filter(Q(role__in=list(roles)) | writers)
    return User.objects.filter(is_active=True, pk__in=positions.values("user")).order_by("pk")
