"""The outcomes app's data: callbacks and surveys, cadres, the talent reserve, the report's inputs."""

from .cadres import (
    SECRETARY_TITLE,
    CadreAdjustment,
    GoalProgress,
    GoalReview,
    QuarterlyWarning,
    RedLine,
    RedLineRun,
    TermGoal,
)
from .callbacks import Callback, CallbackPool, ContactMethod, Satisfaction, SurveyRound, SurveySample
from .report import ExternalFigure, ReportSnapshot
from .talent import TalentRecord, TalentStep

__all__ = [
    "SECRETARY_TITLE",
    "CadreAdjustment",
    "Callback",
    "CallbackPool",
    "ContactMethod",
    "ExternalFigure",
    "GoalProgress",
    "GoalReview",
    "QuarterlyWarning",
    "RedLine",
    "RedLineRun",
    "ReportSnapshot",
    "Satisfaction",
    "SurveyRound",
    "SurveySample",
    "TalentRecord",
    "TalentStep",
    "TermGoal",
]
