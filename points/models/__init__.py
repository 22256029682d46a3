"""积分: volunteers and their 一码通 (volunteers.py), the points policy (policy.py), service types and claims
(claims.py), the append-only ledger (ledger.py), rewards, redemption windows and redemptions (redemption.py)."""

from .claims import ClaimBatch, ServiceClaim, ServiceType, claim_photo_path
from .ledger import LedgerEntry, PointsAccount
from .policy import PointsPolicy
from .redemption import Redemption, RedemptionLine, RedemptionWindow, Reward
from .volunteers import TOKEN_ALPHABET, TOKEN_LENGTH, ServiceCorps, Volunteer, format_token, new_token, normalise_token

__all__ = [
    "TOKEN_ALPHABET",
    "TOKEN_LENGTH",
    "ClaimBatch",
    "LedgerEntry",
    "PointsAccount",
    "PointsPolicy",
    "Redemption",
    "RedemptionLine",
    "RedemptionWindow",
    "Reward",
    "ServiceClaim",
    "ServiceCorps",
    "ServiceType",
    "Volunteer",
    "claim_photo_path",
    "format_token",
    "new_token",
    "normalise_token",
]
