"""Every write of the outcomes app: callbacks, surveys, cadres, the talent reserve and the report."""

from .cadres import (
    adjustment_record,
    goal_create,
    goal_progress_record,
    goal_review_record,
    redlines_evaluate,
    redlines_evaluate_due,
    warning_record,
)
from .callbacks import (
    callback_assign,
    callback_close_case,
    callback_create_for_case,
    callback_created_summary,
    callback_record,
    callbacks_create,
)
from .report import external_figure_record, report_prepare, report_prepare_last_month
from .surveys import survey_answer, survey_close, survey_start
from .talent import talent_advance, talent_create

__all__ = [
    "adjustment_record",
    "callback_assign",
    "callback_close_case",
    "callback_create_for_case",
    "callback_created_summary",
    "callback_record",
    "callbacks_create",
    "external_figure_record",
    "goal_create",
    "goal_progress_record",
    "goal_review_record",
    "redlines_evaluate",
    "redlines_evaluate_due",
    "report_prepare",
    "report_prepare_last_month",
    "survey_answer",
    "survey_close",
    "survey_start",
    "talent_advance",
    "talent_create",
    "warning_record",
]
