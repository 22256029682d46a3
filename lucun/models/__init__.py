"""The core domain shared by every app: people and their positions (people.py), the org tree (org.py), the abstract
bases of configuration and history (base.py), audit and notifications (events.py), export jobs (jobs.py), bulk
actions and their results (bulk.py), text messages (sms.py), hand-overs (handover.py)."""

from .base import AppendOnlyModel, ConfigRow, ConfigRowQuerySet, EnglishNamed, localized_name
from .bulk import BulkRun, BulkRunRow
from .events import AuditEvent, Notification, NotificationDelivery, OutboxMessage
from .handover import Handover, HandoverItem
from .jobs import ExportJob, export_file_path
from .org import Community, County, Grid, Street
from .people import Position, PositionQuerySet, Role, User, phone_validator
from .sms import SmsMessage

__all__ = [
    "AppendOnlyModel",
    "AuditEvent",
    "BulkRun",
    "BulkRunRow",
    "Community",
    "ConfigRow",
    "ConfigRowQuerySet",
    "County",
    "EnglishNamed",
    "ExportJob",
    "Grid",
    "Handover",
    "HandoverItem",
    "Notification",
    "NotificationDelivery",
    "OutboxMessage",
    "Position",
    "PositionQuerySet",
    "Role",
    "SmsMessage",
    "Street",
    "User",
    "export_file_path",
    "localized_name",
    "phone_validator",
]
