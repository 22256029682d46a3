"""Forms of 现场议: meetings and the lists' filters (meetings.py), the agenda and decisions (agenda.py), contest
scores (contests.py). Forms check shape only; the services decide what is allowed."""

from .agenda import TASK_ROWS, AgendaAddForm, DecideForm, ProposeForm, RaiseCaseForm, TaskDoneForm
from .contests import BallotForm, BallotIssueForm, BallotVoidForm, BallotWeightForm, ScoreForm, ballot_tile_score
from .meetings import (
    AttendanceForm,
    CancelForm,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    PhotoForm,
    StepForm,
    VenueChoiceField,
    VenueFilterForm,
)

__all__ = [
    "TASK_ROWS",
    "AgendaAddForm",
    "AttendanceForm",
    "BallotForm",
    "BallotIssueForm",
    "BallotVoidForm",
    "BallotWeightForm",
    "CancelForm",
    "DecideForm",
    "MeetingFilterForm",
    "MeetingForm",
    "MinutesForm",
    "PhotoForm",
    "ProposeForm",
    "RaiseCaseForm",
    "ScoreForm",
    "StepForm",
    "TaskDoneForm",
    "VenueChoiceField",
    "VenueFilterForm",
    "ballot_tile_score",
]
