"""The deliberation app's panel on the home page (lucun.home): this week's meetings."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lucun.home import Panel, Row, count_panel
from lucun.navigation import OFFICIAL_ROLES
from lucun.scoping import has_role

from . import selectors


def _week(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, as the calendar's week view counts it."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.combine(monday, time.min))
    return start, timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min))


def _meeting_row(meeting) -> Row:
    when = formats.date_format(timezone.localtime(meeting.starts_at), "m-d H:i")
    return Row(label=meeting.title, url=meeting.get_absolute_url(), note=f"{when} · {meeting.get_kind_display()}")


def meetings_this_week(*, user, now) -> Panel | None:
    if not has_role(user, OFFICIAL_ROLES):
        return None
    start, end = _week(now)
    return count_panel(
        key="meetings",
        title=_("本周议事"),
        label=_("场会议本周召开"),
        url=reverse("deliberation:calendar") + "?view=week",
        items=selectors.meetings_between(user=user, start=start, end=end),
        row=_meeting_row,
        empty=_("本周没有安排议事会议。"),
    )


def register_panels() -> None:
    from lucun import home

    home.register("meetings", meetings_this_week, order=60)
