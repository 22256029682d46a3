"""Every write of 直面问: plans, households, imports and visit logs (visiting.py); contact card batches, QR
posters and their printing (cards.py)."""

from .cards import (
    card_batch_create,
    card_batch_deactivate,
    feedback_point_create,
    feedback_point_deactivate,
    print_job_create,
    print_job_run,
)
from .visiting import (
    HouseholdData,
    ImportReport,
    RequestInput,
    assignment_update,
    cycle_plan_build,
    household_create,
    household_import,
    household_sensitive_viewed,
    household_update,
    visitlog_create,
    visitrequest_convert,
)

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
