"""Pages of 现场议: the calendar, the list, scheduling and the figures (meetings.py); the meeting page and the
forms posted from it (meeting_page.py); venues and coverage (venues.py); contest ballots, public and staff
(ballots.py)."""

from .ballots import ballot_action, ballot_form, ballot_list, ballot_print
from .meeting_page import item_decide, meeting_action, meeting_detail, meeting_notice, task_done
from .meetings import calendar, figures, meeting_create, meeting_list
from .venues import coverage, venue_detail, venue_list

__all__ = [
    "ballot_action",
    "ballot_form",
    "ballot_list",
    "ballot_print",
    "calendar",
    "coverage",
    "figures",
    "item_decide",
    "meeting_action",
    "meeting_create",
    "meeting_detail",
    "meeting_list",
    "meeting_notice",
    "task_done",
    "venue_detail",
    "venue_list",
]
