"""Every write of deliberation: scheduling and running meetings (meetings.py), agendas of cases (agenda.py),
decisions and follow-up tasks (decisions.py), contest scores (contests.py),
residents' contest ballots (ballots.py).

A decision on an agenda item changes its case only through the cases app's services, in the same
transaction as the item: either both are saved or neither is. A move the meeting's state refuses raises
``DomainError``, one the user's position does not allow ``NotAllowed`` (lucun.errors), with a message for the user.
"""

from .agenda import agenda_add, agenda_raise_case, joint_meeting_propose_agenda
from .ballots import (
    contest_ballot_submit,
    contest_ballots_issue,
    contest_ballots_void,
    contest_weight_set,
)
from .contests import contest_score_record
from .decisions import TaskSpec, agenda_decide, followup_task_complete
from .meetings import (
    ParticipationSpec,
    meeting_cancel,
    meeting_minutes_save,
    meeting_photo_add,
    meeting_schedule,
    participations_record,
    step_complete,
)

__all__ = [
    "ParticipationSpec",
    "TaskSpec",
    "agenda_add",
    "agenda_decide",
    "agenda_raise_case",
    "contest_ballot_submit",
    "contest_ballots_issue",
    "contest_ballots_void",
    "contest_score_record",
    "contest_weight_set",
    "followup_task_complete",
    "joint_meeting_propose_agenda",
    "meeting_cancel",
    "meeting_minutes_save",
    "meeting_photo_add",
    "meeting_schedule",
    "participations_record",
    "step_complete",
]
