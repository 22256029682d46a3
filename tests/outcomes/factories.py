"""Helpers for the outcomes tests: resolved cases, answered callbacks, secretaries."""

from datetime import timedelta

from django.utils import timezone

from cases.models import Case, CaseState
from cases.services import case_resolve
from lucun.models import Position, Role
from outcomes.models import Callback
from tests.cases.factories import open_case
from tests.factories import UserFactory


def resolved_case(*, community, by, **kwargs) -> Case:
    """Open and resolve a case through the services."""
    case = open_case(community=community, by=by, handler=by, **kwargs)
    return case_resolve(case=case, user=by, resolution="已处理完毕")


def callback_for(case: Case, *, assignee=None, **answer) -> Callback:
    """Create the callback of the case's current resolution, optionally answered (fields set directly)."""
    case.refresh_from_db()
    callback = Callback.objects.create(
        case=case,
        round=case.reopen_count,
        community_id=case.community_id,
        resolved_at=case.resolved_at or timezone.now(),
        assignee=assignee,
    )
    if answer:
        answer.setdefault("contacted", True)
        answer.setdefault("answered_at", timezone.now())
        answer.setdefault("method", "phone")
        Callback.objects.filter(pk=callback.pk).update(**answer)
        callback.refresh_from_db()
    return callback


def secretary(community, *, title: str = "村党组织书记", started_on=None):
    user = UserFactory()
    Position.objects.create(
        user=user, role=Role.COMMUNITY_CADRE, title=title, community=community, started_on=started_on
    )
    return user


def set_times(case: Case, **fields) -> None:
    Case.objects.filter(pk=case.pk).update(**fields)


def age(hours: float):
    return timezone.now() - timedelta(hours=hours)


__all__ = ["CaseState", "age", "callback_for", "resolved_case", "secretary", "set_times"]
