"""The cases app's data: cases and their life (case.py), how a problem is classified (classification.py), requests
for more time or a return (approvals.py), the negative list (conduct.py), anonymous feedback and its channels
(feedback.py), the open-case tally (tally.py) and the hotline cases' (hotline_tally.py), each running case's next
threshold (alarm.py), the keys other systems use (keys.py: Open311 apps in open311.py, the 12345 platform with its
orders in hotline.py) and hand-overs between communities (transfers.py)."""

from .alarm import CaseAlarm
from .approvals import APPROVER_ROLES, ApprovalKind, ApprovalRule, ExtensionRequest, ReturnRequest, rules_gap
from .case import (
    OPEN_STATES,
    RUNNING_STATES,
    Case,
    CaseCounter,
    CaseEvent,
    CasePhoto,
    CaseQuerySet,
    CaseState,
    Colour,
)
from .classification import CaseList, Category, Tier
from .conduct import ConductKind, ConductViolation
from .feedback import (
    LOOKUP_ALPHABET,
    LOOKUP_LENGTH,
    TOKEN_PATTERN,
    Feedback,
    FeedbackChannel,
    FeedbackPhoto,
    FeedbackQuerySet,
    QrSource,
    new_channel_token,
    new_lookup_code,
    to_hour,
)
from .hotline import (
    HOTLINE_KEY_PREFIX,
    HotlineColumn,
    HotlineDelivery,
    HotlineField,
    HotlineKey,
    HotlineOrder,
    HotlineSetting,
)
from .hotline_tally import HotlineTally
from .keys import KEY_MAX_LENGTH, IssuedKey, api_key_hash
from .notices import BULLETIN_READERS_DEFAULT, Bulletin, BulletinItem, BulletinReader
from .open311 import KEY_PREFIX, Open311Key, Open311Setting
from .tally import CaseTally
from .transfers import CaseTransfer

__all__ = [
    "APPROVER_ROLES",
    "BULLETIN_READERS_DEFAULT",
    "HOTLINE_KEY_PREFIX",
    "KEY_MAX_LENGTH",
    "KEY_PREFIX",
    "LOOKUP_ALPHABET",
    "LOOKUP_LENGTH",
    "OPEN_STATES",
    "RUNNING_STATES",
    "TOKEN_PATTERN",
    "ApprovalKind",
    "ApprovalRule",
    "Bulletin",
    "BulletinItem",
    "BulletinReader",
    "Case",
    "CaseAlarm",
    "CaseCounter",
    "CaseEvent",
    "CaseList",
    "CasePhoto",
    "CaseQuerySet",
    "CaseState",
    "CaseTally",
    "CaseTransfer",
    "Category",
    "Colour",
    "ConductKind",
    "ConductViolation",
    "ExtensionRequest",
    "Feedback",
    "FeedbackChannel",
    "FeedbackPhoto",
    "FeedbackQuerySet",
    "HotlineColumn",
    "HotlineDelivery",
    "HotlineField",
    "HotlineKey",
    "HotlineOrder",
    "HotlineSetting",
    "HotlineTally",
    "IssuedKey",
    "Open311Key",
    "Open311Setting",
    "QrSource",
    "ReturnRequest",
    "Tier",
    "api_key_hash",
    "new_channel_token",
    "new_lookup_code",
    "rules_gap",
    "to_hour",
]
