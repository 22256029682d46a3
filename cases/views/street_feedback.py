"""/f/ without a code: feedback to the street, for a link or a poster that names no card or place.

With one street in the installation its form opens straight away; with several, the villager picks the street.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from .public import _url, feedback_form


@csrf_exempt  # as the form it shows: no session to protect (see public.py)
@require_http_methods(["GET", "POST"])
def street_feedback(request: HttpRequest) -> HttpResponse:
    streets = selectors.streets_taking_feedback()
    if len(streets) == 1:
        channel = services.feedback_channel_street_wide(street=streets[0])
        return feedback_form(request, channel.token)
    choices = []
    for street in streets:
        channel = services.feedback_channel_street_wide(street=street)
        choices.append({"street": street, "url": _url(request, "form", token=channel.token)})
    return render(
        request,
        "cases/public/pick_street.html",
        {"choices": choices, "lookup_url": _url(request, "lookup")},
        status=200 if choices else 404,
    )
