"""Who calls a case back: the pool (回访人员库) less the case's own people, so that nobody checks their own work.

The pool is configuration (``CallbackPool`` rows, edited in the admin): the holders of a role covering the
case's community (the supervisors, by default) and the members of the other visit teams of its street. From
every row only officials who may record callbacks in the community are taken (``permissions.CALLBACK_ROLES``),
and never the case's handler or first responder. ``Pool`` answers for many callbacks at once in a fixed number
of queries (the periodic job assigns thousands); the automatic choice is the candidate with the fewest
callbacks waiting, so the calls spread over the pool.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from lucun.models import Community, Position, User
from visits.models import VisitTeam, VisitTeamMember

from .models import Callback, CallbackPool
from .permissions import CALLBACK_ROLES


def case_people(case) -> set[int]:
    """The officials a callback must not go to: the case's handler and its first responder."""
    return {pk for pk in (case.handler_id, case.first_responder_id) if pk}


def dependence(user, case) -> str:
    """Say why ``user`` may not call this case back (their own case), or "" when they are independent of it."""
    if user.pk and user.pk == case.handler_id:
        return _("您是该诉求的承办人")
    if user.pk and user.pk == case.first_responder_id:
        return _("您是该诉求的首问责任人")
    return ""


def dependent_assignee(callback: Callback) -> bool:
    """Tell whether the callback is assigned to its case's handler or first responder (assigned before the rule)."""
    return bool(callback.assignee_id) and callback.assignee_id in case_people(callback.case)


@dataclass(frozen=True)
class Candidate:
    user_id: int
    rank: int  # the sort order of the first pool row that names the person
    pool: str  # that row's name, shown beside the person
    waiting: int  # callbacks waiting for the person now


class Pool:
    """The active pool rows resolved for a set of communities: who may call back which callback."""

    def __init__(self, community_ids: Iterable[int]) -> None:
        ids = sorted(set(community_ids))
        self.rows = list(CallbackPool.objects.active().order_by("sort_order", "name"))
        communities = list(Community.objects.filter(pk__in=ids).values_list("pk", "street_id", "street__county_id"))
        self._street = {pk: street for pk, street, _county in communities}
        roles = {row.role for row in self.rows if row.kind == CallbackPool.Kind.ROLE} | set(CALLBACK_ROLES)
        positions = list(
            Position.objects.current()
            .filter(role__in=sorted(roles), user__is_active=True)
            .filter(
                Q(community__in=ids)
                | Q(grid__community__in=ids)
                | Q(street__in=set(self._street.values()))
                | Q(county__in={county for _pk, _street, county in communities if county})
            )
            .values_list("user_id", "role", "county_id", "street_id", "community_id", "grid__community_id")
        )
        # {community: {role: {user ids}}}, from the positions covering each community.
        self._holders: dict[int, dict[str, set[int]]] = {}
        for pk, street, county in communities:
            by_role: dict[str, set[int]] = {}
            for user_id, role, p_county, p_street, p_community, p_grid_community in positions:
                if pk in (p_community, p_grid_community) or p_street == street or (county and p_county == county):
                    by_role.setdefault(role, set()).add(user_id)
            self._holders[pk] = by_role
        self._team_members: dict[int, list[tuple[int, int]]] = {}  # street: [(team, user)]
        if any(row.kind == CallbackPool.Kind.OTHER_TEAM for row in self.rows):
            streets = set(self._street.values())
            members = VisitTeamMember.objects.filter(team__street__in=streets, team__is_active=True).values_list(
                "team__street_id", "team_id", "user_id"
            )
            leaders = VisitTeam.objects.filter(street__in=streets, is_active=True, leader__isnull=False).values_list(
                "street_id", "pk", "leader_id"
            )
            for street, team, user_id in [*members, *leaders]:
                self._team_members.setdefault(street, []).append((team, user_id))
        self._waiting: dict[int, int] | None = None

    def _allowed(self, community_id: int) -> set[int]:
        by_role = self._holders.get(community_id, {})
        return set().union(*(by_role.get(role, set()) for role in CALLBACK_ROLES))

    def members(self, *, community_id: int, team_id: int | None) -> dict[int, tuple[int, str]]:
        """Return {user id: (rank, pool row name)} of the pool for a callback of the community and visit team."""
        allowed = self._allowed(community_id)
        result: dict[int, tuple[int, str]] = {}
        for row in self.rows:
            if row.kind == CallbackPool.Kind.ROLE:
                people = self._holders.get(community_id, {}).get(row.role, set())
            else:
                street = self._street.get(community_id)
                people = {user for team, user in self._team_members.get(street, []) if team != team_id}
            for user_id in sorted(people & allowed):
                result.setdefault(user_id, (row.sort_order, row.name))
        return result

    def waiting(self) -> dict[int, int]:
        """Callbacks waiting per assignee (one query, once)."""
        if self._waiting is None:
            self._waiting = dict(
                Callback.objects.filter(mode=Callback.Mode.STAFF, answered_at__isnull=True, assignee__isnull=False)
                .order_by()
                .values("assignee")
                .annotate(n=Count("pk"))
                .values_list("assignee", "n")
            )
        return self._waiting

    def candidates(self, *, community_id: int, team_id: int | None, exclude: set[int]) -> list[Candidate]:
        """The people who may be given this callback: the pool less ``exclude``, fewest waiting first."""
        waiting = self.waiting()
        found = [
            Candidate(user_id=user_id, rank=rank, pool=name, waiting=waiting.get(user_id, 0))
            for user_id, (rank, name) in self.members(community_id=community_id, team_id=team_id).items()
            if user_id not in exclude
        ]
        return sorted(found, key=lambda c: (c.waiting, c.rank, c.user_id))

    def choose(self, *, community_id: int, team_id: int | None, exclude: set[int]) -> int | None:
        """Pick the independent person with the fewest callbacks waiting; count the new one against them."""
        found = self.candidates(community_id=community_id, team_id=team_id, exclude=exclude)
        if not found:
            return None
        chosen = found[0].user_id
        waiting = self.waiting()
        waiting[chosen] = waiting.get(chosen, 0) + 1
        return chosen


def callback_candidates(*, callback: Callback) -> list[tuple[User, Candidate]]:
    """The people this callback may be assigned to, with their pool and load, fewest waiting first."""
    pool = Pool([callback.community_id])
    found = pool.candidates(
        community_id=callback.community_id, team_id=callback.team_id, exclude=case_people(callback.case)
    )
    users = User.objects.in_bulk([c.user_id for c in found])
    return [(users[c.user_id], c) for c in found if c.user_id in users]
