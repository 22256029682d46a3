"""Pages of the cases app: cases (case.py), the feedback intake queue (feedback.py), the public pages (public.py)."""

from .case import (
    MOVES,
    PAGE_SIZE,
    Move,
    case_create,
    case_detail,
    case_list,
    case_move,
    dashboard,
    extension_decide,
    my_work,
    notice_list,
    quick_accept,
    return_decide,
    violation_create,
)
from .sheets import case_sheet, case_sheets

__all__ = [
    "MOVES",
    "PAGE_SIZE",
    "Move",
    "case_create",
    "case_detail",
    "case_list",
    "case_move",
    "case_sheet",
    "case_sheets",
    "dashboard",
    "extension_decide",
    "my_work",
    "notice_list",
    "quick_accept",
    "return_decide",
    "violation_create",
]
