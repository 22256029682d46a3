"""Reads of the 12345 hotline connection: the key a push comes with, the streets a person imports for, and a
case's caller as the person may read it."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce

from lucun.models import Street, User
from lucun.text import mask_name, mask_phone

from .. import permissions
from ..models import Case, HotlineKey, HotlineOrder
from .keys import issued_key


def hotline_order_counts(
    *, street: Street, start: datetime, end: datetime, before_start: datetime, before_end: datetime
) -> dict:
    """Count the street's hotline orders received in [start, end) and in [before_start, before_end), in one query.

    An order is received at its 受理时间, or when its case was registered if the export had none. ``earliest`` is
    the first order the street has ever had (None: no order yet), which says whether a year before is comparable.
    """
    received = Coalesce("accepted_at", "case__opened_at")
    return (
        HotlineOrder.objects.filter(street=street)
        .annotate(received=received)
        .aggregate(
            earliest=Min("received"),
            count=Count("pk", filter=Q(received__gte=start, received__lt=end)),
            year_before=Count("pk", filter=Q(received__gte=before_start, received__lt=before_end)),
        )
    )


def hotline_key(secret: str | None) -> HotlineKey | None:
    """Return the active key whose hash this is, or None (unknown and revoked keys alike)."""
    return issued_key(HotlineKey.objects.select_related("street", "created_by"), secret)


def hotline_streets(*, user: User) -> list[Street]:
    """The streets whose hotline orders ``user`` may import (street-level officials of them, superusers)."""
    from ..services.hotline import can_manage_hotline

    return [street for street in Street.objects.order_by("name") if can_manage_hotline(user, street)]


@dataclass(frozen=True)
class HotlineCaller:
    number: str
    name: str
    phone: str
    full: bool  # shown in full (CALLER_ROLES), else masked


def hotline_caller(*, case: Case, user: User) -> HotlineCaller | None:
    """The order a hotline case came from, with its caller in full or masked as the person may read it."""
    if case.source != Case.Source.HOTLINE:
        return None
    order = HotlineOrder.objects.filter(case_id=case.pk).only("number", "caller_name", "caller_phone").first()
    if order is None:
        return None
    full = permissions.can_see_caller(user, case.community)
    return HotlineCaller(
        number=order.number,
        name=order.caller_name if full else mask_name(order.caller_name),
        phone=order.caller_phone if full else mask_phone(order.caller_phone),
        full=full,
    )
