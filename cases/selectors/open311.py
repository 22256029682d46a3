"""Reads of Open311 GeoReport v2 (cases.open311): jurisdictions, keys, services, requests and the public list.

Two kinds of request id are answered. The id a POST returns is the sender's lookup code: whoever holds it sees
what the sender's status page shows, and nobody else ever gets it. The public list (only where the street
switched it on) names cases by their case number and shows only what an official wrote for the public.
"""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from lucun.models import Community, Street

from ..models import Case, CaseState, Category, Open311Key, Open311Setting
from .feedback import _absolute, public_form_options
from .keys import issued_key

LISTING_MAX = 1000  # the spec's default volume: 90 days or the first 1000 requests
LISTING_SPAN = timedelta(days=90)
CLOSED_STATES = (CaseState.RESOLVED, CaseState.CLOSED)


def open311_street(jurisdiction_id: str) -> Street | None:
    """Return the street a jurisdiction_id names (its code, any case), or None."""
    code = (jurisdiction_id or "").strip().upper()
    if not code or len(code) > 8:
        return None
    return Street.objects.select_related("open311_setting").filter(code=code).first()


def open311_only_street() -> Street | None:
    """Return the installation's street when it has just one (then jurisdiction_id may be left out), else None."""
    streets = list(Street.objects.select_related("open311_setting").order_by("pk")[:2])
    return streets[0] if len(streets) == 1 else None


def open311_setting(street: Street) -> Open311Setting:
    """Return the street's settings (read with the street when it came from ``open311_street``); defaults if none."""
    return getattr(street, "open311_setting", None) or Open311Setting(street=street)


def open311_key(secret: str | None) -> Open311Key | None:
    """Return the active key whose hash this is, or None (unknown and revoked keys alike)."""
    return issued_key(Open311Key.objects.select_related("street", "channel"), secret)


def open311_services() -> list[Category]:
    """Return the services: the active categories, in their order."""
    return list(Category.objects.active().order_by("sort_order", "name"))


def open311_service(code: str) -> Category | None:
    return Category.objects.active().filter(code=code).first() if code else None


def open311_communities(street: Street) -> list[Community]:
    """Return the street's communities as the public form offers them (kept in the cache like the form's)."""
    return public_form_options(street=street)["communities"]


def open311_community(*, street: Street, key: str, address: str) -> Community | None:
    """Return the community a request names: by the ``community`` attribute, else the one named in its address."""
    communities = open311_communities(street)
    if key:
        return next((c for c in communities if str(c.pk) == key.strip()), None)
    named = [c for c in communities if address and c.name in address]
    return named[0] if len(named) == 1 else None


def open311_url(path: str, request=None) -> str:
    """Return the absolute address of ``path``: from LUCUN_PUBLIC_BASE_URL, else from the request."""
    return _absolute(path, request)


def _public_cases(street: Street) -> QuerySet[Case]:
    """Cases the public list may show: the street's cases opened from anonymous feedback, not cancelled, that an
    official gave a public title. The case's own title is for the office (it may name people and doors) and is
    never listed; a case without a public title is not listed at all, as its public title's help promises."""
    return (
        Case.objects.filter(street=street, source=Case.Source.FEEDBACK)
        .exclude(state=CaseState.CANCELLED)
        .exclude(public_title="")
        .select_related("category", "community")
    )


def open311_public_case(*, street: Street, number: str) -> Case | None:
    return _public_cases(street).filter(number=number).first() if number else None


def open311_public_cases(
    *,
    street: Street,
    numbers: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Case]:
    """Return the listed cases, newest first, at most LISTING_MAX; ``numbers`` overrides every other filter.

    The dates bound the opening time; the caller has checked that they span at most LISTING_SPAN.
    """
    queryset = _public_cases(street)
    if numbers:
        queryset = queryset.filter(number__in=numbers)
    else:
        if service_codes:
            queryset = queryset.filter(category__code__in=service_codes)
        wanted = set(statuses or ())
        if wanted == {"open"}:
            queryset = queryset.exclude(state__in=CLOSED_STATES)
        elif wanted == {"closed"}:
            queryset = queryset.filter(state__in=CLOSED_STATES)
        if start is not None:
            queryset = queryset.filter(opened_at__gte=start)
        if end is not None:
            queryset = queryset.filter(opened_at__lte=end)
    return list(queryset.order_by("-opened_at", "-id")[:LISTING_MAX])


def listing_window(start: datetime | None, end: datetime | None, now: datetime | None = None) -> tuple:
    """Fill in the dates the spec leaves out: the most recent 90 days, or 90 days from the one date given."""
    now = now or timezone.now()
    if start is None and end is None:
        return now - LISTING_SPAN, now
    if start is None:
        return end - LISTING_SPAN, end
    if end is None:
        return start, start + LISTING_SPAN
    return start, end


def open311_streets() -> list[Street]:
    """Return every street (each is a jurisdiction), by name: the discovery document lists their hotlines."""
    return list(Street.objects.order_by("name"))
