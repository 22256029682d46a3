"""The site's URLs plus two views of the benchmark's own (see ``bench.settings``, and ``bench.empty_page_line``)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from lucun.urls import urlpatterns as site


def bare(request: HttpRequest) -> HttpResponse:
    """The cheapest Django answer through the same middleware: the yardstick for the other pages."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def empty(request: HttpRequest) -> HttpResponse:
    """A signed-in page with nothing on it: ``base.html`` with the person's navigation and counts, which every
    page of the site pays before it shows anything of its own."""
    return render(request, "base.html")


urlpatterns = [path("bench/bare/", bare), path("bench/empty/", empty), *site]
