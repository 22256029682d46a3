"""What the public feedback form shows, kept in the cache: a street's choices and the rendered page.

Everything stored here carries the version it was built under; a change to a street, community, category
or feedback channel gives the cache a new version (see ``cases.signals``), so nothing built before the
change is served after it. Entries also expire after a few minutes, whatever happens. The cache is never
needed: when it is unreachable the form is built from the database, as without it.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "cases:public-form:version"
TIMEOUT = 300


def version_bump() -> None:
    """Make every stored entry stale: now, and again when the current transaction commits.

    The second bump keeps out what a reader built from the rows as they were before the commit.
    """
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception as exc:  # entries expire on their own
        logger.warning("public form cache not invalidated: cache unavailable (%s)", type(exc).__name__)


def get(key: str) -> tuple[object | None, str | None]:
    """Return (the stored value or None, the current version to store a rebuilt value under)."""
    try:
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
            return None, cache.get(VERSION_KEY)
    except Exception as exc:
        logger.warning("public form cache unavailable (%s); building from the database", type(exc).__name__)
        return None, None
    entry = found.get(key)
    if isinstance(entry, dict) and entry.get("version") == version:
        return entry["value"], version
    return None, version


def put(key: str, value: object, version: str | None) -> None:
    """Store ``value`` as built under ``version`` (the one ``get`` returned before the value was read)."""
    if version is None:
        return
    try:
        cache.set(key, {"version": version, "value": value}, timeout=TIMEOUT)
    except Exception as exc:
        logger.warning("public form cache unavailable (%s); not stored", type(exc).__name__)
