"""The 12345 results page: choose the period, download the sheet in the hotline's layout."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.permissions import DASHBOARD_ROLES
from lucun.scoping import has_role

from .. import forms, selectors
from ..exports import HOTLINE_HEADERS


@login_required
def hotline_results(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, DASHBOARD_ROLES):
        raise PermissionDenied
    start, end = forms.hotline_period(request.GET)
    count = selectors.hotline_results(user=request.user, start=start, end=end).count()
    form = forms.HotlinePeriodForm(request.GET or None)
    return render(
        request,
        "outcomes/hotline_results.html",
        {"form": form, "count": count, "headers": HOTLINE_HEADERS, "query": request.GET.urlencode()},
    )
