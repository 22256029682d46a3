"""Meetings at a glance and scheduling one: the calendar, the list, the form, and the figures of deliberation."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import page_errors
from lucun.scoping import communities_for

from .. import figures as figures_module
from .. import forms, permissions, selectors, services
from ..models import Meeting

PAGE_SIZE = 25


def _parse_day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The meetings of a week or a month, day by day (a list; usable on a phone)."""
    view = "week" if request.GET.get("view") == "week" else "month"
    anchor = _parse_day(request.GET.get("date"))
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=7)
        previous, following = start - timedelta(days=7), end
    else:
        start = anchor.replace(day=1)
        end = _next_month(start)
        previous, following = (start - timedelta(days=1)).replace(day=1), end
    meetings = list(selectors.meeting_calendar(user=request.user, start=_aware(start), end=_aware(end)))
    days: dict[date, list[Meeting]] = {}
    if view == "week":
        days = {start + timedelta(days=i): [] for i in range(7)}
    for meeting in meetings:
        days.setdefault(timezone.localdate(meeting.starts_at), []).append(meeting)
    return render(
        request,
        "deliberation/calendar.html",
        {
            "view": view,
            "start": start,
            "end": end - timedelta(days=1),
            "days": sorted(days.items()),
            "count": len(meetings),
            "previous": previous,
            "following": following,
            "today": timezone.localdate(),
            "can_schedule": _can_schedule_any(request.user),
        },
    )


def _can_schedule_any(user) -> bool:
    from lucun.scoping import has_role

    return has_role(user, permissions.ORGANISE_ROLES)


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    filter_form = forms.MeetingFilterForm(
        request.GET or None, communities=communities_for(request.user).order_by("sort_order", "name")
    )
    queryset = selectors.meeting_list(user=request.user, filters=filter_form.filters())
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deliberation/meeting_list.html",
        {"page_obj": page, "filter_form": filter_form, "can_schedule": _can_schedule_any(request.user)},
    )


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    communities = communities_for(request.user).order_by("sort_order", "name")
    venues = selectors.venue_list(user=request.user, filters={"active": True})
    form = forms.MeetingForm(request.POST or None, communities=communities, venues=venues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, community = data["kind"], data["community"]
        street = None
        if kind in Meeting.STREET_KINDS:
            if community is not None:
                street = community.street
            else:
                streets = list(selectors.managed_streets(request.user)[:2])
                street = streets[0] if len(streets) == 1 else None
                if street is None:
                    form.add_error("community", _("请选择召开所在的村(居),以确定街道。"))
        if form.is_valid():
            with page_errors(request, form) as call:
                meeting = services.meeting_schedule(
                    user=request.user,
                    kind=kind,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    community=None if kind in Meeting.STREET_KINDS else community,
                    street=street,
                    held_in=community if kind in Meeting.STREET_KINDS else None,
                    venue=data["venue"],
                    location=data["location"],
                    online_group=data["online_group"],
                    participants=form.participants(),
                )
            if call.ok:
                messages.success(request, _("会议已安排。"))
                return redirect(meeting)
    return render(request, "deliberation/meeting_form.html", {"form": form})


PERIODS = (3, 6, 12)


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    months = months if months in PERIODS else 12
    today = timezone.localdate()
    start = figures_module.months_back(today, months)
    end = _next_month(today)
    data = figures_module.figures(user=request.user, start=start, end=end)
    return render(request, "deliberation/figures.html", {"f": data, "months": months, "periods": PERIODS})
