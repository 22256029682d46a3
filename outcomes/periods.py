"""Reporting periods: a month (2026-05), a quarter (2026-Q2), a year (2026) or the last 365 days (recent, 近一年),
as half-open date ranges."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
RECENT = "recent"
RECENT_DAYS = 365


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def aware(day: date) -> datetime:
    """Return the local midnight starting ``day`` as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year | recent
    start: date  # first day
    end: date  # first day after the period

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = date(year, month, 1)
        return cls("month", start, next_month(start))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return cls("quarter", start, add_months(start, 3))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls("year", date(year, 1, 1), date(year + 1, 1, 1))

    @classmethod
    def recent(cls, today: date | None = None) -> "Period":
        """The 365 days ending today (近一年): a year that is always whole, whatever the month."""
        today = today or timezone.localdate()
        return cls(RECENT, today - timedelta(days=RECENT_DAYS - 1), today + timedelta(days=1))

    @classmethod
    def parse(cls, value: str | None, default: "Period | None" = None) -> "Period":
        """Read 2026-05, 2026-Q2, 2026 or recent; anything else gives ``default`` (the current year)."""
        value = (value or "").strip()
        if value == RECENT:
            return cls.recent()
        try:
            if m := _MONTH.match(value):
                return cls.month(int(m[1]), int(m[2]))
            if m := _QUARTER.match(value):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := _YEAR.match(value):
                return cls.year(int(m[1]))
        except ValueError:
            pass
        return default or cls.year(timezone.localdate().year)

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == RECENT:
            return RECENT
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        if self.kind == "quarter":
            return _("%(year)s年第%(quarter)s季度") % {
                "year": self.start.year,
                "quarter": (self.start.month - 1) // 3 + 1,
            }
        if self.kind == RECENT:
            return _("近一年(%(start)s 至 %(end)s)") % {
                "start": f"{self.start:%Y-%m-%d}",
                "end": f"{self.last_day:%Y-%m-%d}",
            }
        return _("%(year)s年") % {"year": self.start.year}

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def quarter_number(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def start_at(self) -> datetime:
        return aware(self.start)

    @property
    def end_at(self) -> datetime:
        return aware(self.end)

    @property
    def months(self) -> list[date]:
        result, cursor = [], self.start
        while cursor < self.end:
            result.append(cursor)
            cursor = next_month(cursor)
        return result

    @property
    def quarters(self) -> list[tuple[int, int]]:
        return sorted({quarter_of(m) for m in self.months})

    def year_before(self) -> "Period":
        if self.kind == RECENT:
            shift = timedelta(days=RECENT_DAYS)
            return Period(self.kind, self.start - shift, self.end - shift)
        return Period(self.kind, self.start.replace(year=self.start.year - 1), self.end.replace(year=self.end.year - 1))

    def previous(self) -> "Period":
        if self.kind == RECENT:
            return self.year_before()
        if self.kind == "month":
            return Period.month(add_months(self.start, -1).year, add_months(self.start, -1).month)
        if self.kind == "quarter":
            start = add_months(self.start, -3)
            return Period.quarter(start.year, (start.month - 1) // 3 + 1)
        return Period.year(self.start.year - 1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def is_complete(self, today: date | None = None) -> bool:
        """Tell whether the period has ended (by the local date): only a complete period is judged."""
        return (today or timezone.localdate()) >= self.end

    def has_started(self, today: date | None = None) -> bool:
        return (today or timezone.localdate()) >= self.start


def last_complete_quarter(today: date | None = None) -> Period:
    """The quarter that ended last: the one red lines and term goals are judged on."""
    return Period.quarter(*quarter_of(today or timezone.localdate())).previous()


def choices(today: date | None = None, months: int = 12) -> list[Period]:
    """The periods offered in selectors: this year, the last 365 days, last year, the last quarters and months."""
    today = today or timezone.localdate()
    year, quarter = quarter_of(today)
    result = [Period.year(year), Period.recent(today), Period.year(year - 1)]
    for back in range(0, 4):
        index = year * 4 + quarter - 1 - back
        result.append(Period.quarter(index // 4, index % 4 + 1))
    for back in range(0, months):
        day = add_months(today.replace(day=1), -back)
        result.append(Period.month(day.year, day.month))
    return result
