"""Every write of the points system.

Balances and stock change only through guarded UPDATEs (``... WHERE balance >= x``) in the same
transaction as the ledger entry, so two concurrent redemptions of the same points cannot both
succeed, and the database's CHECK constraints stop anything that slips past. Each write that moves
points carries an idempotency key: repeating it returns the first result and changes nothing.
"""

from .base import CapReached, InsufficientPoints, OutOfStock, WindowClosed
from .claims import (
    CLAIM_MAX_AGE_DAYS,
    BulkResult,
    claim_approve,
    claim_batch_create,
    claim_reject,
    claim_submit,
    claims_approve_many,
)
from .ledger import REVERSIBLE_KINDS, expiry_cutoff, ledger_entry_reverse, points_adjust, points_expire
from .redemption import redemption_create, reward_save
from .volunteers import volunteer_create, volunteer_token_issue, volunteer_token_revoke, volunteer_update

__all__ = [
    "CLAIM_MAX_AGE_DAYS",
    "REVERSIBLE_KINDS",
    "BulkResult",
    "CapReached",
    "InsufficientPoints",
    "OutOfStock",
    "WindowClosed",
    "claim_approve",
    "claim_batch_create",
    "claim_reject",
    "claim_submit",
    "claims_approve_many",
    "expiry_cutoff",
    "ledger_entry_reverse",
    "points_adjust",
    "points_expire",
    "redemption_create",
    "reward_save",
    "volunteer_create",
    "volunteer_token_issue",
    "volunteer_token_revoke",
    "volunteer_update",
]
