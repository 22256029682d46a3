"""Who may do what in the points system; every check also requires the community to be in the user's scope."""

from lucun.models import Role

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
