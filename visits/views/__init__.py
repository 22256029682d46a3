"""Pages of 直面问: the field and the ledger (visiting.py); teams, the plan and coverage (planning.py); contact cards
and QR posters (cards.py)."""

from .cards import (
    card_batch_create,
    card_batch_deactivate,
    card_batch_detail,
    card_batches,
    card_index,
    feedback_point_create,
    feedback_point_deactivate,
    feedback_point_pdf,
    feedback_points,
    print_job_progress,
    print_job_start,
)
from .planning import assignment_edit, coverage, plan, plan_build, team_list
from .visiting import (
    household_detail,
    household_import,
    household_search,
    import_template,
    ledger,
    ledger_export,
    ledger_index,
    ledger_print,
    request_convert,
    visit_create,
)

__all__ = [
    "assignment_edit",
    "card_batch_create",
    "card_batch_deactivate",
    "card_batch_detail",
    "card_batches",
    "card_index",
    "coverage",
    "feedback_point_create",
    "feedback_point_deactivate",
    "feedback_point_pdf",
    "feedback_points",
    "household_detail",
    "household_import",
    "household_search",
    "import_template",
    "ledger",
    "ledger_export",
    "ledger_index",
    "ledger_print",
    "plan",
    "plan_build",
    "print_job_progress",
    "print_job_start",
    "request_convert",
    "team_list",
    "visit_create",
]
