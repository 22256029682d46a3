"""Venues: the list, one venue with its meetings, and the 15-minute circle's coverage."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lucun.scoping import communities_for

from .. import figures as figures_module
from .. import forms, selectors
from .meetings import PAGE_SIZE


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    filter_form = forms.VenueFilterForm(
        request.GET or None, communities=communities_for(request.user).order_by("sort_order", "name")
    )
    page = Paginator(selectors.venue_list(user=request.user, filters=filter_form.filters()), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "deliberation/venue_list.html", {"page_obj": page, "filter_form": filter_form})


@login_required
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, pk=pk)
    page = Paginator(selectors.venue_meetings(venue=venue, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "deliberation/venue_detail.html", {"venue": venue, "page_obj": page})


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "deliberation/coverage.html",
        {"c": selectors.coverage(user=request.user), "definition": figures_module.DEFINITIONS["coverage"]},
    )
