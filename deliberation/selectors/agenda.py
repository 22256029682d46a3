"""Reads of agendas: the items of a meeting or of all visible meetings, the cases that could go on an agenda,
the joint meeting's proposed agenda, follow-up tasks."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from cases.models import OPEN_STATES, Case, CaseList
from lucun.models import User
from lucun.scoping import scope

from ..models import AgendaItem, FollowUpTask, Meeting
from .meetings import meeting_scope


def agenda_items(*, meeting: Meeting, user: User) -> QuerySet[AgendaItem]:
    """Return the meeting's agenda items whose case the user may see, with their tasks."""
    tasks = FollowUpTask.objects.select_related("owner").order_by("due_on", "pk")
    return (
        scope(AgendaItem.objects.filter(meeting=meeting), user, "case__community")
        .select_related(
            "case", "case__community", "case__tier", "case__handler", "case__category", "decided_by", "meeting"
        )
        .prefetch_related(Prefetch("tasks", queryset=tasks))
        .order_by("position", "pk")
    )


def agenda_item_list(*, user: User, filters: dict | None = None) -> QuerySet[AgendaItem]:
    """Return every agenda item the user may see (meeting and case both visible)."""
    filters = filters or {}
    queryset = scope(AgendaItem.objects.filter(meeting__in=meeting_scope(user)), user, "case__community")
    if filters.get("meeting"):
        queryset = queryset.filter(meeting=filters["meeting"])
    if filters.get("decision") == "none":
        queryset = queryset.filter(decision="")
    elif filters.get("decision"):
        queryset = queryset.filter(decision=filters["decision"])
    return queryset.select_related("case", "case__community", "meeting", "decided_by").order_by("-added_at", "-pk")


def agenda_item_get(*, user: User, pk: int) -> AgendaItem:
    try:
        return agenda_item_list(user=user).get(pk=pk)
    except AgendaItem.DoesNotExist as exc:
        raise Http404 from exc


def joint_agenda_proposals(*, meeting: Meeting) -> QuerySet[Case]:
    """Return the street's open cases on list 上级帮办 that no joint meeting has decided yet.

    Cases that a community meeting sent up come first, then the rest by deadline; cases already on
    this meeting's agenda are left out.
    """
    decided_at_joint = AgendaItem.objects.filter(case=OuterRef("pk"), meeting__kind=Meeting.Kind.JOINT).exclude(
        decision=""
    )
    sent_up = AgendaItem.objects.filter(case=OuterRef("pk"), decision="beyond")
    return (
        Case.objects.filter(street_id=meeting.street_id, state__in=OPEN_STATES, case_list=CaseList.STREET)
        .exclude(Exists(decided_at_joint))
        .exclude(agenda_items__meeting=meeting)
        .annotate(sent_up=Exists(sent_up))
        .select_related("community", "tier", "handler", "category")
        .order_by("-sent_up", "due_at", "pk")
    )


def agenda_candidates(*, meeting: Meeting, user: User) -> QuerySet[Case]:
    """Return the open cases the user could put on this meeting's agenda."""
    queryset = scope(Case.objects.filter(state__in=OPEN_STATES), user)
    if meeting.community_id:
        queryset = queryset.filter(community_id=meeting.community_id)
    else:
        queryset = queryset.filter(street_id=meeting.street_id)
    return queryset.exclude(agenda_items__meeting=meeting).select_related("community").order_by("due_at", "pk")


def follow_up_tasks(*, user: User, open_only: bool = True) -> QuerySet[FollowUpTask]:
    """Return the follow-up tasks the user may see (of visible cases), soonest first."""
    queryset = scope(FollowUpTask.objects.all(), user, "item__case__community")
    if open_only:
        queryset = queryset.filter(done_at__isnull=True)
    return queryset.select_related("owner", "item__case", "item__meeting").order_by("due_on", "pk")
