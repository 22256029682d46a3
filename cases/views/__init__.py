"""Pages of the cases app: cases (case.py), the feedback intake queue (feedback.py), the public pages (public.py),
the negative list and its 通报 (notices.py)."""

from .approvals import approvals_inbox
from .case import (
    PAGE_SIZE,
    case_create,
    case_detail,
    case_list,
    case_move,
    case_public_title,
    dashboard,
    extension_decide,
    my_work,
    quick_accept,
    return_decide,
)
from .notices import (
    bulletin_create,
    bulletin_detail,
    bulletin_edit,
    bulletin_list,
    bulletin_pdf_view,
    bulletin_publish,
    notice_list,
    violation_create,
)
from .sheets import case_sheet, case_sheets

__all__ = [
    "PAGE_SIZE",
    "approvals_inbox",
    "bulletin_create",
    "bulletin_detail",
    "bulletin_edit",
    "bulletin_list",
    "bulletin_pdf_view",
    "bulletin_publish",
    "case_create",
    "case_detail",
    "case_list",
    "case_move",
    "case_public_title",
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
