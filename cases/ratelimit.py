"""Abuse control for the public feedback pages and the keys other systems use, through the shared salted-hash
throttle."""

from django.conf import settings

from lucun import throttle

from .models import IssuedKey

WINDOW_SECONDS = 600
# Attempts per address and window: messages sent (a "我也遇到" counts as one), unknown lookup codes tried,
# satisfaction answers, and the form's look-ups of similar problems (a few per message typed).
LIMITS = {"submit": 5, "lookup": 20, "answer": 10, "similar": 60}
# An issued key is counted by the hour against its own ``hourly_limit``.
KEY_WINDOW_SECONDS = 3600


def limit_exceeded(request, scope: str, *, count: bool = True) -> bool:
    """Count one attempt (unless ``count`` is false) and tell whether the address is over its limit.

    Any cache failure answers False: the message is accepted rather than lost.
    """
    limit = int(getattr(settings, "LUCUN_FEEDBACK_RATE_LIMITS", {}).get(scope, LIMITS[scope]))
    purpose, address = f"feedback-{scope}", throttle.client_address(request)
    if not count:
        return throttle.too_many(purpose=purpose, value=address, limit=limit, window_seconds=WINDOW_SECONDS)
    return throttle.hit(purpose=purpose, value=address, limit=limit, window_seconds=WINDOW_SECONDS)


def key_limit_exceeded(key: IssuedKey) -> bool:
    """Count one use of ``key`` and tell whether it is over its hourly limit (never when the cache is down)."""
    return throttle.hit(
        purpose=key.throttle_purpose, value=str(key.pk), limit=key.hourly_limit, window_seconds=KEY_WINDOW_SECONDS
    )
