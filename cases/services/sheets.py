"""Printing case sheets (民情诉求办理单): the PDF, and the audit record of who printed which cases."""

import io
from collections.abc import Callable, Sequence

from django.utils.translation import gettext as _

from lucun.models import User
from lucun.services import audit_record

from .. import printing
from ..audit import AuditAction
from ..models import Case

# The numbers named in one audit record; a larger print records how many more there were.
AUDIT_NUMBERS_MAX = 200


def case_sheets_print(*, actor: User, cases: Sequence[Case], address: Callable[[Case], str]) -> bytes:
    """Return the case sheets of ``cases`` as one PDF, a page each, and record the print.

    ``address(case)`` is the absolute address of the case page its QR code holds. The cases come with their
    events loaded (``selectors.case_sheets``).
    """
    out = io.BytesIO()
    sheets = (printing.sheet_for(case, address=address(case)) for case in cases)
    pages = printing.case_sheets_pdf(out, sheets, total=len(cases))
    numbers = [case.number for case in cases]
    audit_record(
        actor=actor,
        action=AuditAction.CASE_SHEETS_PRINT,
        obj=cases[0] if len(cases) == 1 else None,
        community=cases[0].community if len(cases) == 1 else None,
        summary=_("打印办理单:%(n)d 件") % {"n": pages},
        after={"numbers": numbers[:AUDIT_NUMBERS_MAX], "count": len(numbers)},
    )
    return out.getvalue()
