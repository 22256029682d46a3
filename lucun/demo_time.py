"""Working time for the demo: when a street office works, so that the demo's meetings, visits, registrations and
callbacks fall in it (no meeting at 02:00, no visit on a Sunday).

- A working day is Monday to Friday in Asia/Shanghai, except the public holidays in ``HOLIDAYS`` (the State
  Council's arrangement for the years listed; in other years only the fixed-date 元旦, 劳动节 and 国庆 are
  skipped). The weekend days worked in exchange (调休上班) are not used: the demo never works on a weekend.
- Office hours (``OFFICE``) are 08:30–12:00 and 14:00–18:00: registrations, visits, callbacks, approvals.
- Meetings start on the half hour: in the office hours (``MEETING_STARTS``: 08:30–10:30 and 14:00–16:30) or, for
  the 大家小家 forums and online discussions that residents join after work, in the evening (``EVENING_STARTS``:
  19:00–20:00); ``EVENING`` (19:00–21:00) is the evening a meeting may start in.
- Residents write at any day from 07:00 to 22:00 (``RESIDENT``): anonymous messages, their answers, claims.

Every function takes and returns aware datetimes and works in the street's local time. Draws are uniform over the
working time of a range, on a grid of ``step`` minutes, from the caller's ``random.Random``.
"""

import bisect
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Hours:
    """Stretches of a day, (from, to) both included, on working days or, with ``every_day``, on any day."""

    windows: tuple[tuple[time, time], ...]
    every_day: bool = False

    def __add__(self, other: "Hours") -> "Hours":
        return Hours(self.windows + other.windows, self.every_day and other.every_day)

    def __iter__(self):
        return iter(self.windows)


OFFICE = Hours(((time(8, 30), time(12, 0)), (time(14, 0), time(18, 0))))
EVENING = Hours(((time(19, 0), time(21, 0)),))
MEETING_STARTS = Hours(((time(8, 30), time(10, 30)), (time(14, 0), time(16, 30))))
EVENING_STARTS = Hours(((time(19, 0), time(20, 0)),))
FORUM_STARTS = MEETING_STARTS + EVENING_STARTS
RESIDENT = Hours(((time(7, 0), time(22, 0)),), every_day=True)


def _days(year: int, *spans: tuple[int, int, int]) -> set[date]:
    """The days of (month, first day, length) spans in a year."""
    return {date(year, m, d) + timedelta(days=i) for m, d, n in spans for i in range(n)}


# The main public holidays (放假), by year: 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆.
HOLIDAYS: dict[int, set[date]] = {
    2025: _days(2025, (1, 1, 1), (1, 28, 8), (4, 4, 3), (5, 1, 5), (5, 31, 1), (6, 1, 2), (10, 1, 8)),
    2026: _days(2026, (1, 1, 3), (2, 15, 9), (4, 4, 3), (5, 1, 5), (6, 19, 3), (9, 25, 3), (10, 1, 7)),
}


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(HOLIDAYS.get(year) or _days(year, (1, 1, 1), (5, 1, 1), (10, 1, 7)))


def is_holiday(day: date) -> bool:
    return day in _holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def working_days(start: date, end: date) -> list[date]:
    """The working days from ``start`` up to, not including, ``end``."""
    return [start + timedelta(days=i) for i in range((end - start).days) if is_working_day(start + timedelta(days=i))]


def next_working_day(day: date) -> date:
    """``day`` when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """``day`` when it is a working day, otherwise the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_after(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (0: ``day`` itself when it is one, else the next)."""
    day = next_working_day(day)
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1))
    return day


def local(at: datetime) -> datetime:
    return at.astimezone(TZ)


def _is_open_day(day: date, hours: Hours) -> bool:
    return hours.every_day or is_working_day(day)


def is_working_time(at: datetime, hours: Hours = OFFICE) -> bool:
    """Whether ``at`` falls on a working day (any day for ``RESIDENT``) within one of the ``hours``."""
    moment = local(at)
    clock = moment.time().replace(tzinfo=None)
    return _is_open_day(moment.date(), hours) and any(start <= clock <= end for start, end in hours)


def _day_spans(day: date, hours: Hours, first: datetime, last: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches of working time of ``day`` within [first, last] (local times)."""
    spans = []
    for opens, closes in hours:
        lo = max(datetime.combine(day, opens, TZ), first)
        hi = min(datetime.combine(day, closes, TZ), last)
        if lo <= hi:
            spans.append((lo, hi))
    return spans


def _grid(lo: datetime, hi: datetime, step: int) -> tuple[datetime, int]:
    """The first point on the ``step``-minute clock grid at or after ``lo``, and how many points fit up to ``hi``."""
    seconds = step * 60
    since_midnight = lo.hour * 3600 + lo.minute * 60 + lo.second + (1 if lo.microsecond else 0)
    first = lo.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        seconds=-(-since_midnight // seconds) * seconds
    )
    if first > hi:
        return first, 0
    return first, int((hi - first).total_seconds() // seconds) + 1


def _points(spans: list[tuple[datetime, datetime]], step: int) -> list[tuple[datetime, int]]:
    return [(first, count) for first, count in (_grid(lo, hi, step) for lo, hi in spans) if count]


@cache
def _day_grid(hours: Hours, step: int) -> tuple[time, ...]:
    """The grid points of a whole working day, as clock times (the same on every working day)."""
    day = date(2026, 1, 5)
    start, end = datetime.combine(day, time.min, TZ), datetime.combine(day, time.max, TZ)
    return tuple(
        (first + timedelta(minutes=step * i)).time()
        for first, count in _points(_day_spans(day, hours, start, end), step)
        for i in range(count)
    )


@cache
def _open_days(year: int, every_day: bool) -> tuple[date, ...]:
    """The days of a year a draw may fall on, in order."""
    first = date(year, 1, 1)
    days = (first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days))
    return tuple(d for d in days if every_day or is_working_day(d))


def _whole_days(after: date, before: date, hours: Hours) -> list[date]:
    """The open days strictly between two days."""
    result: list[date] = []
    for year in range(after.year, before.year + 1):
        days = _open_days(year, hours.every_day)
        result += days[bisect.bisect_right(days, after) : bisect.bisect_left(days, before)]
    return result


def _partial(day: date, hours: Hours, first: datetime, last: datetime, step: int) -> list[tuple[datetime, int]]:
    return _points(_day_spans(day, hours, first, last), step) if _is_open_day(day, hours) else []


def draw(rng: random.Random, start: datetime, end: datetime, hours: Hours = OFFICE, step: int = 1) -> datetime | None:
    """A time drawn evenly from the working time in [start, end], on the ``step``-minute grid; None if there is none."""
    first, last = local(start), local(end)
    if first > last:
        return None
    head = _partial(first.date(), hours, first, last, step)
    if first.date() == last.date():
        middle, tail = [], []
    else:
        middle = _whole_days(first.date(), last.date(), hours)
        tail = _partial(last.date(), hours, first, last, step)
    grid = _day_grid(hours, step)
    counts = (sum(n for _p, n in head), len(middle) * len(grid), sum(n for _p, n in tail))
    total = sum(counts)
    if not total:
        return None
    index = rng.randrange(total)
    if index >= counts[0] and index < counts[0] + counts[1]:
        day, offset = divmod(index - counts[0], len(grid))
        return datetime.combine(middle[day], grid[offset], TZ)
    points = head if index < counts[0] else tail
    index = index if index < counts[0] else index - counts[0] - counts[1]
    for point, n in points:
        if index < n:
            return point + timedelta(minutes=step * index)
        index -= n
    raise AssertionError("unreachable")


def next_slot(at: datetime, hours: Hours = MEETING_STARTS, step: int = 30) -> datetime:
    """The first point of the ``step``-minute grid in the ``hours`` of a working day at or after ``at``."""
    first = local(at)
    day = first.date()
    while True:
        if _is_open_day(day, hours):
            end = datetime.combine(day, time.max, TZ)
            for point, _count in _points(_day_spans(day, hours, first, end), step):
                return point
        day += timedelta(days=1)


def previous_slot(at: datetime, hours: Hours = MEETING_STARTS, step: int = 30) -> datetime:
    """The last point of the ``step``-minute grid in the ``hours`` of a working day at or before ``at``."""
    last = local(at)
    day = last.date()
    while True:
        if _is_open_day(day, hours):
            start = datetime.combine(day, time.min, TZ)
            points = _points(_day_spans(day, hours, start, last), step)
            if points:
                point, count = points[-1]
                return point + timedelta(minutes=step * (count - 1))
        day -= timedelta(days=1)


def on_day(rng: random.Random, day: date, hours: Hours = OFFICE, step: int = 1) -> datetime:
    """A time drawn from the hours of ``day``, which must be a working day (any day for ``RESIDENT``)."""
    if not _is_open_day(day, hours):
        raise ValueError(f"{day} is not a working day")
    return datetime.combine(day, rng.choice(_day_grid(hours, step)), TZ)


def next_working(at: datetime, hours: Hours = OFFICE) -> datetime:
    """``at`` when it is working time, otherwise the start of the next working time."""
    if is_working_time(at, hours):
        return at
    moment = local(at)
    day = moment.date()
    while True:
        if _is_open_day(day, hours):
            for opens, _closes in hours:
                candidate = datetime.combine(day, opens, TZ)
                if candidate >= moment:
                    return candidate
        day += timedelta(days=1)


def previous_working(at: datetime, hours: Hours = OFFICE) -> datetime:
    """``at`` when it is working time, otherwise the end of the last working time before it."""
    if is_working_time(at, hours):
        return at
    moment = local(at)
    day = moment.date()
    while True:
        if _is_open_day(day, hours):
            for _opens, closes in reversed(hours.windows):
                candidate = datetime.combine(day, closes, TZ)
                if candidate <= moment:
                    return candidate
        day -= timedelta(days=1)


def add_working(at: datetime, duration: timedelta, hours: Hours = OFFICE) -> datetime:
    """The time ``duration`` of working time after ``at`` (counted from the next working time when ``at`` is not)."""
    left = duration
    cursor = next_working(at, hours)
    while True:
        moment = local(cursor)
        closes = next(
            datetime.combine(moment.date(), c, TZ) for o, c in hours if o <= moment.time().replace(tzinfo=None) <= c
        )
        if cursor + left <= closes:
            return cursor + left
        left -= closes - cursor
        cursor = next_working(closes + timedelta(microseconds=1), hours)
