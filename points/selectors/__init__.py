"""Reads of the points system: volunteers and their ledger (volunteers.py), service claims (claims.py), rewards,
redemption and its windows (redemption.py), the year's figures (stats.py)."""

from .claims import (
    batch_get,
    claim_get,
    claim_list,
    claim_photos_visible,
    claims_by_ids,
    claims_to_approve_count,
    service_types,
)
from .redemption import (
    Window,
    catalogue_for,
    quarter_windows,
    redemption_get,
    redemption_list,
    redemption_window,
    reward_get,
    reward_list,
)
from .stats import Figures, figure_years, figures
from .volunteers import (
    ledger_entry_get,
    ledger_for,
    ledger_list,
    ledger_sum,
    member_choices,
    member_for_link,
    volunteer_by_token,
    volunteer_get,
    volunteer_list,
)

__all__ = [
    "Figures",
    "Window",
    "batch_get",
    "catalogue_for",
    "claim_get",
    "claim_list",
    "claim_photos_visible",
    "claims_by_ids",
    "claims_to_approve_count",
    "figure_years",
    "figures",
    "ledger_entry_get",
    "ledger_for",
    "ledger_list",
    "ledger_sum",
    "member_choices",
    "member_for_link",
    "quarter_windows",
    "redemption_get",
    "redemption_list",
    "redemption_window",
    "reward_get",
    "reward_list",
    "service_types",
    "volunteer_by_token",
    "volunteer_get",
    "volunteer_list",
]
