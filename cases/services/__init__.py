"""Every write of the cases app.

A case is opened (opening.py) and moved through its life as ``cases.moves`` declares (moving.py), and to
another community or grid when it was sent to the wrong one (relocating.py); it asks for
more time or to go back (approvals.py) and changes colour in the sweep (sweep.py); supervisors record conduct
violations (conduct.py) and publish the negative list's 通报 (notices.py); the dashboard's stored figures are
refreshed (dashboard.py). Anonymous feedback as sent (feedback.py), its channels (feedback_channels.py), its
triage (feedback_triage.py), Open311 (open311.py) and the 12345 hotline (hotline.py).
"""

from .approvals import (
    approvals_decide,
    approvals_escalate,
    case_decide_extension,
    case_decide_return,
    case_request_extension,
    case_request_return,
)
from .base import LIST_ORDER, Decision
from .conduct import conduct_violation_record
from .dashboard import dashboard_refresh_request
from .feedback import (
    can_triage,
    feedback_answer,
    feedback_can_answer,
    feedback_digest_notify,
    feedback_submit,
    same_question_submit,
)
from .feedback_channels import feedback_channel_create, feedback_channel_deactivate, feedback_channel_street_wide
from .feedback_triage import (
    feedback_create_case,
    feedback_create_case_merged,
    feedback_merge,
    feedback_move,
    feedback_redact,
    feedback_reject,
    redaction_suggest,
)
from .hotline import (
    can_manage_hotline,
    hotline_case_changed,
    hotline_deliveries_retry,
    hotline_delivery_send,
    hotline_key_change,
    hotline_key_issue,
    hotline_key_revoke,
    hotline_orders_import,
    hotline_setting_save,
)
from .moving import (
    case_accept,
    case_assign,
    case_cancel,
    case_close,
    case_escalate,
    case_note_add,
    case_pause,
    case_record_progress,
    case_reopen,
    case_resolve,
    case_resume,
    case_set_deadline,
    case_supervise,
    cases_auto_close,
)
from .notices import (
    BulletinEntry,
    bulletin_create,
    bulletin_publish,
    bulletin_update,
    conduct_violation_notify,
    conduct_violation_report,
)
from .open311 import (
    can_manage_open311,
    open311_key_change,
    open311_key_issue,
    open311_key_revoke,
    open311_request_submit,
    open311_setting_save,
)
from .opening import case_open, case_public_title_set
from .relocating import (
    case_move,
    case_regrid,
    case_transfer,
    case_transfer_accept,
    case_transfer_return,
    case_transfer_withdraw,
)
from .sheets import case_sheets_print
from .sweep import SweepResult, case_colours_sweep, case_events_notify
from .tier import tier_make_default

__all__ = [
    "LIST_ORDER",
    "BulletinEntry",
    "Decision",
    "SweepResult",
    "approvals_decide",
    "approvals_escalate",
    "bulletin_create",
    "bulletin_publish",
    "bulletin_update",
    "can_manage_hotline",
    "can_manage_open311",
    "can_triage",
    "case_accept",
    "case_assign",
    "case_cancel",
    "case_close",
    "case_colours_sweep",
    "case_decide_extension",
    "case_decide_return",
    "case_escalate",
    "case_events_notify",
    "case_move",
    "case_note_add",
    "case_open",
    "case_pause",
    "case_public_title_set",
    "case_record_progress",
    "case_regrid",
    "case_reopen",
    "case_request_extension",
    "case_request_return",
    "case_resolve",
    "case_resume",
    "case_set_deadline",
    "case_sheets_print",
    "case_supervise",
    "case_transfer",
    "case_transfer_accept",
    "case_transfer_return",
    "case_transfer_withdraw",
    "cases_auto_close",
    "conduct_violation_notify",
    "conduct_violation_record",
    "conduct_violation_report",
    "dashboard_refresh_request",
    "feedback_answer",
    "feedback_can_answer",
    "feedback_channel_create",
    "feedback_channel_deactivate",
    "feedback_channel_street_wide",
    "feedback_create_case",
    "feedback_create_case_merged",
    "feedback_digest_notify",
    "feedback_merge",
    "feedback_move",
    "feedback_redact",
    "feedback_reject",
    "feedback_submit",
    "hotline_case_changed",
    "hotline_deliveries_retry",
    "hotline_delivery_send",
    "hotline_key_change",
    "hotline_key_issue",
    "hotline_key_revoke",
    "hotline_orders_import",
    "hotline_setting_save",
    "open311_key_change",
    "open311_key_issue",
    "open311_key_revoke",
    "open311_request_submit",
    "open311_setting_save",
    "redaction_suggest",
    "same_question_submit",
    "tier_make_default",
]
