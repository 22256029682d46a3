"""Every write of 直面问: plans (planning.py), households and imports (households.py), visit logs (visiting.py);
contact card batches, QR posters and their printing (cards.py)."""

from .cards import (
    card_batch_create,
    card_batch_deactivate,
    feedback_point_create,
    feedback_point_deactivate,
    print_job_create,
    print_job_run,
)
from .households import (
    HouseholdData,
    ImportReport,
    household_create,
    household_import,
    household_sensitive_viewed,
    household_update,
)
from .planning import assignment_update, cycle_plan_build
from .visiting import RequestInput, visitlog_create, visitrequest_convert

__all__ = [
    "HouseholdData",
    "ImportReport",
    "RequestInput",
    "assignment_update",
    "card_batch_create",
    "card_batch_deactivate",
    "cycle_plan_build",
    "feedback_point_create",
    "feedback_point_deactivate",
    "household_create",
    "household_import",
    "household_sensitive_viewed",
    "household_update",
    "print_job_create",
    "print_job_run",
    "visitlog_create",
    "visitrequest_convert",
]
