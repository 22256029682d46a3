"""Pages of the points system. Views check shape with forms, read with selectors and write with services."""

from .claims import batch_create, batch_detail, claim_create, claim_detail, claim_list, claims_approve_selected
from .public import figures, public
from .shop import redeem, redeem_start, redemption_receipt, reward_create, reward_edit, reward_list
from .volunteers import (
    entry_reverse,
    volunteer_adjust,
    volunteer_card,
    volunteer_create,
    volunteer_detail,
    volunteer_edit,
    volunteer_list,
    volunteer_token,
)

__all__ = [
    "batch_create",
    "batch_detail",
    "claim_create",
    "claim_detail",
    "claim_list",
    "claims_approve_selected",
    "entry_reverse",
    "figures",
    "public",
    "redeem",
    "redeem_start",
    "redemption_receipt",
    "reward_create",
    "reward_edit",
    "reward_list",
    "volunteer_adjust",
    "volunteer_card",
    "volunteer_create",
    "volunteer_detail",
    "volunteer_edit",
    "volunteer_list",
    "volunteer_token",
]
