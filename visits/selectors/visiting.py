"""Every scoped read of 直面问 in the field: search, the ledger, the timeline, teams and the plan."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from lucun.models import Community, Street, User
from lucun.scoping import community_ids_for, scope, streets_for
from lucun.text import pinyin_initials

from .. import rules
from ..models import (
    AttentionTag,
    Household,
    VisitAssignment,
    VisitCycle,
    VisitLog,
    VisitPhoto,
    VisitRequest,
    VisitTeam,
    VisitTeamMember,
)

# ------------------------------------------------------------------------------------------ households


def household_list(*, user: User) -> QuerySet[Household]:
    return scope(Household.objects.all(), user).select_related("community", "community__street", "grid")


def household_search(*, user: User, query: str, community: Community | None = None) -> QuerySet[Household]:
    """Find households by a few characters of the head's name, the address or their pinyin initials."""
    qs = household_list(user=user)
    if community is not None:
        qs = qs.filter(community=community)
    for word in query.lower().split()[:4]:
        qs = qs.filter(search_key__contains=word.replace(" ", ""))
    return qs.order_by("address", "pk")


def _open_requests():
    return (
        VisitRequest.objects.filter(household=OuterRef("pk"), status=VisitRequest.Status.OPEN)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )


@dataclass
class LedgerFilters:
    query: str = ""
    grid: int | None = None
    tag: int | None = None
    level: str = ""
    state: str = ""  # "never" (never visited), "open" (has open requests), "overdue" (flagged and overdue)


def ledger(
    *, user: User, community: Community, filters: LedgerFilters, communities: Sequence[int] | None = None
) -> QuerySet[Household]:
    """Return a community's households for the 民情账本, with last visit, open requests and tags.

    The caller decides which tags the user may see and offers only those as a filter. ``communities``: the ids
    ``community_ids_for(user)`` gave, when the caller has them (the community is checked against them, so the
    statement needs no scoping subquery).
    """
    ids = community_ids_for(user) if communities is None else communities
    if community.pk not in ids:
        return Household.objects.none()
    qs = (
        Household.objects.filter(community_id=community.pk)
        .select_related("community", "community__street", "grid")
        .annotate(open_requests=Coalesce(Subquery(_open_requests(), output_field=IntegerField()), Value(0)))
    )
    if filters.query:
        for word in filters.query.lower().split()[:4]:
            qs = qs.filter(search_key__contains=word)
    if filters.grid:
        qs = qs.filter(grid_id=filters.grid)
    if filters.level:
        qs = qs.filter(attention_level=filters.level)
    if filters.tag:
        qs = qs.filter(tags__pk=filters.tag)
    if filters.state == "never":
        qs = qs.filter(last_visited_at__isnull=True)
    elif filters.state == "open":
        qs = qs.filter(open_requests__gt=0)
    elif filters.state == "overdue":
        qs = qs.filter(overdue_q(timezone.now()))
    qs = qs.prefetch_related(Prefetch("tags", queryset=AttentionTag.objects.order_by("sort_order", "name")))
    return qs.order_by("grid__sort_order", "address", "pk")


# What a row of the ledger page shows (its grid and tags come from the rows the page's filter form reads anyway).
LEDGER_ROW_FIELDS = ("community_id", "grid_id", "address", "head_name", "phone", "attention_level", "last_visited_at")


def ledger_page(
    *, user: User, community: Community, filters: LedgerFilters, communities: Sequence[int] | None = None
) -> QuerySet[Household]:
    """Return ``ledger`` as its page lists it: the row's columns only, no join but the grids' order, no tags
    (``household_tag_ids`` gives them)."""
    return (
        ledger(user=user, community=community, filters=filters, communities=communities)
        .select_related(None)
        .prefetch_related(None)
        .only(*LEDGER_ROW_FIELDS)
    )


def household_tag_ids(*, households: Iterable[int]) -> dict[int, set[int]]:
    """Return the attention tags' ids of each of these households, in one statement on the links alone."""
    tagged: dict[int, set[int]] = {}
    links = Household.tags.through.objects.filter(household_id__in=list(households))
    for household_id, tag_id in links.values_list("household_id", "attentiontag_id"):
        tagged.setdefault(household_id, set()).add(tag_id)
    return tagged


def overdue_q(now: datetime) -> Q:
    """Flagged households whose last visit is older than their level's interval (or who were never visited)."""
    q = Q(pk__in=[])
    for level, days in rules.VISIT_INTERVAL_DAYS.items():
        if days is None:
            continue
        q |= Q(attention_level=level) & (
            Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=now - timedelta(days=days))
        )
    return q


def household_timeline(*, household: Household) -> QuerySet[VisitLog]:
    """Return the household's visits, newest first, with visitors, team, photos, requests and their cases."""
    requests = VisitRequest.objects.select_related("case", "case__handler", "case__first_responder").order_by("pk")
    return (
        VisitLog.objects.filter(household=household)
        .select_related("team", "created_by")
        .prefetch_related("visitors", Prefetch("requests", queryset=requests), "photos")
        .order_by("-visited_at", "-pk")
    )


def visit_log_list(*, user: User) -> QuerySet[VisitLog]:
    return (
        scope(VisitLog.objects.all(), user)
        .select_related("household", "community", "team", "created_by")
        .prefetch_related("visitors", Prefetch("requests", queryset=VisitRequest.objects.select_related("case")))
        .order_by("-visited_at", "-pk")
    )


def visit_photos_visible(*, user: User) -> QuerySet[VisitPhoto]:
    """Return the visit photos the user may see: those of the visits in the user's communities."""
    return scope(VisitPhoto.objects.all(), user, "log__community")


def attention_tags() -> QuerySet[AttentionTag]:
    return AttentionTag.objects.order_by("sort_order", "name")


# ---------------------------------------------------------------------------------------- teams, plan


def _teams_seen(user: User) -> QuerySet[VisitTeam]:
    """The teams of the streets the user sees, in the order every list of them shows."""
    return VisitTeam.objects.filter(street__in=streets_for(user)).order_by("street_id", "sort_order", "name")


def team_list(*, user: User) -> QuerySet[VisitTeam]:
    """Return the teams of the streets the user sees, with members and their users."""
    return (
        _teams_seen(user)
        .select_related("street", "leader")
        .prefetch_related(Prefetch("members", queryset=VisitTeamMember.objects.select_related("user")))
    )


def team_choices(*, user: User) -> QuerySet[VisitTeam]:
    """Return the teams of the streets the user sees as a drop-down lists them: by name, no members read."""
    return _teams_seen(user).only("pk", "name")


def teams_of(*, user: User) -> QuerySet[VisitTeam]:
    return VisitTeam.objects.filter(members__user=user, is_active=True).distinct().order_by("sort_order", "name")


def covering_teams(*, communities, start: date, end: date) -> dict[int, int]:
    """Return {community id: team id}: the visit team that covers each community from ``start`` to ``end``.

    The rotation gives each community to one team at a time (a two-week slot). The team is the one whose slot
    is in force on ``start``, else the first whose slot begins by ``end`` (it visits during the window), else
    the one whose slot ended last before ``start`` (it visited last). Only teams in service count.
    """
    rows = (
        VisitAssignment.objects.filter(community__in=communities, starts_on__lte=end, team__is_active=True)
        .order_by("community_id", "starts_on", "team__sort_order", "team_id")
        .values_list("community_id", "team_id", "starts_on", "ends_on")
    )
    during: dict[int, int] = {}
    before: dict[int, int] = {}
    for community_id, team_id, _starts_on, ends_on in rows:
        if ends_on >= start:
            during.setdefault(community_id, team_id)  # the earliest slot reaching into the window
        else:
            before[community_id] = team_id  # ordered by start: the last one wins
    return {**before, **during}


def cycle_list(*, user: User) -> QuerySet[VisitCycle]:
    return VisitCycle.objects.filter(street__in=streets_for(user)).select_related("street").order_by("starts_on")


def current_cycle(*, street: Street, today: date | None = None) -> VisitCycle | None:
    today = today or timezone.localdate()
    cycles = VisitCycle.objects.filter(street=street)
    return (
        cycles.filter(starts_on__lte=today, ends_on__gte=today).first()
        or cycles.filter(ends_on__lt=today).order_by("-ends_on").first()
        or cycles.order_by("starts_on").first()
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def assignments_with_state(*, user: User, cycle: VisitCycle, today: date | None = None) -> list[VisitAssignment]:
    """Return a cycle's assignments the user may see, each with ``visits_logged`` and its derived ``state``."""
    today = today or timezone.localdate()
    rows = list(
        scope(VisitAssignment.objects.filter(cycle=cycle), user)
        .select_related("team", "community")
        .order_by("starts_on", "team__sort_order", "team_id")
    )
    # Visits per team, community and local day over the cycle: at most teams x days rows, one query.
    per_day: dict[tuple[int, int], list[tuple[date, int]]] = {}
    daily = (
        VisitLog.objects.filter(
            visited_at__gte=_day_start(cycle.starts_on),
            visited_at__lt=_day_start(cycle.ends_on + timedelta(days=1)),
            team__isnull=False,
            community__in=[r.community_id for r in rows],
        )
        .annotate(day=TruncDate("visited_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("team", "community", "day")
        .annotate(n=Count("pk"))
    )
    for team_id, community_id, day, n in daily:
        per_day.setdefault((team_id, community_id), []).append((day, n))
    for row in rows:
        row.visits_logged = sum(
            n for day, n in per_day.get((row.team_id, row.community_id), []) if row.starts_on <= day <= row.ends_on
        )
        row.state = rules.plan_state(
            starts_on=row.starts_on, ends_on=row.ends_on, today=today, visits_logged=row.visits_logged
        )
        row.state_label = rules.PlanState(row.state).label
    return rows


@dataclass
class TeamWork:
    """What the user's visit teams have to do in the cycle under way."""

    in_team: bool  # the user belongs to (or leads) a team in service
    assignments: list[VisitAssignment]  # begun slots of the current cycle, each with ``unvisited``

    @property
    def unvisited(self) -> int:
        return sum(a.unvisited for a in self.assignments)


def team_work(*, user: User, today: date | None = None) -> TeamWork:
    """Return the user's teams' slots of the current cycle that have begun, each with ``unvisited``: the
    community's households not visited since the slot began. Three queries, whatever the number of households."""
    today = today or timezone.localdate()
    team_ids = list(
        VisitTeam.objects.filter(
            Q(pk__in=VisitTeamMember.objects.filter(user=user).values("team")) | Q(leader=user), is_active=True
        ).values_list("pk", flat=True)
    )
    if not team_ids:
        return TeamWork(in_team=False, assignments=[])
    assignments = list(
        scope(
            VisitAssignment.objects.filter(
                team_id__in=team_ids,
                cycle__starts_on__lte=today,
                cycle__ends_on__gte=today,
                starts_on__lte=today,
            ),
            user,
        )
        .select_related("team", "community", "cycle")
        .order_by("-starts_on", "team__sort_order", "pk")
    )
    if assignments:
        not_visited = Q(pk__in=[])
        for row in assignments:
            not_visited |= Q(community_id=row.community_id) & (
                Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=_day_start(row.starts_on))
            )
        counts = dict(
            Household.objects.filter(not_visited)
            .order_by()
            .values("community")
            .annotate(n=Count("pk"))
            .values_list("community", "n")
        )
        for row in assignments:
            row.unvisited = counts.get(row.community_id, 0)
    return TeamWork(in_team=True, assignments=assignments)


def search_initials(text: str) -> str:
    return pinyin_initials(text)
