"""Demo outcomes: a year of callbacks, survey rounds, red lines, goals, adjustments, the talent reserve and the
last months' stored reports.

Runs after every other app's seeder. Satisfaction rises over the year from the seed's 78 % to its 90 %, at the
callbacks and in the household surveys alike (``callbacks.py``); a dissatisfied callback reopened its case,
which was resolved again and called back. Rows are bulk-inserted; the result is what the services would have
produced.
"""

import time

from django.db import transaction

from lucun.demo import DemoContext
from visits.models import Household

from ..models import Callback, ExternalFigure, RedLineRun, ReportSnapshot, SurveyRound, TalentRecord, TermGoal
from .cadres import TALENT_AT_SCALE_1, external, goals_and_adjustments, red_lines, snapshots, talent
from .callbacks import callbacks, surveys

__all__ = ["TALENT_AT_SCALE_1", "seed"]


def seed(ctx: DemoContext) -> None:
    started = time.monotonic()
    communities = [c.pk for c in ctx.communities]
    parts = []
    if not Callback.objects.filter(community__in=communities).exists():
        with transaction.atomic():
            parts.append(callbacks(ctx))
    if (
        not SurveyRound.objects.filter(street=ctx.street).exists()
        and Household.objects.filter(community__in=communities).exists()
    ):
        with transaction.atomic():
            parts.append(surveys(ctx))
    if not TermGoal.objects.filter(community__in=communities).exists():
        with transaction.atomic():
            parts.append(goals_and_adjustments(ctx))
    if not TalentRecord.objects.filter(community__in=communities).exists():
        with transaction.atomic():
            parts.append(talent(ctx))
    if not ExternalFigure.objects.filter(street=ctx.street).exists():
        parts.append(external(ctx))
    if not RedLineRun.objects.filter(street=ctx.street).exists():
        parts.append(red_lines(ctx))
    if not ReportSnapshot.objects.filter(street=ctx.street).exists():
        parts.append(snapshots(ctx))
    if not parts:
        ctx.log("工作成效:演示数据已存在,跳过。")
        return
    ctx.log(f"工作成效:{';'.join(parts)}({time.monotonic() - started:.1f} 秒)")
