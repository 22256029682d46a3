from datetime import timedelta

from django.utils import timezone

from deliberation.models import Meeting, Venue
from deliberation.services import meeting_schedule


def venue(*, community, name="上林苑驿站", kind=Venue.Kind.STATION, grids=(), **kwargs) -> Venue:
    place = Venue.objects.create(community=community, name=name, kind=kind, address="村委会东侧", **kwargs)
    if grids:
        place.grids.set(grids)
    return place


def family_forum(*, community, by, starts_at=None, title="大家小家座谈会", **kwargs) -> Meeting:
    """Schedule a 大家小家 meeting through the service; by default it began a minute ago."""
    kwargs.setdefault("location", "村广场")
    return meeting_schedule(
        user=by,
        kind=Meeting.Kind.FAMILY_FORUM,
        title=title,
        community=community,
        starts_at=starts_at or timezone.now() - timedelta(minutes=1),
        **kwargs,
    )


def joint_meeting(*, street, by, starts_at=None, held_in=None, title="党政联席会", **kwargs) -> Meeting:
    kwargs.setdefault("location", "村委会会议室")
    return meeting_schedule(
        user=by,
        kind=Meeting.Kind.JOINT,
        title=title,
        street=street,
        held_in=held_in,
        starts_at=starts_at or timezone.now() - timedelta(minutes=1),
        **kwargs,
    )


def contest(*, street, by, starts_at=None, title="第一期擂台比武", **kwargs) -> Meeting:
    """Schedule a 擂台比武 of the street through the service; by default it began an hour ago."""
    kwargs.setdefault("location", "街道大礼堂")
    return meeting_schedule(
        user=by,
        kind=Meeting.Kind.CONTEST,
        title=title,
        street=street,
        starts_at=starts_at or timezone.now() - timedelta(hours=1),
        **kwargs,
    )
