"""The refusals that name a rule for API clients, and the one function that moves points."""

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError
from lucun.models import User

from ..models import LedgerEntry, PointsAccount, Redemption, ServiceClaim


class InsufficientPoints(DomainError):
    code = "insufficient_points"


class OutOfStock(DomainError):
    code = "out_of_stock"


class WindowClosed(DomainError):
    code = "window_closed"


class CapReached(DomainError):
    code = "cap_reached"


def _post(
    *,
    account_id: int,
    community_id: int,
    kind: str,
    points: int,
    idempotency_key: str,
    actor: User | None = None,
    claim: ServiceClaim | None = None,
    redemption: Redemption | None = None,
    reverses: LedgerEntry | None = None,
    note: str = "",
) -> LedgerEntry:
    """Move ``points`` on one account and write its entry. Call inside a transaction."""
    now = timezone.now()
    balance = _move(account_id, points, now)
    if balance is None:
        raise InsufficientPoints(_("积分余额不足。"))
    return LedgerEntry.objects.create(
        account_id=account_id,
        community_id=community_id,
        kind=kind,
        points=points,
        balance_after=balance,
        claim=claim,
        redemption=redemption,
        reverses=reverses,
        idempotency_key=idempotency_key,
        note=note[:200],
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
    )


def _move(account_id: int, points: int, now) -> int | None:
    """Add ``points`` to the balance unless that takes it below zero; return the new balance (None if refused).

    One guarded UPDATE … RETURNING: the row stays locked until commit, and every statement spent while it is
    locked holds up the other writes to the same account, so the new balance comes back with the update.
    """
    meta = PointsAccount._meta
    quote = connection.ops.quote_name
    balance, updated_at = quote(meta.get_field("balance").column), quote(meta.get_field("updated_at").column)
    guard = f" AND {balance} >= %s" if points < 0 else ""
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {balance} = {balance} + %s, {updated_at} = %s "  # noqa: S608 - model names
        f"WHERE {quote(meta.pk.column)} = %s{guard} RETURNING {balance}"
    )
    params = [points, meta.get_field("updated_at").get_db_prep_value(now, connection), account_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, -points] if points < 0 else params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _existing_entry(account_id: int, key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(account_id=account_id, idempotency_key=key).first()
