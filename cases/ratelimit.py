"""Abuse control for the public feedback pages without keeping who sent what.

Only a salted hash of the address is kept, in the cache, for minutes. The salt comes from the
SECRET_KEY and changes every day, so a hash cannot be matched with another day's or reversed by
trying every address without the key. Intake never depends on the cache: when it is down, the
message is accepted (fail open).
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 600
# Attempts per address and window: messages sent, unknown lookup codes tried, satisfaction answers.
LIMITS = {"submit": 5, "lookup": 20, "answer": 10}


def client_address(request) -> str:
    """Return the sender's address; behind N trusted proxies, the Nth address from the right of X-Forwarded-For."""
    hops = int(getattr(settings, "LUCUN_TRUSTED_PROXY_COUNT", 0) or 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, address: str, now: float) -> str:
    day_salt = hmac.new(
        settings.SECRET_KEY.encode(), f"lucun-feedback-rate:{int(now // 86400)}".encode(), hashlib.sha256
    ).digest()
    digest = hmac.new(day_salt, address.encode(), hashlib.sha256).hexdigest()[:32]
    return f"cases:rl:{scope}:{int(now // WINDOW_SECONDS)}:{digest}"


def limit_exceeded(request, scope: str, *, count: bool = True) -> bool:
    """Count one attempt (unless ``count`` is false) and tell whether the address is over its limit.

    Any cache failure answers False: the message is accepted rather than lost.
    """
    limit = int(getattr(settings, "LUCUN_FEEDBACK_RATE_LIMITS", {}).get(scope, LIMITS[scope]))
    try:
        key = _key(scope, client_address(request), time.time())
        if not count:
            return int(cache.get(key, 0)) >= limit
        cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
        return cache.incr(key) > limit
    except Exception as exc:  # whatever the cache raises, intake goes on
        logger.warning("feedback rate limit skipped: cache unavailable (%s)", type(exc).__name__)
        return False
