"""Who may do what in the points system; every check also requires the community to be in the user's scope."""

from lucun.models import Community, Role
from lucun.scoping import has_role
from visits.permissions import can_see_sensitive

# Everyone with a position may look at volunteers and the ledger of their communities.
VIEW_ROLES = frozenset(Role.values)
# Register volunteers, record service and bulk claims.
MANAGE_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.GRID_WORKER, Role.STREET_LEADER, Role.STREET_STAFF})
# Approve or reject claims, reverse and adjust ledger entries.
APPROVE_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.STREET_LEADER, Role.STREET_STAFF})
# Work the redemption counter.
REDEEM_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.GRID_WORKER, Role.STREET_STAFF})
# Edit the points-shop catalogue.
CATALOGUE_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.STREET_LEADER, Role.STREET_STAFF})


def can_link_member(user, community: Community) -> bool:
    """Tell whether the user may link volunteers of this community to household members.

    Picking a member shows the community's households with their members, which the household pages show only
    to the positions allowed to see sensitive household data (visits.permissions), so the same rule holds here.
    """
    return has_role(user, MANAGE_ROLES, community) and can_see_sensitive(user, community)
