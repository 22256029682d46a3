"""The cache as an accelerator only: each call survives the cache being down (logged, then as if empty).

A Redis outage must cost speed, never a page: callers get ``default``, ``{}`` or ``False`` back and build
from the database instead.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _unavailable(action: str, exc: Exception) -> None:
    logger.warning("cache unavailable (%s): %s", type(exc).__name__, action)


def cache_get(key: str, default: Any = None) -> Any:
    try:
        return cache.get(key, default)
    except Exception as exc:
        _unavailable("read skipped", exc)
        return default


def cache_get_many(keys: Iterable[str]) -> dict[str, Any] | None:
    """Return the found entries, or None when the cache cannot be reached (unlike an empty answer)."""
    try:
        return cache.get_many(list(keys))
    except Exception as exc:
        _unavailable("read skipped", exc)
        return None


def cache_set(key: str, value: Any, timeout: int | None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as exc:
        _unavailable("not stored", exc)


def cache_add(key: str, value: Any, timeout: int | None) -> bool:
    """Store ``value`` unless ``key`` exists; True if this call stored it (False too when unreachable)."""
    try:
        return bool(cache.add(key, value, timeout=timeout))
    except Exception as exc:
        _unavailable("not added", exc)
        return False


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as exc:
        _unavailable("not deleted; the entry expires on its own", exc)
