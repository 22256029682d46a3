"""The data of 直面问: teams, the rotation, households and visit logs (visiting.py); contact cards, QR posters
and their print jobs (cards.py)."""

from .cards import ContactCardBatch, DeactivationReason, FeedbackPoint, PrintJob
from .visiting import (
    AttentionTag,
    Household,
    HouseholdMember,
    VisitAssignment,
    VisitCycle,
    VisitLog,
    VisitPhoto,
    VisitRequest,
    VisitTeam,
    VisitTeamMember,
    _photo_path,
)

__all__ = [
    "AttentionTag",
    "ContactCardBatch",
    "DeactivationReason",
    "FeedbackPoint",
    "Household",
    "HouseholdMember",
    "PrintJob",
    "VisitAssignment",
    "VisitCycle",
    "VisitLog",
    "VisitPhoto",
    "VisitRequest",
    "VisitTeam",
    "VisitTeamMember",
    "_photo_path",
]
