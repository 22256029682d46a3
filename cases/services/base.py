"""What the case services share: the row lock and the move's guard, the timeline, notices, deadlines.

Helpers for the modules of this package, not services: callers use the ``case_*`` functions.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from lucun.models import Notification, User
from lucun.selectors import officials_covering
from lucun.services import notification_send

from .. import clock, permissions
from ..models import Case, CaseEvent, CaseList, Colour, ExtensionRequest
from ..moves import MOVES

Decision = ExtensionRequest.Decision
LIST_ORDER = [CaseList.SELF, CaseList.COMMUNITY, CaseList.STREET]


def locked(case: Case) -> Case:
    """Reload the case under a row lock, so two moves on one case happen one after the other."""
    return Case.objects.select_for_update().select_related("tier", "community__street").get(pk=case.pk)


def begin_move(name: str, case: Case, user: User | None) -> Case:
    """Lock the case and hold the move to its declaration (``cases.moves``): states, who may, preconditions.

    Raises ``DomainError`` for a state or a condition of the case, ``NotAllowed`` for the person.
    """
    case = locked(case)
    MOVES[name].check(user, case)
    return case


def add_event(case: Case, kind: str, actor: User | None, note: str = "", before=None, after=None) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, note=note, before=before or {}, after=after or {}, at=timezone.now()
    )
    if case.source == Case.Source.HOTLINE:
        from .hotline import hotline_case_changed  # it builds on this module

        hotline_case_changed(case=case, event=event)
    return event


def notify(
    case: Case, recipients, title: str, body: str = "", level: str = Notification.Level.INFO, kind: str = ""
) -> None:
    recipients = [r for r in recipients if r is not None]
    if recipients:
        notification_send(
            recipients=recipients, title=title, body=body, url=case.get_absolute_url(), level=level, kind=kind
        )


def supervisors_of(case: Case):
    return officials_covering(community=case.community, roles=permissions.SUPERVISE_ROLES)


def set_deadlines(case: Case, due_at: datetime, warn_at: datetime, now: datetime) -> list[str]:
    """Move the deadlines and recompute the stored colour from them; return the fields changed."""
    case.due_at, case.warn_at = due_at, warn_at
    case.deadline_version += 1
    colour = clock.colour_restarted(state=case.state, colour=case.colour, due_at=due_at, warn_at=warn_at, now=now)
    if colour != case.colour:
        case.colour = colour
        case.colour_changed_at = now
    mark_red(case, now) if case.colour == Colour.RED else clear_red(case)
    return ["due_at", "warn_at", "deadline_version", "colour", "colour_changed_at", *RED_FIELDS]


RED_FIELDS = ["red_since", "notice_at", "noticed_at"]


def mark_red(case: Case, now: datetime) -> None:
    """Start (or keep) the red clock: the case goes on the notice list once it has been red long enough."""
    if case.red_since is None:
        case.red_since = now
        case.notice_at = clock.notice_at(now, case.notice_delay)


def clear_red(case: Case) -> None:
    case.red_since = case.notice_at = case.noticed_at = None


def hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)
