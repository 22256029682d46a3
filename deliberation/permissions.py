"""Who may do what with meetings: one place for the rules, used by pages, API and services alike."""

from cases.permissions import DISPATCH_ROLES, SUPERVISE_ROLES
from lucun.models import Community, Role, Street
from lucun.scoping import has_role, user_positions

from .models import Meeting

# Officials who organise a community's meetings (大家小家, online) and keep their records.
ORGANISE_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.GRID_WORKER, Role.STREET_LEADER, Role.STREET_STAFF})
# Officials who organise the street's joint meetings and contests.
STREET_ORGANISE_ROLES = frozenset({Role.STREET_LEADER, Role.STREET_STAFF})
# A community meeting's decision resolves or escalates cases: the officials who dispatch cases record it.
DECIDE_ROLES = DISPATCH_ROLES
# A joint meeting's decision is the street leadership's: it assigns and supervises the case.
JOINT_DECIDE_ROLES = SUPERVISE_ROLES


def has_street_role(user, roles, street: Street) -> bool:
    """Tell whether the user holds one of ``roles`` at the street (or its county) itself."""
    if getattr(user, "is_superuser", False):
        return True
    return any(
        p.role in roles and (p.street_id == street.pk or (p.county_id is not None and p.county_id == street.county_id))
        for p in user_positions(user)
    )


def can_schedule(user, *, kind: str, community: Community | None = None, street: Street | None = None) -> bool:
    if kind in Meeting.STREET_KINDS:
        return street is not None and has_street_role(user, STREET_ORGANISE_ROLES, street)
    return community is not None and has_role(user, ORGANISE_ROLES, community)


def can_manage(user, meeting: Meeting) -> bool:
    """Run the meeting: steps, agenda, participants, minutes, photos, scores."""
    if meeting.is_street_meeting:
        return meeting.organiser_id == user.pk or has_street_role(user, STREET_ORGANISE_ROLES, meeting.street)
    return meeting.organiser_id == user.pk or has_role(user, ORGANISE_ROLES, meeting.community)


def can_decide(user, meeting: Meeting) -> bool:
    """Record decisions on the agenda items (which write to the cases)."""
    if meeting.kind == Meeting.Kind.JOINT:
        return has_street_role(user, JOINT_DECIDE_ROLES, meeting.street)
    if meeting.is_street_meeting:
        return False
    return has_role(user, DECIDE_ROLES, meeting.community)
