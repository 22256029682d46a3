"""What a hand-over (``lucun.handover``) moves of deliberation: follow-up tasks not yet done, and the organising of
meetings not yet held.

A follow-up task agreed at a meeting names one person to do it; a task of the leaver's still open goes to the
successor with its deadline (a task belongs to the community of its case). A meeting scheduled and neither held
nor cancelled is run by its organiser (steps, participants, minutes); the successor organises it from now on. A
community's meetings are in the hand-over's communities; the street's joint meetings and contests move only in a
hand-over over the whole street (``whole_streets``), and only a position over the whole street keeps them.
Held and cancelled meetings keep their organiser, as done tasks keep theirs: that is the record of who did it.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lucun.handover import Holding, Moved, register
from lucun.models import HandoverItem
from lucun.services import audit_record

from .audit import AuditAction
from .models import FollowUpTask, Meeting


def _tasks(user, communities):
    return FollowUpTask.objects.filter(
        owner=user, done_at__isnull=True, item__case__community__in=communities.values("pk")
    )


def _meetings(user, communities, whole_streets):
    # A street's meetings are the street's business: only a scope over the whole street reaches them (a community
    # secretary's hand-over does not give a street meeting to one of their cadres).
    return Meeting.objects.filter(
        Q(community__in=communities.values("pk")) | Q(street__in=whole_streets.values("pk")),
        organiser=user,
        held_at__isnull=True,
        cancelled_at__isnull=True,
    )


def _count_tasks(*, user, communities, streets, whole_streets) -> int:
    return _tasks(user, communities).count()


def _count_meetings(*, user, communities, streets, whole_streets) -> int:
    return _meetings(user, communities, whole_streets).count()


def _move_tasks(*, handover, actor, communities, streets, whole_streets) -> list[Moved]:
    leaver, successor = handover.leaver, handover.successor
    tasks = list(
        _tasks(leaver, communities)
        .select_for_update(of=("self",))
        .select_related("item__case")
        .only("pk", "title", "item__case__community_id")
        .order_by("pk")
    )
    if not tasks:
        return []
    FollowUpTask.objects.filter(pk__in=[t.pk for t in tasks]).update(owner=successor)
    audit_record(
        actor=actor,
        action=AuditAction.DELIBERATION_HANDOVER,
        obj=handover,
        community=handover.community,
        summary=_("跟进事项交接 %(count)d 项:%(leaver)s → %(successor)s")
        % {"count": len(tasks), "leaver": leaver, "successor": successor},
        before={"owner": leaver.pk},
        after={"owner": successor.pk, "tasks": [t.pk for t in tasks]},
    )
    return [
        Moved(kind=HandoverItem.Kind.FOLLOWUP_TASK, obj=task, community_id=task.item.case.community_id)
        for task in tasks
    ]


def _move_meetings(*, handover, actor, communities, streets, whole_streets) -> list[Moved]:
    leaver, successor = handover.leaver, handover.successor
    meetings = list(
        _meetings(leaver, communities, whole_streets)
        .select_for_update()
        .only("pk", "kind", "title", "community_id", "starts_at")
        .order_by("starts_at", "pk")
    )
    if not meetings:
        return []
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(organiser=successor)
    audit_record(
        actor=actor,
        action=AuditAction.DELIBERATION_HANDOVER,
        obj=handover,
        community=handover.community,
        summary=_("议事会议组织交接 %(count)d 场:%(leaver)s → %(successor)s")
        % {"count": len(meetings), "leaver": leaver, "successor": successor},
        before={"organiser": leaver.pk},
        after={"organiser": successor.pk, "meetings": [m.pk for m in meetings]},
    )
    return [
        Moved(kind=HandoverItem.Kind.MEETING_ORGANISER, obj=meeting, community_id=meeting.community_id)
        for meeting in meetings
    ]


def register_holdings() -> None:
    register(
        Holding(
            key="deliberation.followup_task",
            label=gettext_lazy("未完成的跟进事项"),
            unit=gettext_lazy("项"),
            order=35,
            count=_count_tasks,
            move=_move_tasks,
        ),
        Holding(
            key="deliberation.meeting_organiser",
            label=gettext_lazy("组织中的议事会议"),
            unit=gettext_lazy("场"),
            order=36,
            count=_count_meetings,
            move=_move_meetings,
        ),
    )
