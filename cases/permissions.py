"""Who may do what to a case: one place for the rules, used by pages, API and services alike."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from lucun.errors import NotAllowed
from lucun.models import Role
from lucun.scoping import STREET_LEVEL_ROLES, has_role, roles_for, user_positions

from .models import APPROVER_ROLES, Case

# Officials who register and dispatch cases for a community (assign, escalate, cancel).
DISPATCH_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.STREET_STAFF, Role.STREET_LEADER, Role.SUPERVISOR})
# Officials who may take a case on themselves when nobody handles it yet.
HANDLE_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.GRID_WORKER, Role.STREET_STAFF, Role.STREET_LEADER})
# Officials who approve extensions and returns, and issue supervision notices.
SUPERVISE_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER})
# Officials the approval rules may name (ApprovalRule): they see the approvals inbox; the supervisors and street
# leaders decide the requests made before the rules.
APPROVE_ROLES = frozenset(APPROVER_ROLES) | SUPERVISE_ROLES
# Officials who may register a case at all (every position that meets residents).
OPEN_ROLES = frozenset(Role.values)
# Officials who watch the three-colour dashboard of their communities.
DASHBOARD_ROLES = SUPERVISE_ROLES | DISPATCH_ROLES
# Who sees a 12345 caller's name and full phone: the positions that see household phones in full (the rule of
# visits.permissions.SENSITIVE_DATA_ROLES); everyone else reads them masked (张**, 138****1234).
CALLER_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.STREET_LEADER, Role.SUPERVISOR})


def can_view(user, case: Case) -> bool:
    """The case is in the user's sight (``selectors.cases_visible``: scope, a hand-over waiting, 首问负责)."""
    from .selectors import cases_visible

    return cases_visible(user=user).filter(pk=case.pk).exists()


def can_see_caller(user, community) -> bool:
    """Tell whether the user sees a hotline caller's name and phone in full in this community."""
    return user.is_superuser or has_role(user, CALLER_ROLES, community)


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


# --- Moving a case to another community or grid ------------------------------------------------------
# Street-level officials (a street role held at the street or the county above it) move a case directly between
# the communities of their street; a community official hands it to another community (转交), whose officials
# accept it or send it back, and moves it between the grids of their own community.


def street_wide_in(user, community) -> bool:
    """Tell whether the user holds a street-level role at the street (or county) above ``community``."""
    if getattr(user, "is_superuser", False):
        return True
    return any(
        p.role in STREET_LEVEL_ROLES
        and (
            (p.street_id and p.street_id == community.street_id)
            or (p.county_id and p.county_id == community.street.county_id)
        )
        for p in user_positions(user)
    )


def can_move(user, case: Case) -> bool:
    """Street-level officials move a case directly to another community or grid of the street."""
    return street_wide_in(user, case.community)


def can_transfer(user, case: Case) -> bool:
    """A community's officials (not street-wide) hand a case to another community, or move it between grids."""
    return can_dispatch(user, case) and not can_move(user, case)


def dispatches_for_a_community(user) -> bool:
    """Tell whether the user dispatches at a community (not street-wide): the officials hand-overs wait for."""
    return any(p.role in DISPATCH_ROLES and (p.community_id or p.grid_id) for p in user_positions(user))


def can_receive(user, community) -> bool:
    """The officials who dispatch for ``community`` accept a case handed to it, or send it back."""
    return has_role(user, DISPATCH_ROLES, community)


def can_withdraw_transfer(user, transfer) -> bool:
    """The official who asked for a hand-over, or a dispatcher of the community that asked, takes it back while the
    receiving community has not decided."""
    return transfer.requested_by_id == user.pk or has_role(user, DISPATCH_ROLES, transfer.from_community)


def approver_roles(request) -> frozenset[str]:
    """The roles that decide an extension or return request now: the one the rules named (``ApprovalRule``).

    A request without a named role (made before the rules, or for a tier without rules) is the supervisors' and
    street leaders'.
    """
    return frozenset({request.approver_role}) if request.approver_role else SUPERVISE_ROLES


def can_decide(user, request) -> bool:
    """The configured approver covering the case's community decides a request; nobody decides their own."""
    if request.requested_by_id == user.pk:
        return False
    return has_role(user, approver_roles(request), request.case.community)


# --- 通报 (bulletins) ----------------------------------------------------------------------------------
# A 通报 belongs to a street. Its supervisors and leaders (at the street, or the county above it) draft and publish
# it; the positions the configuration names (``BulletinReader``) read the published ones of the streets they work in.
BULLETIN_WRITE_ROLES = SUPERVISE_ROLES


def _covers_street(position, street) -> bool:
    if position.street_id:
        return position.street_id == street.pk
    return bool(position.county_id) and position.county_id == street.county_id


def _works_in_street(position, street) -> bool:
    if position.community_id:
        return position.community.street_id == street.pk
    if position.grid_id:
        return position.grid.community.street_id == street.pk
    return _covers_street(position, street)


def can_write_bulletins(user, street) -> bool:
    """Tell whether the user drafts and publishes the 通报 of ``street``."""
    if getattr(user, "is_superuser", False):
        return True
    return any(p.role in BULLETIN_WRITE_ROLES and _covers_street(p, street) for p in user_positions(user))


def can_read_bulletins(user, street, readers: Iterable[str]) -> bool:
    """Tell whether the user reads the published 通报 of ``street``, ``readers`` being the configured positions."""
    if can_write_bulletins(user, street):
        return True
    readers = set(readers)
    return any(p.role in readers and _works_in_street(p, street) for p in user_positions(user))


def can_read_bulletin(user, bulletin, readers: Iterable[str]) -> bool:
    """Tell whether the user reads this 通报: a draft is for who writes the street's 通报, a published one for its
    readers too."""
    if bulletin.is_published:
        return can_read_bulletins(user, bulletin.street, readers)
    return can_write_bulletins(user, bulletin.street)


def reads_bulletins(user, readers: Iterable[str]) -> bool:
    """Tell whether the user holds any position that reads 通报 (or writes them), wherever it is."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_for(user) & (set(readers) | BULLETIN_WRITE_ROLES))


def require_bulletin_reader(user, bulletin, readers: Iterable[str]) -> None:
    """Refuse (403) a person who may not read this 通报, saying why."""
    if not can_read_bulletin(user, bulletin, readers):
        raise NotAllowed(_("您的职务不在通报的阅读范围内。") if bulletin.is_published else _("这期通报尚未发布。"))
