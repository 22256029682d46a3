"""What the public feedback form shows, kept in the cache: a street's choices and the rendered page.

Everything stored here carries the version it was built under; a change to a street, community, category
or feedback channel gives the cache a new version (see ``cases.signals``), so nothing built before the
change is served after it. Entries also expire after a few minutes, whatever happens. The cache is never
needed: when it is unreachable the form is built from the database, as without it.
"""

import secrets

from django.db import transaction

from lucun.cache import cache_add, cache_get, cache_get_many, cache_set

VERSION_KEY = "cases:public-form:version"
TIMEOUT = 300


def version_bump() -> None:
    """Make every stored entry stale: now, and again when the current transaction commits.

    The second bump keeps out what a reader built from the rows as they were before the commit.
    """
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache_set(VERSION_KEY, secrets.token_hex(8), timeout=None)  # if the cache is down, entries expire on their own


def get(key: str) -> tuple[object | None, str | None]:
    """Return (the stored value or None, the current version to store a rebuilt value under)."""
    found = cache_get_many([VERSION_KEY, key])
    if found is None:
        return None, None
    version = found.get(VERSION_KEY)
    if version is None:
        cache_add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        return None, cache_get(VERSION_KEY)
    entry = found.get(key)
    if isinstance(entry, dict) and entry.get("version") == version:
        return entry["value"], version
    return None, version


def put(key: str, value: object, version: str | None) -> None:
    """Store ``value`` as built under ``version`` (the one ``get`` returned before the value was read)."""
    if version is not None:
        cache_set(key, {"version": version, "value": value}, timeout=TIMEOUT)
