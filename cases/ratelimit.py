"""Abuse control for the public feedback pages, through the shared salted-hash throttle."""

from django.conf import settings

from lucun import throttle

WINDOW_SECONDS = 600
# Attempts per address and window: messages sent (a "我也遇到" counts as one), unknown lookup codes tried,
# satisfaction answers, and the form's look-ups of similar problems (a few per message typed).
LIMITS = {"submit": 5, "lookup": 20, "answer": 10, "similar": 60}


def limit_exceeded(request, scope: str, *, count: bool = True) -> bool:
    """Count one attempt (unless ``count`` is false) and tell whether the address is over its limit.

    Any cache failure answers False: the message is accepted rather than lost.
    """
    limit = int(getattr(settings, "LUCUN_FEEDBACK_RATE_LIMITS", {}).get(scope, LIMITS[scope]))
    purpose, address = f"feedback-{scope}", throttle.client_address(request)
    if not count:
        return throttle.too_many(purpose=purpose, value=address, limit=limit, window_seconds=WINDOW_SECONDS)
    return throttle.hit(purpose=purpose, value=address, limit=limit, window_seconds=WINDOW_SECONDS)
