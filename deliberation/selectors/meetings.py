"""Reads of meetings: the scoping rule for meetings, lists, the calendar, one meeting with its steps, parties and
scores, the officials it can name."""

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from lucun.models import Community, Position, Street, User
from lucun.scoping import communities_for, streets_for

from ..models import ContestBallot, ContestScore, Meeting, MeetingPhoto, MeetingStep, Participation, ProcedureStep

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


def contest_scores(*, meeting: Meeting) -> QuerySet[ContestScore]:
    return ContestScore.objects.filter(meeting=meeting).select_related("community", "criterion")


def contest_communities(*, meeting: Meeting) -> QuerySet[Community]:
    """Return the communities a contest ranks: every community of its street, in the street's order."""
    return Community.objects.filter(street_id=meeting.street_id).select_related("street").order_by("sort_order", "pk")


def contest_ballots(*, meeting: Meeting) -> QuerySet[ContestBallot]:
    """Return the contest's ballots, oldest first."""
    return ContestBallot.objects.filter(meeting=meeting).order_by("pk")


def contest_ballot_counts(*, meeting: Meeting) -> dict[str, int]:
    """Return how many ballots the contest issued, how many were used, voided, and are still unused."""
    counts = ContestBallot.objects.filter(meeting=meeting).aggregate(
        issued=Count("pk"),
        used=Count("pk", filter=Q(used_at__isnull=False)),
        voided=Count("pk", filter=Q(voided_at__isnull=False)),
    )
    counts["unused"] = counts["issued"] - counts["used"] - counts["voided"]
    return counts


def contest_ballot_by_token(token: str) -> ContestBallot | None:
    """Return the ballot a QR code holds, with its contest, or None for an unknown or malformed token."""
    if not token or len(token) > 40:
        return None
    return ContestBallot.objects.select_related("meeting__street").filter(token=token).first()


def officials_for_meeting(*, meeting: Meeting) -> QuerySet[User]:
    """Return the officials a meeting can name as task owner or responsible person."""
    from cases.permissions import HANDLE_ROLES
    from lucun.selectors import officials_covering

    if meeting.community_id:
        return officials_covering(community=meeting.community, roles=HANDLE_ROLES)
    positions = Position.objects.current().filter(role__in=list(HANDLE_ROLES), street_id=meeting.street_id)
    return User.objects.filter(is_active=True, pk__in=positions.values("user")).order_by("real_name", "username")
