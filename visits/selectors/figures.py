"""The coverage figures of 直面问 (村村到、户户到): households visited per community, visits per team."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from lucun.models import Community, Street, User
from lucun.scoping import communities_for

from .. import rules
from ..models import Household, VisitLog, VisitRequest, VisitTeam
from .visiting import _day_start


@dataclass
class CommunityCoverage:
    community: Community
    households: int = 0
    visited: int = 0
    overdue_flagged: int = 0
    never_visited: int = 0

    @property
    def rate(self) -> int:
        return round(100 * self.visited / self.households) if self.households else 0


@dataclass
class TeamCoverage:
    team: VisitTeam
    visits: int = 0
    households_reached: int = 0
    requests: int = 0


@dataclass
class Coverage:
    start: date
    end: date
    communities: list[CommunityCoverage] = field(default_factory=list)
    teams: list[TeamCoverage] = field(default_factory=list)

    @property
    def total(self) -> CommunityCoverage:
        total = CommunityCoverage(community=None)  # type: ignore[arg-type]
        for row in self.communities:
            total.households += row.households
            total.visited += row.visited
            total.overdue_flagged += row.overdue_flagged
            total.never_visited += row.never_visited
        return total


def coverage(*, user: User, street: Street, start: date, end: date, today: date | None = None) -> Coverage:
    """Compute 村村到、户户到 for the days ``start``..``end`` (inclusive) from the visit logs.

    Per community: households, households visited in the window, flagged households overdue for
    their visit as of the window's end (or today, if earlier), households never visited by then.
    Per team: visits logged, distinct households reached and requests collected in the window.
    """
    today = today or timezone.localdate()
    as_of_day = min(end, today)
    window_start, window_end = _day_start(start), _day_start(end + timedelta(days=1))
    as_of = _day_start(as_of_day + timedelta(days=1))
    communities = list(
        communities_for(user).filter(street=street).order_by("sort_order", "name").select_related("street")
    )
    logs = VisitLog.objects.filter(household=OuterRef("pk"))
    annotations = {
        "in_window": Exists(logs.filter(visited_at__gte=window_start, visited_at__lt=window_end)),
        "ever": Exists(logs.filter(visited_at__lt=as_of)),
    }
    overdue = Q(pk__in=[])
    for level, days in rules.VISIT_INTERVAL_DAYS.items():
        if days is None:
            continue
        name = f"recent_{level}"
        annotations[name] = Exists(logs.filter(visited_at__gte=as_of - timedelta(days=days), visited_at__lt=as_of))
        overdue |= Q(attention_level=level, **{name: False})
    rows = (
        Household.objects.filter(community__in=communities)
        .annotate(**annotations)
        .order_by()
        .values("community")
        .annotate(
            households=Count("pk"),
            visited=Count("pk", filter=Q(in_window=True)),
            overdue_flagged=Count("pk", filter=overdue),
            never_visited=Count("pk", filter=Q(ever=False)),
        )
    )
    by_community = {r["community"]: r for r in rows}
    result = Coverage(start=start, end=end)
    for community in communities:
        r = by_community.get(community.pk, {})
        result.communities.append(
            CommunityCoverage(
                community=community,
                households=r.get("households", 0),
                visited=r.get("visited", 0),
                overdue_flagged=r.get("overdue_flagged", 0),
                never_visited=r.get("never_visited", 0),
            )
        )
    window_logs = VisitLog.objects.filter(
        community__in=communities, visited_at__gte=window_start, visited_at__lt=window_end, team__isnull=False
    )
    team_rows = {
        r["team"]: r
        for r in window_logs.order_by()
        .values("team")
        .annotate(visits=Count("pk", distinct=True), reached=Count("household", distinct=True))
    }
    request_rows = dict(
        VisitRequest.objects.filter(log__in=window_logs)
        .order_by()
        .values("log__team")
        .annotate(n=Count("pk"))
        .values_list("log__team", "n")
    )
    for team in VisitTeam.objects.filter(street=street).order_by("sort_order", "name"):
        r = team_rows.get(team.pk, {})
        result.teams.append(
            TeamCoverage(
                team=team,
                visits=r.get("visits", 0),
                households_reached=r.get("reached", 0),
                requests=request_rows.get(team.pk, 0),
            )
        )
    return result


def year_start(today: date) -> date:
    return date(today.year, 1, 1)
