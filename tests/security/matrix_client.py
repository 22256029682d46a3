"""Call one route as one actor and reduce the answer to the matrix's vocabulary."""

import json

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from .routes import Route

LOGIN = "L"  # 302 to the sign-in page


def url_for(route: Route, world) -> str:
    return reverse(route.name, kwargs=route.kwargs(world) or None)


def call(client, world, actor: str, route: Route):
    """Make the request as ``actor``; whatever it writes is rolled back so every row sees the same world."""
    cache.clear()  # rate limits would otherwise carry over from row to row
    client.logout()
    if actor != "anonymous":
        client.force_login(world.users[actor])
    url = url_for(route, world)
    with transaction.atomic():
        if route.method == "POST":
            data = route.data(world) if route.data else {}
            if route.name.startswith("api_"):
                response = client.post(url, json.dumps(data), content_type="application/json")
            else:
                response = client.post(url, data)
        else:
            response = client.get(url)
        transaction.set_rollback(True)
    return response


def answer(response) -> str:
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return LOGIN
    return str(response.status_code)
