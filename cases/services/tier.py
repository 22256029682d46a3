"""Writes to the handling tiers that go beyond one row: which one new cases get by default."""

from django.db import transaction

from ..models import Tier


@transaction.atomic
def tier_make_default(*, tier: Tier) -> Tier:
    """Make ``tier`` the one new cases get unless another is chosen; the previous default stops being it.

    In one transaction, so there is never a moment without a default (the database allows at most one).
    """
    Tier.objects.select_for_update().filter(is_default=True).exclude(pk=tier.pk).update(is_default=False)
    if not tier.is_default:
        tier.is_default = True
        tier.save(update_fields=["is_default"])
    return tier
