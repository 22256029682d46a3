"""Abuse control for the public ballot page and API, through the shared salted-hash throttle."""

from django.conf import settings

from lucun import throttle

WINDOW_SECONDS = 600
# Per address and window: ballots submitted (a venue's Wi-Fi puts many residents behind one address), and
# tokens tried that match no ballot (guessing).
LIMITS = {"submit": 120, "unknown": 20}


def ballot_limit_exceeded(request, scope: str, *, count: bool = True) -> bool:
    """Count one attempt (unless ``count`` is false) and tell whether the address is over its limit."""
    limit = int(getattr(settings, "LUCUN_BALLOT_RATE_LIMITS", {}).get(scope, LIMITS[scope]))
    purpose, address = f"ballot-{scope}", throttle.client_address(request)
    if not count:
        return throttle.too_many(purpose=purpose, value=address, limit=limit, window_seconds=WINDOW_SECONDS)
    return throttle.hit(purpose=purpose, value=address, limit=limit, window_seconds=WINDOW_SECONDS)
