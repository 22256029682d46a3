"""Reads for the site search (lucun.search): the households of the person's communities that match."""

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace

from lucun.models import User
from lucun.scoping import communities_with_role

from ..models import Household
from ..permissions import SENSITIVE_DATA_ROLES
from .visiting import household_list

WORDS = 4


def household_find(*, user: User, text: str, digits: str = "", whole_phone: str = "") -> QuerySet[Household]:
    """Households by the head's name, the address or their pinyin initials, or by phone number.

    A part of a number (at least four digits) finds only households whose full number the user may see (the
    communities where they see sensitive data, visits.permissions); elsewhere only the whole number finds one,
    so a masked number cannot be uncovered digit by digit.
    """
    match = Q()
    for word in text.lower().split()[:WORDS]:
        match &= Q(search_key__contains=word)
    queryset = household_list(user=user)
    if digits:
        queryset = queryset.annotate(phone_digits=Replace(F("phone"), Value("-"), Value("")))
        match |= Q(phone_digits__contains=digits, community__in=communities_with_role(user, SENSITIVE_DATA_ROLES))
        if whole_phone:
            match |= Q(phone_digits=whole_phone)
    return queryset.filter(match).order_by("community__sort_order", "address", "pk")
