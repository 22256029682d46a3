"""The site's URLs plus one bare view, for the benchmark's server only (see ``bench.settings``)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lucun.urls import urlpatterns as site


def bare(request: HttpRequest) -> HttpResponse:
    """The cheapest Django answer through the same middleware: the yardstick for the other pages."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site]
