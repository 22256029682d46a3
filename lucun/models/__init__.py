"""The core domain shared by every app: people and their positions (people.py), the org tree (org.py), the abstract
bases of configuration and history (base.py), audit and notifications (events.py), export jobs (jobs.py)."""

from .base import AppendOnlyModel, ConfigRow, ConfigRowQuerySet, EnglishNamed
from .events import AuditEvent, Notification, NotificationDelivery, OutboxMessage
from .jobs import ExportJob, export_file_path
from .org import Community, County, Grid, Street
from .people import Position, PositionQuerySet, Role, User, phone_validator

__all__ = [
    "AppendOnlyModel",
    "AuditEvent",
    "Community",
    "ConfigRow",
    "ConfigRowQuerySet",
    "County",
    "EnglishNamed",
    "ExportJob",
    "Grid",
    "Notification",
    "NotificationDelivery",
    "OutboxMessage",
    "Position",
    "PositionQuerySet",
    "Role",
    "Street",
    "User",
    "export_file_path",
    "phone_validator",
]
