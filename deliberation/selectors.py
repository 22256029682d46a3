"""Reads of deliberation: scoped meetings, agendas, venues, coverage and the joint meeting's proposed agenda."""

from datetime import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from cases.models import OPEN_STATES, Case, CaseList
from lucun.models import Grid, Position, Street, User
from lucun.scoping import communities_for, scope, streets_for

from .models import (
    AgendaItem,
    ContestScore,
    FollowUpTask,
    Meeting,
    MeetingPhoto,
    MeetingStep,
    Participation,
    ProcedureStep,
    Venue,
)

MEETING_RELATED = ("community", "street", "held_in", "venue", "organiser")


def managed_streets(user: User) -> QuerySet[Street]:
    """Return the streets where the user holds a street- or county-level position (they see its own meetings)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Street.objects.none()
    if user.is_superuser:
        return Street.objects.all()
    positions = Position.objects.current().filter(user_id=user.pk)
    return Street.objects.filter(
        Q(pk__in=positions.filter(street__isnull=False).values("street"))
        | Q(county__in=positions.filter(county__isnull=False).values("county"))
    )


def meeting_scope(user: User) -> QuerySet[Meeting]:
    """Return the meetings the user may see.

    A community's meeting follows the community scoping rule; a street's meeting is seen by the street's
    own officials and, when it met on site, by the officials of the community that hosted it. A contest
    is where communities are judged in public: every official of the street sees it and its ranking.
    """
    visible = communities_for(user)
    return Meeting.objects.filter(
        Q(community__in=visible)
        | Q(street__in=managed_streets(user))
        | Q(held_in__in=visible)
        | Q(kind=Meeting.Kind.CONTEST, street__in=streets_for(user))
    )


def _attendance() -> Subquery:
    total = (
        Participation.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Sum("attended"))
        .values("n")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def meeting_list(*, user: User, filters: dict | None = None) -> QuerySet[Meeting]:
    """Return the visible meetings, filtered, with their agenda counts and attendance, newest first."""
    filters = filters or {}
    queryset = meeting_scope(user).select_related(*MEETING_RELATED)
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("community"):
        community = filters["community"]
        queryset = queryset.filter(Q(community=community) | Q(held_in=community))
    if filters.get("status") == "held":
        queryset = queryset.held()
    elif filters.get("status") == "scheduled":
        queryset = queryset.filter(held_at__isnull=True, cancelled_at__isnull=True)
    elif filters.get("status") == "cancelled":
        queryset = queryset.filter(cancelled_at__isnull=False)
    if filters.get("start"):
        queryset = queryset.filter(starts_at__gte=filters["start"])
    if filters.get("end"):
        queryset = queryset.filter(starts_at__lt=filters["end"])
    return queryset.annotate(
        item_count=Count("agenda_items"),
        settled_count=Count("agenda_items", filter=Q(agenda_items__decision="settled")),
        attendance=_attendance(),
    ).order_by("-starts_at", "-pk")


def meeting_calendar(*, user: User, start: datetime, end: datetime) -> QuerySet[Meeting]:
    """Return the visible, not cancelled meetings between two instants, soonest first."""
    return (
        meeting_list(user=user, filters={"start": start, "end": end})
        .filter(cancelled_at__isnull=True)
        .order_by("starts_at", "pk")
    )


def meeting_photos_visible(*, user: User) -> QuerySet[MeetingPhoto]:
    """Return the photos of the meetings the user may see."""
    return MeetingPhoto.objects.filter(meeting__in=meeting_scope(user))


def meetings_between(*, user: User, start: datetime, end: datetime) -> QuerySet[Meeting]:
    """Return the visible, not cancelled meetings between two instants, soonest first, without the list's
    counts (for a glance: the home page)."""
    return (
        meeting_scope(user)
        .filter(starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True)
        .select_related(*MEETING_RELATED)
        .order_by("starts_at", "pk")
    )


def meeting_get(*, user: User, pk: int) -> Meeting:
    """Return one meeting the user may see (404 otherwise)."""
    try:
        return meeting_scope(user).select_related(*MEETING_RELATED, "community__street", "held_in__street").get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


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


def meeting_steps(*, meeting: Meeting) -> list[dict]:
    """Return the active procedure steps in order, each with its completion for this meeting (or None)."""
    done = {row.step_id: row for row in MeetingStep.objects.filter(meeting=meeting).select_related("completed_by")}
    steps = []
    next_found = False
    for step in ProcedureStep.objects.active().order_by("sort_order"):
        row = done.get(step.pk)
        is_next = row is None and not next_found
        next_found = next_found or is_next
        steps.append({"step": step, "done": row, "is_next": is_next})
    return steps


def participations(*, meeting: Meeting) -> QuerySet[Participation]:
    return Participation.objects.filter(meeting=meeting).prefetch_related("users").order_by("role")


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


# --- Venues --------------------------------------------------------------------------------------------


def venue_list(*, user: User, filters: dict | None = None) -> QuerySet[Venue]:
    filters = filters or {}
    grid_count = (
        Venue.grids.through.objects.filter(venue=OuterRef("pk"))
        .order_by()
        .values("venue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    staff_count = (
        Venue.staff.through.objects.filter(venue=OuterRef("pk"))
        .order_by()
        .values("venue")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = scope(Venue.objects.all(), user).select_related("community")
    if filters.get("community"):
        queryset = queryset.filter(community=filters["community"])
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    if filters.get("active") in (True, False):
        queryset = queryset.filter(is_active=filters["active"])
    return queryset.annotate(
        grid_count=Coalesce(Subquery(grid_count, output_field=IntegerField()), 0),
        staff_count=Coalesce(Subquery(staff_count, output_field=IntegerField()), 0),
    ).order_by("community__sort_order", "community__name", "kind", "name")


def venue_get(*, user: User, pk: int) -> Venue:
    try:
        return (
            scope(Venue.objects.all(), user).select_related("community").prefetch_related("grids", "staff").get(pk=pk)
        )
    except Venue.DoesNotExist as exc:
        raise Http404 from exc


def venue_meetings(*, venue: Venue, user: User) -> QuerySet[Meeting]:
    return meeting_scope(user).filter(venue=venue).select_related(*MEETING_RELATED).order_by("-starts_at", "-pk")


def coverage(*, user: User) -> dict:
    """Return the 15-minute circle's coverage: every visible grid, whether an active venue serves it."""
    served = Venue.grids.through.objects.filter(grid=OuterRef("pk"), venue__is_active=True)
    grids = list(
        Grid.objects.filter(community__in=communities_for(user))
        .select_related("community")
        .annotate(served=Exists(served))
        .order_by("community__sort_order", "community__name", "sort_order", "name")
    )
    uncovered = [g for g in grids if not g.served]
    return {
        "grids": grids,
        "uncovered": uncovered,
        "total": len(grids),
        "covered": len(grids) - len(uncovered),
        "rate": round(100 * (len(grids) - len(uncovered)) / len(grids), 1) if grids else None,
    }


def contest_scores(*, meeting: Meeting) -> QuerySet[ContestScore]:
    return ContestScore.objects.filter(meeting=meeting).select_related("community", "criterion")


def officials_for_meeting(*, meeting: Meeting) -> QuerySet[User]:
    """Return the officials a meeting can name as task owner or responsible person."""
    from cases.permissions import HANDLE_ROLES
    from lucun.selectors import officials_covering

    if meeting.community_id:
        return officials_covering(community=meeting.community, roles=HANDLE_ROLES)
    positions = Position.objects.current().filter(role__in=list(HANDLE_ROLES), street_id=meeting.street_id)
    return User.objects.filter(is_active=True, pk__in=positions.values("user")).order_by("real_name", "username")
