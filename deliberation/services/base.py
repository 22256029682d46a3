"""Shared by the services of deliberation: the meeting locked for a write, and the community its audit belongs to."""

from django.utils.translation import gettext as _

from lucun.errors import require
from lucun.models import Community

from ..models import Meeting


def _audit_community(meeting: Meeting) -> Community | None:
    return meeting.community or meeting.held_in


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("community__street", "street", "held_in")
        .get(pk=meeting.pk)
    )


def _require_open(meeting: Meeting) -> None:
    require(meeting.cancelled_at is None, _("该会议已取消。"))
