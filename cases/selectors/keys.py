"""The one check of a key another system sends (``cases.models.keys.IssuedKey``), whatever its kind."""

from typing import TypeVar

from django.db.models import QuerySet

from ..models import KEY_MAX_LENGTH, IssuedKey, api_key_hash

KeyT = TypeVar("KeyT", bound=IssuedKey)


def issued_key(keys: QuerySet[KeyT], secret: str | None) -> KeyT | None:
    """Return the active key of ``keys`` whose hash this is, or None (unknown and revoked keys alike)."""
    if not secret or len(secret) > KEY_MAX_LENGTH:
        return None
    return keys.filter(key_hash=api_key_hash(secret), is_active=True).first()
