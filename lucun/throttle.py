"""Counting attempts in the cache, keyed by salted hashes only (no address or login is stored).

The cache may be Redis; if it is unreachable the count is skipped (fail open), so sign-in and
intake never depend on it.
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def salted_hash(value: str, *, purpose: str, window_seconds: int = 3600) -> str:
    """Return a keyed hash of ``value`` that changes every window, so old keys cannot be linked."""
    bucket = int(time.time() // window_seconds)
    key = f"{settings.SECRET_KEY}:{purpose}:{bucket}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def too_many(*, purpose: str, value: str, limit: int, window_seconds: int) -> bool:
    """Tell whether ``value`` already reached ``limit`` attempts in the current window."""
    try:
        return (cache.get(_key(purpose, value, window_seconds)) or 0) >= limit
    except Exception:  # the cache is down: let the attempt through
        logger.warning("throttle: cache unavailable, not counting %s", purpose)
        return False


def record(*, purpose: str, value: str, window_seconds: int) -> int:
    """Count one attempt; return the count in the current window (0 if the cache is down)."""
    key = _key(purpose, value, window_seconds)
    try:
        if cache.add(key, 1, timeout=window_seconds):
            return 1
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1
    except Exception:
        logger.warning("throttle: cache unavailable, not counting %s", purpose)
        return 0


def reset(*, purpose: str, value: str, window_seconds: int) -> None:
    try:
        cache.delete(_key(purpose, value, window_seconds))
    except Exception:
        logger.warning("throttle: cache unavailable, could not reset %s", purpose)


def _key(purpose: str, value: str, window_seconds: int) -> str:
    return f"throttle:{purpose}:{salted_hash(value, purpose=purpose, window_seconds=window_seconds)}"


def client_address(request) -> str:
    """The client's address as seen by the server (behind the proxy, the first forwarded hop)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.LUCUN_TRUST_X_FORWARDED_FOR else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
