"""Who may do what to a case: one place for the rules, used by pages, API and services alike."""

from lucun.models import Role
from lucun.scoping import communities_for, has_role

from .models import Case

# Officials who register and dispatch cases for a community (assign, escalate, cancel).
DISPATCH_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.STREET_STAFF, Role.STREET_LEADER, Role.SUPERVISOR})
# Officials who may take a case on themselves when nobody handles it yet.
HANDLE_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.GRID_WORKER, Role.STREET_STAFF, Role.STREET_LEADER})
# Officials who approve extensions and returns, and issue supervision notices.
SUPERVISE_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER})
# Officials who may register a case at all (every position that meets residents).
OPEN_ROLES = frozenset(Role.values)
# Officials who watch the three-colour dashboard of their communities.
DASHBOARD_ROLES = SUPERVISE_ROLES | DISPATCH_ROLES


def _in_scope(user, case: Case) -> bool:
    return communities_for(user).filter(pk=case.community_id).exists()


def can_view(user, case: Case) -> bool:
    return _in_scope(user, case)


def can_open(user, community) -> bool:
    return has_role(user, OPEN_ROLES, community)


def can_handle(user, case: Case) -> bool:
    """The handler works the case; while nobody handles it, an official in scope may take it."""
    if case.handler_id:
        return case.handler_id == user.pk
    return has_role(user, HANDLE_ROLES, case.community)


def can_dispatch(user, case: Case) -> bool:
    return has_role(user, DISPATCH_ROLES, case.community)


def can_supervise(user, case: Case) -> bool:
    return has_role(user, SUPERVISE_ROLES, case.community)
