"""Reads of volunteers and their ledger: scoped lists, one volunteer, the household members one can be linked to,
the 一码通 token."""

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from lucun.models import Community, User
from lucun.scoping import communities_for, get_scoped_or_404, scope
from visits.models import HouseholdMember

from ..models import LedgerEntry, PointsAccount, ServiceCorps, Volunteer, normalise_token


def volunteer_list(
    *,
    user: User,
    query: str = "",
    community_id: int | None = None,
    corps_id: int | None = None,
    active: bool | None = True,
) -> QuerySet[Volunteer]:
    qs = scope(Volunteer.objects.all(), user)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(phone__endswith=query))
    if community_id:
        qs = qs.filter(community_id=community_id)
    if corps_id:
        qs = qs.filter(corps__id=corps_id)
    if active is not None:
        qs = qs.filter(active=active)
    return (
        qs.select_related("community", "account")
        .prefetch_related(Prefetch("corps", queryset=ServiceCorps.objects.order_by("sort_order")))
        .order_by("community__sort_order", "name", "id")
    )


def volunteer_get(*, user: User, pk: int) -> Volunteer:
    return get_scoped_or_404(Volunteer.objects.select_related("community", "account", "member__household"), user, pk=pk)


def member_choices(*, community: Community, volunteer: Volunteer | None = None) -> QuerySet[HouseholdMember]:
    """Return the household members of a community a volunteer may be linked to: those no other volunteer is."""
    free = Q(volunteer__isnull=True)
    if volunteer is not None and volunteer.member_id:
        free |= Q(pk=volunteer.member_id)
    return (
        HouseholdMember.objects.filter(free, household__community=community)
        .select_related("household")
        .order_by("household__address", "household_id", "id")
    )


def member_for_link(*, user: User, pk: int) -> HouseholdMember | None:
    """Return a household member of the user's communities by id, or None (unknown or out of scope alike)."""
    return (
        HouseholdMember.objects.filter(pk=pk, household__community__in=communities_for(user))
        .select_related("household")
        .first()
    )


def volunteer_by_token(*, token: str) -> Volunteer | None:
    """Return the active volunteer a 一码通 opens, or None (revoked, reissued or mistyped)."""
    token = normalise_token(token)
    if not token:
        return None
    return (
        Volunteer.objects.filter(token=token, active=True)
        .select_related("community", "account")
        .prefetch_related("corps")
        .first()
    )


def ledger_for(*, volunteer: Volunteer) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(account__volunteer=volunteer)
        .select_related("created_by", "reverses", "claim__service_type", "reversed_by")
        .order_by("-created_at", "-id")
    )


def ledger_list(*, user: User) -> QuerySet[LedgerEntry]:
    return (
        scope(LedgerEntry.objects.all(), user)
        .select_related("account__volunteer", "reverses")
        .order_by("-created_at", "-id")
    )


def ledger_entry_get(*, user: User, pk: int) -> LedgerEntry:
    return get_scoped_or_404(
        LedgerEntry.objects.select_related("account__volunteer__community", "community"), user, pk=pk
    )


def ledger_sum(*, account: PointsAccount) -> int:
    return account.entries.aggregate(total=Coalesce(Sum("points"), 0))["total"]
