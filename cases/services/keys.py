"""Writes shared by every kind of issued key (``cases.models.keys.IssuedKey``): making one, changing its settings
and revoking one.

Each kind's own service checks who may act and what was asked, then calls these; they write the key and its
audit row inside the caller's transaction.
"""

from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require
from lucun.models import Street, User
from lucun.services import audit_record

from ..models import IssuedKey, api_key_hash

KeyT = TypeVar("KeyT", bound=IssuedKey)


def issued_key_create(
    *, model: type[KeyT], street: Street, name: str, hourly_limit: int, user: User, action: str, **fields
) -> tuple[KeyT, str]:
    """Make a key of ``model`` and audit it; return it and the key itself, which is kept nowhere but its hash."""
    secret = model.new_secret()
    key = model.objects.create(
        street=street,
        name=name,
        prefix=secret[:12],
        key_hash=api_key_hash(secret),
        hourly_limit=hourly_limit,
        created_by=user,
        **fields,
    )
    audit_record(actor=user, action=action, obj=key, summary=f"{street} · {name}")
    return key, secret


@transaction.atomic
def issued_key_change(*, key: IssuedKey, user: User, action: str, **values) -> IssuedKey:
    """Change the settings of a key the caller may manage (its name, its limits), and audit what changed.

    A revoked key keeps the settings it had; a value that is already the key's writes nothing."""
    key = type(key).objects.select_for_update().get(pk=key.pk)
    require(key.is_active, _("该密钥已吊销。"))
    changed = {name: value for name, value in values.items() if getattr(key, name) != value}
    if not changed:
        return key
    before = {name: getattr(key, name) for name in changed}
    for name, value in changed.items():
        setattr(key, name, value)
    key.save(update_fields=list(changed))
    audit_record(actor=user, action=action, obj=key, summary=key.name, before=before, after=changed)
    return key


def issued_key_revoke(*, key: IssuedKey, user: User, reason: str, action: str) -> None:
    """Revoke a key the caller has locked and may revoke, with the reason, and audit it. Nothing is deleted."""
    require(key.is_active, _("该密钥已吊销。"))
    reason = (reason or "").strip()
    require(bool(reason), _("请填写吊销原因。"))
    key.is_active = False
    key.revoked_at = timezone.now()
    key.revoked_by = user
    key.revoked_reason = reason[:200]
    key.save(update_fields=["is_active", "revoked_at", "revoked_by", "revoked_reason"])
    audit_record(
        actor=user,
        action=action,
        obj=key,
        summary=key.revoked_reason,
        before={"is_active": True},
        after={"is_active": False},
    )
