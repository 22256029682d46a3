"""现场议's data: doorstep venues (venues.py); meetings, their procedure, parties and photos (meetings.py);
agenda items that are cases, decisions and follow-up tasks (agenda.py); contest criteria and scores (contests.py)."""

from .agenda import DECISIONS_FOR, AgendaItem, Decision, FollowUpTask
from .contests import BallotScore, ContestBallot, ContestCriterion, ContestScore, new_ballot_token
from .meetings import (
    Meeting,
    MeetingPhoto,
    MeetingQuerySet,
    MeetingStep,
    ParticipantRole,
    Participation,
    ProcedureStep,
    meeting_photo_path,
)
from .venues import Venue

__all__ = [
    "DECISIONS_FOR",
    "AgendaItem",
    "BallotScore",
    "ContestBallot",
    "ContestCriterion",
    "ContestScore",
    "Decision",
    "FollowUpTask",
    "Meeting",
    "MeetingPhoto",
    "MeetingQuerySet",
    "MeetingStep",
    "ParticipantRole",
    "Participation",
    "ProcedureStep",
    "Venue",
    "meeting_photo_path",
    "new_ballot_token",
]
