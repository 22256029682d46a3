"""Counting attempts in the cache under salted hashes only: no address or login name is stored.

Used for password guessing at sign-in and for abuse control on the public pages. The salt comes
from SECRET_KEY and changes every day, so a key cannot be reversed by trying every address or linked
across days. If the cache is unreachable, nothing is counted (fail open): sign-in and intake never
depend on it.
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """Return the client's address; behind N trusted proxies, the Nth entry from the right of X-Forwarded-For.

    Entries further left are written by the client and cannot be trusted.
    """
    hops = int(getattr(settings, "LUCUN_TRUSTED_PROXY_COUNT", 0) or 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def key(purpose: str, value: str, window_seconds: int, now: float | None = None) -> str:
    """Return the cache key counting ``value`` for ``purpose`` in the current window."""
    now = time.time() if now is None else now
    day_salt = hmac.new(settings.SECRET_KEY.encode(), f"lucun-throttle:{int(now // 86400)}".encode(), hashlib.sha256)
    digest = hmac.new(day_salt.digest(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"throttle:{purpose}:{int(now // window_seconds)}:{digest}"


def too_many(*, purpose: str, value: str, limit: int, window_seconds: int) -> bool:
    """Tell whether ``value`` already reached ``limit`` attempts in the current window."""
    try:
        return int(cache.get(key(purpose, value, window_seconds)) or 0) >= limit
    except Exception as exc:  # whatever the cache raises, let the attempt through
        logger.warning("throttle %s skipped: cache unavailable (%s)", purpose, type(exc).__name__)
        return False


def record(*, purpose: str, value: str, window_seconds: int) -> int:
    """Count one attempt; return the count in the current window (0 if the cache is down).

    The counter is incremented first and made only when it is missing (the window's first attempt), so a count
    costs two trips to Redis, not three (Django's ``incr`` checks that the key exists, then increments it).
    """
    counter = key(purpose, value, window_seconds)
    try:
        try:
            return int(cache.incr(counter))
        except ValueError:  # the window's first attempt
            if cache.add(counter, 1, timeout=window_seconds + 60):
                return 1
            return int(cache.incr(counter))  # another attempt made the counter meanwhile
    except ValueError:  # made, then expired before the increment
        cache.set(counter, 1, timeout=window_seconds + 60)
        return 1
    except Exception as exc:
        logger.warning("throttle %s not counted: cache unavailable (%s)", purpose, type(exc).__name__)
        return 0


def hit(*, purpose: str, value: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt and tell whether it goes over ``limit`` (never when the cache is down)."""
    return record(purpose=purpose, value=value, window_seconds=window_seconds) > limit


def reset(*, purpose: str, value: str, window_seconds: int) -> None:
    try:
        cache.delete(key(purpose, value, window_seconds))
    except Exception as exc:
        logger.warning("throttle %s not reset: cache unavailable (%s)", purpose, type(exc).__name__)
