"""Reads of service claims: the queue to approve, one claim or batch, their photos, the service types."""

from django.db.models import QuerySet

from lucun.models import User
from lucun.scoping import communities_with_role, get_scoped_or_404, scope

from ..models import ClaimBatch, ServiceClaim, ServiceType
from ..roles import APPROVE_ROLES


def claim_list(*, user: User, status: str | None = None, community_id: int | None = None) -> QuerySet[ServiceClaim]:
    qs = scope(ServiceClaim.objects.all(), user)
    if status:
        qs = qs.filter(status=status)
    if community_id:
        qs = qs.filter(community_id=community_id)
    return qs.select_related("volunteer", "community", "service_type", "batch", "submitted_by", "decided_by").order_by(
        "created_at" if status == ServiceClaim.Status.PENDING else "-created_at", "id"
    )


def claims_to_approve_count(*, user: User) -> int:
    """Count the pending claims in the communities where the user approves claims (one query)."""
    return ServiceClaim.objects.filter(
        status=ServiceClaim.Status.PENDING, community__in=communities_with_role(user, APPROVE_ROLES)
    ).count()


def claim_get(*, user: User, pk: int) -> ServiceClaim:
    return get_scoped_or_404(
        ServiceClaim.objects.select_related("volunteer", "community", "service_type", "batch", "decided_by"),
        user,
        pk=pk,
    )


def claim_photos_visible(*, user: User) -> QuerySet[ServiceClaim]:
    """Return the claims with an evidence photo that the user may see (the photo is the claim's own field)."""
    return scope(ServiceClaim.objects.exclude(photo=""), user)


def claims_by_ids(*, user: User, ids: list[int]) -> QuerySet[ServiceClaim]:
    return scope(ServiceClaim.objects.filter(pk__in=ids), user).select_related("community").order_by("created_at")


def batch_get(*, user: User, pk: int) -> ClaimBatch:
    return get_scoped_or_404(ClaimBatch.objects.select_related("community", "service_type", "created_by"), user, pk=pk)


def service_types(*, active_only: bool = True) -> QuerySet[ServiceType]:
    qs = ServiceType.objects.all()
    if active_only:
        qs = qs.active()
    return qs.order_by("sort_order", "name")
