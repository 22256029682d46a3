"""Who may hand over whose work, and to whom: the scope of a hand-over, from the actor's positions.

Street leaders and supervisors hand over anyone who holds (or held) a position in their street; a community's
secretary (a community cadre at the community) hands over the people of that community. The successor must hold
a current position in the same scope. A person outside the actor's communities is not found (404); a person in
them whom the actor's role may not hand over is refused (403).
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ..errors import require_permission
from ..models import Community, Position, Role, Street, User
from ..scoping import communities_for, communities_with_role

STREET_HANDOVER_ROLES = frozenset({Role.STREET_LEADER, Role.SUPERVISOR})
COMMUNITY_HANDOVER_ROLES = frozenset({Role.COMMUNITY_CADRE})
HANDOVER_ROLES = STREET_HANDOVER_ROLES | COMMUNITY_HANDOVER_ROLES


@dataclass(frozen=True)
class Area:
    """The communities and whole streets of a person's scope, as lazy querysets."""

    communities: QuerySet[Community]
    whole_streets: QuerySet[Street]

    @property
    def streets(self) -> QuerySet[Street]:
        return Street.objects.filter(pk__in=self.communities.values("street"))

    def positions(self) -> Q:
        """Positions held at a node inside the area (any time: a person who already left is still found)."""
        return (
            Q(community__in=self.communities.values("pk"))
            | Q(grid__community__in=self.communities.values("pk"))
            | Q(street__in=self.whole_streets.values("pk"))
        )


def _whole_streets(user, roles) -> QuerySet[Street]:
    if user.is_superuser:
        return Street.objects.all()
    positions = Position.objects.current().filter(user_id=user.pk)
    if roles is not None:
        positions = positions.filter(role__in=sorted(roles))
    return Street.objects.filter(
        Q(pk__in=positions.filter(street__isnull=False).values("street"))
        | Q(county__in=positions.filter(county__isnull=False).values("county"))
    )


def handover_area(user) -> Area:
    """The area in which ``user`` may hand over people's work (empty for roles that may not)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Area(Community.objects.none(), Street.objects.none())
    street_wide = Community.objects.filter(street__in=_whole_streets(user, STREET_HANDOVER_ROLES))
    communities = street_wide | Community.objects.filter(
        pk__in=communities_with_role(user, COMMUNITY_HANDOVER_ROLES).values("pk")
    )
    return Area(Community.objects.filter(pk__in=communities.values("pk")), _whole_streets(user, STREET_HANDOVER_ROLES))


def visible_area(user) -> Area:
    """The area whose people ``user`` may know of (any role): beyond it a person is not found."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Area(Community.objects.none(), Street.objects.none())
    return Area(communities_for(user), _whole_streets(user, None))


def may_hand_over(user) -> bool:
    """Tell whether the user's positions let them hand over anybody's work (the list page and navigation)."""
    return handover_area(user).communities.exists()


def people(area: Area) -> QuerySet[User]:
    return User.objects.filter(pk__in=Position.objects.filter(area.positions()).values("user"))


def person_get(*, actor, pk: int) -> tuple[User, Area]:
    """Return the person and the actor's hand-over area; 404 outside what the actor sees, 403 beyond their role."""
    try:
        person = people(visible_area(actor)).get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    area = handover_area(actor)
    require_permission(people(area).filter(pk=person.pk).exists(), _("您的职务不能办理此人的工作交接。"))
    return person, area


def successors(area: Area, *, leaver: User) -> QuerySet[User]:
    """The people who may take the work over: active, with a current position inside the area, not the leaver."""
    holders = Position.objects.current().filter(area.positions()).values("user")
    return User.objects.filter(is_active=True, pk__in=holders).exclude(pk=leaver.pk).order_by("real_name", "username")
