"""Helpers shared by the outcomes pages: the scope chosen in the query string, pagination."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest

from lucun.models import Community, Street
from lucun.scoping import communities_for, is_street_level, streets_for

PAGE_SIZE = 25


def page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def chosen_scope(request: HttpRequest) -> tuple[Street, Community | None]:
    """Return the street and (optionally) the community the page is about; a foreign one is 404.

    A street-level user sees the street unless a community is chosen; a community-level user always
    sees their own community.
    """
    user = request.user
    community_id = request.GET.get("community") or ""
    community = None
    if community_id:
        if not community_id.isdigit():
            raise Http404
        community = communities_for(user).select_related("street").filter(pk=int(community_id)).first()
        if community is None:
            raise Http404
        return community.street, community
    street_id = request.GET.get("street") or ""
    streets = streets_for(user).order_by("name")
    street = streets.filter(pk=int(street_id)).first() if street_id.isdigit() else streets.first()
    if street is None:
        raise Http404
    if not is_street_level(user):
        community = communities_for(user).filter(street=street).order_by("sort_order", "name").first()
        if community is None:
            raise Http404
    return street, community


def query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
