"""The case clock: deadlines from a tier, and the colour a case shows at a time.

The rule, stated here once:
- A case is due ``tier.time_limit`` after it starts and turns yellow ``tier.warn_before`` earlier.
- While the clock runs (``RUNNING_STATES``) the colour only moves forward: yellow from ``warn_at``,
  red from ``due_at``. A paused, resolved, closed or cancelled case keeps the colour it had.
- When the dates move (resume, extension, escalation, a new deadline, a reopen) the colour starts
  again from what the new dates say; the second reopen turns the case red at once.
- A case still red ``notice_delay`` after it turned red goes on the notice list (通报).

It is written twice, side by side: in Python for one case in memory, and as ORM expressions for the
database (a list's live colour, the stored next-threshold columns, the sweep's and the dashboard's
filters), because the sweep and the dashboard must find the few cases that change through indexes
instead of loading them. The next-threshold times are indexed in a table of their own (``CaseAlarm``),
so that a colour change writes no index entry of the case. ``tests/cases/test_clock.py`` checks that
both say the same on a grid of cases and times. The stored ``colour`` is a cache the sweep moves forward.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from .states import RUNNING_STATES

if TYPE_CHECKING:
    from .models import Tier


class Colour(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


_RANK = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}

# The second time a case is sent back (发回重办) it turns red before its deadline.
REOPENS_TURNING_RED = 2


# --- In Python: one case -----------------------------------------------------------------------------


def deadlines(tier: "Tier", start: datetime) -> tuple[datetime, datetime]:
    """Return (due_at, warn_at) for a clock of ``tier`` started at ``start``."""
    due = start + tier.time_limit
    return due, warn_at_for(tier, due)


def warn_at_for(tier: "Tier", due_at: datetime) -> datetime:
    """Return when a case of ``tier`` due at ``due_at`` turns yellow."""
    return due_at - tier.warn_before


def colour_by_dates(*, due_at: datetime, warn_at: datetime, now: datetime) -> str:
    """Return the colour the deadlines alone give at ``now``."""
    if now >= due_at:
        return Colour.RED
    if now >= warn_at:
        return Colour.YELLOW
    return Colour.GREEN


def colour_at(*, state: str, colour: str, due_at: datetime, warn_at: datetime, now: datetime) -> str:
    """Return a case's colour at ``now``, right between sweeps: the stored one moved forward while it runs."""
    if state not in RUNNING_STATES:
        return colour
    by_dates = colour_by_dates(due_at=due_at, warn_at=warn_at, now=now)
    return by_dates if _RANK[by_dates] > _RANK[colour] else colour


def colour_restarted(*, state: str, colour: str, due_at: datetime, warn_at: datetime, now: datetime) -> str:
    """Return the colour after the deadlines moved: what the new dates say, unless the clock is stopped."""
    return colour_by_dates(due_at=due_at, warn_at=warn_at, now=now) if state in RUNNING_STATES else colour


def turns_red_on_reopen(reopen_count: int) -> bool:
    return reopen_count >= REOPENS_TURNING_RED


def notice_at(red_since: datetime, notice_delay: timedelta) -> datetime:
    """Return when a case red since ``red_since`` goes on the notice list."""
    return red_since + notice_delay


def on_time(*, resolved_at: datetime, due_at: datetime) -> bool:
    return resolved_at <= due_at


# --- In the database: the same rule as ORM expressions -----------------------------------------------


def live_colour(now: datetime) -> models.Case:
    """The expression of ``colour_at`` (``CaseQuerySet.with_live_colour``)."""
    return models.Case(
        models.When(~Q(state__in=RUNNING_STATES), then=F("colour")),
        models.When(due_at__lte=now, then=Value(Colour.RED)),
        models.When(Q(warn_at__lte=now) & ~Q(colour=Colour.RED), then=Value(Colour.YELLOW)),
        default=F("colour"),
        output_field=models.CharField(),
    )


def yellow_at_expression() -> models.Case:
    """When a running case next turns yellow: ``warn_at`` while it is green (the generated ``yellow_at``)."""
    return models.Case(
        models.When(Q(state__in=RUNNING_STATES, colour=Colour.GREEN), then=F("warn_at")),
        default=None,
        output_field=models.DateTimeField(),
    )


def red_at_expression() -> models.Case:
    """When a running case next turns red: ``due_at`` while it is not red yet (the generated ``red_at``)."""
    return models.Case(
        models.When(Q(state__in=RUNNING_STATES, colour__in=[Colour.GREEN, Colour.YELLOW]), then=F("due_at")),
        default=None,
        output_field=models.DateTimeField(),
    )


def notice_due_at_expression() -> models.Case:
    """When a running red case goes on the notice list: ``notice_at`` until it is on it (the generated column)."""
    return models.Case(
        models.When(Q(state__in=RUNNING_STATES, colour=Colour.RED, noticed_at__isnull=True), then=F("notice_at")),
        default=None,
        output_field=models.DateTimeField(),
    )


def _alarmed(alarms: Q, own: Q) -> Q:
    """The cases the alarm table (``CaseAlarm``, through its partial indexes) finds by ``alarms``, checked again
    by ``own`` on the case's own columns: a case a concurrent transaction changed is judged on its new version."""
    from .models.alarm import CaseAlarm

    return Q(pk__in=CaseAlarm.objects.filter(alarms).values("case_id")) & own


def q_alarm_due(now: datetime) -> Q:
    """The alarm rows (``CaseAlarm``) of every case the sweep has something to do for at ``now``: one look in
    each partial index. It finds all that ``q_turns_red``, ``q_turns_yellow`` and ``q_notice_due`` find."""
    return Q(yellow_at__lte=now) | Q(red_at__lte=now) | Q(notice_due_at__lte=now)


def q_turns_red(now: datetime) -> Q:
    """The cases whose stored colour is behind and whose live colour is red."""
    return _alarmed(Q(red_at__lte=now), Q(red_at__lte=now))


def q_turns_yellow(now: datetime) -> Q:
    """The cases whose stored colour is behind and whose live colour is yellow."""
    return _alarmed(Q(yellow_at__lte=now), Q(yellow_at__lte=now, due_at__gt=now))


def q_behind(now: datetime) -> Q:
    """The cases whose live colour differs from the stored one: those that crossed a threshold since the sweep."""
    crossed = Q(yellow_at__lte=now) | Q(red_at__lte=now)
    return _alarmed(crossed, crossed)


def q_red_by_deadline(now: datetime) -> Q:
    """Running cases red because they are overdue (served by the running cases' index on ``due_at``)."""
    return Q(state__in=RUNNING_STATES, due_at__lte=now)


def q_red_before_deadline(now: datetime) -> Q:
    """Running cases red before their deadline: only a second reopen does that (``case_reopened_twice_idx``)."""
    return Q(state__in=RUNNING_STATES, reopen_count__gte=REOPENS_TURNING_RED, colour=Colour.RED, due_at__gt=now)


def q_yellow(now: datetime) -> Q:
    """Running cases whose live colour is yellow."""
    return Q(state__in=RUNNING_STATES, warn_at__lte=now, due_at__gt=now) & ~Q(colour=Colour.RED)


def q_notice_due(now: datetime) -> Q:
    """Running cases red long enough to go on the notice list, not on it yet."""
    return _alarmed(Q(notice_due_at__lte=now), Q(notice_due_at__lte=now))


def notice_at_expression(now: datetime) -> models.ExpressionWrapper:
    """The expression of ``notice_at`` for cases turning red at ``now``."""
    return models.ExpressionWrapper(Value(now) + F("notice_delay"), output_field=models.DateTimeField())


def q_on_time() -> Q:
    """The expression of ``on_time`` for resolved cases."""
    return Q(resolved_at__lte=F("due_at"))
