"""Reads for the site search (lucun.search): the cases and the messages of the person's communities that match.

A case's phone number is masked on every page, so only the whole number finds it; a message's reply phone is
shown in full to those who triage it (the only ones who see messages), so a part of it finds it too.
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace

from lucun.models import User
from lucun.scoping import communities_with_role, has_role, scope

from ..models import Case, Feedback
from ..permissions import DISPATCH_ROLES
from .feedback import normalize_lookup_code


def _digits_of(field: str):
    """The column without the dashes and spaces people type into phone numbers."""
    return Replace(Replace(F(field), Value("-"), Value("")), Value(" "), Value(""))


def case_search(*, user: User, text: str, whole_phone: str = "") -> QuerySet[Case]:
    """Cases the user may see by number, title or the resident's name, the lookup code of a message merged into
    them, or the resident's whole phone number; newest first."""
    match = Q(number__icontains=text) | Q(title__icontains=text) | Q(contact_name__icontains=text)
    code = normalize_lookup_code(text)
    if code:
        match |= Q(Exists(Feedback.objects.filter(case=OuterRef("pk"), lookup_code=code)))
    queryset = scope(Case.objects.all(), user)
    if whole_phone:
        queryset = queryset.annotate(phone_digits=_digits_of("contact_phone"))
        match |= Q(phone_digits=whole_phone)
    return queryset.filter(match).select_related("community", "tier").order_by("-opened_at", "-pk")


def feedback_search(*, user: User, text: str, digits: str = "") -> QuerySet[Feedback] | None:
    """Messages of the communities where the user triages them, by lookup code, reply phone (or a part of it)
    or words of the text; newest first. None for those who triage nowhere."""
    if not has_role(user, DISPATCH_ROLES):
        return None
    communities = communities_with_role(user, DISPATCH_ROLES)
    match = Q(text__icontains=text)
    code = normalize_lookup_code(text)
    if code:
        match |= Q(lookup_code=code)
    queryset = Feedback.objects.filter(community__in=communities)
    if digits:
        queryset = queryset.annotate(phone_digits=_digits_of("reply_phone"))
        match |= Q(phone_digits__contains=digits)
    return queryset.filter(match).select_related("community", "case").order_by("-received_at", "-pk")
