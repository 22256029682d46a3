"""Reads of deliberation: scoped meetings (meetings.py), agendas and the joint meeting's proposed agenda
(agenda.py), venues and coverage (venues.py)."""

from .agenda import (
    agenda_candidates,
    agenda_item_get,
    agenda_item_list,
    agenda_items,
    follow_up_tasks,
    joint_agenda_proposals,
)
from .meetings import (
    MEETING_RELATED,
    contest_ballot_by_token,
    contest_ballot_counts,
    contest_ballots,
    contest_communities,
    contest_scores,
    managed_streets,
    meeting_calendar,
    meeting_get,
    meeting_list,
    meeting_photos_visible,
    meeting_scope,
    meeting_steps,
    meetings_between,
    officials_for_meeting,
    participations,
)
from .venues import coverage, venue_get, venue_list, venue_meetings

__all__ = [
    "MEETING_RELATED",
    "agenda_candidates",
    "agenda_item_get",
    "agenda_item_list",
    "agenda_items",
    "contest_ballot_by_token",
    "contest_ballot_counts",
    "contest_ballots",
    "contest_communities",
    "contest_scores",
    "coverage",
    "follow_up_tasks",
    "joint_agenda_proposals",
    "managed_streets",
    "meeting_calendar",
    "meeting_get",
    "meeting_list",
    "meeting_photos_visible",
    "meeting_scope",
    "meeting_steps",
    "meetings_between",
    "officials_for_meeting",
    "participations",
    "venue_get",
    "venue_list",
    "venue_meetings",
]
